"""What an operator sees while the bot runs: /metrics and /healthz scraped over loopback.

The real bot (real pipeline, one worker process, SQLite file) serves its endpoint on a free
loopback port; the counters must move with what happens in the channels, and /healthz must
turn 503, naming the part, when the worker pool or the database is gone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers.article_server import ArticleServer
from tests.helpers.fake_discord import FakeDiscord, bot_settings, running_bot

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(port: int) -> Samples:
    url = f"http://127.0.0.1:{port}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        text = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def healthz(port: int) -> tuple[int, dict[str, Any]]:
    url = f"http://127.0.0.1:{port}/healthz"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, json.loads(await response.text())


def skipped(samples: Samples, reason: str) -> float:
    return samples[("newsdesk_links_skipped_total", (("reason", reason),))]


async def test_metrics_move_with_the_channels_and_health_names_what_broke(
    fake_discord: FakeDiscord, article_server: ArticleServer, tmp_path: Path
) -> None:
    fake = fake_discord
    fake.heartbeat_interval_ms = 200  # so the shard's latency is measured during the test
    database = tmp_path / "data" / "newsdesk.sqlite3"
    settings = bot_settings(
        fake, database, article_server.port, metrics_addr="127.0.0.1:0", user_links_per_minute=1
    )
    good = article_server.page_url("bot-city-budget.html")
    missing = article_server.add("/ops/gone", "<h1>Not here</h1>", status=404)
    async with running_bot(fake, settings, enable_debug_events=True) as bot:
        port = bot.ops_port
        assert port
        status, answer = await healthz(port)
        assert (status, answer["status"], answer["failing"]) == (200, "ok", [])
        before = await scrape(port)
        assert before[("newsdesk_links_seen_total", ())] == 0
        assert before[("newsdesk_shard_connected", (("shard", "0"),))] == 1
        assert before[("newsdesk_workers_alive", ())] == 1
        assert before[("newsdesk_message_content_intent", ())] == 1

        # A heartbeat's acknowledgement: the shard's latency is known from then on.
        await bot.wait_for("socket_raw_receive", check=lambda raw: '"op": 11' in str(raw))

        quiet = fake.channel()
        await bot.store.set_mode(fake.guild_id, quiet, "off")
        await fake.post_message(quiet, good, author="mod")  # off: skipped, no rate limit used
        briefed = await fake.post_message(fake.channel(), good, author="alice")
        failing = await fake.post_message(fake.channel(), missing, author="bob")
        await fake.wait_for("POST", rf"/channels/{briefed['channel_id']}/messages")
        await fake.wait_for(
            "PUT", rf"/channels/{failing['channel_id']}/messages/{failing['id']}/reactions/⚠️/@me"
        )
        over = await fake.post_message(fake.channel(), good, author="alice")  # her 2nd this minute
        await fake.wait_for(
            "PUT", rf"/channels/{over['channel_id']}/messages/{over['id']}/reactions/⏳/@me"
        )
        command = await fake.slash(  # the same page again: from the cache
            "brief", fake.channel(), user="mod", options=[{"type": 3, "name": "url", "value": good}]
        )
        await fake.wait_for("POST", fake.followup_path(command))

        after = await scrape(port)
        assert after[("newsdesk_links_seen_total", ())] == 4
        assert after[("newsdesk_links_briefed_total", ())] == 1
        assert skipped(after, "channel_off") == 1
        assert skipped(after, "failed") == 1
        assert skipped(after, "rate_limited") == 1
        assert skipped(after, "busy") == 0
        assert after[("newsdesk_cache_misses_total", ())] == 2  # the page and the 404
        assert after[("newsdesk_cache_hits_total", ())] == 1  # /brief of the briefed page
        assert after[("newsdesk_briefing_seconds_count", (("cached", "false"),))] == 2
        assert after[("newsdesk_briefing_seconds_count", (("cached", "true"),))] == 1
        assert after[("newsdesk_gateway_latency_seconds", (("shard", "0"),))] >= 0
        assert after[("newsdesk_database_errors_total", ())] == 0
        assert after[("newsdesk_queue_depth", ())] == 0

        await bot.pipeline.pool.close()  # the worker processes are gone
        status, answer = await healthz(port)
        assert status == 503
        assert answer["failing"] == ["workers"]
        assert answer["checks"]["workers"]["reason"] == "no extraction worker process is alive"
        assert (await scrape(port))[("newsdesk_workers_alive", ())] == 0

        for path in database.parent.iterdir():  # the data volume is wiped under the bot
            path.unlink()
        status, answer = await healthz(port)
        assert status == 503
        assert answer["failing"] == ["database", "workers"]
        assert answer["checks"]["database"] == {"ok": False, "reason": "the database file is gone"}
        assert answer["checks"]["gateway"] == {"ok": True}
    assert bot.ops_port is None  # closed with the bot
