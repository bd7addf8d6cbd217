"""The numbered migrations on PostgreSQL: the same steps and numbers as SQLite, the version in a
table, all or nothing, and two processes starting at the same moment migrate once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import asyncpg
import pytest

from bot.storage.database import SchemaTooNew, StorageError, open_database
from bot.storage.migrations import MIGRATIONS, Migration, migrate
from bot.storage.postgres import MIGRATION_LOCK, PostgresDatabase
from tests.helpers.paths import REPO
from tests.helpers.postgres import needs_postgres
from tests.storage.test_migrations import TABLES

pytestmark = needs_postgres


async def _tables(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    finally:
        await connection.close()
    return {r[0] for r in rows}


async def _version(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval("SELECT version FROM newsdesk_schema"))
    finally:
        await connection.close()


def test_every_step_has_a_postgresql_form() -> None:
    assert all(m.statements("postgresql") for m in MIGRATIONS)


async def test_a_new_database_gets_every_table_and_the_latest_version(postgres_dsn: str) -> None:
    await (await open_database(postgres_dsn)).close()
    # The same tables as SQLite, FTS5's table standing for the text and vectors of search.
    assert await _tables(postgres_dsn) >= (TABLES | {"archive_search", "newsdesk_schema"})
    assert await _version(postgres_dsn) == len(MIGRATIONS)


async def test_reopening_applies_nothing_twice(postgres_dsn: str) -> None:
    await (await open_database(postgres_dsn)).close()
    await (await open_database(postgres_dsn)).close()  # step 1 would fail if run again
    assert await _version(postgres_dsn) == len(MIGRATIONS)


async def test_a_later_migration_keeps_the_data(postgres_dsn: str) -> None:
    db = await open_database(postgres_dsn)
    await db.execute("INSERT INTO channel_modes (channel_id, guild_id, mode) VALUES (1, 10, 'off')")
    later = Migration(
        len(MIGRATIONS) + 1,
        "later feature",
        sqlite=("CREATE TABLE later (x)",),
        postgresql=("CREATE TABLE later (x BIGINT)",),
    )
    try:
        assert await migrate(db, [*MIGRATIONS, later]) == len(MIGRATIONS) + 1
        assert await db.fetch_one("SELECT mode, updated_at FROM channel_modes") is not None
        row = await db.fetch_one("SELECT updated_at FROM channel_modes")
        assert row is not None and len(row[0]) == len("2026-03-10 09:00:00")  # SQLite's form
    finally:
        await db.close()
    assert await _version(postgres_dsn) == len(MIGRATIONS) + 1


async def test_a_failing_step_leaves_the_database_as_it_was(postgres_dsn: str) -> None:
    db = await PostgresDatabase.open(postgres_dsn)
    broken = Migration(
        len(MIGRATIONS) + 1,
        "broken",
        sqlite=("SELECT 1",),
        postgresql=("CREATE TABLE x (a INTEGER)", "NONSENSE"),
    )
    try:
        with pytest.raises(StorageError, match="syntax error"):
            await migrate(db, [*MIGRATIONS, broken])
    finally:
        await db.close()
    assert await _tables(postgres_dsn) == set()  # DDL is transactional: not even step 1


async def test_a_newer_database_is_refused(postgres_dsn: str) -> None:
    await (await open_database(postgres_dsn)).close()
    connection = await asyncpg.connect(postgres_dsn)
    await connection.execute("UPDATE newsdesk_schema SET version = $1", len(MIGRATIONS) + 5)
    await connection.close()
    with pytest.raises(SchemaTooNew, match="newer than this Newsdesk"):
        await open_database(postgres_dsn)


OPENER = textwrap.dedent(
    """
    import asyncio, sys
    from bot.storage.database import open_database

    async def main(dsn):
        db = await open_database(dsn)
        print(await db.fetch_one("SELECT version FROM newsdesk_schema"), flush=True)
        await db.close()

    asyncio.run(main(sys.argv[1]))
    """
)


async def test_two_processes_starting_at_the_same_moment_migrate_once(postgres_dsn: str) -> None:
    # The test holds the migration lock while both processes start, and lets go only once the
    # server shows both of them waiting for it: they race for it at the same moment.
    holder = await asyncpg.connect(postgres_dsn)
    waiting = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes: list[subprocess.Popen[str]] = []
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-c", OPENER, postgres_dsn],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=REPO,
                    env=env,
                )
            )
        for _ in range(6000):  # bounded: 60 s for two interpreters to start and connect
            if await holder.fetchval(waiting, MIGRATION_LOCK & 0xFFFFFFFF) == 2:
                break
            assert all(p.poll() is None for p in processes), processes[0].communicate()
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the two processes never both waited for the migration lock")
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        outputs = [await asyncio.to_thread(p.communicate, timeout=120) for p in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()
        await holder.close()
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert [out.strip() for out, _ in outputs] == [f"({len(MIGRATIONS)},)"] * 2
    assert await _version(postgres_dsn) == len(MIGRATIONS)
