"""Leases on both engines: one holder at a time across processes, a dead holder's lease ends
within its time to live, and a cache with leases fetches a link once for every process."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from bot.models import Briefing, ErrorKind, Failure
from bot.storage.cache import BriefingCache
from bot.storage.database import Database
from bot.storage.leases import Leases, database_now, holder_name, slice_of
from tests.helpers.article_server import ArticleServer
from tests.helpers.racers import racers, release

KEY = "https://news.example/2026/harbour-ferry"
CLOCK_STEP = 0.002  # SQLite's julianday('now') counts whole milliseconds


async def _expires_in(db: Database, key: str) -> float:
    row = await db.fetch_one(
        f"SELECT expires_at - {database_now(db.dialect)} FROM work_leases WHERE key = ?", (key,)
    )
    assert row is not None
    return float(row[0])


async def _acquire_eventually(leases: Leases, key: str, limit: float = 60.0) -> None:
    """Try until the lease is ours (bounded: fails the test instead of hanging)."""
    async with asyncio.timeout(limit):
        while not await leases.try_acquire(key):
            await asyncio.sleep(0.05)


async def test_one_holder_at_a_time_until_it_lets_go(database: Database) -> None:
    first, second = Leases(database, "shards 0 of 2/a"), Leases(database, "shards 1 of 2/b")
    assert await first.try_acquire(KEY)
    assert await first.try_acquire(KEY)  # asking again for one's own lease is fine
    assert not await second.try_acquire(KEY)
    assert await first.holder_of(KEY) == first.holder
    assert await second.try_acquire("https://news.example/other-story")  # per key
    await second.release(KEY)  # not its lease: nothing happens
    assert not await second.try_acquire(KEY)
    await first.release(KEY)
    assert await first.holder_of(KEY) is None
    assert await second.try_acquire(KEY)


async def test_an_expired_lease_goes_to_the_next_asker(database: Database) -> None:
    quick = Leases(database, "shards 0 of 2/a", ttl=0.2)
    assert await quick.try_acquire(KEY)
    assert await _expires_in(database, KEY) <= 0.2 + CLOCK_STEP  # on the database's clock
    patient = Leases(database, "shards 1 of 2/b")
    await _acquire_eventually(patient, KEY)
    assert await quick.holder_of(KEY) == patient.holder
    assert not await quick.renew(KEY)  # the expired holder learns it has lost it


async def test_renewing_pushes_the_end_while_the_work_runs(database: Database) -> None:
    leases = Leases(database, "shards 0 of 1/a", ttl=0.4)
    renewals = 0
    renewed_twice = asyncio.Event()
    renew = leases.renew

    async def counting(key: str) -> bool:
        nonlocal renewals
        renewed = await renew(key)
        renewals += renewed
        if renewals >= 2:
            renewed_twice.set()
        return renewed

    leases.renew = counting  # type: ignore[method-assign]
    assert await leases.try_acquire(KEY)
    async with leases.renewing(KEY):
        await asyncio.wait_for(renewed_twice.wait(), 30)
        assert await leases.holder_of(KEY) == leases.holder
    assert await leases.holder_of(KEY) is None  # let go when the work ended


async def test_a_restarted_slice_takes_over_its_predecessors_leases(database: Database) -> None:
    crashed = Leases(database, holder_name("shards 0-1 of 4"))
    neighbour = Leases(database, holder_name("shards 2-3 of 4"))
    assert await crashed.try_acquire(KEY)
    assert await neighbour.try_acquire("https://news.example/b")
    successor = Leases(database, holder_name("shards 0-1 of 4"))
    assert slice_of(successor.holder) == "shards 0-1 of 4/"
    assert await successor.release_predecessors() == 1
    assert await successor.try_acquire(KEY)
    assert await neighbour.holder_of("https://news.example/b") == neighbour.holder


async def test_only_one_of_two_processes_gets_the_lease(database_target: Path | str) -> None:
    args = [{"holder": f"shards {n} of 2/racer", "key": KEY} for n in range(2)]
    async with racers(database_target, "lease", args) as group:
        await release(group)
        results = [await racer.result() for racer in group]
    assert sorted(results) == [False, True]


async def test_a_killed_holder_loses_its_lease_within_its_time_to_live(
    database: Database, database_target: Path | str
) -> None:
    ttl = 1.0
    args = [{"holder": "shards 0 of 2/doomed", "key": KEY, "ttl": ttl}]
    async with racers(database_target, "lease_hold", args) as [holder]:
        await release([holder])
        await holder.wait_for_line("holding")
        other = Leases(database, "shards 1 of 2/survivor")
        assert await other.holder_of(KEY) == "shards 0 of 2/doomed"
        assert not await other.try_acquire(KEY)
        assert await _expires_in(database, KEY) <= ttl + CLOCK_STEP  # renewed, never further
        holder.process.send_signal(signal.SIGKILL)
        await holder.process.wait()
        await _acquire_eventually(other, KEY)
    assert await other.holder_of(KEY) == other.holder


def _held_page(server: ArticleServer, path: str, gate: threading.Event) -> str:
    def handler(request: BaseHTTPRequestHandler) -> None:
        gate.wait(60)
        body = b"Harbour ferry fares frozen for the winter"
        request.send_response(200)
        request.send_header("Content-Type", "text/plain")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return server.add_handler(path, handler)


async def test_two_processes_asking_for_one_link_fetch_it_once(
    database_target: Path | str, article_server: ArticleServer
) -> None:
    """The first process holds the lease while the page is held back; the second waits for
    it (it says so), and only then is the page let go: both get the one fetch's briefing."""
    gate = threading.Event()
    url = _held_page(article_server, "/held/ferry", gate)
    args = [{"holder": f"shards {n} of 2/racer", "url": url} for n in range(2)]
    try:
        async with racers(database_target, "fetch", args) as group:
            await release(group)
            first_lines = [asyncio.ensure_future(racer.line()) for racer in group]
            done, _ = await asyncio.wait(first_lines, return_when=asyncio.FIRST_COMPLETED)
            assert [task.result() for task in done] == ["waiting"]
            assert article_server.hits["/held/ferry"] <= 1
            gate.set()
            results = [
                await racer.result() if line == "waiting" else json.loads(line)
                for racer, line in zip(group, await asyncio.gather(*first_lines), strict=True)
            ]
    finally:
        gate.set()
    assert article_server.hits["/held/ferry"] == 1
    assert [r["headline"] for r in results] == ["Harbour ferry fares frozen for the winter"] * 2
    assert sorted(r["fetched"] for r in results) == [False, True]


async def test_a_failed_fetch_leaves_the_link_to_the_waiter(database: Database) -> None:
    """The holder's fetch raises: nothing is cached, the lease is let go, and the process
    that waited fetches for itself."""
    started = asyncio.Event()
    fail = asyncio.Event()
    holder = BriefingCache(database, leases=Leases(database, "shards 0 of 2/a"))
    waiter = BriefingCache(database, leases=Leases(database, "shards 1 of 2/b"))
    waited = asyncio.Event()
    waiter.on_lease_wait = waited.set

    async def broken(url: str) -> Briefing:
        started.set()
        await fail.wait()
        raise OSError("connection reset")

    async def working(url: str) -> Briefing:
        return Briefing(source=url, url=url, headline="Ferry back", paragraphs=["Text."])

    first = asyncio.ensure_future(holder.get_or_fetch(KEY, broken))
    await started.wait()
    second = asyncio.ensure_future(waiter.get_or_fetch(KEY, working))
    await waited.wait()
    fail.set()
    assert (await second).headline == "Ferry back"
    [error] = await asyncio.gather(first, return_exceptions=True)
    assert isinstance(error, OSError)


async def test_a_waiter_reads_a_failure_the_holder_cached(database: Database) -> None:
    """A page that could not be briefed is cached briefly, for waiters too: no second fetch."""
    release_fetch = asyncio.Event()
    calls: list[str] = []
    holder = BriefingCache(database, leases=Leases(database, "shards 0 of 2/a"))
    waiter = BriefingCache(database, leases=Leases(database, "shards 1 of 2/b"))
    waited = asyncio.Event()
    waiter.on_lease_wait = waited.set

    fetching = asyncio.Event()

    async def slow_failure(url: str) -> Briefing:
        calls.append(url)
        fetching.set()
        await release_fetch.wait()
        return Briefing.failed(url, Failure(ErrorKind.TIMEOUT, "The site took too long."))

    first = asyncio.ensure_future(holder.get_or_fetch(KEY, slow_failure))
    await fetching.wait()
    second = asyncio.ensure_future(waiter.get_or_fetch(KEY, slow_failure))
    await waited.wait()
    release_fetch.set()
    assert not (await first).ok and not (await second).ok
    assert calls == [KEY]
