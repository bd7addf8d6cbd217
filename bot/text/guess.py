"""Which language a text is in, from function words: the one language guess.

A full detector would be a dependency and a model file. Counting a few dozen function words per
language (each registered language's `guess_words`) tells a paragraph's language apart, which
is all the steps need: the article's language when the page declares none, the cue lists for
plain text, and an LLM answer in the wrong language. When no language clearly shows — too few
words, or a language we have no list for (Polish, Chinese) — the answer is None, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from bot.text.languages import languages
from bot.text.tokens import words

__all__ = ["MIN_SHARE", "MIN_WORDS", "guess_language", "guess_words", "language_scores"]

MIN_WORDS = 8  # fewer words than this tell nothing
MIN_SHARE = 0.12  # the best language's function words must be this share of the words


@cache
def guess_words() -> dict[str, frozenset[str]]:
    """Language code → its function words, for every language that has them (English first)."""
    return {lang.code: lang.guess_words for lang in languages() if lang.guess_words}


def language_scores(text: str | Sequence[str]) -> dict[str, float]:
    """Share of the text's words that are each language's function words ({} when too short).

    `text` may be given as its words already (lower case), to score only the start of a long
    article without cutting it first."""
    found = [w.lower() for w in words(text)] if isinstance(text, str) else list(text)
    if len(found) < MIN_WORDS:
        return {}
    return {code: sum(w in fw for w in found) / len(found) for code, fw in guess_words().items()}


def guess_language(text: str | Sequence[str]) -> str | None:
    """The best-scoring language, or None when the text is too short or shows none clearly."""
    scores = language_scores(text)
    if not scores:
        return None
    code, best = max(scores.items(), key=lambda item: item[1])
    return code if best >= MIN_SHARE else None
