"""One racer of `tests.helpers.racers`: `python -m tests.helpers.race_worker TARGET OP ARGS`.

Opens the database at TARGET (a SQLite path or a PostgreSQL URL), prepares OP with ARGS (JSON),
prints `ready`, waits for a line on stdin, does OP and prints its result as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from datetime import UTC, datetime
from typing import Any

from bot.models import Briefing
from bot.newsroom.schedule import DigestScheduler
from bot.storage.cache import BriefingCache
from bot.storage.database import Database, open_database
from bot.storage.intake import IntakeJob, IntakeJobs
from bot.storage.leases import Leases
from bot.storage.ratelimits import SharedWindows
from bot.storage.schedules import ScheduleStore


def say(line: object) -> None:
    print(line if isinstance(line, str) else json.dumps(line), flush=True)


async def go() -> None:
    await asyncio.to_thread(sys.stdin.readline)


async def lease(db: Database, args: dict[str, Any]) -> None:
    leases = Leases(db, args["holder"])
    say("ready")
    await go()
    say(await leases.try_acquire(args["key"]))


async def lease_hold(db: Database, args: dict[str, Any]) -> None:
    """Take the lease, keep renewing it, and never let go: the test kills this process."""
    leases = Leases(db, args["holder"], ttl=args["ttl"])
    say("ready")
    await go()
    assert await leases.try_acquire(args["key"])
    async with leases.renewing(args["key"]):
        say("holding")
        await asyncio.Event().wait()


async def fetch(db: Database, args: dict[str, Any]) -> None:
    """`get_or_fetch` through a cache with leases; the fetch is a real HTTP request."""
    cache = BriefingCache(db, leases=Leases(db, args["holder"]), canonicalize=lambda u: u)
    cache.on_lease_wait = lambda: say("waiting")
    fetched = False

    async def get(url: str) -> Briefing:
        nonlocal fetched
        fetched = True
        page = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=60).read())
        return Briefing(source=url, url=url, headline=page.decode()[:60], paragraphs=["x"])

    say("ready")
    await go()
    briefing = await cache.get_or_fetch(args["url"], get)
    say({"headline": briefing.headline, "fetched": fetched})


async def claim(db: Database, args: dict[str, Any]) -> None:
    store = ScheduleStore(db)
    slot = datetime.fromisoformat(args["slot"])
    say("ready")
    await go()
    say(await store.claim_run(args["guild"], args["channel"], slot))


async def due(db: Database, args: dict[str, Any]) -> None:
    now = datetime.fromisoformat(args["now"])
    owned = set(args["owns"])
    scheduler = DigestScheduler(ScheduleStore(db), clock=lambda: now, owns=owned.__contains__)
    say("ready")
    await go()
    runs = await scheduler.due()
    say([[run.schedule.channel_id, run.slot.astimezone(UTC).isoformat()] for run in runs])


async def take(db: Database, args: dict[str, Any]) -> None:
    windows = SharedWindows(db)
    say("ready")
    await go()
    granted = 0
    for _ in range(args["times"]):
        taken = await windows.take(args["key"], 1, args["limit"], args["window"])
        granted += taken.granted
    say(granted)


async def record(db: Database, args: dict[str, Any]) -> None:
    jobs = IntakeJobs(db, args["holder"])
    job = IntakeJob(args["message"], 1, 2, 0, 3, ("https://news.example/a",))
    say("ready")
    await go()
    say(await jobs.record(job))


async def opened(target: str) -> None:
    """Open (and so migrate) the database only once released: two processes at once."""
    say("ready")
    await go()
    db = await open_database(target)
    try:
        row = await db.fetch_one("SELECT count(*) FROM intake_jobs")
        say({"jobs": None if row is None else int(row[0])})
    finally:
        await db.close()


OPS = {
    "lease": lease,
    "lease_hold": lease_hold,
    "fetch": fetch,
    "claim": claim,
    "due": due,
    "take": take,
    "record": record,
}


async def main(target: str, op: str, args: dict[str, Any]) -> None:
    if op == "open":
        await opened(target)
        return
    db = await open_database(target)
    try:
        await OPS[op](db, args)
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
