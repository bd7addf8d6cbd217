"""Shortcuts taken for speed must decide exactly as the plain definitions they replace."""

from __future__ import annotations

import random
from collections import Counter

from bot.quotes.finder import _near_duplicate


def _f1_at_least(bag: Counter[str], other: Counter[str]) -> bool:
    """The definition: token F1 of the two bags ≥ 0.8 (empty bags are never duplicates)."""
    size, other_size = bag.total(), other.total()
    if not size or not other_size:
        return False
    return 2 * (bag & other).total() >= 0.8 * (size + other_size)


def test_near_duplicate_is_token_f1_of_the_bags() -> None:
    rng = random.Random(12)
    vocabulary = ["the", "said", "путин", "tusk", "τσίπρας", "表示", "we", "will", "not", "go"]
    for _ in range(3000):
        bag = Counter(rng.choices(vocabulary, k=rng.randint(0, 12)))
        other = Counter(rng.choices(vocabulary, k=rng.randint(0, 12)))
        if rng.random() < 0.3:
            other = bag + Counter(rng.choices(vocabulary, k=rng.randint(0, 2)))
        got = _near_duplicate(bag.total(), bag, other.total(), other)
        assert got == _f1_at_least(bag, other), (bag, other)
        assert got == _near_duplicate(other.total(), other, bag.total(), bag)


def test_clauses_read_once_give_what_attribution_after_gives() -> None:
    from bot.quotes.attribution import attribution_after
    from bot.quotes.finder import _Clauses

    masked = [
        "“___ ____,” said Energy Minister Tomas Berg. “__ ___.” she added",
        "«__ ______», — сказал Путин, — «____».",
        "„___ ____”, powiedział Donald Tusk. Dodał: „____”.",
        "«___», δήλωσε ο Τσίπρας.",
        "“____，”他说。",
    ]
    languages = [None, "ru", "pl", "el", "zh"]
    for pi, (text, language) in enumerate(zip(masked, languages, strict=True)):
        clauses = _Clauses(masked, language)
        for start in range(len(text)):
            for end in (None, start + 12, len(text) + 5):
                want = attribution_after(text[start:end], language)
                assert clauses.after(pi, start, end) == want
                assert clauses.after(pi, start, end) == want  # the stored answer, again
