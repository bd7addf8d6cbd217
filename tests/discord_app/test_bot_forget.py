"""`/newsdesk forget` keeps to what the asking member can see (hardening round 2, finding 7).

A member with Manage Messages in #general used to forget an article shared only in an
Editors-only channel, and the answer ("Forgotten … (1 share)") confirmed that the hidden share
existed. The real bot, the fake Discord and the loopback article server; `deskmod` has Manage
Messages where they type the command but is not an Editor, so the hidden channel is not theirs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from bot.discord_app.client import NewsdeskBot
from bot.messages import say
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    MODERATOR_PERMISSIONS,
    FakeDiscord,
    FakeUser,
    bot_settings,
    running_bot,
    snowflake,
)
from tests.helpers.memory_watch import ArchiveWatch

pytestmark = pytest.mark.asyncio(loop_scope="module")

LEVY = "Dunmore approves levy to keep mobile library van on the road"  # the fixture's headline


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot
    hidden: int  # Editors-only: "mod" sees it, "deskmod" does not
    archived: ArchiveWatch

    def serve(self, path: str, headline: str) -> str:
        """The levy fixture page as a distinct article (own canonical URL and headline)."""
        html = (PAGES / "memory-library-levy.html").read_text(encoding="utf-8")
        html = html.replace(
            'rel="canonical" href="https://',
            f'rel="canonical" href="https://{path.strip("/").replace("/", "-")}.',
        )
        html = html.replace(LEVY, headline)
        return self.pages.add(path, html)

    async def share(self, channel: int, link: str, author: str = "alice") -> None:
        posted = await self.fake.post_message(channel, f"worth a read {link}", author=author)
        await self.archived.wait(int(posted["id"]))

    async def forget(self, link: str, user: str) -> dict[str, Any]:
        """Run `/newsdesk forget` in a public channel; returns the private answer's body."""
        url = {"type": 3, "name": "url", "value": link}
        options = [{"type": 1, "name": "forget", "options": [url]}]
        interaction = await self.fake.slash("newsdesk", self.fake.channel(), user, options)
        answer = await self.fake.wait_for("POST", self.fake.callback_path(interaction))
        if answer.json["type"] == 5:  # deferred while archived threads were looked up
            assert answer.json["data"]["flags"] & EPHEMERAL
            followup = await self.fake.wait_for("POST", self.fake.followup_path(interaction))
            body: dict[str, Any] = followup.json
            return body
        data: dict[str, Any] = answer.json["data"]
        return data

    async def shared_in(self, link: str) -> set[int]:
        return await self.bot.archive.share_channels(self.fake.guild_id, link)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord()
    hidden = fake.channel()
    fake.hide_channel(hidden)  # before the bot connects: GUILD_CREATE carries the overwrites
    fake.users["deskmod"] = FakeUser(snowflake(), "deskmod", permissions=MODERATOR_PERMISSIONS)
    await fake.start()
    database = tmp_path_factory.mktemp("forget") / "newsdesk.sqlite3"
    try:
        async with running_bot(fake, bot_settings(fake, database, pages.port)) as bot:
            yield World(fake, pages, bot, hidden, ArchiveWatch(bot))
    finally:
        await fake.stop()
        pages.stop()


async def test_a_share_only_in_a_hidden_channel_is_neither_forgotten_nor_revealed(
    world: World,
) -> None:
    link = world.serve("/secret/quarry", "Quarry sale talks held in private")
    await world.share(world.hidden, link, author="mod")

    answer = await world.forget(link, "deskmod")
    assert answer["flags"] & EPHEMERAL
    assert answer["content"] == say("admin.not_archived", link=link)  # same as never shared
    assert await world.shared_in(link) == {world.hidden}

    answer = await world.forget(link, "mod")  # an Editor sees the channel: theirs to forget
    assert answer["content"] == say("admin.forgotten_one", link=link, count=1)
    assert await world.shared_in(link) == set()


async def test_only_the_visible_shares_are_removed_and_counted(world: World) -> None:
    general = world.fake.channel()
    link = world.serve("/mixed/ferry", "Ferry timetable cut for winter")
    await world.share(general, link)
    await world.share(world.fake.channel(), link, author="bob")
    await world.share(world.hidden, link, author="mod")

    answer = await world.forget(link, "deskmod")
    assert answer["content"] == say("admin.forgotten_many", link=link, count=2)  # not 3
    assert await world.shared_in(link) == {world.hidden}


async def test_a_share_in_an_archived_thread_the_member_can_read_is_forgotten(
    world: World,
) -> None:
    # discord.py forgets a thread once Discord archives it: looked up, as /search does.
    fake = world.fake
    open_thread, editors_thread = snowflake(), snowflake()
    fake.archived_threads[open_thread] = fake.channel()
    fake.archived_threads[editors_thread] = world.hidden
    link = world.serve("/archived/heron", "Heron colony returns to weir")
    await world.share(open_thread, link)
    await world.share(editors_thread, link, author="mod")
    assert world.bot.get_channel(open_thread) is None  # not in discord.py's cache

    answer = await world.forget(link, "deskmod")
    assert answer["flags"] & EPHEMERAL
    assert answer["content"] == say("admin.forgotten_one", link=link, count=1)
    assert await world.shared_in(link) == {editors_thread}
