"""Await a logger's lines in a test: the bot logs what it decided, and a test can wait for it.

Why: some decisions leave no request at the fake Discord (a link dropped from the queue, a
note that could not be posted); waiting on the log line they write needs no sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterator


class LogLines(logging.Handler):
    """Collects a logger's lines matching a pattern; a test can await how many there are."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(logging.DEBUG)
        self.pattern = pattern
        self.matches: list[re.Match[str]] = []
        self.grown = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        found = self.pattern.search(record.getMessage())
        if found:
            self.matches.append(found)
            self.grown.set()  # the bot logs on the event loop's thread

    async def wait_for(self, count: int, timeout: float = 60.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.matches) < count:
                self.grown.clear()
                await self.grown.wait()


@contextlib.contextmanager
def log_lines(logger: str, pattern: str) -> Iterator[LogLines]:
    handler = LogLines(re.compile(pattern))
    target = logging.getLogger(logger)
    level = target.level
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        target.removeHandler(handler)
        target.setLevel(level)
