"""The real bot against a fake Discord: what it posts, asserted on the REST payloads it sends.

One fake Discord, one article server and one bot (with its real pipeline and worker pool) serve
the whole module; every test takes its own channel so modes and replies never mix. "Nothing
happened" is proven without sleeping: after the event that must be ignored, a probe link goes to
an `auto` channel, and the probe's reply can only come after the ignored event was handled.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio

from bot import __version__
from bot.discord_app import render
from bot.discord_app.client import NewsdeskBot
from bot.errors import QueueFull
from bot.messages import say
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    FakeDiscord,
    Recorded,
    bot_settings,
    running_bot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

BUDGET_HEADLINE = "Millbrook council passes budget that keeps every branch library open"
BUDGET_CANONICAL = "https://www.millbrook-ledger.example/news/council-budget-libraries-2291"
NO_PING = {"parse": [], "replied_user": False}
STATUS = {"type": 1, "name": "status"}


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot

    def page(self, name: str) -> str:
        return self.pages.page_url(name)

    async def reply_to(self, message: dict[str, Any], since: int = 0) -> Recorded:
        """The bot's reply (a channel message referencing `message`)."""
        return await self.fake.wait_for(
            "POST",
            rf"/channels/{message['channel_id']}/messages",
            since=since,
            where=lambda r: _reference(r) == message["id"],
        )

    async def probe(self) -> None:
        """Post a link in a fresh auto channel and wait for its reply (see module docstring)."""
        channel = self.fake.channel()
        message = await self.fake.post_message(channel, self.page("bot-city-budget.html"))
        await self.reply_to(message)


def _reference(request: Recorded) -> str | None:
    reference = (request.json or {}).get("message_reference") or {}
    value = reference.get("message_id")
    return str(value) if value is not None else None


def _story(number: int) -> bytes:
    """The budget page under another headline and canonical URL: a distinct article."""
    html = (PAGES / "bot-city-budget.html").read_text(encoding="utf-8")
    html = html.replace(BUDGET_HEADLINE, f"Story {number}: {BUDGET_HEADLINE}")
    html = html.replace("council-budget-libraries-2291", f"story-{number}")
    return html.encode()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord()
    await fake.start()
    database = tmp_path_factory.mktemp("bot") / "data" / "newsdesk.sqlite3"
    settings = bot_settings(fake, database, pages.port)
    try:
        async with running_bot(fake, settings) as bot:
            yield World(fake, pages, bot)
    finally:
        await fake.stop()
        pages.stop()


async def test_identify_asks_only_for_the_intents_the_bot_needs(world: World) -> None:
    identify = next(f for f in world.fake.gateway_frames if f.get("op") == 2)
    guilds, guild_messages, guild_reactions, message_content = 1, 1 << 9, 1 << 10, 1 << 15
    assert identify["d"]["intents"] == guilds | guild_messages | guild_reactions | message_content
    assert world.fake.token not in str(world.bot.settings)  # the token is a SecretStr


async def test_commands_are_registered_with_manage_channels_on_newsdesk(world: World) -> None:
    commands = {c["name"]: c for c in world.fake.commands[None]}
    assert set(commands) == {
        "newsdesk",
        "brief",
        "quotes",
        say("brief.context_menu"),
        "search",
        "digest",
    }
    assert int(commands["newsdesk"]["default_member_permissions"]) == 16  # Manage Channels
    assert {o["name"] for o in commands["newsdesk"]["options"]} == {
        "mode",
        "status",
        "llm",
        "forget",
        "digest-schedule",
    }
    assert commands[say("brief.context_menu")]["type"] == 3
    # Options echoed back in answers are bounded, so an answer never passes 2000 characters.
    subcommands = {o["name"]: o for o in commands["newsdesk"]["options"]}
    bounded = {
        (sub, o["name"]): o.get("max_length")
        for sub in ("forget", "digest-schedule")
        for o in subcommands[sub]["options"]
        if o["type"] == 3
    }
    assert bounded == {
        ("forget", "url"): 1500,
        ("digest-schedule", "time"): 32,
        ("digest-schedule", "timezone"): 64,
    }
    assert world.bot.failed_extensions == []


async def test_a_crash_inside_a_command_is_a_plain_private_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(channel_id: int, parent_id: int | None = None) -> str:
        raise RuntimeError("database is locked (a detail nobody should see)")

    monkeypatch.setattr(world.bot.store, "effective_mode", broken)
    fake, channel = world.fake, world.fake.channel()
    status = await fake.slash("newsdesk", channel, user="mod", options=[STATUS])
    answer = (await _callback(world, status)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == say("command.failed")


async def test_a_link_gets_one_quiet_reply_with_embed_and_delete_button(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    start = fake.mark()
    posted = await fake.post_message(
        channel, f"Big vote tonight {world.page('bot-city-budget.html')}"
    )
    reply = await world.reply_to(posted, start)

    typing = fake.find("POST", rf"/channels/{channel}/typing", since=start)
    assert typing and typing[0].index < reply.index  # typing shown while working
    body = reply.json
    assert body["allowed_mentions"] == NO_PING
    assert body["message_reference"]["message_id"] == int(posted["id"])
    assert len(body["embeds"]) == 1
    embed = body["embeds"][0]
    assert embed["title"] == BUDGET_HEADLINE
    # The page's canonical names another host than the one it was fetched from (loopback):
    # a page's claim about its address is not believed across sites, so the link is the fetch's.
    assert embed["url"] == world.page("bot-city-budget.html")
    assert embed["author"] == {"name": "The Millbrook Ledger"}
    assert embed["description"].startswith("• Millbrook's councillors approved a £184m budget")
    assert all(line.startswith("• ") for line in embed["description"].splitlines())
    assert [f["name"] for f in embed["fields"]] == ["Key quotes"]
    quotes = embed["fields"][0]["value"].splitlines()
    assert 1 <= len(quotes) <= 3 and all(q.startswith("“") for q in quotes)
    assert re.fullmatch(
        r"Helena Marsh · 2026-02-19 · \d+ min read · briefing: extractive",
        embed["footer"]["text"],
    )
    assert embed["thumbnail"] == {
        "url": "https://static.millbrook-ledger.example/img/council-chamber.jpg"
    }
    button = body["components"][0]["components"][0]
    assert button["custom_id"] == f"newsdesk:delete:{fake.user('alice').id}"
    assert button["label"] == "Delete"
    # One reply, nothing else said in the channel.
    assert len(fake.find("POST", rf"/channels/{channel}/messages", since=start)) == 1


async def test_four_links_and_a_suppressed_one_give_three_embeds(world: World) -> None:
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    stories = [pages.add(f"/multi/story-{n}", _story(n)) for n in range(1, 5)]
    hidden = pages.add("/multi/suppressed", _story(9))
    content = f"Today: <{hidden}> and " + " ".join(stories)
    posted = await fake.post_message(channel, content)
    reply = await world.reply_to(posted)

    titles = [e["title"] for e in reply.json["embeds"]]
    assert titles == [f"Story {n}: {BUDGET_HEADLINE}" for n in (1, 2, 3)]
    assert sum(len(str(e)) for e in reply.json["embeds"]) > 0
    assert pages.hits["/multi/suppressed"] == 0
    assert pages.hits["/multi/story-4"] == 0


async def test_a_spoilered_link_is_not_briefed_for_the_channel(world: World) -> None:
    """An embed cannot be hidden behind a spoiler: the link is left alone (not briefed)."""
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    hidden = pages.add("/spoiler/ending", _story(40))
    start = fake.mark()
    await fake.post_message(channel, f"finale spoilers: ||{hidden}||")
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/.*", since=start) == []
    assert fake.find("PUT", rf"/channels/{channel}/.*", since=start) == []
    assert pages.hits["/spoiler/ending"] == 0


SPOOF_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour board {rlo}seod{pdf} approve dredging plan</title>
<meta name="author" content="Nadia Okoro · briefing: gpt-4o-mini, checked"></head>
<body><article><h1>Harbour board {rlo}seod{pdf} approve dredging plan</h1>
<p>The harbour board voted on Wednesday to dredge the inner channel before the summer, ending
a two-year dispute with the fishing cooperative over silt that has grounded three boats.</p>
<p>“We cannot wait for another boat to run aground,” said {rlo}Tomas Brandvik{pdf}, the
board's chair, after the vote.</p>
<p>The work will close the inner channel for nine days in May, the board said.</p>
</article></body></html>""".format(rlo="\u202e", pdf="\u202c")


async def test_a_page_cannot_reverse_text_or_fake_the_briefing_method(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    link = world.pages.add("/spoof/dredging", SPOOF_PAGE)
    posted = await fake.post_message(channel, link)
    embed = (await world.reply_to(posted)).json["embeds"][0]
    shown = embed["title"] + embed["fields"][0]["value"] + embed["footer"]["text"]
    assert not any(ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert embed["title"] == "Harbour board seod approve dredging plan"
    assert embed["fields"][0]["value"].endswith("— Tomas Brandvik")
    assert embed["footer"]["text"].startswith("Nadia Okoro · ")
    assert embed["footer"]["text"].count("briefing:") == 1
    assert embed["footer"]["text"].endswith(" · briefing: extractive")


async def test_bots_webhooks_and_the_bot_itself_are_ignored(world: World) -> None:
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    link = pages.add("/ignored/story", _story(20))
    start = fake.mark()
    await fake.post_message(channel, link, author="newsdesk")
    await fake.post_message(channel, link, author="otherbot")
    await fake.post_webhook_message(channel, link)
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/.*", since=start) == []
    assert pages.hits["/ignored/story"] == 0


async def test_a_failing_link_in_auto_mode_gets_one_warning_reaction_only(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cogs.watch")
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    broken = pages.add("/broken/story", "<h1>Gone</h1>", status=404)
    start = fake.mark()
    posted = await fake.post_message(channel, f"this one {broken}")
    reaction = await fake.wait_for(
        "PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/.+/@me", since=start
    )
    assert "⚠" in reaction.path
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/messages", since=start) == []
    assert len(fake.find("PUT", rf"/channels/{channel}/.*/reactions/.*", since=start)) == 1
    assert f"no briefing for {broken}" in caplog.text  # quiet in the channel, not in the log


async def test_react_mode_marks_links_and_replies_to_a_readers_reaction(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    start = fake.mark()
    posted = await fake.post_message(channel, world.page("bot-city-budget.html"))
    mark = await fake.wait_for(
        "PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/📰/@me", since=start
    )
    assert fake.find("POST", rf"/channels/{channel}/messages", since=start) == []

    # The bot's own 📰 (echoed back by Discord) must not trigger a briefing ...
    await fake.add_reaction(channel, posted["id"], "📰", user="newsdesk")
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/messages", since=mark.index) == []

    # ... a reader's 📰 does, once.
    await fake.add_reaction(channel, posted["id"], "📰", user="bob")
    reply = await world.reply_to(posted, mark.index)
    assert reply.json["embeds"][0]["title"] == BUDGET_HEADLINE
    assert reply.json["allowed_mentions"] == NO_PING
    assert reply.json["components"][0]["components"][0]["custom_id"] == (
        f"newsdesk:delete:{fake.user('alice').id}"  # the poster, not the reader, may delete
    )
    await fake.add_reaction(channel, posted["id"], "📰", user="mod")
    await world.probe()
    assert len(fake.find("POST", rf"/channels/{channel}/messages", since=start)) == 1


async def test_off_mode_stays_silent(world: World) -> None:
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "off")
    link = pages.add("/off/story", _story(30))
    start = fake.mark()
    posted = await fake.post_message(channel, link)
    await fake.add_reaction(channel, posted["id"], "📰", user="bob")
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/.*", since=start) == []
    assert fake.find("PUT", rf"/channels/{channel}/.*", since=start) == []
    assert pages.hits["/off/story"] == 0


def _mode_options(mode: str) -> list[dict[str, Any]]:
    return [{"type": 1, "name": "mode", "options": [{"type": 3, "name": "mode", "value": mode}]}]


async def _callback(world: World, interaction: dict[str, Any]) -> Recorded:
    return await world.fake.wait_for("POST", world.fake.callback_path(interaction))


async def test_newsdesk_mode_needs_manage_channels(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    interaction = await fake.slash("newsdesk", channel, user="alice", options=_mode_options("off"))
    answer = (await _callback(world, interaction)).json
    assert answer["type"] == 4
    assert answer["data"]["flags"] & EPHEMERAL
    assert "Manage Channels" in answer["data"]["content"]
    assert "Traceback" not in answer["data"]["content"]
    assert await world.bot.store.get_mode(channel) == "auto"


async def test_newsdesk_mode_by_a_moderator_changes_the_channel(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    interaction = await fake.slash("newsdesk", channel, user="mod", options=_mode_options("react"))
    answer = (await _callback(world, interaction)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert "**react**" in answer["data"]["content"]
    assert await world.bot.store.get_mode(channel) == "react"

    status = await fake.slash("newsdesk", channel, user="mod", options=[STATUS])
    content = (await _callback(world, status)).json["data"]["content"]
    assert __version__ in content and "**react**" in content


@pytest.mark.parametrize(("user", "changed"), [("mod", True), ("alice", False)])
async def test_newsdesk_mode_for_another_channel(world: World, user: str, changed: bool) -> None:
    fake, here, there = world.fake, world.fake.channel(), world.fake.channel()
    options = _mode_options("off")
    options[0]["options"].append({"type": 7, "name": "channel", "value": str(there)})
    interaction = await fake.slash("newsdesk", here, user=user, options=options, channels=[there])
    answer = (await _callback(world, interaction)).json
    assert answer["data"]["flags"] & EPHEMERAL
    assert await world.bot.store.get_mode(there) == ("off" if changed else "auto")
    assert await world.bot.store.get_mode(here) == "auto"
    if changed:
        assert f"<#{there}> is now **off**" in answer["data"]["content"]
    else:
        assert "Manage Channels" in answer["data"]["content"]


async def test_status_shows_the_default_mode(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    status = await fake.slash("newsdesk", channel, user="mod", options=[STATUS])
    content = (await _callback(world, status)).json["data"]["content"]
    assert "**auto** (the default)" in content


async def test_brief_defers_privately_then_follows_up_with_the_embed(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    url = world.page("bot-city-budget.html")
    interaction = await fake.slash(
        "brief", channel, options=[{"type": 3, "name": "url", "value": url}]
    )
    deferred = await _callback(world, interaction)
    assert deferred.json == {"type": 5, "data": {"flags": EPHEMERAL}}
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    assert followup.index > deferred.index
    assert followup.json["embeds"][0]["title"] == BUDGET_HEADLINE
    assert followup.json["flags"] & EPHEMERAL
    assert fake.find("POST", rf"/channels/{channel}/messages") == []


async def test_brief_public_posts_publicly_but_thinks_and_fails_privately(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    options = [
        {"type": 3, "name": "url", "value": world.page("bot-city-budget.html")},
        {"type": 5, "name": "public", "value": True},
    ]
    interaction = await fake.slash("brief", channel, options=options)
    deferred = await _callback(world, interaction)
    assert deferred.json["type"] == 5
    assert deferred.json["data"]["flags"] & EPHEMERAL  # "thinking…" only for the asker
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    assert followup.json["embeds"][0]["title"] == BUDGET_HEADLINE
    # What Discord shows: the briefing is a public message of its own ...
    [shown] = _bot_messages(fake, channel, with_embeds=True)
    assert not shown["flags"] & EPHEMERAL
    # ... and the private placeholder says where it went.
    [placeholder] = _bot_messages(fake, channel, with_embeds=False)
    assert placeholder["content"] == say("brief.shared")
    assert placeholder["flags"] & EPHEMERAL

    failing = world.pages.add("/gone/public", "<h1>Not here</h1>", status=404)
    other = fake.channel()
    options = [{"type": 3, "name": "url", "value": failing}, options[1]]
    interaction = await fake.slash("brief", other, options=options)
    await fake.wait_for("POST", fake.followup_path(interaction))
    [error] = _bot_messages(fake, other, with_embeds=False)
    assert "404" in error["content"]
    assert error["flags"] & EPHEMERAL  # a failure never lands in the channel


def _bot_messages(fake: FakeDiscord, channel: int, *, with_embeds: bool) -> list[dict[str, Any]]:
    """The messages the bot's interaction answers became in `channel`, as Discord shows them."""
    return [
        m
        for m in fake.messages.values()
        if m.get("webhook_id") and int(m["channel_id"]) == channel
        if bool(m["embeds"]) == with_embeds
    ]


async def test_brief_on_a_failing_url_says_why_in_plain_words(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    missing = world.pages.add("/gone/story", "<h1>Not here</h1>", status=404)
    options = [{"type": 3, "name": "url", "value": missing}]
    interaction = await fake.slash("brief", channel, options=options)
    deferred = await _callback(world, interaction)
    assert deferred.json["data"]["flags"] & EPHEMERAL
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    content = followup.json["content"]
    assert content.startswith(say("failure.of_link", link=missing, reason=""))
    assert "404" in content
    assert "Traceback" not in content and "Error" not in content.split(":", 1)[0]
    assert followup.json["flags"] & EPHEMERAL
    assert not followup.json.get("embeds")


async def test_brief_refuses_text_that_is_not_a_link_without_deferring(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    options = [{"type": 3, "name": "url", "value": "the budget story"}]
    interaction = await fake.slash("brief", channel, options=options)
    answer = (await _callback(world, interaction)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert "web address" in answer["data"]["content"]


async def test_quotes_lists_every_quote_with_its_speaker(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    url = world.page("bot-city-budget.html")
    briefing = await world.bot.pipeline.brief_url(url)
    assert len(briefing.quotes) > 3  # more than the embed's top three
    interaction = await fake.slash(
        "quotes", channel, options=[{"type": 3, "name": "url", "value": url}]
    )
    deferred = await _callback(world, interaction)
    assert deferred.json == {"type": 5, "data": {"flags": EPHEMERAL}}
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    text = "\n".join(e["description"] for e in followup.json["embeds"])
    for number, quote in enumerate(briefing.quotes, start=1):
        assert f"**{number}.** “" in text
        assert render.escape(quote.text)[:30] in text
        if quote.speaker:
            assert f"— {render.escape(quote.speaker)}" in text


async def test_context_menu_briefs_the_links_of_a_message_privately(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "off")
    posted = await fake.post_message(channel, f"read {world.page('bot-city-budget.html')} later")
    interaction = await fake.message_command(say("brief.context_menu"), posted, user="bob")
    deferred = await _callback(world, interaction)
    assert deferred.json == {"type": 5, "data": {"flags": EPHEMERAL}}
    followup = await fake.wait_for("POST", fake.followup_path(interaction))
    assert [e["title"] for e in followup.json["embeds"]] == [BUDGET_HEADLINE]
    assert fake.find("POST", rf"/channels/{channel}/messages") == []


async def test_context_menu_on_a_message_without_links(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "off")
    posted = await fake.post_message(channel, "no links here, just chat")
    interaction = await fake.message_command(say("brief.context_menu"), posted)
    answer = (await _callback(world, interaction)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert "nothing to brief" in answer["data"]["content"]


async def test_article_text_cannot_ping_or_format(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    posted = await fake.post_message(channel, world.page("bot-mentions.html"))
    reply = (await world.reply_to(posted)).json
    assert reply["allowed_mentions"] == NO_PING
    embed = reply["embeds"][0]
    texts = [embed["title"], embed["description"], *(f["value"] for f in embed.get("fields", []))]
    joined = "\n".join(texts)
    assert "@\u200beveryone" in joined  # still readable ...
    for raw in ("@everyone", "<@&123>", "**bold**"):
        assert raw not in joined  # ... but inert
    assert "\\[sign-up link](http://signup.example/join)" in joined  # shown, not a masked link
    assert not re.search(r"(?<!\\)\[sign-up link\]", joined)


async def _auto_reply(world: World, author: str = "alice") -> tuple[dict[str, Any], dict]:
    fake, channel = world.fake, world.fake.channel()
    posted = await fake.post_message(channel, world.page("bot-city-budget.html"), author=author)
    await world.reply_to(posted)
    reply = next(
        m
        for m in fake.messages.values()
        if (m.get("message_reference") or {}).get("message_id") == int(posted["id"])
    )
    return posted, reply


async def test_delete_button_refuses_a_stranger(world: World) -> None:
    fake = world.fake
    _, reply = await _auto_reply(world)
    custom_id = reply["components"][0]["components"][0]["custom_id"]
    click = await fake.click(reply, custom_id, user="bob")
    answer = (await _callback(world, click)).json
    assert answer == {
        "type": 4,
        "data": {"content": say("delete.not_allowed"), "flags": EPHEMERAL},
    } or (
        answer["type"] == 4
        and answer["data"]["content"] == say("delete.not_allowed")
        and answer["data"]["flags"] & EPHEMERAL
    )
    assert fake.find("DELETE", rf"/channels/{reply['channel_id']}/messages/{reply['id']}") == []
    assert int(reply["id"]) in fake.messages


@pytest.mark.parametrize("clicker", ["alice", "mod"])
async def test_delete_button_works_for_the_poster_and_a_moderator(
    world: World, clicker: str
) -> None:
    fake = world.fake
    _, reply = await _auto_reply(world, author="alice")
    custom_id = reply["components"][0]["components"][0]["custom_id"]
    click = await fake.click(reply, custom_id, user=clicker)
    answer = (await _callback(world, click)).json
    assert answer["type"] == 6  # acknowledged without a message
    await fake.wait_for("DELETE", rf"/channels/{reply['channel_id']}/messages/{reply['id']}")
    assert int(reply["id"]) not in fake.messages


async def test_store_lives_in_the_configured_file(world: World) -> None:
    assert world.bot.settings.database.is_file()


async def test_a_thread_follows_its_channel_until_it_has_its_own_mode(world: World) -> None:
    fake, store = world.fake, world.bot.store
    thread, parent = fake.thread_id, fake.thread_parent_id
    await store.set_mode(fake.guild_id, parent, "off")
    start = fake.mark()
    await fake.post_message(thread, world.page("bot-city-budget.html"))
    await world.probe()
    assert fake.find("POST", rf"/channels/{thread}/.*", since=start) == []

    status = await fake.slash("newsdesk", thread, user="mod", options=[STATUS])
    content = (await _callback(world, status)).json["data"]["content"]
    assert f"**off** (from <#{parent}>)" in content

    await store.set_mode(fake.guild_id, thread, "auto")
    posted = await fake.post_message(thread, world.page("bot-city-budget.html"))
    reply = await world.reply_to(posted)
    assert reply.json["embeds"][0]["title"] == BUDGET_HEADLINE


async def test_two_readers_reacting_at_once_get_one_reply(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    posted = await fake.post_message(channel, world.page("bot-city-budget.html"))
    await fake.wait_for("PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/📰/@me")
    await fake.add_reaction(channel, posted["id"], "📰", user="bob")
    await fake.add_reaction(channel, posted["id"], "📰", user="mod")
    await world.reply_to(posted)
    await world.probe()
    assert len(fake.find("POST", rf"/channels/{channel}/messages")) == 1


async def test_status_needs_manage_channels_too(world: World) -> None:
    # Discord hides /newsdesk from members, but a server can unhide it in Integrations.
    fake, channel = world.fake, world.fake.channel()
    status = await fake.slash("newsdesk", channel, user="alice", options=[STATUS])
    answer = (await _callback(world, status)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == say("command.need_permission", permission="Manage Channels")


async def test_a_forum_gets_a_mode_and_its_posts_follow_it(world: World) -> None:
    fake, forum, post = world.fake, world.fake.forum_id, world.fake.forum_post_id
    options = _mode_options("off")
    options[0]["options"].append({"type": 7, "name": "channel", "value": str(forum)})
    here = fake.channel()
    interaction = await fake.slash("newsdesk", here, user="mod", options=options, channels=[forum])
    answer = (await _callback(world, interaction)).json
    assert f"<#{forum}> is now **off**" in answer["data"]["content"]
    assert await world.bot.store.get_mode(forum) == "off"
    start = fake.mark()
    await fake.post_message(post, world.page("bot-city-budget.html"))
    await world.probe()
    assert fake.find("POST", rf"/channels/{post}/.*", since=start) == []


async def test_an_edit_that_adds_a_link_gets_no_briefing(world: World) -> None:
    # Chosen behaviour: only new messages are briefed. An edit (often a typo fix, or the
    # link pasted after the words) gets nothing, so a channel never sees a second reply.
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    link = pages.add("/edited/story", _story(40))
    start = fake.mark()
    posted = await fake.post_message(channel, "story coming in a second")
    await world.probe()  # the post was handled (an edit racing it would be read as the post)
    await fake.edit_message(posted, f"story coming in a second {link}")
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/.*", since=start) == []
    assert pages.hits["/edited/story"] == 0


async def test_react_mode_ignores_a_reaction_from_another_bot(world: World) -> None:
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    link = pages.add("/react-bot/story", _story(41))
    posted = await fake.post_message(channel, link)
    mark = await fake.wait_for("PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/.*")
    await fake.add_reaction(channel, posted["id"], "📰", user="otherbot")
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/messages", since=mark.index) == []
    assert pages.hits["/react-bot/story"] == 0


async def test_a_reaction_while_saturated_gets_an_hourglass_and_can_ask_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    posted = await fake.post_message(channel, world.page("bot-city-budget.html"))
    await fake.wait_for("PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/📰/@me")

    async def saturated(*args: Any, **kwargs: Any) -> Any:
        raise QueueFull()

    with monkeypatch.context() as patch:
        patch.setattr(world.bot.service, "brief_many", saturated)
        start = fake.mark()
        await fake.add_reaction(channel, posted["id"], "📰", user="bob")
        await fake.wait_for(
            "PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/⏳/@me", since=start
        )
    assert fake.find("POST", rf"/channels/{channel}/messages", since=start) == []
    await fake.add_reaction(channel, posted["id"], "📰", user="mod")  # not saturated any more
    reply = await world.reply_to(posted, start)
    assert reply.json["embeds"][0]["title"] == BUDGET_HEADLINE


def _sent_payload(request: Recorded) -> dict[str, Any] | None:
    """The message body of a request that posts or edits a message, else None."""
    body = request.json if isinstance(request.json, dict) else None
    if body is None:
        return None
    if request.method == "POST" and re.fullmatch(r"/channels/\d+/messages", request.path):
        return body
    if request.method == "POST" and request.path.endswith("/callback"):
        return body.get("data") if body.get("type") in (4, 7) else None
    if request.path.startswith("/webhooks/") and request.method in ("POST", "PATCH"):
        return body
    return None


async def test_nothing_the_bot_sent_in_this_module_could_ping(world: World) -> None:
    """Every message posted, answered, followed up or edited so far carries no-mentions."""
    fake, channel = world.fake, world.fake.channel()
    interaction = await fake.slash(
        "brief", channel, options=[{"type": 3, "name": "url", "value": "not a link"}]
    )
    await _callback(world, interaction)
    sent = [(r, p) for r in fake.requests if (p := _sent_payload(r)) is not None]
    kinds = {("callback" if r.path.endswith("callback") else r.path.split("/")[1]) for r, _ in sent}
    assert kinds >= {"channels", "callback", "webhooks"}
    for request, payload in sent:
        assert payload.get("allowed_mentions", {}).get("parse") == [], request
        assert not payload["allowed_mentions"].get("replied_user"), request


async def test_a_post_deleted_while_being_briefed_gets_no_orphan_reply(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cogs.watch")
    fake, pages, channel = world.fake, world.pages, world.fake.channel()
    link = pages.add("/deleted/story", _story(42))
    gate, brief_many = asyncio.Event(), world.bot.service.brief_many

    async def held(*args: Any, **kwargs: Any) -> Any:
        await gate.wait()
        return await brief_many(*args, **kwargs)

    monkeypatch.setattr(world.bot.service, "brief_many", held)
    start = fake.mark()
    posted = await fake.post_message(channel, link)
    await fake.wait_for("POST", rf"/channels/{channel}/typing", since=start)
    await fake.delete_message(posted)
    gate.set()
    refused = await fake.wait_for("POST", rf"/channels/{channel}/messages", since=start)
    assert _reference(refused) == posted["id"]  # tried once, as a reply, and Discord said no
    monkeypatch.undo()
    await world.probe()
    assert int(posted["id"]) not in fake.messages
    assert len(fake.find("POST", rf"/channels/{channel}/messages", since=start)) == 1
    assert (
        await world.bot.archive.shares_in_channel(fake.guild_id, channel, _long_ago(), _far_ahead())
        == []
    )
    assert f"could not reply to message {posted['id']}" in caplog.text


def _long_ago() -> Any:
    return datetime(2000, 1, 1, tzinfo=UTC)


def _far_ahead() -> Any:
    return datetime(2100, 1, 1, tzinfo=UTC)


async def test_a_crash_while_watching_is_logged_and_the_bot_goes_on(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake, channel = world.fake, world.fake.channel()
    crashed = asyncio.Event()

    async def broken(channel_id: int, parent_id: int | None = None) -> str:
        crashed.set()
        raise RuntimeError("disk I/O error")

    with monkeypatch.context() as patch:
        patch.setattr(world.bot.store, "effective_mode", broken)
        start = fake.mark()
        await fake.post_message(channel, world.page("bot-city-budget.html"))
        await asyncio.wait_for(crashed.wait(), 30)
    await world.probe()  # still answering
    assert fake.find("POST", rf"/channels/{channel}/.*", since=start) == []
    assert "Ignoring exception in on_message" in caplog.text
    assert "disk I/O error" in caplog.text
