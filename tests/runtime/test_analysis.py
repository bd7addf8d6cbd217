"""The CPU half of the pipeline: page or text → Briefing, without any network."""

from __future__ import annotations

import random

from bot.discord_app.render import MAX_QUOTE_PAGES, quote_pages
from bot.models import ErrorKind
from bot.quotes.finder import MAX_QUOTES
from bot.runtime.analysis import AnalysisOptions, analyse_html, analyse_text
from tests.helpers.article_server import PAGES

QUOTED_LEDE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Pier reopens after storm | The Bayside Herald</title>
<meta property="og:title" content="Pier reopens after storm"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Pier reopens after storm</h1>
<p>“We are open, and we are staying open,” said harbourmaster Lena Vogt on Friday.</p>
<p>The wooden pier at Bayside closed in January after waves tore away a section of decking
near the lifeboat station, leaving anglers and walkers without their favourite spot.</p>
<p>Contractors replaced forty metres of boards and two support piles over six weeks, at a cost
the town council put at just under three hundred thousand pounds.</p>
<p>Ms Vogt said the pier would now close automatically when wind speeds pass gale force, a rule
she described as overdue for a structure of its age and exposure.</p>
<p>“The sea always wins in the end, but we can stop handing it easy victories,” she said.</p>
</article></body></html>"""


def test_a_quoted_lede_is_kept_when_the_headline_was_extracted_apart() -> None:
    briefing = analyse_html("page", QUOTED_LEDE, None)
    assert briefing.error is None
    pairs = {(q.text, q.speaker) for q in briefing.quotes}
    assert ("We are open, and we are staying open,", "Lena Vogt") in pairs


def test_text_input_may_open_with_a_headline_whose_quote_is_a_label() -> None:
    text = (
        "Mayor on budget: “Not one more cut”.\n"
        "The city’s mayor, Ruth Adeyemi, presented a budget on Monday that spares every "
        "library and pool from the cuts proposed last year.\n"
        "“We will not balance the books on the backs of children,” Ms Adeyemi said.\n"
    )
    briefing = analyse_text("story.txt", text)
    assert [q.text for q in briefing.quotes] == [
        "We will not balance the books on the backs of children,"
    ]
    assert briefing.quotes[0].speaker == "Ruth Adeyemi"


def test_briefing_length_setting_is_respected() -> None:
    html = (PAGES / "harbour-ferry.html").read_bytes()
    short = analyse_html("page", html, None, AnalysisOptions(briefing_max_chars=250))
    assert short.error is None
    assert sum(len(s) for s in short.briefing) <= 250
    assert all(sentence in short.text for sentence in short.briefing)


def test_empty_text_is_not_an_article() -> None:
    briefing = analyse_text("empty.txt", "\n\n   \n")
    assert briefing.error is not None and briefing.error.kind is ErrorKind.NOT_ARTICLE


def test_a_page_of_ten_thousand_quotes_is_bounded_and_verbatim() -> None:
    pick = random.Random(7).choice
    words = [
        "harbour",
        "ferry",
        "council",
        "budget",
        "river",
        "bridge",
        "school",
        "tax",
        "vote",
        "plan",
        "road",
        "fare",
    ]
    lines = [" ".join(pick(words) for _ in range(60)).capitalize() for _ in range(10_000)]
    paragraphs = "".join(
        f"<p>“{line},” said councillor Jo Marsh at the hearing.</p>" for line in lines
    )
    html = (
        "<html><head><title>Fares row | Gazette</title></head><body><article>"
        "<h1>Fares row</h1><p>The council debated ferry fares on Monday evening for many "
        f"hours in the town hall.</p>{paragraphs}</article></body></html>"
    )
    briefing = analyse_html("page", html, None)
    assert briefing.error is None
    assert len(briefing.paragraphs) == 10_001
    assert 0 < len(briefing.quotes) <= MAX_QUOTES
    for quote in briefing.quotes:
        assert quote.text in briefing.text and quote.speaker == "Jo Marsh"
    pages = quote_pages(briefing)
    assert len(pages) <= MAX_QUOTE_PAGES
    shown = sum(e.description.count("\n") + 1 for page in pages for e in page)
    assert shown < len(briefing.quotes)
    assert pages[-1][-1].footer.text == f"{shown} of {len(briefing.quotes)} quotes shown"


HUGE_LINE = (
    "The harbour board met on Tuesday to discuss the dredging plan. "
    "“We cannot wait for another boat to run aground. The silt is rising,” said Tomas Brandvik. "
    "Fishermen in Kestrel Bay have complained for two years! "
)


def test_one_huge_line_is_briefed_in_bounded_paragraphs() -> None:
    # A page (or text file) with megabytes in one paragraph: cut before the quote and sentence
    # steps, whose look-back over "the text before this point" grows with the paragraph.
    briefing = analyse_text("huge.txt", HUGE_LINE * 400)
    assert briefing.ok and len(briefing.paragraphs) > 10
    assert max(len(p) for p in briefing.paragraphs) <= 4000
    assert any(q.speaker == "Tomas Brandvik" for q in briefing.quotes)
    assert all(q.paragraph < len(briefing.paragraphs) for q in briefing.quotes)


# One paragraph a line, as `newsdesk brief --text` reads it. Line 2 is a heading (no sentence);
# line 3 opens with "On", a Polish pronoun that leans on the line before it, an English
# preposition that does not: only the article's own language can tell.
LINE_TEXT = (
    "The harbour ferry will run every twenty minutes from next month, the operator said.\n"
    "Timetable\n"
    "On weekdays the last sailing of the evening moves from 22:40 to 23:10, and the first "
    "boat leaves at six.\n"
    "A new pontoon at the north quay opens in spring, after two years of building work.\n"
)


def test_text_input_is_read_in_the_language_it_is_written_in() -> None:
    briefing = analyse_text("story.txt", LINE_TEXT)
    assert briefing.language == "en"
    # read as every language at once, "On" and "A" lean (pl: he, and) and both would be left out
    assert briefing.briefing == [
        "The harbour ferry will run every twenty minutes from next month, the operator said.",
        "On weekdays the last sailing of the evening moves from 22:40 to 23:10, and the first "
        "boat leaves at six.",
        "A new pontoon at the north quay opens in spring, after two years of building work.",
    ]


def test_text_input_keeps_the_language_it_is_given() -> None:
    assert analyse_text("story.txt", LINE_TEXT, language="de").language == "de"
