"""Which language a text is in: the one language guess.

Two readers, cheapest first:
1. Function words (each registered language's `guess_words`): when one language's words are a
   clear share of the text and far ahead of the next, that is the answer. It costs a tenth of
   the model below and, on the 1,686 texts of sentences-ud and extraction-daniel-multi, never
   answered wrongly at these thresholds (740 answered, 0 wrong); it cannot tell the languages
   that have no list.
2. A language identifier made for the job: py3langid (a naive Bayes model over byte n-grams,
   140 languages, 4.5 MB, offline, the one trafilatura integrates). It was right on 99.7 % of
   the extraction-daniel-multi bodies and on every sentences-ud run in ru/pl/el/zh
   (`bench/language_ids.py`). Its model loads once per process (`load_language_model`, called by the
   workers' warm-up so no user waits for it).

The answer is an ISO 639-1 code. Labels without one are mapped to their macrolanguage (Wu and
Cantonese → zh) or dropped; "zxx" (no language) and an answer below `MIN_CONFIDENCE` are
"unsure". A declared language (`hint`: the page's markup) only breaks ties: it wins when the
text is unsure, too short, or shows the declared language nearly as strongly as the best one —
a template's `<html lang="en">` never relabels a Greek article.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

from bot.text.languages import language_code, languages
from bot.text.tokens import words

__all__ = [
    "MIN_SHARE",
    "MIN_WORDS",
    "guess_language",
    "guess_words",
    "language_scores",
    "load_language_model",
]

MIN_WORDS = 8  # fewer words than this tell the function-word count nothing
MIN_SHARE = 0.12  # a language's function words must be this share of the words to count at all
# The function-word answer is taken as final only when this clear (0 wrong of 740; see above).
DECISIVE_SHARE = 0.2
DECISIVE_RATIO = 2.0
MIN_CONFIDENCE = 0.5  # the model's probability below which it is unsure
HINT_RATIO = 0.5  # the declared language wins when its probability is this share of the best
MIN_LETTERS = 12  # shorter texts are the markup's to call
SAMPLE_CHARS = 3000  # the opening of a long text says which language it is in

# Model labels that are not ISO 639-1 codes, mapped to the code of their macrolanguage.
_MACROLANGUAGE = {
    "wuu": "zh",  # Wu
    "yue": "zh",  # Cantonese (Hong Kong papers)
    "grc": "el",  # Ancient Greek: polytonic spellings in modern text
    "hbo": "he",
    "ary": "ar",
    "arz": "ar",
    "uzs": "uz",
    "gug": "gn",
    "sdh": "ku",
    "ltg": "lv",
    "fuv": "ff",
}


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


def guess_language(text: str | Sequence[str], hint: str | None = None) -> str | None:
    """The language `text` is written in (ISO 639-1), else `hint`'s code, else None.

    `text` may be given as its words; only its first `SAMPLE_CHARS` characters are read.
    `hint` is what the page declares: a tie-breaker, never a trump (see the module doc).
    """
    sample = text[:SAMPLE_CHARS] if isinstance(text, str) else " ".join(text)[:SAMPLE_CHARS]
    declared = _iso_code(language_code(hint))
    quick = _by_function_words(sample)
    if quick is not None:
        return quick
    if sum(ch.isalpha() for ch in sample[:200]) < MIN_LETTERS:
        return declared
    return _by_model(sample, declared)


def _by_function_words(sample: str) -> str | None:
    scores = language_scores(sample)
    if not scores:
        return None
    (code, best), (_, second) = sorted(scores.items(), key=lambda item: -item[1])[:2]
    if best >= DECISIVE_SHARE and best >= DECISIVE_RATIO * second:
        return code
    return None


def _by_model(sample: str, declared: str | None) -> str | None:
    probabilities: dict[str, float] = {}
    for label, probability in load_language_model().rank(sample):
        code = _iso_code(label)
        if code is not None:
            probabilities[code] = probabilities.get(code, 0.0) + probability
    if not probabilities:
        return declared
    code, best = max(probabilities.items(), key=lambda item: item[1])
    if declared is not None and probabilities.get(declared, 0.0) >= HINT_RATIO * best:
        return declared
    if best < MIN_CONFIDENCE:
        return declared
    return code


def _iso_code(label: str | None) -> str | None:
    """A model label or a declared code as an ISO 639-1 code; None for "zxx" and the like."""
    if not label:
        return None
    label = _MACROLANGUAGE.get(label, label)
    return label if len(label) == 2 and label.isalpha() else None


@cache
def load_language_model() -> Any:
    """py3langid's identifier with probabilities normalised (so "unsure" has a threshold),
    loaded once per process: 60 MB, so workers load it at warm-up; from the uncompressed copy
    `bot.text.langid_model` keeps, a tenth of the second it takes from py3langid's own file."""
    from bot.text.langid_model import load_identifier

    return load_identifier(norm_probs=True)
