"""One place that answers "brief this link": bounded queue → shared cache → pipeline → LLM.

Every cog that needs a briefing calls `bot.service.brief` / `brief_many` (the bot has no
pass-throughs), so every Discord entry point gets the same cache, the same limits and the same
fallbacks (the CLI, one user at a time, runs the pipeline and the LLM directly). No Discord
here: guilds are plain ids.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.errors import Dropped
from bot.llm.briefer import LLMBriefer
from bot.models import Briefing
from bot.runtime.pipeline import Pipeline
from bot.runtime.workqueue import WorkQueue
from bot.storage.cache import BriefingCache

GuildSwitch = Callable[[int | None], Awaitable[bool]]
IMPROVED_MEMORY = 512


class BriefingObserver(Protocol):
    """Told about every link briefed (the operators' metrics implement it)."""

    def briefed(self, seconds: float, *, cached: bool) -> None:
        """`seconds` from asking to having the briefing; `cached`: no fetch of its own."""


@dataclass(slots=True)
class ServiceStats:
    """Counters since start, for operators (logs, a metrics endpoint).

    `dropped_links` counts links (and attached files or pasted texts) people posted that got no
    briefing because the full work queue dropped them: several links to one article waiting on
    one fetch count once each, so this is what readers missed, where the queue's own
    `stats.dropped` counts pieces of work.
    """

    dropped_links: int = 0


@dataclass(frozen=True, slots=True)
class Batch:
    """What `brief_many` made of a message's links: briefings in order, and the links dropped."""

    briefings: list[Briefing]
    dropped: list[str] = field(default_factory=list)


class BriefingService:
    """Briefs links for the bot; `cache` is optional (None: always fetch), `llm` too."""

    def __init__(
        self,
        pipeline: Pipeline,
        queue: WorkQueue,
        *,
        cache: BriefingCache | None = None,
        llm: LLMBriefer | None = None,
        llm_enabled_for: GuildSwitch | None = None,
        observer: BriefingObserver | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.queue = queue
        self.cache = cache
        self.llm = llm
        self.llm_enabled_for = llm_enabled_for
        self.observer = observer
        self.stats = ServiceStats()
        # LLM answers are kept per article so a link posted again costs no second request.
        self._improved: OrderedDict[tuple[str, str], Briefing] = OrderedDict()

    async def brief(
        self,
        url: str,
        *,
        guild_id: int | None = None,
        droppable: bool = False,
        refresh: bool = False,
    ) -> Briefing:
        """Raises `Dropped` (auto-reply pushed out of a full queue) or `QueueFull` (command)."""
        started = time.monotonic()
        fetched = False

        async def fetch(link: str) -> Briefing:
            nonlocal fetched
            fetched = True
            return await self.queue.run(lambda: self.pipeline.brief_url(link), droppable=droppable)

        if self.cache is None:
            briefing = await fetch(url)
        else:
            briefing = await self.cache.get_or_fetch(url, fetch, refresh=refresh)
        improved = await self._improve(briefing, guild_id, refresh=refresh)
        if self.observer is not None:
            self.observer.briefed(time.monotonic() - started, cached=not fetched)
        return improved

    async def brief_many(
        self, urls: Sequence[str], *, guild_id: int | None = None, droppable: bool = False
    ) -> Batch:
        """Brief several links at once, in order.

        A link dropped by the full queue (only `droppable` work is) is not a briefing: it is
        listed in `Batch.dropped` and counted, so the caller can say so instead of vanishing.
        """
        results = await asyncio.gather(
            *(self.brief(u, guild_id=guild_id, droppable=droppable) for u in urls),
            return_exceptions=True,
        )
        batch = Batch([])
        for url, result in zip(urls, results, strict=True):
            if isinstance(result, Dropped):
                batch.dropped.append(url)
            elif isinstance(result, BaseException):
                raise result
            else:
                batch.briefings.append(result)
        self.stats.dropped_links += len(batch.dropped)
        return batch

    async def brief_file(
        self,
        data: bytes,
        name: str,
        *,
        url: str | None = None,
        content_type: str | None = None,
        guild_id: int | None = None,
        droppable: bool = False,
    ) -> Briefing:
        """An attached file (page, text or PDF): the same queue and LLM step as a link, no cache
        (an attachment is one message's, never asked for again). `url` is where it was shared."""

        async def brief() -> Briefing:
            return await self.pipeline.brief_file(data, name, content_type=content_type)

        return await self._shared_at(await self._queued(brief, droppable), url, guild_id)

    async def brief_text(
        self,
        text: str,
        name: str,
        *,
        url: str | None = None,
        guild_id: int | None = None,
        droppable: bool = False,
    ) -> Briefing:
        """Text pasted into a message, briefed like an attached text file."""

        async def brief() -> Briefing:
            return await self.pipeline.brief_text(text, name, document=True)

        return await self._shared_at(await self._queued(brief, droppable), url, guild_id)

    async def _queued(self, brief: Callable[[], Awaitable[Briefing]], droppable: bool) -> Briefing:
        """An attachment's or a text's work through the queue; a drop is counted like a link's
        (raised on: `brief_wanted` lists it with the message's dropped links)."""
        try:
            return await self.queue.run(brief, droppable=droppable)
        except Dropped:
            self.stats.dropped_links += 1
            raise

    async def _shared_at(
        self, briefing: Briefing, url: str | None, guild_id: int | None
    ) -> Briefing:
        """A file's or a text's address is where it was shared, never a link its content
        claims: a saved page's canonical link is the attacher's to write, and the archive keys
        articles by address, so another server's share of that article must not change."""
        if briefing.ok:
            briefing.url = url
        return await self._improve(briefing, guild_id, refresh=False)

    async def _improve(
        self, briefing: Briefing, guild_id: int | None, *, refresh: bool
    ) -> Briefing:
        if self.llm is None or not briefing.ok:
            return briefing
        if self.llm_enabled_for is not None and not await self.llm_enabled_for(guild_id):
            return briefing
        key = (briefing.fetched_url or briefing.source, briefing.text[:200])
        if not refresh and key in self._improved:
            self._improved.move_to_end(key)
            return self._improved[key]
        improved = await self.llm.improve(briefing, guild_id=guild_id)
        if improved.briefing_method != "extractive":
            self._improved[key] = improved
            while len(self._improved) > IMPROVED_MEMORY:
                self._improved.popitem(last=False)
        return improved
