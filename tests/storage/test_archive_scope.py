"""The per-server index (issue 16): a search finds an article in exactly the servers that shared
it, through corrections and forgets, on both backends; on SQLite it reads only the asking
server's entries and every write keeps those entries, the stored tokens and the word counts
true to the archive."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.models import Briefing, Quote
from bot.storage.archive import Archive
from bot.storage.archive_fts import IndexQuery, _candidates, _Statistics, query_chunks
from bot.storage.archive_tokens import Phrase, Totals, phrases, register, tokenize
from bot.storage.database import Database
from bot.storage.sqlite import SQLiteDatabase
from tests.storage.archive_checks import as_row, assert_index_matches_the_stored_rows, oracle

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NORTH, SOUTH, EAST = 1001, 2002, 3003
NEWS, DESK, HIDDEN = 11, 12, 13


def path_of(database: Database) -> Path:
    assert isinstance(database, SQLiteDatabase)
    return Path(database.path)


def assert_consistent(database: Database) -> None:
    """On SQLite, the per-server index, tokens and counts equal a rebuild from the stored rows
    (PostgreSQL's `archive_search` is checked by what its searches find)."""
    if database.dialect == "sqlite":
        assert_index_matches_the_stored_rows(path_of(database))


def tram_briefing(headline: str = "Tram fares frozen as the depot strike ends") -> Briefing:
    return Briefing(
        source="https://velmora.example/tram?ref=feed",
        url="https://velmora.example/tram",
        fetched_url="https://velmora.example/tram",  # where the feed link redirected to
        headline=headline,
        site="Velmora Courier",
        paragraphs=["The strike at the tram depot ended on Monday."],
        quotes=[Quote("We kept the trams safe and the fares low", "Ines Farrow", 1, 0.7)],
        briefing=["Drivers at the tram depot returned to work after a two-week strike."],
    )


async def share(archive: Archive, b: Briefing, guild: int, channel: int, message: int) -> None:
    await archive.record_share(
        b,
        guild_id=guild,
        channel_id=channel,
        message_id=message,
        jump_url=f"https://discord.com/channels/{guild}/{channel}/{message}",
        poster_id=5,
        shared_at=T0 + timedelta(minutes=message),
    )


async def test_an_article_is_found_in_each_server_that_shared_it_only(database: Database) -> None:
    archive = Archive(database)
    await share(archive, tram_briefing(), NORTH, NEWS, 1)
    await share(archive, tram_briefing(), SOUTH, DESK, 2)
    assert [h.message_id for h in await archive.search(NORTH, "depot")] == [1]
    assert [h.message_id for h in await archive.search(SOUTH, "depot")] == [2]
    assert await archive.search(EAST, "depot") == []
    assert_consistent(database)


async def test_a_correction_reindexes_every_server_that_shared_it(database: Database) -> None:
    archive = Archive(database)
    await share(archive, tram_briefing(), NORTH, NEWS, 1)
    await share(archive, tram_briefing(), SOUTH, DESK, 2)
    await share(archive, tram_briefing("Tram fares rise after all"), SOUTH, DESK, 3)
    for guild in (NORTH, SOUTH):
        assert await archive.search(guild, "frozen") == []
        assert [h.headline for h in await archive.search(guild, "rise")] == [
            "Tram fares rise after all"
        ]
    assert_consistent(database)


async def test_the_same_share_twice_and_a_reshare_change_nothing(database: Database) -> None:
    archive = Archive(database)
    for message in (1, 1, 2):
        await share(archive, tram_briefing(), NORTH, NEWS, message)
    assert [h.message_id for h in await archive.search(NORTH, "Farrow")] == [2]
    assert_consistent(database)


async def test_forget_leaves_other_servers_and_hidden_channels(database: Database) -> None:
    archive = Archive(database)
    await share(archive, tram_briefing(), NORTH, NEWS, 1)
    await share(archive, tram_briefing(), NORTH, HIDDEN, 2)
    await share(archive, tram_briefing(), SOUTH, DESK, 3)
    # A member who sees only NEWS forgets it: the share in HIDDEN keeps it searchable there.
    assert await archive.forget(NORTH, "https://velmora.example/tram", channel_ids={NEWS}) == 1
    assert [h.channel_id for h in await archive.search(NORTH, "depot")] == [HIDDEN]
    assert_consistent(database)
    assert await archive.forget(NORTH, "https://velmora.example/tram") == 1
    assert await archive.search(NORTH, "depot") == []
    assert [h.message_id for h in await archive.search(SOUTH, "depot")] == [3]
    assert_consistent(database)
    assert await archive.forget(SOUTH, "https://velmora.example/tram") == 1
    assert await database.fetch_one("SELECT count(*) FROM archive_fts") == (0,)
    if database.dialect == "sqlite":
        for table in ("archive_tokens", "archive_terms"):
            assert await database.fetch_one(f"SELECT count(*) FROM {table}") == (0,)
    assert_consistent(database)


def plan(database: Database, text: str) -> str:
    """The candidates statement's query plan for a search in NORTH."""
    chunks = query_chunks(text)
    wanted = phrases(chunks)
    match = " ".join(f'"{words}"' + ("*" if prefix else "") for words, prefix in chunks)
    counted = [
        (f'"{w}"', p.pattern()) for (w, _), p in zip(chunks, wanted, strict=True) if not p.simple
    ]
    sql, params = _candidates(IndexQuery(NORTH, text, [NEWS], None, 10), match, wanted, counted)
    with sqlite3.connect(path_of(database)) as db:
        register(db)
        return "\n".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql, params))


async def test_a_search_reads_only_the_asking_servers_entries(sqlite_database: Database) -> None:
    database = sqlite_database
    # FTS5 gets the MATCH and the server's rowid range (`M…><`), and no query of a plain word
    # walks the whole archive's matches in archive_fts.
    shown = plan(database, "said the tram")
    # The scope rows are read newest first by FTS5 itself (idxNum 192: rowid order, descending),
    # not sorted afterwards, so the walk stops once the candidates are found.
    assert "SCAN m VIRTUAL TABLE INDEX 192:M" in shown
    assert "><" in shown.split("m VIRTUAL TABLE INDEX")[1].split("\n")[0]
    assert "archive_fts VIRTUAL TABLE" not in shown
    assert "SCAN archive_shares" not in shown and "SCAN s\n" not in shown
    # Only a phrase of several words (or a prefix) counts its articles in archive_fts.
    assert "archive_fts VIRTUAL TABLE INDEX 0:M" in plan(database, "e-bike")


def test_tokens_are_those_of_the_index() -> None:
    assert tokenize(["Resigned!", "José's e-bike", "", "ZOË 3.2"]) == [
        ["resign"],
        ["jose", "s", "e", "bike"],
        [],
        ["zoe", "3", "2"],
    ]


def test_phrase_counts_follow_fts5() -> None:
    column = '["a","a","a","ferri","fare","farewel"]'
    assert Phrase(("a",), False).count_in(column) == 3
    assert Phrase(("a", "a"), False).count_in(column) == 2  # overlapping instances count
    assert Phrase(("far",), True).count_in(column) == 2
    assert Phrase(("a", "ferri"), False).count_in(column) == 1
    assert Phrase(("erri",), False).count_in(column) == 0  # never inside a token


async def test_the_averages_record_is_read_as_fts5_counts(sqlite_database: Database) -> None:
    database = sqlite_database
    archive = Archive(database)
    await share(archive, tram_briefing(), NORTH, NEWS, 1)
    await share(archive, tram_briefing("Another tram story"), NORTH, NEWS, 2)
    with sqlite3.connect(path_of(database)) as db:
        record = db.execute("SELECT block FROM archive_fts_data WHERE id = 1").fetchone()[0]
        rows, tokens = db.execute("SELECT count(*), sum(length) FROM archive_tokens").fetchone()
    assert Totals.decode(record) == Totals(rows=rows, tokens=tokens)


async def test_results_equal_the_single_table_query_here_too(sqlite_database: Database) -> None:
    database = sqlite_database
    archive = Archive(database)
    await share(archive, tram_briefing(), NORTH, NEWS, 1)
    await share(archive, tram_briefing("Tram fares rise"), SOUTH, DESK, 2)
    for text in ("tram", "fares frozen", "Farrow", "tram*"):
        hits = await archive.search(NORTH, text)
        assert [as_row(h) for h in hits] == oracle(path_of(database), NORTH, text)


def ebike_briefing(n: int, headline: str) -> Briefing:
    return Briefing(
        source=f"https://velmora.example/ebike-{n}",
        url=f"https://velmora.example/ebike-{n}",
        headline=headline,
        site="Velmora Courier",
        paragraphs=["Rentals rose."],
        quotes=[],
        briefing=[f"{headline}, the council said."],
    )


async def test_a_phrase_count_is_kept_and_follows_every_write(sqlite_database: Database) -> None:
    # "e-bike" is not one word: its article count is made once in archive_fts, then kept by the
    # triggers through new shares, corrections and forgets.
    database = sqlite_database
    archive = Archive(database)
    await share(archive, ebike_briefing(1, "E-bike rentals double"), NORTH, NEWS, 1)
    await share(archive, ebike_briefing(2, "Bike lanes and an e-bike levy"), SOUTH, DESK, 2)
    assert await database.fetch_all("SELECT pattern, articles FROM archive_phrases") == []
    hits = await archive.search(NORTH, "e-bike")
    assert [as_row(h) for h in hits] == oracle(path_of(database), NORTH, "e-bike")
    kept = 'SELECT articles FROM archive_phrases WHERE pattern = \'"e","bike"\''
    assert await database.fetch_one(kept) == (2,)
    await share(archive, ebike_briefing(3, "E-bike thefts fall"), NORTH, NEWS, 3)
    await share(archive, ebike_briefing(1, "Bike rentals double"), NORTH, NEWS, 4)  # corrected
    assert await archive.forget(SOUTH, "https://velmora.example/ebike-2") == 1
    assert await database.fetch_one(kept) == (1,)
    assert_consistent(database)
    for text in ("e-bike", "bike", "e-bike thefts", "e-bik*"):
        hits = await archive.search(NORTH, text)
        assert [as_row(h) for h in hits] == oracle(path_of(database), NORTH, text), text


async def test_a_count_made_before_a_write_is_not_kept(sqlite_database: Database) -> None:
    database = sqlite_database
    archive = Archive(database)
    await share(archive, ebike_briefing(1, "E-bike rentals double"), NORTH, NEWS, 1)
    generation = await database.fetch_one("SELECT generation FROM archive_index_state")
    assert generation is not None
    stale = _Statistics(Totals(1, 1), [], int(generation[0]), {'"e","bike"': 1})
    await share(archive, ebike_briefing(2, "E-bike levy"), NORTH, NEWS, 2)  # moves it on
    await database.execute_batch(stale.remember())
    assert await database.fetch_all("SELECT * FROM archive_phrases") == []
