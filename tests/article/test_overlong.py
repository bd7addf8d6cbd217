"""Overlong paragraphs are cut at sentence ends, outside quotes, into pieces of bounded size."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.article.overlong import split_overlong

SENTENCES = [
    "The harbour board met on Tuesday to discuss the dredging plan. ",
    "“We cannot wait for another boat to run aground. The silt is rising,” said Tomas Brandvik. ",
    "Fishermen in Kestrel Bay have complained for two years! ",
    "Did the board listen? ",
]


def test_short_paragraphs_are_left_alone() -> None:
    paragraphs = ["One short paragraph.", "Another one."]
    assert split_overlong(paragraphs, limit=100) is paragraphs


def test_a_long_paragraph_is_cut_at_sentence_ends_outside_quotes() -> None:
    text = "".join(SENTENCES * 20).strip()
    pieces = split_overlong(["Lede.", text], limit=500)
    assert pieces[0] == "Lede."
    assert all(len(p) <= 500 for p in pieces)
    assert " ".join(pieces[1:]) == text  # nothing lost, nothing added
    for piece in pieces[1:]:
        assert piece.count("“") == piece.count("”")  # never cut inside a quote
        assert piece.endswith((".", "!", "?", "Brandvik."))


def test_text_without_sentence_ends_is_cut_at_spaces_then_anywhere() -> None:
    words = "word " * 300
    pieces = split_overlong([words.strip()], limit=100)
    assert all(len(p) <= 100 for p in pieces) and " ".join(pieces) == words.strip()
    blob = "x" * 250
    assert split_overlong([blob], limit=100) == ["x" * 100, "x" * 100, "x" * 50]


def test_chinese_sentences_need_no_space_after_the_full_stop() -> None:
    text = "港口委员会周二开会讨论疏浚计划。" * 40
    pieces = split_overlong([text], limit=100)
    assert all(len(p) <= 100 and p.endswith("。") for p in pieces)
    assert "".join(pieces) == text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*SENTENCES, "“", "”", '"', " ", "x" * 30]), max_size=120))
def test_pieces_are_bounded_and_keep_every_word(parts: list[str]) -> None:
    text = "".join(parts)
    pieces = split_overlong([text], limit=150)
    assert all(len(p) <= 150 for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())  # only spaces may go
