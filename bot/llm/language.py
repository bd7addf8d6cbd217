"""Which language a text is in, from function words: enough to catch an answer in the wrong one.

Models sometimes answer in English whatever the article's language, or in the prompt's
language. A full detector would be a dependency and a model file; counting a few dozen
function words per language tells a paragraph's language apart, which is all this needs.
"""

from __future__ import annotations

import re

# Short function-word lists, enough to tell a paragraph's language apart (not a full detector).
_STOPWORD_TEXT = {
    "en": (
        "the and of to in is was that for with on said have has were are by from it this will "
        "be not at but they their which would been after who i"
    ),
    "de": (
        "der die das und ist nicht mit von den dem ein eine sich auch auf für wurde werden "
        "sagte dass nach bei wie noch aus hat sind im zu es sie"
    ),
    "fr": (
        "le la les et est des une dans pour que qui pas sur avec du au ont été sont il elle "
        "ce mais plus aussi par un leur selon"
    ),
    "es": (
        "el la los las y es del que en una por con para se no fue han su sus como pero más al "
        "dijo está este un según"
    ),
    "it": (
        "il la che di è e per una con non del della sono gli le nel alla anche ha come più ma "
        "questo stato un dei"
    ),
    "nl": (
        "de het een en van is dat niet met op voor zijn werd ook aan er naar bij maar heeft "
        "worden wordt deze dit die"
    ),
    "pt": (
        "o a os as e é do da dos das que em um uma para com não foi por mais seu sua disse ao "
        "pelo pela no na"
    ),
}
STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _STOPWORD_TEXT.items()}
STOPWORDS_ANY: frozenset[str] = frozenset().union(*STOPWORDS.values())
_TOKENS = re.compile(r"[^\W\d_]+")
MIN_LANGUAGE_TOKENS = 8


def language_scores(text: str) -> dict[str, float]:
    """Share of the text's words that are each language's function words."""
    tokens = [t.lower() for t in _TOKENS.findall(text)]
    if len(tokens) < MIN_LANGUAGE_TOKENS:
        return {}
    return {
        lang: sum(t in words for t in tokens) / len(tokens) for lang, words in STOPWORDS.items()
    }


def detect_language(text: str) -> str | None:
    """The best-scoring language, or None when the text is too short or shows none clearly."""
    scores = language_scores(text)
    if not scores:
        return None
    lang, best = max(scores.items(), key=lambda item: item[1])
    return lang if best >= 0.12 else None


def article_language(text: str, declared: str | None) -> str | None:
    """The language the article is written in: what its text shows, else what the page declares.

    The text wins because pages often declare a site-wide language that the story doesn't use;
    but a declared language we have no word list for is trusted (Polish text would otherwise be
    mistaken for the nearest language we do know, and the model told to write in it).
    """
    code = (declared or "").split("-")[0].split("_")[0].lower() or None
    if code and code not in STOPWORDS:
        return code
    return detect_language(text[:3000]) or code


def wrong_language(answer: str, expected: str | None) -> str | None:
    """The language the answer is in when it clearly isn't the article's, else None."""
    if expected not in STOPWORDS:
        return None
    scores = language_scores(answer)
    if not scores:
        return None
    lang, best = max(scores.items(), key=lambda item: item[1])
    if lang != expected and best >= 0.12 and scores[expected] < best / 2:
        return lang
    return None
