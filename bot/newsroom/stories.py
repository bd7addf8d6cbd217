"""Group shared articles into stories: different outlets' takes on one event become one entry.

Why: a digest that lists the same council vote three times (once per outlet) wastes a busy
editor's attention and hides what the newsroom really focused on. Articles are compared by
TF-IDF cosine similarity of headline + lede (the part of a news story that states the event),
then merged by average-link agglomerative clustering, which, unlike single-link, does not chain
two unrelated stories together through one vague article in between.

Plain Python and deterministic (ties broken by input order), so digests are reproducible and
testable. The threshold comes from `bench/grouping.py` on the fixtures in
`tests/fixtures/stories/`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from bot.storage.archive import SharedArticle

# Measured with bench/grouping.py on tests/fixtures/stories: 0.2 has the best mean pairwise F1
# (0.975) over all 21 items and random 4/8/12-item digests (F1 1.000/0.951/0.970/0.979,
# precision 1.000/1.000/1.000/0.999); 0.15 starts merging look-alike stories (precision 0.89).
# A false merge hides a story from the digest, a missed one only repeats it: lean high.
DEFAULT_THRESHOLD = 0.2
HEADLINE_WEIGHT = 2  # the headline names the event; count its terms twice

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)+")  # 4.25, 40,000: figures are strong event markers
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself new says said say told
    according would could may might must one two three first last year years week weeks day
    days monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    morning night mr ms mrs dr s t
    """
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(slots=True)
class Story:
    """Articles about one event; `lead` is the article whose headline represents the story."""

    articles: list[SharedArticle]
    lead: SharedArticle

    @property
    def share_count(self) -> int:
        return sum(a.share_count for a in self.articles)

    @property
    def first_shared(self) -> datetime:
        return min(a.first_shared for a in self.articles)

    @property
    def last_shared(self) -> datetime:
        return max(a.last_shared for a in self.articles)

    @property
    def outlets(self) -> list[str]:
        """Distinct outlet names, lead first, then in order of first share."""
        ordered = [self.lead, *sorted(self.articles, key=lambda a: a.first_shared)]
        return list(dict.fromkeys(outlet_name(a) for a in ordered))


def outlet_name(article: SharedArticle) -> str:
    """The site name the page declares, else its host without `www.`."""
    if article.site:
        return article.site
    host = urlsplit(article.url).hostname or article.url
    return host.removeprefix("www.")


def tokens(text: str) -> list[str]:
    """Lower-cased content words, lightly stemmed so plurals and tenses meet; whole figures."""
    out = [n.replace(",", "") for n in _NUMBER.findall(text)]
    for raw in _TOKEN.findall(_NUMBER.sub(" ", text.lower())):
        word = raw.replace("’", "'").split("'")[0]
        if word in _STOPWORDS or (len(word) < 3 and not word.isdigit()):
            continue
        out.append(_stem(word))
    return out


def _stem(word: str) -> str:
    """Crude suffix stripping ("votes", "voted", "voting" -> "vot"); consistent is enough."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                break
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def article_terms(article: SharedArticle) -> Counter[str]:
    """Headline (counted twice), lede and briefing: the parts that state what happened."""
    terms: Counter[str] = Counter()
    for _ in range(HEADLINE_WEIGHT):
        terms.update(tokens(article.headline or ""))
    terms.update(tokens(article.lede))
    terms.update(tokens(" ".join(article.briefing)))
    return terms


def tfidf_vectors(docs: Sequence[Counter[str]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors; smoothed IDF so it stays sane for a handful of documents."""
    n = len(docs)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    vectors = []
    for doc in docs:
        vec = {
            term: (1.0 + math.log(count)) * (math.log((1 + n) / (1 + df[term])) + 1.0)
            for term, count in doc.items()
        }
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({term: v / norm for term, v in vec.items()})
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(term, 0.0) for term, v in a.items())


def similarity_matrix(items: Sequence[SharedArticle]) -> list[list[float]]:
    vectors = tfidf_vectors([article_terms(a) for a in items])
    n = len(vectors)
    sim = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            sim[i][j] = sim[j][i] = cosine(vectors[i], vectors[j])
    return sim


def cluster(sim: list[list[float]], threshold: float) -> list[list[int]]:
    """Average-link agglomerative clustering; merges while the best pair averages ≥ threshold.

    Each cluster keeps its nearest neighbour, so a merge costs O(n) instead of a rescan of all
    pairs (average link never raises a similarity above the larger of the two merged ones).
    Ties go to the lowest indices, so the result is deterministic. Returns clusters of item
    indices, each sorted, in order of their first member.
    """
    n = len(sim)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    link = {i: {j: sim[i][j] for j in range(n) if j != i} for i in range(n)}
    nearest = {i: _nearest(link[i]) for i in range(n)}
    while len(members) > 1:
        value, i, j = max((v, -min(k, m), -max(k, m)) for k, (v, m) in nearest.items() if m >= 0)
        i, j = -i, -j
        if value < threshold:
            break
        size_i, size_j = len(members[i]), len(members[j])
        for k in link[i]:
            if k != j:
                merged = (size_i * link[i][k] + size_j * link[j][k]) / (size_i + size_j)
                link[i][k] = link[k][i] = merged
        del link[i][j]
        for k in link[j]:
            if k != i:
                del link[k][j]
        del link[j], nearest[j]
        members[i] = sorted(members[i] + members.pop(j))
        nearest[i] = _nearest(link[i])
        for k in nearest:
            if k == i:
                continue
            best_value, best_j = nearest[k]
            if best_j in (i, j):
                nearest[k] = _nearest(link[k])
            elif link[k][i] > best_value or (link[k][i] == best_value and i < best_j):
                nearest[k] = (link[k][i], i)
    return sorted(members.values(), key=lambda m: m[0])


def _nearest(row: dict[int, float]) -> tuple[float, int]:
    """(similarity, index) of the most similar other cluster, lowest index on ties."""
    if not row:
        return (-math.inf, -1)
    j = max(row, key=lambda k: (row[k], -k))
    return (row[j], j)


def group_stories(
    items: list[SharedArticle], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Story]:
    """Stories, most shared first, then most recently shared; lead = most central article."""
    if not items:
        return []
    sim = similarity_matrix(items)
    stories = []
    for indices in cluster(sim, threshold):

        def centrality(i: int, indices: list[int] = indices) -> float:
            return sum(sim[i][j] for j in indices if j != i)

        lead_index = min(
            indices,
            key=lambda i: (
                -round(centrality(i), 9),
                -items[i].share_count,
                not items[i].headline,
                items[i].first_shared,
                i,
            ),
        )
        stories.append(Story(articles=[items[i] for i in indices], lead=items[lead_index]))
    stories.sort(key=lambda s: (-s.share_count, -s.last_shared.timestamp()))
    return stories


__all__ = [
    "DEFAULT_THRESHOLD",
    "Story",
    "cluster",
    "group_stories",
    "outlet_name",
    "similarity_matrix",
    "tokens",
]
