"""Text PDFs written by the test (fpdf2): paragraphs rebuilt from lines, footers and page numbers
gone, the title from the document; a scan, a locked file and a damaged one say what they are; a
300-page report is read only as far as the page limit."""

from __future__ import annotations

import pytest

from bot.article.pdf import extract_pdf, pdf_paragraphs
from bot.errors import PipelineError
from bot.models import ErrorKind, TextSource
from tests.helpers.pdfs import (
    FOOTER,
    PRESS_RELEASE,
    PRESS_RELEASE_TITLE,
    locked_pdf,
    long_report_pdf,
    press_release_pdf,
    scanned_pdf,
)


def test_a_press_release_is_its_paragraphs_under_its_title() -> None:
    article, pages = extract_pdf(press_release_pdf(), max_pages=50)
    assert pages == 2
    assert article.headline == PRESS_RELEASE_TITLE
    assert article.paragraphs == PRESS_RELEASE  # lines rejoined, footer and page numbers gone
    assert article.language == "en" and article.text_source is TextSource.PDF
    assert FOOTER not in article.text


def test_without_a_document_title_the_first_line_is_the_headline() -> None:
    article, _ = extract_pdf(press_release_pdf(with_title=False), max_pages=50)
    assert article.headline == PRESS_RELEASE_TITLE
    assert article.paragraphs[0] == PRESS_RELEASE[0]


def test_a_300_page_report_is_read_only_to_the_page_limit() -> None:
    article, pages = extract_pdf(long_report_pdf(300), max_pages=5)
    assert pages == 300
    assert "section 5 of the harbour wall" in article.text
    assert "section 6 of the harbour wall" not in article.text
    assert len(article.paragraphs) == 10


@pytest.mark.parametrize(
    ("data", "kind", "words"),
    [
        (scanned_pdf(), ErrorKind.NOT_ARTICLE, "no text layer"),
        (locked_pdf(), ErrorKind.NOT_ARTICLE, "password-protected"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", ErrorKind.EXTRACTION, "damaged"),
        (b"%PDF-", ErrorKind.EXTRACTION, "damaged"),
    ],
    ids=["scan", "locked", "damaged", "truncated"],
)
def test_pdfs_without_readable_text_say_why(data: bytes, kind: ErrorKind, words: str) -> None:
    with pytest.raises(PipelineError) as caught:
        extract_pdf(data, max_pages=50)
    assert caught.value.kind is kind
    assert words in caught.value.message


def test_paragraphs_from_indented_lines_and_hyphenated_words() -> None:
    page = (
        "      Der Stadtrat hat am Dienstag beschlossen, die Brücke über die Lahn für den\n"
        "Autoverkehr zu sperren. Die Entscheidung fiel nach einer langen Debat-\n"
        "te mit neun zu vier Stimmen.\n"
        "      „Wir haben keine andere Wahl“, sagte Bürgermeisterin Anna Keller. Die Prüfer\n"
        "hätten die Brücke im Frühjahr für nicht mehr sicher erklärt.\n"
        "3\n"
    )
    assert pdf_paragraphs([page]) == [
        "Der Stadtrat hat am Dienstag beschlossen, die Brücke über die Lahn für den Autoverkehr "
        "zu sperren. Die Entscheidung fiel nach einer langen Debatte mit neun zu vier Stimmen.",
        "„Wir haben keine andere Wahl“, sagte Bürgermeisterin Anna Keller. Die Prüfer hätten "
        "die Brücke im Frühjahr für nicht mehr sicher erklärt.",
    ]
