"""The one clock and the one timestamp format the bot's stores use.

Why one: the cache, the archive, the digest schedules and the LLM budget all ask "what time is
it?" and store instants; with one injectable clock a test moves time for all of them at once,
and with one conversion an instant written by one store reads back the same in another.
Stored instants are UTC seconds since the epoch (`timestamp`); the oldest tables keep theirs as
text in SQL's `CURRENT_TIMESTAMP` form (`timestamp_text`). Naive datetimes are taken as UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """`moment` with a time zone: naive datetimes are taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def timestamp(moment: datetime) -> float:
    """UTC seconds since the epoch, the form instants are stored in."""
    return aware(moment).timestamp()


def timestamp_text(moment: datetime) -> str:
    """UTC as "YYYY-MM-DD HH:MM:SS", the text form of SQL's CURRENT_TIMESTAMP (sorts as time)."""
    return aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def from_timestamp(seconds: float) -> datetime:
    """A stored instant back as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


__all__ = ["Clock", "aware", "from_timestamp", "timestamp", "timestamp_text", "utc_now"]
