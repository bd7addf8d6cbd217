"""The newsroom's memory: every briefing the bot posts, searchable in full text.

Why: "what did we share about the port strike last week?" is a question reporters ask daily.
An article is stored once (its text fields feed one search entry) and each time it is posted in a
server we add a share row (guild, channel, message, poster, time), so search ranks articles,
not posts, while digests can still count how often something was shared and link every post.

Search is scoped to one guild and to the channels the asking member can see; query text is
turned into quoted terms so user input can never be query syntax. Everything engine-specific
about search lives in `bot/storage/archive_fts.py`; the tables come from the migrations.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.clock import Clock, from_timestamp, timestamp, utc_now
from bot.models import Briefing, Quote
from bot.storage.archive_fts import (
    SEARCH_CANDIDATES,
    IndexEntry,
    IndexQuery,
    fts_query,
    index_for,
    query_chunks,
)
from bot.storage.cache import canonical_url
from bot.storage.database import Database, Statement, Transaction
from bot.storage.limits import StorageLimits
from bot.text import stopwords

_LEDE_PARAGRAPHS = 2


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
    rank: float  # lower is better: bm25 (SQLite), minus ts_rank (PostgreSQL)


def too_common(query: str) -> bool:
    """Whether every word of `query` is a single character or an English function word ("the",
    "of", "and"): words nearly every article holds, whose results would be the whole archive in
    an order that means little, so `/search` asks for a rarer word instead of running it.

    English only: a function word of another language is often a word worth searching in
    English ("war", "die", "hat"), and the archive does not know which language a server reads.
    A chunk of several words ("U.S.", "e-bike") is a phrase and always searched.
    """
    chunks = query_chunks(query)
    english = stopwords("en")
    return bool(chunks) and all(
        " " not in words and (len(words) == 1 or words.lower() in english) for words, _ in chunks
    )


def _quotes_json(quotes: Iterable[Quote]) -> str:
    return json.dumps([asdict(q) for q in quotes], ensure_ascii=False)


def _speakers(quotes: Iterable[Quote]) -> str:
    return "\n".join(dict.fromkeys(q.speaker for q in quotes if q.speaker))


class Archive:
    """Shares and articles over the bot's `Database`; each write is one short transaction."""

    def __init__(
        self, db: Database, *, clock: Clock = utc_now, limits: StorageLimits | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._limits = limits or StorageLimits()
        self._index = index_for(db.dialect)

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
        stored = self._limits.cap(briefing)
        # Keyed by where the page was fetched from, never by its own canonical claim, so a
        # page cannot overwrite another address's article row.
        url = canonical_url(briefing.fetched_url or briefing.source)
        aliases = sorted({url, canonical_url(briefing.source)})
        # One batch, one short transaction: later statements find the article's id by its url.
        article = "SELECT id FROM archive_articles WHERE url = ?"
        await self._db.execute_batch(
            [
                self._upsert_article(url, stored),
                *(
                    (
                        "INSERT INTO archive_aliases (url, article_id) SELECT ?, id "
                        "FROM archive_articles WHERE url = ? "
                        "ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id",
                        (alias, url),
                    )
                    for alias in aliases
                ),
                *self._index.put(url, _index_entry(stored)),
                *self._index.add_share(url, guild_id),
                (
                    "INSERT INTO archive_shares (article_id, guild_id, channel_id, message_id, "
                    f"jump_url, poster_id, shared_at) SELECT ({article}), ?, ?, ?, ?, ?, ? "
                    "WHERE true ON CONFLICT (message_id, article_id) DO NOTHING",
                    (
                        url,
                        guild_id,
                        channel_id,
                        message_id,
                        jump_url,
                        poster_id,
                        timestamp(shared_at),
                    ),
                ),
            ]
        )

    def _upsert_article(self, url: str, briefing: Briefing) -> Statement:
        return (
            "INSERT INTO archive_articles "
            "(url, headline, site, published, byline, lede, briefing, quotes, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET headline = excluded.headline, "
            "site = excluded.site, published = excluded.published, byline = excluded.byline, "
            "lede = excluded.lede, briefing = excluded.briefing, quotes = excluded.quotes, "
            "updated_at = excluded.updated_at",
            (
                url,
                briefing.headline,
                briefing.site,
                briefing.published,
                briefing.byline,
                "\n".join(briefing.paragraphs[:_LEDE_PARAGRAPHS]),
                json.dumps(list(briefing.briefing), ensure_ascii=False),
                _quotes_json(briefing.quotes),
                timestamp(self._clock()),
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
        candidates: int = SEARCH_CANDIDATES,
    ) -> list[SearchHit]:
        """Articles shared in this guild matching every word of `query`, best bm25 first.

        `channel_ids` is the set of channels the member can see (None: no filter; empty: no
        results). Each article appears once, linked to its newest visible share; equal ranks
        put the more recently shared article first. When more than `candidates` articles match
        and are visible, only the newest `candidates` of them are ranked (`IndexQuery`).
        """
        if limit <= 0 or (channel_ids is not None and not channel_ids):
            return []
        if not self._index.accepts(query):
            return []
        rows = await self._index.search(
            self._db,
            IndexQuery(
                guild_id=guild_id,
                text=query,
                channel_ids=None if channel_ids is None else sorted({int(c) for c in channel_ids}),
                since=None if since is None else timestamp(since),
                limit=limit,
                candidates=candidates,
            ),
        )
        return [
            SearchHit(
                headline=r[0],
                site=r[1],
                published=r[2],
                url=r[3],
                jump_url=r[4],
                channel_id=int(r[5]),
                message_id=int(r[6]),
                shared_at=from_timestamp(r[7]),
                snippet=r[8] or "",
                rank=float(r[9]),
            )
            for r in rows
        ]

    async def forget(
        self, guild_id: int, url: str, *, channel_ids: Collection[int] | None = None
    ) -> int:
        """Remove this guild's shares of the article at `url`; returns how many shares went.

        `url` may be the link that was pasted or the article's canonical URL. `channel_ids` is
        the set of channels the asking member can see (None: no filter; empty: nothing goes),
        so shares in channels hidden from them are neither removed nor counted. The article row
        (and its search entry) is deleted once no guild has a share of it left.
        """
        if channel_ids is not None and not channel_ids:
            return 0
        in_channels = ""
        channel_params: list[int] = []
        if channel_ids is not None:
            channel_params = sorted({int(c) for c in channel_ids})
            in_channels = f" AND channel_id IN ({', '.join('?' * len(channel_params))})"
        delete = f"DELETE FROM archive_shares WHERE guild_id = ? AND article_id = ?{in_channels}"
        key = canonical_url(url)
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT article_id FROM archive_aliases WHERE url = ? "
                "UNION SELECT id FROM archive_articles WHERE url = ?",
                (key, key),
            )
            removed = 0
            for article_id in (int(r[0]) for r in rows):
                deleted = await tx.execute(delete, (guild_id, article_id, *channel_params))
                if deleted:  # the server may keep shares in channels hidden from the member
                    await tx.execute_batch(self._index.remove_guild(guild_id, article_id))
                removed += deleted
                left = await tx.fetch_one(
                    "SELECT 1 FROM archive_shares WHERE article_id = ? LIMIT 1", (article_id,)
                )
                if left is None:
                    await self._delete_article(tx, article_id)
        return removed

    async def share_channels(self, guild_id: int, url: str) -> set[int]:
        """Ids of the channels in this guild where the article at `url` was shared.

        Why: a share in a thread Discord has archived since is unknown to the bot's channel
        cache, so `forget` callers look those channels up before deciding what the member sees.
        """
        key = canonical_url(url)
        rows = await self._db.fetch_all(
            "SELECT DISTINCT channel_id FROM archive_shares WHERE guild_id = ? AND article_id IN "
            "(SELECT article_id FROM archive_aliases WHERE url = ? "
            "UNION SELECT id FROM archive_articles WHERE url = ?)",
            (guild_id, key, key),
        )
        return {int(r[0]) for r in rows}

    async def shares_in_channel(
        self, guild_id: int, channel_id: int, since: datetime, until: datetime | None = None
    ) -> list[SharedArticle]:
        """Articles shared in a channel in [since, until), each with its shares, oldest first."""
        params: list[object] = [guild_id, channel_id, timestamp(since)]
        bound = ""
        if until is not None:
            bound = " AND s.shared_at < ?"
            params.append(timestamp(until))
        rows = await self._db.fetch_all(
            "SELECT a.id, a.url, a.headline, a.site, a.published, a.byline, a.lede, a.briefing, "
            "a.quotes, s.guild_id, s.channel_id, s.message_id, s.jump_url, s.poster_id, "
            "s.shared_at FROM archive_shares s JOIN archive_articles a ON a.id = s.article_id "
            f"WHERE s.guild_id = ? AND s.channel_id = ? AND s.shared_at >= ?{bound} "
            "ORDER BY s.shared_at, s.id",
            params,
            heavy=True,
        )
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
                    shared_at=from_timestamp(r[14]),
                )
            )
        return list(articles.values())

    async def _delete_article(self, tx: Transaction, article_id: int) -> None:
        await tx.execute_batch(self._index.remove(article_id))
        await tx.execute("DELETE FROM archive_aliases WHERE article_id = ?", (article_id,))
        await tx.execute("DELETE FROM archive_articles WHERE id = ?", (article_id,))


def _index_entry(briefing: Briefing) -> IndexEntry:
    return IndexEntry(
        headline=briefing.headline or "",
        briefing="\n".join(briefing.briefing),
        quotes="\n".join(q.text for q in briefing.quotes),
        speakers=_speakers(briefing.quotes),
    )


__all__ = ["Archive", "SearchHit", "Share", "SharedArticle", "fts_query", "too_common"]
