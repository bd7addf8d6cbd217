"""Starting and closing the bot: a broken extension or store never takes the rest down, and
what was already posted is archived before the stores close."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.discord_app import client
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


async def test_one_store_failing_to_close_does_not_leave_the_others_open(
    article_server: ArticleServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    try:
        async with running_bot(fake, settings) as bot:
            store_db, guilds = bot.store.db, bot.llm_guilds
            assert guilds is not None
            guilds_close = guilds.close

            async def broken_close() -> None:
                raise RuntimeError("disk went away")

            guilds.close = broken_close  # type: ignore[method-assign]
            await bot.close()
    finally:
        await fake.stop()
        await guilds_close()
    with pytest.raises(ValueError, match=r"closed|no active connection"):
        await store_db.execute("SELECT 1")  # the store was still closed after the failure
    assert "could not close the LLM switch store" in caplog.text


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


async def test_each_store_has_its_own_connection_and_all_close(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    # Archive and digest schedules once shared a connection: a schedule's commit could land in
    # the middle of an archive transaction, or an archive rollback undo a schedule's mark.
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    try:
        async with running_bot(fake, settings) as bot:
            assert bot.llm_guilds is not None
            connections = [
                bot.store.db,
                bot.archive._db,
                bot.schedules._db,
                bot.llm_guilds.db,
            ]
            assert len({id(db) for db in connections}) == len(connections)
            for db in connections:
                assert (await db.execute_fetchall("PRAGMA busy_timeout"))[0][0] == 5000
                assert (await db.execute_fetchall("PRAGMA journal_mode"))[0][0] == "wal"
    finally:
        await fake.stop()
    for db in connections:
        with pytest.raises(ValueError, match=r"closed|no active connection"):
            await db.execute("SELECT 1")


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
