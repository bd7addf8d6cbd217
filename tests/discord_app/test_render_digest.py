"""Digest and search embeds: every Discord limit holds and article text stays inert."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import discord

from bot.discord_app import render_digest
from bot.discord_app.render import (
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_VALUE_LIMIT,
    MESSAGE_EMBED_CHARS,
    TITLE_LIMIT,
)
from bot.messages import say
from bot.newsroom.digest import Digest, DigestEntry, DigestLink, DigestQuote
from bot.storage.archive import SearchHit

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
SOLBERG = DigestQuote("The whole span shuddered.", "Ingrid Solberg")


def _link(n: int, outlet: str = "The Kestrel Bay Gazette") -> DigestLink:
    return DigestLink(
        outlet=outlet,
        headline="Bridge",
        url=f"https://example.org/{n}",
        jump_url=f"https://discord.com/channels/1/2/{1000 + n}",
        poster_id=7,
        shared_at=NOW - timedelta(minutes=n),
    )


def _entry(
    headline: str = "Cargo ship strikes Calder swing bridge",
    *,
    outlets: tuple[str, ...] = ("The Kestrel Bay Gazette", "Coastline Courier"),
    summary: str = "A cargo ship struck the Calder swing bridge early on Wednesday.",
    quote: DigestQuote | None = SOLBERG,
    links: int = 3,
) -> DigestEntry:
    shared = tuple(_link(n) for n in range(links))
    return DigestEntry(
        headline=headline,
        url="https://www.kestrelbay-gazette.example/news/calder-bridge",
        outlets=outlets,
        summary=summary,
        quote=quote,
        share_count=links,
        links=shared,
        first_shared=NOW - timedelta(hours=3),
        last_shared=NOW,
    )


def _digest(*entries: DigestEntry, omitted: int = 0) -> Digest:
    return Digest(
        guild_id=1,
        channel_id=2,
        since=NOW - timedelta(hours=24),
        until=NOW,
        entries=entries,
        article_count=sum(len(e.links) for e in entries),
        share_count=sum(e.share_count for e in entries),
        omitted=omitted,
    )


def _within_limits(page: list[discord.Embed]) -> None:
    assert 1 <= len(page) <= EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in page) <= MESSAGE_EMBED_CHARS
    for embed in page:
        assert len(embed.title or "") <= TITLE_LIMIT
        assert len(embed.description or "") <= DESCRIPTION_LIMIT
        assert all(len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)


def test_a_story_shows_outlets_summary_quote_and_every_post() -> None:
    (page,) = render_digest.digest_pages(_digest(_entry()))
    (embed,) = page
    assert embed.title == "Cargo ship strikes Calder swing bridge"
    assert embed.url == "https://www.kestrelbay-gazette.example/news/calder-bridge"
    assert embed.author.name == say(
        "digest.outlets", count=2, names="The Kestrel Bay Gazette, Coastline Courier"
    )
    summary, quote = (embed.description or "").split("\n\n")
    assert summary.startswith("A cargo ship struck")
    assert quote == "> “The whole span shuddered.” — Ingrid Solberg"
    posts = embed.fields[0].value or ""
    for n in range(3):
        assert f"(https://discord.com/channels/1/2/{1000 + n}) <t:" in posts


def test_ten_huge_stories_fit_one_message_within_every_limit() -> None:
    entry = _entry(
        "Headline " * 60,
        outlets=tuple(f"Outlet number {n}" for n in range(30)),
        summary="Very long summary sentence. " * 200,
        quote=DigestQuote("quoted words " * 300, "A Speaker With A Long Name " * 5),
        links=80,
    )
    pages = render_digest.digest_pages(_digest(*[entry] * 10))
    assert len(pages) == 1 and len(pages[0]) == 10
    _within_limits(pages[0])
    posts = pages[0][0].fields[0].value or ""
    assert posts.splitlines()[-1].endswith("more")  # the rest are counted, not dropped silently


def test_more_stories_than_one_message_holds_go_on_a_second_page() -> None:
    pages = render_digest.digest_pages(_digest(*[_entry()] * 12))
    assert [len(p) for p in pages] == [10, 2]
    for page in pages:
        _within_limits(page)


def test_article_text_cannot_ping_or_format_in_a_digest() -> None:
    entry = _entry(
        "**Breaking** @everyone <@&123>",
        summary="See [this](http://evil.example) now @here",
        quote=DigestQuote("ping <@42>", "__Bold__ Speaker"),
    )
    (embed,) = render_digest.digest_pages(_digest(entry))[0]
    text = f"{embed.title}\n{embed.description}"
    for raw in ("**Breaking**", "@everyone", "<@&123>", "@here", "<@42>", "__Bold__"):
        assert raw not in text
    assert "\\[this\\]" in text or "\\[this]" in text


def test_header_and_empty_digest_are_plain_words() -> None:
    header = render_digest.digest_header(_digest(_entry(), _entry(links=1), omitted=3), 24)
    assert header == say(
        "digest.header",
        where="<#2>",
        window=say("count.hour_many", count=24),
        articles=say("count.article_many", count=4),
        times=say("count.time_many", count=4),
        stories=say("count.story_many", count=5),
    ) + say("digest.showing_top", count=2)
    assert render_digest.empty_digest_text(2, 1) == (
        say("digest.empty", where="<#2>", window="1 hour")
    )
    assert render_digest.digest_pages(_digest()) == []


def _hit(n: int, headline: str = "Glassworks staff locked out", snippet: str = "") -> SearchHit:
    return SearchHit(
        headline=headline,
        site="Pellham Herald",
        published="2026-11-24T12:30:00+00:00",
        url=f"https://pellhamherald.example/{n}",
        jump_url=f"https://discord.com/channels/1/2/{n}",
        channel_id=2,
        message_id=n,
        shared_at=NOW,
        snippet=snippet or "union convenor **Quayle** said *workers*",
        rank=-1.0,
    )


def test_search_results_show_headline_outlet_date_snippet_and_jump_link() -> None:
    embed = render_digest.search_embed("Quayle", [_hit(5)])
    text = embed.description or ""
    assert text.startswith("**1. Glassworks staff locked out**")
    assert f"Pellham Herald · {say('search.published', date='2026-11-24')} · shared <t:" in text
    assert f"[{say('search.jump')}](https://discord.com/channels/1/2/5)" in text
    assert "**Quayle**" in text  # the match stays bold ...
    assert "\\*workers\\*" in text  # ... the article's own markup does not


def test_many_long_search_results_stay_within_the_description_limit() -> None:
    hits = [_hit(n, "word " * 100, "**long** " * 200) for n in range(10)]
    embed = render_digest.search_embed("long", hits)
    assert len(embed.description or "") <= DESCRIPTION_LIMIT
    assert len(embed) <= MESSAGE_EMBED_CHARS


def test_a_runaway_site_name_still_shows_the_best_result() -> None:
    # A page's site name is untrusted metadata; a huge one used to make the first result
    # longer than a description, so the embed came out empty ("Showing 0 of 1 matches").
    hit = dataclasses.replace(_hit(7), site="Herald " * 900)
    embed = render_digest.search_embed("Quayle", [hit])
    text = embed.description or ""
    assert text.startswith("**1. Glassworks staff locked out**")
    assert f"[{say('search.jump')}](https://discord.com/channels/1/2/7)" in text
    assert len(text) <= DESCRIPTION_LIMIT and embed.footer.text is None
