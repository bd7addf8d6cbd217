"""The periodic sweep: expired cache rows and month-old answered marks go, on a schedule, and a
failed sweep does not end the schedule. Time is injected: nothing sleeps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Briefing, ErrorKind, Failure
from bot.storage.cache import BriefingCache
from bot.storage.database import Database
from bot.storage.maintenance import Sweeper
from bot.storage.modes import Store

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class Ticks:
    """A `sleep` the test drives: each sleep waits for `tick()`; `asleep` counts who waits."""

    def __init__(self) -> None:
        self.requested: list[float] = []
        self._queue: asyncio.Queue[None] = asyncio.Queue()
        self.asleep = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.requested.append(seconds)
        self.asleep.set()
        await self._queue.get()
        self.asleep.clear()

    async def tick(self) -> None:
        self._queue.put_nowait(None)
        await asyncio.sleep(0)


async def fill(cache: BriefingCache) -> None:
    async def good(url: str) -> Briefing:
        return Briefing(source=url, url=url, headline="Ferry fares frozen", paragraphs=["x"])

    async def bad(url: str) -> Briefing:
        return Briefing.failed(url, Failure(ErrorKind.TIMEOUT, "The site took too long."))

    await cache.get_or_fetch("https://a.example/ok", good)
    await cache.get_or_fetch("https://a.example/failed", bad)


async def cache_keys(db: Database) -> list[str]:
    return [str(r[0]) for r in await db.fetch_all("SELECT key FROM briefing_cache ORDER BY key")]


async def test_one_sweep_removes_what_expired_and_nothing_else(database: Database) -> None:
    clock = Clock()
    cache = BriefingCache(database, clock=clock)
    store = Store(database, clock=clock)
    await fill(cache)
    await store.mark_answered(1)
    sweeper = Sweeper(cache, store, interval=timedelta(minutes=60))

    clock.now = NOW + timedelta(minutes=11)  # the failure (10 min) expired, the briefing not
    result = await sweeper.sweep()
    assert (result.cache_rows, result.answered_messages) == (1, 0)
    assert await cache_keys(database) == ["https://a.example/ok"]

    clock.now = NOW + timedelta(days=31)
    result = await sweeper.sweep()
    assert (result.cache_rows, result.answered_messages) == (1, 1)
    assert await cache_keys(database) == []
    assert not await store.was_answered(1)


async def test_the_sweeper_runs_at_start_then_every_interval(database: Database) -> None:
    clock = Clock()
    cache = BriefingCache(database, clock=clock)
    ticks = Ticks()
    sweeper = Sweeper(cache, Store(database), interval=timedelta(minutes=15), sleep=ticks)
    await fill(cache)
    clock.now = NOW + timedelta(minutes=11)
    sweeper.start()
    try:
        await asyncio.wait_for(ticks.asleep.wait(), 10)
        assert sweeper.sweeps == 1  # at once, before the first sleep
        assert ticks.requested == [15 * 60]
        assert await cache_keys(database) == ["https://a.example/ok"]

        clock.now = NOW + timedelta(days=2)
        await ticks.tick()
        await asyncio.wait_for(ticks.asleep.wait(), 10)
        assert sweeper.sweeps == 2
        assert await cache_keys(database) == []
    finally:
        await sweeper.stop()
    assert sweeper._task is None


async def test_a_failed_sweep_is_logged_and_the_next_one_still_runs(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    cache = BriefingCache(database)
    ticks = Ticks()
    sweeper = Sweeper(cache, Store(database), interval=timedelta(minutes=15), sleep=ticks)
    await database.execute("ALTER TABLE briefing_cache RENAME TO briefing_cache_away")
    sweeper.start()
    try:
        await asyncio.wait_for(ticks.asleep.wait(), 10)
        assert sweeper.sweeps == 0
        assert "the storage sweep failed" in caplog.text
        await database.execute("ALTER TABLE briefing_cache_away RENAME TO briefing_cache")
        await ticks.tick()
        await asyncio.wait_for(ticks.asleep.wait(), 10)
        assert sweeper.sweeps == 1
    finally:
        await sweeper.stop()
