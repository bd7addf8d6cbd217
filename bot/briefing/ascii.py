"""ASCII twins: the briefing's per-sentence tests run on bytes where that gives the same answer.

English copy is ASCII but for its typography (’ “ ” — …, no-break spaces): a quarter of the
sentences of quotes-polnear hold such a mark, and each of them sent the word cuts and the case
tests down the Unicode regex paths, three times slower than the byte paths of ASCII text. A text
whose non-ASCII characters are none of them a letter or a digit has an ASCII twin (each such
character replaced by "?") in which every run of letters, and the case of every letter, is where
it is in the text, so word cuts and case tests on the twin are those on the text. Each use is
checked against the plain computation in tests/briefing/test_scoring.py.
"""

from __future__ import annotations

import re
import string

__all__ = ["ascii_twin", "capitalised_words", "case_marks"]

# A character that is neither ASCII nor outside `\w`: a non-ASCII letter or digit.
_WORDY = re.compile(r"[^\x00-\x7f\W]")


def ascii_twin(text: str) -> str | None:
    """`text` with each non-ASCII character replaced by "?" (so every offset stays), when none
    of them is a letter or a digit; None when one is (Cyrillic, Greek, CJK, "café")."""
    if text.isascii():
        return text
    if _WORDY.search(text) is not None:
        return None
    return text.encode("ascii", "replace").decode("ascii")


def _case_table() -> bytes:
    """A `bytes.translate` table: an ASCII capital becomes "U", a small letter "l", any other
    byte a space."""
    table = bytearray(b" " * 256)
    for upper, lower in zip(string.ascii_uppercase, string.ascii_lowercase, strict=True):
        table[ord(upper)], table[ord(lower)] = ord("U"), ord("l")
    return bytes(table)


_CASES = _case_table()


def case_marks(twin: str) -> bytes:
    """The case of each character of an ASCII text: "U", "l", or a space for a non-letter.
    Case patterns ("six small letters, then a capital") are then a substring search."""
    return twin.encode("ascii").translate(_CASES)


def capitalised_words(twin: str) -> int:
    """How many runs of letters of an ASCII text begin with a capital: a "U" of its case marks
    that opens the text or follows a space."""
    marks = case_marks(twin)
    return marks.count(b" U") + marks.startswith(b"U")
