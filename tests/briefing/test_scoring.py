"""The briefing's shortcuts agree with the plain computations they replace.

The extractive briefing is tuned on benchmarks, so a speed-up must not move a single float or
a single filter answer: each test here runs the shortcut and the straightforward version on
tricky text in every script we brief (ASCII, Latin with diacritics, Cyrillic, Greek with Σ,
Turkish İ, Chinese) and asks for equality, not closeness.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from operator import itemgetter

from bot.briefing.ascii import ascii_twin
from bot.briefing.extractive import (
    _CAMEL,
    _GLUED,
    DEFAULT_CONFIG,
    _capitalised,
    _cut,
    _glued,
    _reserves,
    _score,
    _Sentence,
    _split,
    _stem,
    _term_keys,
)
from bot.text import stopwords, terms, words

TEXTS = [
    "The council voted 7-2 on Tuesday, said Mayor O'Neil (D-Ore.) at 9 a.m.",
    "“We’re not done yet,” she said — and the U.S. EPA agreed.",
    "Die Straße bleibt gesperrt, sagte Bürgermeisterin Müller am 3. Oktober.",
    "Премьер-министр заявил, что «решение принято» ещё в 2029 году.",
    "Prezydent Tusk powiedział: – Nie zgadzamy się z tym, ok. 20 tys. osób.",
    "Ο ΠΡΩΘΥΠΟΥΡΓΟΣ ΤΣΙΠΡΑΣ δήλωσε ότι οι ΔΙΑΠΡΑΓΜΑΤΕΥΣΕΙΣ συνεχίζονται.",
    "ΟΔΟΣ'Α and ΑΣ.Β: sigma before a mark that lower() looks through.",
    "İstanbul’da İSTANBUL Belediyesi açıkladı, dedi Kılıçdaroğlu.",
    "经过四年建设，东湖新区地铁3号线延伸段今天上午9时正式开通运营。",
    "Mixed 东湖 text with Latin words and 中文 pairs.",
    "ǅemal ǈubljana ǋ Titlecase letters, Ⅻ numerals and Ⓐ circled letters.",
    "",
    "   ",
    "A",
]
_EVERY_ASCII = "".join(map(chr, range(128)))
ODD = [_EVERY_ASCII, _EVERY_ASCII[::-1], "Aa Bb cC D", "x Y", "Y", "9Ab Cd-Ef_Gh'Ij", "“Ab” —Cd"]
ODD += [_EVERY_ASCII[i : i + 9] for i in range(0, 128, 4)]


def test_one_cut_gives_the_terms_and_the_lower_cased_words() -> None:
    for text in TEXTS:
        for twin in {ascii_twin(text), None}:
            found, lower = _cut(text, twin)
            assert found == terms(text), text
            assert lower == [w.lower() for w in words(text)], text


def test_lower_casing_keeps_letters_letters_one_character_each() -> None:
    """What `_cut` relies on to use `terms` as the lower-cased words: every code point but
    "İ" lower-cases to one character, a letter exactly when it was one."""
    letter = re.compile(r"[^\W\d_]")
    odd = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        low = ch.lower()
        if len(low) != 1 or (letter.fullmatch(ch) is None) != (letter.fullmatch(low) is None):
            odd.append(ch)
    assert odd == ["İ"]


def test_capitals_are_counted_as_the_words_would_count_them() -> None:
    for text in [*TEXTS, *ODD]:
        expected = sum(map(str.isupper, map(itemgetter(0), words(text))))
        sentence = _Sentence(text, 0, 0)
        sentence.twin = ascii_twin(text)
        assert _capitalised(sentence) == expected, text
        sentence.twin = None
        assert _capitalised(sentence) == expected, text


def test_a_twin_keeps_every_letter_and_its_place() -> None:
    """A twin exists exactly when no character outside ASCII is a letter or a digit (`\\w`),
    and it cuts into the same words as the text."""
    for code in range(128, sys.maxunicode + 1, 7):
        ch = chr(code)
        text = f"Ab{ch}cd {ch}Ef"
        twin = ascii_twin(text)
        assert (twin is None) == (re.match(r"\w", ch) is not None), hex(code)
        if twin is not None:
            assert len(twin) == len(text) and twin.isascii()
            assert words(twin) == words(text) and terms(twin) == terms(text), hex(code)
    for text in [*TEXTS, *ODD]:
        if text.isascii():
            assert ascii_twin(text) is text


def test_the_glued_teaser_test_on_case_marks_is_the_patterns() -> None:
    """`_glued` looks for `_CAMEL` in the case marks of a text with a twin."""
    texts = [
        *TEXTS,
        *ODD,
        "Hollywood haircutsStars of film and television",
        "Hollywood haircuts’Stars “starsX” haircutsStars—more",
        "WhatsApp LinkedIn BlackRock PowerPoint iPhone",
        "abcdefGh abcdeFgh abcdefGH abcdefG",
        "Голливудские стрижкиЗвёзды кино",
        "Ołówkowa spódniczkaModna jesień",
    ]
    for text in texts:
        expected = _GLUED.search(text) is not None or _CAMEL.search(text) is not None
        assert _glued(text) == expected, text


def test_term_keys_agree_with_the_filter_and_the_stemmer() -> None:
    for language in (None, "en", "de", "ru", "pl", "el", "zh"):
        stop = stopwords(language)
        keys = _term_keys(stop)
        for text in TEXTS:
            for term in terms(text):
                kept = len(term) > 1 and term not in stop
                assert keys[term] == (_stem(term) if kept else ""), (language, term)


def _plain_score(sentences: list[_Sentence], usable: list[_Sentence], stop: frozenset[str]):
    """The scoring as a loop over sentences and terms (the definition `_score` must match)."""
    counts = [
        Counter(_stem(t) for t in terms(s.text) if len(t) > 1 and t not in stop) for s in sentences
    ]
    df: Counter[str] = Counter()
    for found in counts:
        df.update(found.keys())
    n = len(sentences)
    vectors = []
    centroid: dict[str, float] = {}
    for found in counts:
        weights = [tf * (math.log((n + 1) / (df[t] + 1)) + 1.0) for t, tf in found.items()]
        total = 0.0
        for x in weights:
            total += x * x
        norm = math.sqrt(total) or 1.0
        vector = {t: x / norm for t, x in zip(found, weights, strict=True)}
        vectors.append(vector)
        for t, x in vector.items():
            centroid[t] = centroid.get(t, 0.0) + x
    cnorm = 0.0
    for x in centroid.values():
        cnorm += x * x
    cnorm = math.sqrt(cnorm) or 1.0
    central = []
    for s in usable:
        dot = 0.0
        for t, x in vectors[s.index].items():
            dot += x * centroid[t]
        central.append(dot / cnorm)
    top = max(central) or 1.0
    w = DEFAULT_CONFIG.position_weight
    scores = [
        (1.0 - w) * (c / top) + w * (1.0 / (1.0 + s.index) ** DEFAULT_CONFIG.prior_exponent)
        for s, c in zip(usable, central, strict=True)
    ]
    return [vectors[s.index] for s in usable], scores


def test_the_streamed_scores_are_the_plain_loops_to_the_last_bit() -> None:
    paragraphs = [
        "The harbour ferry resumed service on Monday. Harbour officials said the ferries run.",
        "Die Fähre fährt wieder, sagte die Hafenbehörde. Die Fähre war drei Wochen gesperrt.",
        "Паром снова ходит, сообщили в порту. Паромы ходят по расписанию.",
        "Ο ΠΡΩΘΥΠΟΥΡΓΟΣ δήλωσε ότι το πλοίο ξεκινά. Τα πλοία ξεκινούν ξανά.",
        "渡轮今天恢复运营。港口表示渡轮将按时刻表运行。",
        "a b c",
        "The ferries, the ferry and the harbour: the harbour’s ferries ran again.",
    ]
    for language in (None, "en", "de"):
        stop = stopwords(language)
        sentences = _split(paragraphs, language)
        for usable in (sentences, sentences[::2], sentences[-1:]):
            vectors, scores = _plain_score(sentences, usable, stop)
            _score(sentences, usable, stop, DEFAULT_CONFIG)
            assert [s.score for s in usable] == scores
            assert [list(s.vector.items()) for s in usable] == [list(v.items()) for v in vectors]


def test_the_room_kept_for_the_shortest_others_is_the_plain_definition() -> None:
    """`_reserves` in one pass: for each candidate, the `still_needed` shortest other
    sentences (ties by position), or more than the room when there are too few."""
    import random

    rng = random.Random(12)
    for _ in range(400):
        pool = [_Sentence("x" * rng.randint(1, 8), 0, i) for i in range(rng.randint(0, 7))]
        still_needed, room = rng.randint(0, 4), rng.randint(0, 40)
        lengths = sorted((len(s.text) + 1, j) for j, s in enumerate(pool))
        expected = [0] * len(pool)
        if still_needed:
            for j in range(len(pool)):
                others = [n for n, k in lengths[: still_needed + 1] if k != j][:still_needed]
                expected[j] = sum(others) if len(others) == still_needed else room + 1
        assert _reserves(pool, still_needed, room) == expected, (lengths, still_needed)
