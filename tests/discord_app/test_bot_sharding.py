"""One bot process running two shards: each guild's events arrive on its own shard, DMs on
shard 0, and every message is answered once.

The fake Discord routes as Discord does (a guild's events to shard `(guild_id >> 22) %
shard_count`, events without a guild to shard 0), and records what it sent to which shard.
"""

from __future__ import annotations

from typing import Any

from bot.shards import shard_of
from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import FakeDiscord, Recorded, bot_settings, running_bot

BUDGET_HEADLINE = "Millbrook council passes budget that keeps every branch library open"


def _replies(fake: FakeDiscord, message: dict[str, Any]) -> list[Recorded]:
    return fake.find(
        "POST",
        rf"/channels/{message['channel_id']}/messages",
        where=lambda r: (
            str(((r.json or {}).get("message_reference") or {}).get("message_id")) == message["id"]
        ),
    )


async def _reply(fake: FakeDiscord, message: dict[str, Any]) -> Recorded:
    await fake.wait_until(lambda: _replies(fake, message))
    return _replies(fake, message)[0]


async def test_two_shards_in_one_process_get_their_own_guilds_and_answer_each_once(
    article_server: ArticleServer, tmp_path
) -> None:
    fake = FakeDiscord(shard_count=2)
    second_guild = fake.add_guild(shard=1)
    await fake.start()
    link = article_server.page_url("bot-city-budget.html")
    try:
        settings = bot_settings(
            fake, tmp_path / "db.sqlite3", article_server.port, shard_count=2, shard_ids="0-1"
        )
        async with running_bot(fake, settings) as bot:
            assert sorted(s for s in fake.identify_shards() if s) == [(0, 2), (1, 2)]
            assert bot.get_guild(fake.guild_id).shard_id == 0
            assert bot.get_guild(second_guild).shard_id == 1
            assert bot.owns_guild(fake.guild_id) and bot.owns_guild(second_guild)
            assert bot.owns_guild(None)  # DMs: shard 0 is here

            on_zero = await fake.post_message(fake.channel(), f"council: {link}")
            on_one = await fake.post_message(fake.channel(second_guild), f"same story {link}")
            for message in (on_zero, on_one):
                reply = (await _reply(fake, message)).json
                assert reply["embeds"][0]["title"] == BUDGET_HEADLINE
            brief = [{"type": 3, "name": "url", "value": link}]
            in_dm = await fake.dm_slash("brief", options=brief)
            answered = await fake.wait_for("POST", fake.followup_path(in_dm))
            assert answered.json["embeds"][0]["title"] == BUDGET_HEADLINE

            # A probe on each shard: by its reply, anything due before it on that shard is in.
            probes = [
                await fake.post_message(fake.channel(guild), link)
                for guild in (fake.guild_id, second_guild)
            ]
            for probe in probes:
                await _reply(fake, probe)
            assert [len(_replies(fake, m)) for m in (on_zero, on_one)] == [1, 1]
            assert len(fake.find("POST", fake.callback_path(in_dm))) == 1

        events = [d for d in fake.delivered if d.event in ("MESSAGE_CREATE", "INTERACTION_CREATE")]
        assert len(events) == 5
        for delivery in events:
            expected = 0 if delivery.guild_id is None else shard_of(delivery.guild_id, 2)
            assert delivery.shard == (expected, 2)
        assert {d.guild_id for d in events} == {fake.guild_id, second_guild, None}
        assert fake.undelivered == []
        # Commands are application-wide: registered once, by the process that has shard 0.
        assert len(fake.find("PUT", rf"/applications/{fake.app_id}/commands")) == 1
    finally:
        await fake.stop()
