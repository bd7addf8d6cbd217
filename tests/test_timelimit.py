"""In-process time limits (the CLI's NEWSDESK_EXTRACT_TIMEOUT, the date search's budget): work
that runs past one stops, and limits nest."""

from __future__ import annotations

import signal

import pytest

from bot.errors import TimeLimitExceeded
from bot.timelimit import time_limit

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX interval timers")


def spin_swallowing_errors() -> None:
    """Like a library that survives bad input with `except Exception`: the limit still ends it."""
    while True:
        try:
            sum(range(10_000))
        except Exception:
            continue


def test_work_past_the_limit_is_a_timeout_even_through_except_exception() -> None:
    previous = signal.getsignal(signal.SIGPROF)
    with pytest.raises(TimeLimitExceeded), time_limit(0.05):
        spin_swallowing_errors()
    assert signal.getsignal(signal.SIGPROF) is previous  # the handler is put back
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)  # and no timer is left running


def test_work_within_the_limit_is_untouched() -> None:
    with time_limit(30):
        result = sum(range(1000))
    assert result == 499500
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)  # nothing fires later


def test_an_inner_limit_ends_only_its_own_step() -> None:
    with time_limit(30):
        try:
            with time_limit(0.05):
                spin_swallowing_errors()
        except TimeLimitExceeded:
            inner = True
        after = sum(range(1000))  # the page goes on under the outer limit
    assert inner and after == 499500
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_the_outer_limit_wins_through_an_inner_step_that_swallows_errors() -> None:
    """A step with a generous budget of its own (and `except Exception` around it) cannot keep
    the page past the page's limit."""

    def step_with_own_budget() -> str:
        try:
            with time_limit(30):
                spin_swallowing_errors()
        except Exception:
            return "the step gave up"  # must not be reached: the outer limit is not its to catch
        return "unreachable"

    with pytest.raises(TimeLimitExceeded), time_limit(0.05):
        step_with_own_budget()
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
