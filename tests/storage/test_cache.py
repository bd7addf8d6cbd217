"""BriefingCache over a real SQLite file: hits, in-flight sharing, lifetimes, canonical keys."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.models import Briefing, ErrorKind, Failure, Quote
from bot.storage.cache import BriefingCache
from bot.storage.database import Database, open_database
from bot.storage.limits import StorageLimits

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


async def make_cache(
    db: Database,
    clock: Clock,
    ttl: timedelta = timedelta(hours=24),
    failure_ttl: timedelta = timedelta(minutes=10),
) -> BriefingCache:
    return BriefingCache(db, ttl=ttl, failure_ttl=failure_ttl, clock=clock, canonicalize=identity)


URL = "https://harbourpost.example/2026/ferry-fares"


async def test_hit_does_not_fetch_again_and_round_trips_losslessly(database: Database):
    cache = await make_cache(database, Clock())
    fetch = Fetcher()
    first = await cache.get_or_fetch(URL, fetch)
    second = await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == [URL]
    assert second == first
    assert second.quotes[0].speaker == "Mira Talvik"


async def test_concurrent_identical_requests_fetch_once(database: Database):
    # ttl=0: nothing stays cached, so a request that did not join the in-flight fetch would
    # have to fetch again; exactly one call proves sharing.
    cache = await make_cache(database, Clock(), ttl=timedelta(0))
    fetch = Fetcher()
    fetch.gate = asyncio.Event()
    # The fetch is held until every request has read the cache (and so, in the same step,
    # joined the fetch in flight): a request whose read came back after the fetch was done
    # and stored would rightly fetch again, and the test would depend on the machine's speed.
    reads, all_read = [], asyncio.Event()
    read = cache.get

    async def counted(key: str) -> Briefing | None:
        found = await read(key)
        reads.append(key)
        if len(reads) == 5:
            all_read.set()
        return found

    cache.get = counted  # type: ignore[method-assign]
    tasks = [asyncio.create_task(cache.get_or_fetch(URL, fetch)) for _ in range(5)]
    await fetch.started.wait()
    await all_read.wait()
    fetch.gate.set()
    results = await asyncio.gather(*tasks)
    assert fetch.calls == [URL]
    assert {r.headline for r in results} == {"Harbour ferry fares frozen (fetch 1)"}


async def test_concurrent_refreshes_share_one_fetch(database: Database):
    cache = await make_cache(database, Clock(), ttl=timedelta(0))
    fetch = Fetcher()
    fetch.gate = asyncio.Event()
    tasks = [asyncio.create_task(cache.get_or_fetch(URL, fetch, refresh=True)) for _ in range(3)]
    await fetch.started.wait()
    fetch.gate.set()
    await asyncio.gather(*tasks)
    assert len(fetch.calls) == 1


async def test_fetch_exception_reaches_every_waiter_and_is_not_cached(database: Database):
    cache = await make_cache(database, Clock())
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


async def test_refresh_bypasses_and_replaces_the_entry(database: Database):
    cache = await make_cache(database, Clock())
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    refreshed = await cache.get_or_fetch(URL, fetch, refresh=True)
    assert len(fetch.calls) == 2
    assert refreshed.headline.endswith("(fetch 2)")
    again = await cache.get_or_fetch(URL, fetch)
    assert len(fetch.calls) == 2
    assert again.headline.endswith("(fetch 2)")


async def test_ttl_expiry_fetches_again_and_replaces(database: Database):
    clock = Clock()
    cache = await make_cache(database, clock)
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    clock.advance(hours=23, minutes=59)
    assert (await cache.get_or_fetch(URL, fetch)).headline.endswith("(fetch 1)")
    clock.advance(minutes=2)
    assert (await cache.get_or_fetch(URL, fetch)).headline.endswith("(fetch 2)")
    assert (await cache.get_or_fetch(URL, fetch)).headline.endswith("(fetch 2)")
    assert len(fetch.calls) == 2


async def test_failures_are_cached_briefly(database: Database):
    clock = Clock()
    cache = await make_cache(database, clock)
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


async def test_the_url_the_page_was_fetched_from_is_a_second_key(database: Database):
    cache = await make_cache(database, Clock())
    short = "https://hrbr.example/f7"  # a short link that redirected to the article
    fetch = Fetcher(page_url=URL, fetched_url=URL)
    await cache.get_or_fetch(short, fetch)
    clean = await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == [short]
    assert clean.source == URL  # shown as the link the user pasted
    assert clean.url == URL


async def test_a_pages_canonical_claim_is_never_a_key(database: Database):
    """A page at /evil declaring canonical /real must not answer a later post of /real."""
    cache = await make_cache(database, Clock())
    evil = "https://harbourpost.example/evil"
    await cache.get_or_fetch(evil, Fetcher(page_url=URL))  # fetched from /evil, claims /real
    honest = Fetcher()
    real = await cache.get_or_fetch(URL, honest)
    assert honest.calls == [URL]  # /real was fetched, not answered with /evil's briefing
    assert real.headline == "Harbour ferry fares frozen (fetch 1)"
    assert real.fetched_url == URL


async def test_a_failure_caused_by_shutting_down_is_never_cached(database: Database):
    cache = await make_cache(database, Clock())

    async def stopping(url: str) -> Briefing:
        failure = Failure(ErrorKind.EXTRACTION, "Newsdesk is restarting.", transient=True)
        return Briefing.failed(url, failure)

    assert (await cache.get_or_fetch(URL, stopping)).error is not None
    fetch = Fetcher()
    assert (await cache.get_or_fetch(URL, fetch)).ok  # fetched again, not the cached failure
    assert fetch.calls == [URL]


async def test_failure_is_not_stored_under_other_keys(database: Database):
    cache = await make_cache(database, Clock())
    await cache.get_or_fetch(URL + "?a=1", Fetcher(page_url=URL, fail=True))
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == [URL]


async def test_requested_link_is_canonicalised(database: Database):
    def strip_query(url: str) -> str:
        return url.split("?")[0]

    cache = BriefingCache(database, ttl=timedelta(hours=1), failure_ttl=timedelta(minutes=1),
                          clock=Clock(), canonicalize=strip_query)  # fmt: skip
    fetch = Fetcher()
    await cache.get_or_fetch(URL + "?utm_medium=social", fetch)
    await cache.get_or_fetch(URL + "?fbclid=abc", fetch)
    assert len(fetch.calls) == 1


async def test_entries_survive_reopening_the_database(database_target: Path | str):
    path = database_target
    clock = Clock()
    fetch = Fetcher()
    first = await open_database(path)
    await (await make_cache(first, clock)).get_or_fetch(URL, fetch)
    await first.close()
    second = await open_database(path)
    try:
        cached = await (await make_cache(second, clock)).get_or_fetch(URL, fetch)
    finally:
        await second.close()
    assert fetch.calls == [URL]
    assert cached.headline.endswith("(fetch 1)")


async def test_purge_expired_removes_only_stale_rows(database: Database):
    clock = Clock()
    cache = await make_cache(database, clock)
    await cache.get_or_fetch(URL, Fetcher())
    await cache.get_or_fetch(URL + "/failed", Fetcher(fail=True))
    clock.advance(minutes=30)
    assert await cache.purge_expired() == 1
    fetch = Fetcher()
    await cache.get_or_fetch(URL, fetch)
    assert fetch.calls == []


async def test_a_cache_write_failure_still_returns_the_briefing(database: Database):
    cache = await make_cache(database, Clock())
    await database.execute("DROP TABLE briefing_cache")  # every read and write now fails
    await database.execute("CREATE TABLE briefing_cache (key TEXT PRIMARY KEY)")  # reads fail too
    fetch = Fetcher()
    briefing = await cache.get_or_fetch(URL, fetch, refresh=True)
    assert briefing.ok
    assert fetch.calls == [URL]


async def test_cancelled_fetch_does_not_leave_waiters_hanging(database: Database):
    cache = await make_cache(database, Clock())
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


async def test_a_cache_that_cannot_be_read_is_a_miss_not_a_failure(database: Database):
    cache = await make_cache(database, Clock())
    await cache.get_or_fetch(URL, Fetcher())
    await database.execute("DROP TABLE briefing_cache")
    fetch = Fetcher()
    briefing = await cache.get_or_fetch(URL, fetch)
    assert briefing.ok
    assert fetch.calls == [URL]


async def test_what_is_stored_is_capped_but_the_fresh_briefing_is_whole(database: Database):
    limits = StorageLimits(text_chars=1_000, quote_chars=120)
    cache = BriefingCache(database, clock=Clock(), canonicalize=identity, limits=limits)
    paragraph = "The harbour board met again on Tuesday to discuss the ferry timetable. " * 10
    long_quote = "We will not accept a timetable that strands the island at night " * 8

    async def fetch_giant(url: str) -> Briefing:
        return Briefing(
            source=url,
            url=url,
            headline="Ferry timetable talks drag on",
            paragraphs=[paragraph.strip()] * 200,  # about 140,000 characters
            quotes=[Quote(long_quote.strip(), "Mira Talvik", 1, 0.9), Quote("Short.", None, 2)],
            briefing=["The harbour board met again on Tuesday."],
        )

    fresh = await cache.get_or_fetch(URL, fetch_giant)
    assert len(fresh.text) > 100_000  # the reply in hand is not cut
    stored = await cache.get(URL)
    assert stored is not None
    assert len(stored.text) <= 1_000
    assert stored.paragraphs[0] == paragraph.strip()  # whole paragraphs first
    assert stored.text.endswith("…")
    assert len(stored.quotes[0].text) <= 120 and stored.quotes[0].text.endswith("…")
    assert stored.quotes[1] == Quote("Short.", None, 2)
    assert stored.briefing == fresh.briefing
    row = await database.fetch_one("SELECT length(record) FROM briefing_cache")
    assert row is not None and row[0] < 3_000
