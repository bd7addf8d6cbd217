"""One numbered migration list for every table: applied once, in order, counted in the file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import SchemaTooNew, StorageError, open_database
from bot.storage.migrations import MIGRATIONS, Migration, migrate
from bot.storage.sqlite import SQLiteDatabase

TABLES = {
    "channel_modes",
    "guild_settings",
    "llm_budget",
    "answered_messages",
    "briefing_cache",
    "archive_articles",
    "archive_aliases",
    "archive_shares",
    "archive_fts",
    "digest_schedules",
    "work_leases",
    "rate_windows",
    "intake_jobs",
    "shard_watermarks",
}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_the_list_is_numbered_one_by_one_and_never_empty() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.statements("sqlite") for m in MIGRATIONS)


async def test_a_new_file_gets_every_table_and_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await (await open_database(path)).close()
    assert tables(path) >= TABLES
    assert version(path) == len(MIGRATIONS)


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await (await open_database(path)).close()
    db = await open_database(path)  # step 1 has no IF NOT EXISTS: a rerun would fail
    await db.close()
    assert version(path) == len(MIGRATIONS)


async def test_a_later_migration_is_applied_to_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await open_database(path)
    await db.execute("INSERT INTO channel_modes (channel_id, guild_id, mode) VALUES (1, 10, 'off')")
    later = Migration(len(MIGRATIONS) + 1, "later feature", sqlite=("CREATE TABLE later (x)",))
    try:
        assert await migrate(db, [*MIGRATIONS, later]) == len(MIGRATIONS) + 1
        await db.execute("INSERT INTO later (x) VALUES (1)")
        assert await db.fetch_one("SELECT mode FROM channel_modes") == ("off",)  # old data kept
    finally:
        await db.close()
    assert version(path) == len(MIGRATIONS) + 1


async def test_a_failing_step_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await SQLiteDatabase.open(path)
    broken = Migration(len(MIGRATIONS) + 1, "broken", sqlite=("CREATE TABLE x (a)", "NONSENSE"))
    try:
        with pytest.raises(StorageError, match="syntax error"):
            await migrate(db, [*MIGRATIONS, broken])
    finally:
        await db.close()
    assert version(path) == 0
    assert tables(path) == set()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(SchemaTooNew, match="newer than this Newsdesk"):
        await open_database(path)


async def test_two_openers_at_the_same_moment_both_start(tmp_path: Path) -> None:
    # Two bot processes started together: one migrates, the other waits and finds it done.
    path = tmp_path / "db.sqlite3"
    first, second = await asyncio.gather(open_database(path), open_database(path))
    await first.close()
    await second.close()
    assert version(path) == len(MIGRATIONS)
