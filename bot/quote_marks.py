"""Pairing quote marks in one paragraph of news text.

Why a scanner and not a regex: straight quotes must be told apart from apostrophes by context,
German „…“ closes with “, French and German guillemets point either way, a quote can run to the
end of its paragraph (and continue in the next), and an opener lost in extraction leaves a lone
closing mark. Nested single quotes stay inside their double-quoted span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_MARKS = '"“”„«»‟〝〞＂'
ALL_MARKS = DOUBLE_MARKS + "‘’"
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class Span:
    """Quoted text in one paragraph: content [start, end), marks at [open_at, close_at)."""

    start: int
    end: int
    open_at: int
    close_at: int
    opened: bool = True
    closed: bool = True


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def scan_spans(text: str) -> list[Span]:
    """Pair the quote marks of one paragraph (markup already blanked) into spans, in order."""
    spans: list[Span] = []
    opener = ""
    open_at = -1
    floor = 0  # where a quote with a lost opener can start
    n = len(text)
    for i, ch in enumerate(text):
        if ch not in DOUBLE_MARKS:
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        left_open = prev.isspace() or prev in "([{—–-/:;"
        right_open = _is_word(nxt) or nxt in "‘'.…$([#@"
        if not opener:
            if ch in "”»" and not (left_open and right_open):
                # a closer with no opener: the opener was lost, the quote starts at the floor
                if i - floor > 0 and _WORD.search(text, floor, i):
                    spans.append(Span(floor, i, floor, i + 1, opened=False))
                floor = i + 1
                continue
            if ch == '"' and not left_open and not right_open:
                if i - floor > 0 and _WORD.search(text, floor, i):
                    spans.append(Span(floor, i, floor, i + 1, opened=False))
                floor = i + 1
                continue
            if ch == "«" and not right_open and nxt != " ":
                continue
            opener, open_at = ch, i
            continue
        # inside a quote: does this mark close it?
        closes = False
        if opener == "„":
            closes = ch in '“”"'
        elif opener == "«":
            closes = ch == "»"
        elif opener == "»":
            closes = ch == "«"
        elif ch in "«»„":
            closes = False
        elif ch == "“" and left_open and right_open:
            # a new opener while one is open: the first quote lost its closer
            spans.append(Span(open_at + 1, i, open_at, i, closed=False))
            opener, open_at = ch, i
            continue
        else:
            closes = True
        if closes:
            spans.append(Span(open_at + 1, i, open_at, i + 1))
            opener = ""
            floor = i + 1
    if opener:
        spans.append(Span(open_at + 1, n, open_at, n, closed=False))
    return [s for s in spans if _WORD.search(text, s.start, s.end)]
