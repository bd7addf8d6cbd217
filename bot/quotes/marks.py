"""Pairing quote marks in one paragraph of news text.

Why a scanner and not a regex: straight quotes must be told apart from apostrophes by context,
German „…“ closes with “, French and German guillemets point either way, a quote can run to the
end of its paragraph (and continue in the next), and an opener lost in extraction leaves a lone
closing mark. Nested quotes (single, or a double inside a double) stay inside their span; British
top-level ‘…’ quotes are paired only in paragraphs without double marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import has_token

DOUBLE_MARKS = '"“”„«»‟〝〞＂'
ALL_MARKS = DOUBLE_MARKS + "‘’"
_CURLY_OR_STRAIGHT = re.compile('[“”"]')
_DOUBLE = re.compile("[" + re.escape(DOUBLE_MARKS) + "]")


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


def _nested_ahead(text: str, i: int, opener: str) -> str:
    """Inside an open quote, does the opening-looking mark at `i` start a quote *within* it?

    Returns the mark that will close the inner quote, or "" when the mark at `i` means the outer
    quote lost its closer. Unambiguous cases only: a curly inner pair followed by the outer
    closer (“A “B” C”), a curly pair inside a straight quote, or a straight pair inside a curly one.
    """
    ch = text[i]
    marks = [(m.start(), m.group()) for m in _CURLY_OR_STRAIGHT.finditer(text, i + 1)]
    if opener == '"' and ch == "“":
        return "”" if marks and marks[0][1] == "”" else ""
    if opener == "“" and ch == '"':
        return '"' if len(marks) >= 2 and marks[0][1] == '"' and marks[1][1] == "”" else ""
    if opener == "“" and ch == "“":
        return "”" if len(marks) >= 2 and marks[0][1] == "”" and marks[1][1] == "”" else ""
    return ""


def scan_spans(text: str) -> list[Span]:
    """Pair the quote marks of one paragraph (markup already blanked) into spans, in order.

    Single marks only quote at the top level when the paragraph has no double marks at all
    (British style); otherwise they are nested quotes or apostrophes, left inside their span."""
    if not _DOUBLE.search(text):
        return _scan_singles(text) if "‘" in text else []
    spans: list[Span] = []
    opener = ""
    inner = ""  # the mark that closes a quote nested inside the open one
    open_at = -1
    floor = 0  # where a quote with a lost opener can start
    n = len(text)
    for found in _DOUBLE.finditer(text):  # only the marks matter; skip the prose between
        i, ch = found.start(), found.group()
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        left_open = prev.isspace() or prev in "([{—–-/:;"
        right_open = _is_word(nxt) or nxt in "‘'.…$([#@"
        if inner:
            if ch == inner:
                inner = ""
            continue
        if opener in '"“' and ch in '"“' and left_open and right_open:
            inner = _nested_ahead(text, i, opener)
            if inner:
                continue
        if not opener:
            if ch in "”»" and not (left_open and right_open):
                # a closer with no opener: the opener was lost, the quote starts at the floor
                if i - floor > 0 and has_token(text, floor, i):
                    spans.append(Span(floor, i, floor, i + 1, opened=False))
                floor = i + 1
                continue
            if ch == '"' and not left_open and not right_open:
                # a lone straight closer is mostly the end of an excerpt's wrapper (`"` opening
                # its first paragraph, closing its last), not a quote that lost its opener
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
    return [s for s in spans if has_token(text, s.start, s.end)]


_SINGLE_OPEN = re.compile(r"(?<![\w’'])‘(?=[^\W\d]|\d(?!\ds\b|\d\b))")


def _scan_singles(text: str) -> list[Span]:
    """British-style top-level ‘…’ quotes, paired only when unambiguous.

    An opener is ‘ at the start of a word (not ‘90s); its closer is the first ’ that ends a word
    and is not a plural possessive (`the voters’ anger`) unless nothing else closes it. A ‘ left
    open only counts when it opens the paragraph (a quote running on to the next one)."""
    spans: list[Span] = []
    pos = 0
    while True:
        found = _SINGLE_OPEN.search(text, pos)
        if found is None:
            break
        start = found.end()
        nxt_open = _SINGLE_OPEN.search(text, start)
        limit = nxt_open.start() if nxt_open else len(text)
        closers = [
            j
            for j in range(start + 1, limit)
            if text[j] == "’" and not _is_word(text[j + 1 : j + 2] or " ")
        ]
        good = [j for j in closers if text[j - 1] != "s" or text[j - 2 : j - 1] in ",.?!"]
        close = (good or closers or [-1])[0]
        if close < 0:
            if not text[: found.start()].strip() and nxt_open is None:
                spans.append(Span(start, len(text), found.start(), len(text), closed=False))
            pos = start
            continue
        spans.append(Span(start, close, found.start(), close + 1))
        pos = close + 1
    return [s for s in spans if has_token(text, s.start, s.end)]
