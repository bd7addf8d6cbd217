"""Retrying the bot's messages within a deadline: which failures, how paced, when it stops.

`send` is a stub that fails as Discord would (discord.py's own exception types); deadlines are
a fraction of a second, so the pauses are real but tiny and nothing waits for luck. Against
the fake Discord: test_bot_delivery.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import pytest

from bot.discord_app.delivery import RetryPolicy, deliver, follow_up, retry_after
from bot.errors import DeliveryFailed
from bot.messages import say
from config import Settings


@dataclass
class Response:
    """What discord.py's HTTPException reads from an aiohttp response."""

    status: int
    reason: str = "Service Unavailable"
    headers: dict[str, str] = field(default_factory=dict)


def http_error(status: int, **headers: str) -> discord.HTTPException:
    response = Response(status, headers=headers)
    if status >= 500:
        return discord.DiscordServerError(response, {"message": "down", "code": 0})
    if status == 403:
        return discord.Forbidden(response, {"message": "Missing Permissions", "code": 50013})
    return discord.HTTPException(response, {"message": "no", "code": 0})


class Flaky:
    """Fails with each of `failures` in turn, then answers "posted"; counts the tries."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.tries = 0

    async def __call__(self) -> str:
        self.tries += 1
        if self.failures:
            raise self.failures.pop(0)
        return "posted"


def no_jitter(low: float, high: float) -> float:
    return high


def test_pauses_double_fit_the_deadline_and_settings_choose_it() -> None:
    policy = RetryPolicy.within(32.0)
    assert [policy.pause(n, no_jitter) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert policy.pause(0, lambda low, high: low) == 0.5  # jitter: half to all of a step
    short = RetryPolicy.within(0.8)
    assert short.first_pause == pytest.approx(0.025) and short.max_pause == pytest.approx(0.2)
    assert short.fallback.deadline == pytest.approx(0.2)
    assert RetryPolicy.from_settings(Settings(_env_file=None)).deadline == 30.0
    assert Settings(_env_file=None, discord_retry_deadline=5).discord_retry_deadline == 5.0


@pytest.mark.parametrize(
    ("error", "wait"),
    [
        (http_error(503), 0.0),
        (http_error(500), 0.0),
        (http_error(429, **{"Retry-After": "0.25"}), 0.25),
        (http_error(429), 0.0),
        (discord.RateLimited(4.5), 4.5),
        (aiohttp.ServerDisconnectedError(), 0.0),
        (ConnectionResetError(), 0.0),
        (http_error(403), None),
        (http_error(400), None),
        (RuntimeError("Session is closed"), None),
    ],
)
def test_time_cures_outages_and_rate_limits_not_refusals(
    error: BaseException, wait: float | None
) -> None:
    assert retry_after(error) == wait


async def test_a_storm_that_passes_is_ridden_out() -> None:
    send = Flaky(http_error(503), http_error(503), http_error(429), aiohttp.ClientOSError())
    assert await deliver(send, RetryPolicy.within(5.0), jitter=lambda low, high: 0.001) == "posted"
    assert send.tries == 5


async def test_a_refusal_is_raised_at_once() -> None:
    send = Flaky(http_error(403))
    with pytest.raises(discord.Forbidden):
        await deliver(send, RetryPolicy.within(5.0))
    assert send.tries == 1


async def test_an_outage_past_the_deadline_fails_with_the_last_error() -> None:
    send = Flaky(*(http_error(503) for _ in range(1000)))
    with pytest.raises(DeliveryFailed) as failed:
        await deliver(send, RetryPolicy.within(0.2))
    assert isinstance(failed.value.last, discord.DiscordServerError)
    assert failed.value.__cause__ is failed.value.last
    assert 2 <= send.tries < 1000  # tried again, and stopped


async def test_a_stated_wait_beyond_the_deadline_gives_up_without_trying_again() -> None:
    send = Flaky(http_error(429, **{"Retry-After": "3600"}))  # a ban, not a blip
    with pytest.raises(DeliveryFailed):
        await deliver(send, RetryPolicy.within(5.0))
    assert send.tries == 1


async def test_a_try_hanging_past_the_deadline_is_cut_off_only_when_asked() -> None:
    release = asyncio.Event()

    async def hanging() -> str:
        await release.wait()
        return "posted late"

    with pytest.raises(DeliveryFailed) as failed:
        await deliver(hanging, RetryPolicy.within(0.05), cancel_late=True)
    assert failed.value.last is None

    waited = asyncio.create_task(deliver(hanging, RetryPolicy.within(0.05)))
    await asyncio.wait({waited}, timeout=0.2)  # well past the deadline: still waiting, not cut
    assert not waited.done()
    release.set()
    assert await waited == "posted late"


class StubInteraction:
    """An interaction whose follow-ups always fail; records edits of its original response."""

    def __init__(self) -> None:
        self.id = 42
        self.edits: list[dict[str, object]] = []
        self.followup = self
        self.response = self

    def is_done(self) -> bool:
        return True  # deferred: "thinking…" or an answer already stands in the original

    async def send(self, **message: object) -> None:
        raise http_error(403)  # a refusal: no retries, so the test needs no deadline

    async def edit_original_response(self, **fields: object) -> None:
        self.edits.append(fields)


async def test_a_failed_follow_up_becomes_a_note_but_never_overwrites_an_answer() -> None:
    policy = RetryPolicy.within(1.0)
    placeholder: Any = StubInteraction()
    assert await follow_up(placeholder, policy, content="x") is None
    assert [e["content"] for e in placeholder.edits] == [say("delivery.failed")]

    answered: Any = StubInteraction()  # e.g. /quotes: page 1 already replaced "thinking…"
    assert await follow_up(answered, policy, note_on_failure=False, content="x") is None
    assert answered.edits == []
