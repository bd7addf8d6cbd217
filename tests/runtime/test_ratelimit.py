"""Rate limits: per-user and per-channel sliding windows, rare notices, bounded memory.

A fake clock drives every test; nothing sleeps.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.runtime.ratelimit import RateLimiter, SlidingWindow
from config import Settings


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_user_limit_allows_part_of_a_message(clock: FakeClock) -> None:
    limiter = RateLimiter(10, 30, clock=clock)
    assert limiter.allow(1, 100, 3) == 3
    assert limiter.allow(1, 100, 3) == 3
    assert limiter.allow(1, 100, 3) == 3
    assert limiter.allow(1, 100, 3) == 1  # 10 per minute: only one of three left
    assert limiter.allow(1, 100, 1) == 0
    assert limiter.allow(2, 100, 3) == 3  # another user in the same channel is unaffected


def test_window_slides_rather_than_resetting(clock: FakeClock) -> None:
    limiter = RateLimiter(10, 30, clock=clock)
    assert limiter.allow(1, 100, 4) == 4
    clock.advance(30)
    assert limiter.allow(1, 100, 6) == 6
    assert limiter.allow(1, 100, 1) == 0
    clock.advance(29.9)  # the first four are 59.9 s old: still inside the minute
    assert limiter.allow(1, 100, 1) == 0
    clock.advance(0.1)  # now exactly 60 s old: they have left the window
    assert limiter.allow(1, 100, 5) == 4
    clock.advance(30)  # the six from t=30 leave too
    assert limiter.allow(1, 100, 10) == 6


def test_channel_limit_caps_many_users(clock: FakeClock) -> None:
    limiter = RateLimiter(10, 30, clock=clock)
    granted = [limiter.allow(user, 100, 3) for user in range(12)]
    assert granted == [3] * 10 + [0, 0]
    assert limiter.allow(99, 200, 3) == 3  # other channels have their own budget
    clock.advance(60)
    assert limiter.allow(11, 100, 3) == 3


def test_refused_links_do_not_use_up_the_budget(clock: FakeClock) -> None:
    limiter = RateLimiter(2, 30, clock=clock)
    assert limiter.allow(1, 100, 2) == 2
    for _ in range(20):
        assert limiter.allow(1, 100, 3) == 0
    # The channel only counted the two links that went ahead.
    assert limiter.channels.remaining(100) == 28


def test_direct_messages_have_only_the_user_limit(clock: FakeClock) -> None:
    limiter = RateLimiter(3, 1, clock=clock)
    assert limiter.allow(1, None, 5) == 3
    assert limiter.allow(2, None, 2) == 2


def test_nothing_asked_nothing_used(clock: FakeClock) -> None:
    limiter = RateLimiter(3, 3, clock=clock)
    assert limiter.allow(1, 100, 0) == 0
    assert limiter.allow(1, 100, -2) == 0
    assert limiter.users.remaining(1) == 3


def test_retry_after_says_when_the_next_link_fits(clock: FakeClock) -> None:
    limiter = RateLimiter(2, 30, clock=clock)
    assert limiter.retry_after(1, 100) == 0.0
    limiter.allow(1, 100, 1)
    clock.advance(20)
    limiter.allow(1, 100, 1)
    assert limiter.retry_after(1, 100) == pytest.approx(40.0)
    clock.advance(40)
    assert limiter.retry_after(1, 100) == 0.0


def test_notices_at_most_once_a_minute_per_key(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1, clock=clock)
    assert limiter.should_notice(("channel", 100)) is True
    assert limiter.should_notice(("channel", 100)) is False
    assert limiter.should_notice(("user", 100)) is True  # a different key
    clock.advance(59)
    assert limiter.should_notice(("channel", 100)) is False
    clock.advance(1)
    assert limiter.should_notice(("channel", 100)) is True
    assert limiter.should_notice(("channel", 100)) is False


def test_notices_do_not_touch_the_link_budget(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1, clock=clock)
    assert limiter.should_notice(7)
    assert limiter.allow(7, 7, 1) == 1


def test_idle_keys_are_pruned(clock: FakeClock) -> None:
    limiter = RateLimiter(10, 30, clock=clock)
    for user in range(1000):
        limiter.allow(user, user, 1)
    assert len(limiter.users) == 1000
    clock.advance(61)
    limiter.allow("fresh", "fresh", 1)
    assert len(limiter.users) == 1
    assert len(limiter.channels) == 1


def test_key_count_is_capped_even_within_a_window(clock: FakeClock) -> None:
    window = SlidingWindow(5, 60, clock, max_keys=100)
    for key in range(1000):
        window.record(key)
        clock.advance(0.001)
    assert len(window) == 100
    assert window.remaining(999) == 4  # the newest keys are kept
    assert window.remaining(0) == 5  # the oldest was forgotten


def test_from_settings_uses_the_configured_limits(clock: FakeClock) -> None:
    limiter = RateLimiter.from_settings(
        Settings(_env_file=None, user_links_per_minute=2, channel_links_per_minute=3), clock=clock
    )
    assert limiter.allow(1, 100, 5) == 2
    assert limiter.allow(2, 100, 5) == 1


def test_bad_limits_are_rejected(clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        SlidingWindow(0, 60, clock)
    with pytest.raises(ValueError):
        SlidingWindow(1, 0, clock)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),  # user
            st.integers(0, 1),  # channel
            st.integers(0, 5),  # links in the message
            st.floats(0, 30, allow_nan=False),  # seconds since the previous message
        ),
        max_size=60,
    )
)
def test_grants_exactly_what_the_last_minute_leaves(events) -> None:
    """Never more than the limits allow in any minute, and never less (no stingy refusals)."""
    clock = FakeClock(0.0)
    limiter = RateLimiter(4, 6, clock=clock)
    granted: list[tuple[float, int, int, int]] = []
    for user, channel, n, gap in events:
        clock.advance(gap)
        now = clock.now
        recent = [g for g in granted if g[0] > now - 60]
        user_left = 4 - sum(a for _, u, _, a in recent if u == user)
        channel_left = 6 - sum(a for _, _, c, a in recent if c == channel)
        assert user_left >= 0 and channel_left >= 0
        allowed = limiter.allow(user, channel, n)
        assert allowed == min(n, user_left, channel_left)
        granted.append((now, user, channel, allowed))
