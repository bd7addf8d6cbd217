"""Daily digest schedules as stored: which channel gets its digest when, and the last run.

The time arithmetic (next run, missed runs, DST) lives with the digests in
`bot/newsroom/schedule.py`; this is only what is kept and how it is read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock, from_timestamp, timestamp, utc_now
from bot.errors import BadInput
from bot.messages import say
from bot.storage.database import Database, Row

_COLUMNS: Final = "guild_id, channel_id, hour, minute, timezone, created_at, last_run"


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    guild_id: int
    channel_id: int
    hour: int
    minute: int
    timezone: str
    created_at: datetime
    last_run: datetime | None  # the last slot handled (posted or skipped as too late)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def anchor(self) -> datetime:
        """Slots after this instant are still owed."""
        return self.last_run or self.created_at

    @property
    def time_label(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d} {self.timezone}"


class ScheduleStore:
    """The `digest_schedules` table; one schedule per channel."""

    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def set(
        self, guild_id: int, channel_id: int, hour: int, minute: int, timezone: str
    ) -> DigestSchedule:
        """Create or replace the channel's schedule; owed runs start from now.

        `timezone` is an IANA key as `bot.newsroom.schedule.parse_timezone` returns it.
        """
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise BadInput(say("schedule.time_range"))
        zone = _zone_key(timezone)
        await self._db.execute(
            f"INSERT INTO digest_schedules ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL) "
            "ON CONFLICT (guild_id, channel_id) DO UPDATE SET hour = excluded.hour, "
            "minute = excluded.minute, timezone = excluded.timezone, "
            "created_at = excluded.created_at, last_run = NULL",
            (guild_id, channel_id, hour, minute, zone, timestamp(self._clock())),
        )
        schedule = await self.get(guild_id, channel_id)
        assert schedule is not None
        return schedule

    async def remove(self, guild_id: int, channel_id: int) -> bool:
        removed = await self._db.execute(
            "DELETE FROM digest_schedules WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )
        return removed > 0

    async def get(self, guild_id: int, channel_id: int) -> DigestSchedule | None:
        rows = await self._select("WHERE guild_id = ? AND channel_id = ?", guild_id, channel_id)
        return rows[0] if rows else None

    async def for_guild(self, guild_id: int) -> list[DigestSchedule]:
        return await self._select("WHERE guild_id = ? ORDER BY channel_id", guild_id)

    async def all(self) -> list[DigestSchedule]:
        return await self._select("ORDER BY guild_id, channel_id")

    async def claim_run(self, guild_id: int, channel_id: int, slot: datetime) -> bool:
        """Mark `slot` handled, if nobody has yet: True for the one caller that did.

        One compare-and-set statement, so it needs no lock to be exactly once: of several
        processes (or passes) claiming the same slot, the engine lets one write it — on
        PostgreSQL a second UPDATE waits for the first's row lock, then finds the condition
        false; on SQLite writes take turns. A slot before the schedule was (re)set is never
        claimed.
        """
        changed = await self._db.execute(
            "UPDATE digest_schedules SET last_run = ? "
            "WHERE guild_id = ? AND channel_id = ? AND created_at < ? "
            "AND (last_run IS NULL OR last_run < ?)",
            (timestamp(slot), guild_id, channel_id, timestamp(slot), timestamp(slot)),
        )
        return changed == 1

    async def mark_run(self, guild_id: int, channel_id: int, slot: datetime) -> None:
        await self._db.execute(
            "UPDATE digest_schedules SET last_run = ? WHERE guild_id = ? AND channel_id = ?",
            (timestamp(slot), guild_id, channel_id),
        )

    async def _select(self, clause: str, *params: object) -> list[DigestSchedule]:
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM digest_schedules {clause}", params)
        return [_schedule(r) for r in rows]


def _schedule(r: Row) -> DigestSchedule:
    return DigestSchedule(
        guild_id=int(r[0]),
        channel_id=int(r[1]),
        hour=int(r[2]),
        minute=int(r[3]),
        timezone=r[4],
        created_at=from_timestamp(r[5] or 0),
        last_run=None if r[6] is None else from_timestamp(r[6]),
    )


def _zone_key(name: str) -> str:
    """The zone's IANA key; `BadInput` for a name the zone database does not have."""
    try:
        return ZoneInfo(name).key
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        raise BadInput(say("schedule.unknown_timezone", name=name)) from None


__all__ = ["DigestSchedule", "ScheduleStore"]
