"""Closing the bot mid-reply: what was already posted is archived before the stores close."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

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

            closing = asyncio.ensure_future(bot.close())
            # A bot that closed its stores at once would be done long before this.
            done, _ = await asyncio.wait({closing}, timeout=1.0)
            assert not done, "close() did not wait for the reply that was still archiving"
            gate.set()
            await closing
    finally:
        await fake.stop()

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT message_id FROM archive_shares").fetchall()
    assert [int(row[0]) for row in rows] == [int(posted["id"])]
