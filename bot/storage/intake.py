"""Durable intake: every link message the bot takes on is written down before work starts.

Why: a process can die at any moment (a crash, an out-of-memory kill, SIGKILL from an impatient
orchestrator), and Discord never sends the events again. So the watcher records a job — the
message, its server, channel and shard, the links it admitted — before it fetches anything,
and walks it through three states:

- `pending`: taken on, nothing posted yet. A process that finds it later just does the work.
- `sending`: the reply is about to be posted (or was). A process that finds it must first look
  in the channel for a reply that references the message, and post only if there is none.
- `done`: answered, or decided not to be (a failure marked ⚠️, a deleted message, dropped).

Recording is `INSERT … ON CONFLICT DO NOTHING`: the first to record a message owns it, so a
message seen twice — live and again in the history read back after a restart, or by two
processes running the same shard during a rolling restart — is worked on once.

Shard watermarks (`shard_watermarks`): per shard, the newest message id up to which every
message this process saw was decided (recorded as a job, or skipped on purpose). After a
restart, the shard reads back its channels' history from there (bounded: see
`bot/discord_app/recovery.py`), so a message posted while it was down is answered, and one it
had skipped on purpose (rate limit, mode off) is not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from bot.clock import Clock, from_timestamp, timestamp, utc_now
from bot.storage.database import Database, Row

JobState = Literal["pending", "sending", "done"]
DONE_KEPT: Final = timedelta(days=2)  # a done job only matters while its message may come back
_COLUMNS: Final = (
    "message_id, guild_id, channel_id, shard_id, author_id, items, state, holder, created_at"
)


@dataclass(frozen=True, slots=True)
class IntakeJob:
    """One link message taken on: `items` are the keys of what was admitted (links, attached
    files' addresses, the message's own jump link for a pasted article)."""

    message_id: int
    guild_id: int
    channel_id: int
    shard_id: int
    author_id: int
    items: tuple[str, ...]
    state: JobState = "pending"
    holder: str = ""
    created_at: datetime | None = None


class IntakeJobs:
    """The `intake_jobs` and `shard_watermarks` tables."""

    def __init__(self, db: Database, holder: str, *, clock: Clock = utc_now) -> None:
        self._db = db
        self.holder = holder
        self._clock = clock

    async def record(self, job: IntakeJob) -> bool:
        """Write the job down as `pending` under this process; False if the message was
        already recorded (by this process or another), in which case it is not ours to do."""
        now = self._now()
        changed = await self._db.execute(
            f"INSERT INTO intake_jobs ({_COLUMNS}, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
            (
                job.message_id,
                job.guild_id,
                job.channel_id,
                job.shard_id,
                job.author_id,
                json.dumps(list(job.items)),
                self.holder,
                now,
                now,
            ),
        )
        return changed == 1

    async def mark_sending(self, message_id: int) -> None:
        """The reply is about to go out: from here on, a recovery looks for it first."""
        await self._set_state(message_id, "sending")

    async def finish(self, message_id: int) -> None:
        await self._set_state(message_id, "done")

    async def _set_state(self, message_id: int, state: JobState) -> None:
        await self._db.execute(
            "UPDATE intake_jobs SET state = ?, updated_at = ? WHERE message_id = ?",
            (state, self._now(), message_id),
        )

    async def unfinished(self) -> list[IntakeJob]:
        """Jobs not done and recorded by another process (an earlier run, or one that died),
        oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM intake_jobs WHERE state <> 'done' AND holder <> ? "
            "ORDER BY created_at, message_id",
            (self.holder,),
        )
        return [_job(row) for row in rows]

    async def claim(self, job: IntakeJob) -> bool:
        """Take over `job` from the process that recorded it; False if someone else did first
        (or it was finished meanwhile)."""
        changed = await self._db.execute(
            "UPDATE intake_jobs SET holder = ?, updated_at = ? "
            "WHERE message_id = ? AND holder = ? AND state <> 'done'",
            (self.holder, self._now(), job.message_id, job.holder),
        )
        return changed == 1

    async def recorded(self, message_ids: Sequence[int]) -> set[int]:
        """Which of these messages have a job (in any state)."""
        if not message_ids:
            return set()
        marks = ", ".join("?" for _ in message_ids)
        rows = await self._db.fetch_all(
            f"SELECT message_id FROM intake_jobs WHERE message_id IN ({marks})", list(message_ids)
        )
        return {int(row[0]) for row in rows}

    async def purge(self, done_kept: timedelta = DONE_KEPT) -> int:
        """Delete jobs finished longer ago than `done_kept` (the sweep)."""
        cutoff = timestamp(self._clock() - done_kept)
        return await self._db.execute(
            "DELETE FROM intake_jobs WHERE state = 'done' AND updated_at < ?", (cutoff,)
        )

    # -- shard watermarks ------------------------------------------------------------------

    async def watermarks(self, shard_count: int, shard_ids: Iterable[int]) -> dict[int, int]:
        """The stored watermark of each of these shards that has one."""
        ids = list(shard_ids)
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = await self._db.fetch_all(
            "SELECT shard_id, message_id FROM shard_watermarks "
            f"WHERE shard_count = ? AND shard_id IN ({marks})",
            [shard_count, *ids],
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def advance_watermarks(self, shard_count: int, marks: dict[int, int]) -> None:
        """Move each shard's watermark forward to the given message id (never back)."""
        if not marks:
            return
        now = self._now()
        await self._db.execute_many(
            "INSERT INTO shard_watermarks (shard_count, shard_id, message_id, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (shard_count, shard_id) DO UPDATE "
            "SET message_id = excluded.message_id, updated_at = excluded.updated_at "
            "WHERE shard_watermarks.message_id < excluded.message_id",
            [(shard_count, shard, message, now) for shard, message in sorted(marks.items())],
        )

    def _now(self) -> float:
        return timestamp(self._clock())


def _job(row: Row) -> IntakeJob:
    return IntakeJob(
        message_id=int(row[0]),
        guild_id=int(row[1]),
        channel_id=int(row[2]),
        shard_id=int(row[3]),
        author_id=int(row[4]),
        items=tuple(json.loads(row[5])),
        state=row[6],
        holder=str(row[7]),
        created_at=from_timestamp(row[8]),
    )


__all__ = ["DONE_KEPT", "IntakeJob", "IntakeJobs", "JobState"]
