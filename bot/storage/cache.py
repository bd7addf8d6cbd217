"""Briefings cached by canonical URL, with in-flight sharing.

Why: reporters paste the same link many times in a news cycle (and several people paste it at
once when a story breaks). Fetching and analysing once per link per day keeps the bot fast,
polite to publishers, and consistent: everyone sees the same briefing for the same article.

A briefing is stored under the canonical form of the link that was asked for *and* under the
canonical form of the URL the page was fetched from after redirects (`Briefing.fetched_url`), so
a tracking-laden link, a short link and the clean link share one entry. Never under the page's
own `<link rel=canonical>`: a page at /evil claiming to be /real would answer for /real.
Failures are cached too, but briefly, so a flapping site is not hammered yet recovers soon.
What is stored is capped (`StorageLimits`), and expired rows go in the periodic sweep
(`purge_expired`, run by `bot.storage.maintenance`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.clock import Clock, timestamp, utc_now
from bot.models import Briefing
from bot.network.links import canonicalize as canonicalize_link
from bot.storage.database import Database, StorageError
from bot.storage.limits import StorageLimits

log = logging.getLogger(__name__)

Fetch = Callable[[str], Awaitable[Briefing]]


def canonical_url(url: str) -> str:
    """The storage key for a link: its canonical form, or the link itself if it has none."""
    url = url.strip()
    try:
        return canonicalize_link(url)
    except ValueError:
        return url


class BriefingCache:
    """Get a briefing from the cache or fetch it once, however many ask at the same moment."""

    def __init__(
        self,
        db: Database,
        *,
        ttl: timedelta = timedelta(hours=24),
        failure_ttl: timedelta = timedelta(minutes=10),
        clock: Clock = utc_now,
        canonicalize: Callable[[str], str] = canonical_url,
        limits: StorageLimits | None = None,
    ) -> None:
        self._db = db
        self._ttl = ttl.total_seconds()
        self._failure_ttl = failure_ttl.total_seconds()
        self._clock = clock
        self._canonicalize = canonicalize
        self._limits = limits or StorageLimits()
        self._in_flight: dict[str, asyncio.Future[Briefing]] = {}

    async def get_or_fetch(self, url: str, fetch: Fetch, *, refresh: bool = False) -> Briefing:
        """The briefing for `url`: cached if fresh, else from `fetch(url)` (shared if in flight).

        `refresh=True` skips the stored entry (but still joins a fetch already under way, which
        is as fresh as a new one). A cached briefing is returned with `source` set to the `url`
        asked for, since that is what the caller will show. Exceptions from `fetch` are passed
        to every waiter and nothing is cached.
        """
        key = self._canonicalize(url)
        pending = self._in_flight.get(key)
        if pending is not None:
            return _as_source(await asyncio.shield(pending), url)
        if not refresh:
            cached = await self._get_quietly(key)
            if cached is not None:
                return _as_source(cached, url)
            pending = self._in_flight.get(key)  # another task may have started while we read
            if pending is not None:
                return _as_source(await asyncio.shield(pending), url)

        future: asyncio.Future[Briefing] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            try:
                briefing = await fetch(url)
            except Exception as error:
                future.set_exception(error)
                future.exception()  # mark retrieved: no "never retrieved" warning if no waiter
                raise
            except BaseException:  # cancelled: waiters see the cancellation too, never hang
                future.cancel()
                raise
            future.set_result(briefing)  # waiters go on now; the entry stays until stored
            if briefing.error is None or not briefing.error.transient:  # a restart: not cached
                await self._store_quietly(key, briefing)
            return briefing
        finally:
            if self._in_flight.get(key) is future:
                del self._in_flight[key]

    async def get(self, key: str) -> Briefing | None:
        """The fresh cached briefing stored under an already canonical `key`, if any."""
        row = await self._db.fetch_one(
            "SELECT record, ok, fetched_at FROM briefing_cache WHERE key = ?", (key,)
        )
        if row is None:
            return None
        record, ok, fetched_at = row[0], row[1], row[2]
        lifetime = self._ttl if ok else self._failure_ttl
        if self._now() - fetched_at >= lifetime:
            return None
        return Briefing.from_record(json.loads(record))

    async def _get_quietly(self, key: str) -> Briefing | None:
        """`get`, but a cache that cannot be read is a miss: the page is fetched instead."""
        try:
            return await self.get(key)
        except StorageError:
            log.warning("could not read the cache for %s", key, exc_info=True)
            return None

    async def purge_expired(self) -> int:
        """Delete entries past their lifetime; returns how many went (for a periodic sweep)."""
        now = self._now()
        return await self._db.execute(
            "DELETE FROM briefing_cache WHERE (ok = 1 AND fetched_at <= ?) "
            "OR (ok = 0 AND fetched_at <= ?)",
            (now - self._ttl, now - self._failure_ttl),
        )

    async def _store_quietly(self, key: str, briefing: Briefing) -> None:
        """Store, but never lose a good briefing because the cache could not be written."""
        try:
            await self._store(key, briefing)
        except StorageError:
            log.warning("could not cache the briefing for %s", key, exc_info=True)

    async def _store(self, key: str, briefing: Briefing) -> None:
        record = json.dumps(self._limits.cap(briefing).to_record(), ensure_ascii=False)
        keys = {key}
        # Also under where the page really came from (a short link's target), never under the
        # page's own canonical claim: a page must not answer for another address.
        if briefing.ok and briefing.fetched_url:
            keys.add(self._canonicalize(briefing.fetched_url))
        now = self._now()
        await self._db.execute_many(
            "INSERT INTO briefing_cache (key, record, ok, fetched_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET record = excluded.record, ok = excluded.ok, "
            "fetched_at = excluded.fetched_at",
            [(k, record, int(briefing.ok), now) for k in sorted(keys)],
        )

    def _now(self) -> float:
        return timestamp(self._clock())


def _as_source(briefing: Briefing, url: str) -> Briefing:
    return briefing if briefing.source == url else replace(briefing, source=url)


__all__ = ["BriefingCache", "canonical_url"]
