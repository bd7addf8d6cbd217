"""Rate-limit windows kept in the database, for limits that must hold across processes.

Why: a person belongs to many servers, and servers to different shards — so to different
processes. A per-user limit counted in each process's memory would let someone post their
limit in every shard at once. (Channel limits need none of this: a channel is one server's, so
one process sees all of it.)

Each key keeps the same exact sliding log as the in-memory `bot.runtime.ratelimit.SlidingWindow`
— the times of its recent events, never more than the limit — as one row: `times` (space-separated
seconds on the database's clock, oldest first) and a `version`. Taking is optimistic: read the row,
decide in Python, write it back only if `version` is unchanged (one read and one write, no
transaction held across a round trip, so a limiter cheap enough for every message). Two
processes taking for the same person at the same instant: one write wins, the other reads
again. Rows idle for a day go in the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from bot.storage.database import Database
from bot.storage.leases import database_now

log = logging.getLogger(__name__)

ATTEMPTS: Final = 12  # reads and writes before giving up on a key everyone writes at once
IDLE_KEPT: Final = 86_400.0  # seconds


@dataclass(frozen=True, slots=True)
class Taken:
    """What `take` granted, and the key's log afterwards (for `retry_after`)."""

    granted: int
    times: tuple[float, ...]
    now: float


class SharedWindows:
    """Sliding windows by key in `rate_windows`. `clock` overrides the database's clock (tests
    that move time); None reads it in the same query as the row."""

    def __init__(self, db: Database, *, clock: Callable[[], float] | None = None) -> None:
        self._db = db
        self._clock = clock
        self._now = database_now(db.dialect)

    async def take(self, key: str, wanted: int, limit: int, window: float) -> Taken:
        """Record up to `wanted` events for `key` now, as many as keep it within `limit` per
        `window` seconds; how many were granted. On endless contention (every attempt lost to
        another writer) nothing is granted: the limit errs on the side of holding."""
        for _ in range(ATTEMPTS):
            now, times, version = await self._read(key, window)
            granted = max(0, min(wanted, limit - len(times)))
            if granted == 0:
                return Taken(0, times, now)
            kept = (*times, *([now] * granted))[-limit:]
            if await self._write(key, kept, version, now):
                return Taken(granted, kept, now)
        log.warning("rate limit %s: every attempt lost to another process; holding", key)
        return Taken(0, (), 0.0)

    async def retry_after(self, key: str, limit: int, window: float) -> float:
        """Seconds until `key` may have one more event (0: it may now)."""
        now, times, _ = await self._read(key, window)
        if len(times) < limit:
            return 0.0
        return max(0.0, times[-limit] + window - now)

    async def purge_idle(self, idle: float = IDLE_KEPT) -> int:
        """Delete keys with no event for `idle` seconds (the sweep)."""
        if self._clock is not None:  # the cutoff computed here: `? - ?` has no type to go by
            sql, params = "DELETE FROM rate_windows WHERE updated_at < ?", (self._clock() - idle,)
        else:
            sql, params = f"DELETE FROM rate_windows WHERE updated_at < {self._now} - ?", (idle,)
        return await self._db.execute(sql, params)

    async def _read(self, key: str, window: float) -> tuple[float, tuple[float, ...], int | None]:
        if self._clock is not None:
            row = await self._db.fetch_one(
                "SELECT times, version FROM rate_windows WHERE key = ?", (key,)
            )
            now = self._clock()
            text, version = (row[0], row[1]) if row is not None else (None, None)
        else:
            found = await self._db.fetch_one(
                f"SELECT {self._now}, (SELECT times FROM rate_windows WHERE key = ?), "
                "(SELECT version FROM rate_windows WHERE key = ?)",
                (key, key),
            )
            assert found is not None  # a SELECT without FROM always has its one row
            now, text, version = float(found[0]), found[1], found[2]
        horizon = now - window
        times = tuple(t for t in _times(text) if t > horizon)
        return now, times, None if version is None else int(version)

    async def _write(
        self, key: str, times: tuple[float, ...], version: int | None, now: float
    ) -> bool:
        text = " ".join(repr(t) for t in times)
        if version is None:
            changed = await self._db.execute(
                "INSERT INTO rate_windows (key, times, version, updated_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, text, now),
            )
        else:
            changed = await self._db.execute(
                "UPDATE rate_windows SET times = ?, version = version + 1, updated_at = ? "
                "WHERE key = ? AND version = ?",
                (text, now, key, version),
            )
        return changed == 1


def _times(text: str | None) -> list[float]:
    return [float(part) for part in text.split()] if text else []


__all__ = ["IDLE_KEPT", "SharedWindows", "Taken"]
