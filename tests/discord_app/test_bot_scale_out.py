"""Two `newsdesk run` processes (shards 0 and 1 of 2) on one PostgreSQL, against the fake
Discord: the claims of issue 13 about processes, tested with processes.

- The same link posted in a server of each shard at the same moment is fetched once: one
  process fetches under the link's lease, the other waits for it (and says so in its log).
- SIGKILL one process (and its workers) while its fetch hangs, post more while it is down,
  start it again: every link is answered exactly once, by that shard's process, and the other
  process never touches that shard's messages.
- A digest owed when both start is posted once, by the process of its server's shard.

The tests wait on recorded requests, page hits and the processes' own log lines, never on
time passing.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from bot.discord_app.render_digest import is_digest_header
from bot.models import Briefing
from bot.storage.archive import Archive
from bot.storage.database import open_database
from bot.storage.schedules import ScheduleStore
from config.database import PostgresURL
from tests.discord_app.test_bot_process import bot_env, newsdesk_run, wait_or_exit
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.fake_discord import FakeDiscord, Recorded
from tests.helpers.postgres import needs_postgres

pytestmark = needs_postgres
BUDGET_HEADLINE = "Millbrook council passes budget that keeps every branch library open"
FERRY_HEADLINE = "Harbour ferry service to resume after six-month suspension"
TIMEOUT = 120.0


@dataclass
class BotProcess:
    """One `newsdesk run` and the folder its stderr log is in."""

    shard: int
    folder: Path
    process: asyncio.subprocess.Process

    def log(self) -> str:
        return (self.folder / "stderr.log").read_text(errors="replace")

    async def wait_for_log(self, pattern: str, count: int = 1) -> None:
        """Until the process has logged `pattern` `count` times (it fails fast if it dies)."""

        async def grown() -> None:
            while len(re.findall(pattern, self.log())) < count:
                await asyncio.sleep(0.05)  # polling the log file, bounded by the timeout

        await wait_or_exit(self.process, asyncio.wait_for(grown(), TIMEOUT))

    async def until(self, waiting: Awaitable[Any]) -> Any:
        return await wait_or_exit(self.process, waiting)


def _env(fake: FakeDiscord, pages: ArticleServer, folder: Path, dsn: str, shard: int) -> dict:
    env = bot_env(fake, pages, folder, fake.token)
    env.update(
        NEWSDESK_DATABASE=dsn,
        NEWSDESK_SHARD_COUNT="2",
        NEWSDESK_SHARD_IDS=str(shard),
        NEWSDESK_LOG_LEVEL="DEBUG",
    )
    return env


@asynccontextmanager
async def bot_process(
    fake: FakeDiscord, pages: ArticleServer, tmp_path: Path, dsn: str, shard: int
) -> AsyncIterator[BotProcess]:
    """`newsdesk run` for one shard of two, in a process group of its own; yielded once it
    has caught up on its shard (recovery and read-back done)."""
    folder = tmp_path / f"shard-{shard}"
    folder.mkdir(exist_ok=True)
    env = _env(fake, pages, folder, dsn, shard)
    async with newsdesk_run(env, folder, own_group=True) as process:
        bot = BotProcess(shard, folder, process)
        runs = bot.log().count(f"shard {shard} caught up")
        await bot.wait_for_log(f"shard {shard} caught up", runs + 1)
        yield bot


def _held(pages: ArticleServer, path: str, page: str, gate: threading.Event) -> str:
    body = (PAGES / page).read_bytes()

    def handler(request: BaseHTTPRequestHandler) -> None:
        gate.wait(TIMEOUT)
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return pages.add_handler(path, handler)


def _replies(fake: FakeDiscord, message: dict[str, Any]) -> list[Recorded]:
    return fake.find(
        "POST",
        rf"/channels/{message['channel_id']}/messages",
        where=lambda r: (
            str(((r.json or {}).get("message_reference") or {}).get("message_id")) == message["id"]
        ),
    )


def _answered_in_log(bot: BotProcess, message: dict[str, Any]) -> bool:
    return f"answered message {message['id']} " in bot.log()


@pytest.fixture
async def two_shards() -> AsyncIterator[tuple[FakeDiscord, int, int]]:
    fake = FakeDiscord(shard_count=2)
    on_one = fake.add_guild(shard=1)
    await fake.start()
    try:
        yield fake, fake.guild_id, on_one
    finally:
        await fake.stop()


async def test_one_link_posted_on_both_shards_at_once_is_fetched_once(
    two_shards: tuple[FakeDiscord, int, int],
    article_server: ArticleServer,
    postgres_dsn: str,
    tmp_path: Path,
) -> None:
    fake, on_zero, on_one = two_shards
    gate = threading.Event()
    link = _held(article_server, "/held/budget", "bot-city-budget.html", gate)
    try:
        async with AsyncExitStack() as stack:
            zero = await stack.enter_async_context(
                bot_process(fake, article_server, tmp_path, postgres_dsn, 0)
            )
            one = await stack.enter_async_context(
                bot_process(fake, article_server, tmp_path, postgres_dsn, 1)
            )
            first = await fake.post_message(fake.channel(on_zero), f"budget: {link}")
            second = await fake.post_message(fake.channel(on_one), f"same story {link}")
            # One process holds the lease and its fetch hangs; the other waits for it.
            waiting = "waiting for another process's fetch of"
            done, pending = await asyncio.wait(
                [asyncio.ensure_future(bot.wait_for_log(waiting)) for bot in (zero, one)],
                timeout=TIMEOUT,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for task in pending:
                task.cancel()
            [task.result() for task in done]
            await zero.until(asyncio.to_thread(_wait_hits, article_server, "/held/budget", 1))
            assert article_server.hits["/held/budget"] == 1
            gate.set()
            for bot, message in ((zero, first), (one, second)):
                await bot.until(fake.wait_until(lambda m=message: _replies(fake, m), TIMEOUT))
                await bot.wait_for_log(f"answered message {message['id']} ")
            assert not _answered_in_log(zero, second) and not _answered_in_log(one, first)
            for message in (first, second):
                [reply] = _replies(fake, message)
                assert reply.json["embeds"][0]["title"] == BUDGET_HEADLINE
    finally:
        gate.set()
    assert article_server.hits["/held/budget"] == 1
    for bot in (zero, one):
        assert "Traceback" not in bot.log()


async def test_a_process_killed_mid_fetch_comes_back_and_answers_everything_once(
    two_shards: tuple[FakeDiscord, int, int],
    article_server: ArticleServer,
    postgres_dsn: str,
    tmp_path: Path,
) -> None:
    fake, on_zero, on_one = two_shards
    gate = threading.Event()
    hanging = _held(article_server, "/held/budget", "bot-city-budget.html", gate)
    ferry = article_server.page_url("harbour-ferry.html")
    budget = article_server.page_url("bot-city-budget.html")
    channel_one, channel_zero = fake.channel(on_one), fake.channel(on_zero)
    try:
        async with AsyncExitStack() as stack:
            zero = await stack.enter_async_context(
                bot_process(fake, article_server, tmp_path, postgres_dsn, 0)
            )
            async with bot_process(fake, article_server, tmp_path, postgres_dsn, 1) as one:
                taken = await fake.post_message(channel_one, f"tonight: {hanging}")
                await one.until(
                    asyncio.to_thread(lambda: _wait_hits(article_server, "/held/budget", 1))
                )
                os.killpg(one.process.pid, signal.SIGKILL)  # the bot and its workers
                await one.process.wait()

            # While shard 1 is down: more links on it, and life goes on on shard 0.
            missed = await fake.post_message(channel_one, f"ferry news {ferry}", author="bob")
            elsewhere = await fake.post_message(channel_zero, f"on zero {budget}")
            await zero.wait_for_log(f"answered message {elsewhere['id']} ")

            gate.set()  # the page answers now: the restarted process's fetch gets it
            async with bot_process(fake, article_server, tmp_path, postgres_dsn, 1) as again:
                for message in (taken, missed):
                    await again.until(fake.wait_until(lambda m=message: _replies(fake, m), TIMEOUT))
                assert "1 job(s) recovered, 1 missed message(s)" in again.log()
                # A probe after the catch-up: once answered, nothing earlier is still due.
                probe = await fake.post_message(channel_one, ferry)
                await again.until(fake.wait_until(lambda: _replies(fake, probe), TIMEOUT))
                for message in (taken, missed):
                    await again.wait_for_log(f"answered message {message['id']} ")
    finally:
        gate.set()
    for message in (taken, missed, elsewhere, probe):
        assert len(_replies(fake, message)) == 1, message["content"]
    assert _replies(fake, taken)[0].json["embeds"][0]["title"] == BUDGET_HEADLINE
    assert _replies(fake, missed)[0].json["embeds"][0]["title"] == FERRY_HEADLINE
    # The other process never noticed: it answered its own message only.
    for message in (taken, missed, probe):
        assert message["id"] not in zero.log()
    assert "Traceback" not in zero.log()


def _wait_hits(pages: ArticleServer, path: str, count: int) -> None:
    """Block (in a thread) until the page server has had `count` requests for `path`."""
    for _ in range(int(TIMEOUT / 0.02)):
        if pages.hits[path] >= count:
            return
        threading.Event().wait(0.02)
    raise AssertionError(f"{path} was not asked for {count} time(s)")


async def test_a_missed_digest_is_posted_once_by_the_process_of_its_shard(
    two_shards: tuple[FakeDiscord, int, int],
    article_server: ArticleServer,
    postgres_dsn: str,
    tmp_path: Path,
) -> None:
    """Both processes start on one database that owes a digest (its slot passed minutes ago,
    while nothing ran): the process of the server's shard posts it, once; the other never
    looks at it; a restart of the owner does not post it again."""
    fake, _, on_one = two_shards
    channel = fake.channel(on_one)
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=5)).replace(second=0, microsecond=0)
    database = await open_database(PostgresURL(postgres_dsn))
    try:
        shared = Briefing(
            source="https://harbour.example/ferry",
            headline=FERRY_HEADLINE,
            paragraphs=["The ferry returns on Monday after six months."],
            briefing=["The harbour ferry returns on Monday after a six-month suspension."],
        )
        await Archive(database).record_share(
            shared,
            guild_id=on_one,
            channel_id=channel,
            message_id=4242,
            jump_url=f"https://discord.com/channels/{on_one}/{channel}/4242",
            poster_id=7,
            shared_at=slot - timedelta(hours=2),
        )
        yesterday = ScheduleStore(database, clock=lambda: now - timedelta(days=1))
        await yesterday.set(on_one, channel, slot.hour, slot.minute, "UTC")
    finally:
        await database.close()

    def digests() -> list[Recorded]:
        return [
            posted
            for posted in fake.find("POST", rf"/channels/{channel}/messages")
            if is_digest_header(posted.json.get("content") or "", channel, 24)
        ]

    posted_line = f"posted the scheduled digest of channel {channel}"
    async with AsyncExitStack() as stack:
        zero = await stack.enter_async_context(
            bot_process(fake, article_server, tmp_path, postgres_dsn, 0)
        )
        async with bot_process(fake, article_server, tmp_path, postgres_dsn, 1) as one:
            await one.until(fake.wait_until(digests, TIMEOUT))
            await one.wait_for_log(posted_line)
        assert digests()[0].json["embeds"][0]["title"] == FERRY_HEADLINE
        # The owner again, from scratch (its log goes on in the same file): its first digest
        # pass owes nothing.
        before, passes = len(one.log()), one.log().count("digest pass")
        async with bot_process(fake, article_server, tmp_path, postgres_dsn, 1) as again:
            await again.wait_for_log(r"digest pass: \d+ due here", passes + 1)
        await zero.wait_for_log(r"digest pass: \d+ due here")
    assert len(digests()) == 1
    restarted = again.log()[before:]
    assert posted_line not in zero.log() and posted_line not in restarted
    assert "digest pass: 0 due here, 0 posted" in restarted
    assert re.findall(r"digest pass: \d+ due here", zero.log()) and "1 due here" not in zero.log()
    assert "Traceback" not in zero.log() + one.log()
