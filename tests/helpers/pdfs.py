"""PDFs written by the tests themselves with fpdf2 (a test extra): a press release with a running
footer and page numbers, a long report, a scan (pictures of pages, no text), a locked one.

Why fpdf2: pure Python, writes real PDFs with text layers, metadata, images and encryption in a
few lines, and its core fonts take windows-1252 text, so curly quotes and accents need no font
files on the machine.
"""

from __future__ import annotations

import io
import random

from fpdf import FPDF

PRESS_RELEASE_TITLE = "Harbour board reports record ferry year"
PRESS_RELEASE = [
    "The Harbourside Harbour Board said on Tuesday that 1.2 million passengers used the island "
    "ferry in the year to March, the highest number since the crossing opened in 1974, and that "
    "the new pier at Quay Street would open to the public in the spring.",
    "Passenger numbers rose by 12 per cent on the year, helped by the summer timetable, which "
    "added an early sailing at 06:10 for commuters and a late boat on Friday and Saturday nights.",
    "“We are delighted that so many people have chosen the ferry, and we know they want it to "
    "run more often still,” said Ruth Okonkwo-Baines, who chairs the board. “The new pier lets "
    "us do that from next year.”",
    "Ticket income covered the running costs of the service for the first time in a decade. The "
    "board said fares would not rise before January, and that the money would pay for a "
    "thorough refit of the older of its two boats.",
    "Not everyone welcomed the figures. Islanders have long complained that the late boats fill "
    "up with visitors, leaving residents waiting on the quay for the next crossing.",
    "“Record numbers are no comfort if you cannot get home from work,” said Malcolm Ferreira-"
    "Lindqvist of the Island Residents' Association. “We want a residents' queue, and we want "
    "it this summer.”",
    "The board's annual meeting, where the figures will be presented in full, takes place at "
    "the Harbourside town hall on 14 May and is open to the public.",
]
FOOTER = "Harbourside Harbour Board · Press release · For immediate use"


def _document(title: str | None = None) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.set_margins(25, 20, 25)
    if title:
        pdf.set_title(title)
    pdf.set_author("Harbour Board press office")
    return pdf


def _footer(pdf: FPDF, number: int) -> None:
    pdf.set_auto_page_break(auto=False)  # the footer sits in the bottom margin
    pdf.set_y(-18)
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, f"{FOOTER}    Page {number}", align="C")
    pdf.set_auto_page_break(auto=True, margin=25)


def _paragraphs(pdf: FPDF, paragraphs: list[str]) -> None:
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)


def press_release_pdf(*, with_title: bool = True) -> bytes:
    """Two pages: a headline, seven paragraphs, a footer and a page number on each page."""
    pdf = _document(PRESS_RELEASE_TITLE if with_title else None)
    halves = (PRESS_RELEASE[:4], PRESS_RELEASE[4:])
    for number, half in enumerate(halves, start=1):
        pdf.add_page()
        if number == 1:
            pdf.set_font("Helvetica", "B", 16)
            pdf.multi_cell(0, 8, PRESS_RELEASE_TITLE, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        _paragraphs(pdf, half)
        _footer(pdf, number)
    return bytes(pdf.output())


PARTS = ("the parapet", "the outer face", "the footings", "the drainage channels", "the steps")
CAUSES = ("seawater", "frost", "old mortar", "heavy lorries", "storm surges", "tree roots")


def long_report_pdf(pages: int) -> bytes:
    """`pages` pages, each saying which page it is: "Finding 17 of the inquiry …"."""
    pdf = _document("Inquiry into the harbour wall collapse")
    for number in range(1, pages + 1):
        part, cause = PARTS[number % len(PARTS)], CAUSES[number % len(CAUSES)]
        pdf.add_page()
        _paragraphs(
            pdf,
            [
                f"Finding {number} of the inquiry concerns {part} of section {number} of the "
                f"harbour wall, which engineers inspected after the collapse and found to be "
                f"weakened by {cause} over many years.",
                f"The inspectors recommend that {part} of section {number} is rebuilt before "
                "the winter storms, and that the work is checked by an independent engineer.",
            ],
        )
        _footer(pdf, number)
    return bytes(pdf.output())


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are pictures of pages: grey speckle where the text was, no text layer."""
    from PIL import Image  # fpdf2 depends on Pillow

    pdf = _document("Scanned letter")
    noise = random.Random(7)
    for _ in range(pages):
        image = Image.new("L", (420, 594), 255)
        for y in range(60, 540, 14):
            for x in range(40, 380):
                if noise.random() < 0.35:
                    image.putpixel((x, y + noise.randint(0, 6)), 60)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def locked_pdf() -> bytes:
    """A press release that opens only with a password."""
    pdf = _document(PRESS_RELEASE_TITLE)
    pdf.set_encryption(owner_password="owner-secret", user_password="reader-secret")
    pdf.add_page()
    _paragraphs(pdf, PRESS_RELEASE)
    return bytes(pdf.output())
