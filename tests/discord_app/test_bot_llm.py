"""Optional LLM briefings in the bot and the CLI, end to end over loopback sockets.

One fake Discord, one article server, one scripted OpenAI-compatible stub (tests/helpers/
llm_stub.py) and one bot configured with that stub serve the module. Each test posts its own
copy of the budget article (distinct headline and canonical URL), so neither the briefing cache
nor the per-article LLM memory can answer for it, and sets the server's LLM switch it needs.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.discord_app import render
from bot.discord_app.client import NewsdeskBot, point_discord_at
from bot.llm.budget import DailyBudget
from bot.llm.switch import LLMGuildStore, StoredBudgetBriefer
from bot.messages import say
from bot.models import Briefing
from bot.storage.database import Database, open_database
from bot.storage.guild_settings import GuildSettings
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    MODERATOR_PERMISSIONS,
    FakeDiscord,
    FakeUser,
    Recorded,
    bot_settings,
    running_bot,
    snowflake,
)
from tests.helpers.llm_stub import LLMStub
from tests.helpers.paths import REPO

pytestmark = pytest.mark.asyncio(loop_scope="module")

MANAGE_GUILD = 1 << 5  # Discord's "Manage Server" permission bit
BUDGET_PAGE = PAGES / "bot-city-budget.html"
BUDGET_HEADLINE = "Millbrook council passes budget that keeps every branch library open"
EXTRACTIVE_LEDE = "Millbrook's councillors approved a £184m budget on Thursday night"
CHECKED = say("briefing.method", method=say("briefing.llm_method", model="test-model"))
EXTRACTIVE = say("briefing.method", method="extractive")

# Every name, number and word here is in the article, so every bullet passes the checks.
GOOD_BULLETS = [
    "Millbrook's councillors approved a £184m budget that keeps all seven branch libraries open.",
    "Council tax rises by 4.9%, the largest increase the town has seen in a decade.",
    "The plan passed by 31 votes to 22 after a four-hour debate.",
    "The budget draws £6.5m from reserves and cuts bus subsidies for three rural routes from "
    "September.",
]
# A wrong day, an invented quote, an invented person and a wrong number: none may be shown.
INVENTED_BULLETS = [
    "The budget passed by 40 votes to 13 on Friday.",
    'Council leader Farida Okonkwo said "every library in Millbrook will stay open for ever".',
    "Mayor John Smith welcomed the vote.",
    "Council tax rises by 7%, the largest increase in twenty years.",
]


def llm_option(state: str) -> dict[str, Any]:
    return {"type": 1, "name": "llm", "options": [{"type": 3, "name": "state", "value": state}]}


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    stub: LLMStub
    bot: NewsdeskBot
    database: Path

    @property
    def guilds(self) -> LLMGuildStore:
        assert self.bot.llm_guilds is not None
        return self.bot.llm_guilds

    def story(self, number: int) -> str:
        """A distinct copy of the budget article, served at its own path."""
        html = BUDGET_PAGE.read_text(encoding="utf-8")
        html = html.replace(BUDGET_HEADLINE, f"Story {number}: {BUDGET_HEADLINE}")
        html = html.replace("council-budget-libraries-2291", f"llm-story-{number}")
        return self.pages.add(f"/llm/story-{number}", html.encode())

    async def reply_to(self, message: dict[str, Any]) -> Recorded:
        return await self.fake.wait_for(
            "POST",
            rf"/channels/{message['channel_id']}/messages",
            where=lambda r: _reference(r) == message["id"],
        )

    async def llm_command(self, state: str, user: str) -> dict[str, Any]:
        """`/newsdesk llm <state>` by `user`; returns the (immediate) callback's body."""
        interaction = await self.fake.slash(
            "newsdesk", self.fake.channel(), user=user, options=[llm_option(state)]
        )
        return (await self.fake.wait_for("POST", self.fake.callback_path(interaction))).json

    async def post_story(self, number: int) -> dict[str, Any]:
        """Post story `number` in a fresh auto channel; the embed of the bot's reply."""
        posted = await self.fake.post_message(self.fake.channel(), self.story(number))
        reply = await self.reply_to(posted)
        [embed] = reply.json["embeds"]
        return embed


def _reference(request: Recorded) -> str | None:
    reference = (request.json or {}).get("message_reference") or {}
    value = reference.get("message_id")
    return str(value) if value is not None else None


def _bullets(embed: dict[str, Any]) -> list[str]:
    return [line.removeprefix("• ") for line in embed["description"].splitlines()]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    stub = LLMStub()
    await stub.start()
    fake = FakeDiscord()
    # A server admin: Manage Server on top of the moderator's Manage Channels.
    fake.users["owner"] = FakeUser(
        snowflake(), "owner", permissions=MODERATOR_PERMISSIONS | MANAGE_GUILD
    )
    await fake.start()
    database = tmp_path_factory.mktemp("llm-bot") / "newsdesk.sqlite3"
    settings = bot_settings(
        fake,
        database,
        pages.port,
        llm_base_url=stub.base_url,
        llm_model="test-model",
        llm_api_key="sk-test-bot-key",
    )
    try:
        async with running_bot(fake, settings) as bot:
            yield World(fake, pages, stub, bot, database)
    finally:
        await fake.stop()
        await stub.stop()
        pages.stop()


@pytest.fixture(autouse=True)
def _no_leftover_replies(request: pytest.FixtureRequest) -> None:
    """A reply one test scripted but did not use must not answer the next test's request."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world").stub.replies.clear()


# --- the per-server switch ------------------------------------------------------------------


async def test_llm_subcommand_is_registered_with_on_and_off(world: World) -> None:
    newsdesk = next(c for c in world.fake.commands[None] if c["name"] == "newsdesk")
    llm = next(o for o in newsdesk["options"] if o["name"] == "llm")
    [state] = llm["options"]
    assert state["required"] and [c["value"] for c in state["choices"]] == ["on", "off"]


async def test_llm_is_off_until_an_admin_turns_it_on(world: World) -> None:
    other_guild = snowflake()
    assert not await world.guilds.is_enabled(other_guild)
    assert not await world.guilds.is_enabled(None)  # DMs never use the LLM


async def test_an_admin_turns_llm_on_and_a_link_gets_checked_llm_bullets(world: World) -> None:
    await world.guilds.set_enabled(world.fake.guild_id, False)
    answer = await world.llm_command("on", user="owner")
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert "**on**" in answer["data"]["content"] and "test-model" in answer["data"]["content"]
    assert await world.guilds.is_enabled(world.fake.guild_id)

    world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [2]})
    before = len(world.stub.requests)
    embed = await world.post_story(1)

    assert len(world.stub.requests) == before + 1
    assert _bullets(embed) == [render.escape(b) for b in GOOD_BULLETS]
    assert embed["footer"]["text"].endswith(" · " + CHECKED)
    # The quote the model called most important comes first in "Key quotes".
    prompt = world.stub.requests[-1].payload["messages"][1]["content"]
    key = re.search(r'^\[2\] .+?: "(.+)"$', prompt, re.MULTILINE)
    assert key is not None
    first_quote = embed["fields"][0]["value"].splitlines()[0]
    assert first_quote.startswith("“" + render.escape(key.group(1))[:40])
    # The API key went to the operator's backend, in the header only.
    assert world.stub.requests[-1].headers["Authorization"] == "Bearer sk-test-bot-key"


async def test_an_inventing_answer_falls_back_to_the_extractive_briefing(world: World) -> None:
    await world.guilds.set_enabled(world.fake.guild_id, True)
    world.stub.reply_json({"bullets": INVENTED_BULLETS, "key_quotes": [1]})
    before = len(world.stub.requests)
    embed = await world.post_story(2)

    assert len(world.stub.requests) == before + 1  # asked, answered, rejected
    assert embed["footer"]["text"].endswith(" · " + EXTRACTIVE)
    assert embed["description"].startswith("• " + render.escape(EXTRACTIVE_LEDE))
    for invented in ("John Smith", "for ever", "Friday", "twenty"):
        assert invented not in embed["description"]


async def test_switched_off_sends_nothing_to_the_backend(world: World) -> None:
    await world.guilds.set_enabled(world.fake.guild_id, True)
    answer = await world.llm_command("off", user="owner")
    assert "**off**" in answer["data"]["content"]
    assert not await world.guilds.is_enabled(world.fake.guild_id)

    world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})  # would be used if asked
    before = len(world.stub.requests)
    embed = await world.post_story(3)

    assert len(world.stub.requests) == before
    assert embed["footer"]["text"].endswith(" · " + EXTRACTIVE)
    assert embed["description"].startswith("• " + render.escape(EXTRACTIVE_LEDE))


async def test_slash_brief_uses_the_llm_too_and_a_repost_costs_no_second_request(
    world: World,
) -> None:
    fake = world.fake
    await world.guilds.set_enabled(fake.guild_id, True)
    world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    before = len(world.stub.requests)
    url = world.story(8)
    interaction = await fake.slash(
        "brief", fake.channel(), options=[{"type": 3, "name": "url", "value": url}]
    )
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    [embed] = followup.json["embeds"]
    assert embed["footer"]["text"].endswith(" · " + CHECKED)
    assert _bullets(embed) == [render.escape(b) for b in GOOD_BULLETS]

    # The same article posted again: the checked answer is remembered, not asked for again.
    posted = await fake.post_message(fake.channel(), url)
    [again] = (await world.reply_to(posted)).json["embeds"]
    assert again["footer"]["text"].endswith(" · " + CHECKED)
    assert len(world.stub.requests) == before + 1


@pytest.mark.parametrize("user", ["mod", "alice"])
async def test_llm_on_without_manage_server_is_refused(world: World, user: str) -> None:
    await world.guilds.set_enabled(world.fake.guild_id, False)
    answer = await world.llm_command("on", user=user)  # mod has Manage Channels, not Server
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == say("command.need_permission", permission="Manage Server")
    assert not await world.guilds.is_enabled(world.fake.guild_id)


async def test_status_says_whether_llm_briefings_are_on(world: World) -> None:
    fake = world.fake
    for enabled, expected in ((True, "**on** (test-model, checked)"), (False, "**off**")):
        await world.guilds.set_enabled(fake.guild_id, enabled)
        status = await fake.slash(
            "newsdesk", fake.channel(), user="mod", options=[{"type": 1, "name": "status"}]
        )
        content = (await fake.wait_for("POST", fake.callback_path(status))).json["data"]
        assert f"LLM briefings: {expected}" in content["content"]


# --- the daily budget ---------------------------------------------------------------------


async def test_a_spent_budget_gives_the_extractive_briefing_without_a_request(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.guilds.set_enabled(world.fake.guild_id, True)
    llm = world.bot.service.llm
    assert llm is not None
    monkeypatch.setattr(llm.budget, "limit", llm.budget.used(world.fake.guild_id))
    world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    before = len(world.stub.requests)
    embed = await world.post_story(4)

    assert len(world.stub.requests) == before
    assert embed["footer"]["text"].endswith(" · " + EXTRACTIVE)


async def test_switch_and_budget_counts_survive_a_restart(world: World) -> None:
    guild = world.fake.guild_id
    await world.guilds.set_enabled(guild, True)
    world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    embed = await world.post_story(5)
    assert embed["footer"]["text"].endswith(" · " + CHECKED)
    llm = world.bot.service.llm
    assert llm is not None
    used = llm.budget.used(guild)
    assert used >= 1

    # What a restarted bot would read from the same file (WAL: a second reader is fine).
    db = await open_database(world.database)
    try:
        reopened = LLMGuildStore(GuildSettings(db))
        assert await reopened.is_enabled(guild)
        fresh = DailyBudget(limit=10)
        await reopened.load_budget(fresh)
        assert fresh.used(guild) == used
    finally:
        await db.close()


async def test_budget_counts_from_another_day_are_not_restored(sqlite_database: Database) -> None:
    # SQLite only: this module's tests share one event loop, and a PostgreSQL pool belongs to
    # the loop that opened it (the store on both backends: tests/storage/test_guild_settings.py).
    database = sqlite_database
    guilds = LLMGuildStore(GuildSettings(database))
    budget = DailyBudget(limit=5)
    assert budget.try_spend(42) and budget.try_spend(42)
    await guilds.save_budget(budget, 42)
    await database.execute("UPDATE llm_budget SET day = '2020-01-01'")
    fresh = DailyBudget(limit=5)
    await guilds.load_budget(fresh)
    assert fresh.used(42) == 0


async def test_a_storage_failure_never_costs_the_briefing(world: World, tmp_path: Path) -> None:
    db = await open_database(tmp_path / "gone.sqlite3")
    guilds = LLMGuildStore(GuildSettings(db))
    await db.close()  # every read and write now fails
    assert not await guilds.uses_llm(7)  # the switch reads as "off"

    briefer = StoredBudgetBriefer(world.bot.settings, guilds)
    try:
        posted = await world.bot.service.brief(world.story(7))  # the extractive briefing
        world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
        improved = await briefer.improve(posted, guild_id=7)  # the budget cannot be saved
    finally:
        await briefer.aclose()
    assert improved.briefing_method == say("briefing.llm_method", model="test-model")
    assert improved.briefing == GOOD_BULLETS
    assert briefer.budget.used(7) == 1


# --- the footer -------------------------------------------------------------------------------


async def test_footer_names_the_briefing_method() -> None:
    briefing = Briefing(
        source="x", headline="H", paragraphs=["One two three."], briefing=["One two three."]
    )
    minute = say("briefing.reading_time", minutes=1)
    assert render.footer_text(briefing) == f"{minute} · {EXTRACTIVE}"
    briefing.briefing_method = say("briefing.llm_method", model="llama3.1")
    checked = say("briefing.method", method=briefing.briefing_method)
    assert render.footer_text(briefing) == f"{minute} · {checked}"
    briefing.byline = "B " * 2000  # a runaway byline cannot push the label out
    assert render.footer_text(briefing).endswith(f" · {checked}")


# --- no backend configured ------------------------------------------------------------------


async def test_without_a_backend_the_command_says_so_and_briefings_are_extractive(
    world: World, tmp_path: Path
) -> None:
    fake = FakeDiscord()
    fake.users["owner"] = FakeUser(
        snowflake(), "owner", permissions=MODERATOR_PERMISSIONS | MANAGE_GUILD
    )
    await fake.start()
    settings = bot_settings(fake, tmp_path / "plain.sqlite3", world.pages.port)
    assert not settings.llm_enabled
    try:
        async with running_bot(fake, settings) as bot:
            assert bot.service.llm is None
            interaction = await fake.slash(
                "newsdesk", fake.channel(), user="owner", options=[llm_option("on")]
            )
            answer = (await fake.wait_for("POST", fake.callback_path(interaction))).json
            assert answer["data"]["content"] == say("llm.not_configured")
            assert answer["data"]["flags"] & EPHEMERAL

            posted = await fake.post_message(fake.channel(), world.story(6))
            reply = await fake.wait_for(
                "POST",
                rf"/channels/{posted['channel_id']}/messages",
                where=lambda r: _reference(r) == posted["id"],
            )
            assert reply.json["embeds"][0]["footer"]["text"].endswith(" · " + EXTRACTIVE)
    finally:
        await fake.stop()
        point_discord_at(world.bot.settings)  # discord.py's REST base is process-wide


# --- the CLI --------------------------------------------------------------------------------


async def newsdesk_brief(stub: LLMStub, *args: str) -> tuple[int, str, str]:
    """`python -m bot brief ARGS` with the LLM backend configured through the environment.

    Async, so the stub keeps serving in this event loop while the CLI runs.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    env.update(
        {
            "NEWSDESK_LLM_BASE_URL": stub.base_url,
            "NEWSDESK_LLM_MODEL": "test-model",
            "PYTHONPATH": str(REPO),
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "brief",
        *args,
        cwd=Path(__file__).resolve().parent,  # no .env from the repo root leaks in
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_cli_brief_uses_the_configured_backend(world: World) -> None:
    world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    before = len(world.stub.requests)
    status, out, err = await newsdesk_brief(world.stub, "--json", str(BUDGET_PAGE))
    assert status == 0, err
    [line] = [json.loads(x) for x in out.splitlines() if x.strip()]
    assert line["briefing"] == GOOD_BULLETS
    assert len(world.stub.requests) == before + 1


async def test_cli_extractive_flag_never_calls_the_backend(world: World) -> None:
    world.stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    before = len(world.stub.requests)
    status, out, err = await newsdesk_brief(world.stub, "--json", "--extractive", str(BUDGET_PAGE))
    assert status == 0, err
    [line] = [json.loads(x) for x in out.splitlines() if x.strip()]
    assert line["briefing"][0].startswith(EXTRACTIVE_LEDE)
    assert len(world.stub.requests) == before  # the stub got no request
