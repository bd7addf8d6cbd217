"""A per-server daily allowance of LLM requests, so one busy server cannot run up the bill.

In memory (a restart forgets the day's count, which errs towards more LLM briefings, never
towards errors); `snapshot`/`restore` let the bot persist it later without changing callers.
"""

from __future__ import annotations

from datetime import UTC, date

from bot.clock import Clock, utc_now

NO_GUILD = 0  # direct messages and the CLI share one allowance


class DailyBudget:
    """`limit` requests per guild per UTC day; the count resets when the UTC date changes."""

    def __init__(self, limit: int, clock: Clock = utc_now) -> None:
        self.limit = limit
        self._clock = clock
        self._day: date | None = None
        self._used: dict[int, int] = {}

    def _today(self) -> date:
        now = self._clock()
        if now.tzinfo is not None:
            now = now.astimezone(UTC)
        today = now.date()
        if today != self._day:
            self._day = today
            self._used = {}
        return today

    def used(self, guild_id: int | None) -> int:
        self._today()
        return self._used.get(guild_id or NO_GUILD, 0)

    def remaining(self, guild_id: int | None) -> int:
        return max(self.limit - self.used(guild_id), 0)

    def try_spend(self, guild_id: int | None) -> bool:
        """Count one request for the guild if today's allowance has room; False when spent."""
        self._today()
        key = guild_id or NO_GUILD
        if self._used.get(key, 0) >= self.limit:
            return False
        self._used[key] = self._used.get(key, 0) + 1
        return True

    def snapshot(self) -> dict[str, object]:
        """Today's counts as plain JSON-able data, for storage."""
        day = self._today()
        return {"day": day.isoformat(), "used": {str(k): v for k, v in self._used.items()}}

    def restore(self, data: dict[str, object]) -> None:
        """Load counts saved by `snapshot`; counts from another day are ignored."""
        today = self._today()
        if data.get("day") != today.isoformat():
            return
        used = data.get("used")
        if isinstance(used, dict):
            self._used = {int(k): int(v) for k, v in used.items()}
