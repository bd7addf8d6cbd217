"""The extractive briefing: 3-5 verbatim sentences that carry the story.

Why extractive: journalists must be able to trust that the briefing says only what the article
says, so every item is a sentence of the article, unchanged. The lede comes first (news copy puts
the story there); the other sentences are picked by a position-aware centrality score (TF-IDF
cosine to the whole article, weighted toward the top) with redundancy removal (MMR). Sentences
that are mostly a direct quote are left to the quotes block, and lines that look like page
furniture (bylines, captions, "Read more", headings, fragments) are never used.

`BriefingConfig` exposes the ingredients so `bench/score_summaries.py` can measure what each one
adds; `make_briefing` always uses `DEFAULT_CONFIG`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate, chain, repeat
from operator import add, itemgetter, mul, truediv

from bot.briefing.ascii import ascii_twin, capitalised_words, case_marks
from bot.models import Quote
from bot.text import (
    BASE_LANGUAGE,
    boilerplate_pattern,
    has_cjk,
    language_info,
    languages,
    sentence_spans,
    stopwords,
    terms,
    word_count,
)
from bot.text import words as words_of

__all__ = ["DEFAULT_CONFIG", "BriefingConfig", "make_briefing", "select_sentences"]


@dataclass(frozen=True, slots=True)
class BriefingConfig:
    """The knobs of the selection.

    position_weight and mmr_lambda sit at the centre of the region that scored well on the
    CNN/DM benchmark (chosen by the mean over the 3x3 neighbourhood of a 0.1-step grid, not by
    the single best cell, which is within noise of its neighbours).
    """

    filters: bool = True  # drop boilerplate-looking lines and fragments
    quote_filter: bool = True  # drop sentences that are mostly a direct quote
    lede_first: bool = True  # the first usable sentence always opens the briefing
    coherent: bool = True  # an item leaning on the sentence before it comes only after it
    centrality: bool = True  # TF-IDF cosine to the article centroid
    position_weight: float = 0.6  # share of the score given to the position prior
    mmr_lambda: float = 0.6  # 1.0 = no redundancy penalty
    article_order: bool = True  # output in article order (else in selection order)
    min_sentences: int = 3
    max_sentences: int = 5
    fill_chars: int = 0  # after min_sentences, keep adding while the total is below this
    prior_exponent: float = 0.5  # position prior = 1 / (1 + index) ** prior_exponent
    # A line without final punctuation needs this many words; None: never an item (issue 12:
    # such lines are headings, related links or cut sentences in every language measured).
    unterminated_words: int | None = 15
    # A sentence that opens with a quote ("“…,” said X.") repeats the Key quotes field.
    opening_quote_share: float = 0.1


DEFAULT_CONFIG = BriefingConfig()

# Sentences past the first 60 paragraphs never made a briefing on the benchmark; scoring them
# only costs time on live blogs and hostile pages.
BRIEFING_PARAGRAPHS = 60
QUOTE_SHARE = 0.5  # "mostly a quote": more than half the sentence's characters are quoted
MIN_WORDS = 6
FIT_SHARE_INVERSE = 3  # the lists fit when at least a third of the sentences use them
MIN_CHARS = 30
# A long line without final punctuation is a sentence only among bullet summaries at the top
# (`_summary_bullets`); elsewhere, in every language measured, it was a heading, a standfirst
# cut short, a slogan or a link.
UNTERMINATED_PARAGRAPHS = 5
# Chinese says in 15 characters what takes 30 in a Latin script (a character is about a word).
MIN_CJK_CHARS = 15
# A headline this short may be a phrase the story repeats in a sentence of its own.
GLUED_HEADLINE_WORDS = 5
# A caption and its credit, which the splitter may cut at an abbreviation ("(© fot. Archiwum)").
CAPTION_SENTENCES = 3

_TERMINAL = re.compile(r"[.!?…。！？][\"'”“’‘»«)\]」』）]*(?:\s*»)?$")
_FINAL = tuple(".!?…。！？")  # text ending in one of these needs no `_TERMINAL` scan


def _terminated(text: str) -> bool:
    """Does `text` end with final punctuation (`_TERMINAL`)? The common case is settled by
    `endswith`, since the pattern's search tries every position of the text."""
    return text.endswith(_FINAL) or _TERMINAL.search(text) is not None


_BOILERPLATE = re.compile(
    r"""^\W*(?:read\ (?:more|also|next)|related\b[^.!?]{0,20}:|see\ also|more\ on\ this
    |share\ (?:this|on)|click\ here|sign\ up|subscribe\b|follow\ (?:us|@)|advertisement
    |download\ (?:our|the)|copyright|all\ rights\ reserved|scroll\ down|newsletter\b
    |(?:photo|image|picture|video|watch|listen|credit)s?\s*:
    |lesen\ sie\ (?:auch|mehr)|mehr\ zum\ thema|lire\ aussi|à\ lire\ aussi|lee\ también
    |leer\ más)""",
    re.IGNORECASE | re.VERBOSE,
)
# "By Dana Whitfield, Staff Reporter" but not "By Tuesday the council had voted."
_BYLINE_NAMES = r"[A-ZÀ-ÖØ-Þ][\w.'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w.'’-]*){0,3}\s*(?:[,|–—-]|and\b|$)"


@cache
def _byline() -> re.Pattern[str]:
    """A line opening with "By"/"Von"/"Par"/… (every language's byline word) and a name."""
    by = sorted({w for lang in languages() for w in lang.byline_by}, key=lambda w: (-len(w), w))
    return re.compile(rf"^(?i:{'|'.join(map(re.escape, by))})\s+{_BYLINE_NAMES}")


# An embedded post as pages print it without its script: "… — Name (@handle) May 2, 2026".
# Its sentences are the poster's, not the article's ("Please stay away from the harbour.").
_EMBEDDED_POST = re.compile(
    r"[—–-]\s*[^—–\n]{0,80}\(@\w{1,30}\)\s*"
    r"(?:[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+\.? \d{4})\W*$"
)
# Page furniture that no sentence of a story holds: a machine date-time stamp ("2030-01-17
# 17:59:46", "24.11.30 14:33", "[11:48/08.12.2030]", "25/03, 09:50") or a clock time opening
# the line ("09:29 Mon Headline?"), cells joined by a bar, a headline glued to its teaser ("Star
# fringes!Fringes are back", "Hollywood haircutsStars of film…": lower-case letters, then a
# capital), a contact label ("E-mail: desk (at) site").
_DATE = r"\d{1,4}[-./]\d{1,2}[-./]\d{2,4}"
_STAMP = re.compile(
    rf"\d[-./]\d{{1,2}}[-./]\d{{2,4}}[\sT,/]{{1,3}}\d{{1,2}}:\d{{2}}|\d:\d{{2}}\s?/\s?{_DATE}"
    r"|\d[./]\d{1,2},\s*\d{1,2}:\d{2}"  # "25/03, 09:50": day and month, then the time
)
_CLOCK_FIRST = re.compile(r"\W*\d{1,2}:\d{2}\s")
_CONTACT = re.compile(r"\b(?:e-?mail|факс|fax)\s?:", re.IGNORECASE)
_LOWER = "a-ząćęłńóśźżа-яёα-ωάέήίόύώϊϋΐΰ"
_UPPER = "A-ZĄĆĘŁŃÓŚŹŻА-ЯЁΑ-ΩΆΈΉΊΌΎΏ"
# A dateline printed with its place and the clock: "05.01.2030, Tiraspol 00:16:06 The bus…".
_PLACED_STAMP = re.compile(
    rf"{_DATE},\s*[{_UPPER}][^\W\d_]*(?:[\s-][{_UPPER}][^\W\d_]*)?\s+\d{{1,2}}:\d{{2}}"
)
# The page's date line opening the sentence: day, month, year and the weekday in brackets
# ("6 January 2030 (Friday) Headline First sentence…").
_DATE_LINE = re.compile(r"\d{1,2}\s+[^\W\d_]+\s+\d{4}\s*\([^\W\d_]+\)")
_GLUED = re.compile(rf"\w[!?][{_UPPER}]")
# Six lower-case letters before the capital: brands glue shorter words (WhatsApp, BlackRock,
# LinkedIn, PowerPoint); a teaser glued to its headline ends in a whole word ("Hollywood").
_CAMEL = re.compile(rf"[{_LOWER}]{{6}}[{_UPPER}][{_LOWER}]")
_CAMEL_MARKS = b"llllllUl"  # `_CAMEL` in `case_marks`


def _furniture(text: str) -> bool:
    """One of the marks above (each regex behind a cheap test: this runs on every sentence).
    A glued headline (`_GLUED`, `_CAMEL`) is looked for once per paragraph, by `_not_story`,
    which drops every sentence of such a paragraph before this runs."""
    if ":" in text and (
        _STAMP.search(text)
        or _CLOCK_FIRST.match(text)
        or _CONTACT.search(text)
        or _PLACED_STAMP.search(text)
    ):
        return True
    if text[:1].isdigit() and _DATE_LINE.match(text):
        return True
    return " | " in text


def _glued(paragraph: str) -> bool:
    """A headline glued to its teaser somewhere in the paragraph. Searched in the paragraph
    whole, not sentence by sentence: neither pattern spans a space or a sentence end, so a
    match in the paragraph is a match in one of its sentences, and one scan costs less.
    `_CAMEL` is a substring search in the case marks of a paragraph with an ASCII twin (whose
    letters are all ASCII, where its classes are [a-z] and [A-Z]): a fifth of the regex's cost."""
    if ("!" in paragraph or "?" in paragraph) and _GLUED.search(paragraph):
        return True
    twin = ascii_twin(paragraph)
    if twin is not None:
        return _CAMEL_MARKS in case_marks(twin)
    return _CAMEL.search(paragraph) is not None


# How a headline of another story, a promotion or a reader prompt ends when it stands alone
# ("Send us your photos!", "Vaccine party: a good idea?"); a story's paragraph goes on.
_CALLS = ("!", "?", "！", "？")
_CREDIT = re.compile(r"©|\b(?:getty images|reuters|afp|ap photo|shutterstock)\b|/\s?ap\b", re.I)
# What `_CREDIT` needs in an ASCII text (where lower() is exactly its case folding): checked
# first with `in`, since scanning a sentence with the pattern costs ~6 µs and nearly every
# sentence has none of them.
_CREDIT_WORDS = ("/", "getty images", "reuters", "afp", "ap photo", "shutterstock")


def _credit(text: str, twin: str | None = None) -> bool:
    """A photo or agency credit (`_CREDIT`). `twin`: the text's `ascii_twin`, when known; it
    takes the shortcut too, since its letters are all ASCII and where the text has them (a
    character that is neither ASCII nor a letter matches no letter of the pattern, even
    ignoring case), all but "©", which the twin has lost."""
    plain = text if text.isascii() else twin
    if plain is not None and "©" not in text:
        low = plain.lower()
        for word in _CREDIT_WORDS:
            if word in low:
                break
        else:
            return False
    return _CREDIT.search(text) is not None


_OPENING = "“„«»‘‚\"'"
_PAIRS = {"“": "”", "„": "“”", "«": "»", "»": "«", "‘": "’", "‚": "‘’", '"': '"', "'": "'"}
_MARK = re.compile("[“”„«»‘’‚\"']")
# After a closing single mark whose opener is missing: an attribution ("' she said", "' he told").
_LOST_OPENER_TAIL = re.compile(r"\s+[a-z]")
_LEADING = _OPENING + "([【〔「『—–- \u00a0\u202f"
# More capitalised words than this share makes a line a heading or title; long lines may carry
# more names (and German capitalises every noun).
TITLE_CASE_SHARE = (0.6, 0.75)  # (under 10 words, 10 words and more)


@dataclass(slots=True)
class _Sentence:
    text: str
    paragraph: int
    index: int  # position in the article, counting every sentence
    quoted: float = 0.0  # share of characters inside quotation marks
    leans: bool = False  # opens with "He", "But", "This": needs the sentence before it
    vector: dict[str, float] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)  # `bot.text.terms`, cut once (`_cut`)
    lower: list[str] = field(default_factory=list)  # its words, lower-cased (often `terms`)
    twin: str | None = None  # `ascii_twin(text)`
    score: float = 0.0


def make_briefing(
    paragraphs: list[str],
    quotes: list[Quote],
    *,
    max_chars: int = 600,
    language: str | None = None,
    headline: str | None = None,
) -> list[str]:
    """Pick 3-5 verbatim sentences (fewer if the article has fewer usable ones), ≤ `max_chars`.

    Every item is a substring of `"\\n".join(paragraphs)`. `headline`, when given, tells page
    chrome glued into a sentence (kicker, headline and date run together) from the story.
    """
    return select_sentences(paragraphs, quotes, max_chars, language, DEFAULT_CONFIG, headline)


def select_sentences(
    paragraphs: Sequence[str],
    quotes: Sequence[Quote],
    max_chars: int,
    language: str | None,
    config: BriefingConfig,
    headline: str | None = None,
) -> list[str]:
    """`make_briefing` with every ingredient switchable (for the ablation in the benchmark)."""
    window = _window(paragraphs)
    sentences = _split(window, language)
    if not sentences:
        return []
    if config.coherent:
        opener = _leaning(language)
        for s in sentences:
            s.leans = s.index > 0 and opener.match(s.text) is not None
    words = stopwords(language)
    # The "has a function word" test needs lists for the article's language: Arabic, Russian,
    # Dutch… have none here, and without this every one of their sentences would be a "label".
    function_words = words if _lists_fit(sentences, words) else frozenset()
    parts = _quote_parts(quotes)
    bullets = _summary_bullets(window[:UNTERMINATED_PARAGRAPHS], language, config)
    seen: set[str] = set()
    usable = []
    glued = _glued_headline(headline) if config.filters else None
    notice = _notice(language) if config.filters else None
    listed = _not_story(window, sentences) if config.filters else set()
    for s in sentences:  # a repeated sentence (headline echoed, caption) counts once
        whole = s.paragraph in bullets
        if s.paragraph in listed or (glued is not None and glued(s.text)):
            continue
        if notice is not None and len(s.text) < len(window[s.paragraph]) and notice(s.text):
            continue  # a notice among others in one long paragraph (the cleaner saw it whole)
        if s.text not in seen and _usable(s, parts, function_words, max_chars, config, whole):
            usable.append(s)
            seen.add(s.text)
    if not usable:
        return []
    _score(sentences, usable, words, config)
    chosen = _choose(usable, max_chars, config)
    if config.article_order:
        chosen.sort(key=lambda s: s.index)
    return [s.text for s in chosen]


@cache
def _leaning(language: str | None) -> re.Pattern[str]:
    """Matches a sentence that opens with a word leaning on the sentence before it, from the
    language's `leaning.txt` (every language's when it has none). Whole words, except for
    Chinese entries, which match whatever follows them (no spaces between words)."""
    own = language_info(language)
    langs = [own] if own is not None and own.leaning else list(languages())
    entries = sorted({e for lang in langs for e in lang.leaning}, key=lambda e: (-len(e), e))
    spaced = [e for e in entries if not has_cjk(e)]
    unspaced = [e for e in entries if has_cjk(e)]
    parts = []
    if spaced:
        parts.append(rf"{_trie(spaced)}(?!\w)")
    if unspaced:
        parts.append(_trie(unspaced))
    return re.compile(f"(?i:{'|'.join(parts) or '(?!)'})")


def _trie(entries: list[str]) -> str:
    """An alternation of `entries` with common prefixes shared ("th(?:e|is)"): it matches
    where the flat one does, but tries each letter once instead of once per entry (4.8 → 1.1 µs
    a sentence with every language's list: this runs on every sentence)."""
    branches: dict[str, list[str]] = {}
    for entry in entries:
        if entry:
            branches.setdefault(entry[0], []).append(entry[1:])
    alternatives = [re.escape(first) + _trie(rests) for first, rests in branches.items()]
    if "" in entries:
        alternatives.append("")  # an entry ends here (tried last: the longer ones first)
    if len(alternatives) == 1:
        return alternatives[0]
    return f"(?:{'|'.join(alternatives)})"


def _summary_bullets(
    paragraphs: Sequence[str], language: str | None, config: BriefingConfig
) -> set[int]:
    """Paragraphs at the top that count as sentences without final punctuation, in languages
    whose copy prints summary lines that way (`unpunctuated_summaries`, English: on
    summaries-cnndm they are worth 0.6 R-1). In the Chinese, Russian, Polish and Greek pages
    measured, such lines were headings, standfirsts and slogans: never an item there."""
    lang = language_info(language or BASE_LANGUAGE)
    if config.unterminated_words is None or lang is None or not lang.unpunctuated_summaries:
        return set()
    return {
        i
        for i, p in enumerate(paragraphs)
        if not _terminated(p.strip())
        and not has_cjk(p)
        and len(words_of(p)) >= config.unterminated_words
    }


def _glued_headline(headline: str | None) -> Callable[[str], bool] | None:
    """A test for a sentence that holds the headline and more: a section name, the headline
    and a date run together with the story's first words ("Health Lipetsk starts an AIDS
    month (photo) 25 November 16:27 Health The month…"), as pages without paragraph
    markup print them. The story repeats its headline word for word only in such chrome."""
    if not headline:
        return None
    key = " ".join(headline.split())
    if word_count(key) < GLUED_HEADLINE_WORDS:
        return None
    return lambda text: key in " ".join(text.split()) and len(text) > len(key) + 1


@cache
def _notice(language: str | None) -> Callable[[str], bool] | None:
    """A test for a sentence that is, by itself, one of the language's boilerplate lines
    (data/languages/<code>/boilerplate.txt: "При использовании материалов ссылка на … обязательна",
    "Wszelkie prawa zastrzeżone"). The cleaner drops such lines when they are a paragraph; a
    site footer prints address, phone and notices as one. English's lists stay with the
    cleaner: its copy keeps footers apart, and every sentence here costs time."""
    own = language_info(language)
    if own is None or own.code == BASE_LANGUAGE or not own.boilerplate:
        return None
    fullmatch = boilerplate_pattern((own.code,)).fullmatch
    return lambda text: fullmatch(" ".join(text.split())) is not None


def _not_story(paragraphs: Sequence[str], sentences: list[_Sentence]) -> set[int]:
    """Paragraphs none of whose sentences is the story's, whatever each looks like alone:
    - a feed: two or more machine date-time stamps ("2030-01-17 18:00 Headline. 2030-01-17
      17:59 Headline.");
    - a teaser card: a headline glued to its teaser anywhere in it ("Star fringesSome women
      are lucky with their hair. Others… more");
    - a call: every sentence exclaims or asks ("Send us your photos! The best we publish!",
      "Vaccine party: a good idea?") — a promotion, a prompt, another story's headline;
    - a caption: a few sentences, one of them a photo credit ("… (© photo: Archive)").
    """
    by_paragraph: dict[int, list[str]] = {}
    for s in sentences:
        by_paragraph.setdefault(s.paragraph, []).append(s.text)
    out = set()
    for i, texts in by_paragraph.items():
        paragraph = paragraphs[i]
        if (
            all(t.endswith(_CALLS) for t in texts)
            or (len(texts) <= CAPTION_SENTENCES and any(map(_credit, texts)))
            or _glued(paragraph)
            or (":" in paragraph and len(_STAMP.findall(paragraph)) >= 2)  # a stamp has "12:30"
        ):
            out.add(i)
    return out


def _window(paragraphs: Sequence[str]) -> Sequence[str]:
    """The `BRIEFING_PARAGRAPHS` paragraphs from the first that can hold a sentence: a portal
    prints its menus as hundreds of one-word lines above the story (200 on one Chinese page),
    which would otherwise use up the window before the article begins."""
    start = next((i for i, p in enumerate(paragraphs) if len(p) >= MIN_CJK_CHARS), 0)
    return paragraphs[start : start + BRIEFING_PARAGRAPHS]


def _lists_fit(sentences: list[_Sentence], words: frozenset[str]) -> bool:
    """Do our function-word lists cover this article's language? In a language they cover,
    nearly every sentence has one; in another, next to none (a stray "de" or "a" aside)."""
    hits = sum(1 for s in sentences if not words.isdisjoint(s.lower))
    return hits * FIT_SHARE_INVERSE >= len(sentences)


def _split(paragraphs: Sequence[str], language: str | None) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    carry = 0  # paragraphs a quotation has stayed open across
    open_quote: str | None = None
    for p, paragraph in enumerate(paragraphs):
        if not paragraph.strip():
            continue
        if open_quote is not None and (carry >= 3 or paragraph.lstrip()[:1] in _OPENING):
            open_quote = None
        spans, open_quote = _quote_spans(paragraph, open_quote)
        if "(@" in paragraph and _EMBEDDED_POST.search(paragraph):
            spans = [(0, len(paragraph))]  # someone else's words, like a quote
        carry = carry + 1 if open_quote is not None else 0
        whole = ascii_twin(paragraph)  # its slices are the sentences' twins
        for start, end in sentence_spans(paragraph, language):
            text = paragraph[start:end]
            quoted = 0.0
            if spans:
                inside = sum(max(0, min(end, e) - max(start, b)) for b, e in spans)
                quoted = inside / max(len(text), 1)
            twin = whole[start:end] if whole is not None else ascii_twin(text)
            found, lower = _cut(text, twin)
            index = len(sentences)
            sentence = _Sentence(text, p, index, quoted, terms=found, lower=lower, twin=twin)
            sentences.append(sentence)
    return sentences


def _cut(text: str, twin: str | None) -> tuple[list[str], list[str]]:
    """The sentence's terms (what `_score` weighs) and its lower-cased words (what the
    function-word and length tests count), from one tokenisation where they are the same list.

    They are the same list for a text with an ASCII twin (`ascii_twin`: the same runs of
    letters, cut on the bytes path), and for any other text without CJK, "İ" or "Σ":
    lower-casing then maps each character on its own to one character that is a letter exactly
    when the original is (checked over every code point in the tests), so the runs of letters
    of the lower-cased text are the lower-cased runs. "İ" lower-cases to two characters, the
    second no letter; "Σ" becomes σ or ς depending on its neighbours; CJK runs are cut into
    pairs.
    """
    if twin is not None:
        found = terms(twin)
        return found, found
    found = terms(text)
    if "İ" not in text and "Σ" not in text and not has_cjk(text):
        return found, found
    return found, [w.lower() for w in words_of(text)]


def _quote_spans(
    paragraph: str, open_quote: str | None
) -> tuple[list[tuple[int, int]], str | None]:
    """The character spans of `paragraph` that sit inside quotation marks.

    `open_quote` is the mark a quotation opened with in an earlier paragraph and never closed
    (a quote running over several lines); the returned one is still open at the end.
    Apostrophes inside words (I’d, don't) are not quotation marks. A closing ” with no opening
    mark before it (lost in extraction) marks everything before it as quoted.

    Why not the quotes step's scanner (`bot.text.scan_spans`): that one pairs only marks it is
    sure of, since what it pairs is lifted out as a quote; this one leans the other way (any
    mark that may open a quote counts, straight '…' and ''…'' included), since here a missed
    quote puts quoted words in the briefing. Measured on the shared scanner: R-1/R-2/R-Lsum
    41.68/18.66/37.92 → 41.52/18.55/37.76 on summaries-cnndm, and quote-led items
    (`''…,'' Mr. Brown said.`) in 48 quotes-polnear briefings.
    """
    n = len(paragraph)
    spans: list[tuple[int, int]] = []
    start = 0 if open_quote is not None else -1
    # "»Home »News »Business": several » and never a «: arrows of a breadcrumb, not quotes
    # (left open, one would mark the whole article after it as quoted).
    arrows = "«" not in paragraph and paragraph.count("»") > 1
    for match in _MARK.finditer(paragraph):
        i = match.start()
        ch = paragraph[i]
        if arrows and ch == "»":
            continue
        prev = paragraph[i - 1] if i else " "
        nxt = paragraph[i + 1] if i + 1 < n else " "
        if open_quote is not None:
            if ch in _PAIRS[open_quote] and not (ch in "'’" and nxt.isalnum()):
                spans.append((start, i + 1))
                open_quote, start = None, -1
            continue
        if ch == "”" or (
            ch in "'’" and prev in ",.!?" and _LOST_OPENER_TAIL.match(paragraph, i + 1)
        ):
            # The opening mark was lost (or is on a line before): "…less severe,' she said."
            spans.append((spans[-1][1] if spans else 0, i + 1))
            continue
        if ch == "’" or (ch in "'‘‚" and (prev.isalnum() or not nxt.isalnum())):
            continue  # an apostrophe or a stray mark
        if ch == "»" and nxt.isspace():
            continue  # a French closing guillemet without its opening one
        open_quote, start = ch, i
    if open_quote is not None and start >= 0:
        spans.append((start, n))
    return spans, open_quote


def _usable(
    s: _Sentence,
    quote_parts: list[str],
    words: frozenset[str],
    max_chars: int,
    config: BriefingConfig,
    unterminated_ok: bool = False,
) -> bool:
    text = s.text
    if len(text) > max_chars:
        return False
    if config.filters and not _looks_like_a_sentence(s, words, config, unterminated_ok):
        return False
    if not config.quote_filter:
        return True
    share = _quote_share(s, quote_parts)
    if share > QUOTE_SHARE:
        return False
    opens_with_quote = text.lstrip()[:1] in _OPENING
    return not (opens_with_quote and share > config.opening_quote_share)


def _looks_like_a_sentence(
    s: _Sentence, words: frozenset[str], config: BriefingConfig, unterminated_ok: bool = False
) -> bool:
    """The light defensive filter against page furniture and fragments."""
    text, lower = s.text, s.lower
    cjk = s.twin is None and has_cjk(text)  # a twin has no letter outside ASCII
    if len(text) < (MIN_CJK_CHARS if cjk else MIN_CHARS):
        return False
    if text[:1] in "—–" or text.startswith("- "):
        return False  # speech introduced by a dash (a quote), or an item of a list of links
    first = text.lstrip(_LEADING)[:1]
    if not first or first.islower() or not (first.isalnum() or first in "$£€¥"):
        return False  # a dangling continuation ("and the council said ...")
    length = word_count(text) if cjk else len(lower)  # a CJK character counts as a word
    if length < MIN_WORDS:
        return False
    if not (unterminated_ok or _terminated(text)):
        return False  # headings, short captions, cut-off lines, slogans, related links
    if text.rstrip().endswith((":", "：")):
        return False  # the lead-in to a list or a quote, which it needs to make sense
    if _BOILERPLATE.search(text) or _credit(text, s.twin) or _byline().search(text):
        return False
    if _furniture(text):
        return False
    if words and words.isdisjoint(lower):
        return False  # no function word at all: a label, not a sentence
    share = TITLE_CASE_SHARE[len(lower) >= 10]
    return _capitalised(s) <= share * len(lower)  # Title Case Lines Are Headings


def _capitalised(s: _Sentence) -> int:
    """How many of the sentence's words (`bot.text.words`) begin with a capital letter."""
    if s.twin is not None:
        return capitalised_words(s.twin)
    return sum(map(str.isupper, map(itemgetter(0), words_of(s.text))))


def _quote_parts(quotes: Sequence[Quote]) -> list[str]:
    """The pieces of each quote as printed (the quotes step joins them with " … ")."""
    parts = (part.strip() for quote in quotes for part in quote.text.split(" … "))
    return [part for part in parts if len(part) >= 12]


def _quote_share(s: _Sentence, quote_parts: list[str]) -> float:
    """How much of the sentence is quoted: by its marks, or by the quotes step's findings."""
    share = s.quoted
    if quote_parts and share <= QUOTE_SHARE:
        text = s.text
        bare = text.strip(_OPENING + "”’.,") if len(text) >= 12 else None
        covered = 0
        for part in quote_parts:
            if part in text:
                covered += len(part)
            elif bare and bare in part:
                return 1.0
        share = max(share, covered / max(len(text), 1))
    return share


class _TermKeys(dict[str, str]):
    """Each term's key in the TF-IDF vectors: the term lightly stemmed, or "" for a term left
    out (a function word or a single letter). A dict filled on first sight of a term, so the
    vectors of a sentence cost one lookup per term (news vocabulary repeats from article to
    article); emptied when it grows past `TERM_KEYS`, so a stream of odd pages cannot grow it
    without bound."""

    def __init__(self, stop: frozenset[str]) -> None:
        super().__init__()
        self.stop = stop

    def __missing__(self, term: str) -> str:
        if len(self) >= TERM_KEYS:
            self.clear()
        key = self[term] = _stem(term) if len(term) > 1 and term not in self.stop else ""
        return key


TERM_KEYS = 1 << 16


@lru_cache(maxsize=64)
def _term_keys(stop: frozenset[str]) -> _TermKeys:
    return _TermKeys(stop)


def _stem(token: str) -> str:
    """A light suffix strip, enough for the overlap scores (not a real stemmer)."""
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _score(
    sentences: list[_Sentence],
    usable: list[_Sentence],
    words: frozenset[str],
    config: BriefingConfig,
) -> None:
    """Fill `vector` and `score` for the usable sentences (every sentence counts in the
    document frequencies and the centroid).

    The article is weighed in one stream of all its sentences' terms rather than sentence by
    sentence: the arithmetic runs through `map` over the stream (no Python frame per term, a
    handful of calls per article rather than per sentence), in the order and with the
    operations a plain loop over sentences and terms would use, so every float is the same
    (`tests/briefing/test_scoring.py` holds that loop).
    """
    keys = _term_keys(words).__getitem__
    counts = [Counter(filter(None, map(keys, s.terms))) for s in sentences]
    df = Counter(chain.from_iterable(counts))
    n = len(sentences)
    # idf depends on a term's document frequency alone: one value per frequency, not per term.
    idf = [math.log((n + 1) / (d + 1)) + 1.0 for d in range(n + 1)]
    term_idf = {t: idf[d] for t, d in df.items()}
    stream = list(chain.from_iterable(counts))  # every sentence's distinct terms, in order
    sizes = list(map(len, counts))
    ends = list(accumulate(sizes))
    tf = chain.from_iterable(found.values() for found in counts)
    weights = list(map(mul, tf, map(term_idf.__getitem__, stream)))
    squares = list(map(mul, weights, weights))
    norms = [math.sqrt(sum(squares[e - k : e])) or 1.0 for e, k in zip(ends, sizes, strict=True)]
    unit = list(map(truediv, weights, chain.from_iterable(map(repeat, norms, sizes))))
    # The centroid sums the unit vectors in article order. `dict.update` takes the stream's
    # pairs one at a time, so each `centroid.get` already sees the sums of the sentences
    # before: the same additions, in the same order, as a loop over sentences.
    centroid: dict[str, float] = {}
    centroid.update(
        zip(stream, map(add, map(centroid.get, stream, repeat(0.0)), unit), strict=True)
    )
    # The sentence stays in the centroid: leaving it out measured 1.2 R-1 worse, because the
    # self term rewards sentences dense in the article's content words.
    values = centroid.values()
    cnorm = math.sqrt(sum(map(mul, values, values))) or 1.0
    central = []
    for s in usable:
        end = ends[s.index]
        terms_of, vector = stream[end - sizes[s.index] : end], unit[end - sizes[s.index] : end]
        s.vector = dict(zip(terms_of, vector, strict=True))
        # `_dot(s.vector, centroid)`: the sentence's terms are among the centroid's.
        central.append(sum(map(mul, vector, map(centroid.__getitem__, terms_of))) / cnorm)
    top = max(central) or 1.0
    w = config.position_weight if config.centrality else 1.0
    for s, c in zip(usable, central, strict=True):
        prior = 1.0 / (1.0 + s.index) ** config.prior_exponent
        s.score = (1.0 - w) * (c / top if config.centrality else 0.0) + w * prior


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    # The same sum in the same order as `sum(v * b.get(t, 0.0) ...)`, without a Python frame
    # per term.
    total: float = sum(map(mul, a.values(), map(b.get, a.keys(), repeat(0.0))))
    return total


def _choose(usable: list[_Sentence], max_chars: int, config: BriefingConfig) -> list[_Sentence]:
    """Greedy MMR under the character budget (one newline counted between items).

    While the briefing is still short of `min_sentences`, a candidate must leave room for the
    shortest remaining ones, so one long sentence cannot crowd out the third item.
    """
    chosen: list[_Sentence] = []
    total = 0
    pool = list(usable)
    redundancy = [0.0] * len(pool)  # max similarity of each pool sentence to the chosen ones
    if config.lede_first:
        # The lede: the first usable sentence that does not lean on one left out.
        first = next((i for i, s in enumerate(pool) if not s.leans), 0)
        _take(pool, redundancy, first, chosen)
        total = len(chosen[0].text)
    while pool and len(chosen) < config.max_sentences:
        if len(chosen) >= config.min_sentences and total >= config.fill_chars:
            break
        room = max_chars - total - len(chosen)  # the newlines between items count too
        still_needed = max(config.min_sentences - len(chosen) - 1, 0)
        taken = {s.index for s in chosen}
        slots = config.max_sentences - len(chosen)
        best = _best(pool, redundancy, taken, room, still_needed, slots, config)
        if best is None and still_needed:
            best = _best(pool, redundancy, taken, room, 0, slots, config)
        if best is None:
            break
        picked = pool[best]
        if picked.leans and picked.index - 1 not in taken:
            # It comes with the sentence it leans on (`_best` made sure that one fits).
            before = next(j for j, s in enumerate(pool) if s.index == picked.index - 1)
            _take(pool, redundancy, before, chosen)
            total += len(chosen[-1].text)
            best = pool.index(picked)
        _take(pool, redundancy, best, chosen)
        total += len(chosen[-1].text)
    return chosen


def _take(pool: list[_Sentence], redundancy: list[float], i: int, chosen: list[_Sentence]) -> None:
    picked = pool.pop(i)
    del redundancy[i]
    chosen.append(picked)
    for j, s in enumerate(pool):
        redundancy[j] = max(redundancy[j], _dot(s.vector, picked.vector))


def _reserves(pool: list[_Sentence], still_needed: int, room: int) -> list[int]:
    """For each candidate, the room the `still_needed` shortest other sentences take (a newline
    each), or more than `room` when there are not that many others.

    The shortest others of a candidate are the `still_needed` shortest sentences, or, for one
    of those, the others and the next shortest: one sort, then one pass, not a pass per
    candidate.
    """
    if not still_needed:
        return [0] * len(pool)
    lengths = sorted((len(s.text) + 1, j) for j, s in enumerate(pool))
    shortest = lengths[:still_needed]
    total = sum(n for n, _ in shortest)
    reserve = [total if len(shortest) == still_needed else room + 1] * len(pool)
    after = lengths[still_needed][0] if len(lengths) > still_needed else None
    for n, j in shortest:
        reserve[j] = room + 1 if after is None else total - n + after
    return reserve


def _best(
    pool: list[_Sentence],
    redundancy: list[float],
    taken: set[int],
    room: int,
    still_needed: int,
    slots: int,
    config: BriefingConfig,
) -> int | None:
    """Index of the best MMR candidate that fits `room` and leaves room for `still_needed`.

    A sentence that leans on the one before it (`taken`: the chosen sentences' positions in
    the article) is a candidate when that one is taken, or when that one is usable too and
    both fit (`slots` items left): the caller then takes the two together.
    """
    any_chosen = bool(taken)
    position = {s.index: j for j, s in enumerate(pool)}
    reserve = _reserves(pool, still_needed, room)
    lam = config.mmr_lambda
    best, best_value = None, -math.inf

    def worth(j: int) -> float:
        if any_chosen and lam < 1.0:
            return lam * pool[j].score - (1.0 - lam) * redundancy[j]
        return pool[j].score

    for j, s in enumerate(pool):
        size = len(s.text)
        value = worth(j)
        if s.leans and s.index - 1 not in taken:
            before = position.get(s.index - 1)
            if before is None or slots < 2:
                continue
            pred = pool[before]
            if pred.leans and pred.index - 1 not in taken:
                continue  # a chain of three: not worth two items
            size += len(pred.text) + 1
            # the pair is worth what its two are worth, each against what is chosen (and the
            # one before against the one it brings: a near-repeat of it is no gain)
            value = (value + worth(before)) / 2
        if size + reserve[j] > room:
            continue
        if value > best_value:
            best, best_value = j, value
    return best
