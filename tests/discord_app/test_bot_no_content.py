"""Without the Message Content intent: the bot starts, says so once, and keeps what needs no
message text (commands, the message menu, mentions), while auto and react say why they idle.

The fake Discord plays an application whose Message Content switch is off: its flags say so,
an IDENTIFY asking for the intent would be closed with 4014, and messages reach the bot with
empty text unless they mention it (as Discord documents).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from bot.discord_app.client import NewsdeskBot
from bot.messages import say
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    INTENT_MESSAGE_CONTENT,
    FakeDiscord,
    Recorded,
    bot_settings,
    running_bot,
)
from tests.helpers.memory_watch import ArchiveWatch

pytestmark = pytest.mark.asyncio(loop_scope="module")

BUDGET_HEADLINE = "Millbrook council passes budget that keeps every branch library open"
STATUS = [{"type": 1, "name": "status"}]


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot
    log: Lines

    def page(self, name: str = "bot-city-budget.html") -> str:
        return self.pages.page_url(name)

    def replies_to(self, message: dict[str, Any]) -> list[Recorded]:
        return self.fake.find(
            "POST",
            rf"/channels/{message['channel_id']}/messages",
            where=lambda r: (
                str(((r.json or {}).get("message_reference") or {}).get("message_id"))
                == message["id"]
            ),
        )

    async def reply_to(self, message: dict[str, Any]) -> Recorded:
        await self.fake.wait_until(lambda: self.replies_to(message))
        return self.replies_to(message)[0]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord()
    fake.message_content_allowed = False
    await fake.start()
    lines = Lines()
    logging.getLogger("bot.discord_app.client").addHandler(lines)
    settings = bot_settings(fake, tmp_path_factory.mktemp("bot") / "db.sqlite3", pages.port)
    try:
        async with running_bot(fake, settings) as bot:
            yield World(fake, pages, bot, lines)
    finally:
        logging.getLogger("bot.discord_app.client").removeHandler(lines)
        await fake.stop()
        pages.stop()


async def test_it_starts_without_the_intent_and_says_so_once(world: World) -> None:
    assert world.fake.identify_intents() == [world.fake.identify_intents()[0]]
    assert not world.fake.identify_intents()[0] & INTENT_MESSAGE_CONTENT
    assert not world.bot.reads_message_content
    assert world.log.messages.count(say("run.message_content_missing")) == 1


async def test_brief_works(world: World) -> None:
    fake = world.fake
    options = [{"type": 3, "name": "url", "value": world.page()}]
    interaction = await fake.slash("brief", fake.channel(), options=options)
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    assert followup.json["embeds"][0]["title"] == BUDGET_HEADLINE


async def test_a_posted_link_gets_nothing_but_a_mention_gets_an_answer(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()  # auto, the default
    plain = await fake.post_message(channel, f"tonight: {world.page()}")
    asked = await fake.mention_bot(channel, f"what is this? {world.page()}")
    reply = (await world.reply_to(asked)).json
    assert reply["embeds"][0]["title"] == BUDGET_HEADLINE
    assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}
    # The plain message came first on the same connection, and arrived without its text.
    assert world.replies_to(plain) == []
    assert not fake.find("PUT", rf"/channels/{channel}/messages/{plain['id']}/reactions/.*")
    seen = next(d for d in fake.delivered if d.data.get("id") == plain["id"])
    assert seen.data["content"] == ""


async def test_a_mention_in_a_react_channel_is_answered_at_once(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    asked = await fake.mention_bot(channel, world.page())
    reply = (await world.reply_to(asked)).json
    assert reply["embeds"][0]["title"] == BUDGET_HEADLINE
    assert not fake.find("PUT", rf"/channels/{channel}/messages/{asked['id']}/reactions/.*")


@pytest.mark.parametrize("mode", ["auto", "react"])
async def test_status_says_why_auto_and_react_are_idle(world: World, mode: str) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, mode)
    interaction = await fake.slash("newsdesk", channel, user="mod", options=STATUS)
    answer = (await fake.wait_for("POST", fake.callback_path(interaction))).json
    assert answer["data"]["flags"] & EPHEMERAL
    assert f"**{mode}**" in answer["data"]["content"]
    assert say("admin.mode.idle") in answer["data"]["content"]


async def test_status_of_an_off_channel_is_unchanged(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "off")
    interaction = await fake.slash("newsdesk", channel, user="mod", options=STATUS)
    answer = (await fake.wait_for("POST", fake.callback_path(interaction))).json
    assert say("admin.mode.off") in answer["data"]["content"]
    assert say("admin.mode.idle") not in answer["data"]["content"]


async def test_brief_this_message_reads_the_message_it_is_used_on(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    posted = await fake.post_message(channel, f"read {world.page()} later")
    interaction = await fake.message_command(say("brief.context_menu"), posted, user="bob")
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    assert [e["title"] for e in followup.json["embeds"]] == [BUDGET_HEADLINE]


async def test_search_and_digest_find_what_mentions_shared(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    archived = ArchiveWatch(world.bot)
    asked = await fake.mention_bot(channel, world.page())
    await archived.wait(asked["id"])
    query = [{"type": 3, "name": "query", "value": "branch library budget"}]
    search = await fake.slash("search", channel, options=query)
    found = (await fake.wait_for("POST", fake.callback_path(search))).json
    assert f"<#{channel}>" in str(found["data"]["embeds"])
    digest = await fake.slash("digest", channel, user="bob")
    body = (await fake.wait_for("POST", fake.followup_path(digest))).json
    assert BUDGET_HEADLINE in str(body["embeds"])
