"""Words, the one way every step cuts text into them.

Two cuts, each with its own job, so that no step writes its own regex:
- `words`: runs of letters (no digits). Language statistics, function-word tests and TF-IDF
  count these: a figure says nothing about a language or a topic word.
- `tokens`: runs of letters and digits. Lengths of quotes, near-duplicate tests and
  comparison keys count these: "9,000 cars" is three tokens, and the figure matters there.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["comparison_key", "has_token", "tokens", "words"]

_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The runs of letters in `text`, as written ("It's 9 a.m." → It, s, a, m)."""
    return _WORD.findall(text)


def tokens(text: str) -> list[str]:
    """The runs of letters and digits in `text`, as written."""
    return _TOKEN.findall(text)


def has_token(text: str, start: int = 0, end: int | None = None) -> bool:
    """Does text[start:end] hold a letter or a digit (not only marks and spaces)?"""
    return _TOKEN.search(text, start, len(text) if end is None else end) is not None


def comparison_key(text: str) -> str:
    """`text` reduced to its tokens, case-folded and compatibility-normalised, so that two
    spellings of one line ("Read  MORE…", "read more") compare equal."""
    return " ".join(tokens(unicodedata.normalize("NFKC", text).casefold()))
