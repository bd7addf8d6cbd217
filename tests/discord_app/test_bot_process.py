"""`newsdesk run` as a real process, and the bot's state across a restart.

The process tests start `python -m bot run` pointed at the fake Discord only through the
environment, exactly as an operator would configure it, and watch what it does on the wire.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.discord_app.client import run_bot
from bot.messages import say
from config import Settings
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.fake_discord import (
    APP_FLAG_MESSAGE_CONTENT_LIMITED,
    EPHEMERAL,
    INTENT_MESSAGE_CONTENT,
    FakeDiscord,
    Recorded,
    bot_settings,
    running_bot,
)
from tests.helpers.paths import REPO

T = TypeVar("T")
BUDGET_HEADLINE = "Millbrook council passes budget that keeps every branch library open"


def bot_env(fake: FakeDiscord, pages: ArticleServer, tmp_path: Path, token: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEWSDESK_") and k != "DISCORD_TOKEN"
    }
    env.update(
        {
            "DISCORD_TOKEN": token,
            "NEWSDESK_DISCORD_API_BASE": fake.api_base,
            "NEWSDESK_DISCORD_GATEWAY": fake.gateway_url,
            "NEWSDESK_DATABASE": str(tmp_path / "data" / "newsdesk.sqlite3"),
            "NEWSDESK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "NEWSDESK_ALLOWED_PORTS": f"80,443,{pages.port}",
            "NEWSDESK_WORKERS": "1",
            "PYTHONPATH": str(REPO),
        }
    )
    return env


@asynccontextmanager
async def newsdesk_run(
    env: Mapping[str, str], cwd: Path, *, own_group: bool = False
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot run`, stderr to `cwd/stderr.log`; SIGTERM and reaped on exit.

    `own_group`: in a process group of its own (as under systemd), so a test can signal the
    whole group — the bot and its workers — without signalling itself.
    """
    with open(cwd / "stderr.log", "ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=own_group,
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def wait_or_exit(process: asyncio.subprocess.Process, waiting: Awaitable[T]) -> T:
    """Await `waiting`, but fail at once (with stderr) if the process dies first."""
    task = asyncio.ensure_future(waiting)
    exited = asyncio.ensure_future(process.wait())
    done, _ = await asyncio.wait({task, exited}, return_when=asyncio.FIRST_COMPLETED)
    if task not in done:
        task.cancel()
        raise AssertionError(f"newsdesk run exited early with status {process.returncode}")
    exited.cancel()
    return task.result()


async def run_to_exit(env: Mapping[str, str], tmp_path: Path, fake: FakeDiscord) -> tuple[int, str]:
    """Run `newsdesk run` until it exits by itself; its status and stderr. Stops `fake` after."""
    try:
        async with newsdesk_run(env, tmp_path) as process:
            status = await asyncio.wait_for(process.wait(), 60)
    finally:
        await fake.stop()
    return status, (tmp_path / "stderr.log").read_text()


async def test_newsdesk_run_replies_to_a_posted_link(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = fake_discord
    env = bot_env(fake, article_server, tmp_path, fake.token)
    async with newsdesk_run(env, tmp_path) as process:
        await wait_or_exit(process, fake.wait_identified(timeout=90))
        channel = fake.channel()
        link = article_server.page_url("bot-city-budget.html")
        posted = await fake.post_message(channel, f"tonight's vote: {link}")
        reply = await wait_or_exit(
            process,
            fake.wait_for(
                "POST",
                rf"/channels/{channel}/messages",
                where=lambda r: (
                    (r.json or {}).get("message_reference", {}).get("message_id")
                    == int(posted["id"])
                ),
                timeout=90,
            ),
        )
        sent = reply.json
        assert sent["embeds"][0]["title"] == BUDGET_HEADLINE
        assert sent["allowed_mentions"] == {"parse": [], "replied_user": False}
        process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 30)
    stderr = (tmp_path / "stderr.log").read_text()
    assert status == 0, stderr
    assert "Traceback" not in stderr
    assert fake.token not in stderr  # the token is never logged
    assert (tmp_path / "data" / "newsdesk.sqlite3").is_file()


async def test_a_rejected_token_exits_2_with_one_clear_line(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = FakeDiscord(token="the-real-token")
    await fake.start()
    env = bot_env(fake, article_server, tmp_path, "a-revoked-token")
    status, stderr = await run_to_exit(env, tmp_path, fake)
    assert status == 2, stderr
    assert "Traceback" not in stderr
    assert "a-revoked-token" not in stderr
    ours = [line for line in stderr.splitlines() if line.startswith("newsdesk:")]
    assert ours == [f"newsdesk: {say('exit.token_rejected')}"]
    assert fake.find("GET", r"/users/@me")  # it really asked Discord
    assert not fake.identified


async def test_a_missing_token_exits_2_before_connecting(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = FakeDiscord()
    await fake.start()
    env = bot_env(fake, article_server, tmp_path, "")
    status, stderr = await run_to_exit(env, tmp_path, fake)
    assert status == 2
    assert stderr.strip().splitlines() == [f"newsdesk: {say('exit.no_token')}"]
    assert fake.requests == []


async def test_modes_and_delete_buttons_survive_a_restart(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = fake_discord
    settings = bot_settings(fake, tmp_path / "state" / "newsdesk.sqlite3", article_server.port)
    quiet, loud = fake.channel(), fake.channel()
    mode_off = [
        {"type": 1, "name": "mode", "options": [{"type": 3, "name": "mode", "value": "off"}]}
    ]
    async with running_bot(fake, settings):
        command = await fake.slash("newsdesk", quiet, user="mod", options=mode_off)
        await fake.wait_for("POST", fake.callback_path(command))
        posted = await fake.post_message(loud, article_server.page_url("bot-city-budget.html"))
        await fake.wait_for("POST", rf"/channels/{loud}/messages")
    reply = next(m for m in fake.messages.values() if m.get("message_reference"))
    assert reply["message_reference"]["message_id"] == int(posted["id"])

    async with running_bot(fake, settings):
        await fake.wait_identified(count=2)
        status = await fake.slash(
            "newsdesk", quiet, user="mod", options=[{"type": 1, "name": "status"}]
        )
        answer = (await fake.wait_for("POST", fake.callback_path(status))).json
        assert "**off**" in answer["data"]["content"]
        assert "default" not in answer["data"]["content"]
        assert answer["data"]["flags"] & EPHEMERAL

        # A Delete button posted by the first bot still works in the second.
        custom_id = reply["components"][0]["components"][0]["custom_id"]
        click = await fake.click(reply, custom_id, user="alice")
        assert (await fake.wait_for("POST", fake.callback_path(click))).json["type"] == 6
        await fake.wait_for("DELETE", rf"/channels/{loud}/messages/{reply['id']}")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_discord_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/api/v10"
    settings = Settings(
        _env_file=None,
        DISCORD_TOKEN="some-token",
        discord_api_base=base,
        database=tmp_path / "db.sqlite3",
    )
    assert run_bot(settings) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsdesk: " + say("exit.unreachable", base=base, error=""))
    assert len(err.strip().splitlines()) == 1
    assert "some-token" not in err


async def test_a_rejected_token_at_the_gateway_exits_2_with_one_line(
    fake_discord: FakeDiscord,
    article_server: ArticleServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_discord.identify_close_code = 4004
    settings = bot_settings(fake_discord, tmp_path / "db.sqlite3", article_server.port)
    # run_bot owns its event loop, so it runs in a thread while this loop serves the fake.
    status = await asyncio.to_thread(run_bot, settings)
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("newsdesk: " + say("exit.token_rejected"))
    assert "Traceback" not in err


async def test_a_refused_intent_the_operator_insists_on_exits_2_with_one_line(
    fake_discord: FakeDiscord,
    article_server: ArticleServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = fake_discord
    fake.message_content_allowed = False
    settings = bot_settings(
        fake, tmp_path / "db.sqlite3", article_server.port, message_content="on"
    )
    status = await asyncio.to_thread(run_bot, settings)
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().splitlines()[-1] == "newsdesk: " + say("exit.intent_refused")
    assert "Traceback" not in err
    assert [bool(i & INTENT_MESSAGE_CONTENT) for i in fake.identify_intents()] == [True]


async def test_an_intent_refused_despite_the_flags_means_one_start_without_it(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    """The application's flags say yes, the gateway says 4014 (switched off meanwhile): in
    `auto` the process starts again without the intent, and keeps running."""
    fake = FakeDiscord()
    fake.message_content_allowed = False
    fake.application_flags = APP_FLAG_MESSAGE_CONTENT_LIMITED
    await fake.start()
    try:
        env = bot_env(fake, article_server, tmp_path, fake.token)
        async with newsdesk_run(env, tmp_path) as process:
            await wait_or_exit(process, fake.wait_identified(count=2, timeout=90))
            asking = [bool(i & INTENT_MESSAGE_CONTENT) for i in fake.identify_intents()]
            assert asking == [True, False]
            channel = fake.channel()
            asked = await fake.mention_bot(channel, article_server.page_url("bot-city-budget.html"))
            reply = await wait_or_exit(
                process,
                fake.wait_for("POST", rf"/channels/{channel}/messages", timeout=90),
            )
            assert reply.json["message_reference"]["message_id"] == int(asked["id"])
            process.send_signal(signal.SIGTERM)
            status = await asyncio.wait_for(process.wait(), 30)
    finally:
        await fake.stop()
    stderr = (tmp_path / "stderr.log").read_text()
    assert status == 0, stderr
    assert stderr.count(say("run.message_content_refused")) == 1
    assert stderr.count(say("run.message_content_missing")) == 1
    assert "Traceback" not in stderr


async def test_a_process_running_shard_1_of_2_answers_only_its_guilds_in_json_logs(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    """Shard 1's process sees and answers its own guilds only: never shard 0's, never a DM
    (Discord sends those to shard 0). Its logs are JSON lines that say which shards wrote them
    and never hold the token, even at DEBUG."""
    fake = FakeDiscord(shard_count=2)
    ours = fake.add_guild(shard=1)
    await fake.start()
    link = article_server.page_url("bot-city-budget.html")
    try:
        # Shard 0's process registers the commands (application-wide work) and is gone
        # before shard 1's starts: nothing else could answer shard 0's events.
        zero = bot_settings(
            fake, tmp_path / "zero.sqlite3", article_server.port, shard_count=2, shard_ids="0"
        )
        async with running_bot(fake, zero):
            assert fake.commands.get(None)
        start = fake.mark()
        env = bot_env(fake, article_server, tmp_path, fake.token)
        env.update(
            NEWSDESK_SHARD_COUNT="2",
            NEWSDESK_SHARD_IDS="1",
            NEWSDESK_LOG_FORMAT="json",
            NEWSDESK_LOG_LEVEL="DEBUG",
        )
        async with newsdesk_run(env, tmp_path) as process:
            await wait_or_exit(process, fake.wait_identified(count=2, timeout=90))
            assert fake.identify_shards()[-1] == (1, 2)
            theirs = await fake.post_message(fake.channel(), f"on shard 0: {link}")
            url_option = [{"type": 3, "name": "url", "value": link}]
            in_dm = await fake.dm_slash("brief", options=url_option)
            mine = await fake.post_message(fake.channel(ours), f"on shard 1: {link}")
            reply = await wait_or_exit(
                process,
                fake.wait_for(
                    "POST",
                    rf"/channels/{mine['channel_id']}/messages",
                    since=start,
                    where=lambda r: r.json["message_reference"]["message_id"] == int(mine["id"]),
                    timeout=90,
                ),
            )
            assert reply.json["embeds"][0]["title"] == BUDGET_HEADLINE
            process.send_signal(signal.SIGTERM)
            status = await asyncio.wait_for(process.wait(), 30)
    finally:
        await fake.stop()
    stderr = (tmp_path / "stderr.log").read_text()
    assert status == 0, stderr[-3000:]
    assert not fake.find("POST", rf"/channels/{theirs['channel_id']}/messages", since=start)
    assert not fake.find("POST", fake.callback_path(in_dm), since=start)
    assert {(event, data["id"]) for event, data in fake.undelivered} == {
        ("MESSAGE_CREATE", theirs["id"]),
        ("INTERACTION_CREATE", in_dm["id"]),
    }
    assert not fake.find("PUT", rf"/applications/{fake.app_id}/.*commands", since=start)

    assert fake.token not in stderr
    records = [json.loads(line) for line in stderr.splitlines()]  # every line is JSON
    assert len(records) > 10
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record)
        assert (record["shard_ids"], record["shard_count"]) == ("1", 2)
    assert any(r["level"] == "DEBUG" and r["logger"].startswith("discord") for r in records)
    assert not any("Traceback" in r.get("exception", "") for r in records)


async def test_dev_guild_commands_are_registered_to_that_guild_and_work(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = fake_discord
    settings = bot_settings(
        fake, tmp_path / "db.sqlite3", article_server.port, dev_guild_id=fake.guild_id
    )
    async with running_bot(fake, settings):
        assert fake.find("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")
        assert {c["name"] for c in fake.commands[fake.guild_id]} >= {"brief", "newsdesk"}
        channel = fake.channel()
        status = await fake.slash(
            "newsdesk", channel, user="mod", options=[{"type": 1, "name": "status"}]
        )
        answer = (await fake.wait_for("POST", fake.callback_path(status))).json
        assert "**auto**" in answer["data"]["content"]


async def test_a_database_that_cannot_be_opened_exits_2_with_one_clear_line(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    fake = FakeDiscord()
    await fake.start()
    env = bot_env(fake, article_server, tmp_path, fake.token)
    env["NEWSDESK_DATABASE"] = str(blocker / "newsdesk.sqlite3")
    status, stderr = await run_to_exit(env, tmp_path, fake)
    assert status == 2, stderr
    assert "Traceback" not in stderr
    ours = [line for line in stderr.splitlines() if line.startswith("newsdesk:")]
    assert len(ours) == 1 and ours[0].startswith(
        f"newsdesk: could not open the database at {blocker / 'newsdesk.sqlite3'}: "
    ), stderr
    assert "reach Discord" not in stderr
    assert not fake.identified


async def test_a_database_from_a_newer_newsdesk_exits_2_and_is_not_migrated(
    article_server: ArticleServer, tmp_path: Path
) -> None:
    path = tmp_path / "newsdesk.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    fake = FakeDiscord()
    await fake.start()
    env = bot_env(fake, article_server, tmp_path, fake.token)
    env["NEWSDESK_DATABASE"] = str(path)
    status, stderr = await run_to_exit(env, tmp_path, fake)
    assert status == 2, stderr
    ours = [line for line in stderr.splitlines() if line.startswith("newsdesk:")]
    assert len(ours) == 1 and "schema version 999 is newer than this Newsdesk" in ours[0], stderr
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (999,)
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    assert not fake.identified


async def test_a_message_briefed_before_a_restart_is_not_briefed_again(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = fake_discord
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    channel = fake.channel()
    replies = rf"/channels/{channel}/messages"
    async with running_bot(fake, settings) as bot:
        await bot.store.set_mode(fake.guild_id, channel, "react")
        posted = await fake.post_message(channel, article_server.page_url("bot-city-budget.html"))
        await fake.wait_for("PUT", rf"{replies}/{posted['id']}/reactions/📰/@me")
        await fake.add_reaction(channel, posted["id"], "📰", user="bob")
        await fake.wait_for("POST", replies)

    async with running_bot(fake, settings):
        await fake.wait_identified(count=2)
        start = fake.mark()
        await fake.add_reaction(channel, posted["id"], "📰", user="mod")
        # A fresh post asked for after it: once its reply is out, the old 📰 has been handled.
        fresh = await fake.post_message(channel, article_server.page_url("bot-city-budget.html"))
        await fake.wait_for("PUT", rf"{replies}/{fresh['id']}/reactions/📰/@me", since=start)
        await fake.add_reaction(channel, fresh["id"], "📰", user="mod")
        await fake.wait_for("POST", replies, since=start)
        answered = [
            r.json["message_reference"]["message_id"]
            for r in fake.find("POST", replies, since=start)
        ]
        assert [str(m) for m in answered] == [str(fresh["id"])]


async def test_sigterm_to_the_process_group_finishes_in_flight_links_and_caches_no_failure(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    """systemd stops a service by sending SIGTERM to every process in it: the workers too.
    The link being fetched at that moment is still briefed, and after the restart the same
    link is answered with its briefing (a failure caused by the shutdown is never cached)."""
    fake = fake_discord
    body = (PAGES / "bot-city-budget.html").read_bytes()
    asked, release = threading.Event(), threading.Event()

    def held_page(handler: BaseHTTPRequestHandler) -> None:
        asked.set()
        release.wait(30)  # answered only once the whole group has had its SIGTERM
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    link = article_server.add_handler("/held/budget", held_page)
    env = bot_env(fake, article_server, tmp_path, fake.token)
    channel = fake.channel()

    def reply_to(message: dict[str, Any]) -> Awaitable[Recorded]:
        return fake.wait_for(
            "POST",
            rf"/channels/{channel}/messages",
            where=lambda r: (
                (r.json or {}).get("message_reference", {}).get("message_id") == int(message["id"])
            ),
            timeout=90,
        )

    async with newsdesk_run(env, tmp_path, own_group=True) as process:
        await wait_or_exit(process, fake.wait_identified(timeout=90))
        posted = await fake.post_message(channel, f"budget night: {link}")
        await wait_or_exit(process, asyncio.to_thread(asked.wait, 60))
        os.killpg(process.pid, signal.SIGTERM)  # the bot and its worker, as systemd does
        release.set()
        reply = await wait_or_exit(process, reply_to(posted))
        status = await asyncio.wait_for(process.wait(), 30)
    assert status == 0, (tmp_path / "stderr.log").read_text()
    assert reply.json["embeds"][0]["title"] == BUDGET_HEADLINE
    assert not fake.find("PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/.+")

    async with newsdesk_run(env, tmp_path, own_group=True) as process:
        await wait_or_exit(process, fake.wait_identified(count=2, timeout=90))
        again = await fake.post_message(channel, link, author="bob")
        reply = await wait_or_exit(process, reply_to(again))
    assert reply.json["embeds"][0]["title"] == BUDGET_HEADLINE
    assert "Traceback" not in (tmp_path / "stderr.log").read_text()


async def test_a_metrics_address_already_taken_exits_2_with_one_line(
    fake_discord: FakeDiscord,
    article_server: ArticleServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        settings = bot_settings(
            fake_discord, tmp_path / "db.sqlite3", article_server.port, metrics_addr=address
        )
        status = await asyncio.to_thread(run_bot, settings)
    err = capsys.readouterr().err
    assert status == 2
    ours = [line for line in err.splitlines() if line.startswith("newsdesk:")]
    assert len(ours) == 1
    assert ours[0].startswith(
        "newsdesk: " + say("exit.endpoint_unavailable", address=address, error="")
    )
    assert "Traceback" not in err
    assert not fake_discord.identified  # it stopped before connecting to the gateway
