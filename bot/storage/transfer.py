"""`newsdesk migrate --from FILE`: copy a SQLite database into PostgreSQL, losing nothing.

Why this way:
- The source is never changed: it is copied first (SQLite's online backup, so a bot still
  running on it is no obstacle) and the copy is upgraded to the current schema, so a file from
  any earlier Newsdesk comes over — the same steps that would upgrade it in place.
- The target must be empty. Copying into a database that already holds rows would have to
  decide whose channel mode or schedule wins, and a half-merged archive is worse than a clear
  refusal; the message names the tables that hold rows, and nothing is changed. A copy that
  fails half-way leaves the target empty too: everything is one transaction, so running the
  command again is always safe.
- Every table is copied row for row with COPY (ids included), the identity sequences are
  moved past the copied ids so new rows never collide, and the archive's search entries are
  rebuilt from FTS5's stored text the way `archive_tsvector` indexes a new share. The counts
  are checked against the source before the transaction commits.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.errors import SourceMissing, StorageError, TargetNotEmpty
from bot.storage.archive_tsvector import CONFIG, indexed_text
from bot.storage.database import open_database
from bot.storage.postgres import PostgresDatabase, PostgresTransaction
from config.database import PostgresURL

# Every table, in an order that satisfies nothing in particular (there are no foreign keys)
# but reads well: settings, bookkeeping, cache, archive, schedules, work across processes
# (unfinished jobs come over, so the bot on PostgreSQL finishes them). The archive's search
# tables are not copied but rebuilt (see `_rebuild_search`).
TABLES: Final = (
    "channel_modes",
    "guild_settings",
    "llm_budget",
    "answered_messages",
    "briefing_cache",
    "archive_articles",
    "archive_aliases",
    "archive_shares",
    "digest_schedules",
    "intake_jobs",
    "shard_watermarks",
    "work_leases",
    "rate_windows",
)
SEARCH_SOURCE: Final = "archive_fts"  # FTS5 on SQLite: read for its text, rebuilt as vectors
SEARCH_TABLES: Final = ("archive_fts", "archive_search")  # PostgreSQL's, rebuilt
# SQLite's per-server search index (migration 8), derived from `archive_fts` and the shares:
# PostgreSQL keeps its own per-server index (`archive_search`), so none of these is copied.
SQLITE_INDEX_TABLES: Final = (
    "archive_guild_slots",
    "archive_tokens",
    "archive_terms",
    "archive_phrases",
    "archive_index_state",
    "archive_scope",
)
IDENTITIES: Final = ("archive_articles", "archive_shares")  # tables whose `id` is generated
_CHUNK: Final = 5_000


@dataclass(frozen=True, slots=True)
class CopyReport:
    """Rows copied per table (the search entries as rebuilt), and the schema version."""

    rows: dict[str, int]
    version: int


async def copy_sqlite_to_postgres(
    source: Path, target: PostgresURL, *, pool_size: int = 2
) -> CopyReport:
    """Copy every row of the SQLite database at `source` into the empty PostgreSQL `target`
    (migrated to the current schema first). Raises `SourceMissing`, `TargetNotEmpty`, or
    `StorageError` for anything the engines refuse; the target is left as it was on error."""
    if not source.is_file():
        raise SourceMissing(str(source))
    with tempfile.TemporaryDirectory(prefix="newsdesk-copy-") as folder:
        snapshot = Path(folder) / "source.sqlite3"
        _snapshot(source, snapshot)
        upgraded = await open_database(snapshot)  # the copy reaches the current schema
        await upgraded.close()
        database = await open_database(target, pool_size=pool_size)
        try:
            assert isinstance(database, PostgresDatabase)
            with contextlib.closing(sqlite3.connect(snapshot)) as rows:
                return await _copy(rows, database)
        finally:
            await database.close()


def _snapshot(source: Path, snapshot: Path) -> None:
    """A consistent copy of `source`, read-only on the source (even while a bot writes it)."""
    try:
        with (
            contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(snapshot)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as error:
        raise StorageError(f"{source}: {error}") from error


async def _copy(source: sqlite3.Connection, database: PostgresDatabase) -> CopyReport:
    async with database.transaction() as tx:
        version = await tx.schema_version()  # also takes the migration lock: no bot starts now
        occupied = await _occupied(tx)
        if occupied:
            raise TargetNotEmpty(occupied)
        copied: dict[str, int] = {}
        for table in TABLES:
            columns = await _columns(tx, table)
            convert = [_converter(kind) for kind in columns.values()]
            names = list(columns)
            rows = (
                [f(value) for f, value in zip(convert, row, strict=True)]
                for row in _read(source, table, names)
            )
            copied[table] = await _copy_in_chunks(tx, table, names, rows)
            expected = _count(source, table)
            if copied[table] != expected:
                raise StorageError(f"{table}: copied {copied[table]} rows of {expected}")
        for table in IDENTITIES:
            await tx.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        copied.update(await _rebuild_search(tx, source))
    return CopyReport(rows=copied, version=version)


async def _occupied(tx: PostgresTransaction) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in (*TABLES, *SEARCH_TABLES):
        row = await tx.fetch_one(f"SELECT count(*) FROM {table}")
        if row and row[0]:
            counts[table] = int(row[0])
    return counts


async def _columns(tx: PostgresTransaction, table: str) -> dict[str, str]:
    rows = await tx.fetch_all(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return {str(name): str(kind) for name, kind in rows}


def _converter(kind: str) -> Callable[[object], object]:
    """SQLite hands back whatever a column holds; COPY wants the column's own type."""
    if kind in ("bigint", "integer", "smallint"):
        return lambda v: None if v is None else int(v)  # type: ignore[call-overload]
    if kind in ("double precision", "real", "numeric"):
        return lambda v: None if v is None else float(v)  # type: ignore[arg-type]
    if kind == "boolean":
        return lambda v: None if v is None else bool(v)
    return lambda v: None if v is None else (v.decode() if isinstance(v, bytes) else str(v))


def _read(
    source: sqlite3.Connection, table: str, columns: list[str]
) -> Iterator[tuple[object, ...]]:
    cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while chunk := cursor.fetchmany(_CHUNK):
        yield from chunk


def _count(source: sqlite3.Connection, table: str) -> int:
    return int(source.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def _copy_in_chunks(
    tx: PostgresTransaction, table: str, columns: list[str], rows: Iterator[list[object]]
) -> int:
    total = 0
    chunk: list[list[object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            total += await tx.copy_rows(table, columns, chunk)
            chunk = []
    if chunk:
        total += await tx.copy_rows(table, columns, chunk)
    return total


async def _rebuild_search(tx: PostgresTransaction, source: sqlite3.Connection) -> dict[str, int]:
    """FTS5's stored text → `archive_fts` with its weighted vector, then one `archive_search`
    row per server and article shared there — what `PostgresTextIndex.put`/`add_share` write."""
    await tx.execute(
        "CREATE TEMPORARY TABLE newsdesk_fts_staging (article_id BIGINT, headline TEXT, "
        "briefing TEXT, quotes TEXT, speakers TEXT, headline_words TEXT, speakers_words TEXT, "
        "quotes_words TEXT, briefing_words TEXT) ON COMMIT DROP"
    )
    staging = [
        "article_id",
        "headline",
        "briefing",
        "quotes",
        "speakers",
        "headline_words",
        "speakers_words",
        "quotes_words",
        "briefing_words",
    ]

    def entries() -> Iterator[list[object]]:
        cursor = source.execute(
            f"SELECT rowid, headline, briefing, quotes, speakers FROM {SEARCH_SOURCE} "
            "WHERE rowid IN (SELECT id FROM archive_articles)"
        )
        while chunk := cursor.fetchmany(_CHUNK):
            for article_id, headline, briefing, quotes, speakers in chunk:
                texts = [str(t or "") for t in (headline, briefing, quotes, speakers)]
                words = [indexed_text(t) for t in (texts[0], texts[3], texts[2], texts[1])]
                yield [int(article_id), *texts, *words]

    await _copy_in_chunks(tx, "newsdesk_fts_staging", staging, entries())
    vector = " || ".join(
        f"setweight(to_tsvector('{CONFIG}', {column}_words), '{weight}')"
        for column, weight in zip(
            ("headline", "speakers", "quotes", "briefing"), "ABCD", strict=True
        )
    )
    texts = await tx.execute(
        "INSERT INTO archive_fts (article_id, headline, briefing, quotes, speakers, document) "
        f"SELECT article_id, headline, briefing, quotes, speakers, {vector} "
        "FROM newsdesk_fts_staging"
    )
    per_server = await tx.execute(
        "INSERT INTO archive_search (guild_id, article_id, document) "
        "SELECT s.guild_id, s.article_id, f.document "
        "FROM (SELECT DISTINCT guild_id, article_id FROM archive_shares) s "
        "JOIN archive_fts f ON f.article_id = s.article_id"
    )
    return {"archive_fts": texts, "archive_search": per_server}


__all__ = [
    "SEARCH_SOURCE",
    "SQLITE_INDEX_TABLES",
    "TABLES",
    "CopyReport",
    "copy_sqlite_to_postgres",
]
