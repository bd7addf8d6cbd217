"""Digest schedules: DST-correct times, the missed-run rule, persistence. Time is injected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.newsroom.schedule import (
    DigestScheduler,
    ScheduleStore,
    next_run,
    parse_time,
    parse_timezone,
    previous_run,
    suggest_timezones,
)
from bot.storage.database import Database, open_database

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- pure time arithmetic ---------------------------------------------------------------------


def test_parse_time():
    assert parse_time("18:00") == (18, 0)
    assert parse_time(" 7:05 ") == (7, 5)
    assert parse_time("07h30") == (7, 30)
    for bad in ["24:00", "12:60", "noon", "1800", "", "7:5"]:
        with pytest.raises(ValueError):
            parse_time(bad)


def test_parse_timezone():
    assert parse_timezone("Europe/Berlin").key == "Europe/Berlin"
    assert parse_timezone(" europe/berlin ").key == "Europe/Berlin"
    assert parse_timezone("America/New York").key == "America/New_York"
    assert parse_timezone("UTC").key == "UTC"
    for bad in ["Mars/Olympus", "../../etc/passwd", "", "CEST+1"]:
        with pytest.raises(ValueError, match="time zone"):
            parse_timezone(bad)


def test_suggest_timezones():
    assert suggest_timezones("berl") == ["Europe/Berlin"]
    assert suggest_timezones("new york") == ["America/New_York"]
    assert len(suggest_timezones("", limit=25)) == 25
    assert suggest_timezones("Europe/")[0].startswith("Europe/")


def test_next_run_same_day_and_strictly_after():
    after = datetime(2026, 6, 1, 8, 0, tzinfo=BERLIN)
    assert next_run(after, 9, 0, BERLIN) == datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN)
    at_slot = datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN)
    assert next_run(at_slot, 9, 0, "Europe/Berlin") == datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN)
    # `after` in another zone: 23:30 UTC on 1 June is already 2 June in Berlin
    assert next_run(utc(2026, 6, 1, 23, 30), 9, 0, BERLIN) == datetime(
        2026, 6, 2, 9, 0, tzinfo=BERLIN
    )


def test_next_run_keeps_local_time_across_spring_forward():
    # Berlin moves 02:00 -> 03:00 on 29 March 2026.
    saturday = next_run(utc(2026, 3, 28, 0, 0), 9, 0, BERLIN)
    sunday = next_run(saturday, 9, 0, BERLIN)
    assert saturday.astimezone(UTC) == utc(2026, 3, 28, 8, 0)
    assert sunday.astimezone(UTC) == utc(2026, 3, 29, 7, 0)
    assert sunday.tzinfo is UTC  # safe to subtract: no wall-clock arithmetic
    assert sunday - saturday == timedelta(hours=23)
    local = sunday.astimezone(BERLIN)
    assert (local.hour, local.minute) == (9, 0)


def test_next_run_keeps_local_time_across_fall_back():
    # Berlin moves 03:00 -> 02:00 on 25 October 2026.
    saturday = next_run(utc(2026, 10, 24, 0, 0), 9, 0, BERLIN)
    sunday = next_run(saturday, 9, 0, BERLIN)
    assert sunday.astimezone(UTC) == utc(2026, 10, 25, 8, 0)
    assert sunday - saturday == timedelta(hours=25)


def test_time_in_the_spring_gap_runs_once_after_the_gap():
    # 02:30 does not exist in New York on 8 March 2026; it runs at 03:30 EDT, not skipped.
    slot = next_run(utc(2026, 3, 8, 0, 0), 2, 30, NEW_YORK)
    assert slot.astimezone(UTC) == utc(2026, 3, 8, 7, 30)
    local = slot.astimezone(NEW_YORK)
    assert (local.hour, local.minute) == (3, 30)
    following = next_run(slot, 2, 30, NEW_YORK)
    assert following.astimezone(UTC) == utc(2026, 3, 9, 6, 30)


def test_time_in_the_autumn_overlap_runs_once():
    # 01:30 happens twice in New York on 1 November 2026: run at the first one only.
    first = next_run(utc(2026, 11, 1, 0, 0), 1, 30, NEW_YORK)
    assert first.astimezone(UTC) == utc(2026, 11, 1, 5, 30)
    following = next_run(first, 1, 30, NEW_YORK)
    assert following.astimezone(UTC) == utc(2026, 11, 2, 6, 30)


def test_previous_run():
    now = datetime(2026, 6, 2, 8, 59, tzinfo=BERLIN)
    assert previous_run(now, 9, 0, BERLIN) == datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN)
    exact = datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN)
    assert previous_run(exact, 9, 0, BERLIN) == exact


# -- stored schedules and the scheduler -------------------------------------------------------


@pytest.fixture
def db_path(database_target: Path | str) -> Path | str:
    """A fresh database on each backend (tests/helpers/storage.py): a file, or a PostgreSQL URL."""
    return database_target


@asynccontextmanager
async def connect(path: Path | str) -> AsyncIterator[Database]:
    """The database file opened as the bot opens it (one restart of the bot per block)."""
    db = await open_database(path)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def db(db_path: Path | str) -> AsyncIterator[Database]:
    async with connect(db_path) as database:
        yield database


async def open_scheduler(db: Database, clock: Clock) -> tuple[ScheduleStore, DigestScheduler]:
    store = ScheduleStore(db, clock=clock)
    return store, DigestScheduler(store, clock=clock)


async def test_due_exactly_once_at_the_local_time(db: Database):
    clock = Clock(utc(2026, 6, 1, 5, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")  # 07:00 UTC in summer
    clock.now = utc(2026, 6, 1, 6, 59)
    assert await scheduler.due() == []
    clock.now = utc(2026, 6, 1, 7, 0)
    [run] = await scheduler.due()
    assert (run.schedule.guild_id, run.schedule.channel_id) == (1, 10)
    assert run.slot == datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN)
    assert run.late == timedelta(0)
    assert run.since == datetime(2026, 5, 31, 9, 0, tzinfo=BERLIN)  # window: the last day
    assert await scheduler.due() == []  # a second tick does not post it again
    clock.now = utc(2026, 6, 2, 7, 1)
    assert len(await scheduler.due()) == 1


async def test_schedule_created_after_todays_time_waits_for_tomorrow(db: Database):
    clock = Clock(utc(2026, 6, 1, 7, 5))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    assert await scheduler.due() == []
    assert await scheduler.next_wakeup() == datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN)


async def test_missed_run_less_than_an_hour_late_is_posted_once_on_start(db_path: Path | str):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    async with connect(db_path) as conn:
        store, scheduler = await open_scheduler(conn, clock)
        await store.set(1, 10, 9, 0, "Europe/Berlin")
        clock.now = utc(2026, 6, 1, 7, 0)
        assert len(await scheduler.due()) == 1
    # the bot is down at 09:00 Berlin on 2 June and comes back 40 minutes later
    clock.now = utc(2026, 6, 2, 7, 40)
    async with connect(db_path) as conn:
        _, scheduler = await open_scheduler(conn, clock)
        [run] = await scheduler.due()
        assert run.slot == datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN)
        assert run.late == timedelta(minutes=40)
        assert await scheduler.due() == []
    # and a restart right after does not post it again
    async with connect(db_path) as conn:
        _, scheduler = await open_scheduler(conn, clock)
        assert await scheduler.due() == []


async def test_missed_run_more_than_an_hour_late_is_skipped(db: Database):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    clock.now = utc(2026, 6, 1, 8, 0)  # exactly an hour late: skipped
    assert await scheduler.due() == []
    clock.now = utc(2026, 6, 1, 8, 30)
    assert await scheduler.due() == []  # still skipped, not posted later
    skipped = await store.get(1, 10)
    assert skipped is not None
    assert skipped.last_run == utc(2026, 6, 1, 7, 0)
    clock.now = utc(2026, 6, 2, 7, 0)
    assert len(await scheduler.due()) == 1


async def test_days_of_downtime_post_at_most_the_latest_run(db: Database):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    clock.now = utc(2026, 6, 4, 7, 20)  # missed 1, 2, 3 June; 4 June is 20 minutes late
    runs = await scheduler.due()
    assert [r.slot for r in runs] == [datetime(2026, 6, 4, 9, 0, tzinfo=BERLIN)]


async def test_several_channels_and_zones(db: Database):
    clock = Clock(utc(2026, 1, 15, 0, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")  # 08:00 UTC in winter
    await store.set(1, 11, 3, 0, "America/New_York")  # 08:00 UTC in winter
    await store.set(2, 20, 18, 0, "Asia/Tokyo")  # 09:00 UTC
    clock.now = utc(2026, 1, 15, 8, 0)
    assert {r.schedule.channel_id for r in await scheduler.due()} == {10, 11}
    assert await scheduler.next_wakeup() == utc(2026, 1, 15, 9, 0)
    clock.now = utc(2026, 1, 15, 9, 0)
    assert [r.schedule.channel_id for r in await scheduler.due()] == [20]


async def test_schedules_survive_reopening_and_can_be_turned_off(db_path: Path | str):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    async with connect(db_path) as conn:
        store, _ = await open_scheduler(conn, clock)
        created = await store.set(1, 10, 18, 30, "Europe/Berlin")
        assert created.time_label == "18:30 Europe/Berlin"
    async with connect(db_path) as conn:
        store, scheduler = await open_scheduler(conn, clock)
        assert await store.get(1, 10) == created
        assert await store.for_guild(1) == [created]
        assert await scheduler.next_wakeup() == datetime(2026, 6, 1, 18, 30, tzinfo=BERLIN)
        assert await store.remove(1, 10) is True
        assert await store.remove(1, 10) is False
    async with connect(db_path) as conn:
        store, scheduler = await open_scheduler(conn, clock)
        assert await store.all() == []
        assert await scheduler.next_wakeup() is None


async def test_changing_the_time_restarts_from_now(db: Database):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    clock.now = utc(2026, 6, 1, 7, 0)
    assert len(await scheduler.due()) == 1
    clock.now = utc(2026, 6, 1, 7, 30)
    await store.set(1, 10, 10, 0, "Europe/Berlin")  # 08:00 UTC
    clock.now = utc(2026, 6, 1, 8, 0)
    assert len(await scheduler.due()) == 1


async def test_invalid_input_is_refused(db: Database):
    store, _ = await open_scheduler(db, Clock(utc(2026, 6, 1)))
    with pytest.raises(ValueError):
        await store.set(1, 10, 9, 0, "Nowhere/Special")
    with pytest.raises(ValueError):
        await store.set(1, 10, 25, 0, "UTC")
    assert await store.all() == []


async def test_digest_window_spans_the_dst_change(db: Database):
    clock = Clock(utc(2026, 3, 28, 0, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    clock.now = utc(2026, 3, 29, 7, 0)  # 09:00 CEST, the first day of summer time
    [run] = await scheduler.due()
    assert run.slot - run.since == timedelta(hours=23)


@pytest.mark.parametrize("name", ["Europe", "America/" + "x" * 300])
def test_area_folders_and_absurd_names_are_plain_word_errors(name: str) -> None:
    with pytest.raises(ValueError, match="not a time zone I know"):
        parse_timezone(name)


# -- exactly once: a run claimed but never recorded as delivered ---------------------------------


async def test_a_claimed_run_not_recorded_is_handed_out_again_until_delivered(db_path: Path | str):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    async with connect(db_path) as conn:
        store, scheduler = await open_scheduler(conn, clock)
        await store.set(1, 10, 9, 0, "Europe/Berlin")
        clock.now = utc(2026, 6, 1, 7, 0)
        [run] = await scheduler.due()  # claimed; the process dies before recording it
        assert not run.recovered
    clock.now = utc(2026, 6, 1, 7, 25)
    async with connect(db_path) as conn:
        _, scheduler = await open_scheduler(conn, clock)
        assert await scheduler.due() == []  # not claimed a second time...
        [again] = await scheduler.unfinished()  # ...but handed out for recovery
        assert again.recovered and again.slot == run.slot
        assert again.late == timedelta(minutes=25)
        assert await scheduler.delivered(again)
        assert await scheduler.unfinished() == []
        assert not await scheduler.delivered(again)


async def test_an_unrecorded_run_older_than_the_grace_is_recorded_as_skipped(db: Database):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    clock.now = utc(2026, 6, 1, 7, 0)
    assert len(await scheduler.due()) == 1
    clock.now = utc(2026, 6, 1, 8, 0)  # an hour later: too late to post
    assert await scheduler.unfinished() == []
    schedule = await store.get(1, 10)
    assert schedule is not None and schedule.unfinished is None
    assert schedule.posted_run == utc(2026, 6, 1, 7, 0)


async def test_a_run_too_late_to_post_is_recorded_when_claimed(db: Database):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    store, scheduler = await open_scheduler(db, clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    clock.now = utc(2026, 6, 1, 8, 30)
    assert await scheduler.due() == []
    assert await scheduler.unfinished() == []
    schedule = await store.get(1, 10)
    assert schedule is not None and schedule.posted_run == utc(2026, 6, 1, 7, 0)


async def test_unfinished_runs_of_servers_another_process_runs_are_left_alone(db: Database):
    clock = Clock(utc(2026, 6, 1, 6, 0))
    store = ScheduleStore(db, clock=clock)
    await store.set(1, 10, 9, 0, "Europe/Berlin")
    await store.set(2, 20, 9, 0, "Europe/Berlin")
    clock.now = utc(2026, 6, 1, 7, 0)
    assert len(await DigestScheduler(store, clock=clock).due()) == 2  # both claimed, none posted
    only_guild_2 = DigestScheduler(store, clock=clock, owns=lambda guild_id: guild_id == 2)
    assert [r.schedule.guild_id for r in await only_guild_2.unfinished()] == [2]
