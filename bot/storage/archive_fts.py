"""The archive's full-text index: everything engine-specific about archive search.

Why apart from `archive.py`: the archive's tables and their SQL are portable, but full-text
search is not — SQLite has FTS5 (a virtual table, `MATCH`, `bm25()`, `snippet()`), PostgreSQL
has `tsvector`, `websearch_to_tsquery` and `ts_rank`. The archive talks to an `ArchiveIndex`;
each engine supplies one, chosen by `index_for(db.dialect)`: FTS5 here, PostgreSQL's in
`archive_tsvector.py`. The index's tables are created by migrations 5 and 8
(`bot/storage/migrations.py`).

SQLite (issue 16): a search costs what the asking server's matches cost, not what the archive
holds. `archive_fts` (one row per article, its text) stays the source of snippets and of the
statistics bm25 needs; `archive_scope` indexes the same text once per server that shared it,
under rowids `slot << 32 | article id` (`archive_guild_slots` numbers the servers), so a MATCH
limited to one server's rowid range walks only that server's entries. Ranking is FTS5's bm25,
computed in `archive_tokens.py` from stored tokens and counts instead of by `bm25()` — which
would walk every article that holds a common word — so the order, the scores and the ties are
the ones the single-table search gave (tests/storage/test_archive_oracle.py checks them
against that query), and snippets are made only for the page shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final, Protocol

from bot.storage.archive_tokens import Phrase, Totals, bm25, frequencies, idf, phrases
from bot.storage.database import Database, Row, Statement

_MAX_QUERY_TERMS: Final = 16
_WORD: Final = re.compile(r"[^\W_]+")
# The most matches a search ranks: a word in more of the server's visible articles than this
# is ranked among its newest this many (see IndexQuery.candidates).
SEARCH_CANDIDATES: Final = 200


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """The searchable text of one article, by field (weighted differently when ranked)."""

    headline: str
    briefing: str
    quotes: str
    speakers: str


@dataclass(frozen=True, slots=True)
class IndexQuery:
    """A search within one server: `channel_ids` None means every channel.

    `candidates` bounds the work of a common word: of the articles that match and have a share
    the member may see (in the channels and the window given), only the newest `candidates`
    (highest article id: the order articles were first archived in) are ranked. When fewer
    match, every match is ranked and the results are exactly those of an unbounded search.
    Why newest: a word in most of a server's articles ("said", "the") ranks them by little
    more than how often they repeat it, and a newsroom wants the recent ones; ranking all of
    them made the cost follow the server's size (issue 16).
    """

    guild_id: int
    text: str
    channel_ids: list[int] | None
    since: float | None
    limit: int
    candidates: int = SEARCH_CANDIDATES


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
        that let `guild_id`'s searches find the article."""
        ...

    def remove_guild(self, guild_id: int, article_id: int) -> list[Statement]:
        """Statements, after some of `guild_id`'s shares of the article were deleted, that take
        the article out of that server's searches if the server has no share of it left
        (`forget` may remove only the shares in the channels a member can see)."""
        ...

    def remove(self, article_id: int) -> list[Statement]:
        """Statements for an article no server has a share of any more."""
        ...

    async def search(self, db: Database, query: IndexQuery) -> list[Row]:
        """Hits, best first, one per article linked to its newest share in the query's scope:
        (headline, site, published, url, jump_url, channel_id, message_id, shared_at, snippet,
        rank) — rank lower is better, equal ranks newest share first."""
        ...


def query_chunks(text: str) -> list[tuple[str, bool]]:
    """The query's whitespace-separated chunks that hold words: each chunk's words joined by
    spaces, and whether the chunk ends in `*` (a prefix search). At most 16."""
    chunks: list[tuple[str, bool]] = []
    for chunk in text.split():
        words = _WORD.findall(chunk)
        if not words:
            continue
        chunks.append((" ".join(words), chunk.endswith("*")))
        if len(chunks) == _MAX_QUERY_TERMS:
            break
    return chunks


def fts_query(text: str) -> str | None:
    """User text as a safe FTS5 query: each word-run quoted, all required; None if no words.

    A whitespace-separated chunk such as "e-bike" or "O'Neill" becomes one quoted phrase, so
    it matches the way the tokenizer split the stored text. A trailing `*` keeps its meaning as
    a prefix search. Everything else (quotes, AND/OR/NOT, NEAR, -, ^, :, parentheses) is
    treated as plain text.
    """
    terms = [_phrase_match(words, prefix) for words, prefix in query_chunks(text)]
    return " ".join(terms) if terms else None


def _phrase_match(words: str, prefix: bool) -> str:
    return f'"{words}"' + ("*" if prefix else "")


# Statements below use `(SELECT id FROM archive_articles WHERE url = ?)` for the article.
_ARTICLE: Final = "(SELECT id FROM archive_articles WHERE url = ?)"
# The text the article is indexed with differs from the entry being written.
_CHANGED: Final = (
    f"EXISTS (SELECT 1 FROM archive_fts WHERE rowid = {_ARTICLE} AND NOT "
    "(headline IS ? AND briefing IS ? AND quotes IS ? AND speakers IS ?))"
)
# After the stale tokens row went: the article must be (re)indexed.
_UNINDEXED: Final = f"NOT EXISTS (SELECT 1 FROM archive_tokens WHERE article_id = {_ARTICLE})"
_SCOPE_COLUMNS: Final = "archive_scope (rowid, headline, briefing, quotes, speakers)"
_SCOPE_DELETE: Final = "archive_scope (archive_scope, rowid, headline, briefing, quotes, speakers)"
_SCOPE_ROWID: Final = "(g.slot << 32) | f.rowid"  # article ids stay below 2**32
_SCOPE_FIELDS: Final = "f.headline, f.briefing, f.quotes, f.speakers"
_SERVERS_OF: Final = (
    "(SELECT DISTINCT guild_id FROM archive_shares "
    f"WHERE article_id = {_ARTICLE}) p JOIN archive_guild_slots g ON g.guild_id = p.guild_id"
)
_SLOT: Final = "(SELECT slot FROM archive_guild_slots WHERE guild_id = ?)"
_TOKENS: Final = ", ".join(
    f"newsdesk_fts_tokens(headline, briefing, quotes, speakers, {part})" for part in range(-1, 4)
)
_SNIPPET: Final = "snippet(archive_fts, -1, '**', '**', '…', 16)"


class SQLiteFTS5Index:
    """FTS5: `archive_fts` (rowid = article id), `archive_scope` (per server), the tokens and
    counts of `archive_tokens.py`; bm25 with headline > speakers > quotes > briefing.

    Every scope row was indexed with the text `archive_fts` holds for its article, and exists
    exactly while its server has a share of the article — so a contentless FTS5 'delete' can
    always be given the values the row was indexed with.
    """

    # bm25 column weights: headline, briefing, quotes, speakers (archive_tokens.WEIGHTS).
    RANK: Final = "bm25(archive_fts, 4.0, 1.0, 2.0, 3.0)"

    def accepts(self, text: str) -> bool:
        return fts_query(text) is not None

    def put(self, article_url: str, entry: IndexEntry) -> list[Statement]:
        text = (entry.headline, entry.briefing, entry.quotes, entry.speakers)
        changed = (article_url, *text)
        return [
            # Text changed: the servers' scope rows leave with the values they were made of,
            # then the stale tokens (their trigger uncounts the words).
            (
                f"INSERT INTO {_SCOPE_DELETE} SELECT 'delete', {_SCOPE_ROWID}, {_SCOPE_FIELDS} "
                f"FROM archive_fts f JOIN {_SERVERS_OF} WHERE f.rowid = {_ARTICLE} AND {_CHANGED}",
                (article_url, article_url, *changed),
            ),
            (
                f"DELETE FROM archive_tokens WHERE article_id = {_ARTICLE} AND {_CHANGED}",
                (article_url, *changed),
            ),
            # New or changed: the article's own row, the servers' rows, its tokens.
            (
                f"DELETE FROM archive_fts WHERE rowid = {_ARTICLE} AND {_UNINDEXED}",
                (article_url, article_url),
            ),
            (
                "INSERT INTO archive_fts (rowid, headline, briefing, quotes, speakers) "
                f"SELECT {_ARTICLE}, ?, ?, ?, ? WHERE {_UNINDEXED}",
                (article_url, *text, article_url),
            ),
            (
                f"INSERT INTO {_SCOPE_COLUMNS} SELECT {_SCOPE_ROWID}, {_SCOPE_FIELDS} "
                f"FROM archive_fts f JOIN {_SERVERS_OF} WHERE f.rowid = {_ARTICLE} "
                f"AND {_UNINDEXED}",
                (article_url, article_url, article_url),
            ),
            (
                "INSERT INTO archive_tokens "
                "(article_id, length, headline, briefing, quotes, speakers) "
                f"SELECT rowid, {_TOKENS} FROM archive_fts WHERE rowid = {_ARTICLE} "
                f"AND {_UNINDEXED}",
                (article_url, article_url),
            ),
        ]

    def add_share(self, article_url: str, guild_id: int) -> list[Statement]:
        return [
            (
                "INSERT INTO archive_guild_slots (guild_id, slot) "
                "SELECT ?, coalesce(max(slot), 0) + 1 FROM archive_guild_slots "
                "WHERE true ON CONFLICT (guild_id) DO NOTHING",
                (guild_id,),
            ),
            # The server's first share of the article: its scope row.
            (
                f"INSERT INTO {_SCOPE_COLUMNS} SELECT {_SCOPE_ROWID}, {_SCOPE_FIELDS} "
                f"FROM archive_fts f JOIN archive_guild_slots g ON g.guild_id = ? "
                f"WHERE f.rowid = {_ARTICLE} AND NOT EXISTS (SELECT 1 FROM archive_shares "
                f"WHERE guild_id = ? AND article_id = {_ARTICLE})",
                (guild_id, article_url, guild_id, article_url),
            ),
        ]

    def remove_guild(self, guild_id: int, article_id: int) -> list[Statement]:
        return [
            (
                f"INSERT INTO {_SCOPE_DELETE} SELECT 'delete', {_SCOPE_ROWID}, {_SCOPE_FIELDS} "
                "FROM archive_fts f JOIN archive_guild_slots g ON g.guild_id = ? "
                "WHERE f.rowid = ? AND NOT EXISTS (SELECT 1 FROM archive_shares "
                "WHERE guild_id = ? AND article_id = ?)",
                (guild_id, article_id, guild_id, article_id),
            )
        ]

    def remove(self, article_id: int) -> list[Statement]:
        return [
            ("DELETE FROM archive_tokens WHERE article_id = ?", (article_id,)),
            ("DELETE FROM archive_fts WHERE rowid = ?", (article_id,)),
        ]

    async def search(self, db: Database, query: IndexQuery) -> list[Row]:
        chunks = query_chunks(query.text)
        if not chunks:
            return []
        match = " ".join(_phrase_match(words, prefix) for words, prefix in chunks)
        wanted = phrases(chunks)
        if not all(p.tokens for p in wanted):  # a word FTS5 does not see as one: no shortcut
            return await self._search_everything(db, query, match)
        counted = [
            (_phrase_match(words, prefix), phrase.pattern())
            for (words, prefix), phrase in zip(chunks, wanted, strict=True)
            if not phrase.simple
        ]
        sql, params = _candidates(query, match, wanted, counted)
        rows = await db.fetch_all(sql, params, heavy=True)
        if not rows:
            return []
        statistics = _Statistics.read(rows[0], wanted, [pattern for _, pattern in counted])
        hits = await _with_snippets(db, match, _best(rows, wanted, statistics, query.limit))
        if statistics.uncached:
            await db.execute_batch(statistics.remember())
        return hits

    async def _search_everything(self, db: Database, query: IndexQuery, match: str) -> list[Row]:
        """The single-table query: FTS5 ranks every match in the archive. Exact, and slow on
        a large archive; only for a query FTS5 would tokenize differently from its words."""
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
                SELECT rowid AS article_id, {self.RANK} AS rank, {_SNIPPET} AS snip
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


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A matching article in the query's scope, with its newest visible share and its rank."""

    article_id: int
    share_id: int
    shared_at: float
    jump_url: str
    channel_id: int
    message_id: int
    rank: float


def _candidates(
    query: IndexQuery, match: str, wanted: list[Phrase], counted: list[tuple[str, str]]
) -> tuple[str, list[object]]:
    """One statement (one snapshot): the server's newest matches (at most `query.candidates`)
    that have a share the member may see, each with its newest visible share and its tokens,
    and the statistics bm25 needs — FTS5's totals, the article counts of the query's words,
    and for each phrase that is not one whole word its kept count or, when none is kept, a
    count in archive_fts (with the index's generation, to keep it).

    The server's scope rows are walked newest article first (FTS5 reads its rowids in
    descending order, inside the server's range) and each match's newest visible share is
    looked up by (article_id, guild_id); the walk stops at the bound. The bound counts only
    matches with a visible share, so hidden channels never use up the budget and a member
    still gets every visible match of a rarer word."""
    where = ["s.article_id = m.rowid & 4294967295", "s.guild_id = ?"]
    filters: list[object] = [query.guild_id]
    if query.channel_ids is not None:
        where.append("s.channel_id IN (SELECT value FROM json_each(?))")
        filters.append(json.dumps(query.channel_ids))
    if query.since is not None:
        where.append("s.shared_at >= ?")
        filters.append(query.since)
    terms = sorted({p.tokens[0] for p in wanted if p.simple})
    kept = "(SELECT articles FROM archive_phrases WHERE pattern = ?)"
    counts = "".join(
        f", {kept}, coalesce({kept}, (SELECT count(*) FROM archive_fts WHERE archive_fts MATCH ?))"
        for _ in counted
    )
    sql = f"""
        WITH matched AS MATERIALIZED (
            SELECT article_id, share_id FROM (
                SELECT m.rowid & 4294967295 AS article_id,
                       (SELECT s.id FROM archive_shares s WHERE {" AND ".join(where)}
                        ORDER BY s.shared_at DESC, s.id DESC LIMIT 1) AS share_id
                FROM archive_scope m
                WHERE archive_scope MATCH ?
                  AND m.rowid BETWEEN {_SLOT} << 32 AND ({_SLOT} << 32) | 4294967295
                ORDER BY m.rowid DESC
                LIMIT -1  -- unbounded; keeps SQLite from copying the lookup into the WHERE
            )
            WHERE share_id IS NOT NULL
            LIMIT ?
        )
        SELECT m.article_id, s.id, s.shared_at, s.jump_url, s.channel_id, s.message_id,
               t.length, t.headline, t.briefing, t.quotes, t.speakers,
               (SELECT block FROM archive_fts_data WHERE id = 1),
               (SELECT json_group_object(term, articles) FROM archive_terms
                WHERE term IN (SELECT value FROM json_each(?))),
               (SELECT generation FROM archive_index_state){counts}
        FROM matched m
        JOIN archive_shares s ON s.id = m.share_id
        JOIN archive_tokens t ON t.article_id = m.article_id
    """
    params: list[object] = [
        *filters,
        match,
        query.guild_id,
        query.guild_id,
        max(1, query.candidates),
        json.dumps(terms, ensure_ascii=False),
        *(value for phrase, pattern in counted for value in (pattern, pattern, phrase)),
    ]
    return sql, params


_KEPT_PHRASES: Final = 256  # phrase counts kept; the oldest goes first


@dataclass(frozen=True, slots=True)
class _Statistics:
    """What bm25 needs besides each row: FTS5's totals and each phrase's idf; and the phrase
    counts this search had to make, to be kept if the index has not changed since."""

    totals: Totals
    idfs: list[float]
    generation: int
    uncached: dict[str, int]

    @classmethod
    def read(cls, row: Row, wanted: list[Phrase], patterns: list[str]) -> _Statistics:
        totals = Totals.decode(row[11])
        articles: dict[str, int] = json.loads(row[12] or "{}")
        generation = int(row[13])
        extra = row[14:]
        counts = {p: int(extra[2 * i + 1]) for i, p in enumerate(patterns)}
        uncached = {p: counts[p] for i, p in enumerate(patterns) if extra[2 * i] is None}
        idfs = [
            idf(totals.rows, articles.get(p.tokens[0], 0) if p.simple else counts[p.pattern()])
            for p in wanted
        ]
        return cls(totals, idfs, generation, uncached)

    def remember(self) -> list[Statement]:
        """Keep the counts made here — only if no write changed the index since they were
        made (the triggers keep a kept count; a count made before a write would be stale)."""
        statements: list[Statement] = [
            (
                "INSERT INTO archive_phrases (pattern, articles) SELECT ?, ? "
                "WHERE (SELECT generation FROM archive_index_state) = ? "
                "ON CONFLICT (pattern) DO NOTHING",
                (pattern, count, self.generation),
            )
            for pattern, count in self.uncached.items()
        ]
        statements.append(
            (
                "DELETE FROM archive_phrases WHERE id <= (SELECT max(id) FROM archive_phrases) - ?",
                (_KEPT_PHRASES,),
            )
        )
        return statements


def _best(
    rows: list[Row], wanted: list[Phrase], stats: _Statistics, limit: int
) -> list[_Candidate]:
    """The page: candidates ranked by FTS5's bm25, newest share first on equal ranks."""
    ranked = [
        _Candidate(
            article_id=int(r[0]),
            share_id=int(r[1]),
            shared_at=float(r[2]),
            jump_url=r[3],
            channel_id=int(r[4]),
            message_id=int(r[5]),
            rank=bm25(frequencies(r[7:11], wanted), int(r[6]), stats.idfs, stats.totals),
        )
        for r in rows
    ]
    ranked.sort(key=lambda c: (c.rank, -c.shared_at, -c.share_id))
    return ranked[:limit]


async def _with_snippets(db: Database, match: str, page: list[_Candidate]) -> list[Row]:
    """The page's articles and snippets: FTS5 looks up each article by rowid."""
    rows = await db.fetch_all(
        "SELECT f.rowid, a.headline, a.site, a.published, a.url, "
        f"{_SNIPPET} FROM json_each(?) j CROSS JOIN archive_fts f "
        "CROSS JOIN archive_articles a "
        "WHERE f.rowid = j.value AND archive_fts MATCH ? AND a.id = f.rowid",
        (json.dumps([c.article_id for c in page]), match),
        heavy=True,
    )
    found = {int(r[0]): r for r in rows}
    hits: list[Row] = []
    for c in page:
        if c.article_id not in found:  # forgotten between the two reads
            continue
        _, headline, site, published, url, snippet = found[c.article_id]
        share = (c.jump_url, c.channel_id, c.message_id, c.shared_at)
        hits.append((headline, site, published, url, *share, snippet, c.rank))
    return hits


def index_for(dialect: str) -> ArchiveIndex:
    if dialect == "sqlite":
        return SQLiteFTS5Index()
    if dialect == "postgresql":
        from bot.storage.archive_tsvector import PostgresTextIndex

        return PostgresTextIndex()
    raise NotImplementedError(f"no archive search for {dialect}")


__all__ = [
    "SEARCH_CANDIDATES",
    "ArchiveIndex",
    "IndexEntry",
    "IndexQuery",
    "SQLiteFTS5Index",
    "fts_query",
    "index_for",
    "query_chunks",
]
