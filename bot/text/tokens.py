"""Words, the one way every step cuts text into them.

Two cuts, each with its own job, so that no step writes its own regex:
- `words`: runs of letters (no digits). Language statistics, function-word tests and TF-IDF
  count these: a figure says nothing about a language or a topic word.
- `tokens`: runs of letters and digits. Lengths of quotes, near-duplicate tests and
  comparison keys count these: "9,000 cars" is three tokens, and the figure matters there.
- `word_count`: how long a text is, a CJK character counted as a word (`bot.wordcount`).
- `terms`: what a topic model compares: words, and in Chinese (no spaces) overlapping pairs of
  characters, since a run of Chinese characters is a whole clause, not a word.
"""

from __future__ import annotations

import re
import string
import unicodedata

from bot.wordcount import has_cjk, word_count

__all__ = ["comparison_key", "has_cjk", "has_token", "terms", "tokens", "word_count", "words"]

_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"\w+")


def _ascii_table(keep: str, lower: bool = False) -> bytes:
    """A `bytes.translate` table that keeps the ASCII characters `keep` (lower-cased with
    `lower`) and turns every other byte into a space."""
    return bytes(
        (ord(chr(b).lower()) if lower else b) if chr(b) in keep else 0x20 for b in range(256)
    )


# ASCII text (most English copy) is cut by one C-level pass, translate then split, about six
# times faster than the regexes, which test a Unicode category per character: on ASCII, letters
# are exactly [A-Za-z] and `\w` exactly [A-Za-z0-9_], so the runs found are the same.
_LETTERS = _ascii_table(string.ascii_letters)
_LOWER_LETTERS = _ascii_table(string.ascii_letters, lower=True)
_WORD_CHARS = _ascii_table(string.ascii_letters + string.digits + "_")


def words(text: str) -> list[str]:
    """The runs of letters in `text`, as written ("It's 9 a.m." → It, s, a, m)."""
    if text.isascii():
        return text.encode().translate(_LETTERS).decode().split()
    return _WORD.findall(text)


def tokens(text: str) -> list[str]:
    """The runs of letters and digits in `text`, as written."""
    if text.isascii():
        return text.encode().translate(_WORD_CHARS).decode().split()
    return _TOKEN.findall(text)


def has_token(text: str, start: int = 0, end: int | None = None) -> bool:
    """Does text[start:end] hold a letter or a digit (not only marks and spaces)?"""
    return _TOKEN.search(text, start, len(text) if end is None else end) is not None


def comparison_key(text: str) -> str:
    """`text` reduced to its tokens, case-folded and compatibility-normalised, so that two
    spellings of one line ("Read  MORE…", "read more") compare equal."""
    return " ".join(tokens(unicodedata.normalize("NFKC", text).casefold()))


def terms(text: str) -> list[str]:
    """Lower-cased words of `text`; a run of CJK characters gives its character pairs instead
    ("地铁开通" → 地铁, 铁开, 开通), the usual unit for comparing Chinese text without a
    dictionary."""
    if text.isascii():
        return text.encode().translate(_LOWER_LETTERS).decode().split()
    lowered = text.lower()
    if not has_cjk(lowered):
        return _WORD.findall(lowered)  # the common case, one pass
    found = []
    for word in _WORD.findall(lowered):
        if has_cjk(word):
            found.extend(_cjk_pairs(word))
        else:
            found.append(word)
    return found


def _cjk_pairs(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]
