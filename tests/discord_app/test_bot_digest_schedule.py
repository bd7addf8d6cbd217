"""Daily digests across a restart: a new bot on the same database file keeps the schedule, posts
a run it missed while down once if under an hour late, and skips an older miss. A crash between
claiming a run and recording it delivered loses nothing and doubles nothing: a run claimed but
never posted is posted once after the restart, one posted but not recorded is not posted again.

Each test runs two bots one after the other against its own fake Discord (discord.py's REST
base is process-wide, so two fakes must never be live at once) with injected clocks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot.discord_app.render_digest import is_digest_header
from bot.storage.database import open_database
from bot.storage.leases import Leases
from bot.storage.schedules import ScheduleStore
from cogs.digest import Digests
from config import Settings
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import FakeDiscord, bot_settings, running_bot
from tests.helpers.memory_watch import ArchiveWatch, FakeClock

BEFORE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 13:00 in Berlin
SLOT = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # 18:00 in Berlin
GAZETTE = "Cargo ship strikes Calder swing bridge, closing Kestrel Bay's main crossing"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _settings(fake: FakeDiscord, pages: ArticleServer, tmp_path: Path) -> Settings:
    return bot_settings(fake, tmp_path / "newsdesk.sqlite3", pages.port)


async def _schedule_with_one_share(
    fake: FakeDiscord, settings: Settings, pages: ArticleServer, channel: int
) -> None:
    """First bot: a bridge article is shared at 13:00 Berlin and an 18:00 digest is set."""
    async with running_bot(fake, settings, clock=FakeClock(BEFORE)) as bot:
        archived = ArchiveWatch(bot)
        posted = await fake.post_message(channel, pages.page_url("memory-bridge-gazette.html"))
        await fake.wait_for(
            "POST",
            rf"/channels/{channel}/messages",
            where=lambda r: (
                (r.json.get("message_reference") or {}).get("message_id") == int(posted["id"])
            ),
        )
        options: list[dict[str, Any]] = [
            {
                "type": 1,
                "name": "digest-schedule",
                "options": [
                    {"type": 3, "name": "time", "value": "18:00"},
                    {"type": 3, "name": "timezone", "value": "Europe/Berlin"},
                ],
            }
        ]
        interaction = await fake.slash("newsdesk", channel, user="mod", options=options)
        await fake.wait_for("POST", fake.callback_path(interaction))
        await archived.wait(posted["id"])
        shares = await bot.archive.shares_in_channel(fake.guild_id, channel, BEFORE)
        assert [a.headline for a in shares] == [GAZETTE]


async def test_a_missed_run_is_posted_once_by_the_restarted_bot(
    fake: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    channel = fake.channel()
    settings = _settings(fake, article_server, tmp_path)
    await _schedule_with_one_share(fake, settings, article_server, channel)

    start = fake.mark()
    late = FakeClock(datetime(2026, 11, 26, 17, 40, tzinfo=UTC))  # down at 18:00, up at 18:40
    async with running_bot(fake, settings, clock=late) as bot:
        posted = await fake.wait_for("POST", rf"/channels/{channel}/messages", since=start)
        assert posted.json["embeds"][0]["title"] == GAZETTE
        assert "last 24 hours" in posted.json["content"]
        digests: Digests = bot.get_cog("Digests")  # type: ignore[assignment]
        assert await digests.run_due() == 0
        schedule = await bot.schedules.get(fake.guild_id, channel)
        assert schedule is not None and schedule.last_run == SLOT
    assert len(fake.find("POST", rf"/channels/{channel}/messages", since=start)) == 1


async def test_a_run_missed_by_over_an_hour_is_skipped_and_the_schedule_goes_on(
    fake: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    channel = fake.channel()
    settings = _settings(fake, article_server, tmp_path)
    await _schedule_with_one_share(fake, settings, article_server, channel)

    start = fake.mark()
    clock = FakeClock(datetime(2026, 11, 26, 18, 30, tzinfo=UTC))  # 90 minutes late
    async with running_bot(fake, settings, clock=clock) as bot:
        digests: Digests = bot.get_cog("Digests")  # type: ignore[assignment]
        # Under the cog's lock: the loop's first pass (if it ran) is finished, or this is it.
        assert await digests.run_due() == 0
        schedule = await bot.schedules.get(fake.guild_id, channel)
        assert schedule is not None and schedule.last_run == SLOT  # handled: skipped
        assert fake.find("POST", rf"/channels/{channel}/messages", since=start) == []

        # The next evening: the window (the last 24 hours) holds no share, so nothing is said.
        clock.now = datetime(2026, 11, 27, 17, 5, tzinfo=UTC)
        assert await digests.run_due() == 0
        schedule = await bot.schedules.get(fake.guild_id, channel)
        assert schedule is not None and schedule.last_run == datetime(
            2026, 11, 27, 17, 0, tzinfo=UTC
        )
    assert fake.find("POST", rf"/channels/{channel}/messages", since=start) == []


def _digests_in(fake: FakeDiscord, channel: int, since: int) -> list[Any]:
    return [
        posted
        for posted in fake.find("POST", rf"/channels/{channel}/messages", since=since)
        if is_digest_header(posted.json.get("content") or "", channel, 24)
    ]


async def test_a_run_claimed_but_never_posted_is_posted_once_after_the_restart(
    fake: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    channel = fake.channel()
    settings = _settings(fake, article_server, tmp_path)
    await _schedule_with_one_share(fake, settings, article_server, channel)
    # The crash: a process claimed the 18:00 run and died before posting it.
    database = await open_database(settings.database)
    try:
        assert await ScheduleStore(database).claim_run(fake.guild_id, channel, SLOT)
    finally:
        await database.close()

    start = fake.mark()
    clock = FakeClock(datetime(2026, 11, 26, 17, 20, tzinfo=UTC))
    async with running_bot(fake, settings, clock=clock) as bot:
        posted = await fake.wait_for("POST", rf"/channels/{channel}/messages", since=start)
        assert posted.json["embeds"][0]["title"] == GAZETTE
        digests: Digests = bot.get_cog("Digests")  # type: ignore[assignment]
        assert await digests.run_due() == 0  # recorded: the next pass leaves it alone
        schedule = await bot.schedules.get(fake.guild_id, channel)
        assert schedule is not None and schedule.posted_run == SLOT
    async with running_bot(fake, settings, clock=clock):  # and so does the next restart
        pass
    assert len(fake.find("POST", rf"/channels/{channel}/messages", since=start)) == 1


async def test_a_run_posted_but_not_recorded_is_not_posted_again_after_the_restart(
    fake: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    channel = fake.channel()
    settings = _settings(fake, article_server, tmp_path)
    await _schedule_with_one_share(fake, settings, article_server, channel)

    start = fake.mark()
    clock = FakeClock(datetime(2026, 11, 26, 17, 2, tzinfo=UTC))
    async with running_bot(fake, settings, clock=clock) as bot:
        await fake.wait_for("POST", rf"/channels/{channel}/messages", since=start)
        digests: Digests = bot.get_cog("Digests")  # type: ignore[assignment]
        assert await digests.run_due() == 0  # under the lock: the first pass has finished
    assert len(_digests_in(fake, channel, start)) == 1
    # The crash: the digest went out, the process died before recording it.
    database = await open_database(settings.database)
    try:
        await database.execute("UPDATE digest_schedules SET posted_run = NULL")
        schedule = await ScheduleStore(database).get(fake.guild_id, channel)
        assert schedule is not None and schedule.unfinished == SLOT
    finally:
        await database.close()

    restart = fake.mark()
    clock.now = datetime(2026, 11, 26, 17, 20, tzinfo=UTC)
    async with running_bot(fake, settings, clock=clock) as bot:
        digests = bot.get_cog("Digests")  # type: ignore[assignment]
        assert await digests.run_due() == 0
        schedule = await bot.schedules.get(fake.guild_id, channel)
        assert schedule is not None and schedule.posted_run == SLOT  # found, and recorded
        # It looked in the channel rather than trusting the marks.
        assert fake.find("GET", rf"/channels/{channel}/messages", since=restart)
    assert _digests_in(fake, channel, restart) == []


async def test_a_digest_whose_post_failed_is_posted_once_on_the_next_pass(
    fake: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    channel = fake.channel()
    settings = _settings(fake, article_server, tmp_path)
    await _schedule_with_one_share(fake, settings, article_server, channel)

    route = rf"/channels/{channel}/messages"
    fake.script("POST", route, 503, {"message": "Service Unavailable", "code": 0})
    start = fake.mark()
    clock = FakeClock(datetime(2026, 11, 26, 17, 2, tzinfo=UTC))
    async with running_bot(fake, settings, clock=clock) as bot:
        digests: Digests = bot.get_cog("Digests")  # type: ignore[assignment]
        await fake.wait_for("POST", route, since=start)  # the first pass's post, refused
        assert await digests.run_due() == 1  # not recorded, so recovered: posted now
        assert await digests.run_due() == 0
        schedule = await bot.schedules.get(fake.guild_id, channel)
        assert schedule is not None and schedule.posted_run == SLOT
    in_channel = [
        m
        for m in fake.messages.values()
        if int(m["channel_id"]) == channel and is_digest_header(m["content"], channel, 24)
    ]
    assert len(in_channel) == 1


async def test_a_run_another_process_is_working_on_is_left_to_it(
    fake: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    """The run's lease: while another process holds it (it claimed the run and is posting),
    this one neither recovers nor posts the run; once it is free, the run is recovered."""
    channel = fake.channel()
    settings = _settings(fake, article_server, tmp_path)
    await _schedule_with_one_share(fake, settings, article_server, channel)
    key = f"digest:{fake.guild_id}:{channel}:{SLOT.timestamp():.0f}"
    database = await open_database(settings.database)
    other = Leases(database, "elsewhere/host/1/abcd", ttl=600)
    try:
        assert await ScheduleStore(database).claim_run(fake.guild_id, channel, SLOT)
        assert await other.try_acquire(key)

        start = fake.mark()
        clock = FakeClock(datetime(2026, 11, 26, 17, 20, tzinfo=UTC))
        async with running_bot(fake, settings, clock=clock) as bot:
            digests: Digests = bot.get_cog("Digests")  # type: ignore[assignment]
            assert await digests.run_due() == 0
            assert fake.find("POST", rf"/channels/{channel}/messages", since=start) == []
            await other.release(key)  # the other process died without posting
            assert await digests.run_due() == 1
        assert len(fake.find("POST", rf"/channels/{channel}/messages", since=start)) == 1
    finally:
        await database.close()
