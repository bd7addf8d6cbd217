"""The SQLite backend: one writer connection serialised in the process, readers beside it.

Why this shape (issue 15, finding 2): the bot used to give each store its own connection. In a
burst, two of them wanted the file's single write lock at once; SQLite makes the loser poll
(sleeping up to 100 ms between tries) while the winner, on a busy event loop, kept the lock
across several awaits of its transaction — so the loser waited out its whole busy timeout, and
every read queued behind it on the same connection froze with it. Now:

- all writes go through one connection, one transaction at a time, queued in arrival order by
  an `asyncio.Lock` (no polling, no starvation); multi-statement writes take the write lock up
  front with `BEGIN IMMEDIATE`, so a transaction never fails half-way on a lock;
- reads outside a transaction go to a small pool of read-only connections; in WAL mode a reader
  sees the last commit and neither waits for nor blocks the writer;
- the busy timeout is left for what it is for: another process (a backup, a second bot) holding
  the file for a moment.

`bench/storage.py` measures this against the old layout and against several writer connections
with `BEGIN IMMEDIATE`; the numbers are in the README.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Final

import aiosqlite

from bot.storage.database import Database, Params, Row, StorageError

MEMORY: Final = ":memory:"


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(
        self, path: str, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection]
    ) -> None:
        self.path = path
        self._writer = writer
        self._readers = readers
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._idle.put_nowait(reader)
        self._write_lock = asyncio.Lock()
        self._closed = False
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    async def open(
        cls, path: Path | str, *, busy_timeout_ms: int = 5000, readers: int = 2
    ) -> SQLiteDatabase:
        """Open (and create) the file in WAL mode. A `:memory:` database has no readers: a
        second connection would see another, empty database."""
        name = str(path)
        if name != MEMORY:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        opened: list[aiosqlite.Connection] = []
        try:
            writer = await _connect(name, busy_timeout_ms, opened)
            await writer.execute_fetchall("PRAGMA journal_mode = WAL")
            pool = []
            if name != MEMORY:
                for _ in range(max(readers, 1)):
                    reader = await _connect(name, busy_timeout_ms, opened)
                    await reader.execute("PRAGMA query_only = ON")
                    pool.append(reader)
        except sqlite3.Error as error:
            for connection in opened:
                with contextlib.suppress(Exception):
                    await connection.close()
            raise StorageError(str(error)) from error
        except BaseException:
            for connection in opened:
                with contextlib.suppress(Exception):
                    await connection.close()
            raise
        return cls(name, writer, pool)

    # -- writes ----------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._writing():
            return await _execute(self._writer, sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        async with self.transaction() as tx:
            return await tx.execute_many(sql, rows)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteTransaction]:
        async with self._writing():
            writer = self._writer
            try:
                await _execute(writer, "BEGIN IMMEDIATE")
            except BaseException:  # failed, or cancelled while the BEGIN was queued
                await _rollback_quietly(writer)
                raise
            tx = SQLiteTransaction(writer)
            try:
                yield tx
                await _execute(writer, "COMMIT")
            except BaseException:
                await _rollback_quietly(writer)
                raise
            finally:
                tx.done = True

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        self._check_open()
        async with self._write_lock:
            self._check_open()
            yield

    # -- reads -----------------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        if not self._readers:  # :memory:
            async with self._writing():
                return await _fetch_all(self._writer, sql, params)
        self._check_open()
        reader = await self._idle.get()
        try:
            self._check_open()
            return await _fetch_all(reader, sql, params)
        finally:
            self._idle.put_nowait(reader)

    # -- closing ---------------------------------------------------------------------------

    async def close(self) -> None:
        # Two callers (SIGTERM and the normal exit) share one run: closing an aiosqlite
        # connection twice never returns.
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._closing)

    async def _close_once(self) -> None:
        async with self._write_lock:  # a transaction under way commits first
            self._closed = True
        failures = []
        for connection in (*self._readers, self._writer):
            try:  # reads already queued on a connection run before its close
                await connection.close()
            except Exception as error:
                failures.append(error)
        if failures:
            raise StorageError(f"could not close the database: {failures[0]}") from failures[0]

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the database is closed")


class SQLiteTransaction:
    """Statements on the writer inside `BEGIN IMMEDIATE … COMMIT`; see `Database.transaction`."""

    def __init__(self, writer: aiosqlite.Connection) -> None:
        self._writer = writer
        self.done = False

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._check()
        return await _execute(self._writer, sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        self._check()
        try:
            async with self._writer.executemany(sql, rows) as cursor:
                return int(cursor.rowcount)
        except sqlite3.Error as error:
            raise StorageError(str(error)) from error

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self._check()
        return await _fetch_all(self._writer, sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def set_schema_version(self, version: int) -> None:
        # PRAGMA takes no parameters; `version` is an int we computed, never user input.
        await self.execute(f"PRAGMA user_version = {int(version)}")

    def _check(self) -> None:
        if self.done:
            raise StorageError("the transaction is over")


async def _connect(
    name: str, busy_timeout_ms: int, opened: list[aiosqlite.Connection]
) -> aiosqlite.Connection:
    # isolation_level=None: no implicit BEGIN from the driver; transactions are ours alone.
    connection = await aiosqlite.connect(name, isolation_level=None)
    opened.append(connection)
    await connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    return connection


async def _execute(connection: aiosqlite.Connection, sql: str, params: Params = ()) -> int:
    try:
        async with connection.execute(sql, params) as cursor:
            return int(cursor.rowcount)
    except sqlite3.Error as error:
        raise StorageError(str(error)) from error


async def _fetch_all(connection: aiosqlite.Connection, sql: str, params: Params) -> list[Row]:
    try:
        return [tuple(row) for row in await connection.execute_fetchall(sql, params)]
    except sqlite3.Error as error:
        raise StorageError(str(error)) from error


async def _rollback_quietly(connection: aiosqlite.Connection) -> None:
    """End the transaction whatever happened; shielded so a second cancellation cannot leave
    the writer inside it (the connection runs its queue in order: nothing overtakes this)."""
    with contextlib.suppress(sqlite3.Error, ValueError):  # e.g. BEGIN itself had failed
        await asyncio.shield(_execute_raw(connection, "ROLLBACK"))


async def _execute_raw(connection: aiosqlite.Connection, sql: str) -> None:
    async with connection.execute(sql):
        pass


__all__ = ["SQLiteDatabase", "SQLiteTransaction"]
