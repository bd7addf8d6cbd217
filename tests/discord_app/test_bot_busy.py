"""A burst larger than the work queue (hardening round 2, finding 3).

Links the full queue dropped used to vanish: no reply, no reaction, no log line, while every
"busy" /brief was logged as an ERROR with a traceback. Now a dropped link is counted
(`service.stats.dropped_links`), logged on one INFO line, and its channel gets the rate limit's
signal: one ⏳, at most once a minute per channel; "busy" is an INFO line.

The real bot with one slot and two waiting places; the first link's page is held by the
loopback article server until the test lets it go, so the burst meets a full queue on every run,
without sleeping. The test waits on the bot's own log lines and on requests to the fake Discord.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import pytest
import pytest_asyncio

from bot.discord_app.client import NewsdeskBot
from bot.messages import say
from bot.runtime.throttle import HOURGLASS
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    FakeDiscord,
    Recorded,
    bot_settings,
    running_bot,
)
from tests.helpers.log_lines import log_lines

pytestmark = pytest.mark.asyncio(loop_scope="module")

WAITING_PLACES = 2  # NEWSDESK_QUEUE_LIMIT here; one link in flight (NEWSDESK_MAX_IN_FLIGHT=1)
BURST = 12  # links posted while the first one holds the only slot
DROPPED_LINE = re.compile(r"busy: dropped (\d+) item\(s\) of message (\d+)")


def story_html(number: int) -> str:
    """A short bus-route story written for this test; the number keeps each one distinct."""
    headline = f"Route {number} night bus returns after depot strike ends"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{headline}</title><meta property="og:site_name" content="The Millbrook Record">
<link rel="canonical" href="https://record.example/transport/night-bus-{number}">
</head><body><article><h1>{headline}</h1>
<p>Night buses on route {number} will run again from Friday after drivers at the Millbrook
depot accepted a new pay offer, ending a strike that began in early spring.</p>
<p>The operator said the full timetable would be restored within a week, with extra late
services on Saturdays while the backlog of maintenance work is cleared.</p>
<p>“People who work late have had no way home for two months,” said union representative
Dana Okoro, who led the talks for the drivers.</p>
<p>The council said it would review the contract with the operator later this year.</p>
</article></body></html>"""


def headline_of(number: int) -> str:
    return f"Route {number} night bus returns after depot strike ends"


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot
    entered: threading.Event
    release: threading.Event


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    entered, release = threading.Event(), threading.Event()
    body = story_html(0).encode()

    def held(handler: BaseHTTPRequestHandler) -> None:
        entered.set()
        release.wait(60)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    pages.add_handler("/held/night-bus", held)
    for number in range(1, BURST + 2):
        pages.add(f"/story/{number}", story_html(number))
    fake = FakeDiscord()
    await fake.start()
    database = tmp_path_factory.mktemp("busy") / "newsdesk.sqlite3"
    settings = bot_settings(
        fake,
        database,
        pages.port,
        max_in_flight=1,
        queue_limit=WAITING_PLACES,
        fetch_deadline=60,  # the held page must outlast the burst on a loaded machine
        read_timeout=60,
    )
    try:
        async with running_bot(fake, settings) as bot:
            yield World(fake, pages, bot, entered, release)
    finally:
        release.set()
        await fake.stop()
        pages.stop()


def _reference(request: Recorded) -> str | None:
    value = ((request.json or {}).get("message_reference") or {}).get("message_id")
    return str(value) if value is not None else None


async def test_every_link_of_a_burst_gets_a_reply_or_the_busy_signal_and_is_counted(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    fake, pages = world.fake, world.pages
    caplog.set_level(logging.INFO, logger="cogs.errors")
    channels = [fake.channel() for _ in range(3)]
    start = fake.mark()
    first = await fake.post_message(channels[0], pages.url("/held/night-bus"))
    assert await asyncio.to_thread(world.entered.wait, 60)  # it holds the only slot now

    with log_lines("cogs.watch", DROPPED_LINE.pattern) as dropped_lines:
        burst = [
            await fake.post_message(channels[n % 3], pages.url(f"/story/{n}"), author="bob")
            for n in range(1, BURST + 1)
        ]
        # Two wait; each later arrival pushes the oldest waiting one out.
        await dropped_lines.wait_for(BURST - WAITING_PLACES)

        # A slash command meanwhile is refused, never dropped: "busy", and no ERROR.
        asked = await fake.slash(
            "brief",
            fake.channel(),
            options=[{"type": 3, "name": "url", "value": pages.url(f"/story/{BURST + 1}")}],
        )
        busy = await fake.wait_for("POST", fake.followup_path(asked))
        assert busy.json["content"] == say("queue.busy")
        assert busy.json["flags"] & EPHEMERAL

        world.release.set()
        posted = {m["id"]: m for m in [first, *burst]}

        def replies() -> list[Recorded]:
            ours = fake.find("POST", r"/channels/\d+/messages", since=start)
            return [r for r in ours if _reference(r) in posted]

        await fake.wait_until(lambda: len(replies()) >= 1 + WAITING_PLACES)
        dropped = {m.group(2): int(m.group(1)) for m in dropped_lines.matches}

    assert world.bot.service.stats.dropped_links == BURST - WAITING_PLACES == len(dropped)
    assert set(dropped.values()) == {1}  # one link each, one INFO line each
    replied = {_reference(r) for r in replies()}
    assert replied.isdisjoint(dropped) and replied | set(dropped) == set(posted)
    assert first["id"] in replied
    titles = {r.json["embeds"][0]["title"] for r in replies()}
    assert headline_of(0) in titles and len(titles) == 1 + WAITING_PLACES

    # The rate limit's signal: one ⏳ per channel that lost links, on a message it dropped.
    hit = {posted[m]["channel_id"] for m in dropped}
    await fake.wait_until(lambda: len(_hourglasses(fake, start)) >= len(hit))
    marks = _hourglasses(fake, start)
    assert sorted(r.path.split("/")[2] for r in marks) == sorted(hit)
    assert {r.path.split("/")[4] for r in marks} <= set(dropped)
    assert fake.find("PUT", r"/channels/\d+/messages/\d+/reactions/⚠️/@me", since=start) == []

    assert [r.getMessage() for r in caplog.records if r.name == "cogs.errors"] == [
        "busy: command brief refused, the work queue is full"
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def _hourglasses(fake: FakeDiscord, since: int) -> list[Recorded]:
    return fake.find(
        "PUT", rf"/channels/\d+/messages/\d+/reactions/{re.escape(HOURGLASS)}/@me", since=since
    )
