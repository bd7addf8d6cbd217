"""The real bot against hostile pages, a flaky Discord and busy channels.

Every case checks two things: the fault is handled the way a newsroom wants (quietly in auto
mode, in plain words when asked with /brief) *and* the bot still briefs the next good link, so
no fault leaves a stuck worker, a dead task or a poisoned cache behind.

One fake Discord, one loopback article server and one bot (one worker process, small timeouts)
serve the module. Every test takes fresh channels and fresh people, so the rate limits of one
test never touch another. "Nothing else happened" is proven without sleeping, as in
`test_bot_e2e`: a later event is handled after the earlier ones were admitted or skipped.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import pytest_asyncio

from bot.discord_app.client import NewsdeskBot
from bot.messages import say
from bot.runtime.analysis import WARM_UP_HTML, analyse_html, warm_up
from bot.runtime.pipeline import Pipeline
from bot.runtime.throttle import HOURGLASS
from bot.runtime.workers import WorkerPool
from config import Settings
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    FakeDiscord,
    FakeUser,
    Recorded,
    bot_settings,
    running_bot,
    snowflake,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

NO_PING = {"parse": [], "replied_user": False}
USER_LIMIT = 5  # links per user per minute in this module
CHANNEL_LIMIT = 12  # links per channel per minute in this module
MAX_LINKS = 3
EXTRACT_TIMEOUT = 2.0
FETCH_DEADLINE = 1.5
_stories = itertools.count(1)


def story_html(number: int) -> str:
    """A short, distinct transport story (written for these tests) with two attributed quotes."""
    headline = f"Story {number}: Riverside tram extension wins final approval"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{headline} | The Eastvale Courier</title>
<meta property="og:title" content="{headline}">
<meta property="og:site_name" content="The Eastvale Courier">
<link rel="canonical" href="https://courier.example/transport/tram-extension-{number}">
</head><body><nav><a href="/">Home</a> <a href="/transport">Transport</a></nav>
<article><h1>{headline}</h1>
<p class="byline">By Priya Nandakumar</p>
<p>Eastvale's transport board approved a 4.2-kilometre extension of the Riverside tram line
on Wednesday, ending six years of argument over the route.</p>
<p>The line will add five stops between the hospital and the new housing at Millfield, with
trams every eight minutes at peak times.</p>
<p>“This is the link the east side has been waiting for,” said board chair Tomasz Wren after
the vote.</p>
<p>Construction is due to start next spring and take about three years, the board said.</p>
<p>Residents near the depot raised concerns about night-time noise. “We were promised quiet
trams and we will hold them to it,” said Gloria Fenn, who chairs the Millfield residents'
group.</p>
<p>The board said the budget of £310m includes noise barriers along the depot wall.</p>
</article><footer>© The Eastvale Courier</footer></body></html>"""


def headline_of(number: int) -> str:
    return f"Story {number}: Riverside tram extension wins final approval"


def slow_html(paragraphs: int = 50_000) -> str:
    """A 4 MB page of short quoted paragraphs: analysing it takes many seconds on any machine.

    Honest slowness (real extraction work), not a patched sleep: seconds of CPU, far beyond
    this module's `extract_timeout`, while every normal page takes a few milliseconds.
    """
    body = "".join(
        f"<p>Item {i}: the committee met again and “voted once more,” said clerk Ann Lee.</p>"
        for i in range(paragraphs)
    )
    return f"<html><head><title>Minutes</title></head><body><article>{body}</article></body></html>"


class BusyGuild(FakeDiscord):
    """The fake guild with more channels: every case and every probe takes fresh ones."""

    CHANNELS = 160


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot
    release: threading.Event = field(default_factory=threading.Event)

    def person(self) -> str:
        """A new member of the guild, so no earlier test's rate limit applies to them."""
        name = f"reporter-{snowflake()}"
        self.fake.users[name] = FakeUser(snowflake(), name)
        return name

    def story(self, prefix: str = "/story") -> tuple[str, int]:
        """A new article page (so the next fetch and analysis are real, not cached)."""
        number = next(_stories)
        return self.pages.add(f"{prefix}/{number}", story_html(number)), number

    async def reply_to(self, message: dict[str, Any], since: int = 0) -> Recorded:
        return await self.fake.wait_for(
            "POST",
            rf"/channels/{message['channel_id']}/messages",
            since=since,
            where=lambda r: _reference(r) == message["id"] and r.json.get("embeds") is not None,
        )

    def replies_in(self, channel: int, since: int = 0) -> list[Recorded]:
        return self.fake.find("POST", rf"/channels/{channel}/messages", since=since)

    async def next_link_works(self) -> None:
        """A new page posted by a new person in a new auto channel gets its briefing."""
        url, number = self.story("/next")
        posted = await self.fake.post_message(self.fake.channel(), url, author=self.person())
        reply = await self.reply_to(posted)
        assert [e["title"] for e in reply.json["embeds"]] == [headline_of(number)]

    async def brief(self, url: str, user: str | None = None) -> tuple[dict[str, Any], Recorded]:
        """Run /brief on `url`; returns the interaction and the bot's first answer to it."""
        interaction = await self.fake.slash(
            "brief",
            self.fake.channel(),
            user=user or self.person(),
            options=[{"type": 3, "name": "url", "value": url}],
        )
        callback = await self.fake.wait_for("POST", self.fake.callback_path(interaction))
        return interaction, callback

    async def brief_words(self, url: str) -> str:
        """What /brief says about `url` when it cannot brief it (a private followup)."""
        interaction, deferred = await self.brief(url)
        assert deferred.json["type"] == 5 and deferred.json["data"]["flags"] & EPHEMERAL
        followup = await self.fake.wait_for("POST", self.fake.followup_path(interaction))
        assert followup.json["flags"] & EPHEMERAL
        assert not followup.json.get("embeds")
        content: str = followup.json["content"]
        assert content.startswith(say("failure.of_link", link=url, reason=""))
        assert "Traceback" not in content and "Exception" not in content
        return content


def _reference(request: Recorded) -> str | None:
    reference = (request.json or {}).get("message_reference") or {}
    value = reference.get("message_id")
    return str(value) if value is not None else None


def _reactions(world: World, channel: int, emoji: str, since: int = 0) -> list[Recorded]:
    return world.fake.find(
        "PUT", rf"/channels/{channel}/messages/\d+/reactions/{re.escape(emoji)}/@me", since=since
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    fake = BusyGuild()
    await fake.start()
    database = tmp_path_factory.mktemp("faults") / "newsdesk.sqlite3"
    settings = bot_settings(
        fake,
        database,
        pages.port,
        allowed_networks=["127.0.0.1/32"],
        fetch_deadline=FETCH_DEADLINE,
        extract_timeout=EXTRACT_TIMEOUT,
        user_links_per_minute=USER_LIMIT,
        channel_links_per_minute=CHANNEL_LIMIT,
        max_links_per_message=MAX_LINKS,
    )
    world: World | None = None
    try:
        async with running_bot(fake, settings) as bot:
            world = World(fake, pages, bot)
            yield world
    finally:
        if world is not None:
            world.release.set()  # let the hanging handlers of the loopback server finish
        await fake.stop()
        pages.stop()


# --- pages that fail -----------------------------------------------------------------------


async def test_a_page_that_never_answers_gets_a_quiet_warning(world: World) -> None:
    def hang(handler: BaseHTTPRequestHandler) -> None:
        world.release.wait(60)  # accepts the connection, never sends a byte

    url = world.pages.add_handler("/hang/story", hang)
    fake, channel = world.fake, world.fake.channel()
    start = fake.mark()
    posted = await fake.post_message(channel, f"anyone read this? {url}", author=world.person())
    reaction = await fake.wait_for(
        "PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/.+/@me", since=start
    )
    assert "⚠" in reaction.path
    await world.next_link_works()
    assert world.replies_in(channel, start) == []  # not a word in the channel
    assert world.pages.hits["/hang/story"] == 1


async def test_a_page_too_slow_to_analyse_times_out_and_its_worker_is_replaced(
    world: World,
) -> None:
    pool = world.bot.pipeline.pool
    assert pool is not None
    before = pool.pids
    url = world.pages.add("/slow/minutes", slow_html())
    content = await world.brief_words(url)
    assert content.endswith(say("pipeline.timeout"))
    await world.next_link_works()  # served by the replacement worker
    assert pool.alive_workers == 1
    assert set(pool.pids).isdisjoint(before)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (403, "Forbidden"),
        (404, "Not Found"),
        (410, "Gone"),
        (429, "Too Many Requests"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
    ],
)
async def test_http_errors_via_brief_are_plain_words(world: World, status: int, words: str) -> None:
    url = world.pages.add(f"/status/{status}", "<h1>Nope</h1>", status=status)
    content = await world.brief_words(url)
    assert content.endswith(say("fetch.status", status=status, phrase=words))
    await world.next_link_works()


@pytest.mark.parametrize("content_type", ["application/pdf", "application/octet-stream"])
async def test_a_pdf_via_brief_is_plain_words(world: World, content_type: str) -> None:
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 2000 + b"\n%%EOF\n"
    path = f"/files/report-{content_type.split(';')[0].replace('/', '-')}.pdf"
    url = world.pages.add(path, pdf, Content_Type=content_type)
    content = await world.brief_words(url)
    assert content.endswith(say("fetch.not_html", what=say("filetype.pdf")))
    await world.next_link_works()


@pytest.mark.parametrize("target", ["127.0.0.2:{port}/inside", "169.254.169.254/latest/meta-data/"])
async def test_a_redirect_to_a_private_address_is_blocked(world: World, target: str) -> None:
    location = "http://" + target.format(port=world.pages.port)
    path = f"/redirect/{target.split('.')[0]}"
    url = world.pages.add_redirect(path, location)
    content = await world.brief_words(url)
    assert content.endswith(say("link.private_address"))
    assert world.pages.hits[path] == 1  # the first hop was allowed, the second never made
    await world.next_link_works()


# --- messages that are too much ------------------------------------------------------------


async def test_forty_links_in_one_message_brief_only_the_first_few(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    links = [world.story("/forty")[0] for _ in range(40)]
    posted = await fake.post_message(channel, " ".join(links), author=world.person())
    reply = await world.reply_to(posted)
    assert len(reply.json["embeds"]) == MAX_LINKS
    await world.next_link_works()
    fetched = sum(n for path, n in world.pages.hits.items() if path.startswith("/forty/"))
    assert fetched == MAX_LINKS
    assert len(world.replies_in(channel)) == 1


async def test_one_link_posted_by_twenty_people_at_once_is_fetched_once(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    url, number = world.story("/breaking")
    path = url.split(str(world.pages.port), 1)[1]
    people = [world.person() for _ in range(20)]
    start = fake.mark()
    posted = [await fake.post_message(channel, url, author=who) for who in people]
    await fake.wait_until(lambda: len(world.replies_in(channel, start)) >= CHANNEL_LIMIT)
    await fake.wait_until(lambda: len(_reactions(world, channel, HOURGLASS, start)) >= 1)
    await world.next_link_works()

    replies = world.replies_in(channel, start)
    assert len(replies) == CHANNEL_LIMIT  # the channel limit, not one reply per person
    assert all(r.json["embeds"][0]["title"] == headline_of(number) for r in replies)
    assert {_reference(r) for r in replies} <= {m["id"] for m in posted}
    assert all(r.json["allowed_mentions"] == NO_PING for r in replies)
    assert len(_reactions(world, channel, HOURGLASS, start)) == 1  # one notice, not eight
    assert _reactions(world, channel, "⚠️", start) == []
    assert world.pages.hits[path] == 1  # one fetch shared by everyone


async def test_a_person_over_the_limit_gets_the_allowed_links_and_one_notice(
    world: World,
) -> None:
    fake, channel, who = world.fake, world.fake.channel(), world.person()
    start = fake.mark()
    links = [world.story("/eager")[0] for _ in range(8)]
    posted = [
        await fake.post_message(channel, f"{links[i]} and {links[i + 1]}", author=who)
        for i in range(0, 8, 2)
    ]

    def embeds() -> int:
        return sum(len(r.json.get("embeds") or []) for r in world.replies_in(channel, start))

    await fake.wait_until(lambda: embeds() >= USER_LIMIT)
    await world.next_link_works()  # every message above was admitted or skipped before this
    assert embeds() == USER_LIMIT
    notices = _reactions(world, channel, HOURGLASS, start)
    assert len(notices) == 1
    assert any(str(m["id"]) in notices[0].path for m in posted[1:])
    fetched = sum(n for path, n in world.pages.hits.items() if path.startswith("/eager/"))
    assert fetched == USER_LIMIT
    assert all(r.json.get("embeds") for r in world.replies_in(channel, start))  # no chat text


async def test_in_react_mode_the_reader_asking_is_the_one_limited(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    poster, reader = world.person(), world.person()
    start = fake.mark()
    links = [world.story("/react")[0] for _ in range(6)]
    posted = []
    for i in range(0, 6, 2):
        message = await fake.post_message(channel, f"{links[i]} {links[i + 1]}", author=poster)
        await fake.wait_for(
            "PUT", rf"/channels/{channel}/messages/{message['id']}/reactions/📰/@me", since=start
        )
        posted.append(message)
    for message in posted:
        await fake.add_reaction(channel, message["id"], "📰", user=reader)

    def embeds() -> int:
        return sum(len(r.json.get("embeds") or []) for r in world.replies_in(channel, start))

    await fake.wait_until(lambda: embeds() >= USER_LIMIT)
    await world.next_link_works()
    assert embeds() == USER_LIMIT  # the reader's five, although the poster asked for nothing
    assert len(_reactions(world, channel, HOURGLASS, start)) == 1


async def test_slash_commands_have_a_per_person_limit_in_plain_words(world: World) -> None:
    url, number = world.story("/asked")
    who = world.person()
    for _ in range(USER_LIMIT):
        interaction, deferred = await world.brief(url, user=who)
        assert deferred.json["type"] == 5
        followup = await world.fake.wait_for("POST", world.fake.followup_path(interaction))
        assert followup.json["embeds"][0]["title"] == headline_of(number)
    _, refused = await world.brief(url, user=who)
    answer = refused.json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    waits = [say("throttle.try_again_one", wait=1)]
    waits += [say("throttle.try_again_many", wait=n) for n in range(2, 61)]
    assert answer["data"]["content"] in waits
    _, other = await world.brief(url)  # someone else is not held back
    assert other.json["type"] == 5
    assert world.pages.hits[url.split(str(world.pages.port), 1)[1]] == 1  # cached after one


# --- article text that tries to ping or format ---------------------------------------------


MENTIONS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>@everyone **Late** council session moved to Thursday</title>
<meta property="og:site_name" content="The Harbourside Post"></head><body><article>
<h1>@everyone **Late** council session moved to Thursday</h1>
<p>The harbour council moved its late session to Thursday, @here and for all residents,
after the chamber's heating failed on Monday night.</p>
<p>Councillor <@123456789012345678> asked the clerk to notify <@&234567890123456789> and the
planning group in <#345678901234567890> before the vote on the marina lease.</p>
<p>“Everyone who signed the petition deserves a __proper__ hearing,” said organiser Mel Ortiz,
whose group posted a [sign-up link](http://signup.example/join) on its notice board.</p>
<p>The clerk said the agenda, including the ||confidential|| annex, would be published on
Wednesday with `item 7` covering the lease.</p>
</article></body></html>"""


async def test_article_text_cannot_ping_anyone_or_format(world: World) -> None:
    url = world.pages.add("/mentions/council", MENTIONS_PAGE)
    posted = await world.fake.post_message(world.fake.channel(), url, author=world.person())
    reply = (await world.reply_to(posted)).json
    assert reply["allowed_mentions"] == NO_PING
    embed = reply["embeds"][0]
    texts = [embed["title"], embed.get("description", "")]
    texts += [f["value"] for f in embed.get("fields", [])]
    shown = "\n".join(texts)
    assert "@\u200beveryone" in shown and "@\u200bhere" in shown  # readable, but inert
    for raw in ("@everyone", "@here", "<@123", "<@&234", "<#345", "**Late**", "__proper__"):
        assert raw not in shown
    assert not re.search(r"(?<!\\)\[sign-up link\]", shown)  # not a masked link
    await world.next_link_works()


# --- Discord itself misbehaving ------------------------------------------------------------


async def test_discord_429_then_500_on_the_reply_is_retried(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="discord.http")
    fake, channel = world.fake, world.fake.channel()
    route = rf"/channels/{channel}/messages"
    body, headers = fake.rate_limited(0.05)
    fake.script("POST", route, 429, body, headers)
    fake.script("POST", route, 500, {"message": "Internal Server Error", "code": 0})
    url, number = world.story("/flaky")
    posted = await fake.post_message(channel, url, author=world.person())

    await fake.wait_until(lambda: len(world.replies_in(channel)) >= 3)
    attempts = world.replies_in(channel)
    assert len(attempts) == 3 and all(_reference(a) == posted["id"] for a in attempts)
    assert attempts[0].json == attempts[2].json  # the same reply, sent again
    delivered = [
        m
        for m in fake.messages.values()
        if (m.get("message_reference") or {}).get("message_id") == int(posted["id"])
    ]
    assert [m["embeds"][0]["title"] for m in delivered] == [headline_of(number)]
    assert "responded with 429" in caplog.text
    await world.next_link_works()


async def test_discord_refusing_the_reply_is_logged_not_fatal(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cogs.watch")
    fake, channel = world.fake, world.fake.channel()
    fake.script(
        "POST",
        rf"/channels/{channel}/messages",
        403,
        {"message": "Missing Permissions", "code": 50013},
    )
    url, _ = world.story("/refused")
    posted = await fake.post_message(channel, url, author=world.person())
    await fake.wait_for("POST", rf"/channels/{channel}/messages")
    await world.next_link_works()
    assert f"could not reply to message {posted['id']}" in caplog.text
    in_channel = [m for m in fake.messages.values() if m["channel_id"] == str(channel)]
    assert [m["id"] for m in in_channel] == [posted["id"]]  # nothing got through


# --- the worker side, without Discord ------------------------------------------------------


async def test_warm_up_page_is_a_real_article() -> None:
    """`warm_up` must exercise the whole HTML path, so its page must brief, not fail early."""
    briefing = analyse_html("warm-up", WARM_UP_HTML, "https://warm-up.example/ferry")
    assert briefing.ok and briefing.headline and briefing.quotes
    warm_up()  # and it runs without raising


async def test_a_closed_pool_gives_a_quiet_failed_briefing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool = WorkerPool(1, 5.0)
    await pool.close()
    pipeline = Pipeline(Settings(_env_file=None), pool=pool)
    briefing = await pipeline.brief_html(story_html(0), "during-shutdown")
    assert not briefing.ok and briefing.error is not None
    assert briefing.error.message == say("pipeline.shutting_down")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_reaction_skipped_by_the_limit_leaves_the_message_to_the_next_reader(
    world: World,
) -> None:
    # The skipped message used to be remembered as answered, so nobody could get it briefed.
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    poster, eager, patient = world.person(), world.person(), world.person()
    start = fake.mark()
    messages = []
    for _ in range(USER_LIMIT + 1):  # one link each: the eager reader's limit, and one more
        message = await fake.post_message(channel, world.story("/skip")[0], author=poster)
        await fake.wait_for(
            "PUT", rf"/channels/{channel}/messages/{message['id']}/reactions/📰/@me", since=start
        )
        messages.append(message)
    for message in messages[:USER_LIMIT]:
        await fake.add_reaction(channel, message["id"], "📰", user=eager)
        await world.reply_to(message, start)
    last = messages[-1]
    await fake.add_reaction(channel, last["id"], "📰", user=eager)  # over the limit: skipped
    await fake.wait_for(
        "PUT", rf"/channels/{channel}/messages/{last['id']}/reactions/{HOURGLASS}/@me", since=start
    )
    await fake.add_reaction(channel, last["id"], "📰", user=patient)
    await world.reply_to(last, start)
