"""The periodic sweep that keeps the database bounded: expired cache rows and old bookkeeping go.

Why a sweep and not a delete on every write: the cache's reads already ignore expired rows, so
deleting them is housekeeping that can wait; doing it every few minutes in one short write
keeps each briefing's own writes small. The first sweep runs when the bot starts (a restart
after a week away cleans up at once), then every `interval`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.storage.cache import BriefingCache
from bot.storage.database import StorageError
from bot.storage.modes import ANSWERED_KEPT, Store

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


Purge = Callable[[], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class SweepResult:
    cache_rows: int
    answered_messages: int
    bookkeeping_rows: int = 0  # finished jobs, ended leases, idle rate-limit windows


class Sweeper:
    """Runs `sweep()` now and then every `interval` until `stop()`; a failed sweep is logged and
    the next one tried on time."""

    def __init__(
        self,
        cache: BriefingCache,
        store: Store,
        *,
        interval: timedelta,
        answered_kept: timedelta = ANSWERED_KEPT,
        sleep: Sleep = asyncio.sleep,
        bookkeeping: Sequence[Purge] = (),
    ) -> None:
        self._cache = cache
        self._bookkeeping = tuple(bookkeeping)
        self._store = store
        self.interval = interval
        self._answered_kept = answered_kept
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.sweeps = 0  # completed sweeps
        self.swept = asyncio.Event()  # set once the first sweep is done

    async def sweep(self) -> SweepResult:
        """One pass: expired cache rows, answered messages older than a month, and the
        bookkeeping of work across processes (finished jobs, ended leases, idle windows)."""
        result = SweepResult(
            cache_rows=await self._cache.purge_expired(),
            answered_messages=await self._store.forget_answered(self._answered_kept),
            bookkeeping_rows=sum([await purge() for purge in self._bookkeeping]),
        )
        self.sweeps += 1
        self.swept.set()
        if result.cache_rows or result.answered_messages or result.bookkeeping_rows:
            log.info(
                "swept %d expired cache rows, %d old answered messages and %d bookkeeping rows",
                result.cache_rows,
                result.answered_messages,
                result.bookkeeping_rows,
            )
        return result

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="newsdesk storage sweep")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except StorageError as error:
                log.warning("the storage sweep failed (next try in %s): %s", self.interval, error)
            await self._sleep(self.interval.total_seconds())


__all__ = ["SweepResult", "Sweeper"]
