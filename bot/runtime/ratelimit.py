"""Per-user and per-channel sliding-window limits on how many links the bot briefs.

A newsroom channel can fill with links (a live blog, a bot reposting feeds); briefing all of them
would cost CPU and bury the channel. `allow()` says how many of a message's links may go ahead
now; the rest are skipped quietly. `should_notice()` lets the caller say "slow down" at most once
per minute per key, so the limit itself never becomes noise.

Exact sliding log: each key keeps the times of its recent links, never more than its limit, so
memory per key is bounded by the limit and keys idle for a whole window are pruned. Pure and
synchronous with an injectable clock, so tests need no sleeps.

`SharedUserLimit` is the per-user limit for a bot whose processes share a database: the same
sliding log, kept in the database (`bot.storage.ratelimits`), so it holds across processes.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from bot.errors import StorageError

if TYPE_CHECKING:
    from bot.storage.ratelimits import SharedWindows
    from config import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class SlidingWindow:
    """At most `limit` events per `window` seconds for each key (an exact sliding log).

    Keys are kept in order of last use so pruning idle keys is amortised O(1); `max_keys`
    caps memory even when many keys are active within one window (the least recently used key
    is forgotten first, which can only make the limit more lenient for it).
    """

    def __init__(self, limit: int, window: float, clock: Clock, *, max_keys: int = 50_000) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if window <= 0:
            raise ValueError("window must be positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._log: OrderedDict[Hashable, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._log)

    def _recent(self, key: Hashable, now: float) -> deque[float] | None:
        times = self._log.get(key)
        if times is None:
            return None
        horizon = now - self.window
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def remaining(self, key: Hashable) -> int:
        """How many events `key` may have right now."""
        now = self.clock()
        times = self._recent(key, now)
        return self.limit - (len(times) if times else 0)

    def record(self, key: Hashable, count: int = 1) -> None:
        """Note `count` events for `key` now (the caller checked `remaining` first)."""
        if count <= 0:
            return
        now = self.clock()
        times = self._recent(key, now)
        if times is None:
            times = self._log[key] = deque(maxlen=self.limit)
        times.extend([now] * min(count, self.limit))
        self._log.move_to_end(key)
        self._prune(now)

    def give_back(self, key: Hashable, count: int) -> None:
        """Forget the last `count` events recorded for `key` (taken, then not used)."""
        times = self._log.get(key)
        for _ in range(min(max(count, 0), len(times) if times else 0)):
            assert times is not None
            times.pop()

    def retry_after(self, key: Hashable) -> float:
        """Seconds until `key` may have one more event (0 if it may now)."""
        now = self.clock()
        times = self._recent(key, now)
        if not times or len(times) < self.limit:
            return 0.0
        return max(0.0, times[0] + self.window - now)

    def _prune(self, now: float) -> None:
        horizon = now - self.window
        while self._log:
            key, times = next(iter(self._log.items()))
            if len(self._log) <= self.max_keys and times and times[-1] > horizon:
                break  # the least recently used key is still active, so all the others are too
            del self._log[key]


class RateLimiter:
    """Links per minute per user and per channel; the tighter of the two wins.

    `channel_id=None` (a DM) applies the user limit only.
    """

    def __init__(
        self,
        user_per_minute: int,
        channel_per_minute: int,
        *,
        window: float = 60.0,
        notice_interval: float = 60.0,
        clock: Clock = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        self.clock = clock
        self.users = SlidingWindow(user_per_minute, window, clock, max_keys=max_keys)
        self.channels = SlidingWindow(channel_per_minute, window, clock, max_keys=max_keys)
        # One notice per interval per key is a sliding window with a limit of one.
        self.notices = SlidingWindow(1, notice_interval, clock, max_keys=max_keys)

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock = time.monotonic) -> RateLimiter:
        return cls(settings.user_links_per_minute, settings.channel_links_per_minute, clock=clock)

    def allow(self, user_id: Hashable, channel_id: Hashable | None, n_links: int) -> int:
        """How many of `n_links` may be briefed now (0..n_links); those are counted as used."""
        if n_links <= 0:
            return 0
        allowed = min(n_links, self.users.remaining(user_id))
        if channel_id is not None:
            allowed = min(allowed, self.channels.remaining(channel_id))
        allowed = max(allowed, 0)
        if allowed:
            self.users.record(user_id, allowed)
            if channel_id is not None:
                self.channels.record(channel_id, allowed)
        return allowed

    def allow_channel(self, channel_id: Hashable, n_links: int) -> int:
        """How many of `n_links` the channel's limit allows now (counted as used), for a bot
        whose user limit is kept elsewhere (`SharedUserLimit`)."""
        allowed = max(0, min(n_links, self.channels.remaining(channel_id)))
        self.channels.record(channel_id, allowed)
        return allowed

    def retry_after(self, user_id: Hashable, channel_id: Hashable | None) -> float:
        """Seconds until one more link from this user in this channel would be allowed."""
        wait = self.users.retry_after(user_id)
        if channel_id is not None:
            wait = max(wait, self.channels.retry_after(channel_id))
        return wait

    def should_notice(self, key: Hashable) -> bool:
        """True at most once per `notice_interval` per key: time to say "slow down" again.

        Keys are separate from the limit keys; pass e.g. `("channel", channel_id)` or a user id.
        """
        if self.notices.remaining(key) <= 0:
            return False
        self.notices.record(key)
        return True


class SharedUserLimit:
    """A per-user limit kept in the database, for a bot whose processes share one.

    Why: one person posts in servers on several shards, so several processes; counted in each
    process's memory, their limit would multiply by the number of processes. The database keeps
    one exact sliding log per person (`bot.storage.ratelimits`). `namespace` keeps links and
    commands apart. If the database cannot answer, this process's own count stands in (a limit
    per process is better than none, and nothing waits on a broken database).
    """

    def __init__(
        self,
        windows: SharedWindows,
        namespace: str,
        limit: int,
        *,
        window: float = 60.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.windows = windows
        self.namespace = namespace
        self.limit = limit
        self.window = window
        self._fallback = SlidingWindow(limit, window, clock)

    async def take(self, user_id: Hashable, n: int) -> int:
        """How many of `n` this person may have now (counted as used, across processes)."""
        if n <= 0:
            return 0
        try:
            taken = await self.windows.take(self._key(user_id), n, self.limit, self.window)
        except StorageError as error:
            log.warning("shared rate limit unavailable, counting in this process: %s", error)
            granted = min(n, self._fallback.remaining(user_id))
            self._fallback.record(user_id, granted)
            return max(granted, 0)
        return taken.granted

    async def retry_after(self, user_id: Hashable) -> float:
        try:
            return await self.windows.retry_after(self._key(user_id), self.limit, self.window)
        except StorageError:
            return self._fallback.retry_after(user_id)

    def _key(self, user_id: Hashable) -> str:
        return f"{self.namespace}:{user_id}"
