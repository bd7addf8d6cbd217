"""Issue 15, finding 2: the bot's own connections must not stall each other in a burst.

The old layout gave each store a connection of its own. When one held the file's write lock
across the awaits of its transaction, another store's write waited out its whole busy timeout
and then failed with "database is locked" (cache writes lost, a reply left unarchived), and
the reads queued behind it froze. With one storage owner the bot's writes queue inside the
process, so none of them ever waits on the file lock: these tests run with a busy timeout of
zero, where any such wait fails at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Briefing, Quote
from bot.storage.database import Database, open_database
from bot.storage.modes import Store
from bot.storage.stores import Stores
from config import Settings

GUILD, CHANNEL = 1, 10
LINKS = 200


def settings(path: Path) -> Settings:
    return Settings(_env_file=None, database=path)


def story(n: int) -> Briefing:
    url = f"https://harbourpost.example/story-{n}"
    return Briefing(
        source=url,
        url=url,
        headline=f"Harbour council story {n}",
        site="Harbour Post",
        paragraphs=["The harbour council met on Tuesday to discuss the ferry timetable."] * 5,
        quotes=[Quote("We will keep the night ferry running", "Mira Talvik", 1, 0.8)],
        briefing=["The harbour council met on Tuesday to discuss the ferry timetable."],
    )


async def handle_link(stores: Stores, n: int) -> None:
    """What the bot does with one posted link, store by store."""
    assert await stores.modes.effective_mode(CHANNEL) == "auto"

    async def fetch(url: str) -> Briefing:
        await asyncio.sleep(0)  # the page is fetched while the other links go on
        return story(n)

    briefing = await stores.cache.get_or_fetch(story(n).source, fetch)
    assert await stores.modes.mark_answered(10_000 + n)
    await stores.archive.record_share(
        briefing,
        guild_id=GUILD,
        channel_id=CHANNEL,
        message_id=10_000 + n,
        jump_url=f"https://discord.com/channels/{GUILD}/{CHANNEL}/{10_000 + n}",
        poster_id=7,
        shared_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    )
    if n % 10 == 0:
        await stores.guild_settings.save_llm_used(GUILD, "2026-03-10", n)
        await stores.schedules.mark_run(GUILD, CHANNEL, datetime(2026, 3, 10, 17, 0, tzinfo=UTC))


async def test_a_burst_through_every_store_loses_nothing_with_no_busy_wait(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "newsdesk.sqlite3"
    db = await open_database(path, busy_timeout_ms=0)
    stores = Stores.over(db, settings(path))
    await stores.schedules.set(GUILD, CHANNEL, 18, 0, "Europe/Berlin")
    try:
        with caplog.at_level(logging.WARNING):
            await asyncio.gather(*(handle_link(stores, n) for n in range(LINKS)))
        counts = [
            await db.fetch_one(f"SELECT count(*) FROM {table}")
            for table in ("briefing_cache", "answered_messages", "archive_shares", "archive_fts")
        ]
    finally:
        await stores.close()
    assert counts == [(LINKS,)] * 4
    assert "could not" not in caplog.text  # no cache write or bookkeeping write was lost


async def open_transaction(db: Database, started: asyncio.Event, release: asyncio.Event) -> None:
    """A write transaction held open across awaits, as the archive's used to be."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO channel_modes (channel_id, guild_id, mode) VALUES (5, 1, 'off')"
        )
        started.set()
        await release.wait()


async def test_a_write_waits_its_turn_behind_an_open_transaction_and_reads_go_on(
    tmp_path: Path,
) -> None:
    db = await open_database(tmp_path / "newsdesk.sqlite3", busy_timeout_ms=0)
    store = Store(db)
    started, release = asyncio.Event(), asyncio.Event()
    try:
        holder = asyncio.create_task(open_transaction(db, started, release))
        await started.wait()
        marking = asyncio.create_task(store.mark_answered(42))
        assert await store.effective_mode(5) == "auto"  # reads answer, from the last commit
        assert not marking.done()  # queued in the process, not failing on the file lock
        release.set()
        await holder
        assert await marking is True
        assert await store.was_answered(42)
        assert await store.effective_mode(5) == "off"
    finally:
        await db.close()


async def test_the_old_layout_of_a_connection_per_store_fails_there(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The control: the same moment with the stores on connections of their own (two
    # databases on one file) — the second writer meets the file lock and, with no time to
    # wait, fails. This is what the tests above would catch if the layout came back.
    path = tmp_path / "newsdesk.sqlite3"
    archive_side = await open_database(path, busy_timeout_ms=0)
    store_side = await open_database(path, busy_timeout_ms=0)
    store = Store(store_side)
    started, release = asyncio.Event(), asyncio.Event()
    try:
        holder = asyncio.create_task(open_transaction(archive_side, started, release))
        await started.wait()
        assert await store.mark_answered(42) is False
        release.set()
        await holder
    finally:
        await archive_side.close()
        await store_side.close()
    assert "database is locked" in caplog.text
