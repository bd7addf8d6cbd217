"""The newsroom's memory: every briefing the bot posts, searchable with SQLite FTS5.

Why: "what did we share about the port strike last week?" is a question reporters ask daily.
An article is stored once (its text fields feed one FTS row) and each time it is posted in a
server we add a share row (guild, channel, message, poster, time), so search ranks articles,
not posts, while digests can still count how often something was shared and link every post.

Search is scoped to one guild and to the channels the asking member can see; query text is
turned into quoted FTS5 terms so user input can never be FTS syntax.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import aiosqlite

from bot.models import Briefing, Quote
from bot.storage.cache import canonical_url

# The tables, for `init()` or for appending to the Store's migration list.
SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS archive_articles (
        id         INTEGER PRIMARY KEY,
        url        TEXT NOT NULL UNIQUE,
        headline   TEXT,
        site       TEXT,
        published  TEXT,
        byline     TEXT,
        lede       TEXT NOT NULL DEFAULT '',
        briefing   TEXT NOT NULL DEFAULT '[]',
        quotes     TEXT NOT NULL DEFAULT '[]',
        updated_at REAL NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS archive_aliases (
        url        TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS archive_shares (
        id         INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL,
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        jump_url   TEXT NOT NULL,
        poster_id  INTEGER NOT NULL,
        shared_at  REAL NOT NULL,
        UNIQUE (message_id, article_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS archive_shares_channel "
    "ON archive_shares (guild_id, channel_id, shared_at)",
    "CREATE INDEX IF NOT EXISTS archive_shares_article ON archive_shares (article_id, guild_id)",
    # Porter stemming so "resigns" finds "resigned"; diacritics folded so "Jose" finds "José".
    "CREATE VIRTUAL TABLE IF NOT EXISTS archive_fts USING fts5("
    "headline, briefing, quotes, speakers, tokenize = 'porter unicode61 remove_diacritics 2')",
)

# bm25 column weights: headline, briefing, quotes, speakers.
_BM25 = "bm25(archive_fts, 4.0, 1.0, 2.0, 3.0)"
_LEDE_PARAGRAPHS = 2
_MAX_QUERY_TERMS = 16
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Share:
    """One post of an article in a channel."""

    guild_id: int
    channel_id: int
    message_id: int
    jump_url: str
    poster_id: int
    shared_at: datetime


@dataclass(slots=True)
class SharedArticle:
    """An article with its shares in a window: the unit that digests group into stories."""

    url: str
    headline: str | None
    site: str | None
    published: str | None
    byline: str | None
    lede: str
    briefing: list[str]
    quotes: list[Quote]
    shares: list[Share] = field(default_factory=list)

    @property
    def share_count(self) -> int:
        return len(self.shares)

    @property
    def first_shared(self) -> datetime:
        return min(s.shared_at for s in self.shares)

    @property
    def last_shared(self) -> datetime:
        return max(s.shared_at for s in self.shares)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article found by search, with its newest share the member may see."""

    headline: str | None
    site: str | None
    published: str | None
    url: str
    jump_url: str
    channel_id: int
    message_id: int
    shared_at: datetime
    snippet: str  # matched terms wrapped in ** (Discord bold)
    rank: float  # bm25: lower is better


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


def _ts(moment: datetime) -> float:
    if moment.tzinfo is None:  # naive datetimes are taken as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _quotes_json(quotes: Iterable[Quote]) -> str:
    return json.dumps([asdict(q) for q in quotes], ensure_ascii=False)


def _speakers(quotes: Iterable[Quote]) -> str:
    return "\n".join(dict.fromkeys(q.speaker for q in quotes if q.speaker))


class Archive:
    """Shares and articles over a caller-owned aiosqlite connection (shareable with the Store)."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()  # one multi-statement write at a time on this connection

    async def init(self) -> None:
        """Create the tables; switch the file to WAL so a crash mid-write loses nothing committed.

        WAL is a property of the file, so this also applies to the Store sharing it.
        """
        if not self._db.in_transaction:  # the mode cannot change inside a transaction
            async with self._db.execute("PRAGMA journal_mode = WAL") as cursor:
                await cursor.fetchone()
        for statement in SCHEMA:
            await self._db.execute(statement)
        await self._db.commit()

    async def record_share(
        self,
        briefing: Briefing,
        *,
        guild_id: int,
        channel_id: int,
        message_id: int,
        jump_url: str,
        poster_id: int,
        shared_at: datetime,
    ) -> None:
        """Remember that `briefing` was posted; failed briefings are not archived.

        The article row is refreshed with this briefing's fields (a re-share after a correction
        updates what search sees). Recording the same message twice is a no-op.
        """
        if not briefing.ok:
            return
        # Keyed by where the page was fetched from, never by its own canonical claim, so a
        # page cannot overwrite another address's article row.
        url = canonical_url(briefing.fetched_url or briefing.source)
        aliases = {url, canonical_url(briefing.source)}
        quotes = list(briefing.quotes)
        now = _ts(datetime.now(UTC))
        async with self._lock, self._transaction():
            async with self._db.execute(
                "INSERT INTO archive_articles "
                "(url, headline, site, published, byline, lede, briefing, quotes, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET headline = excluded.headline, "
                "site = excluded.site, published = excluded.published, byline = excluded.byline, "
                "lede = excluded.lede, briefing = excluded.briefing, quotes = excluded.quotes, "
                "updated_at = excluded.updated_at "
                "RETURNING id",
                (
                    url,
                    briefing.headline,
                    briefing.site,
                    briefing.published,
                    briefing.byline,
                    "\n".join(briefing.paragraphs[:_LEDE_PARAGRAPHS]),
                    json.dumps(list(briefing.briefing), ensure_ascii=False),
                    _quotes_json(quotes),
                    now,
                ),
            ) as cursor:
                row = await cursor.fetchone()
            assert row is not None
            article_id = int(row[0])
            await self._db.executemany(
                "INSERT INTO archive_aliases (url, article_id) VALUES (?, ?) "
                "ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id",
                [(alias, article_id) for alias in sorted(aliases)],
            )
            await self._db.execute("DELETE FROM archive_fts WHERE rowid = ?", (article_id,))
            await self._db.execute(
                "INSERT INTO archive_fts (rowid, headline, briefing, quotes, speakers) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    article_id,
                    briefing.headline or "",
                    "\n".join(briefing.briefing),
                    "\n".join(q.text for q in quotes),
                    _speakers(quotes),
                ),
            )
            await self._db.execute(
                "INSERT OR IGNORE INTO archive_shares "
                "(article_id, guild_id, channel_id, message_id, jump_url, poster_id, shared_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    guild_id,
                    channel_id,
                    message_id,
                    jump_url,
                    poster_id,
                    _ts(shared_at),
                ),
            )

    async def search(
        self,
        guild_id: int,
        query: str,
        *,
        channel_ids: Collection[int] | None = None,
        since: datetime | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        """Articles shared in this guild matching every word of `query`, best bm25 first.

        `channel_ids` is the set of channels the member can see (None: no filter; empty: no
        results). Each article appears once, linked to its newest visible share; equal ranks
        put the more recently shared article first.
        """
        match = fts_query(query)
        if match is None or limit <= 0 or (channel_ids is not None and not channel_ids):
            return []
        where = ["s.guild_id = ?"]
        params: list[object] = [match, guild_id]
        if channel_ids is not None:
            where.append("s.channel_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted({int(c) for c in channel_ids})))
        if since is not None:
            where.append("s.shared_at >= ?")
            params.append(_ts(since))
        params.append(limit)
        sql = f"""
            WITH hits AS MATERIALIZED (
                SELECT rowid AS article_id, {_BM25} AS rank,
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
        async with self._db.execute(sql, params) as cursor:
            rows = await cursor.fetchall()
        return [
            SearchHit(
                headline=r[0],
                site=r[1],
                published=r[2],
                url=r[3],
                jump_url=r[4],
                channel_id=int(r[5]),
                message_id=int(r[6]),
                shared_at=_dt(r[7]),
                snippet=r[8] or "",
                rank=float(r[9]),
            )
            for r in rows
        ]

    async def forget(self, guild_id: int, url: str) -> int:
        """Remove this guild's shares of the article at `url`; returns how many shares went.

        `url` may be the link that was pasted or the article's canonical URL. The article row
        (and its search entry) is deleted once no guild has a share of it left.
        """
        key = canonical_url(url)
        async with self._lock, self._transaction():
            async with self._db.execute(
                "SELECT article_id FROM archive_aliases WHERE url = ? "
                "UNION SELECT id FROM archive_articles WHERE url = ?",
                (key, key),
            ) as cursor:
                article_ids = [int(r[0]) for r in await cursor.fetchall()]
            removed = 0
            for article_id in article_ids:
                cursor = await self._db.execute(
                    "DELETE FROM archive_shares WHERE guild_id = ? AND article_id = ?",
                    (guild_id, article_id),
                )
                removed += cursor.rowcount
                async with self._db.execute(
                    "SELECT 1 FROM archive_shares WHERE article_id = ? LIMIT 1", (article_id,)
                ) as check:
                    if await check.fetchone() is None:
                        await self._delete_article(article_id)
        return removed

    async def shares_in_channel(
        self, guild_id: int, channel_id: int, since: datetime, until: datetime | None = None
    ) -> list[SharedArticle]:
        """Articles shared in a channel in [since, until), each with its shares, oldest first."""
        params: list[object] = [guild_id, channel_id, _ts(since)]
        bound = ""
        if until is not None:
            bound = " AND s.shared_at < ?"
            params.append(_ts(until))
        sql = (
            "SELECT a.id, a.url, a.headline, a.site, a.published, a.byline, a.lede, a.briefing, "
            "a.quotes, s.guild_id, s.channel_id, s.message_id, s.jump_url, s.poster_id, "
            "s.shared_at FROM archive_shares s JOIN archive_articles a ON a.id = s.article_id "
            f"WHERE s.guild_id = ? AND s.channel_id = ? AND s.shared_at >= ?{bound} "
            "ORDER BY s.shared_at, s.id"
        )
        async with self._db.execute(sql, params) as cursor:
            rows = await cursor.fetchall()
        articles: dict[int, SharedArticle] = {}
        for r in rows:
            article = articles.get(r[0])
            if article is None:
                article = articles[r[0]] = SharedArticle(
                    url=r[1],
                    headline=r[2],
                    site=r[3],
                    published=r[4],
                    byline=r[5],
                    lede=r[6],
                    briefing=list(json.loads(r[7])),
                    quotes=[Quote(**q) for q in json.loads(r[8])],
                )
            article.shares.append(
                Share(
                    guild_id=int(r[9]),
                    channel_id=int(r[10]),
                    message_id=int(r[11]),
                    jump_url=r[12],
                    poster_id=int(r[13]),
                    shared_at=_dt(r[14]),
                )
            )
        return list(articles.values())

    async def _delete_article(self, article_id: int) -> None:
        await self._db.execute("DELETE FROM archive_fts WHERE rowid = ?", (article_id,))
        await self._db.execute("DELETE FROM archive_aliases WHERE article_id = ?", (article_id,))
        await self._db.execute("DELETE FROM archive_articles WHERE id = ?", (article_id,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN (unless the connection already is in one) … COMMIT, or ROLLBACK on error.

    Explicit so a multi-statement write stays atomic whatever isolation mode the shared
    connection was opened with.
    """

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def __aenter__(self) -> None:
        if not self._db.in_transaction:
            await self._db.execute("BEGIN")

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            await self._db.commit()
        else:
            await self._db.rollback()


__all__ = ["Archive", "SearchHit", "Share", "SharedArticle", "fts_query"]
