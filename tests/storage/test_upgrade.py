"""A database written by the code before storage had one owner loses nothing: upgraded in place
(SQLite), or copied into PostgreSQL by `newsdesk migrate --from` (the copy function here; the
command itself in tests/cli/test_migrate.py).

The fixture was written by commit 7b210fe's own stores (see make_legacy_db.py beside it): schema
version 3, with the cache, archive and schedule tables made outside the migrations.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.llm.budget import DailyBudget
from bot.llm.switch import LLMGuildStore
from bot.models import Briefing, ErrorKind, Quote
from bot.storage.archive import Archive
from bot.storage.cache import BriefingCache
from bot.storage.database import Database, open_database
from bot.storage.guild_settings import GuildSettings
from bot.storage.migrations import MIGRATIONS
from bot.storage.modes import Store
from bot.storage.schedules import ScheduleStore
from bot.storage.sqlite import SQLiteDatabase
from bot.storage.transfer import copy_sqlite_to_postgres
from config import PostgresURL
from tests.helpers.paths import FIXTURES
from tests.helpers.storage import BACKENDS
from tests.storage.archive_checks import as_row, assert_index_matches_the_stored_rows, oracle

LEGACY = FIXTURES / "storage" / "legacy-7b210fe.sqlite3"
WRITTEN_AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # the fixture script's fixed clock
GUILD, NEWSROOM, POLITICS, QUIET = 4242, 111, 112, 113
LIGHTHOUSE = "https://coastwatch.example/2026/03/lighthouse-keepers"


def soon_after() -> datetime:
    return WRITTEN_AT + timedelta(minutes=1)


@pytest.fixture(params=BACKENDS)
async def upgraded(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    copy = tmp_path / "newsdesk.sqlite3"
    shutil.copyfile(LEGACY, copy)  # never touch the committed file
    target: Path | str = copy
    if request.param == "postgresql":
        target = str(request.getfixturevalue("postgres_dsn"))
        await copy_sqlite_to_postgres(copy, PostgresURL(target))
    db = await open_database(target)
    try:
        yield db
    finally:
        await db.close()


def test_the_fixture_is_what_the_old_code_wrote() -> None:
    # immutable: read the committed file without creating -wal/-shm files beside it
    with sqlite3.connect(f"file:{LEGACY}?mode=ro&immutable=1", uri=True) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert {"briefing_cache", "archive_fts", "digest_schedules"} <= names


async def test_the_upgrade_reaches_the_latest_version(upgraded: Database) -> None:
    if upgraded.dialect == "sqlite":
        assert await upgraded.fetch_one("PRAGMA user_version") == (len(MIGRATIONS),)
        assert await upgraded.fetch_one("PRAGMA integrity_check") == ("ok",)
    else:
        assert await upgraded.fetch_one("SELECT version FROM newsdesk_schema") == (len(MIGRATIONS),)


async def test_new_rows_get_ids_after_the_old_ones(upgraded: Database) -> None:
    # On PostgreSQL the identity sequences were moved past the copied ids.
    before = await upgraded.fetch_one("SELECT max(id) FROM archive_shares")
    assert before is not None
    archive = Archive(upgraded)
    fresh = Briefing(
        source="https://coastwatch.example/2026/03/seal-count",
        url="https://coastwatch.example/2026/03/seal-count",
        headline="Seal count on Skerra Point doubles",
        quotes=[Quote("We counted twice to be sure", "Odile Brandt", 0, 0.5)],
        briefing=["Volunteers counted twice as many seals as last year."],
    )
    await archive.record_share(
        fresh,
        guild_id=GUILD,
        channel_id=NEWSROOM,
        message_id=800100,
        jump_url=f"https://discord.com/channels/{GUILD}/{NEWSROOM}/800100",
        poster_id=5,
        shared_at=soon_after(),
    )
    after = await upgraded.fetch_one("SELECT max(id) FROM archive_shares")
    assert after is not None and after[0] == before[0] + 1
    articles = await upgraded.fetch_all("SELECT id FROM archive_articles ORDER BY id")
    assert len({a for (a,) in articles}) == 3
    assert [h.url for h in await archive.search(GUILD, "seals")] == [fresh.url]
    assert {h.url for h in await archive.search(GUILD, "Brandt")} == {fresh.url, LIGHTHOUSE}


async def test_channel_modes_and_answered_messages_are_kept(upgraded: Database) -> None:
    store = Store(upgraded)
    assert await store.get_mode(NEWSROOM) == "react"
    assert await store.get_mode(QUIET) == "off"
    assert await store.get_mode(POLITICS) == "auto"  # never set: the default
    assert await store.was_answered(900001)
    assert await store.was_answered(900002)
    assert not await store.was_answered(900003)


async def test_the_cached_briefing_and_the_cached_failure_are_kept(upgraded: Database) -> None:
    cache = BriefingCache(upgraded, clock=soon_after)
    briefing = await cache.get(LIGHTHOUSE)
    assert briefing is not None
    assert briefing.headline == "Last lighthouse keepers on Skerra Point to stay until 2030"
    assert briefing.byline == "Ines Farrow"
    assert briefing.quotes[0] == Quote(
        "A lamp cannot pull anyone out of the water", "Odile Brandt", 2, 0.9
    )
    assert len(briefing.paragraphs) == 3
    failure = await cache.get("https://slow.example/story")
    assert failure is not None and failure.error is not None
    assert failure.error.kind == ErrorKind.TIMEOUT

    async def must_not_fetch(url: str) -> Briefing:
        raise AssertionError(f"fetched {url} although it was cached")

    again = await cache.get_or_fetch(LIGHTHOUSE + "?utm_source=feed", must_not_fetch)
    assert again.headline == briefing.headline


async def test_the_archive_still_searches_and_feeds_digests(upgraded: Database) -> None:
    archive = Archive(upgraded)
    hits = await archive.search(GUILD, "Brandt")  # a speaker: the FTS rows came along
    assert [h.url for h in hits] == [LIGHTHOUSE]
    assert hits[0].jump_url == f"https://discord.com/channels/{GUILD}/{POLITICS}/800003"
    assert "**Brandt**" in hits[0].snippet
    stemmed = await archive.search(GUILD, "keeper", channel_ids={NEWSROOM})
    assert [h.message_id for h in stemmed] == [800001]
    assert [h.site for h in await archive.search(GUILD, "fares")] == ["The Velmora Courier"]
    items = await archive.shares_in_channel(GUILD, POLITICS, WRITTEN_AT - timedelta(days=1))
    assert [i.url for i in items] == [
        "https://velmora-courier.example/trams/fares-2026",
        LIGHTHOUSE,
    ]
    assert items[1].lede.startswith("The two keepers of the Skerra Point lighthouse")
    # New shares land beside the old ones, and forgetting still removes the search entry.
    assert await archive.forget(GUILD, LIGHTHOUSE + "?utm_source=feed") == 2
    assert await archive.search(GUILD, "Brandt") == []


async def test_the_digest_schedule_is_kept_with_its_last_run(upgraded: Database) -> None:
    schedule = await ScheduleStore(upgraded).get(GUILD, NEWSROOM)
    assert schedule is not None
    assert schedule.time_label == "18:00 Europe/Berlin"
    assert schedule.created_at == WRITTEN_AT
    assert schedule.last_run == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert schedule.unfinished is None  # step 10: handled before means delivered, not recovered


async def test_the_llm_switch_and_budget_are_kept(upgraded: Database) -> None:
    guilds = LLMGuildStore(GuildSettings(upgraded))
    assert await guilds.is_enabled(GUILD)
    assert not await guilds.is_enabled(GUILD + 1)
    budget = DailyBudget(limit=200, clock=soon_after)
    await guilds.load_budget(budget)
    assert budget.used(GUILD) == 3


async def test_the_upgrade_indexes_the_old_archive_per_server(upgraded: Database) -> None:
    # Migration 8 built the per-server index, the tokens and the word counts from the rows the
    # old code wrote; searches answer as the old single-table query did on the same file.
    if not isinstance(upgraded, SQLiteDatabase):
        pytest.skip("the per-server FTS5 index and its oracle are SQLite's")
    path = Path(upgraded.path)
    assert_index_matches_the_stored_rows(path)
    archive = Archive(upgraded)
    for text in ("Brandt", "keeper", "lighthouse keepers", "fares", "the", "tram*", "2030"):
        for channels in (None, {NEWSROOM}, {POLITICS, QUIET}):
            hits = await archive.search(GUILD, text, channel_ids=channels)
            assert [as_row(h) for h in hits] == oracle(path, GUILD, text, channels), text
    assert await archive.search(GUILD + 1, "Brandt") == []
