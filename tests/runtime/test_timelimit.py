"""The in-process time limit (the CLI's NEWSDESK_EXTRACT_TIMEOUT): work that runs past it stops."""

from __future__ import annotations

import signal

import pytest

from bot.models import ErrorKind, PipelineError
from bot.runtime.timelimit import time_limit

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX interval timers")


def spin_swallowing_errors() -> None:
    """Like a library that survives bad input with `except Exception`: the limit still ends it."""
    while True:
        try:
            sum(range(10_000))
        except Exception:
            continue


def test_work_past_the_limit_is_a_timeout_even_through_except_exception() -> None:
    previous = signal.getsignal(signal.SIGALRM)
    with pytest.raises(PipelineError) as caught, time_limit(0.05):
        spin_swallowing_errors()
    assert caught.value.kind is ErrorKind.TIMEOUT
    assert signal.getsignal(signal.SIGALRM) is previous  # the handler is put back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # and no timer is left running


def test_work_within_the_limit_is_untouched() -> None:
    with time_limit(30):
        result = sum(range(1000))
    assert result == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing fires later
