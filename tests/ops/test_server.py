"""The operators' endpoint over loopback: /metrics in Prometheus text, /healthz 200 or 503."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Mapping

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.errors import EndpointUnavailable
from bot.messages import say
from bot.ops.health import HealthCheck
from bot.ops.metrics import Metrics
from bot.ops.server import OpsServer


async def ok() -> str | None:
    return None


async def broken() -> str | None:
    return "the database file is gone"


async def raising() -> str | None:
    raise ConnectionResetError("server closed the connection")


async def hanging() -> str | None:
    await asyncio.Event().wait()
    return None


@pytest.fixture
async def serve() -> AsyncIterator[object]:
    servers: list[OpsServer] = []

    async def start(checks: Mapping[str, HealthCheck], metrics: Metrics | None = None) -> str:
        server = OpsServer(metrics or Metrics(), checks, "127.0.0.1", 0, check_deadline=0.2)
        await server.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server in servers:
        await server.stop()


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def test_metrics_are_served_in_the_prometheus_text_format(serve) -> None:
    metrics = Metrics()
    metrics.seen(2)
    base = await serve({"gateway": ok}, metrics)
    status, content_type, body = await get(f"{base}/metrics")
    assert status == 200
    assert content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(body)}
    assert families["newsdesk_links_seen"].samples[0].value == 2


async def test_healthz_is_200_when_every_check_passes(serve) -> None:
    base = await serve({"gateway": ok, "database": ok, "workers": ok})
    status, content_type, body = await get(f"{base}/healthz")
    assert status == 200 and content_type.startswith("application/json")
    answer = json.loads(body)
    assert answer == {
        "status": "ok",
        "failing": [],
        "checks": {"gateway": {"ok": True}, "database": {"ok": True}, "workers": {"ok": True}},
    }


async def test_healthz_is_503_and_names_what_failed(serve) -> None:
    base = await serve({"gateway": ok, "database": broken, "workers": raising, "slow": hanging})
    status, _, body = await get(f"{base}/healthz")
    answer = json.loads(body)
    assert status == 503
    assert answer["status"] == "failing"
    assert answer["failing"] == ["database", "workers", "slow"]
    assert answer["checks"]["gateway"] == {"ok": True}
    assert answer["checks"]["database"] == {"ok": False, "reason": "the database file is gone"}
    assert answer["checks"]["workers"]["reason"].startswith("ConnectionResetError: server closed")
    assert answer["checks"]["slow"]["reason"] == "no answer within 0.2 s"


async def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = OpsServer(Metrics(), {}, "127.0.0.1", port)
        with pytest.raises(EndpointUnavailable) as raised:
            await server.start()
    assert str(raised.value).startswith(
        say("exit.endpoint_unavailable", address=f"127.0.0.1:{port}", error="")
    )
    await server.stop()  # nothing to stop: harmless
