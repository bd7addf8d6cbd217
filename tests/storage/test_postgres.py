"""The PostgreSQL backend's own promises, against a real server: the password never shows, the
pool keeps its size and a lane for lookups, driver errors are StorageErrors, a dropped
connection is replaced, and transactions take row locks (the hook cross-process work uses)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.storage.database import Database, StorageError, open_database
from bot.storage.postgres import PostgresDatabase
from bot.storage.stores import Stores
from config import PostgresURL, Settings, redact
from tests.helpers.postgres import needs_postgres

pytestmark = needs_postgres
SECRET = "hunter2-never-printed"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_a_url_shows_itself_without_its_password() -> None:
    url = f"postgresql://newsdesk:{SECRET}@db.example:5432/news"
    settings = Settings(_env_file=None, database=url)
    assert isinstance(settings.database, PostgresURL)
    assert settings.database.secret() == url
    for shown in (str(settings.database), repr(settings.database), repr(settings), str(settings)):
        assert SECRET not in shown
    assert str(settings.database) == "postgresql://newsdesk:***@db.example:5432/news"
    assert redact(f"failed: postgres://u:{SECRET}@h/d?sslmode=require") == (
        "failed: postgres://u:***@h/d?sslmode=require"
    )
    assert redact(f"host=h password={SECRET} user=u") == "host=h password=*** user=u"


async def test_an_unreachable_server_is_a_storage_error_without_the_password() -> None:
    url = f"postgresql://newsdesk:{SECRET}@127.0.0.1:{_closed_port()}/news"
    with pytest.raises(StorageError) as caught:
        await open_database(url, pool_size=2)
    error: BaseException | None = caught.value
    while error is not None:  # nor anywhere in the chain a traceback would print
        assert SECRET not in str(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)


async def test_stores_open_postgresql_from_the_settings(postgres_dsn: str) -> None:
    settings = Settings(_env_file=None, database=postgres_dsn, database_pool_size=3)
    stores = await Stores.open(settings)
    try:
        assert stores.database.dialect == "postgresql"
        await stores.modes.set_mode(1, 2, "off")
        assert await stores.modes.get_mode(2) == "off"
    finally:
        await stores.close()


@pytest.fixture
async def admin(postgres_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the test's own, outside Newsdesk's pool."""
    connection = await asyncpg.connect(postgres_dsn)
    try:
        yield connection
    finally:
        await connection.close()


async def _wait_for(admin: asyncpg.Connection, sql: str, expected: int) -> None:
    """Poll the server's own view until it shows `expected` (bounded: 30 s)."""
    for _ in range(3000):
        if await admin.fetchval(sql) == expected:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{sql!r} never reached {expected}")


async def test_heavy_reads_never_take_the_last_connection(
    postgres_dsn: str, admin: asyncpg.Connection
) -> None:
    db = await open_database(postgres_dsn, pool_size=3)
    blocked = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'newsdesk' AND wait_event_type = 'Lock'"
    )
    try:
        await admin.execute("SELECT pg_advisory_lock(4242)")
        searches = [
            asyncio.create_task(db.fetch_all("SELECT pg_advisory_xact_lock(4242)", heavy=True))
            for _ in range(5)
        ]
        await _wait_for(admin, blocked, 2)  # pool of 3: two heavy reads at a time
        assert await asyncio.wait_for(db.fetch_one("SELECT 42"), 10) == (42,)
        assert not any(search.done() for search in searches)
        connections = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'newsdesk'"
        )
        assert connections <= 3
        await admin.execute("SELECT pg_advisory_unlock(4242)")
        assert [len(await search) for search in searches] == [1] * 5
    finally:
        await admin.execute("SELECT pg_advisory_unlock_all()")
        await db.close()


async def test_driver_errors_reach_callers_as_storage_errors(postgres_database: Database) -> None:
    db = postgres_database
    with pytest.raises(StorageError, match="syntax error"):
        await db.execute("SELEKT 1")
    with pytest.raises(StorageError, match="invalid input"):
        await db.fetch_all("SELECT CAST(? AS INTEGER)", ("not a number",))
    with pytest.raises(StorageError):
        await db.fetch_all("SELECT ?", ())  # a parameter without a value
    with pytest.raises(StorageError, match="unterminated"):
        await db.fetch_all("SELECT 'open")
    assert await db.fetch_one("SELECT 1") == (1,)  # and the pool is fine afterwards


async def test_a_dropped_connection_is_replaced(
    postgres_database: Database, admin: asyncpg.Connection
) -> None:
    db = postgres_database
    await db.fetch_one("SELECT 1")
    await admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'newsdesk'"
    )
    for _ in range(3):  # a call on a dropped connection may fail, as a StorageError only
        try:
            assert await db.fetch_one("SELECT 2") == (2,)
            break
        except StorageError:
            continue
    else:
        raise AssertionError("the pool never recovered")
    await db.execute("CREATE TABLE after_drop (x INTEGER)")


async def test_transactions_take_row_locks_that_others_can_skip(
    postgres_database: Database,
) -> None:
    # The hook exactly-once work builds on: FOR UPDATE SKIP LOCKED inside `transaction()`.
    db = postgres_database
    await db.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, owner TEXT)")
    await db.execute_many("INSERT INTO jobs (id) VALUES (?)", [(1,), (2,)])
    claim = "SELECT id FROM jobs WHERE owner IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    first_claimed, release = asyncio.Event(), asyncio.Event()

    async def first() -> int:
        async with db.transaction() as tx:
            row = await tx.fetch_one(claim)
            assert row is not None
            first_claimed.set()
            await release.wait()
            await tx.execute("UPDATE jobs SET owner = 'first' WHERE id = ?", (row[0],))
            return int(row[0])

    task = asyncio.create_task(first())
    await first_claimed.wait()
    async with db.transaction() as tx:
        row = await tx.fetch_one(claim)
        assert row is not None
        await tx.execute("UPDATE jobs SET owner = 'second' WHERE id = ?", (row[0],))
    release.set()
    assert await task == 1
    assert await db.fetch_all("SELECT id, owner FROM jobs ORDER BY id") == [
        (1, "first"),
        (2, "second"),
    ]


async def test_the_pool_size_is_a_setting_with_a_floor(postgres_dsn: str) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        await PostgresDatabase.open(postgres_dsn, pool_size=1)
    with pytest.raises(ValueError):
        Settings(_env_file=None, database_pool_size=1)
