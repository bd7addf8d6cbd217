"""Archive search on PostgreSQL: a weighted `tsvector` per server, a GIN index on (server, vector).

Why per server (issue 16): an index over every article would make each search pay for every
server's matches of a common word before the asking server's shares are joined in, and at a
million briefings a reporter typing "said" would wait seconds. `archive_search` holds the
article's vector once for each server that shared it, and its GIN index is on
`(guild_id, document)` (btree_gin), so one index scan intersects the server's entries with the
words' — the work follows the asking server's matches. Ranking and snippets are computed only
for the rows that survive the server, channel and time filters, snippets only for the page of
results shown. `EXPLAIN` in tests/storage/test_archive_postgres.py checks the plan.

Matching mirrors FTS5 on SQLite: text is indexed as runs of letters and digits (the same
`_WORD` runs the query is cut into), stemmed (Snowball English, no stop words) with diacritics
folded (unaccent); every word of the query is required, a chunk like "e-bike" is a phrase, a
trailing `*` is a prefix search, and nothing a user types is query syntax: each chunk reaches
`websearch_to_tsquery` as a quoted phrase of plain words, and a prefix chunk (which
`websearch_to_tsquery` cannot express) reaches `to_tsquery` as quoted lexemes built only from
those words. Ranking: `ts_rank` with the weights FTS5's bm25 gets (headline 4 > speakers 3 >
quotes 2 > briefing 1), divided by the log of the document's length as bm25 does, newest share
first on ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.storage.archive_fts import IndexEntry, IndexQuery
from bot.storage.database import Database, Row, Statement
from bot.storage.postgres import PostgresDatabase

CONFIG: Final = "newsdesk"  # the text search configuration made by migration 5
_MAX_QUERY_TERMS: Final = 16
_WORD: Final = re.compile(r"[^\W_]+")
# ts_rank's weights, in the order {D, C, B, A}: briefing, quotes, speakers, headline.
_WEIGHTS: Final = "'{0.25, 0.5, 0.75, 1.0}'"
_LOG_LENGTH: Final = 1  # ts_rank normalisation: divide by 1 + log(document length)
_HEADLINE_OPTIONS: Final = (
    'StartSel=**, StopSel=**, MaxWords=16, MinWords=6, MaxFragments=1, FragmentDelimiter=" … "'
)
_ARTICLE: Final = "(SELECT id FROM archive_articles WHERE url = ?)"


@dataclass(frozen=True, slots=True)
class TextQuery:
    """User text as the two inputs of a safe tsquery: `phrases` for `websearch_to_tsquery`
    (quoted phrases of plain words) and `prefixes` for `to_tsquery` (quoted lexemes, `:*`)."""

    phrases: str
    prefixes: str

    def sql(self) -> tuple[str, list[object]]:
        """The tsquery expression and its parameters; the parts that are empty are left out."""
        parts: list[str] = []
        params: list[object] = []
        if self.phrases:
            parts.append(f"websearch_to_tsquery('{CONFIG}', ?)")
            params.append(self.phrases)
        if self.prefixes:
            parts.append(f"to_tsquery('{CONFIG}', ?)")
            params.append(self.prefixes)
        return " && ".join(parts), params


def text_query(text: str) -> TextQuery | None:
    """The tsquery inputs for `text`, or None when it has no words (like `fts_query`)."""
    phrases: list[str] = []
    prefixes: list[str] = []
    for chunk in text.split():
        words = _WORD.findall(chunk)
        if not words:
            continue
        if chunk.endswith("*"):
            # Only letters and digits go between the quotes: nothing can close them early.
            lexemes = [f"'{word}'" for word in words]
            lexemes[-1] += ":*"
            prefixes.append("(" + " <-> ".join(lexemes) + ")")
        else:
            phrases.append('"' + " ".join(words) + '"')
        if len(phrases) + len(prefixes) == _MAX_QUERY_TERMS:
            break
    if not phrases and not prefixes:
        return None
    return TextQuery(phrases=" ".join(phrases), prefixes=" & ".join(prefixes))


def indexed_text(text: str) -> str:
    """What the vector is built from: the text's runs of letters and digits, as the query is
    cut, so "3.2" or "e-bike" are the same words on both sides (PostgreSQL's own parser would
    keep "3.2" whole and never match the query's "3 2")."""
    return " ".join(_WORD.findall(text))


def _vector() -> str:
    """The weighted document from four parameters: headline, speakers, quotes, briefing."""
    return " || ".join(f"setweight(to_tsvector('{CONFIG}', ?), '{weight}')" for weight in "ABCD")


class PostgresTextIndex:
    """`archive_fts` (each article's text and vector) and `archive_search` (the vector per
    server that shared it, GIN-indexed on (guild_id, document))."""

    def accepts(self, text: str) -> bool:
        return text_query(text) is not None

    def put(self, article_url: str, entry: IndexEntry) -> list[Statement]:
        fields = (entry.headline, entry.speakers, entry.quotes, entry.briefing)
        return [
            (
                "INSERT INTO archive_fts "
                "(article_id, headline, briefing, quotes, speakers, document) "
                f"SELECT {_ARTICLE}, ?, ?, ?, ?, {_vector()} "
                "ON CONFLICT (article_id) DO UPDATE SET headline = excluded.headline, "
                "briefing = excluded.briefing, quotes = excluded.quotes, "
                "speakers = excluded.speakers, document = excluded.document",
                (
                    article_url,
                    entry.headline,
                    entry.briefing,
                    entry.quotes,
                    entry.speakers,
                    *(indexed_text(text) for text in fields),
                ),
            ),
            # Other servers' copies follow a correction — only when the text really changed,
            # so re-sharing a popular article does not rewrite its GIN entries everywhere.
            (
                "UPDATE archive_search s SET document = f.document FROM archive_fts f "
                f"WHERE f.article_id = {_ARTICLE} AND s.article_id = f.article_id "
                "AND s.document IS DISTINCT FROM f.document",
                (article_url,),
            ),
        ]

    def add_share(self, article_url: str, guild_id: int) -> list[Statement]:
        return [
            (
                "INSERT INTO archive_search (guild_id, article_id, document) "
                f"SELECT ?, article_id, document FROM archive_fts WHERE article_id = {_ARTICLE} "
                "ON CONFLICT (guild_id, article_id) DO NOTHING",
                (guild_id, article_url),
            )
        ]

    def remove_guild(self, guild_id: int, article_id: int) -> list[Statement]:
        return [
            (
                "DELETE FROM archive_search WHERE guild_id = ? AND article_id = ? AND NOT EXISTS "
                "(SELECT 1 FROM archive_shares WHERE guild_id = ? AND article_id = ?)",
                (guild_id, article_id, guild_id, article_id),
            )
        ]

    def remove(self, article_id: int) -> list[Statement]:
        return [
            ("DELETE FROM archive_search WHERE article_id = ?", (article_id,)),
            ("DELETE FROM archive_fts WHERE article_id = ?", (article_id,)),
        ]

    def statement(self, query: IndexQuery) -> tuple[str, list[object]] | None:
        """The search's SQL and parameters (None: nothing to search for); `EXPLAIN` reads it."""
        parsed = text_query(query.text)
        if parsed is None:
            return None
        tsquery, params = parsed.sql()
        where = ["s.guild_id = ?"]
        filters: list[object] = [query.guild_id]
        if query.channel_ids is not None:
            where.append("s.channel_id = ANY(?::bigint[])")
            filters.append(list(query.channel_ids))
        if query.since is not None:
            where.append("s.shared_at >= ?")
            filters.append(query.since)
        # The tsquery is written out where it is used (not read from a CTE), so the planner
        # sees a value it can hand to the (guild_id, document) index together with the server.
        # The candidates: the server's matches, newest article first, each with its newest
        # visible share (by the (article_id, guild_id) index: a LATERAL lookup, so the planner
        # never walks the server's shares guessing how many the member's channels hold), at
        # most `query.candidates` of them. For a rare word the planner reads the matches from
        # the GIN index and sorts them; for a common one it walks the server's primary key
        # (guild_id, article_id) backwards, testing each vector, and stops at the bound — the
        # GIN index would hand it every match of the word in the server first. Only the
        # candidates are ranked (ts_rank), only the page gets snippets.
        # The server is `= ANY(array of one)`, not `=`, and the order is (guild_id, article_id):
        # an equality with a constant would let the planner drop guild_id from the order, and
        # then walk the article_id index of the whole archive backwards, testing every
        # server's newest vectors (it did, on a small archive); `= ANY` still narrows the GIN
        # index and the key, and only the key gives that order.
        sql = f"""
            WITH candidates AS MATERIALIZED (
                SELECT i.article_id, i.document, s.id, s.jump_url, s.channel_id,
                       s.message_id, s.shared_at
                FROM archive_search i CROSS JOIN LATERAL (
                    SELECT * FROM archive_shares s
                    WHERE s.article_id = i.article_id AND {" AND ".join(where)}
                    ORDER BY s.shared_at DESC, s.id DESC LIMIT 1
                ) s
                WHERE i.guild_id = ANY(?::bigint[]) AND i.document @@ ({tsquery})
                ORDER BY i.guild_id DESC, i.article_id DESC
                LIMIT ?
            ),
            page AS (
                SELECT c.article_id, c.id, c.jump_url, c.channel_id, c.message_id,
                       c.shared_at,
                       ts_rank({_WEIGHTS}, c.document, {tsquery}, {_LOG_LENGTH}) AS score
                FROM candidates c
                ORDER BY score DESC, c.shared_at DESC, c.id DESC LIMIT ?
            )
            SELECT a.headline, a.site, a.published, a.url, p.jump_url, p.channel_id,
                   p.message_id, p.shared_at,
                   ts_headline('{CONFIG}',
                               concat_ws(E'\\n', f.headline, f.speakers, f.quotes, f.briefing),
                               {tsquery}, '{_HEADLINE_OPTIONS}'),
                   -p.score
            FROM page p
            JOIN archive_articles a ON a.id = p.article_id
            JOIN archive_fts f ON f.article_id = p.article_id
            ORDER BY p.score DESC, p.shared_at DESC, p.id DESC
        """
        return sql, [
            *filters,
            [query.guild_id],
            *params,  # @@
            max(1, query.candidates),
            *params,  # ts_rank
            query.limit,
            *params,  # ts_headline
        ]

    async def search(self, db: Database, query: IndexQuery) -> list[Row]:
        statement = self.statement(query)
        if statement is None:
            return []
        sql, params = statement
        if isinstance(db, PostgresDatabase):  # planned for this query's words (see there)
            return await db.fetch_all_planned(sql, params)
        return await db.fetch_all(sql, params, heavy=True)


__all__ = ["CONFIG", "PostgresTextIndex", "TextQuery", "indexed_text", "text_query"]
