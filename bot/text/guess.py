"""Which language a text is in, from function words: the one language guess.

A full detector would be a dependency and a model file. Counting a few dozen function words per
language (each registered language's `guess_words`) tells a paragraph's language apart, which
is all the steps need: the article's language when the page declares none, the cue lists for
plain text, and an LLM answer in the wrong language. When no language clearly shows — too few
words, or a language we have no list for (Polish, Chinese) — the answer is None, never a guess.
"""

from __future__ import annotations

from collections import Counter
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


@cache
def _languages_of_word() -> dict[str, tuple[int, ...]]:
    """Function word → the positions (in `guess_words()`) of the languages it belongs to, so a
    text is scored in one pass over its words, whatever the number of languages."""
    table: dict[str, list[int]] = {}
    for position, words_of_language in enumerate(guess_words().values()):
        for word in words_of_language:
            table.setdefault(word, []).append(position)
    return {word: tuple(positions) for word, positions in table.items()}


def language_scores(text: str | Sequence[str]) -> dict[str, float]:
    """Share of the text's words that are each language's function words ({} when too short).

    `text` may be given as its words already (lower case), to score only the start of a long
    article without cutting it first."""
    found = Counter(words(text) if isinstance(text, str) else text)
    total = found.total()
    if total < MIN_WORDS:
        return {}
    counts = [0] * len(guess_words())
    table = _languages_of_word()
    for word, times in found.items():
        for position in table.get(word.lower(), ()):
            counts[position] += times
    return {code: counts[i] / total for i, code in enumerate(guess_words())}


def guess_language(text: str | Sequence[str]) -> str | None:
    """The best-scoring language, or None when the text is too short or shows none clearly."""
    scores = language_scores(text)
    if not scores:
        return None
    code, best = max(scores.items(), key=lambda item: item[1])
    return code if best >= MIN_SHARE else None
