"""A real, migrated database per test, on each backend (a pytest plugin: the `database` fixture).

Every test that takes `database` (or `database_target`) runs twice: on a fresh SQLite file and
on a fresh database of the session's throwaway PostgreSQL server (tests/helpers/postgres.py).
Where the PostgreSQL binaries are missing, the second run skips with one reason. Tests about
one engine's own machinery (WAL, readers, pragmas; advisory locks, plans) open it themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.database import Database, open_database
from tests.helpers.postgres import needs_postgres

BACKENDS = ["sqlite", pytest.param("postgresql", marks=needs_postgres)]


@pytest.fixture(params=BACKENDS)
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a fresh database lives: a file in the test's folder, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "newsdesk.sqlite3"
    return str(request.getfixturevalue("postgres_dsn"))


@pytest.fixture
async def database(database_target: Path | str) -> AsyncIterator[Database]:
    """A fresh database at the current schema, on each backend; closed afterwards."""
    db = await open_database(database_target)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh SQLite file at the current schema, for tests of SQLite's own behaviour."""
    db = await open_database(tmp_path / "newsdesk.sqlite3")
    try:
        yield db
    finally:
        await db.close()


async def refuse_inserts(db: Database, table: str, message: str) -> None:
    """Make every INSERT into `table` fail with `message`, as a full disk would: a trigger,
    in each engine's own dialect."""
    if db.dialect == "sqlite":
        await db.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
        return
    await db.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$"
    )
    await db.execute(
        f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()"
    )


@pytest.fixture
async def postgres_database(postgres_dsn: str) -> AsyncIterator[Database]:
    """A fresh PostgreSQL database at the current schema, for tests of PostgreSQL's own
    behaviour (skipped where the server binaries are missing)."""
    db = await open_database(postgres_dsn)
    try:
        yield db
    finally:
        await db.close()
