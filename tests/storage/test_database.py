"""The storage owner's guarantees every store builds on — transactions, reads beside writes,
lookups in order, errors, closing — on both backends; and SQLite's own machinery (WAL,
read-only readers, the busy timeout, syncing)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.storage.database import Database, StorageError, open_database
from bot.storage.sqlite import SQLiteDatabase


async def make_table(db: Database) -> None:
    await db.execute("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)")


async def test_open_creates_the_file_and_its_folder_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "newsdesk.sqlite3"
    db = await open_database(path)
    try:
        assert path.is_file()
        assert await db.fetch_one("PRAGMA journal_mode") == ("wal",)
    finally:
        await db.close()


async def test_every_connection_has_the_busy_timeout_and_readers_are_read_only(
    tmp_path: Path,
) -> None:
    db = await SQLiteDatabase.open(tmp_path / "db.sqlite3", busy_timeout_ms=1234, readers=2)
    try:
        connections = [db._writer, *db._readers]
        assert len(connections) == 3
        for connection in connections:
            timeout = await connection.submit(lambda c: c.execute("PRAGMA busy_timeout").fetchone())
            assert timeout == (1234,)
        for reader in db._readers:
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                await reader.submit(lambda c: c.execute("CREATE TABLE nope (x)"))
    finally:
        await db.close()


async def test_commits_sync_at_checkpoints_unless_durable_commits_are_asked_for(
    tmp_path: Path,
) -> None:
    for durable, expected in ((False, 1), (True, 2)):  # 1 NORMAL, 2 FULL
        db = await open_database(tmp_path / f"db-{durable}.sqlite3", durable_commits=durable)
        try:
            assert isinstance(db, SQLiteDatabase)
            level = await db._writer.submit(lambda c: c.execute("PRAGMA synchronous").fetchone())
            assert level == (expected,)
        finally:
            await db.close()


async def test_a_batch_is_one_transaction(database: Database) -> None:
    await make_table(database)
    counts = await database.execute_batch(
        [("INSERT INTO t VALUES (?, ?)", (1, "a")), ("UPDATE t SET v = 'b' WHERE k = 1", ())]
    )
    assert counts == [1, 1]
    with pytest.raises(StorageError, match=r"(?i)unique"):
        await database.execute_batch(
            [("INSERT INTO t VALUES (?, ?)", (2, "c")), ("INSERT INTO t VALUES (1, 'dup')", ())]
        )
    assert await database.fetch_all("SELECT k, v FROM t") == [(1, "b")]  # 2 rolled back


async def test_a_transaction_commits_together(database: Database) -> None:
    await make_table(database)
    async with database.transaction() as tx:
        await tx.execute("INSERT INTO t VALUES (1, 'a')")
        assert await tx.fetch_one("SELECT v FROM t WHERE k = 1") == ("a",)  # its own write
        assert await database.fetch_one("SELECT v FROM t WHERE k = 1") is None  # not yet
        await tx.execute_many("INSERT INTO t VALUES (?, ?)", [(2, "b"), (3, "c")])
    assert await database.fetch_all("SELECT k FROM t ORDER BY k") == [(1,), (2,), (3,)]


async def test_an_error_rolls_the_whole_transaction_back(database: Database) -> None:
    await make_table(database)
    with pytest.raises(StorageError):
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1, 'a')")
            await tx.execute("INSERT INTO t VALUES (1, 'duplicate')")
    assert await database.fetch_all("SELECT k FROM t") == []
    await database.execute("INSERT INTO t VALUES (1, 'a')")  # the writer is free again


async def test_a_cancelled_transaction_rolls_back_and_frees_the_writer(database: Database) -> None:
    await make_table(database)
    inside = asyncio.Event()

    async def slow_write() -> None:
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1, 'a')")
            inside.set()
            await asyncio.Event().wait()  # never set: cancelled here

    task = asyncio.create_task(slow_write())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await database.fetch_all("SELECT k FROM t") == []
    async with database.transaction() as tx:  # no "transaction within a transaction"
        await tx.execute("INSERT INTO t VALUES (2, 'b')")
    assert await database.fetch_all("SELECT k FROM t") == [(2,)]


async def test_reads_do_not_wait_for_a_transaction_under_way(database: Database) -> None:
    await make_table(database)
    await database.execute("INSERT INTO t VALUES (1, 'old')")
    inside, release = asyncio.Event(), asyncio.Event()

    async def long_write() -> None:
        async with database.transaction() as tx:
            await tx.execute("UPDATE t SET v = 'new' WHERE k = 1")
            inside.set()
            await release.wait()

    writer = asyncio.create_task(long_write())
    await inside.wait()
    # The write lock is held: a reader still answers at once, with the last commit.
    assert await asyncio.wait_for(database.fetch_one("SELECT v FROM t"), 5) == ("old",)
    release.set()
    await writer
    assert await database.fetch_one("SELECT v FROM t") == ("new",)


async def test_lookups_are_answered_in_the_order_asked(database: Database) -> None:
    done: list[int] = []

    async def lookup(n: int) -> None:
        await database.fetch_one("SELECT CAST(? AS INTEGER)", (n,))
        done.append(n)

    await asyncio.gather(*(lookup(n) for n in range(50)))
    assert done == list(range(50))


async def test_a_heavy_read_never_holds_up_the_lookups(tmp_path: Path) -> None:
    db = await SQLiteDatabase.open(tmp_path / "db.sqlite3", readers=2)
    gate = threading.Event()
    try:
        for reader in db._readers:  # a function that blocks until the test lets it go

            def install(c: sqlite3.Connection) -> None:
                c.create_function("wait_for_gate", 0, lambda: gate.wait(30))

            await reader.submit(install)
        search = asyncio.create_task(db.fetch_all("SELECT wait_for_gate()", heavy=True))
        await asyncio.sleep(0)
        assert await asyncio.wait_for(db.fetch_one("SELECT 42"), 10) == (42,)
        assert not search.done()
        gate.set()
        assert await search == [(1,)]
    finally:
        gate.set()
        await db.close()


async def test_writes_queue_in_order_inside_the_process(tmp_path: Path) -> None:
    # A busy timeout of 0: any second writer that had to wait for the file lock would fail.
    db = await open_database(tmp_path / "db.sqlite3", busy_timeout_ms=0)
    try:
        await make_table(db)

        async def write(k: int) -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t VALUES (?, ?)", (k, "x"))
                await asyncio.sleep(0)  # let the others queue up meanwhile
                await tx.execute("UPDATE t SET v = ? WHERE k = ?", (f"v{k}", k))

        await asyncio.gather(*(write(k) for k in range(50)))
        assert await db.fetch_one("SELECT count(*) FROM t WHERE v LIKE 'v%'") == (50,)
    finally:
        await db.close()


async def test_engine_errors_reach_callers_as_storage_errors(database: Database) -> None:
    with pytest.raises(StorageError, match=r"no such table|does not exist"):
        await database.fetch_all("SELECT * FROM missing")
    with pytest.raises(StorageError):
        await database.execute("INSERT INTO missing VALUES (1)")
    with pytest.raises(StorageError):
        async with database.transaction() as tx:
            await tx.fetch_all("SELECT * FROM missing")


async def test_a_closed_database_raises_storage_errors_and_closes_once(
    database_target: Path | str,
) -> None:
    db = await open_database(database_target)
    await asyncio.gather(db.close(), db.close())  # SIGTERM and the normal exit both close
    await db.close()
    for call in (db.fetch_all("SELECT 1"), db.execute("SELECT 1")):
        with pytest.raises(StorageError, match="closed"):
            await call
    with pytest.raises(StorageError, match="closed"):
        async with db.transaction():
            pass


async def test_close_lets_a_transaction_under_way_commit(database_target: Path | str) -> None:
    db = await open_database(database_target)
    await make_table(db)
    inside, release = asyncio.Event(), asyncio.Event()

    async def write() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1, 'kept')")
            inside.set()
            await release.wait()

    writer = asyncio.create_task(write())
    await inside.wait()
    closing = asyncio.create_task(db.close())
    await asyncio.sleep(0)
    assert not closing.done()
    release.set()
    await asyncio.gather(writer, closing)
    again = await open_database(database_target)
    try:
        assert await again.fetch_all("SELECT v FROM t") == [("kept",)]
    finally:
        await again.close()


async def test_an_in_memory_database_works_on_one_connection() -> None:
    db = await open_database(":memory:")
    try:
        await make_table(db)
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1, 'a')")
        assert await db.fetch_all("SELECT v FROM t") == [("a",)]
    finally:
        await db.close()


async def test_an_unusable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        await open_database(blocker / "newsdesk.sqlite3")
    not_a_database = tmp_path / "junk.sqlite3"
    not_a_database.write_bytes(b"this is not a database file at all" * 100)
    with pytest.raises(StorageError):
        await open_database(not_a_database)
