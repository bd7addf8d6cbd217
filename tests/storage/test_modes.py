"""Channel modes and answered messages: defaults, updates, persistence, bookkeeping failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.database import Database, open_database
from bot.storage.modes import Store
from tests.helpers.storage import refuse_inserts


async def test_unset_channels_get_the_default_mode(database: Database) -> None:
    store = Store(database, default_mode="react")
    assert await store.get_mode(1) == "react"
    assert not await store.is_set(1)


async def test_set_mode_overrides_and_updates(database: Database) -> None:
    store = Store(database)
    await store.set_mode(10, 1, "off")
    await store.set_mode(10, 2, "react")
    assert await store.get_mode(1) == "off"
    assert await store.get_mode(2) == "react"
    assert await store.get_mode(3) == "auto"
    await store.set_mode(10, 1, "auto")
    assert await store.get_mode(1) == "auto"
    assert await store.is_set(1)


async def test_unknown_modes_are_refused(database: Database) -> None:
    store = Store(database)
    with pytest.raises(ValueError, match="unknown mode"):
        await store.set_mode(10, 1, "loud")
    assert not await store.is_set(1)
    with pytest.raises(ValueError):
        Store(database, default_mode="loud")


async def test_modes_survive_reopening(database_target: Path | str) -> None:
    path = database_target
    first = await open_database(path)
    await Store(first).set_mode(10, 1, "off")
    await first.close()
    second = await open_database(path)
    try:
        assert await Store(second).get_mode(1) == "off"
    finally:
        await second.close()


async def test_effective_mode_prefers_own_then_parent_then_default(database: Database) -> None:
    store = Store(database, default_mode="auto")
    assert await store.effective_mode(5, parent_id=1) == "auto"
    await store.set_mode(10, 1, "off")
    assert await store.effective_mode(5, parent_id=1) == "off"
    assert await store.effective_mode(5) == "auto"
    await store.set_mode(10, 5, "react")
    assert await store.effective_mode(5, parent_id=1) == "react"


async def test_answered_messages_are_remembered_once(database: Database) -> None:
    store = Store(database)
    assert not await store.was_answered(77)
    assert await store.mark_answered(77)
    assert await store.mark_answered(77)  # a second mark is not an error
    assert await store.was_answered(77)
    rows = await database.fetch_all("SELECT message_id FROM answered_messages")
    assert rows == [(77,)]


async def test_a_failed_answered_mark_is_logged_not_raised(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # The reply is already posted when the mark is written: a failure here must not stop
    # what follows (archiving the reply).
    await refuse_inserts(database, "answered_messages", "disk is full")
    store = Store(database)
    assert await store.mark_answered(78) is False
    assert not await store.was_answered(78)
    assert "could not mark message 78 as answered: disk is full" in caplog.text


async def test_old_answered_marks_are_forgotten_by_the_sweep(database: Database) -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    clock = [now - timedelta(days=31)]
    store = Store(database, clock=lambda: clock[0])
    await store.mark_answered(1)
    clock[0] = now - timedelta(days=29)
    await store.mark_answered(2)
    clock[0] = now
    assert await store.forget_answered(timedelta(days=30)) == 1
    assert not await store.was_answered(1)
    assert await store.was_answered(2)
