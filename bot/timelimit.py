"""Time limits for CPU-bound work done in this process, nestable.

The bot's worker pool kills a worker that runs past `NEWSDESK_EXTRACT_TIMEOUT`; the command line
analyses in its own process, where there is nothing to kill. A POSIX interval timer interrupts
the work instead. It counts this process's CPU time (ITIMER_PROF), not the clock: the work is
CPU-bound, and a limit on CPU time means the same on a busy machine as on an idle one (a date
search that fits its budget is not cut short because other processes share the cores). The
timer's signal handler raises in the main thread at the next Python bytecode, which
every step reaches often (lxml and regex calls return within a fraction of a second on pages
under the body cap). Limits nest — a whole page inside the CLI's limit, an optional search
inside the page's own budget — with one timer armed for the earliest deadline; when several
have passed, the outermost one wins, so an inner step can never swallow the page's timeout.
Elsewhere (Windows, or off the main thread) the work runs unlimited.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from bot.errors import TimeLimitExceeded

_RETRY_SECONDS = 0.001
_deadlines: list[tuple[float, object]] = []  # (CPU-time deadline, owner), outermost first
_previous_handler: object = None


class _Expired(BaseException):
    """Raised by the timer for the limit `owner`. A BaseException, so the `except Exception`
    that libraries (and our own steps) use to survive bad input cannot swallow it."""

    def __init__(self, owner: object) -> None:
        super().__init__()
        self.owner = owner


def _arm() -> None:
    if not _deadlines:
        signal.setitimer(signal.ITIMER_PROF, 0)
        return
    remaining = min(deadline for deadline, _ in _deadlines) - time.process_time()
    signal.setitimer(signal.ITIMER_PROF, max(remaining, 1e-4))


def _expire(signum: int, frame: FrameType | None) -> None:
    if frame is not None and frame.f_code.co_name == "__del__":
        # An exception raised in a finaliser is printed and dropped, not propagated: try
        # again in a moment, once the interpreter is back in ordinary code.
        signal.setitimer(signal.ITIMER_PROF, _RETRY_SECONDS)
        return
    now = time.process_time()
    for deadline, owner in _deadlines:  # outermost first
        if deadline <= now:
            raise _Expired(owner)
    _arm()  # woke early (timer granularity): wait for the rest


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `TimeLimitExceeded` if the block uses more than `seconds` of CPU time."""
    global _previous_handler
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        yield
        return
    owner = object()
    if not _deadlines:
        _previous_handler = signal.signal(signal.SIGPROF, _expire)
    _deadlines.append((time.process_time() + seconds, owner))
    try:
        try:
            _arm()
            yield
        finally:
            _deadlines[:] = [entry for entry in _deadlines if entry[1] is not owner]
            _arm()
    except _Expired as expired:
        if expired.owner is not owner:
            raise  # an enclosing limit ran out: it decides
        raise TimeLimitExceeded(f"over {seconds:g} s") from None
    finally:
        if not _deadlines:
            signal.signal(signal.SIGPROF, _previous_handler)  # type: ignore[arg-type]
            _previous_handler = None
