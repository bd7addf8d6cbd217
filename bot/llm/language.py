"""The article's language for the model, and catching an answer in the wrong one.

Models sometimes answer in English whatever the article's language, or in the prompt's
language. The guess itself is the text layer's (`bot.text.guess_language`); when an answer is
wrong is decided here.
"""

from __future__ import annotations

from bot.text import MIN_SHARE, guess_language, guess_words, language_scores

__all__ = ["article_language", "wrong_language"]


def article_language(text: str, declared: str | None) -> str | None:
    """The language the article is written in: what its text shows, else what the page declares.

    The text wins because pages often declare a site-wide language that the story doesn't use;
    the declaration breaks ties and answers for text too short to tell.
    """
    return guess_language(text[:3000], hint=declared)


def wrong_language(answer: str, expected: str | None) -> str | None:
    """The language the answer is in when it clearly isn't the article's, else None."""
    if expected not in guess_words():
        return None
    scores = language_scores(answer)
    if not scores:
        return None
    lang, best = max(scores.items(), key=lambda item: item[1])
    if lang != expected and best >= MIN_SHARE and scores[expected] < best / 2:
        return lang
    return None
