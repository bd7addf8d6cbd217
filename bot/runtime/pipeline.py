"""The async pipeline: link → safe fetch → analysis off the event loop → `Briefing`.

One `Pipeline` per process owns the shared HTTP client and the worker pool. `brief_*` never
raise: every failure becomes a `Briefing` whose `error` says, in plain words, what went wrong,
so callers (cogs, CLI) only decide how loudly to say it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.errors import PipelineError, PoolClosed
from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure, FetchedPage
from bot.network.decoding import decode_text
from bot.network.fetch import Fetcher
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
from config import Settings

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

    async def start(self) -> None:
        if self._started:
            return
        if self.fetcher is None:
            self.fetcher = Fetcher(self.settings)
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

    async def close(self) -> None:
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
        """Fetch and brief one link; the answer's `url` is the page's canonical or final URL."""
        await self.start()
        assert self.fetcher is not None
        try:
            page = await self.fetcher.fetch(url)
        except PipelineError as error:
            return Briefing.failed(url, error.failure, url)
        except Exception:
            log.exception("fetch failed unexpectedly for %s", url)
            return Briefing.failed(url, Failure(ErrorKind.FETCH, say("pipeline.unexpected")), url)
        found = await self._analyse_page(url, page)
        briefing = found.briefing
        if found.amp_url is not None:  # a teaser, a script shell or a stub: try its AMP version
            briefing = await via_amp(
                briefing, found.amp_url, self.fetcher.fetch, self._analyse_amp(url)
            )
        if briefing.url is None:
            briefing.url = page.url
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
            return fn(*args)
        except PipelineError as error:
            return Briefing.failed(source, error.failure)
        except PoolClosed:  # the bot is shutting down: expected, so no traceback in the log
            log.info("analysis of %s abandoned: the worker pool is closed", source)
            return Briefing.failed(
                source, Failure(ErrorKind.EXTRACTION, say("pipeline.shutting_down"))
            )
        except Exception:
            log.exception("analysis failed unexpectedly for %s", source)
            return Briefing.failed(
                source, Failure(ErrorKind.EXTRACTION, say("pipeline.unexpected"))
            )
