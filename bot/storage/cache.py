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

Fetched once across processes, too: with `leases` (`bot.storage.leases`), the process that
misses the cache first takes the link's lease, fetches, stores the briefing and only then
lets go; another process asking meanwhile waits (polling, `LEASE_POLL_*`) and reads the stored
briefing. Tasks of one process share one fetch through `_in_flight` before any of that.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Final

from bot.clock import Clock, timestamp, utc_now
from bot.models import Briefing
from bot.network.links import canonicalize as canonicalize_link
from bot.storage.database import Database, StorageError
from bot.storage.leases import Leases
from bot.storage.limits import StorageLimits

log = logging.getLogger(__name__)

Fetch = Callable[[str], Awaitable[Briefing]]
# Waiting for another process's fetch: first look after 50 ms, then doubling to every 0.5 s;
# after LEASE_PATIENCE seconds fetch anyway (the holder is alive but stuck behind a long queue).
LEASE_POLL_FIRST: Final = 0.05
LEASE_POLL_MAX: Final = 0.5
LEASE_PATIENCE: Final = 120.0


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
        leases: Leases | None = None,
    ) -> None:
        self._db = db
        self.leases = leases
        # Told each time a fetch waits for another process's (the operators' metrics).
        self.on_lease_wait: Callable[[], None] | None = None
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
                briefing, fetched = await self._fetch_once(key, url, fetch, refresh=refresh)
            except Exception as error:
                future.set_exception(error)
                future.exception()  # mark retrieved: no "never retrieved" warning if no waiter
                raise
            except BaseException:  # cancelled: waiters see the cancellation too, never hang
                future.cancel()
                raise
            future.set_result(briefing)  # waiters go on now; the entry stays until stored
            if fetched and self.leases is None:
                await self._store_if_lasting(key, briefing)
            return _as_source(briefing, url)
        finally:
            if self._in_flight.get(key) is future:
                del self._in_flight[key]

    async def _fetch_once(
        self, key: str, url: str, fetch: Fetch, *, refresh: bool
    ) -> tuple[Briefing, bool]:
        """The briefing and whether this process fetched it. Without leases: fetch. With
        them: fetch under the link's lease (storing before letting go), or wait for the
        process that holds it and read what it stored."""
        leases = self.leases
        if leases is None:
            return await fetch(url), True
        loop = asyncio.get_running_loop()
        give_up = loop.time() + LEASE_PATIENCE
        pause = LEASE_POLL_FIRST
        waited = False
        while True:
            try:
                acquired = await leases.try_acquire(key)
            except StorageError as error:  # no lease to be had: fetch rather than fail
                log.warning("could not take the lease on %s, fetching anyway: %s", key, error)
                acquired = None
            if acquired or acquired is None or loop.time() >= give_up:
                if acquired and waited and not refresh:
                    # The holder may have stored it between our last look and its release.
                    cached = await self._get_quietly(key)
                    if cached is not None:
                        await leases.release_quietly(key)
                        return cached, False
                if acquired:
                    async with leases.renewing(key):
                        briefing = await fetch(url)
                        await self._store_if_lasting(key, briefing)  # before the release
                else:
                    briefing = await fetch(url)
                    await self._store_if_lasting(key, briefing)
                return briefing, True
            if not waited:
                waited = True
                log.debug("waiting for another process's fetch of %s", key)
                if self.on_lease_wait is not None:
                    self.on_lease_wait()
            await asyncio.sleep(pause)
            pause = min(pause * 2, LEASE_POLL_MAX)
            if not refresh:
                cached = await self._get_quietly(key)
                if cached is not None:
                    return cached, False

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

    async def _store_if_lasting(self, key: str, briefing: Briefing) -> None:
        """Store unless the failure is transient (a worker restart): the next ask retries."""
        if briefing.error is None or not briefing.error.transient:
            await self._store_quietly(key, briefing)

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
