"""Rendering briefings for Discord: every limit met by trimming, article text never obeyed."""

from __future__ import annotations

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_app import render
from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure, Quote

WORDS_690 = ["word"] * 690  # 3 minutes at 230 words a minute


def make_briefing(**overrides: object) -> Briefing:
    values: dict[str, object] = {
        "source": "https://news.example/story",
        "url": "https://news.example/story",
        "headline": "Council approves harbour budget",
        "site": "The Example Gazette",
        "byline": "Ana Ortiz",
        "published": "2026-03-14",
        "image": "https://img.news.example/harbour.jpg",
        "paragraphs": [" ".join(WORDS_690)],
        "quotes": [
            Quote("We balanced it without closing a library", "Mayor Ruth Kimani", 2),
            Quote("The numbers do not add up", "Councillor Ben Ade", 4),
            Quote("Residents deserve better", None, 5),
            Quote("A fourth quote that is not shown", "Someone", 6),
        ],
        "briefing": ["The council passed the budget.", "Libraries stay open."],
    }
    values.update(overrides)
    return Briefing(**values)  # type: ignore[arg-type]


def embed_dict(embed: discord.Embed) -> dict:
    return embed.to_dict()  # type: ignore[return-value]


def test_embed_layout() -> None:
    data = embed_dict(render.briefing_embed(make_briefing()))
    assert data["title"] == "Council approves harbour budget"
    assert data["url"] == "https://news.example/story"
    assert data["author"] == {"name": "The Example Gazette"}
    assert data["description"] == "• The council passed the budget.\n• Libraries stay open."
    assert data["fields"] == [
        {
            "name": "Key quotes",
            "value": "“We balanced it without closing a library” — Mayor Ruth Kimani\n"
            "“The numbers do not add up” — Councillor Ben Ade\n"
            "“Residents deserve better”",
            "inline": False,
        }
    ]
    assert data["footer"] == {"text": "Ana Ortiz · 2026-03-14 · 3 min read · briefing: extractive"}
    assert data["thumbnail"] == {"url": "https://img.news.example/harbour.jpg"}


def test_missing_image_byline_and_date_leave_no_gaps() -> None:
    data = embed_dict(
        render.briefing_embed(make_briefing(image=None, byline=None, published=None, quotes=[]))
    )
    assert "thumbnail" not in data
    assert "fields" not in data
    assert data["footer"] == {"text": "3 min read · briefing: extractive"}


def test_thumbnail_only_for_web_urls() -> None:
    for image in (
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
        "/relative.jpg",
        "",
        "https://",
        "https://img.example/a photo.jpg",
        "https://[broken/x.jpg",
    ):
        assert "thumbnail" not in embed_dict(render.briefing_embed(make_briefing(image=image)))


def test_reading_time_rounds_and_never_says_zero() -> None:
    assert render.reading_time(0) == say("briefing.reading_time", minutes=1)
    assert render.reading_time(100) == say("briefing.reading_time", minutes=1)
    assert render.reading_time(690) == say("briefing.reading_time", minutes=3)
    assert render.reading_time(2300) == say("briefing.reading_time", minutes=10)


def test_long_headline_is_trimmed_at_a_word_boundary() -> None:
    headline = " ".join(["Harbour"] * 50) + " " + "x" * 30  # 429 characters
    assert len(headline) > 400
    title = render.briefing_embed(make_briefing(headline=headline)).title
    assert title is not None
    assert len(title) <= render.TITLE_LIMIT
    assert title.endswith("Harbour…")


def test_trim_keeps_short_text_and_cuts_long_text_on_words() -> None:
    assert render.trim("short", 10) == "short"
    assert render.trim("alpha beta gamma delta", 12) == "alpha beta…"
    assert render.trim("x" * 50, 10) == "x" * 9 + "…"  # no word boundary: cut mid-word
    assert render.trim("anything", 0) == ""
    assert len(render.trim("a \\*b", 4)) <= 4
    assert not render.trim("ab \\*\\*bold", 6).removesuffix("…").endswith("\\")


def test_every_embed_limit_holds_for_huge_input() -> None:
    huge = " ".join(["sentence"] * 3000)
    briefing = make_briefing(
        headline=huge,
        site="S" * 400,
        byline="B " * 1500,
        briefing=[huge] * 8,
        quotes=[Quote(huge, "Speaker " * 100, i) for i in range(30)],
    )
    embed = render.briefing_embed(briefing)
    data = embed_dict(embed)
    assert len(data["title"]) <= render.TITLE_LIMIT
    assert len(data["description"]) <= render.DESCRIPTION_LIMIT
    assert len(data["author"]["name"]) <= render.AUTHOR_LIMIT
    assert len(data["footer"]["text"]) <= render.FOOTER_LIMIT
    for item in data.get("fields", []):
        assert len(item["name"]) <= render.FIELD_NAME_LIMIT
        assert len(item["value"]) <= render.FIELD_VALUE_LIMIT
    assert len(data.get("fields", [])) <= render.FIELD_COUNT_LIMIT
    assert len(embed) <= render.MESSAGE_EMBED_CHARS


def test_thirty_quotes_show_the_top_three_in_one_field() -> None:
    quotes = [Quote(f"Quote number {i}", f"Speaker {i}", i) for i in range(30)]
    data = embed_dict(render.briefing_embed(make_briefing(quotes=quotes)))
    assert len(data["fields"]) == 1
    assert data["fields"][0]["value"].splitlines() == [
        "“Quote number 0” — Speaker 0",
        "“Quote number 1” — Speaker 1",
        "“Quote number 2” — Speaker 2",
    ]


def test_a_message_of_embeds_stays_within_6000_characters_and_10_embeds() -> None:
    long = " ".join(["budget"] * 1200)
    briefings = [
        make_briefing(headline=long, briefing=[long, long], quotes=[Quote(long, "A", 1)])
        for _ in range(12)
    ]
    embeds = render.briefing_embeds(briefings)
    assert len(embeds) == render.EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= render.MESSAGE_EMBED_CHARS
    for embed in embeds:
        assert embed.title and embed.description  # shrunk, not dropped


def test_failed_briefings_get_no_embed() -> None:
    failed = Briefing.failed("https://x.example", Failure(ErrorKind.FETCH, "Could not reach it."))
    assert render.briefing_embeds([failed, make_briefing()])[0].title == (
        "Council approves harbour budget"
    )
    assert render.briefing_embeds([failed]) == []


@pytest.mark.parametrize(
    ("raw", "must_not_contain"),
    [
        ("@everyone look", "@everyone"),
        ("@here now", "@here"),
        ("ping <@&123> role", "<@&123>"),
        ("ping <@456> user", "<@456>"),
        ("ping <@!789> nick", "<@!789>"),
        ("see <#321> channel", "<#321>"),
    ],
)
def test_mentions_are_neutralised(raw: str, must_not_contain: str) -> None:
    escaped = render.escape(raw)
    assert must_not_contain not in escaped
    assert escaped.replace("\u200b", "") == raw  # the reader still sees the same text


def test_markdown_and_masked_links_are_escaped() -> None:
    assert render.escape("**bold**") == "\\*\\*bold\\*\\*"
    masked = render.escape("[masked](http://x)")
    assert not masked.startswith("[")  # Discord would render a clickable "masked"
    assert masked == "\\[masked](http://x)"


def test_article_text_cannot_inject_into_any_rendered_part() -> None:
    nasty = "**bold** @everyone <@&123> [masked](http://x)"
    briefing = make_briefing(
        headline=nasty, briefing=[nasty], quotes=[Quote(nasty, "@here <@&123>", 1)]
    )
    data = embed_dict(render.briefing_embed(briefing))
    for text in (data["title"], data["description"], data["fields"][0]["value"]):
        assert "@everyone" not in text
        assert "<@&123>" not in text
        assert "**bold**" not in text
        assert "[masked](" not in text.replace("\\[", "")


def test_failure_message_is_plain_words_with_the_link() -> None:
    failed = Briefing.failed(
        "https://x.example/a",
        Failure(ErrorKind.HTTP_STATUS, say("fetch.status", status=404, phrase="Not Found")),
        "https://x.example/a",
    )
    text = render.failure_message(failed)
    assert text == say(
        "failure.of_link", link="https://x.example/a", reason="The site answered 404 Not Found."
    )


def test_failure_without_message_falls_back_to_words_for_its_kind() -> None:
    for kind in ErrorKind:
        text = render.failure_text(Failure(kind, ""))
        assert text and "Traceback" not in text and text.endswith(".")


def test_failures_message_fits_in_one_message() -> None:
    failed = [
        Briefing.failed(f"https://x.example/{i}", Failure(ErrorKind.TIMEOUT, "Too slow. " * 50))
        for i in range(20)
    ]
    text = render.failures_message([*failed, make_briefing()])
    assert 0 < len(text) <= render.CONTENT_LIMIT
    assert render.failures_message([make_briefing()]) == ""


def test_quote_pages_hold_every_quote_within_limits() -> None:
    quotes = [
        Quote(f"Quote {i}: " + " ".join(["words"] * 120), f"Speaker {i}", i) for i in range(30)
    ]
    pages = render.quote_pages(make_briefing(quotes=quotes))
    assert len(pages) > 1  # 30 long quotes do not fit one message
    text = "\n".join(e.description or "" for page in pages for e in page)
    for i in range(30):
        assert f"**{i + 1}.** “Quote {i}:" in text
        assert f"— Speaker {i}" in text
    for page in pages:
        assert len(page) <= render.EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in page) <= render.MESSAGE_EMBED_CHARS
        for embed in page:
            assert len(embed.description or "") <= render.DESCRIPTION_LIMIT
            assert len(embed.title or "") <= render.TITLE_LIMIT


def test_quote_pages_mark_unattributed_quotes_and_escape() -> None:
    pages = render.quote_pages(make_briefing(quotes=[Quote("**Loud** @everyone", None, 1)]))
    assert len(pages) == 1
    description = pages[0][0].description or ""
    assert "*unattributed*" in description
    assert "**Loud**" not in description and "@everyone" not in description


def test_quote_pages_empty_without_quotes() -> None:
    assert render.quote_pages(make_briefing(quotes=[])) == []


_TOKENS = [*"ab *_~`|>#-[]()@<&!:/\\\n “”—", "everyone", "<@&123>", "x" * 40, " word"]
_any_text = st.lists(st.sampled_from(_TOKENS), max_size=400).map("".join)


@settings(max_examples=60, deadline=None)
@given(
    headline=_any_text,
    site=_any_text,
    byline=_any_text,
    sentences=st.lists(_any_text, max_size=8),
    quotes=st.lists(st.tuples(_any_text, st.one_of(st.none(), _any_text)), max_size=30),
    count=st.integers(min_value=1, max_value=12),
)
def test_limits_hold_for_any_text(
    headline: str,
    site: str,
    byline: str,
    sentences: list[str],
    quotes: list[tuple[str, str | None]],
    count: int,
) -> None:
    briefing = make_briefing(
        headline=headline or None,
        site=site or None,
        byline=byline or None,
        briefing=sentences,
        quotes=[Quote(text, speaker, i) for i, (text, speaker) in enumerate(quotes)],
    )
    embeds = render.briefing_embeds([briefing] * count)
    assert len(embeds) == min(count, render.EMBEDS_PER_MESSAGE)
    assert sum(len(e) for e in embeds) <= render.MESSAGE_EMBED_CHARS
    for embed in embeds:
        data = embed.to_dict()
        assert 0 < len(data["title"]) <= render.TITLE_LIMIT
        assert len(data.get("description", "")) <= render.DESCRIPTION_LIMIT
        assert len(data.get("author", {}).get("name", "")) <= render.AUTHOR_LIMIT
        assert len(data.get("footer", {}).get("text", "")) <= render.FOOTER_LIMIT
        for item in data.get("fields", []):
            assert 0 < len(item["value"]) <= render.FIELD_VALUE_LIMIT
    for page in render.quote_pages(briefing):
        assert len(page) <= render.EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in page) <= render.MESSAGE_EMBED_CHARS


def test_quote_pages_truncation_footer_keeps_the_last_page_within_6000() -> None:
    # 100 quotes of this length pack the fifth page to exactly 6000 characters; the
    # "N of M quotes shown" footer used to push it over, and Discord refuses such a message.
    quotes = [Quote("q" * 961, None, i) for i in range(100)]
    pages = render.quote_pages(make_briefing(headline="H", quotes=quotes))
    assert len(pages) == render.MAX_QUOTE_PAGES
    for page in pages:
        assert sum(len(e) for e in page) <= render.MESSAGE_EMBED_CHARS
    footer = pages[-1][-1].footer.text or ""
    shown = sum((e.description or "").count("\n") + 1 for page in pages for e in page)
    assert footer == f"{shown} of 100 quotes shown"


RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_direction_overrides_from_the_page_never_reach_discord() -> None:
    briefing = make_briefing(
        headline=f"Mayor {RLO}sngiser{PDF} after vote",
        site=f"The {RLI}Gazette{PDI}",
        byline=f"Ana {RLO}Ortiz",
        quotes=[Quote(f"We will {RLO}not{PDF} resign", f"Mayor {RLO}Ruth Kimani", 2)],
        briefing=[f"The mayor {RLO}resigned."],
    )
    data = embed_dict(render.briefing_embed(briefing))
    shown = [
        data["title"],
        data["author"]["name"],
        data["description"],
        data["fields"][0]["value"],
        data["footer"]["text"],
    ]
    [page] = render.quote_pages(briefing)
    shown += [page[0].title or "", page[0].description or ""]
    assert not any(ch in text for text in shown for ch in BIDI)
    assert data["title"] == "Mayor sngiser after vote"
    assert "— Mayor Ruth Kimani" in data["fields"][0]["value"]
    hebrew = "ראש העיר התפטר\u200f."  # a right-to-left mark is ordinary punctuation help: kept
    assert embed_dict(render.briefing_embed(make_briefing(headline=hebrew)))["title"] == hebrew


@pytest.mark.parametrize(
    "byline",
    [
        "Jane Doe · briefing: gpt-4o-mini, checked",
        "Jane Doe, briefing: gpt-4o-mini, checked",
        "Jane Doe ｜ ｂｒｉｅｆｉｎｇ： gpt-4o-mini, checked",  # full-width lookalikes
        "Jane Doe ⸱ briefing gpt-4o-mini, checked",  # a separator we do not list
    ],
)
def test_a_byline_cannot_pose_as_the_briefing_method(byline: str) -> None:
    footer = render.footer_text(make_briefing(byline=byline))
    assert footer == "Jane Doe · 2026-03-14 · 3 min read · briefing: extractive"


def test_a_byline_that_is_only_a_fake_method_is_dropped() -> None:
    footer = render.footer_text(make_briefing(byline="briefing gpt-4o-mini checked"))
    assert footer == "2026-03-14 · 3 min read · briefing: extractive"


@pytest.mark.parametrize(
    "byline",
    [
        "Ana Ortiz",
        "AFP/The Local",
        "T. V. Raman",
        "Benjamin Fischer und Marcus Theurer",
        "Jane Doe Jr.",
        "María José (AFP)",
    ],
)
def test_ordinary_bylines_are_shown_whole(byline: str) -> None:
    assert render.footer_text(make_briefing(byline=byline)).startswith(byline + " · ")


def test_the_footer_says_where_the_text_was_found_when_not_on_the_page() -> None:
    from bot.models import TextSource

    briefing = Briefing(source="x", paragraphs=["One two three."], text_source=TextSource.AMP)
    footer = render.footer_text(briefing)
    assert footer.endswith("text from the page's AMP version · briefing: extractive")
    briefing.text_source = TextSource.STRUCTURED_DATA
    assert "text from the page's structured data" in render.footer_text(briefing)
    briefing.text_source = TextSource.PAGE
    assert "text from" not in render.footer_text(briefing)


def test_a_preview_is_marked_as_the_sites_own_and_escaped() -> None:
    from bot.discord_app.material import Preview
    from bot.messages import say

    card = Preview(
        url="https://news.example/story",
        title="**Big** news for <@123>",
        description="@everyone should read " + "this " * 2000,
        site="The Example Post",
    )
    embed = render.preview_embed(card, budget=1000)
    assert embed.footer.text == say("preview.label")
    assert embed.colour == render.PREVIEW_COLOUR != render.COLOUR
    assert embed.title is not None and "\\*\\*Big\\*\\*" in embed.title
    assert "<@123>" not in embed.title and "@everyone" not in (embed.description or "")
    assert len(embed) <= 1000


def test_previews_share_one_message_with_briefings_within_discord_limits() -> None:
    from bot.discord_app.material import Preview

    briefings = [
        Briefing(source=f"s{i}", headline="H" * 300, paragraphs=["x"], briefing=["y " * 900])
        for i in range(8)
    ]
    cards = [Preview(f"https://e.example/{i}", "T" * 300, "d " * 3000, "Site") for i in range(5)]
    embeds = render.briefing_embeds(briefings, cards)
    assert len(embeds) == render.EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= render.MESSAGE_EMBED_CHARS
    assert [e.colour for e in embeds[-2:]] == [render.PREVIEW_COLOUR] * 2


def test_a_failed_file_is_named_in_its_failure_line() -> None:
    failed = Briefing.failed("**minutes**.pdf", Failure(ErrorKind.NOT_ARTICLE, "No text."))
    assert render.failure_message(failed) == "I couldn't brief \\*\\*minutes\\*\\*.pdf: No text."
