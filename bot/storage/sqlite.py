"""The SQLite backend: one writer connection serialised in the process, readers beside it.

Why this shape (issue 15, finding 2): the bot used to give each store its own connection. In a
burst, two of them wanted the file's single write lock at once; SQLite makes the loser poll
(sleeping up to 100 ms between tries) while the winner, on a busy event loop, kept the lock
across the several awaits of its transaction — so the loser waited out its whole busy timeout,
and every read queued behind it on the same connection froze with it. Now:

- all writes go through one connection, in arrival order, on its own thread. A write
  (`execute`, `execute_many`, `execute_batch`) is one job for that thread, its transaction
  begun (`BEGIN IMMEDIATE`) and committed inside the job, so the write lock is never held
  while the event loop is busy elsewhere, and no write ever waits on another of ours;
- `transaction()` (for the rare write that must read in between) holds the writer for its
  whole block; other writes queue behind it;
- reads go to read-only connections on threads of their own (lookups to one, in order; heavy
  reads such as searches to the others); in WAL mode a reader sees the last commit and neither
  waits for nor blocks the writer;
- the busy timeout is left for what it is for: another process (a backup, the CLI, a second
  bot) holding the file for a moment.

`bench/storage.py` measures this against the old layout and against one writer connection per
store; the numbers are in the README.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final, Literal, TypeVar

from bot.storage.archive_tokens import register as register_archive_functions
from bot.storage.database import Database, Params, Row, Statement, StorageError

MEMORY: Final = ":memory:"
T = TypeVar("T")
Synchronous = Literal["NORMAL", "FULL"]


def _switch_to_wal(db: sqlite3.Connection, patience: float) -> None:
    """Put the file in WAL mode, waiting out another process doing the same.

    Why a loop: two processes opening a new file at the same moment both ask for the switch,
    and SQLite answers the loser "database is locked" at once — the busy timeout does not
    cover a journal-mode change. Runs on the connection's own thread, so sleeping is fine.
    """
    deadline = time.monotonic() + patience
    pause = 0.005
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


class _Connection:
    """A sqlite3 connection that lives on one thread of its own; jobs run there in order.

    Why not aiosqlite: it runs one statement per job, so a transaction of five statements
    costs five trips through the event loop while it holds the write lock. Here a job is any
    function of the connection — a whole transaction is one trip.
    """

    def __init__(self, name: str, label: str) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"newsdesk-{label}")
        self._name = name
        self._db: sqlite3.Connection | None = None

    async def open(self, busy_timeout_ms: int, *, read_only: bool, synchronous: str) -> None:
        def connect() -> None:
            # isolation_level=None: no implicit BEGIN from the driver; transactions are ours.
            db = sqlite3.connect(self._name, isolation_level=None, check_same_thread=False)
            try:
                register_archive_functions(db)  # the archive's writes and migration 8 call it
                db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
                if read_only:
                    db.execute("PRAGMA query_only = ON")
                else:
                    _switch_to_wal(db, busy_timeout_ms / 1000)
                    db.execute(f"PRAGMA synchronous = {synchronous}")
            except BaseException:
                db.close()
                raise
            self._db = db

        await self.submit(lambda _: connect(), opened=False)

    def submit(
        self, job: Callable[[sqlite3.Connection], T], *, opened: bool = True
    ) -> asyncio.Future[T]:
        """Queue `job` on the connection's thread; the future carries its result. Queued in
        call order, so a job submitted later never overtakes one submitted before it."""

        def run() -> T:
            if opened and self._db is None:
                raise sqlite3.ProgrammingError("the connection is closed")
            return job(self._db)  # type: ignore[arg-type]

        return asyncio.get_running_loop().run_in_executor(self._thread, run)

    async def close(self) -> None:
        def close() -> None:
            db, self._db = self._db, None
            if db is not None:
                db.close()

        try:
            await self.submit(lambda _: close(), opened=False)
        finally:
            self._thread.shutdown(wait=False)


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: str, writer: _Connection, readers: list[_Connection]) -> None:
        self.path = path
        self._writer = writer
        self._readers = readers
        self._pending = dict.fromkeys(range(len(readers)), 0)  # reads queued per reader
        self._write_lock = asyncio.Lock()  # held only by `transaction()`, or for a submit
        self._closed = False
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        busy_timeout_ms: int = 5000,
        readers: int = 2,
        synchronous: Synchronous = "NORMAL",
    ) -> SQLiteDatabase:
        """Open (and create) the file in WAL mode. A `:memory:` database has no readers: a
        second connection would see another, empty database.

        `synchronous`: NORMAL (the default, and SQLite's advice for WAL) writes each commit to
        the WAL and syncs it to disk at checkpoints; a crash of the process loses nothing
        committed, a power cut may lose the last moments' commits but never corrupts the file.
        FULL syncs every commit: on our machines 3.8 ms against 0.07 ms, which a burst of a
        thousand bookkeeping writes pays in full (`bench/storage.py`).
        """
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        name = str(path)
        if name != MEMORY:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        opened: list[_Connection] = []
        try:
            writer = _Connection(name, "writer")
            opened.append(writer)
            await writer.open(busy_timeout_ms, read_only=False, synchronous=synchronous)
            pool = []
            if name != MEMORY:
                for n in range(max(readers, 1)):
                    reader = _Connection(name, f"reader-{n}")
                    opened.append(reader)
                    await reader.open(busy_timeout_ms, read_only=True, synchronous=synchronous)
                    pool.append(reader)
        except BaseException as error:
            for connection in opened:
                with contextlib.suppress(Exception):
                    await connection.close()
            if isinstance(error, sqlite3.Error):
                raise StorageError(str(error)) from error
            raise
        return cls(name, writer, pool)

    # -- writes ----------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._write(functools.partial(_execute, sql=sql, params=params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        batch = [(sql, row) for row in rows]
        return sum(await self.execute_batch(batch))

    async def execute_batch(self, statements: Sequence[Statement]) -> list[int]:
        return await self._write(functools.partial(_batch, statements=list(statements)))

    async def _write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        self._check_open()
        async with self._write_lock:  # not held while the job runs: only while queuing it
            self._check_open()
            future = self._writer.submit(job)
        return await _translated(future)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteTransaction]:
        self._check_open()
        async with self._write_lock:
            self._check_open()
            writer = self._writer
            try:
                await _translated(writer.submit(_begin))
            except BaseException:  # failed, or cancelled while the BEGIN was queued
                await _rollback_quietly(writer)
                raise
            tx = SQLiteTransaction(writer)
            try:
                yield tx
                await _translated(writer.submit(_commit))
            except BaseException:
                await _rollback_quietly(writer)
                raise
            finally:
                tx.done = True

    # -- reads -----------------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Params = (), *, heavy: bool = False) -> list[Row]:
        job = functools.partial(_fetch_all, sql=sql, params=params)
        if not self._readers:  # :memory:
            return await self._write(job)
        self._check_open()
        # Lookups all go to the first reader, so they are answered in the order asked; heavy
        # reads go to the least busy of the others, where a long search delays no lookup.
        lane = range(1, len(self._readers)) if heavy and len(self._readers) > 1 else range(1)
        index = min(lane, key=self._pending.__getitem__)
        self._pending[index] += 1
        try:
            return await _translated(self._readers[index].submit(job))
        finally:
            self._pending[index] -= 1

    # -- closing ---------------------------------------------------------------------------

    async def close(self) -> None:
        # Two callers (SIGTERM and the normal exit) share one run.
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._closing)

    async def _close_once(self) -> None:
        async with self._write_lock:  # a transaction under way commits first
            self._closed = True
        failures = []
        for connection in (*self._readers, self._writer):
            try:  # jobs already queued on a connection run before its close
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

    def __init__(self, writer: _Connection) -> None:
        self._writer = writer
        self.done = False

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._run(functools.partial(_execute, sql=sql, params=params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        batch = [(sql, row) for row in rows]
        return sum(await self._run(functools.partial(_statements, statements=batch)))

    async def execute_batch(self, statements: Sequence[Statement]) -> list[int]:
        return await self._run(functools.partial(_statements, statements=list(statements)))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._run(functools.partial(_fetch_all, sql=sql, params=params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def set_schema_version(self, version: int) -> None:
        # PRAGMA takes no parameters; `version` is an int we computed, never user input.
        await self.execute(f"PRAGMA user_version = {int(version)}")

    async def _run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        if self.done:
            raise StorageError("the transaction is over")
        return await _translated(self._writer.submit(job))


# -- jobs: run on a connection's thread ----------------------------------------------------


def _execute(db: sqlite3.Connection, *, sql: str, params: Params) -> int:
    return db.execute(sql, params).rowcount


def _fetch_all(db: sqlite3.Connection, *, sql: str, params: Params) -> list[Row]:
    return [tuple(row) for row in db.execute(sql, params).fetchall()]


def _statements(db: sqlite3.Connection, *, statements: list[Statement]) -> list[int]:
    return [db.execute(sql, params).rowcount for sql, params in statements]


def _batch(db: sqlite3.Connection, *, statements: list[Statement]) -> list[int]:
    """The statements as one transaction, begun and ended within this job."""
    _begin(db)
    try:
        counts = _statements(db, statements=statements)
        _commit(db)
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    return counts


def _begin(db: sqlite3.Connection) -> None:
    # IMMEDIATE: take the write lock now (waiting out another process's write within the busy
    # timeout), so no statement of the transaction can fail half-way on it.
    db.execute("BEGIN IMMEDIATE")


def _commit(db: sqlite3.Connection) -> None:
    db.execute("COMMIT")


async def _translated(future: asyncio.Future[T]) -> T:
    try:
        return await future
    except sqlite3.Error as error:
        raise StorageError(str(error)) from error


async def _rollback_quietly(writer: _Connection) -> None:
    """End the transaction whatever happened. The ROLLBACK is queued behind every job of the
    transaction and before any later one, so even if this wait is cancelled it runs in time."""

    def rollback(db: sqlite3.Connection) -> None:
        if db.in_transaction:
            db.execute("ROLLBACK")

    with contextlib.suppress(sqlite3.Error):
        await asyncio.shield(writer.submit(rollback))


__all__ = ["SQLiteDatabase", "SQLiteTransaction"]
