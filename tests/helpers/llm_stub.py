"""A scripted OpenAI-compatible chat server on loopback, for testing the LLM backend offline.

Each test queues the replies it wants (status, headers, body, delay) and then reads back the
request payloads and headers the client sent. An unscripted request gets a 500, so a test that
forgets to script (or expects no request) fails loudly rather than hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web


@dataclass
class StubReply:
    """One scripted response; `delay` holds it back (released early when the stub stops)."""

    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class StubRequest:
    payload: Any
    headers: dict[str, str]


def completion_body(content: str | None, model: str = "test-model") -> str:
    """An OpenAI chat-completion response whose message content is `content`."""
    return json.dumps(
        {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )


class LLMStub:
    """`POST /v1/chat/completions` served from a queue; use `async with LLMStub() as stub`."""

    def __init__(self) -> None:
        self.replies: deque[StubReply] = deque()
        self.requests: list[StubRequest] = []
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """What goes in `llm_base_url` (OpenAI style, with the /v1 prefix)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def reply(
        self,
        content: str | None = None,
        *,
        status: int = 200,
        body: str | None = None,
        delay: float = 0.0,
        **headers: str,
    ) -> None:
        """Queue a reply: a completion carrying `content`, or a raw `body` with `status`."""
        if body is None:
            body = completion_body(content) if status == 200 else json.dumps({"error": "stub"})
        hdrs = {"Content-Type": "application/json"}
        hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
        self.replies.append(StubReply(status=status, body=body, headers=hdrs, delay=delay))

    def reply_json(self, answer: object, **kwargs: Any) -> None:
        """Queue a completion whose content is `answer` serialised as JSON."""
        self.reply(json.dumps(answer), **kwargs)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            payload: Any = json.loads(raw)
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        self.requests.append(StubRequest(payload=payload, headers=dict(request.headers)))
        if not self.replies:
            return web.json_response({"error": "no scripted reply"}, status=500)
        scripted = self.replies.popleft()
        if scripted.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), scripted.delay)
        return web.Response(status=scripted.status, text=scripted.body, headers=scripted.headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._released.set()  # let delayed handlers finish so shutdown doesn't wait for them
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> LLMStub:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


@pytest.fixture
async def llm_stub() -> AsyncIterator[LLMStub]:
    async with LLMStub() as stub:
        yield stub
