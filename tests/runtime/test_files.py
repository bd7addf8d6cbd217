"""Files through the pipeline's worker pool: a PDF, a saved page, a text file; each kind within
its size limit, a 300-page PDF bounded by the page limit, other files refused by name."""

from __future__ import annotations

import pytest

from bot.models import ErrorKind, TextSource
from bot.runtime.files import FileKind, file_kind
from bot.runtime.pipeline import Pipeline
from config import Settings
from tests.helpers.paths import PAGES
from tests.helpers.pdfs import (
    PRESS_RELEASE,
    PRESS_RELEASE_TITLE,
    long_report_pdf,
    press_release_pdf,
)

PASTED = """Council closes Mill Lane bridge to cars

Harbourside's town council voted on Thursday night to close the Mill Lane
bridge to private cars from the summer, ending months of argument over the
narrow Victorian crossing that links the old harbour to the railway station.

Councillors backed the plan by seven votes to four after a three-hour debate
in a packed chamber.

“This bridge was built for horses and carts, not for 9,000 cars a day,” said
Priya Natarajan, who leads the council's transport committee.
"""


def _settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, workers=1, **overrides)  # type: ignore[arg-type]


@pytest.fixture
async def pooled():
    async with Pipeline(_settings(max_pdf_pages=5)) as pipeline:
        assert pipeline.pool is not None  # PDFs are parsed in a worker, never on the loop
        yield pipeline


async def test_a_pdf_is_briefed_in_the_worker_pool(pooled: Pipeline) -> None:
    briefing = await pooled.brief_file(press_release_pdf(), "release.pdf")
    assert briefing.ok and briefing.text_source is TextSource.PDF
    assert briefing.headline == PRESS_RELEASE_TITLE
    assert briefing.paragraphs == PRESS_RELEASE
    assert briefing.briefing[0] == PRESS_RELEASE[0]
    assert {q.speaker for q in briefing.quotes} >= {"Ruth Okonkwo-Baines"}
    assert briefing.to_json()["text_source"] == "pdf"


async def test_a_300_page_pdf_is_briefed_from_its_first_pages(pooled: Pipeline) -> None:
    briefing = await pooled.brief_file(long_report_pdf(300), "inquiry.pdf")
    assert briefing.ok
    assert "section 5 of the harbour wall" in briefing.text
    assert "section 6 of the harbour wall" not in briefing.text


async def test_a_text_file_and_a_saved_page(pooled: Pipeline) -> None:
    text = await pooled.brief_file(PASTED.encode(), "bridge.txt")
    assert text.ok and text.text_source is TextSource.TEXT
    assert text.headline == "Council closes Mill Lane bridge to cars"
    assert len(text.paragraphs) == 3  # wrapped lines joined back into their paragraphs
    assert text.quotes[0].speaker == "Priya Natarajan"
    page = await pooled.brief_file((PAGES / "council-vote.html").read_bytes(), "saved")
    assert page.ok and page.text_source is TextSource.PAGE  # a page without .html is sniffed
    assert page.headline == "Harbourside council votes to close Mill Lane bridge to cars"


async def test_limits_and_kinds(pooled: Pipeline) -> None:
    async with Pipeline(_settings(max_pdf_bytes=50_000, max_body_bytes=1_000), inline=True) as p:
        big_pdf = await p.brief_file(long_report_pdf(300), "big.pdf")
        big_page = await p.brief_file(b"<html>" + b"x" * 2_000 + b"</html>", "big.html")
    assert big_pdf.error is not None and big_pdf.error.kind is ErrorKind.TOO_LARGE
    assert "50 KB" in big_pdf.error.message
    assert big_page.error is not None and big_page.error.kind is ErrorKind.TOO_LARGE
    word = await pooled.brief_file(b"PK\x03\x04 word document", "minutes.docx")
    assert word.error is not None and word.error.kind is ErrorKind.NOT_HTML
    assert "minutes.docx" in word.error.message and "PDFs" in word.error.message


def test_file_kind_trusts_bytes_then_name_then_type() -> None:
    assert file_kind("notes.txt", b"%PDF-1.7 ...") is FileKind.PDF
    assert file_kind("report.PDF", b"") is FileKind.PDF
    assert file_kind("story.htm", b"") is FileKind.HTML
    assert file_kind("story", b"<!doctype html><html>") is FileKind.HTML
    assert file_kind("message", b"Plain words.", "text/plain; charset=utf-8") is FileKind.TEXT
    assert file_kind("photo.jpg", b"<html>") is None
    assert file_kind("blob", b"\x89PNG\r\n") is None
