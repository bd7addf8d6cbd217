"""`newsdesk migrate` (and `--from FILE`) as a real subprocess: one line out, exit 0; a refusal is
one line on stderr with exit 2; a PostgreSQL password never appears in either."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import socket
import sqlite3
from pathlib import Path

import asyncpg

from bot.messages import say
from bot.storage.archive import Archive
from bot.storage.database import open_database
from bot.storage.migrations import MIGRATIONS
from bot.storage.transfer import SEARCH_SOURCE, SQLITE_INDEX_TABLES, TABLES
from tests.cli.test_cli import newsdesk
from tests.helpers.postgres import needs_postgres
from tests.storage.test_upgrade import GUILD, LEGACY

PASSWORD = "s3cret-in-the-url"  # the test server trusts every login, so any password works


def with_password(dsn: str) -> str:
    return dsn.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")


def test_migrate_creates_and_upgrades_a_sqlite_file_without_postgresql(tmp_path: Path) -> None:
    path = tmp_path / "data" / "newsdesk.sqlite3"
    result = newsdesk("migrate", env={"NEWSDESK_DATABASE": str(path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == say("migrate.done", target=path, version=len(MIGRATIONS))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_every_sqlite_table_is_copied_or_rebuilt(tmp_path: Path) -> None:
    # A later migration that adds a table must teach `--from` to copy it.
    path = tmp_path / "fresh.sqlite3"
    assert newsdesk("migrate", env={"NEWSDESK_DATABASE": str(path)}).returncode == 0
    with sqlite3.connect(path) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    fts5 = (SEARCH_SOURCE, "archive_scope")  # FTS5 tables keep their data in shadow tables
    own = {n for n in names if not n.startswith(tuple(f"{t}_" for t in fts5))}
    assert own == {*TABLES, SEARCH_SOURCE, *SQLITE_INDEX_TABLES}


def test_from_needs_a_postgresql_target(tmp_path: Path) -> None:
    result = newsdesk(
        "migrate", "--from", str(LEGACY), env={"NEWSDESK_DATABASE": str(tmp_path / "x.sqlite3")}
    )
    assert result.returncode == 2
    assert "set NEWSDESK_DATABASE to a postgresql:// URL" in result.stderr
    assert not (tmp_path / "x.sqlite3").exists()


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://newsdesk:{PASSWORD}@127.0.0.1:{port}/news"
    result = newsdesk("migrate", env={"NEWSDESK_DATABASE": url})
    assert result.returncode == 2
    assert result.stderr.startswith("newsdesk: Could not migrate postgresql://newsdesk:***@")
    assert len(result.stderr.strip().splitlines()) == 1
    assert PASSWORD not in result.stdout + result.stderr


@needs_postgres
def test_migrate_applies_the_steps_to_postgresql(postgres_dsn: str) -> None:
    url = with_password(postgres_dsn)
    result = newsdesk("migrate", env={"NEWSDESK_DATABASE": url})
    assert result.returncode == 0, result.stderr
    shown = url.replace(PASSWORD, "***")
    assert result.stdout.strip() == say("migrate.done", target=shown, version=len(MIGRATIONS))
    assert PASSWORD not in result.stdout + result.stderr

    async def version() -> int:
        connection = await asyncpg.connect(postgres_dsn)
        try:
            return int(await connection.fetchval("SELECT version FROM newsdesk_schema"))
        finally:
            await connection.close()

    assert asyncio.run(version()) == len(MIGRATIONS)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_postgres
def test_from_copies_a_legacy_file_and_refuses_a_second_copy(
    postgres_dsn: str, tmp_path: Path
) -> None:
    source = tmp_path / "old.sqlite3"
    shutil.copyfile(LEGACY, source)
    before = _digest(source)
    env = {"NEWSDESK_DATABASE": with_password(postgres_dsn)}

    first = newsdesk("migrate", "--from", str(source), env=env)
    assert first.returncode == 0, first.stderr
    assert "archive_shares 3" in first.stdout and "archive_search 2" in first.stdout
    assert PASSWORD not in first.stdout + first.stderr
    assert _digest(source) == before  # the file itself was not upgraded or touched
    wal = Path(f"{source}-wal")  # a read-only reader of a WAL file may leave an empty one
    assert not wal.exists() or wal.stat().st_size == 0

    second = newsdesk("migrate", "--from", str(source), env=env)
    assert second.returncode == 2
    assert "already holds data (channel_modes: 2," in second.stderr
    assert "Nothing was changed." in second.stderr

    async def still_one_copy() -> list[str]:
        db = await open_database(postgres_dsn)
        try:
            count = await db.fetch_one("SELECT count(*) FROM archive_shares")
            assert count == (3,)
            return [h.url for h in await Archive(db).search(GUILD, "Brandt")]
        finally:
            await db.close()

    assert asyncio.run(still_one_copy()) == [
        "https://coastwatch.example/2026/03/lighthouse-keepers"
    ]


@needs_postgres
def test_from_a_missing_file_changes_nothing(postgres_dsn: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    result = newsdesk("migrate", "--from", str(missing), env={"NEWSDESK_DATABASE": postgres_dsn})
    assert result.returncode == 2
    assert result.stderr.strip() == f"newsdesk: {say('migrate.source_missing', source=missing)}"
    assert not missing.exists()
