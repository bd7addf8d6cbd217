"""The article behind a teaser, from the page's JSON-LD `articleBody`: with and without paragraph
breaks, inside a Yoast-style @graph, and never a body that tells another story."""

from __future__ import annotations

import pytest

from bot.article.extract import extract_article
from bot.article.metadata import PageMeta
from bot.article.structured import body_paragraphs, structured_body
from bot.errors import NoArticle
from bot.models import TextSource
from bot.runtime.analysis import analyse_html
from tests.helpers.walls import page, wall_words_in

FERRY_LEDE = (
    "The company that runs the ferry across the Wendle estuary has ordered two battery-electric "
    "boats to replace its diesel vessels by the spring of 2027, in a deal worth £14 million."
)


def test_a_teaser_with_the_full_text_in_json_ld_is_briefed_from_it() -> None:
    briefing = analyse_html("ferry", page("jsonld-full.html"), None)
    assert briefing.error is None
    assert briefing.text_source is TextSource.STRUCTURED_DATA
    assert briefing.to_json()["text_source"] == "structured_data"
    assert len(briefing.paragraphs) == 9  # the JSON's own paragraphs
    assert briefing.paragraphs[0] == FERRY_LEDE
    assert briefing.paragraphs[-1].startswith("Work on the landing stages is due to start")
    assert briefing.byline == "Tomasz Ferreira"
    speakers = {q.speaker for q in briefing.quotes}
    assert {"Rosalind Achebe", "Gareth Lindqvist"} <= speakers
    assert 3 <= len(briefing.briefing) <= 5
    assert wall_words_in(briefing) == []


def test_a_body_without_paragraph_breaks_is_still_the_whole_article() -> None:
    briefing = analyse_html("ferry", page("jsonld-nobreaks.html"), None)
    assert briefing.error is None and briefing.text_source is TextSource.STRUCTURED_DATA
    assert briefing.text.startswith(FERRY_LEDE)
    assert "two-week closure of the crossing planned for February" in briefing.text
    assert briefing.briefing[0] == FERRY_LEDE
    assert {"Rosalind Achebe", "Gareth Lindqvist"} <= {q.speaker for q in briefing.quotes}
    assert wall_words_in(briefing) == []


def test_the_article_inside_a_json_ld_graph() -> None:
    briefing = analyse_html("library", page("jsonld-graph.html"), None)
    assert briefing.error is None and briefing.text_source is TextSource.STRUCTURED_DATA
    assert briefing.headline == "Library volunteers put a century of parish records online"
    assert briefing.byline == "Ngozi Whitfield"  # the Person the @graph points to
    assert len(briefing.paragraphs) == 7
    assert "Imogen Falconer" in {q.speaker for q in briefing.quotes}
    assert wall_words_in(briefing) == []


def test_a_json_ld_body_of_another_story_is_never_used() -> None:
    # Same headline in the JSON-LD as on the page, but the body is the ferry story.
    with pytest.raises(NoArticle) as caught:
        extract_article(page("jsonld-other-story.html"))
    assert "teaser" in caught.value.message
    briefing = analyse_html("buses", page("jsonld-other-story.html"), None)
    assert briefing.error is not None
    assert "ferry" not in briefing.error.message.casefold() and briefing.paragraphs == []


def test_a_json_ld_headline_that_names_another_story_rules_its_body_out() -> None:
    body = "\n".join(["The council approved the budget for the new library on Monday night."] * 12)
    teaser = ["The council approved the budget for the new library on Monday night."]
    meta = PageMeta(h1=["Library budget approved"], ld_headline="Library budget approved")
    meta.ld_body = body
    assert structured_body(meta, teaser) is not None
    meta.ld_headline = "Ferry operator orders two electric boats"
    assert structured_body(meta, teaser) is None


def test_a_full_article_on_the_page_is_kept_when_json_ld_repeats_it() -> None:
    article = extract_article(page("../harbour-ferry.html"))
    assert article.text_source is TextSource.PAGE


def test_body_paragraphs_follow_the_json_and_mend_glued_ones() -> None:
    assert body_paragraphs("One.\n\nTwo.\r\nThree.") == ["One.", "Two.", "Three."]
    assert body_paragraphs("<p>First &amp; foremost.</p><p>Second.</p>") == [
        "First & foremost.",
        "Second.",
    ]
    glued = "The vote was close.Councillors backed it 7 to 4.“We won,” she said.The end came."
    assert body_paragraphs(glued) == [
        "The vote was close.",
        "Councillors backed it 7 to 4.",
        "“We won,” she said.",
        "The end came.",
    ]
    # Ordinary sentences in one paragraph stay one paragraph; "U.S." is no paragraph end.
    assert body_paragraphs("The U.S. Senate voted. It passed.") == [
        "The U.S. Senate voted. It passed."
    ]
