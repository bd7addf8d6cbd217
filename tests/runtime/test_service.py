"""The briefing service: a link dropped by the full queue is listed and counted, and its
observer (the operators' metrics) hears how each link went.

Stub pipelines whose briefings wait on events the test sets; no network, nothing sleeps.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.errors import Dropped, QueueFull
from bot.models import Briefing
from bot.runtime.service import BriefingService
from bot.runtime.workqueue import WorkQueue
from bot.storage.cache import BriefingCache
from bot.storage.database import Database


class HeldPipeline:
    """`brief_url` finishes when the test releases that url."""

    def __init__(self) -> None:
        self.gates: dict[str, asyncio.Event] = {}
        self.started: list[str] = []

    def release(self, *urls: str) -> None:
        for url in urls:
            self.gates.setdefault(url, asyncio.Event()).set()

    async def brief_url(self, url: str) -> Briefing:
        self.started.append(url)
        await self.gates.setdefault(url, asyncio.Event()).wait()
        return Briefing(source=url, url=url, headline=f"About {url}", paragraphs=["Text."])

    async def brief_file(self, data: bytes, name: str, **_: Any) -> Briefing:
        return await self.brief_url(name)


def service(pipeline: HeldPipeline, *, queue_limit: int) -> BriefingService:
    return BriefingService(pipeline, WorkQueue(1, queue_limit))  # type: ignore[arg-type]


async def _until(condition: Any) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


async def test_links_dropped_by_the_full_queue_are_listed_and_counted() -> None:
    pipeline = HeldPipeline()
    briefer = service(pipeline, queue_limit=1)
    first = asyncio.create_task(briefer.brief_many(["a"], droppable=True))
    await _until(lambda: pipeline.started == ["a"])
    # "b" waits in the one place; "c" pushes it out (the oldest waiting auto-reply goes).
    batch_task = asyncio.create_task(briefer.brief_many(["b", "c"], droppable=True))
    await _until(lambda: briefer.queue.stats.dropped == 1)
    pipeline.release("a", "b", "c")
    batch = await batch_task
    assert [b.source for b in batch.briefings] == ["c"]
    assert batch.dropped == ["b"]
    assert briefer.stats.dropped_links == 1
    assert (await first).dropped == []


async def test_a_dropped_attachment_is_counted_like_a_link() -> None:
    pipeline = HeldPipeline()
    briefer = service(pipeline, queue_limit=1)
    running = asyncio.create_task(briefer.brief_many(["a"], droppable=True))
    await _until(lambda: pipeline.started == ["a"])
    older = asyncio.create_task(briefer.brief_file(b"%PDF", "minutes.pdf", droppable=True))
    await _until(lambda: briefer.queue.waiting == 1)
    newer = asyncio.create_task(briefer.brief_file(b"%PDF", "agenda.pdf", droppable=True))
    with pytest.raises(Dropped):
        await older
    assert briefer.stats.dropped_links == 1
    pipeline.release("a", "agenda.pdf")
    assert (await newer).ok
    await running


async def test_commands_are_never_dropped_they_hear_busy() -> None:
    pipeline = HeldPipeline()
    briefer = service(pipeline, queue_limit=1)
    running = asyncio.create_task(briefer.brief_many(["a"], droppable=True))
    await _until(lambda: pipeline.started == ["a"])
    waiting = asyncio.create_task(briefer.brief_many(["b"]))
    await _until(lambda: briefer.queue.waiting == 1)
    with pytest.raises(QueueFull):
        await briefer.brief_many(["c"])
    pipeline.release("a", "b")
    assert [b.source for b in (await waiting).briefings] == ["b"]
    assert briefer.stats.dropped_links == 0
    await running


class CountingPipeline:
    """Stands in for the pipeline: answers every link at once and counts the fetches."""

    def __init__(self) -> None:
        self.fetched: list[str] = []

    async def brief_url(self, url: str) -> Briefing:
        self.fetched.append(url)
        await asyncio.sleep(0)  # a real fetch yields to the loop
        return Briefing(source=url, url=url, headline="A headline", briefing=["One."])


class Observer:
    def __init__(self) -> None:
        self.seen: list[tuple[float, bool]] = []

    def briefed(self, seconds: float, *, cached: bool) -> None:
        self.seen.append((seconds, cached))


async def test_the_observer_hears_of_fetches_and_cache_hits(database: Database) -> None:
    pipeline = CountingPipeline()
    observer = Observer()
    service = BriefingService(
        pipeline,  # type: ignore[arg-type]
        WorkQueue(2, 10),
        cache=BriefingCache(database),
        observer=observer,
    )
    url = "https://news.example/story"
    await service.brief(url)
    await service.brief(url)  # from the cache
    # Two at once: one fetch; the other joins it (or finds it stored), whatever the order.
    await asyncio.gather(service.brief(url + "-2"), service.brief(url + "-2"))
    assert pipeline.fetched == [url, url + "-2"]
    cached = [was_cached for _, was_cached in observer.seen]
    assert cached[:2] == [False, True]
    assert sorted(cached[2:]) == [False, True]  # the one that joined may finish first
    assert all(seconds >= 0 for seconds, _ in observer.seen)


async def test_without_a_cache_every_link_is_a_fetch() -> None:
    observer = Observer()
    service = BriefingService(
        CountingPipeline(),  # type: ignore[arg-type]
        WorkQueue(1, 1),
        observer=observer,
    )
    await service.brief("https://news.example/a")
    assert [cached for _, cached in observer.seen] == [False]
