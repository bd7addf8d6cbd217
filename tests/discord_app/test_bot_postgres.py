"""The real bot on PostgreSQL, end to end: a posted link is answered and archived, `/search`
finds it with its jump link, and after a restart the link is neither answered twice nor lost."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.messages import say
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import EPHEMERAL, FakeDiscord, bot_settings, running_bot
from tests.helpers.memory_watch import ArchiveWatch
from tests.helpers.postgres import needs_postgres

pytestmark = needs_postgres
HEADLINE = "Harbour ferry service to resume after six-month suspension"


def _query(text: str) -> list[dict[str, Any]]:
    return [{"type": 3, "name": "query", "value": text}]


async def test_a_link_is_answered_archived_and_found_on_postgresql(
    article_server: ArticleServer, postgres_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "never-in-the-log"  # the test server trusts every login, so any password works
    dsn = postgres_dsn.replace("postgres@", f"postgres:{password}@")
    fake = FakeDiscord()
    await fake.start()
    settings = bot_settings(fake, dsn, article_server.port, database_pool_size=4)
    channel = fake.channel()
    link = article_server.page_url("harbour-ferry.html")
    try:
        async with running_bot(fake, settings) as bot:
            assert bot._stores is not None and bot._stores.database.dialect == "postgresql"
            archived = ArchiveWatch(bot)
            posted = await fake.post_message(channel, f"worth a read {link}")
            reply = await fake.wait_for("POST", rf"/channels/{channel}/messages")
            assert reply.json["message_reference"]["message_id"] == int(posted["id"])
            assert reply.json["embeds"][0]["title"] == HEADLINE
            await archived.wait(posted["id"])

            interaction = await fake.slash("search", channel, options=_query("ferry"))
            answer = (await fake.wait_for("POST", fake.callback_path(interaction))).json
            assert answer["data"]["flags"] & EPHEMERAL
            found = answer["data"]["embeds"][0]["description"]
            jump = f"https://discord.com/channels/{fake.guild_id}/{channel}/{posted['id']}"
            assert HEADLINE in found and f"({jump})" in found
            assert "**" in found  # the snippet marks the matched word

        # A restart: the archive and the answered mark are in PostgreSQL, not in the process.
        async with running_bot(fake, settings) as bot:
            assert await bot.store.was_answered(int(posted["id"]))
            again = await fake.slash("search", channel, options=_query("suspension"))
            answer = (await fake.wait_for("POST", fake.callback_path(again))).json
            assert HEADLINE in answer["data"]["embeds"][0]["description"]
            nothing = await fake.slash("search", channel, options=_query("zeppelin"))
            answer = (await fake.wait_for("POST", fake.callback_path(nothing))).json
            assert not answer["data"].get("embeds")
            assert answer["data"]["content"] == say("search.no_results", query="zeppelin")
    finally:
        await fake.stop()
    replies = fake.find("POST", rf"/channels/{channel}/messages")
    assert len(replies) == 1  # answered once, across the restart
    assert password not in caplog.text
