"""Starting and closing the bot: a broken extension or store never takes the rest down, and
what was already posted is archived before the stores close."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.discord_app import client
from bot.storage.database import StorageError
from bot.storage.sqlite import SQLiteDatabase
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import FakeDiscord, bot_settings, running_bot


async def test_close_waits_for_a_reply_still_archiving(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = FakeDiscord()
    await fake.start()
    database = tmp_path / "newsdesk.sqlite3"
    settings = bot_settings(fake, database, article_server.port)
    try:
        async with running_bot(fake, settings) as bot:
            gate = asyncio.Event()
            record = bot.archive.record_share

            async def held(briefing: Any, **fields: Any) -> None:
                await gate.wait()  # the write is still to come when the bot starts closing
                await record(briefing, **fields)

            bot.archive.record_share = held
            channel = fake.channel()
            posted = await fake.post_message(channel, article_server.page_url("harbour-ferry.html"))
            await fake.wait_for("POST", rf"/channels/{channel}/messages")

            await close_while_held(
                bot, gate, "close() did not wait for the reply that was still archiving"
            )
    finally:
        await fake.stop()

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT message_id FROM archive_shares").fetchall()
    assert [int(row[0]) for row in rows] == [int(posted["id"])]


async def test_one_resource_failing_to_close_does_not_leave_the_others_open(
    article_server: ArticleServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    pipeline_closed = False
    try:
        async with running_bot(fake, settings) as bot:
            database, pipeline = bot.store.db, bot.pipeline
            database_close, pipeline_close = database.close, pipeline.close

            async def broken_close() -> None:
                await database_close()
                raise RuntimeError("disk went away")

            async def watched_close() -> None:
                nonlocal pipeline_closed
                await pipeline_close()
                pipeline_closed = True

            database.close = broken_close  # type: ignore[method-assign]
            pipeline.close = watched_close  # type: ignore[method-assign]
            await bot.close()
    finally:
        await fake.stop()
    assert "could not close the database" in caplog.text
    assert pipeline_closed  # closed after the database failed to
    with pytest.raises(StorageError, match="closed"):
        await database.execute("SELECT 1")


async def test_an_extension_that_fails_to_load_leaves_the_others_working(
    article_server: ArticleServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = client.extension_names()
    monkeypatch.setattr(client, "extension_names", lambda: ["cogs._does_not_exist", *real])
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    try:
        async with running_bot(fake, settings) as bot:
            assert bot.failed_extensions == ["cogs._does_not_exist"]
            channel = fake.channel()
            posted = await fake.post_message(channel, article_server.page_url("harbour-ferry.html"))
            reply = await fake.wait_for("POST", rf"/channels/{channel}/messages")
            assert reply.json["message_reference"]["message_id"] == int(posted["id"])
            assert {c["name"] for c in fake.commands[None]} >= {"brief", "newsdesk", "digest"}
    finally:
        await fake.stop()


async def test_every_store_shares_one_database_and_it_closes(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    # One owner: the stores get the bot's one database (one writer, readers beside it), and
    # closing the bot closes every connection it opened, the sweep included.
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    try:
        async with running_bot(fake, settings) as bot:
            assert bot.llm_guilds is not None
            database = bot.store.db
            assert isinstance(database, SQLiteDatabase)
            owners = [
                bot.archive._db,
                bot.schedules._db,
                bot.llm_guilds.guild_settings.db,
                bot.service.cache._db if bot.service.cache else None,
            ]
            assert all(owner is database for owner in owners)
            connections = [database._writer, *database._readers]
            for connection in connections:
                timeout = await connection.submit(
                    lambda c: c.execute("PRAGMA busy_timeout").fetchone()
                )
                assert timeout == (5000,)
            assert await database.fetch_one("PRAGMA journal_mode") == ("wal",)
    finally:
        await fake.stop()
    for connection in connections:
        with pytest.raises(RuntimeError, match="shutdown"):  # its thread is gone too
            await connection.submit(lambda c: c.execute("SELECT 1"))


async def test_a_reply_still_being_written_when_closing_starts_is_posted(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    # discord.py's close() ends the HTTP session; it used to run before the drain, so a reply
    # whose briefing finished during shutdown could no longer be sent.
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    try:
        async with running_bot(fake, settings) as bot:
            gate, brief_many = asyncio.Event(), bot.service.brief_many

            async def held(*args: Any, **kwargs: Any) -> Any:
                await gate.wait()
                return await brief_many(*args, **kwargs)

            bot.service.brief_many = held  # type: ignore[method-assign]
            channel = fake.channel()
            posted = await fake.post_message(channel, article_server.page_url("harbour-ferry.html"))
            await fake.wait_for("POST", rf"/channels/{channel}/typing")
            await close_while_held(bot, gate, "close() did not wait for the reply under way")
    finally:
        await fake.stop()
    replies = fake.find("POST", rf"/channels/{channel}/messages")
    assert [r.json["message_reference"]["message_id"] for r in replies] == [int(posted["id"])]


async def close_while_held(bot: Any, gate: asyncio.Event, why: str) -> None:
    """Start closing while `gate` holds work under way: close() must wait for it to finish.

    A bot that closed its stores at once would be done long before the bounded wait ends."""
    closing = asyncio.ensure_future(bot.close())
    done, _ = await asyncio.wait({closing}, timeout=1.0)
    assert not done, why
    gate.set()
    await closing
