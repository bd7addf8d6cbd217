"""The bot's use of its rate limits: which links go ahead and when a ⏳ notice is due.

A fake clock drives every test; nothing sleeps.
"""

from __future__ import annotations

import pytest

from bot.runtime.ratelimit import RateLimiter
from bot.runtime.throttle import CommandThrottle, LinkThrottle, try_again_message
from config import Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


LINKS = [f"https://news.example/{n}" for n in range(3)]


async def test_links_over_the_user_limit_are_skipped_with_one_notice_per_channel() -> None:
    clock = FakeClock()
    throttle = LinkThrottle(RateLimiter(4, 100, clock=clock))
    first = await throttle.admit("ann", "newsroom", LINKS)
    assert first.urls == LINKS and first.skipped == 0 and not first.notice
    second = await throttle.admit("ann", "newsroom", LINKS)
    assert second.urls == LINKS[:1] and second.skipped == 2 and second.notice
    third = await throttle.admit("ann", "newsroom", LINKS)
    assert third.urls == [] and third.skipped == 3 and not third.notice  # said once already
    assert (
        await throttle.admit("ben", "newsroom", LINKS)
    ).urls == LINKS  # others are not held back
    clock.now += 61
    again = await throttle.admit("ann", "newsroom", LINKS)
    assert again.urls == LINKS and not again.notice


async def test_the_channel_limit_holds_back_everyone_in_that_channel_only() -> None:
    clock = FakeClock()
    throttle = LinkThrottle(RateLimiter(100, 2, clock=clock))
    assert (await throttle.admit("ann", "live-blog", LINKS[:2])).urls == LINKS[:2]
    skipped = await throttle.admit("ben", "live-blog", LINKS[:1])
    assert skipped.urls == [] and skipped.notice
    assert not (await throttle.admit("cy", "live-blog", LINKS[:1])).notice
    assert (await throttle.admit("ben", "sport", LINKS[:1])).urls == LINKS[:1]


def test_settings_set_the_limits() -> None:
    settings = Settings(_env_file=None, user_links_per_minute=2, channel_links_per_minute=7)
    throttle = LinkThrottle.from_settings(settings, clock=FakeClock())
    assert throttle.limiter.users.limit == 2 and throttle.limiter.channels.limit == 7
    commands = CommandThrottle.from_settings(settings, clock=FakeClock())
    assert commands.limiter.users.limit == 2


async def test_commands_are_limited_per_person_and_say_when_to_come_back() -> None:
    clock = FakeClock()
    settings = Settings(_env_file=None, user_links_per_minute=2)
    commands = CommandThrottle.from_settings(settings, clock=clock)
    assert await commands.admit("ann") == 1
    clock.now += 20
    assert await commands.admit("ann") == 1
    assert await commands.admit("ann") == 0
    assert await commands.retry_after("ann") == pytest.approx(40)
    assert await commands.admit("ben", 3) == 2  # a context menu with three links: two fit
    clock.now += 40.5
    assert await commands.admit("ann") == 1


@pytest.mark.parametrize(
    ("seconds", "words"), [(0.2, "1 second"), (1.0, "1 second"), (39.1, "40 seconds")]
)
def test_try_again_message_is_plain_words(seconds: float, words: str) -> None:
    message = try_again_message(seconds)
    assert message.endswith(f"Try again in {words}.")
