"""Digests: stories from archived shares, render-ready entries, summaries and quotes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.messages import say
from bot.models import Briefing, Quote
from bot.newsroom.digest import DigestQuote, build_digest, channel_digest, strongest_quote, summary
from bot.storage.archive import Archive, SharedArticle
from bot.storage.database import open_database
from tests.newsroom.test_stories import ITEMS, T0, make_share

SINCE = T0 - timedelta(hours=1)
UNTIL = T0 + timedelta(days=1)


def item(fixture_id: str) -> SharedArticle:
    return ITEMS[fixture_id][1]


def test_two_outlets_merge_into_one_entry_and_unrelated_story_stays_apart():
    courier, harbour, cup = item("port-courier"), item("port-harbourpost"), item("single-cup-final")
    digest = build_digest([courier, cup, harbour], since=SINCE, until=UNTIL, channel_id=10)
    assert len(digest.entries) == 2
    port, other = digest.entries
    assert port.headline == courier.headline
    assert port.url == courier.url
    assert port.outlets == ("The Velmora Courier", "Harbour Post")
    assert port.outlets_label == say(
        "digest.outlets", count=2, names="The Velmora Courier, Harbour Post"
    )
    assert port.share_count == 2
    assert port.jump_urls == [courier.shares[0].jump_url, harbour.shares[0].jump_url]
    assert port.quote == DigestQuote(
        "Nobody wins a strike, but our members held the line and it paid off", "Ilse Marrow"
    )
    assert port.summary == " ".join(courier.briefing)
    assert other.headline == cup.headline
    assert other.outlets_label == "Harbour Post"
    assert digest.article_count == 3
    assert digest.share_count == 3
    assert digest.omitted == 0
    assert not digest.empty


async def test_channel_digest_from_the_archive(database_target: Path | str):
    conn = await open_database(database_target)
    try:
        archive = Archive(conn)
        ids = ["breach-gazette", "breach-tech", "breach-ledger", "trap-water-ransomware"]
        for n, fixture_id in enumerate(ids):
            a = item(fixture_id)
            briefing = Briefing(
                source=a.url,
                url=a.url,
                headline=a.headline,
                site=a.site,
                paragraphs=a.lede.split("\n"),
                quotes=a.quotes,
                briefing=a.briefing,
            )
            for repeat in range(2 if fixture_id == "breach-tech" else 1):
                await archive.record_share(
                    briefing,
                    guild_id=1,
                    channel_id=10,
                    message_id=100 + 10 * n + repeat,
                    jump_url=f"https://discord.com/channels/1/10/{100 + 10 * n + repeat}",
                    poster_id=5,
                    shared_at=T0 + timedelta(minutes=n + repeat),
                )
        await archive.record_share(  # another channel: not in this digest
            briefing, guild_id=1, channel_id=99, message_id=999, jump_url="x", poster_id=5,
            shared_at=T0,
        )  # fmt: skip
        digest = await channel_digest(archive, 1, 10, since=SINCE, until=UNTIL)
    finally:
        await conn.close()
    assert [e.share_count for e in digest.entries] == [4, 1]
    breach, water = digest.entries
    assert set(breach.outlets) == {"Northfield Gazette", "Circuit Review", "Daily Ledger"}
    assert len(breach.links) == 4
    assert [link.jump_url.rsplit("/", 1)[1] for link in breach.links] == [
        "100",
        "110",
        "111",
        "120",
    ]
    assert breach.quote is not None and breach.quote.speaker == "Dr Helen Okoro"
    assert water.headline == item("trap-water-ransomware").headline
    assert water.quote is None
    assert digest.guild_id == 1 and digest.channel_id == 10


def test_max_stories_keeps_the_most_shared():
    busy = replace(
        item("single-cup-final"),
        shares=[make_share(50, T0), make_share(51, T0 + timedelta(minutes=1))],
    )
    others = [item("trap-fire-season"), item("trap-riverton-budget"), item("rates-wire")]
    digest = build_digest([*others, busy], since=SINCE, until=UNTIL, max_stories=2)
    assert digest.entries[0].headline == busy.headline
    assert len(digest.entries) == 2
    assert digest.omitted == 2


def test_empty_digest():
    digest = build_digest([], since=SINCE, until=UNTIL)
    assert digest.empty
    assert digest.entries == ()
    assert digest.share_count == 0


def test_summary_uses_whole_sentences_within_the_limit():
    a = item("port-courier")
    assert summary(a, max_chars=120) == a.briefing[0]
    assert summary(a, max_chars=400) == f"{a.briefing[0]} {a.briefing[1]}"
    cut = summary(a, max_chars=40)
    assert cut.endswith("…")
    assert len(cut) <= 41
    assert a.briefing[0].startswith(cut[:-1])


def test_summary_falls_back_to_the_lede_sentences():
    a = replace(
        item("fire-wire"),
        briefing=[],
        lede="Firefighters held the line overnight. Winds eased. Roads stay closed.",
    )
    assert summary(a) == "Firefighters held the line overnight. Winds eased."
    assert summary(replace(a, lede="")) == ""


def test_strongest_quote_prefers_a_named_speaker():
    a = replace(
        item("fire-courier"),
        quotes=[Quote("Unattributed but punchy", None, 1, 0.99), Quote("Named", "Ana Rui", 2, 0.1)],
    )
    assert strongest_quote([a]) == Quote("Named", "Ana Rui", 2, 0.1)
    assert strongest_quote([replace(a, quotes=[])]) is None


def test_digest_times_are_the_window():
    digest = build_digest([item("fire-courier")], since=SINCE, until=UNTIL)
    assert (digest.since, digest.until) == (SINCE, UNTIL)
    assert digest.entries[0].first_shared == digest.entries[0].last_shared
    assert digest.entries[0].first_shared.tzinfo is not None
    assert datetime(2026, 1, 1, tzinfo=UTC) < digest.entries[0].first_shared
