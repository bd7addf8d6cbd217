"""The operators' HTTP endpoint: `GET /metrics` (Prometheus) and `GET /healthz` (JSON).

It runs on the bot's own event loop (aiohttp, which discord.py already brings): the health
checks need the bot's database connection and shards, and a probe that gets no answer is itself
a sign that the loop is stuck. Off unless `NEWSDESK_METRICS_ADDR` is set; bind it to loopback or
a private interface, since it answers anyone who can reach it (it shows no secrets).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from aiohttp import web
from prometheus_client.aiohttp import make_aiohttp_handler

from bot.errors import EndpointUnavailable
from bot.messages import say
from bot.ops.health import CHECK_DEADLINE, HealthCheck, run_checks
from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)


class OpsServer:
    """`await start()`, then `port` is the port really bound (0 in settings = any free one)."""

    def __init__(
        self,
        metrics: Metrics,
        checks: Mapping[str, HealthCheck],
        host: str,
        port: int,
        *,
        check_deadline: float = CHECK_DEADLINE,
    ) -> None:
        self.metrics = metrics
        self.checks = dict(checks)
        self.check_deadline = check_deadline
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._failing: list[str] = []  # logged when it changes, not at every probe

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", make_aiohttp_handler(self.metrics.registry))
        app.router.add_get("/healthz", self._healthz)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            address = f"{self.host}:{self.port}"
            raise EndpointUnavailable(
                say("exit.endpoint_unavailable", address=address, error=error.strerror or error)
            ) from error
        self._runner = runner
        if runner.addresses:  # the port really bound, for ":0"
            self.port = int(runner.addresses[0][1])
        log.info("metrics and health on http://%s:%d (/metrics, /healthz)", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        report = await run_checks(self.checks, self.check_deadline)
        if report.failing != self._failing:
            if report.failing:
                log.warning("health check failing: %s", report.as_json()["checks"])
            else:
                log.info("health checks pass again")
            self._failing = report.failing
        return web.Response(
            body=json.dumps(report.as_json()).encode(),
            status=200 if report.ok else 503,
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )
