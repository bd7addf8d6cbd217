"""Getting the bot's own messages through a bad minute at Discord: retries within a deadline.

discord.py retries some failures by itself, but not enough for a REST outage. For channel
messages: a 500, 502 or 504 five times (pausing 1, 3, 5, 7 and 9 s) and a 429 carrying `Via`
five times after its `retry_after`; a 503, a 429 without `Via` (taken for a Cloudflare ban) and
a dropped connection not at all. For interaction follow-ups (webhooks): any 5xx five times over
25 s, then it gives up. Without more, an auto-reply was lost for good and a /brief follow-up left
the person looking at "thinking…".

`deliver(send, policy)` calls `send()` again after growing, jittered pauses while the failure is
one that time can cure (5xx, 429, connection trouble) and the deadline
(`NEWSDESK_DISCORD_RETRY_DEADLINE`) allows; then it raises `DeliveryFailed`, and the caller shows
a short failure instead (⚠️ on the message; the interaction's response edited). A failure time
cannot cure (403, a reply to a deleted message, 404) is raised at once, as before.

What happens to a try still under way at the deadline depends on who waits:
- Interaction answers (`cancel_late=True`) are cut off: a person is waiting, and discord.py's
  webhook requests hold a per-interaction lock through their own 25 s of retries, which would
  keep the failure note from being posted until then. Cancelling there only releases that lock.
- Channel messages are let finish (their last try may run past the deadline by discord.py's own
  retries of it): discord.py sleeps out a global 429 holding a lock every later request waits
  on, and a cancelled sleep there would never release it — the whole bot would stop talking.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

import aiohttp
import discord

from bot.errors import DeliveryFailed
from bot.messages import say

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
Jitter = Callable[[float, float], float]
MAX_FIRST_PAUSE: Final = 1.0  # seconds; a blip is usually over by then


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to keep trying (`deadline`, seconds from the first try) and how to pace it."""

    deadline: float
    first_pause: float
    max_pause: float

    @classmethod
    def within(cls, deadline: float) -> RetryPolicy:
        """Pauses that fit about six tries into `deadline`.

        The first is 1/32 of it (at most a second), each next one doubles, none is longer than
        a quarter of the deadline: quick for a blip, patient for an outage, and a short deadline
        (tests) scales every pause down with it.
        """
        first = min(MAX_FIRST_PAUSE, deadline / 32)
        return cls(deadline, first, max(first, deadline / 4))

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls.within(settings.discord_retry_deadline)

    @property
    def fallback(self) -> RetryPolicy:
        """The shorter allowance for saying that it failed: a quarter of the deadline."""
        return RetryPolicy.within(self.deadline / 4)

    def pause(self, attempt: int, jitter: Jitter = random.uniform) -> float:
        """Seconds to wait after failed try number `attempt` (0-based).

        Jittered between half and all of the doubling step, so the many replies waiting out
        one outage do not all come back at the same instant.
        """
        step = min(self.max_pause, self.first_pause * 2 ** min(attempt, 32))
        return jitter(step / 2, step)


def retry_after(error: BaseException) -> float | None:
    """Seconds to wait before trying again (0: no wish stated), or None if time will not help."""
    if isinstance(error, discord.RateLimited):
        return error.retry_after
    if isinstance(error, discord.HTTPException):
        if error.status == 429:
            return _stated_wait(error.response)
        return 0.0 if error.status >= 500 else None
    if isinstance(error, aiohttp.ClientError | OSError | TimeoutError):
        return 0.0  # the connection failed or timed out: Discord may be reachable again soon
    return None


def _stated_wait(response: Any) -> float:
    headers = getattr(response, "headers", None) or {}
    for name in ("Retry-After", "X-RateLimit-Reset-After"):
        try:
            return max(0.0, float(headers.get(name, "")))
        except ValueError:
            continue
    return 0.0


async def deliver(
    send: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    cancel_late: bool = False,
    jitter: Jitter = random.uniform,
) -> T:
    """`await send()`, tried again while the failure is passing and the deadline allows.

    Raises `DeliveryFailed` (the last failure as its cause) once the deadline leaves no room for
    another try, or the failure itself when trying again cannot help. `cancel_late` cuts off a
    try still under way at the deadline (only for webhook requests; see the module docstring).
    """
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + policy.deadline
    for attempt in itertools.count():
        timeout = asyncio.timeout_at(give_up_at if cancel_late else None)
        try:
            async with timeout:
                return await send()
        except Exception as error:
            if timeout.expired():
                raise DeliveryFailed(policy.deadline, None) from error
            wait = retry_after(error)
            if wait is None:
                raise
            pause = max(wait, policy.pause(attempt, jitter))
            if loop.time() + pause >= give_up_at:
                raise DeliveryFailed(policy.deadline, error) from error
            log.info("Discord did not take a message (%s); trying again in %.2f s", error, pause)
        await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - the loop only returns or raises


@contextlib.asynccontextmanager
async def typing_if_possible(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """Show "typing…" while the body runs, unless Discord refuses it.

    discord.py's `typing()` raises when its first request fails, and in a REST outage that
    took the whole reply with it; the indicator is a courtesy, so work goes on without it.
    """
    async with contextlib.AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(channel.typing())
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.info("no typing indicator: %s", error)
        yield


async def follow_up(
    interaction: discord.Interaction[Any],
    policy: RetryPolicy,
    *,
    note_on_failure: bool = True,
    **message: Any,
) -> discord.WebhookMessage | None:
    """A follow-up message, retried within the deadline; None once it could not be sent.

    On failure the interaction is still resolved (`resolve_failed` edits the original response
    into a short note) — unless `note_on_failure` is False: once an earlier follow-up took the
    "thinking…" placeholder's place, the original *is* that answer and must not be overwritten.
    """
    try:
        return await deliver(
            lambda: interaction.followup.send(wait=True, **message), policy, cancel_late=True
        )
    except (DeliveryFailed, discord.HTTPException) as error:
        log.warning("could not send the answer to interaction %s: %s", interaction.id, error)
        if note_on_failure:
            await resolve_failed(interaction, policy)
        return None


async def edit_original(
    interaction: discord.Interaction[Any], policy: RetryPolicy, **fields: Any
) -> bool:
    """Edit the interaction's response, retried within the deadline; False if it failed."""
    try:
        await deliver(
            lambda: interaction.edit_original_response(**fields), policy, cancel_late=True
        )
    except (DeliveryFailed, discord.HTTPException) as error:
        log.warning("could not edit the answer to interaction %s: %s", interaction.id, error)
        await resolve_failed(interaction, policy)
        return False
    return True


async def resolve_failed(
    interaction: discord.Interaction[Any], policy: RetryPolicy, text: str | None = None
) -> None:
    """Leave the person a short sentence (default: Discord is having trouble); log if even
    that fails.

    The original response is edited rather than a follow-up sent: it is the "thinking…"
    placeholder (or "Shared with the channel below"), and its route is not the one that just
    failed. It gets a shorter allowance than the message it stands in for.
    """
    text = text or say("delivery.failed")
    try:
        if interaction.response.is_done():
            await deliver(
                lambda: interaction.edit_original_response(content=text, embeds=[], view=None),
                policy.fallback,
                cancel_late=True,
            )
        else:  # never answered: the first response (Discord allows no retry after 3 s anyway)
            await interaction.response.send_message(text, ephemeral=True)
    except (DeliveryFailed, discord.HTTPException) as error:
        log.warning("interaction %s is left unanswered: %s", interaction.id, error)
