"""The storage owner's interface: what every store may ask of the database, whatever the engine.

Why an interface of our own: the stores (modes, cache, archive, schedules, guild settings) are
written once against this small API, and a backend (SQLite today, PostgreSQL next) implements
it. SQL is written with `?` placeholders — a backend that numbers its parameters translates
them — and in the portable dialect both engines share (`INSERT … ON CONFLICT … DO UPDATE`,
`RETURNING`); the few engine-specific statements (full-text search, table definitions) are
chosen by `dialect`, each in one place.

Writes are short transactions on one writer (serialised inside the process, so the bot's own
work never waits on a lock held by itself); reads outside a transaction never wait for a
writer. Every engine error reaches callers as `StorageError`, so no driver type leaks out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from bot.errors import SchemaTooNew, StorageError
from config.database import PostgresURL, is_postgres_url

Params = Sequence[object]
Row = tuple[Any, ...]
Statement = tuple[str, Params]


class Queries(Protocol):
    """Statements and queries, on the database or inside one of its transactions."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns how many rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for each parameter row, all or nothing; returns rows changed."""
        ...

    async def execute_batch(self, statements: Sequence[Statement]) -> list[int]:
        """Run several statements, all or nothing, in order; rows changed by each.

        The way to write several rows at once: statements that need an id written by an
        earlier one find it with a subquery, so the batch goes to the engine in one piece.
        """
        ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query, fully read (no cursor stays open across an await)."""
        ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        ...


class Transaction(Queries, Protocol):
    """Statements that commit together (or not at all) when the `async with` block ends.

    Reads inside it see its own writes. Keep it short: other writers wait while it is open.
    """

    async def schema_version(self) -> int:
        """The number of migrations this database has applied (for `migrate`), read under the
        migration lock, which is held until the transaction ends: SQLite's write lock (taken
        at `BEGIN IMMEDIATE`), PostgreSQL's transaction-level advisory lock. A second process
        migrating at the same moment waits here, then reads the version the first wrote."""
        ...

    async def set_schema_version(self, version: int) -> None: ...


class Database(ABC):
    """One database: opened once by the bot, handed to every store, closed once."""

    dialect: str  # "sqlite" or "postgresql": picks engine-specific SQL

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """One statement as its own short write transaction."""

    @abstractmethod
    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int: ...

    @abstractmethod
    async def execute_batch(self, statements: Sequence[Statement]) -> list[int]:
        """Several statements as one short write transaction (see `Queries.execute_batch`)."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = (), *, heavy: bool = False) -> list[Row]:
        """A read that never waits for a write under way (it sees the last commit).

        Quick lookups are answered in the order they were asked (the watcher admits messages
        in the order they came). `heavy=True` marks a read that may take long — a search over
        the archive, a digest's shares — so it runs beside the lookups, never in front of them.
        """

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """`async with db.transaction() as tx:` — commit on success, roll back on any error
        (cancellation included). For writes that must read in between; other writes wait
        while it is open, so prefer `execute_batch` when the statements are known up front."""

    @abstractmethod
    async def close(self) -> None:
        """Let a write under way finish, then close; later calls raise `StorageError`.

        Safe to call more than once.
        """


async def open_database(
    target: Path | str | PostgresURL,
    *,
    busy_timeout_ms: int = 5000,
    readers: int = 2,
    durable_commits: bool = False,
    pool_size: int = 10,
) -> Database:
    """The database at `target`, migrated to the current schema: a `postgresql://` URL opens
    PostgreSQL, anything else is a SQLite file path.

    SQLite: `busy_timeout_ms` bounds how long a write waits for another *process* holding the
    file; `readers` is how many reads may run side by side; `durable_commits` syncs every
    commit to disk (see `SQLiteDatabase.open` for what that costs and what it buys).
    PostgreSQL: `pool_size` is the most connections this process opens.
    """
    from bot.storage.migrations import migrate

    database: Database
    if isinstance(target, PostgresURL) or (isinstance(target, str) and is_postgres_url(target)):
        from bot.storage.postgres import PostgresDatabase  # asyncpg only when asked for

        database = await PostgresDatabase.open(target, pool_size=pool_size)
    else:
        from bot.storage.sqlite import SQLiteDatabase

        database = await SQLiteDatabase.open(
            target,
            busy_timeout_ms=busy_timeout_ms,
            readers=readers,
            synchronous="FULL" if durable_commits else "NORMAL",
        )
    try:
        await migrate(database)
    except BaseException:
        await database.close()
        raise
    return database


__all__ = [
    "Database",
    "Params",
    "Queries",
    "Row",
    "SchemaTooNew",
    "Statement",
    "StorageError",
    "Transaction",
    "open_database",
]
