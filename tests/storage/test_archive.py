"""The archive on both backends: search (order, visibility, hostile queries, snippets), forget,
digests; on SQLite also a crash mid-write and FTS5 query syntax."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Briefing, ErrorKind, Failure, Quote
from bot.storage.archive import Archive, fts_query
from bot.storage.database import Database, open_database
from bot.storage.limits import StorageLimits
from tests.helpers.paths import REPO

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 1001, 2002
NEWS, POLITICS, SECRET = 11, 12, 13


def ferry_briefing(source: str = "https://harbourpost.example/ferry?utm_source=x") -> Briefing:
    return Briefing(
        source=source,
        url="https://harbourpost.example/ferry",
        headline="Island ferry fares frozen for another year",
        site="Harbour Post",
        published="2026-03-09",
        paragraphs=["The island ferry operator froze fares.", "Islanders had campaigned."],
        quotes=[
            Quote("We listened to the islanders and the numbers allowed it", "Mira Talvik", 1, 0.8),
            Quote("A fare rise would have emptied the morning boats", "Jonas Kettil", 3, 0.5),
        ],
        briefing=["The operator of the island ferry froze fares for a further year."],
    )


def budget_briefing() -> Briefing:
    return Briefing(
        source="https://rivertonherald.example/budget",
        url="https://rivertonherald.example/budget",
        headline="Riverton budget adds money for school roofs",
        site="Riverton Herald",
        paragraphs=["Riverton approved its budget."],
        quotes=[Quote("Children should not learn under buckets", "Amara Quist", 1, 0.6)],
        briefing=["Riverton's budget sets aside 3.2 million for roofs; ferry subsidies unchanged."],
    )


@pytest.fixture
def archive(database: Database) -> Archive:
    return Archive(database)


async def share(
    archive: Archive,
    briefing: Briefing,
    *,
    message_id: int,
    channel_id: int = NEWS,
    guild_id: int = GUILD,
    at: datetime = T0,
) -> None:
    await archive.record_share(
        briefing,
        guild_id=guild_id,
        channel_id=channel_id,
        message_id=message_id,
        jump_url=f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}",
        poster_id=77,
        shared_at=at,
    )


async def test_search_finds_a_speaker_by_name(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, budget_briefing(), message_id=2)
    hits = await archive.search(GUILD, "Talvik")
    assert [h.url for h in hits] == ["https://harbourpost.example/ferry"]
    hit = hits[0]
    assert hit.headline == "Island ferry fares frozen for another year"
    assert hit.site == "Harbour Post"
    assert hit.published == "2026-03-09"
    assert hit.jump_url == f"https://discord.com/channels/{GUILD}/{NEWS}/1"
    assert hit.channel_id == NEWS
    assert hit.shared_at == T0
    assert "**Talvik**" in hit.snippet


async def test_search_finds_a_word_of_a_quote(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, budget_briefing(), message_id=2)
    assert [h.site for h in await archive.search(GUILD, "buckets")] == ["Riverton Herald"]
    # stemming: "emptying" finds "emptied"; diacritics are folded
    assert [h.site for h in await archive.search(GUILD, "emptying")] == ["Harbour Post"]
    assert [h.site for h in await archive.search(GUILD, "ISLÁNDERS")] == ["Harbour Post"]


async def test_every_word_is_required(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, budget_briefing(), message_id=2)
    assert [h.site for h in await archive.search(GUILD, "ferry roofs")] == ["Riverton Herald"]
    assert await archive.search(GUILD, "ferry elephants") == []


async def test_headline_match_outranks_body_match(archive: Archive):
    await share(archive, budget_briefing(), message_id=2, at=T0 + timedelta(hours=1))
    await share(archive, ferry_briefing(), message_id=1)
    hits = await archive.search(GUILD, "ferry")
    assert [h.site for h in hits] == ["Harbour Post", "Riverton Herald"]


def weighted(where: str) -> Briefing:
    """A briefing that says "Ostrava" once, in the field `where`; otherwise alike."""
    place = {"headline": "", "speaker": "", "quote": "", "briefing": ""}
    place[where] = "Ostrava "
    return Briefing(
        source=f"https://wire.example/{where}",
        url=f"https://wire.example/{where}",
        headline=f"{place['headline']}Council votes on the tram depot plan",
        site=f"Wire {where}",
        paragraphs=["The council met."],
        quotes=[
            Quote(
                f"{place['quote']}We will build the depot", f"{place['speaker']}Ana Novak", 1, 0.7
            )
        ],
        briefing=[f"The council approved the {place['briefing']}depot after a long debate."],
    )


async def test_field_weights_order_the_hits(archive: Archive):
    # headline > speakers > quotes > briefing, as bm25's column weights say (and ts_rank's);
    # shared newest-first in the opposite order, so the time of sharing cannot explain it.
    fields = ["headline", "speaker", "quote", "briefing"]
    for n, where in enumerate(reversed(fields)):
        await share(archive, weighted(where), message_id=n + 1, at=T0 + timedelta(minutes=n))
    hits = await archive.search(GUILD, "Ostrava")
    assert [h.site for h in hits] == [f"Wire {where}" for where in fields]
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    assert all("**Ostrava**" in h.snippet for h in hits)


async def test_equal_ranks_put_newest_first(archive: Archive):
    older = ferry_briefing()
    newer = ferry_briefing("https://harbourpost.example/ferry-copy")
    newer.url = "https://harbourpost.example/ferry-copy"
    await share(archive, older, message_id=1, at=T0)
    await share(archive, newer, message_id=2, at=T0 + timedelta(hours=2))
    hits = await archive.search(GUILD, "ferry")
    assert [h.url for h in hits] == [newer.url, older.url]


async def test_one_hit_per_article_linked_to_newest_visible_share(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1, channel_id=NEWS, at=T0)
    await share(archive, ferry_briefing(), message_id=2, channel_id=SECRET, at=T0 + timedelta(1))
    everything = await archive.search(GUILD, "ferry")
    assert len(everything) == 1
    assert everything[0].channel_id == SECRET
    visible = await archive.search(GUILD, "ferry", channel_ids={NEWS, POLITICS})
    assert len(visible) == 1
    assert visible[0].channel_id == NEWS
    assert visible[0].jump_url.endswith("/1")


async def test_channel_visibility_filter(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1, channel_id=SECRET)
    await share(archive, budget_briefing(), message_id=2, channel_id=NEWS)
    assert await archive.search(GUILD, "Talvik", channel_ids=[NEWS, POLITICS]) == []
    assert len(await archive.search(GUILD, "Talvik", channel_ids=[SECRET])) == 1
    assert await archive.search(GUILD, "Talvik", channel_ids=[]) == []
    assert [h.channel_id for h in await archive.search(GUILD, "budget", channel_ids=[NEWS])] == [
        NEWS
    ]


async def test_search_is_scoped_to_the_guild_and_since(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1, guild_id=OTHER_GUILD)
    await share(archive, budget_briefing(), message_id=2, at=T0)
    assert await archive.search(GUILD, "Talvik") == []
    assert len(await archive.search(OTHER_GUILD, "Talvik")) == 1
    assert len(await archive.search(GUILD, "Quist", since=T0)) == 1
    assert await archive.search(GUILD, "Quist", since=T0 + timedelta(seconds=1)) == []


async def test_a_page_claiming_anothers_address_does_not_overwrite_its_article(
    archive: Archive,
):
    real = ferry_briefing("https://harbourpost.example/ferry")
    real.fetched_url = real.source
    await share(archive, real, message_id=1, at=T0)
    forged = ferry_briefing("https://harbourpost.example/evil")
    forged.fetched_url = forged.source  # fetched from /evil, declaring canonical /ferry
    forged.headline = "Ferry operator admits fares were rigged"
    forged.quotes = []
    await share(archive, forged, message_id=2, at=T0 + timedelta(hours=1))
    [hit] = await archive.search(GUILD, "frozen")
    assert (hit.url, hit.headline) == (real.source, real.headline)
    [forged_hit] = await archive.search(GUILD, "rigged")
    assert forged_hit.url == "https://harbourpost.example/evil"


async def test_limit(archive: Archive):
    for n in range(5):
        b = ferry_briefing(f"https://harbourpost.example/ferry-{n}")
        b.url = b.source
        await share(archive, b, message_id=n + 1, at=T0 + timedelta(minutes=n))
    assert len(await archive.search(GUILD, "ferry", limit=3)) == 3


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "-",
        "AND",
        "OR NOT",
        "ferry AND",
        "NOT ferry",
        '"unbalanced ferry',
        "NEAR(ferry fares)",
        "headline:ferry",
        "^ferry",
        "(ferry",
        "ferry)",
        "fer*ry",
        "e-bike",
        "'; DROP TABLE archive_shares; --",
        "___",
        "…",
    ],
)
async def test_fts_hostile_queries_never_raise(archive: Archive, query: str):
    await share(archive, ferry_briefing(), message_id=1)
    hits = await archive.search(GUILD, query)
    assert isinstance(hits, list)
    assert len(await archive.search(GUILD, "ferry")) == 1  # the table is still there


async def test_queries_without_words_return_nothing(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1)
    for query in ['"', "*", "-", "()", "   ", "___", "…"]:
        assert fts_query(query) is None
        assert await archive.search(GUILD, query) == []


async def test_operators_are_plain_words(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1)  # contains "and" in a quote
    await share(archive, budget_briefing(), message_id=2)  # no "and" anywhere
    assert [h.site for h in await archive.search(GUILD, "AND")] == ["Harbour Post"]
    # as an operator NOT would exclude every ferry story; as a word it finds the one with both
    assert [h.site for h in await archive.search(GUILD, "NOT ferry")] == ["Riverton Herald"]
    assert [h.site for h in await archive.search(GUILD, "-Talvik")] == ["Harbour Post"]


def test_fts_query_quotes_each_chunk_and_keeps_prefix():
    assert fts_query('ferry "fares') == '"ferry" "fares"'
    assert fts_query("e-bike isl*") == '"e bike" "isl"*'
    assert fts_query("OR") == '"OR"'


async def test_prefix_search(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1)
    assert len(await archive.search(GUILD, "Talv*")) == 1


async def test_forget_removes_this_guilds_shares_only(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, ferry_briefing(), message_id=2, channel_id=POLITICS)
    await share(archive, ferry_briefing(), message_id=3, guild_id=OTHER_GUILD)
    removed = await archive.forget(GUILD, "https://harbourpost.example/ferry?utm_source=x")
    assert removed == 2
    assert await archive.search(GUILD, "ferry") == []
    assert len(await archive.search(OTHER_GUILD, "ferry")) == 1
    assert await archive.forget(GUILD, "https://harbourpost.example/ferry") == 0


async def test_forget_removes_and_counts_only_shares_in_the_channels_given(archive: Archive):
    # A moderator of #news must not reach (or learn about) a share in a channel they can't see.
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, ferry_briefing(), message_id=2, channel_id=SECRET)
    link = "https://harbourpost.example/ferry"
    assert await archive.share_channels(GUILD, link) == {NEWS, SECRET}
    assert await archive.forget(GUILD, link, channel_ids={NEWS, POLITICS}) == 1
    assert await archive.share_channels(GUILD, link) == {SECRET}
    assert await archive.forget(GUILD, link, channel_ids={NEWS}) == 0  # only #secret is left
    assert await archive.forget(GUILD, link, channel_ids=set()) == 0
    hits = await archive.search(GUILD, "ferry")
    assert [h.channel_id for h in hits] == [SECRET]  # the article stays while a share does
    assert await archive.forget(GUILD, link, channel_ids={SECRET}) == 1
    assert await archive.search(GUILD, "ferry") == []


async def test_share_channels_are_per_guild_and_found_by_the_pasted_link(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1, channel_id=POLITICS)
    await share(archive, ferry_briefing(), message_id=2, guild_id=OTHER_GUILD, channel_id=SECRET)
    pasted = "https://harbourpost.example/ferry?utm_source=x"
    assert await archive.share_channels(GUILD, pasted) == {POLITICS}
    assert await archive.share_channels(GUILD, "https://harbourpost.example/other") == set()


async def test_forget_deletes_the_article_when_no_share_remains(database: Database):
    archive = Archive(database)
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, budget_briefing(), message_id=2)
    assert await archive.forget(GUILD, "https://harbourpost.example/ferry") == 1
    urls = await database.fetch_all("SELECT url FROM archive_articles")
    assert urls == [("https://rivertonherald.example/budget",)]
    # The search entry went with it (FTS5's row; PostgreSQL's text row and server copy).
    assert await database.fetch_one("SELECT count(*) FROM archive_fts") == (1,)
    if database.dialect == "postgresql":
        assert await database.fetch_one("SELECT count(*) FROM archive_search") == (1,)
    assert await archive.search(GUILD, "Talvik") == []


async def test_forget_in_some_channels_keeps_the_servers_search_entry(database: Database):
    archive = Archive(database)
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, ferry_briefing(), message_id=2, channel_id=SECRET)
    link = "https://harbourpost.example/ferry"
    assert await archive.forget(GUILD, link, channel_ids={NEWS}) == 1
    assert [h.channel_id for h in await archive.search(GUILD, "Talvik")] == [SECRET]
    if database.dialect == "postgresql":  # the server's copy of the vector stays with a share
        assert await database.fetch_one("SELECT count(*) FROM archive_search") == (1,)


async def test_article_is_stored_once_and_updated_on_reshare(archive: Archive, tmp_path: Path):
    await share(archive, ferry_briefing(), message_id=1)
    corrected = ferry_briefing()
    corrected.headline = "Island ferry fares frozen until 2028"
    await share(archive, corrected, message_id=2, at=T0 + timedelta(hours=1))
    await share(archive, corrected, message_id=2, at=T0 + timedelta(hours=1))  # duplicate event
    hits = await archive.search(GUILD, "2028")
    assert [h.headline for h in hits] == ["Island ferry fares frozen until 2028"]
    assert await archive.search(GUILD, "another year") == []
    items = await archive.shares_in_channel(GUILD, NEWS, T0)
    assert len(items) == 1
    assert [s.message_id for s in items[0].shares] == [1, 2]


async def test_failed_briefings_are_not_archived(archive: Archive):
    failed = Briefing.failed("https://x.example/a", Failure(ErrorKind.BLOCKED, "Blocked."))
    await share(archive, failed, message_id=1)
    assert await archive.shares_in_channel(GUILD, NEWS, T0 - timedelta(days=1)) == []


async def test_shares_in_channel_for_digests(archive: Archive):
    await share(archive, ferry_briefing(), message_id=1, at=T0 - timedelta(days=2))
    await share(archive, ferry_briefing(), message_id=2, at=T0 + timedelta(minutes=5))
    await share(archive, budget_briefing(), message_id=3, at=T0 + timedelta(minutes=1))
    await share(archive, budget_briefing(), message_id=4, channel_id=POLITICS, at=T0)
    items = await archive.shares_in_channel(GUILD, NEWS, T0)
    assert [i.url for i in items] == [
        "https://rivertonherald.example/budget",
        "https://harbourpost.example/ferry",
    ]
    ferry = items[1]
    assert [s.message_id for s in ferry.shares] == [2]
    assert ferry.lede == "The island ferry operator froze fares.\nIslanders had campaigned."
    assert ferry.quotes[0] == Quote(
        "We listened to the islanders and the numbers allowed it", "Mira Talvik", 1, 0.8
    )
    assert ferry.briefing == ["The operator of the island ferry froze fares for a further year."]
    bounded = await archive.shares_in_channel(GUILD, NEWS, T0, until=T0 + timedelta(minutes=2))
    assert [i.url for i in bounded] == ["https://rivertonherald.example/budget"]


async def test_archive_survives_reopening(database_target: Path | str):
    path = database_target
    db = await open_database(path)
    await share(Archive(db), ferry_briefing(), message_id=1)
    await db.close()
    db = await open_database(path)
    try:
        assert len(await Archive(db).search(GUILD, "Talvik")) == 1
    finally:
        await db.close()


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from bot.storage.archive import Archive
    from bot.storage.database import open_database
    from bot.models import Briefing, Quote

    async def main(path):
        archive = Archive(await open_database(path))
        n = 0
        while True:
            n += 1
            briefing = Briefing(
                source=f"https://wire.example/story-{n}",
                url=f"https://wire.example/story-{n}",
                headline=f"Story number {n} about the harbour",
                paragraphs=["Lede paragraph. " * 40],
                quotes=[Quote("We keep going", "Ona Lusk", 0, 0.5)],
                briefing=["Something happened at the harbour. " * 10],
            )
            await archive.record_share(
                briefing, guild_id=1, channel_id=2, message_id=n,
                jump_url=f"https://discord.com/channels/1/2/{n}", poster_id=3,
                shared_at=datetime.now(UTC),
            )
            print(n, flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)


def test_archive_survives_being_killed_mid_write(tmp_path: Path):
    path = tmp_path / "killed.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    committed = 0
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # blocks until the writer reports a committed share
            committed = int(line)
            if committed >= 60:
                break
        assert committed >= 60, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)  # while it is busy writing the next shares
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {r[0] for r in conn.execute("SELECT message_id FROM archive_shares")}
        articles = conn.execute("SELECT count(*) FROM archive_articles").fetchone()[0]
        fts = conn.execute("SELECT count(*) FROM archive_fts").fetchone()[0]
        conn.execute("INSERT INTO archive_fts(archive_fts) VALUES ('integrity-check')")
    assert set(range(1, committed + 1)) <= ids
    assert articles == fts == len(ids)  # each share's article and FTS row are all-or-nothing


async def test_every_store_works_on_one_database(database: Database):
    from bot.newsroom.schedule import ScheduleStore
    from bot.storage.cache import BriefingCache
    from bot.storage.modes import Store

    store, archive = Store(database), Archive(database)
    cache, schedules = BriefingCache(database), ScheduleStore(database)
    await share(archive, ferry_briefing(), message_id=1)
    await store.set_mode(GUILD, NEWS, "react")
    await schedules.set(GUILD, NEWS, 18, 0, "Europe/Berlin")
    assert await cache.purge_expired() == 0
    assert await store.get_mode(NEWS) == "react"
    assert len(await archive.search(GUILD, "Talvik")) == 1
    assert len(await schedules.all()) == 1


async def test_archived_text_and_quotes_are_capped(database: Database):
    archive = Archive(database, limits=StorageLimits(text_chars=1_000, quote_chars=100))
    giant = ferry_briefing()
    giant.paragraphs = ["The island ferry operator froze fares. " * 300] * 3
    giant.quotes = [Quote("We listened to the islanders " * 40, "Mira Talvik", 1, 0.8)]
    await share(archive, giant, message_id=1)
    [item] = await archive.shares_in_channel(GUILD, NEWS, T0)
    assert len(item.lede) <= 1_000
    assert len(item.quotes[0].text) <= 100
    assert [h.url for h in await archive.search(GUILD, "Talvik islanders")] == [giant.url]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_valid_match_expression(text: str):
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO t VALUES ('harbour ferry fares frozen')")
    match = fts_query(text)
    if match is not None:
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()
