"""English briefing items that lean on a sentence the briefing left out ("dangling" items).

    python bench/score_dangling.py [--corpora PATH] [--workers N]

Issue 12: "an item that leans on the sentence before it ('He said…', 'But…', 'This…') appears
only after that sentence". Measured here, with no sentence splitter of ours involved:

- an item **leans** when its first word (taken as written: an item that opens with a quote mark
  does not lean, the quote is its own voice) is one of `LEANING` below, compared case-sensitively
  with a capital first letter: third-person pronouns and determiners that point back
  (`PRONOUNS`: He, She, It, They, His, This, These, Such, ...), connectives that continue an
  argument (`CONNECTIVES`: But, And, So, Yet, However, Also, Meanwhile, Instead, ...) and the
  multi-word ones in `PHRASES` ("In addition", "As a result", "On the other hand", ...);
- the item is **located** in the article's text (the output's `text`: the cleaned body,
  paragraphs joined by newlines), searching from just after the previous located item, then
  from the start; whitespace is compared as single spaces;
- a leaning item **dangles** when article text (other than whitespace) stands between it and
  the end of the item before it in the briefing, or it is the briefing's first item and it is not
  the article's first sentence (anything but whitespace before it). An item at the very start of
  the article, or right after the previous item, does not dangle.

dangling share = dangling items / all items of English articles. extraction-zyte is not all
English (20 of its 181 pages are Portuguese, Russian, Korean, ...): an article counts as English
when py3langid (a bench dependency, a scoring tool here) says so of its `text`. Items that
cannot be located (not verbatim in `text`) are counted apart and never dangle, nor does the item
right after one (its neighbour cannot be judged). "I", "We" and "You" are left out: outside
quotes they are rare in news copy and inside a first-person piece they do not point back.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, run_pipeline

# (folder, inputs are plain text) — the two English sets the issue names.
CORPORA = (("summaries-cnndm", True), ("extraction-zyte", False))

_PRONOUNS = "He She It They His Her Its Their Them Him This That These Those Such Both Neither"
_CONNECTIVES = (
    "But And Or So Yet However Also Still Meanwhile Instead Moreover Furthermore Nevertheless "
    "Nonetheless Therefore Thus Hence Then Later Besides Otherwise Likewise Similarly "
    "Additionally Consequently Indeed"
)
PRONOUNS = frozenset(_PRONOUNS.split())
CONNECTIVES = frozenset(_CONNECTIVES.split())
PHRASES = ("In addition", "As a result", "Even so", "On the other hand", "At the same time")
LEANING = PRONOUNS | CONNECTIVES
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"\s+")


def leans(item: str) -> bool:
    """Does the item start with a word that points back to the sentence before it?"""
    text = item.lstrip()
    if any(text.startswith(p) and not text[len(p) : len(p) + 1].isalpha() for p in PHRASES):
        return True
    word = _FIRST_WORD.match(text)
    return word is not None and word.group() in LEANING


class ItemCheck(NamedTuple):
    item: str
    leans: bool
    located: bool
    dangles: bool


def check_briefing(briefing: list[str], text: str) -> list[ItemCheck]:
    """Each item's verdict, in briefing order (see the module docstring for the rules)."""
    flat = _SPACE.sub(" ", text)
    # Where the previous item ended in `flat`: 0 before the first item (so a first item must be
    # the article's start to not dangle); None when the previous item could not be located.
    previous_end: int | None = 0
    checks = []
    for raw in briefing:
        item = _SPACE.sub(" ", raw).strip()
        if not item:
            continue
        start = flat.find(item, previous_end or 0)
        if start < 0:
            start = flat.find(item)
        leaning = leans(item)
        if start < 0:
            checks.append(ItemCheck(raw, leaning, False, False))
            previous_end = None
            continue
        if previous_end is None:
            dangles = False  # the item before is not in the text: adjacency cannot be judged
        else:
            dangles = leaning and (previous_end > start or bool(flat[previous_end:start].strip()))
        checks.append(ItemCheck(raw, leaning, True, dangles))
        previous_end = start + len(item)
    return checks


def _english() -> Callable[[str], bool]:
    try:
        import py3langid
    except ImportError:  # an old bench venv: say so in the table rather than fail
        return lambda text: True
    return lambda text: py3langid.classify(text[:3000])[0] == "en"


class Tally(NamedTuple):
    articles: int
    other_language: int  # articles left out: not English
    items: int
    leaning: int
    dangling: int
    unlocated: int
    articles_dangling: int


def tally(predictions: dict[str, dict]) -> tuple[Tally, list[tuple[str, str]]]:
    """Counts over every output line without an error; also (id, item) of each dangling item."""
    articles = items = leaning = dangling = unlocated = with_dangling = other = 0
    examples = []
    english = _english()
    for key, out in sorted(predictions.items()):
        if out.get("error"):
            continue
        if not english(out.get("text") or ""):
            other += 1
            continue
        articles += 1
        checks = check_briefing(list(out.get("briefing") or []), out.get("text") or "")
        items += len(checks)
        leaning += sum(c.leans for c in checks)
        unlocated += sum(not c.located for c in checks)
        found = [c for c in checks if c.dangles]
        dangling += len(found)
        with_dangling += bool(found)
        examples += [(key, c.item) for c in found]
    return Tally(articles, other, items, leaning, dangling, unlocated, with_dangling), examples


def report_rows(results: list[tuple[str, dict[str, dict]]], examples: int = 0) -> str:
    lines = [
        "| corpus | English articles | left out (other language) | items | leaning | **dangling** "
        "| briefings with one | unlocated |",
        "|---|---|---|---|---|---|---|---|",
    ]
    shown: list[str] = []
    for name, predictions in results:
        t, found = tally(predictions)
        share = t.dangling / t.items if t.items else 0.0
        lines.append(
            f"| {name} | {t.articles} | {t.other_language} | {t.items} | {t.leaning} "
            f"| **{share:.1%}** ({t.dangling}) "
            f"| {t.articles_dangling / max(t.articles, 1):.1%} | {t.unlocated} |"
        )
        shown += [f"- {name} `{key[:12]}`: {item[:110]}" for key, item in found[:examples]]
    lines.append("| target | | | | | ≤ 1 % | | |")
    if shown:
        lines += ["", "Examples:", *shown]
    return "\n".join(lines)


def report(predictions: dict[str, dict], corpus: Path) -> str:
    return report_rows([(corpus.name, predictions)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--examples", type=int, default=5, help="dangling items shown per corpus")
    args = parser.parse_args()
    root = corpora_path(args.corpora)
    results = []
    for name, as_text in CORPORA:
        paths = sorted((root / name).glob("text/*.txt" if as_text else "html/*.html"))
        results.append((name, run_pipeline(paths, as_text=as_text, workers=args.workers)))
    print(report_rows(results, args.examples))


if __name__ == "__main__":
    main()
