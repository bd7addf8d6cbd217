"""Checks shared by the archive tests: the per-server index holds exactly what a rebuild from the
stored rows would, and the single-table query of old answers as the oracle."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from bot.storage.archive import SearchHit
from bot.storage.archive_fts import fts_query
from bot.storage.archive_tokens import tokenize

# The archive's search before issue 16, verbatim: FTS5 ranks every match in the archive with
# bm25(), then the server's shares are joined in.
ORACLE = """
    WITH hits AS MATERIALIZED (
        SELECT rowid AS article_id, bm25(archive_fts, 4.0, 1.0, 2.0, 3.0) AS rank,
               snippet(archive_fts, -1, '**', '**', '…', 16) AS snip
        FROM archive_fts WHERE archive_fts MATCH ?
    ),
    visible AS (
        SELECT s.*, h.rank, h.snip,
               ROW_NUMBER() OVER (
                   PARTITION BY s.article_id ORDER BY s.shared_at DESC, s.id DESC
               ) AS n
        FROM archive_shares s JOIN hits h ON h.article_id = s.article_id
        WHERE {where}
    )
    SELECT a.headline, a.site, a.published, a.url, v.jump_url, v.channel_id,
           v.message_id, v.shared_at, v.snip, v.rank
    FROM visible v JOIN archive_articles a ON a.id = v.article_id
    WHERE v.n = 1
    ORDER BY v.rank, v.shared_at DESC, v.id DESC
    LIMIT ?
"""


def oracle(
    path: Path,
    guild: int,
    text: str,
    channels: set[int] | None = None,
    since: datetime | None = None,
    limit: int = 10,
) -> list[tuple]:
    match = fts_query(text)
    if match is None or limit <= 0 or (channels is not None and not channels):
        return []
    where = ["s.guild_id = ?"]
    params: list[object] = [match, guild]
    if channels is not None:
        where.append("s.channel_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(channels)))
    if since is not None:
        where.append("s.shared_at >= ?")
        params.append(since.timestamp())
    params.append(limit)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(ORACLE.format(where=" AND ".join(where)), params).fetchall()


def as_row(hit: SearchHit) -> tuple:
    return (
        hit.headline,
        hit.site,
        hit.published,
        hit.url,
        hit.jump_url,
        hit.channel_id,
        hit.message_id,
        hit.shared_at.timestamp(),
        hit.snippet,
        hit.rank,
    )


def assert_index_matches_the_stored_rows(path: Path) -> None:
    """Tokens, word counts and every server's scope entries are what a rebuild would make."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        db.execute("CREATE VIRTUAL TABLE temp.fts_rows USING fts5vocab(main, archive_fts, row)")
        db.execute("CREATE VIRTUAL TABLE temp.fts_at USING fts5vocab(main, archive_fts, instance)")
        db.execute(
            "CREATE VIRTUAL TABLE temp.scope_at USING fts5vocab(main, archive_scope, instance)"
        )
        texts = db.execute(
            "SELECT rowid, headline, briefing, quotes, speakers FROM archive_fts"
        ).fetchall()
        stored = {
            r[0]: r[1:]
            for r in db.execute(
                "SELECT article_id, length, headline, briefing, quotes, speakers "
                "FROM archive_tokens"
            )
        }
        assert set(stored) == {r[0] for r in texts}
        for rowid, *columns in texts:
            tokens = tokenize(columns)
            assert stored[rowid] == (
                sum(len(t) for t in tokens),
                *(json.dumps(t, ensure_ascii=False, separators=(",", ":")) for t in tokens),
            )
        for pattern, articles in db.execute("SELECT pattern, articles FROM archive_phrases"):
            holding = [r for r in stored.values() if any(pattern in column for column in r[1:])]
            assert articles == len(holding), pattern
        counts = dict(db.execute("SELECT term, articles FROM archive_terms"))
        assert counts == dict(db.execute("SELECT term, doc FROM temp.fts_rows"))
        slots = dict(db.execute("SELECT guild_id, slot FROM archive_guild_slots"))
        assert len(set(slots.values())) == len(slots)
        pairs = db.execute("SELECT DISTINCT guild_id, article_id FROM archive_shares").fetchall()
        by_article: dict[int, list[tuple]] = {}
        for term, doc, col, offset in db.execute("SELECT * FROM temp.fts_at"):
            by_article.setdefault(doc, []).append((term, col, offset))
        expected = sorted(
            (term, (slots[guild] << 32) | article, col, offset)
            for guild, article in pairs
            for term, col, offset in by_article.get(article, [])
        )
        assert sorted(db.execute("SELECT * FROM temp.scope_at")) == expected
