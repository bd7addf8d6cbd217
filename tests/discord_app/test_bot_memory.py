"""Newsroom memory end to end: the real bot, the fake Discord and the loopback article server.

Cache (no second fetch, one fetch for simultaneous links, refresh, failures), archive and
`/search` (speaker, quote words, channel visibility, jump links, forget), `/digest` (stories
merged across outlets) and the daily schedule driven by an injected clock, never by sleeping.

One bot serves the module; each test uses its own channels and its own articles (pages are
served under unique paths with unique canonical URLs), so shares never leak between tests.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import pytest_asyncio

from bot.discord_app.client import NewsdeskBot
from bot.messages import say
from cogs.digest import Digests
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.fake_discord import (
    EPHEMERAL,
    FakeDiscord,
    Recorded,
    bot_settings,
    running_bot,
    snowflake,
)
from tests.helpers.memory_watch import ArchiveWatch, FakeClock

pytestmark = pytest.mark.asyncio(loop_scope="module")

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 13:00 in Berlin
GAZETTE = "Cargo ship strikes Calder swing bridge, closing Kestrel Bay's main crossing"
COURIER = "Calder bridge shut for a week after cargo ship collision in Kestrel Bay"
LEVY = "Dunmore approves levy to keep mobile library van on the road"
LOCKOUT = "Glassworks staff locked out as Pellham pay talks collapse"
ORCHARD = "Volunteers plant community orchard on former Ashgrove car park"


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot
    clock: FakeClock
    hidden: int  # a channel only Editors (and the owner, "mod") can see
    archived: ArchiveWatch

    def serve(self, name: str, path: str, headline: str | None = None) -> str:
        """Serve fixture page `name` at `path` as a distinct article (own canonical URL)."""
        html = (PAGES / name).read_text(encoding="utf-8")
        html = html.replace(
            'rel="canonical" href="https://',
            f'rel="canonical" href="https://{path.strip("/").replace("/", "-")}.',
        )
        if headline is not None:
            original = _headline_of(html)
            html = html.replace(original, headline)
        return self.pages.add(path, html)

    async def share(self, channel: int, link: str, author: str = "alice") -> dict[str, Any]:
        """Post `link` in an auto channel and wait for the bot's briefing reply."""
        posted = await self.fake.post_message(channel, f"worth a read {link}", author=author)
        await self.reply_to(posted)
        await self.archived.wait(int(posted["id"]))
        return posted

    async def reply_to(self, message: dict[str, Any]) -> Recorded:
        return await self.fake.wait_for(
            "POST",
            rf"/channels/{message['channel_id']}/messages",
            where=lambda r: _reference(r) == message["id"],
        )

    async def answer(self, interaction: dict[str, Any]) -> Recorded:
        return await self.fake.wait_for("POST", self.fake.callback_path(interaction))

    async def followup(self, interaction: dict[str, Any]) -> Recorded:
        return await self.fake.wait_for("POST", self.fake.followup_path(interaction))

    def jump(self, message: dict[str, Any]) -> str:
        return (
            f"https://discord.com/channels/{self.fake.guild_id}/"
            f"{message['channel_id']}/{message['id']}"
        )


def _headline_of(html: str) -> str:
    start = html.index("<h1>") + len("<h1>")
    return html[start : html.index("</h1>")]


def _reference(request: Recorded) -> str | None:
    value = ((request.json or {}).get("message_reference") or {}).get("message_id")
    return str(value) if value is not None else None


def _option(name: str, value: Any, kind: int = 3) -> dict[str, Any]:
    return {"type": kind, "name": name, "value": value}


def _sub(name: str, *options: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": 1, "name": name, "options": list(options)}]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord()
    hidden = fake.channel()
    fake.hide_channel(hidden)  # before the bot connects: GUILD_CREATE carries the overwrites
    await fake.start()
    database = tmp_path_factory.mktemp("memory") / "newsdesk.sqlite3"
    settings = bot_settings(
        fake, database, pages.port, user_links_per_minute=1000, channel_links_per_minute=1000
    )
    clock = FakeClock(T0)
    try:
        async with running_bot(fake, settings, clock=clock) as bot:
            yield World(fake, pages, bot, clock, hidden, ArchiveWatch(bot))
    finally:
        await fake.stop()
        pages.stop()


# --- cache -----------------------------------------------------------------------------------


async def test_a_cached_link_is_not_fetched_again_even_with_tracking_params(world: World) -> None:
    link = world.serve("memory-library-levy.html", "/cache/levy-1", "Levy variant one")
    first, second = world.fake.channel(), world.fake.channel()
    await world.share(first, link)
    posted = await world.fake.post_message(second, f"{link}?utm_source=newsletter&fbclid=abc")
    reply = await world.reply_to(posted)
    assert reply.json["embeds"][0]["title"] == "Levy variant one"
    assert world.pages.hits["/cache/levy-1"] == 1


async def test_two_messages_with_one_link_at_once_fetch_it_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = (PAGES / "memory-library-levy.html").read_bytes()
    body = body.replace(b"mobile-library-levy-2207", b"levy-concurrent")
    gate = threading.Event()

    def slow_page(handler: BaseHTTPRequestHandler) -> None:
        gate.wait(30)  # held until both messages are waiting on the same briefing
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    link = world.pages.add_handler("/cache/concurrent", slow_page)
    cache = world.bot.service.cache
    assert cache is not None
    asking: list[str] = []
    both_asking = asyncio.Event()
    original = cache.get_or_fetch

    async def counting(url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(link):
            asking.append(url)
            if len(asking) == 2:
                both_asking.set()
        return await original(url, *args, **kwargs)

    monkeypatch.setattr(cache, "get_or_fetch", counting)
    one = await world.fake.post_message(world.fake.channel(), link)
    two = await world.fake.post_message(world.fake.channel(), link, author="bob")
    try:
        await asyncio.wait_for(both_asking.wait(), 30)
    finally:
        gate.set()
    first, second = await world.reply_to(one), await world.reply_to(two)
    assert first.json["embeds"][0]["title"] == second.json["embeds"][0]["title"] == LEVY
    assert world.pages.hits["/cache/concurrent"] == 1


async def test_refresh_bypasses_the_cache_for_manage_messages_only(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    link = world.serve("memory-library-levy.html", "/cache/refresh", "Levy refresh story")
    plain = await fake.slash("brief", channel, options=[_option("url", link)])
    await world.followup(plain)
    assert world.pages.hits["/cache/refresh"] == 1

    refused = await fake.slash(
        "brief", channel, user="alice", options=[_option("url", link), _option("refresh", True, 5)]
    )
    answer = (await world.answer(refused)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == say("brief.refresh_refused")
    assert world.pages.hits["/cache/refresh"] == 1

    again = await fake.slash("brief", channel, user="alice", options=[_option("url", link)])
    await world.followup(again)
    assert world.pages.hits["/cache/refresh"] == 1  # cached

    refreshed = await fake.slash(
        "brief", channel, user="mod", options=[_option("url", link), _option("refresh", True, 5)]
    )
    followup = (await world.followup(refreshed)).json
    assert followup["embeds"][0]["title"] == "Levy refresh story"
    assert world.pages.hits["/cache/refresh"] == 2


async def test_a_failing_link_posted_twice_is_fetched_once(world: World) -> None:
    fake = world.fake
    broken = world.pages.add("/cache/gone", "<h1>Gone</h1>", status=404)
    for channel in (fake.channel(), fake.channel()):
        posted = await fake.post_message(channel, f"anyone seen this? {broken}")
        await fake.wait_for("PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/.+/@me")
    assert world.pages.hits["/cache/gone"] == 1


# --- archive and search ----------------------------------------------------------------------


async def _search(world: World, user: str, query: str, channel: int | None = None) -> dict:
    where = channel if channel is not None else world.fake.channel()
    interaction = await world.fake.slash(
        "search", where, user=user, options=[_option("query", query)]
    )
    answer = (await world.answer(interaction)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL  # always private
    return answer["data"]


def _found(data: dict) -> str:
    embeds = data.get("embeds") or []
    return embeds[0]["description"] if embeds else ""


PIER = "Tidewater pier reopens to ferries after storm repairs"
PIER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{headline} | Tidewater Tribune</title><link rel="canonical" href="{canonical}">
</head><body><article><h1>{headline}</h1>
<p>The Tidewater pier reopened to ferries on Monday, eleven weeks after a winter storm tore
away part of its deck and left island commuters relying on a single temporary pontoon.</p>
<p>“The crews worked through every tide to get this done,” said Odile Brennan, the harbour
engineer, who added that the new deck was designed for bigger waves.</p>
<p>Repairs cost 2.4 million, most of it covered by the regional storm fund.</p>
</article></body></html>"""


async def test_a_page_claiming_another_address_cannot_answer_for_it_or_overwrite_it(
    world: World,
) -> None:
    """A page at /evil declaring canonical /real (same site) or a BBC address (another site)."""
    real = world.pages.url("/poison/real")
    world.pages.add("/poison/real", PIER_PAGE.format(headline=PIER, canonical=real))
    forged = "Tidewater pier was never repaired, Quillfeather admits"
    evil = world.pages.add("/poison/evil", PIER_PAGE.format(headline=forged, canonical=real))
    bbc = "https://www.bbc.co.uk/news/uk-70000001"
    spoof = world.pages.add("/poison/spoof", PIER_PAGE.format(headline=forged, canonical=bbc))
    channel = world.fake.channel()
    await world.share(channel, real)  # the legitimate share comes first
    for link in (evil, spoof):
        posted = await world.share(channel, link)
        embed = (await world.reply_to(posted)).json["embeds"][0]
        assert embed["title"] == forged
        assert embed["url"] != bbc  # never shown under another site's address

    again = await world.fake.post_message(world.fake.channel(), f"see {real}", author="bob")
    assert (await world.reply_to(again)).json["embeds"][0]["title"] == PIER
    cache = world.bot.service.cache
    assert cache is not None and await cache.get(bbc) is None
    # Three articles in the archive, each under the address it was fetched from.
    hits = await world.bot.archive.search(world.fake.guild_id, "Brennan")
    assert sorted((h.url, h.headline) for h in hits) == sorted(
        [(real, PIER), (evil, forged), (spoof, forged)]
    )
    assert world.pages.hits["/poison/real"] == 1  # /real's own briefing, from its own fetch


async def test_search_finds_by_speaker_and_quote_word_only_where_the_member_can_see(
    world: World,
) -> None:
    fake = world.fake
    visible = fake.channel()
    lockout = world.serve("memory-lockout-herald.html", "/search/lockout")
    shared = await world.share(visible, lockout)
    orchard = world.serve("memory-orchard-post.html", "/search/orchard")
    await world.share(world.hidden, orchard, author="mod")

    by_speaker = _found(await _search(world, "alice", "Quayle"))
    assert LOCKOUT in by_speaker
    assert "Pellham Herald" in by_speaker
    assert f"({world.jump(shared)})" in by_speaker  # jump link to the post
    assert say("search.published", date="2026-11-24") in by_speaker
    assert LOCKOUT in _found(await _search(world, "alice", "chained gates"))  # quote words

    # The orchard was only shared in the Editors-only channel.
    hidden_for_alice = await _search(world, "alice", "Wierzbicki")
    assert not hidden_for_alice.get("embeds")
    assert "found nothing" in hidden_for_alice["content"]
    assert ORCHARD in _found(await _search(world, "mod", "Wierzbicki"))
    assert ORCHARD in _found(await _search(world, "mod", "marmalade"))


async def test_search_can_be_limited_to_one_channel(world: World) -> None:
    fake = world.fake
    here, there = fake.channel(), fake.channel()
    link = world.serve("memory-library-levy.html", "/search/quarry", "Quarry blasting hours cut")
    await world.share(there, link)
    options = [_option("query", "quarry"), _option("channel", str(here), kind=7)]
    interaction = await fake.slash("search", here, options=options, channels=[here])
    assert not (await world.answer(interaction)).json["data"].get("embeds")
    options[1] = _option("channel", str(there), kind=7)
    interaction = await fake.slash("search", here, options=options, channels=[there])
    assert "Quarry blasting hours cut" in _found((await world.answer(interaction)).json["data"])


async def test_a_search_of_only_common_words_gets_a_hint_instead(world: World) -> None:
    channel = world.fake.channel()
    link = world.serve("memory-library-levy.html", "/search/the", "The quarry and the levy")
    await world.share(channel, link)
    for query in ("the", "The of", "a", "x*"):
        answer = await _search(world, "alice", query)
        assert not answer.get("embeds")
        assert answer["content"] == say("search.too_common", query=query.replace("*", "\\*"))
    assert "The quarry and the levy" in _found(await _search(world, "alice", "the quarry"))


async def test_forget_removes_an_article_for_moderators_only(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    link = world.serve("memory-library-levy.html", "/search/ferret", "Ferret rescue outgrows barn")
    await world.share(channel, link)
    assert "Ferret rescue" in _found(await _search(world, "alice", "ferret"))

    refused = await fake.slash(
        "newsdesk", channel, user="alice", options=_sub("forget", _option("url", link))
    )
    answer = (await world.answer(refused)).json
    assert answer["data"]["content"] == say("command.need_permission", permission="Manage Messages")
    assert "Ferret rescue" in _found(await _search(world, "alice", "ferret"))

    done = await fake.slash(
        "newsdesk", channel, user="mod", options=_sub("forget", _option("url", link))
    )
    answer = (await world.answer(done)).json
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith("Forgotten")
    assert not (await _search(world, "alice", "ferret")).get("embeds")


# --- digests ---------------------------------------------------------------------------------


async def _share_digest_day(world: World, channel: int) -> list[dict[str, Any]]:
    """Two outlets on the bridge (the Gazette shared twice) and one unrelated story."""
    tag = f"d{channel}"
    gazette = world.serve("memory-bridge-gazette.html", f"/{tag}/gazette")
    courier = world.serve("memory-bridge-courier.html", f"/{tag}/courier")
    levy = world.serve("memory-library-levy.html", f"/{tag}/levy")
    return [
        await world.share(channel, gazette),
        await world.share(channel, levy, author="bob"),
        await world.share(channel, courier, author="bob"),
        await world.share(channel, gazette, author="mod"),
    ]


async def test_digest_merges_two_outlets_and_keeps_an_unrelated_story_apart(world: World) -> None:
    world.clock.now = T0
    fake, channel = world.fake, world.fake.channel()
    posts = await _share_digest_day(world, channel)
    interaction = await fake.slash("digest", channel, user="bob")
    deferred = (await world.answer(interaction)).json
    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
    body = (await world.followup(interaction)).json
    assert "3 articles shared 4 times, 2 stories" in body["content"]
    bridge, levy = body["embeds"]
    assert bridge["title"] == GAZETTE  # most shared story first; best headline
    assert bridge["author"]["name"] == say(
        "digest.outlets", count=2, names="The Kestrel Bay Gazette, Coastline Courier"
    )
    summary, quote = bridge["description"].split("\n\n")
    assert summary.startswith("A cargo ship drifting in strong winds struck the Calder")
    speakers = ("Ingrid Solberg", "Tomas Achterberg", "Marguerite Abadi", "Jonah Feld")
    assert quote.startswith("> “") and quote.endswith(speakers)  # an attributed quote
    links = bridge["fields"][0]["value"]
    for post in (posts[0], posts[2], posts[3]):
        assert world.jump(post) in links
    assert world.jump(posts[1]) not in links
    assert levy["title"] == LEVY and levy["author"]["name"] == "Dunmore Weekly"
    assert world.jump(posts[1]) in levy["fields"][0]["value"]
    for embed in body["embeds"]:
        assert len(embed["title"]) <= 256 and len(embed.get("description", "")) <= 4096


async def test_digest_of_a_quiet_channel_says_so_privately_even_when_asked_public(
    world: World,
) -> None:
    world.clock.now = T0
    fake, channel = world.fake, world.fake.channel()
    options = [_option("hours", 6, kind=4), _option("public", True, kind=5)]
    interaction = await fake.slash("digest", channel, options=options)
    answer = (await world.answer(interaction)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == say(
        "digest.empty", where=f"<#{channel}>", window=say("count.hour_many", count=6)
    )
    assert not answer["data"].get("embeds")


async def test_scheduled_digest_fires_once_at_local_time_and_skips_quiet_channels(
    world: World,
) -> None:
    world.clock.now = T0
    fake = world.fake
    busy, quiet = fake.channel(), fake.channel()
    await _share_digest_day(world, busy)
    for channel in (busy, quiet):
        options = _sub(
            "digest-schedule", _option("time", "18:00"), _option("timezone", "Europe/Berlin")
        )
        answer = (
            await world.answer(await fake.slash("newsdesk", channel, user="mod", options=options))
        ).json
        assert "18:00 Europe/Berlin" in answer["data"]["content"]
    digests: Digests = world.bot.get_cog("Digests")  # type: ignore[assignment]
    # The cog's own loop was woken by each schedule change; on a loaded machine its pass can
    # still be running after the clock moves below, and would post the digest itself. Stop it:
    # this test drives the passes, one at a time, and counts what each one posts.
    await digests.cog_unload()
    start = fake.mark()
    world.clock.now = datetime(2026, 11, 26, 16, 59, tzinfo=UTC)  # 17:59 in Berlin
    assert await digests.run_due() == 0

    world.clock.now = datetime(2026, 11, 26, 17, 0, 30, tzinfo=UTC)  # 18:00:30 in Berlin
    assert await digests.run_due() == 1
    posted = await fake.wait_for("POST", rf"/channels/{busy}/messages", since=start)
    assert "**Digest for" in posted.json["content"]
    assert posted.json["embeds"][0]["author"]["name"].startswith("2 outlets")
    assert posted.json["allowed_mentions"]["parse"] == []
    assert await digests.run_due() == 0  # once: not again on the next pass
    assert len(fake.find("POST", rf"/channels/{busy}/messages", since=start)) == 1
    assert fake.find("POST", rf"/channels/{quiet}/messages", since=start) == []

    off = _sub("digest-schedule", _option("time", "off"))
    answer = (await world.answer(await fake.slash("newsdesk", busy, user="mod", options=off))).json
    assert "is off" in answer["data"]["content"]
    assert await world.bot.schedules.get(fake.guild_id, busy) is None
    assert await world.bot.schedules.get(fake.guild_id, quiet) is not None


async def test_digest_schedule_refuses_bad_input_in_plain_words(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    cases = [
        ("mod", [_option("time", "25:00"), _option("timezone", "Europe/Berlin")], "time of day"),
        ("mod", [_option("time", "18:00"), _option("timezone", "Mars/Olympus")], "time zone"),
        # "Europe" is a folder of zones: it used to end in "Something went wrong on my side".
        ("mod", [_option("time", "18:00"), _option("timezone", "Europe")], "not a time zone"),
        ("mod", [_option("time", "18:00")], "Add a time zone"),
        ("alice", [_option("time", "18:00"), _option("timezone", "UTC")], "Manage Channels"),
    ]
    for user, options, expected in cases:
        interaction = await fake.slash(
            "newsdesk", channel, user=user, options=_sub("digest-schedule", *options)
        )
        answer = (await world.answer(interaction)).json
        assert answer["data"]["flags"] & EPHEMERAL
        assert expected in answer["data"]["content"]
    assert await world.bot.schedules.get(fake.guild_id, channel) is None


async def test_timezone_autocomplete_suggests_area_city_names(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    command_id, _ = fake.command_id("newsdesk")
    options = _sub(
        "digest-schedule",
        _option("time", "18:00"),
        {"type": 3, "name": "timezone", "value": "berl", "focused": True},
    )
    data = {"id": command_id, "name": "newsdesk", "type": 1, "options": options}
    interaction = fake._interaction(4, channel, "mod", data)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    answer = (await world.answer(interaction)).json
    assert answer["type"] == 8
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in answer["data"]["choices"]


async def test_a_public_brief_is_archived_and_a_private_one_is_not(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    private = world.serve("memory-library-levy.html", "/brief/private", "Walrus sighted at pier")
    interaction = await fake.slash("brief", channel, options=[_option("url", private)])
    await world.followup(interaction)
    public = world.serve("memory-library-levy.html", "/brief/public", "Pelican nests on clock")
    options = [_option("url", public), _option("public", True, kind=5)]
    interaction = await fake.slash("brief", channel, user="bob", options=options)
    followup = await world.followup(interaction)
    message = next(m for m in fake.messages.values() if m.get("embeds") == followup.json["embeds"])
    await world.archived.wait(message["id"])

    found = _found(await _search(world, "alice", "pelican"))
    assert "Pelican nests on clock" in found
    assert f"({world.jump(message)})" in found  # the bot's public post is where it was shared
    assert not (await _search(world, "alice", "walrus")).get("embeds")


async def test_shares_in_a_thread_are_found_by_members_who_see_its_channel(world: World) -> None:
    thread = world.fake.thread_id
    link = world.serve("memory-library-levy.html", "/thread/otters", "Otters return to millpond")
    posted = await world.share(thread, link)
    found = _found(await _search(world, "bob", "otters"))
    assert f"({world.jump(posted)})" in found


async def test_digest_of_a_channel_the_member_cannot_see_is_refused(world: World) -> None:
    fake, here = world.fake, world.fake.channel()
    options = [_option("channel", str(world.hidden), kind=7)]
    interaction = await fake.slash("digest", here, options=options, channels=[world.hidden])
    answer = (await world.answer(interaction)).json
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert "can't see that channel" in answer["data"]["content"]


async def test_archiving_while_modes_change_never_collides(world: World) -> None:
    """The archive writes multi-statement transactions; on the store's own connection a mode
    change committing in between failed ("SQL statements in progress")."""
    fake, bot = world.fake, world.bot
    link = world.serve("memory-library-levy.html", "/collide/levy", "Badgers delay bypass")
    briefing = await bot.service.brief(link)
    channels = [fake.channel() for _ in range(3)]

    async def archive(n: int) -> None:
        await bot.archive.record_share(
            briefing,
            guild_id=fake.guild_id,
            channel_id=channels[0],
            message_id=9_000_000 + n,
            jump_url=f"https://discord.com/channels/{fake.guild_id}/{channels[0]}/{n}",
            poster_id=fake.user("alice").id,
            shared_at=T0,
        )

    async def change_mode(n: int) -> None:
        await bot.store.set_mode(fake.guild_id, channels[1 + n % 2], ("auto", "react")[n % 2])

    await asyncio.gather(*(archive(n) for n in range(40)), *(change_mode(n) for n in range(40)))
    shares = await bot.archive.shares_in_channel(fake.guild_id, channels[0], T0)
    assert [a.share_count for a in shares] == [40]


async def test_shares_in_an_archived_thread_stay_searchable_for_who_may_read_it(
    world: World,
) -> None:
    # Discord archives a quiet thread after a day and discord.py then forgets it, so shares
    # made there used to vanish from /search for everyone.
    fake = world.fake
    open_thread, editors_thread = snowflake(), snowflake()
    fake.archived_threads[open_thread] = fake.channel()
    fake.archived_threads[editors_thread] = world.hidden
    heron = world.serve("memory-library-levy.html", "/archived/heron", "Heron colony at weir")
    posted = await world.share(open_thread, heron)
    stoat = world.serve("memory-library-levy.html", "/archived/stoat", "Stoat census at weir")
    await world.share(editors_thread, stoat, author="mod")
    assert world.bot.get_channel(open_thread) is None  # not in discord.py's cache

    interaction = await fake.slash("search", fake.channel(), options=[_option("query", "weir")])
    deferred = (await world.answer(interaction)).json
    assert deferred["type"] == 5 and deferred["data"]["flags"] & EPHEMERAL  # looked threads up
    found = (await world.followup(interaction)).json
    assert found["flags"] & EPHEMERAL
    text = found["embeds"][0]["description"]
    assert "Heron colony at weir" in text and f"({world.jump(posted)})" in text
    assert "Stoat census" not in text  # its thread is under the Editors-only channel
    by_mod = await fake.slash("search", fake.channel(), "mod", [_option("query", "stoat")])
    assert "Stoat census at weir" in _found((await world.followup(by_mod)).json)


async def test_shares_in_a_private_thread_stay_out_of_other_members_searches(
    world: World,
) -> None:
    # discord.py gives a private thread its parent's permissions, so everyone who could see
    # the parent channel used to find what was shared inside the private thread.
    fake = world.fake
    link = world.serve("memory-library-levy.html", "/private/kestrel", "Kestrel nest in belfry")
    posted = await world.share(fake.private_thread_id, link)  # alice started the thread
    assert "Kestrel nest in belfry" not in _found(await _search(world, "bob", "kestrel"))
    found = _found(await _search(world, "alice", "kestrel"))
    assert "Kestrel nest in belfry" in found and f"({world.jump(posted)})" in found
