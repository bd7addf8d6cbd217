"""How the bot applies its rate limits: which links of a message go ahead, when to say so.

`bot.ratelimit` counts; this module decides what the cogs do with the count, so the cogs keep
one line each and the policy is testable without Discord:

- Auto and 📰 replies (`LinkThrottle`): links over the per-user or per-channel limit are
  skipped quietly. At most once a minute per channel the skipped message gets a ⏳ reaction —
  no text line in a channel that is already busy, no notification for anyone, and the mark sits
  on the very message that was not briefed. Links the full work queue dropped get the same
  mark from the same allowance (`notice`): to a reader both mean "too much at once".
- Slash commands (`CommandThrottle`): the person asked explicitly, so they get a private
  "try again in N s" every time (only they see it, so it is never noise for the channel).
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot.messages import say
from bot.runtime.ratelimit import Clock, RateLimiter

if TYPE_CHECKING:
    from config import Settings

HOURGLASS: Final = "⏳"


@dataclass(frozen=True, slots=True)
class Admission:
    """The links that may be briefed now, and whether to mark the message with ⏳."""

    urls: list[str]
    skipped: int
    notice: bool


class LinkThrottle:
    """Per-user and per-channel limits on the links the bot replies to unasked."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock = time.monotonic) -> LinkThrottle:
        return cls(RateLimiter.from_settings(settings, clock=clock))

    def admit(self, user_id: Hashable, channel_id: Hashable, urls: Sequence[str]) -> Admission:
        """The first links of `urls` the limits allow; they are counted as used."""
        allowed = self.limiter.allow(user_id, channel_id, len(urls))
        skipped = len(urls) - allowed
        notice = skipped > 0 and self.notice(channel_id)
        return Admission(list(urls[:allowed]), skipped, notice)

    def notice(self, channel_id: Hashable) -> bool:
        """Whether a message in this channel whose links were not briefed gets ⏳ now.

        True at most once a minute per channel, whether the links were over the rate limit or
        dropped by the full work queue (one allowance for both, so a burst shows one mark).
        """
        return self.limiter.should_notice(("channel", channel_id))


class CommandThrottle:
    """Per-user limit on links asked for with slash commands and the context menu.

    Kept apart from `LinkThrottle`, so someone whose pasted links were skipped can still ask for
    the one article they need — within their own limit.
    """

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock = time.monotonic) -> CommandThrottle:
        per_minute = settings.user_links_per_minute
        return cls(RateLimiter(per_minute, per_minute, clock=clock))

    def admit(self, user_id: Hashable, n_links: int = 1) -> int:
        """How many of `n_links` this user may have briefed now (counted as used)."""
        return self.limiter.allow(user_id, None, n_links)

    def retry_after(self, user_id: Hashable) -> float:
        return self.limiter.retry_after(user_id, None)


def try_again_message(seconds: float) -> str:
    """The private answer to a command over the limit, in plain words."""
    wait = max(1, math.ceil(seconds))
    if wait == 1:
        return say("throttle.try_again_one", wait=wait)
    return say("throttle.try_again_many", wait=wait)
