"""A time limit for CPU-bound work done in this process (the CLI's inline analysis).

The bot's worker pool kills a worker that runs past `NEWSDESK_EXTRACT_TIMEOUT`; the command line
analyses in its own process, where there is nothing to kill. A POSIX interval timer interrupts
the work instead: its signal handler raises in the main thread at the next Python bytecode, which
every step reaches often (lxml and regex calls return within a fraction of a second on pages
under the body cap). Elsewhere (Windows, or off the main thread) the work runs unlimited.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from bot.models import ErrorKind, PipelineError
from bot.runtime.workers import TIMEOUT_MESSAGE  # the same words as when a worker is killed


class _Expired(BaseException):
    """Raised by the timer. A BaseException, so the `except Exception` that libraries (and our
    own steps) use to survive bad input cannot swallow it and carry on."""


def _expire(signum: int, frame: FrameType | None) -> None:
    raise _Expired


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `PipelineError(TIMEOUT)` if the block runs longer than `seconds`."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        raise PipelineError(ErrorKind.TIMEOUT, TIMEOUT_MESSAGE) from None
    finally:
        signal.signal(signal.SIGALRM, previous)
