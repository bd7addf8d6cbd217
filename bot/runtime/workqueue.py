"""A global cap on links in flight, with a bounded waiting line and two priorities.

Rate limits stop one user or channel from flooding the bot; this stops everyone together from
queueing unbounded work (each waiting link holds a Discord message, memory and, later, a worker).

- Slash commands were asked for explicitly: they wait ahead of auto-replies and are never
  dropped, but when the line is full they are refused at once (`QueueFull`) so the user hears
  "busy" instead of waiting forever.
- Auto-replies are a courtesy: when the line is full, the *oldest* waiting auto-reply is dropped
  (`Dropped`) to make room for the new one — by then its conversation has moved on, and the
  newest link is the one people are looking at.

Work is passed as a factory and only called once a slot is granted, so a dropped or refused item
never creates a coroutine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from bot.errors import Dropped, QueueFull

if TYPE_CHECKING:
    from config import Settings

T = TypeVar("T")


@dataclass(slots=True)
class _Waiter:
    droppable: bool
    granted: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass(slots=True)
class QueueStats:
    """Counters since start, for logs and a health command."""

    finished: int = 0  # ran, whether they succeeded or raised
    dropped: int = 0
    rejected: int = 0


class WorkQueue:
    """`await queue.run(factory, droppable=...)`: run `factory()` once a slot is free."""

    def __init__(self, max_in_flight: int, queue_limit: int) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if queue_limit < 0:
            raise ValueError("queue_limit must not be negative")
        self.max_in_flight = max_in_flight
        self.queue_limit = queue_limit
        self.stats = QueueStats()
        self._in_flight = 0
        self._commands: deque[_Waiter] = deque()
        self._auto: deque[_Waiter] = deque()

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkQueue:
        return cls(settings.max_in_flight, settings.queue_limit)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def waiting(self) -> int:
        # A cancelled waiter stays in its line until its task resumes; don't count it.
        return sum(not w.granted.done() for line in (self._commands, self._auto) for w in line)

    async def run(self, coro_factory: Callable[[], Awaitable[T]], *, droppable: bool) -> T:
        """Run the work under the cap; raises `QueueFull` (commands) or `Dropped` (auto-replies)."""
        await self._acquire(droppable)
        try:
            return await coro_factory()
        finally:
            self.stats.finished += 1
            self._release()

    async def _acquire(self, droppable: bool) -> None:
        if self._in_flight < self.max_in_flight and not self.waiting:
            self._in_flight += 1
            return
        if self.waiting >= self.queue_limit:
            if not droppable:
                self.stats.rejected += 1
                raise QueueFull()
            oldest = next((w for w in self._auto if not w.granted.done()), None)
            self.stats.dropped += 1
            if oldest is None:  # the line is all commands: this auto-reply is the one to go
                raise Dropped()
            self._auto.remove(oldest)
            oldest.granted.set_exception(Dropped())
        waiter = _Waiter(droppable)
        (self._auto if droppable else self._commands).append(waiter)
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                if waiter.granted.exception() is None:
                    self._release()  # granted a slot just as we were cancelled: pass it on
            else:
                self._forget(waiter)
            raise

    def _forget(self, waiter: _Waiter) -> None:
        line = self._auto if waiter.droppable else self._commands
        with contextlib.suppress(ValueError):
            line.remove(waiter)

    def _release(self) -> None:
        """Hand the freed slot straight to the next waiter (commands first), or free it."""
        for line in (self._commands, self._auto):
            while line:
                waiter = line.popleft()
                if not waiter.granted.done():
                    waiter.granted.set_result(None)
                    return  # the slot moves to the waiter; in_flight is unchanged
        self._in_flight -= 1
