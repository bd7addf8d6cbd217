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

When several processes share the database, a person's limits are counted there
(`SharedUserLimit`), so posting in servers on different shards does not multiply them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot.messages import say
from bot.runtime.ratelimit import Clock, RateLimiter, SharedUserLimit

if TYPE_CHECKING:
    from bot.storage.ratelimits import SharedWindows
    from config import Settings

HOURGLASS: Final = "⏳"


@dataclass(frozen=True, slots=True)
class Admission:
    """The links that may be briefed now, and whether to mark the message with ⏳."""

    urls: list[str]
    skipped: int
    notice: bool


class LinkThrottle:
    """Per-user and per-channel limits on the links the bot replies to unasked.

    With `shared_users` the per-user limit is the database's, shared by every process (a
    person posts in servers on several shards); the channel limit stays in this process, which
    sees all of a channel (it is one server's, so one shard's).
    """

    def __init__(self, limiter: RateLimiter, shared_users: SharedUserLimit | None = None) -> None:
        self.limiter = limiter
        self.shared_users = shared_users

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock = time.monotonic,
        shared: SharedWindows | None = None,
    ) -> LinkThrottle:
        users = None
        if shared is not None:
            users = SharedUserLimit(shared, "links", settings.user_links_per_minute, clock=clock)
        return cls(RateLimiter.from_settings(settings, clock=clock), users)

    async def admit(
        self, user_id: Hashable, channel_id: Hashable, urls: Sequence[str]
    ) -> Admission:
        """The first links of `urls` the limits allow; they are counted as used."""
        if self.shared_users is None:
            allowed = self.limiter.allow(user_id, channel_id, len(urls))
        else:
            # The channel's share is reserved first (no other message of the channel can take
            # it during the database's answer), and what the person's limit refused given back.
            reserved = self.limiter.allow_channel(channel_id, len(urls))
            allowed = await self.shared_users.take(user_id, reserved)
            self.limiter.channels.give_back(channel_id, reserved - allowed)
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

    def __init__(self, limiter: RateLimiter, shared_users: SharedUserLimit | None = None) -> None:
        self.limiter = limiter
        self.shared_users = shared_users

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock = time.monotonic,
        shared: SharedWindows | None = None,
    ) -> CommandThrottle:
        per_minute = settings.user_links_per_minute
        users = None
        if shared is not None:
            users = SharedUserLimit(shared, "commands", per_minute, clock=clock)
        return cls(RateLimiter(per_minute, per_minute, clock=clock), users)

    async def admit(self, user_id: Hashable, n_links: int = 1) -> int:
        """How many of `n_links` this user may have briefed now (counted as used)."""
        if self.shared_users is not None:
            return await self.shared_users.take(user_id, n_links)
        return self.limiter.allow(user_id, None, n_links)

    async def retry_after(self, user_id: Hashable) -> float:
        if self.shared_users is not None:
            return await self.shared_users.retry_after(user_id)
        return self.limiter.retry_after(user_id, None)


def try_again_message(seconds: float) -> str:
    """The private answer to a command over the limit, in plain words."""
    wait = max(1, math.ceil(seconds))
    if wait == 1:
        return say("throttle.try_again_one", wait=wait)
    return say("throttle.try_again_many", wait=wait)
