"""Replies through a REST outage at Discord (hardening round 2, finding 8).

In a 503 storm or under sustained 429s, auto-replies used to be lost for good and a /brief
follow-up gave up after discord.py's five tries, leaving the person at "thinking…". Now the bot
tries again with growing pauses within `NEWSDESK_DISCORD_RETRY_DEADLINE` (short here), then
shows a short failure: ⚠️ on the message, or the interaction's response edited to say so.

The real bot against the fake Discord, whose scripted answers play the outage: each scripted
answer is used once, so a storm is N of them and recovery is what follows.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from bot.discord_app.client import NewsdeskBot
from bot.messages import say
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    FakeDiscord,
    bot_settings,
    running_bot,
)
from tests.helpers.log_lines import log_lines

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEADLINE = 3.0  # NEWSDESK_DISCORD_RETRY_DEADLINE here: pauses start at 0.09 s
WARNING = "⚠️"
_stories = itertools.count(1)


def story_html(number: int) -> str:
    """A short library story written for this test; the number keeps each one distinct."""
    headline = f"Branch library {number} extends evening opening hours"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{headline}</title><meta property="og:site_name" content="The Ferndale Courier">
<link rel="canonical" href="https://courier.example/libraries/evening-hours-{number}">
</head><body><article><h1>{headline}</h1>
<p>The branch library on Mill Street will stay open until nine on weekday evenings from next
month, after a trial showed that students and shift workers filled the reading room.</p>
<p>The council will pay for two extra staff from its community fund for the first year.</p>
<p>“We kept seeing people waiting outside at six with nowhere quiet to study,” said head
librarian Ines Castellano, who proposed the change.</p>
<p>Saturday hours are unchanged, and the children's section will still close at five.</p>
</article></body></html>"""


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot

    def story(self) -> tuple[str, str]:
        """A new article page (never cached yet) and its headline."""
        number = next(_stories)
        return self.pages.add(f"/story/{number}", story_html(number)), (
            f"Branch library {number} extends evening opening hours"
        )

    @property
    def followups(self) -> str:
        """Every interaction follow-up (one test at a time here, so no token is needed)."""
        return rf"/webhooks/{self.fake.app_id}/[^/]+"

    @property
    def original(self) -> str:
        return rf"/webhooks/{self.fake.app_id}/[^/]+/messages/@original"

    def delivered(self, posted: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's replies to `posted` that Discord accepted."""
        return [
            m
            for m in self.fake.messages.values()
            if (m.get("message_reference") or {}).get("message_id") == int(posted["id"])
        ]

    async def brief(self, url: str) -> dict[str, Any]:
        """Run /brief (private); returns the interaction after Discord saw the defer."""
        interaction = await self.fake.slash(
            "brief", self.fake.channel(), options=[{"type": 3, "name": "url", "value": url}]
        )
        deferred = await self.fake.wait_for("POST", self.fake.callback_path(interaction))
        assert deferred.json["type"] == 5
        return interaction


@contextlib.contextmanager
def outage(
    fake: FakeDiscord,
    method: str,
    path: str,
    status: int,
    body: Any = None,
    headers: dict[str, str] | None = None,
    count: int = 400,
) -> Iterator[None]:
    """`path` answers `status` to the next `count` requests; unused answers go at the end."""
    for _ in range(count):
        fake.script(method, path, status, body, headers)
    try:
        yield
    finally:
        fake.scripted = [s for s in fake.scripted if s.path.pattern != path]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord()
    await fake.start()
    database = tmp_path_factory.mktemp("delivery") / "newsdesk.sqlite3"
    settings = bot_settings(fake, database, pages.port, discord_retry_deadline=DEADLINE)
    try:
        async with running_bot(fake, settings) as bot:
            yield World(fake, pages, bot)
    finally:
        await fake.stop()
        pages.stop()


def _unavailable() -> dict[str, Any]:
    return {"message": "Service Unavailable", "code": 0}


# --- auto-replies ---------------------------------------------------------------------------


async def test_a_503_storm_then_recovery_posts_the_auto_reply(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    fake.script("POST", rf"/channels/{channel}/typing", 503, _unavailable())  # a courtesy only
    for _ in range(3):
        fake.script("POST", rf"/channels/{channel}/messages", 503, _unavailable())
    url, headline = world.story()
    posted = await fake.post_message(channel, url)

    await fake.wait_until(lambda: world.delivered(posted))
    attempts = fake.find("POST", rf"/channels/{channel}/messages")
    assert len(attempts) == 4  # three refused, the fourth taken
    # The same reply each time, with one nonce: Discord posts a nonce it has seen only once.
    assert all(a.json == attempts[0].json for a in attempts)
    assert attempts[0].json["enforce_nonce"] is True
    assert [m["embeds"][0]["title"] for m in world.delivered(posted)] == [headline]
    assert fake.find("PUT", rf"/channels/{channel}/messages/\d+/reactions/.+/@me") == []


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (503, None),
        (429, {"Retry-After": "0.05"}),  # no `Via`: discord.py takes it for a Cloudflare ban
    ],
    ids=["503", "429-cloudflare"],
)
async def test_an_outage_past_the_deadline_leaves_a_warning_on_the_message(
    world: World, caplog: pytest.LogCaptureFixture, status: int, headers: dict[str, str] | None
) -> None:
    caplog.set_level(logging.WARNING, logger="cogs.watch")
    fake, channel = world.fake, world.fake.channel()
    route = rf"/channels/{channel}/messages"
    url, _ = world.story()
    with outage(fake, "POST", route, status, _unavailable(), headers):
        posted = await fake.post_message(channel, url)
        warning = await fake.wait_for(
            "PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/{WARNING}/@me"
        )
    attempts = fake.find("POST", route)
    assert 2 <= len(attempts) < 400 and all(a.index < warning.index for a in attempts)
    assert world.delivered(posted) == []
    assert f"could not reply to message {posted['id']}" in caplog.text


# --- /brief follow-ups ----------------------------------------------------------------------


async def test_a_brief_follow_up_refused_a_few_times_then_arrives(world: World) -> None:
    fake = world.fake
    url, headline = world.story()
    for _ in range(3):  # raised at once by discord.py, so these tries are the bot's own
        fake.script("POST", world.followups, 429, {"message": "Too Many Requests"})
    interaction = await world.brief(url)
    followup_path = fake.followup_path(interaction)

    def accepted() -> bool:
        return "original" in fake.interactions[interaction["token"]]

    await fake.wait_until(accepted)
    answer = fake.interactions[interaction["token"]]["original"]
    assert [e["title"] for e in answer["embeds"]] == [headline]
    assert answer["flags"] & EPHEMERAL
    assert len(fake.find("POST", followup_path)) == 4
    assert fake.find("PATCH", world.original) == []


@pytest.mark.parametrize("kind", ["503", "429"])
async def test_an_outage_past_the_deadline_resolves_the_brief_with_a_short_failure(
    world: World, kind: str
) -> None:
    fake = world.fake
    if kind == "503":
        status, body, headers = 503, _unavailable(), None
    else:  # a per-route 429 discord.py honours: it sleeps and tries five times by itself
        body, headers = fake.rate_limited(0.05)
        status = 429
    url, _ = world.story()
    start = fake.mark()
    with outage(fake, "POST", world.followups, status, body, headers):
        interaction = await world.brief(url)
        edit = await fake.wait_for("PATCH", world.original, since=start, timeout=60)
    assert edit.json["content"] == say("delivery.failed")
    assert edit.json.get("embeds") == []
    state = fake.interactions[interaction["token"]]
    assert "deferred_flags" not in state  # "thinking…" was replaced
    assert state["original"]["flags"] & EPHEMERAL  # privately, as the defer said
    assert fake.find("POST", fake.followup_path(interaction), since=start)  # it did try


async def test_when_even_the_failure_note_cannot_be_posted_the_log_says_so(
    world: World,
) -> None:
    fake = world.fake
    url, _ = world.story()
    pattern = r"interaction (\d+) is left unanswered"
    with (
        log_lines("bot.discord_app.delivery", pattern) as unanswered,
        outage(fake, "POST", world.followups, 503, _unavailable()),
        outage(fake, "PATCH", world.original, 503, _unavailable()),
    ):
        interaction = await world.brief(url)
        await unanswered.wait_for(1)
    assert [m.group(1) for m in unanswered.matches] == [interaction["id"]]
    assert fake.find("PATCH", rf"/webhooks/{fake.app_id}/{re.escape(interaction['token'])}/.+")
