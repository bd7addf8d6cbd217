"""Pairing quote marks in one paragraph of news text: the one quote-span scanner.

Why a scanner and not a regex: straight quotes must be told apart from apostrophes by context,
German „…“ closes with “, French and German guillemets point either way, a quote can run to the
end of its paragraph (and continue in the next), and an opener lost in extraction leaves a lone
closing mark. Nested quotes (single, or a double inside a double) stay inside their span; British
top-level ‘…’ quotes are paired only in paragraphs without double marks.

Which marks exist comes from the language registry (`[quotes]` in each language.toml): the
marks that open or close by context (“ ” "), the pairs a language prints („…“, «…», »…«, 「…」)
and the marks that can only close. The quotes step and the briefing both read spans from here.

Languages with `dash_speech` (Russian, Polish, Ukrainian) also quote by dashes: a paragraph or
a sentence opened by a dash is speech, up to the dash that leads into its attribution
(`— Мы не уйдём, — сказал он. — Никогда.`, `- Nie wiem - mówi Tusk.`); marks inside it are
nested quotes. That dash is told from a dash inside the speech (`gryzonie – mysz polna`) by
what follows it: a speech cue of the language within three words, or, after a comma, ? or !,
any word in lower case (the punctuation rule of dialogue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import islice

from bot.text.languages import common, language_info, languages
from bot.text.tokens import has_token

__all__ = ["QuoteMarks", "Span", "quote_marks", "scan_spans"]


@dataclass(frozen=True, slots=True)
class QuoteMarks:
    """Every quote mark the registered languages use, grouped by how the scanner treats it."""

    context: str  # open or close by context: “ ” " (and rarer variants)
    pairs: dict[str, str]  # an opening mark → the marks that close it: „ → “”", « → », » → «
    closing: str  # marks that only close: one seen with no quote open means its opener was lost
    single: str  # ‘ ’
    double: str  # every double mark: context, pairs and closing marks
    double_re: re.Pattern[str] = field(repr=False)

    @property
    def all(self) -> str:
        """Double and single marks (what a quote's edges may carry)."""
        return self.double + self.single


@cache
def quote_marks() -> QuoteMarks:
    """The marks of every registered language (read once)."""
    shared = common()
    pairs: dict[str, str] = {}
    closing = shared.closing_marks
    for lang in languages():
        for opening, closers in lang.quote_pairs.items():
            pairs[opening] = "".join(dict.fromkeys(pairs.get(opening, "") + closers))
        closing += lang.closing_marks
    paired = "".join(opening + closers for opening, closers in pairs.items())
    double = "".join(dict.fromkeys(shared.context_marks + paired + closing))
    return QuoteMarks(
        context=shared.context_marks,
        pairs=pairs,
        closing="".join(dict.fromkeys(closing)),
        single=shared.single_marks,
        double=double,
        double_re=re.compile("[" + re.escape(double) + "]"),
    )


@dataclass(slots=True)
class Span:
    """Quoted text in one paragraph: content [start, end), marks at [open_at, close_at)."""

    start: int
    end: int
    open_at: int
    close_at: int
    opened: bool = True
    closed: bool = True
    dash: bool = False  # opened by a dash (dialogue), not by a quote mark


def scan_spans(text: str, language: str | None = None) -> list[Span]:
    """Pair the quote marks of one paragraph (markup already blanked) into spans, in order.

    Single marks only quote at the top level when the paragraph has no double marks at all
    (British style); otherwise they are nested quotes or apostrophes, left inside their span.
    `language`: when its registry entry has `dash_speech`, dash-opened speech is read too."""
    cues = _dash_cues(language)
    dashed = _dash_spans(text, cues) if cues and _DASH_ANYWHERE.search(text) else []
    if dashed:
        chars = list(text)
        for span in dashed:  # marks inside dialogue are nested quotes
            chars[span.start : span.end] = " " * (span.end - span.start)
        rest = _scan_marks("".join(chars))
        return sorted(dashed + rest, key=lambda s: s.open_at)
    return _scan_marks(text)


def _scan_marks(text: str) -> list[Span]:
    marks = quote_marks()
    if not marks.double_re.search(text):
        return _scan_singles(text) if "‘" in text else []
    scan = _Scanner(text, marks)
    for found in marks.double_re.finditer(text):  # only the marks matter; skip the prose
        scan.mark(found.start(), found.group())
    return scan.finish()


# -- dialogue opened by a dash -------------------------------------------------------------

_DASH = "-–—―"
_DASH_ANYWHERE = re.compile(r"(?:^|\s)[-–—―]\s*\S")
# A paragraph opened by a dash; or a dash after a sentence's end, before a capital or a mark.
_DASH_START = re.compile(r"\s*([-–—―])[ \u00a0]*(?=[^\W_]|[«„“\"…])")
_DASH_AFTER_SENTENCE = re.compile(r"(?<=[.!?…])[»”\"]?\s+([-–—―])[ \u00a0]+(?=[«„“\"]?[^\W\d_])")
# A dash inside the speech that may lead into its attribution: spaces (or a comma) around it.
_DASH_INSIDE = re.compile(r"([,!?…]?)[ \u00a0]+([-–—―])[ \u00a0]+")
# After an attribution, the speech resuming: `— сказал он, — пока …`, `mówi. – Wirus …`.
_DASH_RESUME = re.compile(r"[,.:;][ \u00a0]*([-–—―])[ \u00a0]+(?=[«„“\"]?[^\W_])")
_WORD = re.compile(r"[^\W\d_][\w-]*")
_CUE_REACH = 3  # words after a dash in which a cue marks the attribution ("miał powiedzieć")


@cache
def _dash_cues(language: str | None) -> frozenset[str]:
    """The single words of the language's speech cues, when its dialogue opens with a dash."""
    lang = language_info(language)
    if lang is None or not lang.dash_speech:
        return frozenset()
    return frozenset(word for cue in lang.cue_verbs for word in cue.lower().split())


def _dash_spans(text: str, cues: frozenset[str]) -> list[Span]:
    """The dash-opened speech of a paragraph, each up to the dash before its attribution, or to
    the end of the paragraph (where dialogue always ends: each paragraph is one turn)."""
    spans: list[Span] = []
    opening = _DASH_START.match(text)
    pos = 0
    while True:
        if opening is None:
            opening = _DASH_AFTER_SENTENCE.search(text, pos)
            if opening is None:
                break
        dash_at, start = opening.start(1), opening.end()
        closing = _attribution_dash(text, start, cues)
        if closing is None:
            end = _trim(text, start, len(text))
            if end > start:
                spans.append(Span(start, end, dash_at, len(text), dash=True))
            break
        end, close_at = closing
        if end > start:
            spans.append(Span(start, end, dash_at, close_at, dash=True))
        pos = close_at
        opening = _resume(text, close_at)
    return spans


def _attribution_dash(text: str, start: int, cues: frozenset[str]) -> tuple[int, int] | None:
    """(end of the speech, end of the dash) for the dash that leads into the attribution."""
    for found in _DASH_INSIDE.finditer(text, start):
        words = _WORD.findall(text, found.end(), found.end() + 80)[:_CUE_REACH]
        if not words or not words[0][:1].islower():
            continue
        if found.group(1) or any(w.lower() in cues for w in words):
            return _trim(text, start, found.start()), found.end(2)
    return None


def _resume(text: str, at: int) -> re.Match[str] | None:
    """The speech resuming after an attribution, within the same sentence or the next."""
    sentence_end = re.compile(r"[.!?…](?=\s|$)").search(text, at)
    limit = sentence_end.end() + 1 if sentence_end else len(text)
    found = _DASH_RESUME.search(text, at, min(len(text), limit + 4))
    return found


def _trim(text: str, start: int, end: int) -> int:
    """`end` moved back over spaces and a comma that belong to the narration."""
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return end


_CURLY_OR_STRAIGHT = re.compile('[“”"]')
_OPENS_LEFT = "([{—–-/:;（：；，、"  # a mark after one of these (or a space) may open a quote
_ARROWS = "»›"  # "more »": a link arrow, not the end of a quote whose opener was lost
_OPENS_RIGHT = "‘'.…$([#@"  # a mark before one of these (or a letter) may open a quote


@dataclass(slots=True)
class _Scanner:
    """The state of one left-to-right pass over a paragraph's double marks."""

    text: str
    marks: QuoteMarks
    spans: list[Span] = field(default_factory=list)
    opener: str = ""  # the mark the open quote started with ("" when none is open)
    open_at: int = -1
    inner: str = ""  # the mark that closes a quote nested inside the open one
    floor: int = 0  # where a quote whose opener was lost can start

    def mark(self, i: int, ch: str) -> None:
        """Take the double mark `ch` at `i` into account."""
        if self.inner:  # inside a nested quote: only its closer matters
            if ch == self.inner:
                self.inner = ""
            return
        left_open, right_open = self._sides(i)
        if self.opener in '"“' and ch in '"“' and left_open and right_open:
            self.inner = _nested_ahead(self.text, i, self.opener)
            if self.inner:
                return
        if self.opener:
            self._inside(i, ch, left_open and right_open)
        else:
            self._outside(i, ch, left_open, right_open)

    def finish(self) -> list[Span]:
        """The spans found, a quote still open running to the end of the paragraph."""
        n = len(self.text)
        if self.opener:
            self.spans.append(Span(self.open_at + 1, n, self.open_at, n, closed=False))
        return [s for s in self.spans if has_token(self.text, s.start, s.end)]

    def _sides(self, i: int) -> tuple[bool, bool]:
        """Could the mark at `i` open a quote, judged by its left and by its right neighbour?"""
        text = self.text
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        return prev.isspace() or prev in _OPENS_LEFT, nxt.isalnum() or nxt in _OPENS_RIGHT

    def _outside(self, i: int, ch: str, left_open: bool, right_open: bool) -> None:
        """A mark while no quote is open: a new quote, or the end of one whose start was lost."""
        if ch in _ARROWS and i and self.text[i - 1].isspace() and not right_open:
            self.floor = i + 1  # "Read more »", "Zobacz także »": an arrow after a link
            return
        if ch in self.marks.closing and not (left_open and right_open):
            # a closer with no opener: the opener was lost, the quote starts at the floor
            if i - self.floor > 0 and has_token(self.text, self.floor, i):
                self.spans.append(Span(self.floor, i, self.floor, i + 1, opened=False))
            self.floor = i + 1
            return
        if ch == '"' and not left_open and not right_open:
            # a lone straight closer is mostly the end of an excerpt's wrapper (`"` opening
            # its first paragraph, closing its last), not a quote that lost its opener
            self.floor = i + 1
            return
        nxt = self.text[i + 1 : i + 2]
        if ch == "«" and not right_open and nxt != " ":
            return  # a « that closes a German »…« quote whose opener we missed
        self.opener, self.open_at = ch, i

    def _inside(self, i: int, ch: str, opening_looking: bool) -> None:
        """A mark while a quote is open: does it close it, or start the next one?"""
        closers = self.marks.pairs.get(self.opener)
        if closers is not None and ch == self.opener and opening_looking and ch not in closers:
            if _nested_pair(self.text, i, ch, closers):
                self.inner = closers[0]  # «… «Газпром» …»: a quote inside the quote
                return
            # `«A. «B», сказал он` — the first quote lost its closer: it ends here
            self.spans.append(Span(self.open_at + 1, i, self.open_at, i, closed=False))
            self.open_at = i
            return
        if closers is not None:
            closes = ch in closers  # „…“, «…», »…«: only their own closers
        elif ch in self.marks.pairs:
            closes = False  # „ « » inside a “…” quote are nested quotes
        elif ch == "“" and opening_looking:
            # a new opener while one is open: the first quote lost its closer
            self.spans.append(Span(self.open_at + 1, i, self.open_at, i, closed=False))
            self.opener, self.open_at = ch, i
            return
        else:
            closes = True
        if closes:
            self.spans.append(Span(self.open_at + 1, i, self.open_at, i + 1))
            self.opener = ""
            self.floor = i + 1


def _nested_pair(text: str, i: int, opener: str, closers: str) -> bool:
    """Inside an open «…», does the « at `i` start a nested quote? Only if the outer quote
    still closes before the paragraph ends (marks balance), else the outer lost its closer."""
    depth = 2
    for k in range(i + 1, len(text)):
        if text[k] == opener:
            depth += 1
        elif text[k] in closers:
            depth -= 1
            if depth == 0:
                return True
    return False


def _nested_ahead(text: str, i: int, opener: str) -> str:
    """Inside an open quote, does the opening-looking mark at `i` start a quote *within* it?

    Returns the mark that will close the inner quote, or "" when the mark at `i` means the outer
    quote lost its closer. Unambiguous cases only: a curly inner pair followed by the outer
    closer (“A “B” C”), a curly pair inside a straight quote, or a straight pair inside a curly one.
    """
    ch = text[i]
    ahead = _CURLY_OR_STRAIGHT.finditer(text, i + 1)
    marks = [(m.start(), m.group()) for m in islice(ahead, 2)]  # not every mark to the end
    if opener == '"' and ch == "“":
        return "”" if marks and marks[0][1] == "”" else ""
    if opener == "“" and ch == '"':
        return '"' if len(marks) >= 2 and marks[0][1] == '"' and marks[1][1] == "”" else ""
    if opener == "“" and ch == "“":
        return "”" if len(marks) >= 2 and marks[0][1] == "”" and marks[1][1] == "”" else ""
    return ""


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
        close = _single_closer(text, start, limit)
        if close < 0:
            if not text[: found.start()].strip() and nxt_open is None:
                spans.append(Span(start, len(text), found.start(), len(text), closed=False))
            pos = start
            continue
        spans.append(Span(start, close, found.start(), close + 1))
        pos = close + 1
    return [s for s in spans if has_token(text, s.start, s.end)]


def _single_closer(text: str, start: int, limit: int) -> int:
    """The ’ that closes a ‘ quote opened before `start`, searched up to `limit`; -1 if none."""
    closers = [
        j
        for j in range(start + 1, limit)
        if text[j] == "’" and not (text[j + 1 : j + 2] or " ").isalnum()
    ]
    good = [j for j in closers if text[j - 1] != "s" or text[j - 2 : j - 1] in ",.?!"]
    return (good or closers or [-1])[0]
