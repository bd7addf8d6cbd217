"""Words and tokens: the two cuts every step uses."""

from __future__ import annotations

from bot.text import comparison_key, has_token, tokens, words


def test_words_are_letter_runs_and_tokens_keep_figures() -> None:
    text = "It's 9,000 cars a day — Straße, café_au_lait!"
    assert words(text) == ["It", "s", "cars", "a", "day", "Straße", "café", "au", "lait"]
    assert tokens(text) == ["It", "s", "9", "000", "cars", "a", "day", "Straße", "café_au_lait"]


def test_has_token_looks_only_inside_the_range() -> None:
    text = "“ … ” and"
    assert not has_token(text, 0, 5)
    assert has_token(text)
    assert has_token(text, 6)


def test_comparison_key_ignores_case_punctuation_and_width() -> None:
    assert comparison_key("Read  MORE…") == comparison_key("read more") == "read more"
    assert comparison_key("ＦＵＬＬ width") == "full width"


def test_the_ascii_shortcut_cuts_as_the_patterns_do() -> None:
    """ASCII text is cut without the regexes (one translate pass): every ASCII character,
    in every position, must come out as the patterns would cut it."""
    import re

    from bot.text import terms

    letters_only, word_chars = re.compile(r"[^\W\d_]+"), re.compile(r"\w+")
    every = "".join(map(chr, range(128)))
    texts = [every, every[::-1], "It's 9,000 cars_a day—no: 3.5% (A.B.C) x\ty\nZ", "", " _ 7 "]
    texts += [every[i : i + 7] for i in range(0, 128, 3)]
    for text in texts:
        assert words(text) == letters_only.findall(text), text
        assert tokens(text) == word_chars.findall(text), text
        assert terms(text) == letters_only.findall(text.lower()), text
