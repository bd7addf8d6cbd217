"""The bot and its database: bookkeeping that fails never costs the archive, and the sweep of
expired cache rows runs from the start (issue 15, findings 2 and 6)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.storage.database import open_database
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import FakeDiscord, bot_settings, running_bot
from tests.helpers.memory_watch import ArchiveWatch


async def test_a_failed_answered_mark_still_archives_the_reply(
    article_server: ArticleServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Marking a message answered is written after the reply is posted; when that write fails
    # (here the table refuses every row, as a full disk would) the reply must still be
    # archived: it used to raise and skip the archive (80 replies, 78 archive rows).
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    try:
        async with running_bot(fake, settings) as bot:
            await bot.store.db.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON answered_messages "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
            archived = ArchiveWatch(bot)
            channel = fake.channel()
            posted = await fake.post_message(channel, article_server.page_url("harbour-ferry.html"))
            reply = await fake.wait_for("POST", rf"/channels/{channel}/messages")
            assert reply.json["message_reference"]["message_id"] == int(posted["id"])
            await archived.wait(posted["id"])
            shares = await bot.archive.search(fake.guild_id, "ferry")
            assert [hit.message_id for hit in shares] == [int(posted["id"])]
            assert not await bot.store.was_answered(int(posted["id"]))
    finally:
        await fake.stop()
    assert f"could not mark message {posted['id']} as answered" in caplog.text


async def test_expired_cache_rows_are_swept_when_the_bot_starts(
    article_server: ArticleServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "newsdesk.sqlite3"
    db = await open_database(path)  # a database left by an earlier run
    await db.execute_many(
        "INSERT INTO briefing_cache (key, record, ok, fetched_at) VALUES (?, '{}', ?, ?)",
        [("https://old.example/a", 1, 1_000.0), ("https://old.example/b", 0, 1_000.0)],
    )
    await db.close()
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, path, article_server.port, storage_sweep_minutes=30)
    caplog.set_level(logging.INFO, logger="bot.storage.maintenance")
    try:
        async with running_bot(fake, settings) as bot:
            sweeper = bot._stores.sweeper
            assert sweeper.interval.total_seconds() == 30 * 60
            await asyncio.wait_for(sweeper.swept.wait(), 30)
            rows = await bot.store.db.fetch_all("SELECT key FROM briefing_cache")
    finally:
        await fake.stop()
    assert rows == []
    assert "swept 2 expired cache rows" in caplog.text
