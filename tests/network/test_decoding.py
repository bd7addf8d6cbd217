"""Bytes to text: one set of rules for fetched pages (`decode_html`) and saved text files
(`decode_text`, `newsdesk brief --text`), so the same words read the same either way."""

from __future__ import annotations

import pytest

from bot.network.decoding import decode_html, decode_text

WORDS = "“We were promised six weeks — it’s nine,” said Renée Dubois of the Café Müller."


def test_decode_html_rules() -> None:
    assert decode_html("\ufeff<p>é</p>".encode("utf-8"), "windows-1252") == "<p>é</p>"  # BOM wins
    assert decode_html("<p>é</p>".encode("utf-16-le"), None) != "<p>é</p>"  # no BOM, no guess
    assert decode_html(b"\xef\xbb\xbf<p>x</p>", None) == "<p>x</p>"
    assert decode_html('<meta charset="utf-16"><p>é</p>'.encode(), None).endswith("<p>é</p>")
    padded = b"<html>" + b" " * 5000 + '<meta charset="windows-1251"><p>Мир</p>'.encode("cp1251")
    assert "Мир" not in decode_html(padded, None)  # a <meta> after 4 KB is not looked for


def test_decode_html_wrong_label_between_utf8_and_windows_1252() -> None:
    page = '<meta charset="utf-8"><p>“We were promised six weeks — it’s nine,” said Renée.</p>'
    text = page[page.index("<p>") :]
    assert decode_html(page.encode("cp1252"), None).endswith(text)  # says UTF-8, is 1252
    labelled = page.replace('charset="utf-8"', 'charset="iso-8859-1"')
    assert decode_html(labelled.encode("utf-8"), None).endswith(text)  # says Latin-1, is UTF-8
    assert decode_html(page.encode("cp1252"), None).count("\ufffd") == 0
    # No label at all and windows-1252 bytes: still the words, not replacement characters.
    assert decode_html("<p>Café Müller</p>".encode("cp1252"), None) == "<p>Café Müller</p>"
    # A UTF-8 page with one stray bad byte stays UTF-8: one "�", the rest intact.
    mostly = "<p>Łódź, Kraków and Gdańsk</p>".encode() + b"\xff"
    assert decode_html(mostly, "utf-8") == "<p>Łódź, Kraków and Gdańsk</p>\ufffd"


@pytest.mark.parametrize(
    "data",
    [
        WORDS.encode("utf-8"),
        WORDS.encode("utf-8-sig"),
        WORDS.encode("cp1252"),
        WORDS.encode("utf-16"),  # with its BOM, as Notepad's "Unicode" saves it
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "utf-16 with BOM"],
)
def test_a_text_file_reads_as_its_words_in_every_encoding_an_editor_saves(data: bytes) -> None:
    assert decode_text(data) == WORDS


@pytest.mark.parametrize(
    "data",
    [
        WORDS.encode("utf-8"),
        WORDS.encode("utf-8-sig"),
        WORDS.encode("cp1252"),
        WORDS.encode("utf-8") + b"\xff",
        "Ünïcödé “text”".encode("cp1252") + "Ł".encode(),
        b"plain ascii",
    ],
)
def test_pages_and_text_files_without_labels_decode_alike(data: bytes) -> None:
    assert decode_text(data) == decode_html(data, None)


def test_a_stray_bad_byte_in_a_utf8_text_file_costs_one_character_not_every_accent() -> None:
    data = WORDS.encode("utf-8") + b"\xff"
    assert decode_text(data) == WORDS + "\ufffd"


def test_a_replacement_character_the_text_really_contains_is_not_a_bad_byte() -> None:
    # Valid UTF-8 that quotes "�" (e.g. an article about broken encodings) stays UTF-8.
    data = "Readers saw � instead of the letter.".encode()
    assert decode_text(data) == "Readers saw � instead of the letter."
    assert decode_html(data, "utf-8") == "Readers saw � instead of the letter."


def test_mostly_windows_1252_with_one_utf8_sequence_reads_as_windows_1252() -> None:
    data = "Café, Müller, Renée".encode("cp1252") + "é".encode()
    assert decode_text(data) == "Café, Müller, Renée" + "é".encode().decode("cp1252")


def test_a_meta_tag_inside_a_text_file_is_just_words() -> None:
    data = '<meta charset="windows-1251"> Мир'.encode()
    assert decode_text(data) == '<meta charset="windows-1251"> Мир'
