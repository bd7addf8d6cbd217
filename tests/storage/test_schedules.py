"""Digest schedules' two marks on both engines: the slot claimed and the slot delivered.

A slot claimed but not delivered is what a crash between claiming and posting leaves behind;
the scheduler recovers exactly those (`tests/newsroom/test_schedule.py`, and through Discord
`tests/discord_app/test_bot_digest_schedule.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.clock import timestamp
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.schedules import ScheduleStore
from bot.storage.sqlite import SQLiteDatabase

CREATED = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
SLOT = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
NEXT = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


async def _store(database: Database) -> ScheduleStore:
    store = ScheduleStore(database, clock=lambda: CREATED)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    return store


async def _unfinished(store: ScheduleStore) -> datetime | None:
    schedule = await store.get(1, 10)
    assert schedule is not None
    return schedule.unfinished


async def test_a_claimed_slot_is_unfinished_until_recorded_delivered_once(
    database: Database,
) -> None:
    store = await _store(database)
    assert await _unfinished(store) is None  # nothing claimed yet
    assert not await store.finish_run(1, 10, SLOT)  # nor deliverable before it is claimed

    assert await store.claim_run(1, 10, SLOT)
    assert await _unfinished(store) == SLOT  # a crash here leaves exactly this behind
    assert not await store.claim_run(1, 10, SLOT)  # still claimed once

    assert await store.finish_run(1, 10, SLOT)
    assert await _unfinished(store) is None
    assert not await store.finish_run(1, 10, SLOT)  # recorded once
    schedule = await store.get(1, 10)
    assert schedule is not None and (schedule.last_run, schedule.posted_run) == (SLOT, SLOT)


async def test_a_later_claim_supersedes_an_unfinished_slot(database: Database) -> None:
    store = await _store(database)
    assert await store.claim_run(1, 10, SLOT)
    assert await store.claim_run(1, 10, NEXT)
    assert await _unfinished(store) == NEXT
    assert not await store.finish_run(1, 10, SLOT)  # the older slot is no longer the claim
    assert await store.finish_run(1, 10, NEXT)
    assert await _unfinished(store) is None


async def test_resetting_a_schedule_clears_both_marks_and_mark_run_sets_both(
    database: Database,
) -> None:
    store = await _store(database)
    assert await store.claim_run(1, 10, SLOT)
    await store.set(1, 10, 18, 0, "Europe/Berlin")
    schedule = await store.get(1, 10)
    assert schedule is not None and (schedule.last_run, schedule.posted_run) == (None, None)

    await store.mark_run(1, 10, SLOT)
    schedule = await store.get(1, 10)
    assert schedule is not None and (schedule.last_run, schedule.posted_run) == (SLOT, SLOT)
    assert schedule.unfinished is None


async def test_upgrading_counts_runs_handled_before_as_delivered(
    database_target: Path | str,
) -> None:
    """Step 10 on a database at step 9 with a handled run: that run is not recovered (posted
    again) by the first start after the upgrade."""
    database = await _open_unmigrated(database_target)
    try:
        assert await migrate(database, MIGRATIONS[:9]) == 9
        await database.execute(
            "INSERT INTO digest_schedules "
            "(guild_id, channel_id, hour, minute, timezone, created_at, last_run) "
            "VALUES (1, 10, 9, 0, 'Europe/Berlin', ?, ?)",
            (timestamp(CREATED), timestamp(SLOT)),
        )
        assert await migrate(database) == len(MIGRATIONS)
        schedule = await ScheduleStore(database).get(1, 10)
        assert schedule is not None and schedule.posted_run == SLOT
        assert schedule.unfinished is None
    finally:
        await database.close()


async def _open_unmigrated(target: Path | str) -> Database:
    if isinstance(target, str):
        from bot.storage.postgres import PostgresDatabase

        return await PostgresDatabase.open(target)
    return await SQLiteDatabase.open(target)
