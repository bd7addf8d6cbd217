"""The async pipeline: link → safe fetch → analysis off the event loop → `Briefing`.

One `Pipeline` per process owns the shared HTTP client and the worker pool. `brief_*` never
raise: every failure becomes a `Briefing` whose `error` says, in plain words, what went wrong,
so callers (cogs, CLI) only decide how loudly to say it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from bot.errors import PipelineError, PoolClosed, TimeLimitExceeded
from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure, FetchedPage
from bot.network.decoding import decode_text
from bot.runtime.amp import via_amp
from bot.runtime.analysis import (
    AnalysisOptions,
    PageAnalysis,
    analyse_html,
    analyse_page,
    analyse_pdf,
    analyse_text,
    warm_up,
)
from bot.runtime.files import FileKind, file_kind, size_words
from bot.runtime.workers import WorkerPool
from bot.timelimit import time_limit
from config import Settings

if TYPE_CHECKING:  # httpx and the suffix list load on the first link: `brief FILE` needs neither
    from bot.network.fetch import Fetcher

log = logging.getLogger(__name__)

MB = 1024 * 1024
T = TypeVar("T")


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
        self.options = AnalysisOptions(
            briefing_max_chars=settings.briefing_max_chars, max_pdf_pages=settings.max_pdf_pages
        )
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
        found = await self._analyse_page(url, page)
        briefing = found.briefing
        if found.amp_url is not None:  # a teaser, a script shell or a stub: try its AMP version
            briefing = await via_amp(briefing, found.amp_url, fetcher.fetch, self._analyse_amp(url))
        from bot.network.sites import trusted_canonical  # loaded with the fetcher

        # Shown: the page's canonical only when it is believable; keyed: where it came from.
        briefing.url = trusted_canonical(briefing.url, page.url, page.chain)
        briefing.fetched_url = page.url
        return briefing

    async def _analyse_page(self, source: str, page: FetchedPage) -> PageAnalysis:
        found = await self._analyse(source, analyse_page, source, page.html, page.url, self.options)
        return found if isinstance(found, PageAnalysis) else PageAnalysis(found)

    def _analyse_amp(self, source: str) -> Callable[[FetchedPage], Awaitable[Briefing]]:
        async def analyse(page: FetchedPage) -> Briefing:
            return (await self._analyse_page(source, page)).briefing  # its own AMP link: no

        return analyse

    async def brief_html(self, html: str | bytes, source: str, url: str | None = None) -> Briefing:
        return await self._analyse(source, analyse_html, source, html, url, self.options)

    async def brief_text(self, text: str, source: str, *, document: bool = False) -> Briefing:
        """`document`: pasted or attached text (see `analyse_text`), not one paragraph a line."""
        return await self._analyse(source, analyse_text, source, text, self.options, None, document)

    async def brief_file(
        self, data: bytes, name: str, *, source: str | None = None, content_type: str | None = None
    ) -> Briefing:
        """An attached or saved file: a web page, a text or a PDF, each within its size limit."""
        source = source or name
        kind = file_kind(name, data[:1024], content_type)
        if kind is None:
            failure = Failure(ErrorKind.NOT_HTML, say("files.unsupported", name=name))
            return Briefing.failed(source, failure)
        settings = self.settings
        limit = settings.max_pdf_bytes if kind is FileKind.PDF else settings.max_body_bytes
        if len(data) > limit:
            failure = Failure(ErrorKind.TOO_LARGE, say("files.too_large", size=size_words(limit)))
            return Briefing.failed(source, failure)
        if kind is FileKind.PDF:
            return await self._analyse(source, analyse_pdf, source, data, self.options)
        if kind is FileKind.TEXT:
            return await self.brief_text(decode_text(data), source, document=True)
        return await self.brief_html(data, source)

    async def _analyse(self, source: str, fn: Callable[..., T], *args: Any) -> T | Briefing:
        try:
            if self.pool is not None:
                return await self.pool.run(fn, *args)
            with time_limit(self.settings.extract_timeout):  # what the pool enforces, inline
                return fn(*args)
        except TimeLimitExceeded:
            return self._failed(source, Failure(ErrorKind.TIMEOUT, say("pipeline.timeout")))
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
