"""The async pipeline: link → safe fetch → analysis off the event loop → `Briefing`.

One `Pipeline` per process owns the shared HTTP client and the worker pool. `brief_*` never
raise: every failure becomes a `Briefing` whose `error` says, in plain words, what went wrong,
so callers (cogs, CLI) only decide how loudly to say it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure, PipelineError
from bot.runtime.analysis import AnalysisOptions, analyse_html, analyse_text, warm_up
from bot.runtime.workers import TIMEOUT_MESSAGE, PoolClosed, WorkerPool
from bot.timelimit import TimeLimitExceeded, time_limit
from config import Settings

if TYPE_CHECKING:  # httpx and the suffix list load on the first link: `brief FILE` needs neither
    from bot.network.fetch import Fetcher

log = logging.getLogger(__name__)

MB = 1024 * 1024


class Pipeline:
    """Owns the fetcher and the worker pool; use `async with Pipeline(settings) as p:`.

    `inline=True` runs analysis in this process (the CLI and benchmarks, where there is no event
    loop to protect and a pool's start-up would cost more than it saves).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        inline: bool = False,
        fetcher: Fetcher | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        self.settings = settings
        self.options = AnalysisOptions(briefing_max_chars=settings.briefing_max_chars)
        self.inline = inline
        self.fetcher = fetcher
        self.pool = pool
        self._started = False
        self._closing = False  # from close() on, failures are ours (shutdown), not the page's

    async def start(self) -> None:
        if self._started:
            return
        self._closing = False
        if not self.inline:  # the bot: everything ready before the first user's link
            self._fetcher()
        if not self.inline and self.pool is None:
            memory_mb = self.settings.worker_memory_mb
            self.pool = WorkerPool(
                self.settings.workers,
                self.settings.extract_timeout,
                initializer=warm_up,
                memory_limit=memory_mb * MB if memory_mb else None,
            )
        if self.pool is not None:
            await self.pool.start()
        self._started = True

    def _fetcher(self) -> Fetcher:
        """The shared HTTP client, made on first use (with the public suffix list loaded)."""
        if self.fetcher is None:
            from bot.network.fetch import Fetcher
            from bot.network.sites import site_of

            self.fetcher = Fetcher(self.settings)
            site_of("warm-up.example")  # loads the public suffix list now, not on a link
        return self.fetcher

    def stopping(self) -> None:
        """The owner has begun to shut down: failures from now on are marked transient (not
        cached), whatever their cause, since a restart may be behind any of them."""
        self._closing = True

    async def close(self) -> None:
        self._closing = True
        if self.fetcher is not None:
            await self.fetcher.aclose()
        if self.pool is not None:
            await self.pool.close()
        self._started = False

    async def __aenter__(self) -> Pipeline:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def brief_url(self, url: str) -> Briefing:
        """Fetch and brief one link.

        The answer's `url` is the page's canonical address when `trusted_canonical` accepts it
        (same site, or on the redirect chain), else the final URL; `fetched_url` is always the
        final URL, which is what storage keys are made from.
        """
        await self.start()
        fetcher = self._fetcher()
        try:
            page = await fetcher.fetch(url)
        except PipelineError as error:
            return self._failed(url, error.failure, url)
        except Exception:
            if self._closing:  # the HTTP client was closed under this fetch
                return self._failed(url, Failure(ErrorKind.FETCH, say("pipeline.unexpected")))
            log.exception("fetch failed unexpectedly for %s", url)
            return Briefing.failed(url, Failure(ErrorKind.FETCH, say("pipeline.unexpected")), url)
        briefing = await self._analyse(url, analyse_html, url, page.html, page.url, self.options)
        from bot.network.sites import trusted_canonical  # loaded with the fetcher

        briefing.url = trusted_canonical(briefing.url, page.url, page.chain)
        briefing.fetched_url = page.url
        return briefing

    async def brief_html(self, html: str | bytes, source: str, url: str | None = None) -> Briefing:
        return await self._analyse(source, analyse_html, source, html, url, self.options)

    async def brief_text(self, text: str, source: str) -> Briefing:
        return await self._analyse(source, analyse_text, source, text, self.options)

    async def _analyse(self, source: str, fn: Callable[..., Briefing], *args: Any) -> Briefing:
        try:
            if self.pool is not None:
                return await self.pool.run(fn, *args)
            with time_limit(self.settings.extract_timeout):  # what the pool enforces, inline
                return fn(*args)
        except TimeLimitExceeded:
            return self._failed(source, Failure(ErrorKind.TIMEOUT, TIMEOUT_MESSAGE))
        except PipelineError as error:
            return self._failed(source, error.failure)
        except PoolClosed:  # the bot is shutting down: expected, so no traceback in the log
            log.info("analysis of %s abandoned: the worker pool is closed", source)
            failure = Failure(ErrorKind.EXTRACTION, say("pipeline.shutting_down"), transient=True)
            return Briefing.failed(source, failure)
        except Exception:
            log.exception("analysis failed unexpectedly for %s", source)
            return Briefing.failed(
                source, Failure(ErrorKind.EXTRACTION, say("pipeline.unexpected"))
            )

    def _failed(self, source: str, failure: Failure, url: str | None = None) -> Briefing:
        """A failed briefing; marked transient when it happened while we were shutting down
        (a fetch cut by the closing client, a worker killed with the pool): not the page's
        fault, so never cached."""
        if self._closing and not failure.transient:
            failure = replace(failure, transient=True)
        return Briefing.failed(source, failure, url)
