"""The PostgreSQL backend: the same `Database` the stores know, on a pool of asyncpg connections.

Why asyncpg: it is written for asyncio (no thread hop per query), speaks PostgreSQL's binary
protocol with a prepared-statement cache per connection, and brings its own connection pool
and `COPY` (which `newsdesk migrate --from` uses), so one dependency does all of it. The
measurements against psycopg 3 are in the README ("PostgreSQL").

How the `Database` promises map onto a server that many processes share:

- a write (`execute`, `execute_many`, `execute_batch`) is one transaction on a pooled
  connection, committed before the call returns; PostgreSQL's row locks, not a lock of ours,
  order it against other writers — in this process or in another one;
- `transaction()` keeps one pooled connection for its block; `SELECT … FOR UPDATE [SKIP
  LOCKED]` and `pg_advisory_xact_lock` work inside it (the hooks later work across processes
  builds on), and it rolls back on any error or cancellation;
- reads never wait for writers (MVCC: they see the last commit). Lookups are answered in the
  order they were asked, as on SQLite: they go through one first-in-first-out lane. Heavy reads
  (searches, digests) run beside them on the pool, never on its last free connection, so a
  burst of searches cannot hold up a lookup;
- every driver or network error reaches callers as `StorageError`, with any password in its
  text replaced by `***`.

Connections keep no session state (no `SET`, `LISTEN`, cursors or session-level advisory
locks; transaction-level locks end with their transaction), so a connection goes back to the
pool without asyncpg's reset query — one round trip saved on every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Any, Final

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot.storage.database import Database, Params, Row, Statement, StorageError
from bot.storage.placeholders import numbered
from config.database import PostgresURL, redact

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key for migrations: one number every Newsdesk process agrees on.
MIGRATION_LOCK: Final = zlib.crc32(b"newsdesk schema migrations")
_CLOSE_GRACE_SECONDS: Final = 30.0
_COUNTED: Final = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"})
_DRIVER_ERRORS: Final = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,  # e.g. a connection the server dropped mid-call
    OSError,
)


def _rowcount(status: str) -> int:
    """Rows changed, from a command tag ("INSERT 0 3", "UPDATE 2"); -1 for anything else, as
    sqlite3's `rowcount` is for statements that change no rows."""
    words = status.split()
    if words and words[0] in _COUNTED and words[-1].isdigit():
        return int(words[-1])
    return -1


def _storage_error(error: BaseException) -> StorageError:
    message = str(error) or type(error).__name__
    return StorageError(redact(message))


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except _DRIVER_ERRORS as error:
        raise _storage_error(error) from error


async def _no_reset(connection: asyncpg.Connection[Any]) -> None:
    """Nothing to reset: see the module docstring (asyncpg still rolls back an open
    transaction before this runs)."""


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool[Any], url: PostgresURL, pool_size: int) -> None:
        self.url = url  # shows itself without the password
        self._pool = pool
        self._lookups = asyncio.Lock()  # first in, first out: lookups answered in order
        self._heavy = asyncio.Semaphore(max(1, pool_size - 1))
        self._closed = False
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    async def open(
        cls, url: PostgresURL | str, *, pool_size: int = 10, connect_timeout: float = 10.0
    ) -> PostgresDatabase:
        """Connect a pool of up to `pool_size` connections (at least 2: one for the lookups'
        lane, one beside it). Unreachable servers, refused logins and bad URLs are
        `StorageError`s that never show the password."""
        if not isinstance(url, PostgresURL):
            url = PostgresURL(url)
        if pool_size < 2:
            raise ValueError("a PostgreSQL pool needs at least 2 connections")
        try:
            pool = await asyncpg.create_pool(
                url.secret(),
                min_size=1,
                max_size=pool_size,
                timeout=connect_timeout,
                reset=_no_reset,
                server_settings={"application_name": "newsdesk"},
            )
        except (*_DRIVER_ERRORS, ValueError) as error:
            raise _storage_error(error) from None  # the cause may carry the URL: not chained
        return cls(pool, url, pool_size)

    # -- writes ----------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._check_open()
        async with self._acquire() as connection:
            with _translated():
                return _rowcount(await connection.execute(numbered(sql), *params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        return sum(await self.execute_batch([(sql, row) for row in rows]))

    async def execute_batch(self, statements: Sequence[Statement]) -> list[int]:
        async with self.transaction() as tx:
            return await tx.execute_batch(statements)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        self._check_open()
        async with self._acquire() as connection:
            transaction = connection.transaction()
            with _translated():
                await transaction.start()
            tx = PostgresTransaction(connection)
            try:
                yield tx
            except BaseException:
                tx.done = True
                with contextlib.suppress(*_DRIVER_ERRORS):
                    await asyncio.shield(transaction.rollback())
                raise
            tx.done = True
            with _translated():
                await transaction.commit()

    @contextlib.asynccontextmanager
    async def _acquire(self) -> AsyncIterator[PoolConnectionProxy[Any]]:
        """A pooled connection; failing to get one (server down, login refused) is a
        `StorageError`, not chained to the driver's error, whose text may name the URL."""
        try:
            connection = await self._pool.acquire()
        except _DRIVER_ERRORS as error:
            raise _storage_error(error) from None
        try:
            yield connection
        finally:
            try:
                await self._pool.release(connection)
            except _DRIVER_ERRORS as error:  # the pool drops a connection it cannot reset
                log.warning("a PostgreSQL connection could not be returned: %s", redact(str(error)))

    # -- reads -----------------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Params = (), *, heavy: bool = False) -> list[Row]:
        self._check_open()
        lane: contextlib.AbstractAsyncContextManager[Any] = self._heavy if heavy else self._lookups
        async with lane, self._acquire() as connection:
            with _translated():
                records = await connection.fetch(numbered(sql), *params)
        return [tuple(record) for record in records]

    async def fetch_all_planned(self, sql: str, params: Params = ()) -> list[Row]:
        """A heavy read that PostgreSQL plans for these very parameters, every time.

        Why: a statement from asyncpg's cache is planned for its parameters only for its first
        five runs; after that PostgreSQL may keep one generic plan, made without the values.
        For an archive search that plan cannot tell a word in most of the server's articles
        from a rare one, and one shape is slow for the other (`archive_tsvector.py`). A
        statement prepared for this call alone (one more round trip) is always planned with
        its values (plan_cache_mode's default, `auto`, plans the first runs that way).
        """
        self._check_open()
        async with self._heavy, self._acquire() as connection:
            with _translated():
                statement = await connection.prepare(numbered(sql))
                records = await statement.fetch(*params)
        return [tuple(record) for record in records]

    # -- closing ---------------------------------------------------------------------------

    async def close(self) -> None:
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._closing)

    async def _close_once(self) -> None:
        self._closed = True  # new calls fail at once; calls under way finish first
        try:
            await asyncio.wait_for(self._pool.close(), _CLOSE_GRACE_SECONDS)
        except TimeoutError:
            log.warning("PostgreSQL connections still busy after %ss: closed", _CLOSE_GRACE_SECONDS)
            self._pool.terminate()
        except _DRIVER_ERRORS as error:
            self._pool.terminate()
            raise _storage_error(error) from error

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the database is closed")


class PostgresTransaction:
    """Statements on one pooled connection inside BEGIN … COMMIT; see `Database.transaction`."""

    def __init__(self, connection: PoolConnectionProxy[Any]) -> None:
        self._connection = connection
        self.done = False

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._check()
        with _translated():
            return _rowcount(await self._connection.execute(numbered(sql), *params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        return sum(await self.execute_batch([(sql, row) for row in rows]))

    async def execute_batch(self, statements: Sequence[Statement]) -> list[int]:
        return [await self.execute(sql, params) for sql, params in statements]

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self._check()
        with _translated():
            records = await self._connection.fetch(numbered(sql), *params)
        return [tuple(record) for record in records]

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def schema_version(self) -> int:
        """The version, read under the migration lock (held until this transaction ends), so a
        second process starting at the same moment waits here, then finds nothing to do. The
        lock comes first: two `CREATE TABLE IF NOT EXISTS` at once can still collide."""
        await self.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
        await self.execute(
            "CREATE TABLE IF NOT EXISTS newsdesk_schema ("
            "only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), "
            "version INTEGER NOT NULL)"
        )
        row = await self.fetch_one("SELECT version FROM newsdesk_schema")
        return int(row[0]) if row else 0

    async def set_schema_version(self, version: int) -> None:
        await self.execute(
            "INSERT INTO newsdesk_schema (only_row, version) VALUES (TRUE, ?) "
            "ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
            (version,),
        )

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> int:
        """Bulk-load rows with COPY (for `newsdesk migrate --from`); returns how many.

        `table` and `columns` are our own names, never user input.
        """
        self._check()
        with _translated():
            status = await self._connection.copy_records_to_table(
                table, records=[tuple(r) for r in rows], columns=list(columns)
            )
        return _rowcount(status)

    def _check(self) -> None:
        if self.done:
            raise StorageError("the transaction is over")


__all__ = ["MIGRATION_LOCK", "PostgresDatabase", "PostgresTransaction"]
