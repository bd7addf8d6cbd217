"""One place that answers "brief this link": bounded queue → shared cache → pipeline → LLM.

Every cog asks this service, so every Discord entry point gets the same cache, the same limits
and the same fallbacks (the CLI, one user at a time, runs the pipeline and the LLM directly).
No Discord here: guilds are plain ids.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from bot.llm.briefer import LLMBriefer
from bot.models import Briefing
from bot.runtime.pipeline import Pipeline
from bot.runtime.workqueue import Dropped, WorkQueue
from bot.storage.cache import BriefingCache

GuildSwitch = Callable[[int | None], Awaitable[bool]]
IMPROVED_MEMORY = 512


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
    ) -> None:
        self.pipeline = pipeline
        self.queue = queue
        self.cache = cache
        self.llm = llm
        self.llm_enabled_for = llm_enabled_for
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

        async def fetch(link: str) -> Briefing:
            return await self.queue.run(lambda: self.pipeline.brief_url(link), droppable=droppable)

        if self.cache is None:
            briefing = await fetch(url)
        else:
            briefing = await self.cache.get_or_fetch(url, fetch, refresh=refresh)
        return await self._improve(briefing, guild_id, refresh=refresh)

    async def brief_many(
        self, urls: Sequence[str], *, guild_id: int | None = None, droppable: bool = False
    ) -> list[Briefing]:
        """Brief several links at once, in order; links dropped by a full queue are left out."""
        results = await asyncio.gather(
            *(self.brief(u, guild_id=guild_id, droppable=droppable) for u in urls),
            return_exceptions=True,
        )
        briefings: list[Briefing] = []
        for result in results:
            if isinstance(result, Dropped):
                continue
            if isinstance(result, BaseException):
                raise result
            briefings.append(result)
        return briefings

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
