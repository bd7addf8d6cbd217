"""Do the LLM bullet checks keep faithful sentences and catch invented ones?

    python bench/llm_checks.py [--corpora PATH]

No model is needed: the checks are what stands between a model and a reader, so they are
measured directly. Faithful bullets are the CNN/DM reference highlights (written by editors from
each article); planted errors are the same highlights with one number changed, a name swapped
for one the article never mentions, another person's first name put on a surname, or an
invented quotation added.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, load_gold

from bot.llm.verify import ArticleIndex, check_bullet

SPLIT = re.compile(r'(?<=[.!?])["\'”’)]?\s+(?=["“‘(]?[A-Z0-9])')
NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")
OUTSIDERS = ["Harriet Vandermeer", "Tobias Quennell", "Priya Anand-Lowe", "Marek Dziedzic"]
LABELS = {
    "faithful": "faithful highlight (want: kept)",
    "number": "one number changed (want: dropped)",
    "name": "a name swapped for an outsider (want: dropped)",
    "mixed": "another person's first name on a surname (want: dropped)",
    "quote": "an invented quotation added (want: dropped)",
}


def planted(sentence: str, text: str, rng: random.Random) -> dict[str, str]:
    """The wrong versions of one faithful sentence that the article can tell apart."""
    wrong: dict[str, str] = {}
    numbers = list(re.finditer(r"\b\d+\b", sentence))
    if numbers:
        m = rng.choice(numbers)
        new = str(int(m.group()) + rng.choice([1, 2, 3, 7, 10]))
        if not re.search(rf"(?<![\d,.]){new}(?!\d)", text):
            wrong["number"] = sentence[: m.start()] + new + sentence[m.end() :]
    names = [m for m in NAME.finditer(sentence) if m.group() in text]
    if names:
        m = rng.choice(names)
        wrong["name"] = sentence[: m.start()] + rng.choice(OUTSIDERS) + sentence[m.end() :]
        first, last = m.group().split()
        lower = set(re.findall(r"\b[a-z]+\b", text))
        firsts = {n.split()[0] for n in NAME.findall(text)} - {first}
        others = sorted(f for f in firsts if f.lower() not in lower)
        if others and f"{others[0]} {last}" not in text:
            mixed = f"{rng.choice(others)} {last}"
            if mixed not in text:
                wrong["mixed"] = sentence[: m.start()] + mixed + sentence[m.end() :]
    words = re.findall(r"[a-z]+", sentence)
    if len(words) >= 6:
        i = rng.randrange(0, len(words) - 4)
        invented = " ".join(words[i : i + 4][::-1])
        if invented not in text:
            wrong["quote"] = f'{sentence} He called it "{invented}".'
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description="LLM bullet checks on CNN/DM highlights")
    add_corpora_arg(parser)
    folder = corpora_path(parser.parse_args().corpora) / "summaries-cnndm"
    rng = random.Random(7)
    seen: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    elapsed = 0.0
    gold = load_gold(folder)
    for item in gold:
        text = (folder / "text" / f"{item['id']}.txt").read_text(encoding="utf-8")
        start = time.perf_counter()
        index = ArticleIndex.build(text, "en")
        for sentence in filter(None, (s.strip() for s in SPLIT.split(item["summary"]))):
            problem = check_bullet(sentence, index)
            seen["faithful"] += 1
            if problem:
                dropped["faithful"] += 1
                reasons[problem.split(":")[0]] += 1
            for kind, bad in planted(sentence, text, rng).items():
                seen[kind] += 1
                dropped[kind] += bool(check_bullet(bad, index))
        elapsed += time.perf_counter() - start
    print(f"{len(gold)} articles; checks take {1000 * elapsed / len(gold):.2f} ms per article\n")
    print("| bullets | n | dropped | share dropped |\n|---|---|---|---|")
    for kind, label in LABELS.items():
        n, d = seen[kind], dropped[kind]
        print(f"| {label} | {n} | {d} | {100 * d / max(n, 1):.1f} % |")
    print("\nfaithful highlights dropped, by reason:", dict(reasons.most_common()))


if __name__ == "__main__":
    main()
