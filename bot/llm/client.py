"""One chat completion from any OpenAI-compatible server (OpenAI, Ollama `/v1`, vLLM, llama.cpp).

Plain httpx, no SDK: the request is one POST and the servers differ in small ways an SDK would
hide (llama.cpp builds that reject `response_format`, reasoning models that wrap the answer in
<think>). Every failure becomes `LLMUnavailable` with a short reason for the log; the caller
falls back to the extractive briefing. The API key goes only into the Authorization header and
never into a reason or log line (error bodies can echo part of the key, so they are not logged).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.errors import LLMUnavailable
from config import Settings

MAX_RETRY_WAIT = 5.0  # seconds; a longer Retry-After means the answer would come too late
DEFAULT_RETRY_WAIT = 0.5


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class ChatClient:
    """Sends chat requests for one configured server and model; one retry on 429/5xx."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not settings.llm_base_url or not settings.llm_model:
            raise ValueError("LLM briefings need llm_base_url and llm_model")
        self.url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        self.max_tokens = settings.llm_max_tokens
        self.temperature = settings.llm_temperature
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(settings.llm_timeout))
        self._sleep = sleep

    def payload(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": messages,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "response_format": {"type": "json_object"},
            "stream": False,
        }

    async def complete(self, messages: list[dict[str, str]]) -> str:
        """The reply's text; the whole exchange, retry included, takes at most `llm_timeout`."""
        deadline = time.monotonic() + self.timeout
        try:
            async with asyncio.timeout(self.timeout):
                return await self._exchange(self.payload(messages), deadline)
        except TimeoutError:
            raise LLMUnavailable(f"no answer within {self.timeout:g}s") from None

    async def _exchange(self, payload: dict[str, Any], deadline: float) -> str:
        for attempt in (1, 2):
            try:
                response = await self._client.post(self.url, json=payload, headers=self._headers)
            except httpx.TimeoutException:
                raise LLMUnavailable(f"no answer within {self.timeout:g}s") from None
            except httpx.HTTPError as error:
                raise LLMUnavailable(f"request failed ({type(error).__name__})") from None
            status = response.status_code
            if status == 200:
                return _reply_text(response)
            if attempt == 1 and (status == 429 or status >= 500):
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                wait = DEFAULT_RETRY_WAIT if wait is None else wait
                if wait > MAX_RETRY_WAIT or time.monotonic() + wait >= deadline:
                    raise LLMUnavailable(f"HTTP {status}; retry after {wait:g}s is too late")
                await self._sleep(wait)
                continue
            if attempt == 1 and status == 400 and "response_format" in response.text:
                # Some servers reject JSON mode; the prompt asks for JSON anyway.
                payload = {k: v for k, v in payload.items() if k != "response_format"}
                continue
            raise LLMUnavailable(f"HTTP {status}")
        raise LLMUnavailable("no answer after a retry")  # pragma: no cover - loop always returns

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()


def _reply_text(response: httpx.Response) -> str:
    """`choices[0].message.content` as text (string or a list of text parts)."""
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMUnavailable("malformed response body") from None
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str) or not content.strip():
        raise LLMUnavailable("empty answer")
    return content
