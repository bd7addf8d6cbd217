"""BriefingCache over a real SQLite file: hits, in-flight sharing, lifetimes, canonical keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.models import Briefing, ErrorKind, Failure, Quote
from bot.storage.cache import BriefingCache

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class Fetcher:
    """Counts calls; returns a briefing whose headline says which call produced it."""

    def __init__(
        self, page_url: str | None = None, fail: bool = False, fetched_url: str | None = None
    ) -> None:
        self.calls: list[str] = []
        self.page_url = page_url  # what the page claims to be (its canonical link)
        self.fetched_url = fetched_url  # where the fetch really ended up (after redirects)
        self.fail = fail
        self.started = asyncio.Event()
        self.gate: asyncio.Event | None = None

    async def __call__(self, url: str) -> Briefing:
        self.calls.append(url)
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            return Briefing.failed(url, Failure(ErrorKind.TIMEOUT, "The site took too long."))
        return Briefing(
            source=url,
            url=self.page_url or url,
            fetched_url=self.fetched_url or url,
            headline=f"Harbour ferry fares frozen (fetch {len(self.calls)})",
            site="Harbour Post",
            paragraphs=["Ferry fares will not rise this year, the operator said.", "Second."],
            quotes=[Quote("We heard the islanders", "Mira Talvik", 1, 0.7)],
            briefing=["Ferry fares will not rise this year."],
        )


def identity(url: str) -> str:
    return url


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    async with aiosqlite.connect(tmp_path / "cache.sqlite3") as conn:
        yield conn


async def make_cache(
    db: aiosqlite.Connection,
    clock: Clock,
    ttl: timedelta = timedelta(hours=24),
    failure_ttl: timedelta = timedelta(minutes=10),
) -> BriefingCache:
    cache = BriefingCache(db, ttl=ttl, failure_ttl=failure_ttl, clock=clock, canonicalize=identity)
    await cache.init()
    return cache


URL = "https://harbourpost.example/2026/ferry-fares"


async def test_hit_does_not_fetch_again_and_round_trips_losslessly(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())
    fetch = Fetcher()
    first = await cache.get_or_fetch(URL, fetch)
    second = await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == [URL]
    assert second == first
    assert second.quotes[0].speaker == "Mira Talvik"


async def test_concurrent_identical_requests_fetch_once(db: aiosqlite.Connection):
    # ttl=0: nothing stays cached, so a request that did not join the in-flight fetch would
    # have to fetch again; exactly one call proves sharing.
    cache = await make_cache(db, Clock(), ttl=timedelta(0))
    fetch = Fetcher()
    fetch.gate = asyncio.Event()
    tasks = [asyncio.create_task(cache.get_or_fetch(URL, fetch)) for _ in range(5)]
    await fetch.started.wait()
    fetch.gate.set()
    results = await asyncio.gather(*tasks)
    assert fetch.calls == [URL]
    assert {r.headline for r in results} == {"Harbour ferry fares frozen (fetch 1)"}


async def test_concurrent_refreshes_share_one_fetch(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock(), ttl=timedelta(0))
    fetch = Fetcher()
    fetch.gate = asyncio.Event()
    tasks = [asyncio.create_task(cache.get_or_fetch(URL, fetch, refresh=True)) for _ in range(3)]
    await fetch.started.wait()
    fetch.gate.set()
    await asyncio.gather(*tasks)
    assert len(fetch.calls) == 1


async def test_fetch_exception_reaches_every_waiter_and_is_not_cached(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())
    gate, started = asyncio.Event(), asyncio.Event()
    calls = 0

    async def broken(url: str) -> Briefing:
        nonlocal calls
        calls += 1
        started.set()
        await gate.wait()
        raise RuntimeError("worker died")

    tasks = [asyncio.create_task(cache.get_or_fetch(URL, broken, refresh=True)) for _ in range(2)]
    await started.wait()  # the other task ran its first step (and joined) before we resume
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert calls == 1
    assert all(isinstance(r, RuntimeError) for r in results)
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == [URL]


async def test_refresh_bypasses_and_replaces_the_entry(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    refreshed = await cache.get_or_fetch(URL, fetch, refresh=True)
    assert len(fetch.calls) == 2
    assert refreshed.headline.endswith("(fetch 2)")
    again = await cache.get_or_fetch(URL, fetch)
    assert len(fetch.calls) == 2
    assert again.headline.endswith("(fetch 2)")


async def test_ttl_expiry_fetches_again_and_replaces(db: aiosqlite.Connection):
    clock = Clock()
    cache = await make_cache(db, clock)
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    clock.advance(hours=23, minutes=59)
    assert (await cache.get_or_fetch(URL, fetch)).headline.endswith("(fetch 1)")
    clock.advance(minutes=2)
    assert (await cache.get_or_fetch(URL, fetch)).headline.endswith("(fetch 2)")
    assert (await cache.get_or_fetch(URL, fetch)).headline.endswith("(fetch 2)")
    assert len(fetch.calls) == 2


async def test_failures_are_cached_briefly(db: aiosqlite.Connection):
    clock = Clock()
    cache = await make_cache(db, clock)
    failing = Fetcher(fail=True)
    first = await cache.get_or_fetch(URL, failing)
    assert first.error == Failure(ErrorKind.TIMEOUT, "The site took too long.")
    clock.advance(minutes=9)
    again = await cache.get_or_fetch(URL, failing)
    assert again.error == first.error
    assert len(failing.calls) == 1
    clock.advance(minutes=2)
    working = Fetcher()
    recovered = await cache.get_or_fetch(URL, working)
    assert recovered.ok
    assert working.calls == [URL]


async def test_the_url_the_page_was_fetched_from_is_a_second_key(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())
    short = "https://hrbr.example/f7"  # a short link that redirected to the article
    fetch = Fetcher(page_url=URL, fetched_url=URL)
    await cache.get_or_fetch(short, fetch)
    clean = await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == [short]
    assert clean.source == URL  # shown as the link the user pasted
    assert clean.url == URL


async def test_a_pages_canonical_claim_is_never_a_key(db: aiosqlite.Connection):
    """A page at /evil declaring canonical /real must not answer a later post of /real."""
    cache = await make_cache(db, Clock())
    evil = "https://harbourpost.example/evil"
    await cache.get_or_fetch(evil, Fetcher(page_url=URL))  # fetched from /evil, claims /real
    honest = Fetcher()
    real = await cache.get_or_fetch(URL, honest)
    assert honest.calls == [URL]  # /real was fetched, not answered with /evil's briefing
    assert real.headline == "Harbour ferry fares frozen (fetch 1)"
    assert real.fetched_url == URL


async def test_a_failure_caused_by_shutting_down_is_never_cached(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())

    async def stopping(url: str) -> Briefing:
        failure = Failure(ErrorKind.EXTRACTION, "Newsdesk is restarting.", transient=True)
        return Briefing.failed(url, failure)

    assert (await cache.get_or_fetch(URL, stopping)).error is not None
    fetch = Fetcher()
    assert (await cache.get_or_fetch(URL, fetch)).ok  # fetched again, not the cached failure
    assert fetch.calls == [URL]


async def test_failure_is_not_stored_under_other_keys(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())
    await cache.get_or_fetch(URL + "?a=1", Fetcher(page_url=URL, fail=True))
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == [URL]


async def test_requested_link_is_canonicalised(db: aiosqlite.Connection):
    def strip_query(url: str) -> str:
        return url.split("?")[0]

    cache = BriefingCache(db, ttl=timedelta(hours=1), failure_ttl=timedelta(minutes=1),
                          clock=Clock(), canonicalize=strip_query)  # fmt: skip
    await cache.init()
    fetch = Fetcher()
    await cache.get_or_fetch(URL + "?utm_medium=social", fetch)
    await cache.get_or_fetch(URL + "?fbclid=abc", fetch)
    assert len(fetch.calls) == 1


async def test_entries_survive_reopening_the_database(tmp_path: Path):
    path = tmp_path / "reopen.sqlite3"
    clock = Clock()
    fetch = Fetcher()
    async with aiosqlite.connect(path) as conn:
        await (await make_cache(conn, clock)).get_or_fetch(URL, fetch)
    async with aiosqlite.connect(path) as conn:
        cached = await (await make_cache(conn, clock)).get_or_fetch(URL, fetch)
    assert fetch.calls == [URL]
    assert cached.headline.endswith("(fetch 1)")


async def test_purge_expired_removes_only_stale_rows(db: aiosqlite.Connection):
    clock = Clock()
    cache = await make_cache(db, clock)
    await cache.get_or_fetch(URL, Fetcher())
    await cache.get_or_fetch(URL + "/failed", Fetcher(fail=True))
    clock.advance(minutes=30)
    assert await cache.purge_expired() == 1
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == []


async def test_a_cache_write_failure_still_returns_the_briefing(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())
    await db.execute("DROP TABLE briefing_cache")  # every read and write now fails
    await db.execute("CREATE TABLE briefing_cache (key TEXT PRIMARY KEY)")  # reads see no rows
    fetch = Fetcher()
    briefing = await cache.get_or_fetch(URL, fetch, refresh=True)
    assert briefing.ok
    assert fetch.calls == [URL]


async def test_cancelled_fetch_does_not_leave_waiters_hanging(db: aiosqlite.Connection):
    cache = await make_cache(db, Clock())
    fetch = Fetcher()
    fetch.gate = asyncio.Event()  # never set
    owner = asyncio.create_task(cache.get_or_fetch(URL, fetch, refresh=True))
    waiter = asyncio.create_task(cache.get_or_fetch(URL, fetch, refresh=True))
    await fetch.started.wait()
    owner.cancel()
    results = await asyncio.gather(owner, waiter, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert len(fetch.calls) == 1
    fetch.gate.set()
    assert (await cache.get_or_fetch(URL, fetch)).ok  # nothing stuck in flight
    assert len(fetch.calls) == 2
