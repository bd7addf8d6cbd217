"""The briefing service's batch answer: a link dropped by the full queue is listed and counted.

A stub pipeline whose briefings wait on events the test sets; no network, nothing sleeps.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.errors import Dropped, QueueFull
from bot.models import Briefing
from bot.runtime.service import BriefingService
from bot.runtime.workqueue import WorkQueue


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
