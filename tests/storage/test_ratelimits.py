"""Per-person limits kept in the database (`SharedWindows`, `SharedUserLimit`), on both
engines: the same exact sliding window as in memory, one count for every process that shares
the database, and a limit that still holds (per process) when the database cannot answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.runtime.ratelimit import SharedUserLimit
from bot.runtime.throttle import CommandThrottle, LinkThrottle
from bot.storage.database import Database, open_database
from bot.storage.ratelimits import SharedWindows
from config import Settings


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_the_window_slides_exactly(database: Database) -> None:
    clock = Clock()
    windows = SharedWindows(database, clock=clock)
    assert (await windows.take("links:1", 3, 5, 60.0)).granted == 3
    clock.now += 30
    assert (await windows.take("links:1", 4, 5, 60.0)).granted == 2  # 5 in the last minute
    assert (await windows.take("links:1", 1, 5, 60.0)).granted == 0
    assert await windows.retry_after("links:1", 5, 60.0) == pytest.approx(30.0)
    clock.now += 30.5  # the first three are a minute old: three come free, not five
    assert (await windows.take("links:1", 5, 5, 60.0)).granted == 3
    assert (await windows.take("links:2", 5, 5, 60.0)).granted == 5  # per key


async def test_on_the_databases_own_clock_a_fresh_key_is_open(database: Database) -> None:
    windows = SharedWindows(database)
    taken = await windows.take("commands:9", 2, 2, 60.0)
    assert taken.granted == 2 and taken.now > 1_700_000_000  # seconds since the epoch
    assert await windows.retry_after("commands:9", 2, 60.0) > 59


async def test_idle_keys_are_swept(database: Database) -> None:
    clock = Clock()
    windows = SharedWindows(database, clock=clock)
    await windows.take("links:old", 1, 5, 60.0)
    clock.now += 3600
    await windows.take("links:new", 1, 5, 60.0)
    assert await windows.purge_idle(idle=600) == 1
    assert (await windows.take("links:new", 5, 5, 60.0)).granted == 4


def _settings(**values: int) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def test_two_processes_throttles_count_one_person_once(database: Database) -> None:
    """The watcher of each process has its own throttle; over one database a person's 4 links
    a minute are 4 in all, and the channel's share a refused link took is given back."""
    settings = _settings(user_links_per_minute=4, channel_links_per_minute=5)
    shared = SharedWindows(database)
    here = LinkThrottle.from_settings(settings, shared=shared)
    there = LinkThrottle.from_settings(settings, shared=shared)
    urls = [f"https://news.example/{n}" for n in range(3)]
    assert len((await here.admit(42, "ch-a", urls)).urls) == 3
    refused = await there.admit(42, "ch-b", urls)
    assert (len(refused.urls), refused.skipped) == (1, 2)
    # ch-b used one of its five; another person still gets four there.
    assert len((await there.admit(7, "ch-b", [*urls, "https://news.example/x"])).urls) == 4


async def test_commands_are_counted_apart_from_links(database: Database) -> None:
    settings = _settings(user_links_per_minute=2)
    shared = SharedWindows(database)
    links = LinkThrottle.from_settings(settings, shared=shared)
    commands = CommandThrottle.from_settings(settings, shared=shared)
    assert len((await links.admit(42, "ch", ["a", "b"])).urls) == 2
    assert await commands.admit(42, 3) == 2
    assert await commands.admit(42, 1) == 0
    assert await commands.retry_after(42) > 0


async def test_a_database_that_cannot_answer_still_limits_in_this_process(
    tmp_path: Path,
) -> None:
    db = await open_database(tmp_path / "gone.sqlite3")
    limit = SharedUserLimit(SharedWindows(db), "links", 3)
    await db.close()
    assert await limit.take(42, 2) == 2
    assert await limit.take(42, 2) == 1
    assert await limit.take(42, 1) == 0
