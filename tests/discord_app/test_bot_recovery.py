"""Nothing lost across restarts, in one bot: links posted while it was down are read back
from the channels' history and answered once; jobs an earlier run left are finished, and a
job that was `sending` when the process died is not answered again if its reply is there.

The catch-up logs one line per shard when it is done (`bot.discord_app.recovery`): the tests
wait for that line, then for the replies — never for time to pass.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bot.storage.database import open_database
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import FakeDiscord, Recorded, bot_settings, running_bot
from tests.helpers.log_lines import log_lines

BUDGET_HEADLINE = "Millbrook council passes budget that keeps every branch library open"
CAUGHT_UP = r"shard (\d+) caught up: (\d+) job\(s\) recovered, (\d+) missed message\(s\)"


def _replies_to(fake: FakeDiscord, message: dict[str, Any]) -> list[Recorded]:
    return fake.find(
        "POST",
        rf"/channels/{message['channel_id']}/messages",
        where=lambda r: (
            str(((r.json or {}).get("message_reference") or {}).get("message_id")) == message["id"]
        ),
    )


async def test_links_posted_while_the_bot_was_down_are_answered_once_after_it_starts(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = fake_discord
    settings = bot_settings(fake, tmp_path / "newsdesk.sqlite3", article_server.port)
    channel, quiet = fake.channel(), fake.channel()
    budget = article_server.page_url("bot-city-budget.html")
    with log_lines("bot.discord_app.recovery", CAUGHT_UP) as caught_up:
        async with running_bot(fake, settings) as bot:
            await caught_up.wait_for(1)  # first run: nothing to read back, the mark is stored
            assert caught_up.matches[0].groups() == ("0", "0", "0")
            await bot.store.set_mode(fake.guild_id, quiet, "off")
            before = await fake.post_message(channel, f"live: {budget}")
            await fake.wait_until(lambda: _replies_to(fake, before))

        missed = fake.post_while_down(channel, f"while you were out {budget}", author="bob")
        chatter = fake.post_while_down(channel, "no link here")
        in_off_channel = fake.post_while_down(quiet, budget)
        async with running_bot(fake, settings):
            await caught_up.wait_for(2)
            assert caught_up.matches[1].groups() == ("0", "0", "1")
            await fake.wait_until(lambda: _replies_to(fake, missed))
            reply = _replies_to(fake, missed)[0].json
            assert reply["embeds"][0]["title"] == BUDGET_HEADLINE
            assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}

        # A third start reads back the same history and answers nothing again.
        start = fake.mark()
        async with running_bot(fake, settings):
            await caught_up.wait_for(3)
            assert caught_up.matches[2].groups() == ("0", "0", "0")
    assert [len(_replies_to(fake, m)) for m in (before, missed)] == [1, 1]
    assert not _replies_to(fake, chatter) and not _replies_to(fake, in_off_channel)
    assert not fake.find("POST", rf"/channels/{channel}/messages", since=start)


async def test_a_message_older_than_the_read_back_window_is_left_alone(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    """A restart reads back the last 15 minutes at most: a link posted 20 minutes ago (the
    bot down since) would only confuse now. The shard's stored mark is older still."""
    fake = fake_discord
    path = tmp_path / "newsdesk.sqlite3"
    settings = bot_settings(fake, path, article_server.port)
    channel = fake.channel()
    budget = article_server.page_url("bot-city-budget.html")
    with log_lines("bot.discord_app.recovery", CAUGHT_UP) as caught_up:
        async with running_bot(fake, settings):
            await caught_up.wait_for(1)
        db = await open_database(path)
        try:
            await db.execute("UPDATE shard_watermarks SET message_id = 1")  # long ago
        finally:
            await db.close()
        old = fake.post_while_down(channel, f"old news {budget}")
        twenty_minutes_ago = (int(old["id"]) >> 22) - 20 * 60 * 1000
        fake.messages.pop(int(old["id"]))
        old["id"] = str((twenty_minutes_ago << 22) + 1)
        fake.messages[int(old["id"])] = old
        recent = fake.post_while_down(channel, f"fresh {budget}")
        async with running_bot(fake, settings):
            await caught_up.wait_for(2)
            assert caught_up.matches[1].groups() == ("0", "0", "1")
            await fake.wait_until(lambda: _replies_to(fake, recent))
    assert not _replies_to(fake, old)


async def test_jobs_left_by_a_dead_process_are_finished_without_answering_twice(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    """An earlier run died with two jobs open: one `pending` (nothing posted yet) and one
    `sending` whose reply had in fact gone out. The new run answers the first once, finds the
    reply to the second in the channel's history and posts nothing for it."""
    fake = fake_discord
    path = tmp_path / "newsdesk.sqlite3"
    settings = bot_settings(fake, path, article_server.port)
    channel = fake.channel()
    budget = article_server.page_url("bot-city-budget.html")
    with log_lines("bot.discord_app.recovery", CAUGHT_UP) as caught_up:
        async with running_bot(fake, settings):
            await caught_up.wait_for(1)
        pending = fake.post_while_down(channel, f"pending {budget}")
        sending = fake.post_while_down(channel, f"sending {budget}", author="bob")
        fake._bot_message(
            channel,
            {
                "content": "(the reply that went out)",
                "message_reference": {"message_id": sending["id"], "channel_id": str(channel)},
            },
        )
        db = await open_database(path)
        try:
            now = time.time()
            for message, state in ((pending, "pending"), (sending, "sending")):
                await db.execute(
                    "INSERT INTO intake_jobs (message_id, guild_id, channel_id, shard_id, "
                    "author_id, items, state, holder, created_at, updated_at) "
                    "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
                    (
                        int(message["id"]),
                        fake.guild_id,
                        channel,
                        int(message["author"]["id"]),
                        json.dumps([budget]),
                        state,
                        "all shards/elsewhere/1/dead",
                        now,
                        now,
                    ),
                )
        finally:
            await db.close()
        start = fake.mark()
        async with running_bot(fake, settings) as bot:
            await caught_up.wait_for(2)
            assert caught_up.matches[1].groups() == ("0", "2", "0")  # read back: both known
            await fake.wait_until(lambda: _replies_to(fake, pending))
            assert await bot.store.was_answered(int(sending["id"]))
            assert await bot.intake.unfinished() == []
    assert len(_replies_to(fake, pending)) == 1
    assert not fake.find(
        "POST",
        rf"/channels/{channel}/messages",
        since=start,
        where=lambda r: r.json["message_reference"]["message_id"] == int(sending["id"]),
    )
