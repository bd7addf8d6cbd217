"""Exactly once across processes, on both engines: real processes (tests/helpers/racers.py),
each with its own connections, race for one digest slot, one person's rate limit, one posted
message, and a fresh database's migrations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.schedules import ScheduleStore
from tests.helpers.racers import racers, release

GUILD, CHANNEL = 5001, 6001


async def _schedule(database: Database, created: datetime) -> None:
    store = ScheduleStore(database, clock=lambda: created)
    await store.set(GUILD, CHANNEL, 8, 0, "UTC")


async def test_one_of_two_processes_claims_a_digest_slot(
    database: Database, database_target: Path | str
) -> None:
    await _schedule(database, datetime(2026, 3, 1, 12, tzinfo=UTC))
    slot = datetime(2026, 3, 2, 8, tzinfo=UTC).isoformat()
    args = [{"guild": GUILD, "channel": CHANNEL, "slot": slot}] * 2
    async with racers(database_target, "claim", args) as group:
        await release(group)
        results = [await racer.result() for racer in group]
    assert sorted(results) == [False, True]


async def test_a_digest_missed_while_both_were_down_is_handed_out_once(
    database: Database, database_target: Path | str
) -> None:
    """Both processes start 20 minutes after 08:00 and both think the server is theirs (a
    rolling restart): the late slot goes to exactly one of them."""
    await _schedule(database, datetime(2026, 3, 1, 12, tzinfo=UTC))
    now = datetime(2026, 3, 2, 8, 20, tzinfo=UTC)
    args = [{"now": now.isoformat(), "owns": [GUILD]}] * 2
    async with racers(database_target, "due", args) as group:
        await release(group)
        results = [await racer.result() for racer in group]
    slot = datetime(2026, 3, 2, 8, tzinfo=UTC).isoformat()
    assert sorted(results, key=len) == [[], [[CHANNEL, slot]]]


async def test_a_process_leaves_the_digests_of_servers_it_does_not_run(
    database: Database, database_target: Path | str
) -> None:
    await _schedule(database, datetime(2026, 3, 1, 12, tzinfo=UTC))
    now = datetime(2026, 3, 2, 8, 1, tzinfo=UTC)
    args = [{"now": now.isoformat(), "owns": []}, {"now": now.isoformat(), "owns": [GUILD]}]
    async with racers(database_target, "due", args) as group:
        await release(group)
        others, owner = [await racer.result() for racer in group]
    assert others == [] and [channel for channel, _ in owner] == [CHANNEL]


async def test_a_persons_limit_holds_across_three_processes(database_target: Path | str) -> None:
    """Each process tries 6 links for the same person, limit 5 a minute: 5 in all, not 15."""
    args = [{"key": "links:42", "times": 6, "limit": 5, "window": 60.0}] * 3
    async with racers(database_target, "take", args) as group:
        await release(group)
        granted = [await racer.result() for racer in group]
    assert sum(granted) == 5


async def test_a_message_is_recorded_by_one_process_only(database_target: Path | str) -> None:
    args = [{"holder": f"shards 0 of 1/racer-{n}", "message": 777} for n in range(2)]
    async with racers(database_target, "record", args) as group:
        await release(group)
        results = [await racer.result() for racer in group]
    assert sorted(results) == [False, True]


async def test_two_processes_migrate_one_fresh_database_at_once(
    database_target: Path | str,
) -> None:
    """Two bot processes started at the same moment on an empty database: both open it,
    neither fails, and the schema is applied once (step 1 has no IF NOT EXISTS)."""
    async with racers(database_target, "open", [{}, {}]) as group:
        await release(group)
        results = [await racer.result() for racer in group]
    assert results == [{"jobs": 0}, {"jobs": 0}]
    if isinstance(database_target, Path):
        with sqlite3.connect(database_target) as db:
            assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
