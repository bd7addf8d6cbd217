"""Several real processes racing on one database: for claims about work across processes.

Why processes and not tasks: a race between two tasks of one event loop never interleaves
inside a database call, and a lock held in one process's memory looks like a working lock. The
claims here (one lease holder, one digest claimer, one limit for everyone) are about separate
processes, each with its own connections, as in production.

Each racer runs `python -m tests.helpers.race_worker TARGET OP ARGS`: it opens the database,
prepares, prints `ready`, and waits for a line on stdin; the test releases them all at once
(`go`), and each prints its result as one JSON line (and any progress lines before it). The
outcome a test asserts must hold however the racers interleave — the release only makes a
close race likely, it is never what the assertion depends on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers.paths import REPO

TIMEOUT = 120.0


@dataclass
class Racer:
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)

    async def line(self, timeout: float = TIMEOUT) -> str:
        """The next line the racer prints (its stderr is shown if it dies instead)."""
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not raw:
            await self.process.wait()
            assert self.process.stderr is not None
            errors = (await self.process.stderr.read()).decode()
            raise AssertionError(f"racer exited ({self.process.returncode}): {errors[-3000:]}")
        text = raw.decode().strip()
        self.lines.append(text)
        return text

    async def wait_for_line(self, wanted: str, timeout: float = TIMEOUT) -> None:
        while await self.line(timeout) != wanted:
            pass

    async def result(self, timeout: float = TIMEOUT) -> Any:
        """The racer's JSON result (skipping progress lines)."""
        while True:
            text = await self.line(timeout)
            if text.startswith(("{", "[")) or text in ("true", "false") or text[:1].isdigit():
                return json.loads(text)

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")


@contextlib.asynccontextmanager
async def racers(
    target: Path | str, op: str, args: Sequence[dict[str, Any]]
) -> AsyncIterator[list[Racer]]:
    """One racer per entry of `args`, all ready (database open, prepared) when this yields;
    killed and reaped on exit."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started: list[Racer] = []
    try:
        for arg in args:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.helpers.race_worker",
                str(target),
                op,
                json.dumps(arg),
                cwd=REPO,
                env=env,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            started.append(Racer(process))
        for racer in started:
            await racer.wait_for_line("ready")
        yield started
    finally:
        for racer in started:
            if racer.process.returncode is None:
                racer.process.kill()
            await racer.process.wait()


async def release(group: Sequence[Racer]) -> None:
    """Let every racer go at (nearly) the same moment."""
    for racer in group:
        racer.go()
    for racer in group:
        assert racer.process.stdin is not None
        await racer.process.stdin.drain()
