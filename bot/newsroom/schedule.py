"""Daily digest schedules: computed in the channel's own time zone, stored by `bot.storage`.

Why: a newsroom wants its digest at 18:00 local time every day, including the two days a year
the clocks change, and it must keep coming after the bot restarts. Times are computed with
`zoneinfo` (wall-clock time in an IANA zone, DST-correct), stored in the database
(`bot.storage.schedules`), and the scheduler
takes an injectable clock so tests can move time without sleeping.

Missed runs: if the bot was down at the scheduled time, the digest is posted once on start when
it is less than an hour late; an older miss is skipped (a digest of "the last 24 hours" arriving
half a day late would only confuse). Delivery is at most once: a run is claimed (a
compare-and-set in the store) when it is handed out, so two ticks — or two processes — never
post the same digest twice; only the process that runs the server's shard looks at it at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.clock import Clock, aware, utc_now
from bot.errors import BadInput
from bot.messages import say
from bot.storage.schedules import DigestSchedule, ScheduleStore

GRACE = timedelta(hours=1)

_TIME = re.compile(r"\s*(\d{1,2})[:.h](\d{2})\s*")


def parse_time(text: str) -> tuple[int, int]:
    """ "HH:MM" (24-hour; "7:05", "07.05" and "07h05" too) as (hour, minute)."""
    match = _TIME.fullmatch(text)
    if not match:
        raise BadInput(say("schedule.not_a_time", text=text))
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise BadInput(say("schedule.not_a_time_of_day", text=text))
    return hour, minute


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone such as Europe/Berlin; plain-words `BadInput` for anything else.

    Forgiving about what people type: "europe/berlin" and "America/New York" are accepted.
    """
    text = name.strip()
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        pass
    wanted = text.replace(" ", "_").casefold()
    for key in _zone_names():
        if key.casefold() == wanted:
            return ZoneInfo(key)
    raise BadInput(say("schedule.unknown_timezone", name=name))


def suggest_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Zone names containing what was typed so far (for slash-command autocomplete)."""
    wanted = prefix.strip().replace(" ", "_").casefold()
    names = [key for key in _zone_names() if wanted in key.casefold()]
    names.sort(key=lambda key: (not key.casefold().startswith(wanted), key))
    return names[:limit]


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    """Area/City names only (no "EST5EDT" or "Etc/GMT+3" surprises), read once on first use."""
    skip = ("Etc/", "SystemV/")
    names = sorted(k for k in available_timezones() if "/" in k and not k.startswith(skip))
    return (*names, "UTC")


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else parse_timezone(tz)


def _slot(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) the wall clock in `zone` reads hour:minute on `day`.

    In the autumn overlap the first occurrence is used (fold=0); in the spring gap the time is
    read with the pre-change offset, i.e. it happens one gap-length later on the new clock
    (02:30 on a 02:00→03:00 night runs at 03:30), so no day is ever skipped.
    """
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def next_run(after: datetime, hh: int, mm: int, tz: ZoneInfo | str) -> datetime:
    """The first scheduled instant strictly after `after`, in UTC.

    UTC on purpose: Python subtracts and compares two datetimes that share a `ZoneInfo` by wall
    clock, which is off by an hour across a DST change; UTC values are always safe to subtract
    (`slot - now` for a sleep). Use `.astimezone(zone)` to show it.
    """
    zone = _zone(tz)
    after = aware(after).astimezone(UTC)
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(4):
        slot = _slot(start + timedelta(days=offset), hh, mm, zone)
        if slot > after:
            return slot
    raise AssertionError("unreachable: a slot exists every calendar day")


def previous_run(at: datetime, hh: int, mm: int, tz: ZoneInfo | str) -> datetime:
    """The latest scheduled instant at or before `at`, in UTC."""
    zone = _zone(tz)
    at = aware(at).astimezone(UTC)
    start = at.astimezone(zone).date() + timedelta(days=1)
    for offset in range(4):
        slot = _slot(start - timedelta(days=offset), hh, mm, zone)
        if slot <= at:
            return slot
    raise AssertionError("unreachable: a slot exists every calendar day")


@dataclass(frozen=True, slots=True)
class DueRun:
    """A digest to post now: for `schedule`, the run planned at `slot` (UTC)."""

    schedule: DigestSchedule
    slot: datetime
    late: timedelta

    @property
    def since(self) -> datetime:
        """Start of the digest window: the previous day's slot (23 or 25 h back across DST)."""
        s = self.schedule
        return previous_run(self.slot - timedelta(seconds=1), s.hour, s.minute, s.timezone)


class DigestScheduler:
    """Decides which stored schedules are due; the bot's loop posts them and sleeps until
    `next_wakeup()`."""

    def __init__(
        self,
        store: ScheduleStore,
        *,
        clock: Clock = utc_now,
        grace: timedelta = GRACE,
        owns: Callable[[int], bool] = lambda guild_id: True,
    ) -> None:
        self._store = store
        self._clock = clock
        self._grace = grace
        self._owns = owns

    async def due(self) -> list[DueRun]:
        """Runs to post now, each claimed before it is returned (exactly one claimer).

        Only schedules of servers this process owns count (`owns`: the servers of its shards;
        another process posts the rest). For each, only the latest slot not after now counts:
        posted if less than `grace` late, otherwise recorded as skipped. Earlier misses are
        never posted. The claim is the store's compare-and-set, so two processes that both
        think a schedule is theirs, or two passes at once, still hand a slot out once.
        """
        now = aware(self._clock()).astimezone(UTC)
        runs = []
        for schedule in await self._mine():
            try:
                slot = previous_run(now, schedule.hour, schedule.minute, schedule.timezone)
            except ValueError:  # a zone that vanished from tzdata: leave it for an admin
                continue
            if slot <= schedule.anchor:
                continue
            if not await self._store.claim_run(schedule.guild_id, schedule.channel_id, slot):
                continue  # claimed by another process, or by a pass running beside this one
            late = now - slot
            if late < self._grace:
                runs.append(DueRun(schedule=schedule, slot=slot, late=late))
        return runs

    async def _mine(self) -> list[DigestSchedule]:
        return [s for s in await self._store.all() if self._owns(s.guild_id)]

    async def next_wakeup(self) -> datetime | None:
        """When (UTC) the next stored schedule falls due; None without schedules.

        Call `due()` first: a slot already owed is not reported here.
        """
        now = aware(self._clock()).astimezone(UTC)
        upcoming = []
        for schedule in await self._mine():
            try:
                upcoming.append(
                    next_run(
                        max(now, schedule.anchor),
                        schedule.hour,
                        schedule.minute,
                        schedule.timezone,
                    )
                )
            except ValueError:
                continue
        return min(upcoming, default=None)


__all__ = [
    "GRACE",
    "DigestSchedule",
    "DigestScheduler",
    "DueRun",
    "ScheduleStore",
    "next_run",
    "parse_time",
    "parse_timezone",
    "previous_run",
    "suggest_timezones",
]
