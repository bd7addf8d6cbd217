"""The archive's full-text index: everything engine-specific about archive search.

Why apart from `archive.py`: the archive's tables and their SQL are portable, but full-text
search is not — SQLite has FTS5 (a virtual table, `MATCH`, `bm25()`, `snippet()`), PostgreSQL
has `tsvector`, `websearch_to_tsquery` and `ts_rank`. The archive talks to an `ArchiveIndex`;
each engine supplies one, chosen by `index_for(db.dialect)`: FTS5 here, PostgreSQL's in
`archive_tsvector.py`. The index's tables are created by migration 5
(`bot/storage/migrations.py`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final, Protocol

from bot.storage.database import Database, Row, Statement

_MAX_QUERY_TERMS: Final = 16
_WORD: Final = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """The searchable text of one article, by field (weighted differently when ranked)."""

    headline: str
    briefing: str
    quotes: str
    speakers: str


@dataclass(frozen=True, slots=True)
class IndexQuery:
    """A search within one server: `channel_ids` None means every channel."""

    guild_id: int
    text: str
    channel_ids: list[int] | None
    since: float | None
    limit: int


class ArchiveIndex(Protocol):
    def accepts(self, text: str) -> bool:
        """Whether `text` has anything to search for (words, not just punctuation)."""
        ...

    def put(self, article_url: str, entry: IndexEntry) -> list[Statement]:
        """Statements that index (or re-index) the article stored under `article_url`, for
        the archive's write batch (the article's id is found by a subquery)."""
        ...

    def add_share(self, article_url: str, guild_id: int) -> list[Statement]:
        """Statements, in the same batch after `put` and before the share row is written,
        that let `guild_id`'s searches find the article (an index that keeps the server in
        its entries adds it here; FTS5 today: nothing)."""
        ...

    def remove_guild(self, guild_id: int, article_id: int) -> list[Statement]:
        """Statements, after some of `guild_id`'s shares of the article were deleted, that take
        the article out of that server's searches if the server has no share of it left
        (`forget` may remove only the shares in the channels a member can see)."""
        ...

    def remove(self, article_id: int) -> list[Statement]: ...

    async def search(self, db: Database, query: IndexQuery) -> list[Row]:
        """Hits, best first, one per article linked to its newest share in the query's scope:
        (headline, site, published, url, jump_url, channel_id, message_id, shared_at, snippet,
        rank) — rank lower is better, equal ranks newest share first."""
        ...


def fts_query(text: str) -> str | None:
    """User text as a safe FTS5 query: each word-run quoted, all required; None if no words.

    A whitespace-separated chunk such as "e-bike" or "O'Neill" becomes one quoted phrase, so
    it matches the way the tokenizer split the stored text. A trailing `*` keeps its meaning as
    a prefix search. Everything else (quotes, AND/OR/NOT, NEAR, -, ^, :, parentheses) is
    treated as plain text.
    """
    terms: list[str] = []
    for chunk in text.split():
        words = _WORD.findall(chunk)
        if not words:
            continue
        phrase = '"' + " ".join(words) + '"'
        if chunk.endswith("*"):
            phrase += "*"
        terms.append(phrase)
        if len(terms) == _MAX_QUERY_TERMS:
            break
    return " ".join(terms) if terms else None


class SQLiteFTS5Index:
    """FTS5 table `archive_fts`, rowid = article id; bm25 with headline > speakers > quotes."""

    # bm25 column weights: headline, briefing, quotes, speakers.
    RANK: Final = "bm25(archive_fts, 4.0, 1.0, 2.0, 3.0)"

    def accepts(self, text: str) -> bool:
        return fts_query(text) is not None

    def put(self, article_url: str, entry: IndexEntry) -> list[Statement]:
        article = "(SELECT id FROM archive_articles WHERE url = ?)"
        return [
            (f"DELETE FROM archive_fts WHERE rowid = {article}", (article_url,)),
            (
                "INSERT INTO archive_fts (rowid, headline, briefing, quotes, speakers) "
                f"SELECT {article}, ?, ?, ?, ?",
                (article_url, entry.headline, entry.briefing, entry.quotes, entry.speakers),
            ),
        ]

    def add_share(self, article_url: str, guild_id: int) -> list[Statement]:
        return []

    def remove_guild(self, guild_id: int, article_id: int) -> list[Statement]:
        return []

    def remove(self, article_id: int) -> list[Statement]:
        return [("DELETE FROM archive_fts WHERE rowid = ?", (article_id,))]

    async def search(self, db: Database, query: IndexQuery) -> list[Row]:
        match = fts_query(query.text)
        if match is None:
            return []
        where = ["s.guild_id = ?"]
        params: list[object] = [match, query.guild_id]
        if query.channel_ids is not None:
            where.append("s.channel_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(query.channel_ids))
        if query.since is not None:
            where.append("s.shared_at >= ?")
            params.append(query.since)
        params.append(query.limit)
        sql = f"""
            WITH hits AS MATERIALIZED (
                SELECT rowid AS article_id, {self.RANK} AS rank,
                       snippet(archive_fts, -1, '**', '**', '…', 16) AS snip
                FROM archive_fts WHERE archive_fts MATCH ?
            ),
            visible AS (
                SELECT s.*, h.rank, h.snip,
                       ROW_NUMBER() OVER (
                           PARTITION BY s.article_id ORDER BY s.shared_at DESC, s.id DESC
                       ) AS n
                FROM archive_shares s JOIN hits h ON h.article_id = s.article_id
                WHERE {" AND ".join(where)}
            )
            SELECT a.headline, a.site, a.published, a.url, v.jump_url, v.channel_id,
                   v.message_id, v.shared_at, v.snip, v.rank
            FROM visible v JOIN archive_articles a ON a.id = v.article_id
            WHERE v.n = 1
            ORDER BY v.rank, v.shared_at DESC, v.id DESC
            LIMIT ?
        """
        return await db.fetch_all(sql, params, heavy=True)


def index_for(dialect: str) -> ArchiveIndex:
    if dialect == "sqlite":
        return SQLiteFTS5Index()
    if dialect == "postgresql":
        from bot.storage.archive_tsvector import PostgresTextIndex

        return PostgresTextIndex()
    raise NotImplementedError(f"no archive search for {dialect}")


__all__ = ["ArchiveIndex", "IndexEntry", "IndexQuery", "SQLiteFTS5Index", "fts_query", "index_for"]
