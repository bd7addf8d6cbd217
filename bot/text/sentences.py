"""Split article text into sentences, verbatim, without a model.

News copy is full of periods that do not end a sentence (Mr., U.S., "J. K. Rowling", "3.5",
"3. Oktober", z.B.) and of sentence ends hidden behind closing quotes ('..." he said. "...').
A regex finds every *candidate* end (terminal punctuation, glued closing marks, whitespace); a
few rules backed by each language's abbreviations and stopwords (`bot.text.languages`) decide
which candidates are real. Pieces are slices of the input, so every sentence is a verbatim
substring and callers can quote it safely.

The tables load lazily on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.text.languages import BASE_LANGUAGE, Language, languages
from bot.text.languages import language_info as registered

__all__ = [
    "end_of_first_sentence",
    "sentence_spans",
    "sentence_starts",
    "split_sentences",
    "start_of_last_sentence",
    "stopwords",
]

# Closing marks that may follow a sentence's last punctuation and stay with it.
_CLOSERS = "\"'”“’‘»«)]」』）】〕〉》"
# Terminal punctuation, closing marks glued to it, then (French) a spaced closing guillemet that
# is itself followed by whitespace, and finally whitespace or the end of the block. `{ends}` is
# filled per language (Greek adds ";", its question mark).
_SPACED = (
    rf"(?P<closers>[{re.escape(_CLOSERS)}]*)"
    r"(?:[ \u00a0\u202f]»(?=\s|$))?"
    r"(?=\s|$)"
)
# Marks of scripts written without spaces (Chinese 。！？): a sentence ends right after them and
# their closing marks, space or not (“…。”他说 → “…。” | 他说).
_WIDE_CLOSERS = "”’」』）】〕〉》)]"
_UNSPACED = rf"(?P<wide>(?:[{{wide}}]+[{re.escape(_WIDE_CLOSERS)}]*)+)"
# Two sentences glued at a period, the space lost ("…to death.The stabbing…"): four lower-case
# letters before it and a capital and two lower-case letters after keep "г.Москва", "с.Белочи",
# "St.Petersburg" and "Lenta.Ru" whole.
_LOWER = "a-zß-öø-ÿąćęłńóśźżа-яёα-ωά-ώ"
_UPPER = "A-ZÀ-ÖØ-ÞĄĆĘŁŃÓŚŹŻА-ЯЁΑ-ΩΆ-Ώ"
_GLUED = rf"(?<=[{_LOWER}]{{4}}\.)(?P<glued>)(?=[{_UPPER}][{_LOWER}]{{2}})"
# Where a sentence may end: terminal punctuation, then either of the two above. The marks open
# the pattern as one character set, `[…][…]*` rather than `[…]+` (the same match), because then
# the regex engine skips ahead to the next mark instead of trying the whole pattern at every
# character of the text: the search costs a fifth. (A glued period is the single "." of
# `punct`, the group `glued` empty: the lookbehind needs four letters before the period.)
_CANDIDATE = r"(?P<punct>[.!?…‽{ends}][.!?…‽{ends}]*)(?:{spaced}|{glued})"
_NEWLINE = re.compile(r"\n[^\S\n]*")
_SPACE = re.compile(r"\s+")
_OPENERS = "\"'“‘«»„‚¿¡([—–-"
_NEXT_WORD = re.compile(r"[\w’'.-]*")
_INITIAL = re.compile(r"[^\W\d_]\.")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
_SINGLE_LETTER = re.compile(r"[^\W\d_]")
_DASHES = "—–-"
_ENDS_BEFORE = ".!?:;…"


def _starts_sentence(text: str, at: int, tables: _Tables) -> bool:
    """Does a sentence (or the text) end right before the token at `at`? ("… the end. 3." but
    not "on Feb. 2.": a period after an abbreviation, an initial or a figure ends nothing)."""
    i = at - 1
    while i >= 0 and text[i].isspace() and text[i] != "\n":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    if text[i] != ".":
        return text[i] in _ENDS_BEFORE
    start = i
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    core = text[start:i].lstrip(_OPENERS)
    return len(core) > 2 and core.isalpha() and core.lower() not in tables.abbreviations


def _short_name(core: str) -> bool:
    """An abbreviated first name of two letters ("Σπ. Παπαδόπουλος", "Дж. Смит")."""
    return len(core) == 2 and core[0].isupper() and core[1].islower()


@dataclass(frozen=True, slots=True)
class _Tables:
    """What the rules consult for one language (or for all of them when it is unknown)."""

    abbreviations: dict[str, str]  # lower-cased abbreviation without final dot -> kind
    openers: frozenset[str]  # lower-cased common words that may start a sentence
    ordinal_next: frozenset[str]  # words that follow an ordinal number ("3. Oktober")
    ordinal_language: bool  # "12. Word" is normally an ordinal (German)
    candidate: re.Pattern[str]  # where a sentence may end
    wide_candidate: re.Pattern[str] | None  # the same with 。！？, for text that holds them
    wide_mark: re.Pattern[str] | None  # finds one of 。！？

    def candidates(self, text: str) -> re.Pattern[str]:
        """The candidate pattern for `text`: the alternation with 。！？ costs twice the time,
        so Latin, Greek and Cyrillic text that holds none of them does without it."""
        wide = self.wide_candidate
        if text.isascii():
            return self.candidate  # the marks of unspaced scripts are none of them ASCII
        if wide is not None and self.wide_mark is not None and self.wide_mark.search(text):
            return wide
        return self.candidate


@cache
def _tables_for(language: str | None) -> _Tables:
    """The tables for a language as callers spell it ("de", "de-AT", None)."""
    lang = registered(language)
    return _tables(lang.code if lang else None)


def _own(language: str | None) -> Language | None:
    """The registered language when it has an abbreviation list of its own, else None: a
    language we know nothing of is split with what all the languages know together."""
    lang = registered(language)
    return lang if lang is not None and lang.abbreviations else None


def _candidates(code: str | None) -> tuple[re.Pattern[str], str]:
    """Where a sentence may end in this language, and the marks of unspaced scripts.

    A mark no other script uses as ordinary punctuation (Chinese 。！？) ends sentences whatever
    the article's language, since a page's declared or guessed language may be wrong; an
    ASCII mark that other languages use otherwise (Greek ";", an English semicolon) only in
    its own language.
    """
    every = "".join(lang.sentence_ends for lang in languages())
    wide = "".join(sorted({ch for ch in every if not ch.isascii()}))
    lang = registered(code)
    own = "".join(sorted({ch for ch in (lang.sentence_ends if lang else "") if ch.isascii()}))
    candidate = _CANDIDATE.replace("{ends}", re.escape(own))
    candidate = candidate.replace("{spaced}", _SPACED).replace("{glued}", _GLUED)
    return re.compile(candidate), wide


@cache
def stopwords(language: str | None = None) -> frozenset[str]:
    """Lower-cased function words for `language` (all known languages merged when unknown)."""
    lang = registered(language)
    if lang is not None and lang.stopwords:
        return lang.stopwords
    return frozenset().union(*(known.stopwords for known in languages()))


@cache
def _tables(code: str | None) -> _Tables:
    candidate, wide = _candidates(code)
    wide_candidate = wide_mark = None
    if wide:
        unspaced = _UNSPACED.replace("{wide}", re.escape(wide))
        wide_candidate = re.compile(f"{unspaced}|{candidate.pattern}")
        wide_mark = re.compile(f"[{re.escape(wide)}]")
    lang = _own(code)
    if lang is not None:
        abbreviations = dict(lang.abbreviations)
    else:
        # Unknown language: merge every list, but an English function word ("me" is a French
        # title) must keep ending sentences, so English entries win and English words stay out.
        base = registered(BASE_LANGUAGE)
        assert base is not None, "the base language is always registered"
        abbreviations = {}
        for other in languages():
            if other is not base:
                for key, kind in other.abbreviations.items():
                    if key not in base.stopwords:
                        abbreviations[key] = kind
        abbreviations.update(base.abbreviations)
    ordinal_next = frozenset(k for k, kind in abbreviations.items() if kind == "ordinal")
    for key in ordinal_next:
        del abbreviations[key]
    openers = stopwords(code)
    ordinals = lang is not None and lang.ordinal_numbers
    return _Tables(
        abbreviations, openers, ordinal_next, ordinals, candidate, wide_candidate, wide_mark
    )


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split `text` into sentences, each a stripped verbatim substring, in order.

    A blank line always ends a sentence; a single line break does too unless the next line
    starts in lower case (a soft-wrapped paragraph), because pasted text often has headings
    and captions without final punctuation that must not swallow the next paragraph.
    """
    return [text[start:end] for start, end in _pieces(text, language)]


def sentence_spans(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `split_sentences`: `text[start:end]` is the sentence.
    For callers that need to know where each sentence stands (no search for it afterwards)."""
    return _pieces(text, language)


def sentence_starts(text: str, language: str | None = None) -> list[int]:
    """Offsets in `text` where a sentence other than the first begins.

    For callers that work inside a paragraph by offsets (the quotes step reads the sentence
    around a quote): `text[sentence_starts(text)[0]:]` is everything after the first sentence.
    """
    return _starts(text, language)


def end_of_first_sentence(text: str, language: str | None = None) -> int:
    """Where the second sentence of `text` begins (`len(text)` when there is one sentence):
    `text[:end_of_first_sentence(text)]` is the first sentence and the space after it."""
    starts = _starts(text, language, first_only=True)
    return starts[0] if starts else len(text)


def start_of_last_sentence(text: str, language: str | None = None) -> int:
    """Where the last sentence of `text` begins (0 when there is one sentence)."""
    starts = _starts(text, language)
    return starts[-1] if starts else 0


def _starts(text: str, language: str | None, first_only: bool = False) -> list[int]:
    """The offsets of `sentence_starts`. Inside one paragraph (no line break, the quotes
    step's case) every accepted boundary with text after it starts a sentence, so the pieces
    need not be cut; text with line breaks goes the long way."""
    if "\n" in text:
        starts = [start for start, _ in _pieces(text, language)][1:]
        return starts[:1] if first_only else starts
    tables = _tables_for(language)
    end = len(text)
    found = []
    for match in tables.candidates(text).finditer(text):
        if _is_boundary(text, match, end, tables):
            space = _SPACE.match(text, match.end())
            at = space.end() if space else match.end()
            if at < end:
                found.append(at)
                if first_only:
                    break
    return found


def _pieces(text: str, language: str | None) -> list[tuple[int, int]]:
    """(start, end) of every sentence, without the whitespace around it."""
    tables = _tables_for(language)
    pieces: list[tuple[int, int]] = []
    candidates = tables.candidates(text)
    for start, end in _blocks(text):
        pos = start
        for match in candidates.finditer(text, start, end):
            if _is_boundary(text, match, end, tables):
                _emit(pieces, text, pos, match.end())
                pos = match.end()
        _emit(pieces, text, pos, end)
    return pieces


def _emit(pieces: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Add text[start:end] without its surrounding whitespace, if anything is left."""
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        start += len(piece) - len(piece.lstrip())
        pieces.append((start, start + len(stripped)))


def _blocks(text: str) -> list[tuple[int, int]]:
    if "\n" not in text:
        return [(0, len(text))]  # a paragraph: the common case in the quotes step
    blocks = []
    start = 0
    for match in _NEWLINE.finditer(text):
        after = match.end()
        if after < len(text) and text[after].islower():
            continue  # soft wrap inside a paragraph
        blocks.append((start, match.start()))
        start = after
    blocks.append((start, len(text)))
    return blocks


def _is_boundary(text: str, match: re.Match[str], end: int, tables: _Tables) -> bool:
    """Decide whether the candidate `match` really ends a sentence."""
    if match.group("punct") is None or match.group("glued") is not None:
        return True  # 。！？ end a sentence wherever they stand; so does a glued period
    space = _SPACE.match(text, match.end(), end)
    if space is None or space.end() >= end:
        return True  # end of the block
    nxt = space.end()
    first = text[nxt]
    if first.islower() or first in ",;:)]}%":
        return False  # "…" she said / "Why?" he asked / a.m., etc.
    stripped = nxt
    while stripped < end and text[stripped] in _OPENERS:
        stripped += 1
        if text[stripped - 1] in _DASHES:  # "Kim jesteś? – spytała": the speech goes on
            space = _SPACE.match(text, stripped, end)
            stripped = space.end() if space else stripped
    word_match = _NEXT_WORD.match(text, stripped, end)
    word = word_match.group() if word_match else ""
    if word[:1].islower():
        return False
    punct = match.group("punct")
    if punct != ".":
        return True  # ! ? … and "..." before a capital
    if match.group("closers"):
        return True  # 'said so."' – a quote closed after the period
    prev_start = match.start()
    while prev_start > 0 and not text[prev_start - 1].isspace():
        prev_start -= 1
    core = text[prev_start : match.start()].lstrip(_OPENERS)
    if not core:
        return True
    key = core.lower()
    next_word = word.rstrip(".").lower()
    kind = tables.abbreviations.get(key)
    if kind == "title":
        return False
    if kind == "num" and not (len(core) == 1 and core.isupper()):
        return not word[:1].isdigit()  # "No. 10"; but "Robert P. Casey": "P." is an initial
    if kind == "num" and word[:1].isdigit():
        return False  # "p. 12"
    if core.isdigit():
        if next_word in tables.ordinal_next:
            return False
        if len(core) <= 2 and _starts_sentence(text, prev_start, tables):
            return False  # "… the end. 3. Next point": a numbered item
        # German: "am 3. Oktober", "im 20. Jahrhundert" – a short number is an ordinal.
        short = len(core) <= 2
        return not (tables.ordinal_language and short and next_word not in tables.openers)
    if (
        kind is not None
        or _SINGLE_LETTER.fullmatch(core)
        or _DOTTED.fullmatch(core)
        or _short_name(core)
    ):
        # An abbreviation that may also end a sentence: split only when the next word is
        # clearly a new sentence (a common opener or a quotation), never before an initial.
        if _INITIAL.fullmatch(word):
            return False
        if stripped > nxt and text[nxt] in '"“‘«»„¿¡':
            return True
        if len(next_word) > 1 and word.rstrip(".").isupper():
            return False  # "9:30 a.m. ET", "the U.S. EPA": an acronym, not an opener
        return next_word in tables.openers
    return True
