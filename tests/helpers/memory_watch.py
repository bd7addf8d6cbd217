"""Helpers for newsroom-memory tests: a settable clock and a way to await archived shares."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from bot.discord_app.client import NewsdeskBot


class FakeClock:
    """The bot's "now" (`NewsdeskBot(clock=...)`): tests set `.now`; nothing sleeps."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class ArchiveWatch:
    """Wraps `bot.archive.record_share` so a test can await the moment a message is archived.

    The bot archives right after its reply went out, so seeing the reply does not prove the
    share is searchable yet; waiting on this condition does, without sleeping.
    """

    def __init__(self, bot: NewsdeskBot) -> None:
        self.messages: set[int] = set()
        self._changed = asyncio.Condition()
        self._record = bot.archive.record_share
        bot.archive.record_share = self._recording  # type: ignore[method-assign]

    async def _recording(self, briefing: Any, **fields: Any) -> None:
        await self._record(briefing, **fields)
        async with self._changed:
            self.messages.add(fields["message_id"])
            self._changed.notify_all()

    async def wait(self, message_id: int | str, timeout: float = 30.0) -> None:
        wanted = int(message_id)
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: wanted in self.messages), timeout)
