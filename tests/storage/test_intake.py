"""Durable intake on both engines: a message is recorded once, walks pending → sending →
done, is taken over from a dead run once, and shard watermarks only move forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.database import Database
from bot.storage.intake import IntakeJob, IntakeJobs


def _job(message_id: int, guild_id: int = 10) -> IntakeJob:
    return IntakeJob(message_id, guild_id, 20, 0, 30, ("https://news.example/a",))


async def test_a_message_is_recorded_once_and_walks_to_done(database: Database) -> None:
    dead = IntakeJobs(database, "shards 0 of 1/host/1/dead")
    alive = IntakeJobs(database, "shards 0 of 1/host/2/alive")
    assert await dead.record(_job(1))
    assert not await alive.record(_job(1))  # someone else's already
    assert await dead.record(_job(2))
    await dead.mark_sending(2)
    assert await dead.unfinished() == []  # its own jobs are not "left by another run"
    left = await alive.unfinished()
    assert [(j.message_id, j.state, j.items) for j in left] == [
        (1, "pending", ("https://news.example/a",)),
        (2, "sending", ("https://news.example/a",)),
    ]
    assert await alive.claim(left[0])
    assert not await IntakeJobs(database, "third").claim(left[0])  # taken over once
    await alive.finish(1)
    assert [j.message_id for j in await IntakeJobs(database, "third").unfinished()] == [2]
    assert await alive.recorded([1, 2, 3]) == {1, 2}


async def test_finished_jobs_are_swept_after_two_days(database: Database) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    jobs = IntakeJobs(database, "a", clock=lambda: now)
    await jobs.record(_job(1))
    await jobs.record(_job(2))
    await jobs.finish(1)
    now += timedelta(days=3)
    assert await jobs.purge() == 1
    assert await jobs.recorded([1, 2]) == {2}  # an unfinished job is never swept


async def test_watermarks_only_move_forward_per_shard_count(database: Database) -> None:
    jobs = IntakeJobs(database, "a")
    await jobs.advance_watermarks(2, {0: 500, 1: 700})
    await jobs.advance_watermarks(2, {0: 400, 1: 800})
    assert await jobs.watermarks(2, [0, 1, 5]) == {0: 500, 1: 800}
    assert await jobs.watermarks(4, [0, 1]) == {}  # a new shard count starts afresh
