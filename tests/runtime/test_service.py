"""The briefing service tells its observer (the operators' metrics) how each link went."""

from __future__ import annotations

import asyncio

from bot.models import Briefing
from bot.runtime.service import BriefingService
from bot.runtime.workqueue import WorkQueue
from bot.storage.cache import BriefingCache
from bot.storage.database import Database


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
