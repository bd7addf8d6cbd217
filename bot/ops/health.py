"""`/healthz`: is this process able to do its job right now, and if not, which part is not.

A check is an async callable answering None when healthy, or a short reason when not. Each runs
with a deadline, so a database that hangs makes the answer "failing" instead of making the
load balancer's probe hang; a check that raises is failing with the exception as its reason.
The checks run on the bot's event loop, so a blocked loop also shows: no answer at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

HealthCheck = Callable[[], Awaitable[str | None]]
CHECK_DEADLINE: Final = 3.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class HealthReport:
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    @property
    def failing(self) -> list[str]:
        return [result.name for result in self.results if not result.ok]

    def as_json(self) -> dict[str, Any]:
        """`{"status": "ok"|"failing", "failing": [...], "checks": {name: {"ok", "reason"}}}`."""
        return {
            "status": "ok" if self.ok else "failing",
            "failing": self.failing,
            "checks": {
                r.name: {"ok": r.ok, **({"reason": r.reason} if r.reason else {})}
                for r in self.results
            },
        }


async def _run_one(name: str, check: HealthCheck, deadline: float) -> CheckResult:
    try:
        reason = await asyncio.wait_for(check(), deadline)
    except TimeoutError:
        return CheckResult(name, False, f"no answer within {deadline:g} s")
    except Exception as error:  # a failing check is an answer, not a crash of the endpoint
        return CheckResult(name, False, f"{type(error).__name__}: {error}"[:300])
    return CheckResult(name, reason is None, reason)


async def run_checks(
    checks: Mapping[str, HealthCheck], deadline: float = CHECK_DEADLINE
) -> HealthReport:
    """Every check at once, each within `deadline` seconds."""
    results = await asyncio.gather(
        *(_run_one(name, check, deadline) for name, check in checks.items())
    )
    return HealthReport(tuple(results))
