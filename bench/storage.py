"""How the bot's storage holds up in a burst, and how large the database grows.

    python bench/storage.py [--only burst,size] [--links 300] [--rounds 3]
                            [--legacy-src PATH] [--corpora PATH]

- burst: `--links` links arrive at once; each handler does what the bot does per link (read
  the channel's mode, ask the cache, "fetch" on a miss, mark the message answered, archive the
  share) while a probe reads a channel's mode every 20 ms the way `/newsdesk status` does, LLM
  budgets and digest marks are saved now and then, and every step burns a little CPU so the
  event loop is as busy as the bot's. Reported per storage layout: wall time, the probe's
  worst and p99 read latency (Discord wants an answer within 3 s), the slowest write, and the
  writes that failed ("database is locked"). Layouts:
    - `one writer` — today's `bot.storage`: one writer connection serialised in the process,
      each write one short `BEGIN IMMEDIATE` transaction, read-only connections beside it,
      commits synced at checkpoints (`synchronous=NORMAL`);
    - `one writer, fsync per commit` — the same with `synchronous=FULL`, as the old code had;
    - `writers per store` — the same code, but each store on a database of its own on the same
      file (one writer connection each, still `BEGIN IMMEDIATE`): what several connections
      without an in-process queue give;
    - `legacy` — the stores of commit 7b210fe with that bot's connection layout (the store and
      the cache on one connection, archive, schedules and LLM switch on one each), when
      `--legacy-src` names a checkout of it (`git worktree add /tmp/newsdesk-7b210fe 7b210fe`;
      it needs `aiosqlite`, which Newsdesk itself no longer uses: `pip install aiosqlite`).
  Rounds are interleaved so machine drift favours no layout; the table shows medians.
- size: the database's growth per 1,000 briefings, cached and archived as the bot does, from
  the real pipeline's briefings of the shared corpora (extraction-zyte, so real article
  lengths), plus the same for a giant page to show the caps.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, markdown_table

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("burst", "size")
LAYOUTS = ("one writer", "one writer, fsync per commit", "writers per store", "legacy")
GUILD, CHANNEL = 1, 10


def _burn(ms: float) -> None:
    """Keep the event loop busy, as JSON, embeds and discord.py do in the real bot."""
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


# -- the stores, behind one small adapter per layout ------------------------------------------


class Adapter:
    async def open(self, path: Path, busy_ms: int) -> None: ...
    async def mode(self, channel: int) -> str: ...
    async def is_set(self, channel: int) -> bool: ...
    async def brief(self, url: str, fetch: Callable[[str], Awaitable[Any]]) -> Any: ...
    async def mark_answered(self, message_id: int) -> None: ...
    async def record_share(self, briefing: Any, message_id: int) -> None: ...
    async def save_budget(self, guild_id: int) -> None: ...
    async def mark_run(self) -> None: ...
    async def close(self) -> None: ...


class CurrentAdapter(Adapter):
    """Today's stores; `per_store` puts each on a database (writer connection) of its own."""

    def __init__(self, per_store: bool, durable: bool) -> None:
        self.per_store = per_store
        self.durable = durable
        self.databases: list[Any] = []

    async def open(self, path: Path, busy_ms: int) -> None:
        from bot.llm.budget import DailyBudget
        from bot.llm.switch import LLMGuildStore
        from bot.storage.archive import Archive
        from bot.storage.cache import BriefingCache
        from bot.storage.database import open_database
        from bot.storage.guild_settings import GuildSettings
        from bot.storage.modes import Store
        from bot.storage.schedules import ScheduleStore

        async def database() -> Any:
            if self.databases and not self.per_store:
                return self.databases[0]
            db = await open_database(path, busy_timeout_ms=busy_ms, durable_commits=self.durable)
            self.databases.append(db)
            return db

        self.store = Store(await database())
        self.cache = BriefingCache(await database())
        self.archive = Archive(await database())
        self.schedules = ScheduleStore(await database())
        self.guilds = LLMGuildStore(GuildSettings(await database()))
        self.budget = DailyBudget(limit=10_000)
        await self.schedules.set(GUILD, CHANNEL, 18, 0, "Europe/Berlin")
        await self.store.set_mode(GUILD, CHANNEL, "auto")

    async def mode(self, channel: int) -> str:
        return await self.store.effective_mode(channel, None)

    async def is_set(self, channel: int) -> bool:
        return await self.store.is_set(channel)

    async def brief(self, url: str, fetch: Callable[[str], Awaitable[Any]]) -> Any:
        return await self.cache.get_or_fetch(url, fetch)

    async def mark_answered(self, message_id: int) -> None:
        if not await self.store.mark_answered(message_id):
            raise RuntimeError("mark_answered failed")

    async def record_share(self, briefing: Any, message_id: int) -> None:
        await _record(self.archive, briefing, message_id)

    async def save_budget(self, guild_id: int) -> None:
        self.budget.try_spend(guild_id)
        await self.guilds.save_budget(self.budget, guild_id)

    async def mark_run(self) -> None:
        await self.schedules.mark_run(GUILD, CHANNEL, datetime.now(UTC))

    async def close(self) -> None:
        for db in self.databases:
            await db.close()


class LegacyAdapter(Adapter):
    """The stores of commit 7b210fe, connected the way its bot connected them."""

    async def open(self, path: Path, busy_ms: int) -> None:
        import aiosqlite
        from bot.archive import Archive  # type: ignore[import-not-found]
        from bot.cache import BriefingCache  # type: ignore[import-not-found]
        from bot.llm_budget import DailyBudget  # type: ignore[import-not-found]
        from bot.llm_guilds import LLMGuildStore  # type: ignore[import-not-found]
        from bot.schedule import ScheduleStore  # type: ignore[import-not-found]
        from bot.store import Store  # type: ignore[import-not-found]

        self.store = await Store.open(path)
        await self.store.db.execute(f"PRAGMA busy_timeout={busy_ms}")
        self.cache = BriefingCache(self.store.db)
        await self.cache.init()
        self.connections = []
        for _ in range(2):
            db = await aiosqlite.connect(path)
            await db.execute(f"PRAGMA busy_timeout={busy_ms}")
            self.connections.append(db)
        self.archive = Archive(self.connections[0])
        await self.archive.init()
        self.schedules = ScheduleStore(self.connections[1])
        await self.schedules.init()
        self.guilds = await LLMGuildStore.open(path)
        await self.guilds.db.execute(f"PRAGMA busy_timeout={busy_ms}")
        self.budget = DailyBudget(limit=10_000)
        await self.schedules.set(GUILD, CHANNEL, 18, 0, "Europe/Berlin")
        await self.store.set_mode(GUILD, CHANNEL, "auto")

    async def mode(self, channel: int) -> str:
        return str(await self.store.effective_mode(channel, None))

    async def is_set(self, channel: int) -> bool:
        return bool(await self.store.is_set(channel))

    async def brief(self, url: str, fetch: Callable[[str], Awaitable[Any]]) -> Any:
        return await self.cache.get_or_fetch(url, fetch)

    async def mark_answered(self, message_id: int) -> None:
        await self.store.mark_answered(message_id)

    async def record_share(self, briefing: Any, message_id: int) -> None:
        await _record(self.archive, briefing, message_id)

    async def save_budget(self, guild_id: int) -> None:
        self.budget.try_spend(guild_id)
        await self.guilds.save_budget(self.budget, guild_id)

    async def mark_run(self) -> None:
        await self.schedules.mark_run(GUILD, CHANNEL, datetime.now(UTC))

    async def close(self) -> None:
        await self.guilds.close()
        for db in self.connections:
            await db.close()
        await self.store.close()


async def _record(archive: Any, briefing: Any, message_id: int) -> None:
    await archive.record_share(
        briefing,
        guild_id=GUILD,
        channel_id=CHANNEL,
        message_id=message_id,
        jump_url=f"https://discord.com/channels/{GUILD}/{CHANNEL}/{message_id}",
        poster_id=7,
        shared_at=datetime.now(UTC),
    )


def _briefing(url: str) -> Any:
    from bot.models import Briefing, Quote

    n = url.rsplit("-", 1)[1]
    return Briefing(
        source=url,
        url=url,
        headline=f"Harbour council story number {n}",
        site="Harbour Post",
        paragraphs=["The harbour council met on Tuesday to discuss the ferry timetable. " * 6] * 12,
        quotes=[Quote("We will keep the night ferry running", "Mira Talvik", 1, 0.8)] * 4,
        briefing=["The harbour council met on Tuesday to discuss the ferry timetable."] * 3,
    )


# -- the burst -----------------------------------------------------------------------------


@dataclass
class BurstResult:
    layout: str
    links: int
    seconds: float = 0.0
    probe_max_ms: float = 0.0
    probe_median_ms: float = 0.0
    write_max_ms: float = 0.0
    failed_writes: int = 0
    cache_write_failures: int = 0
    archived: int = 0
    errors: list[str] = field(default_factory=list)


class _CountCacheFailures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "could not cache" in record.getMessage():
            self.count += 1


async def burst(adapter: Adapter, layout: str, links: int, cpu_ms: float) -> BurstResult:
    result = BurstResult(layout, links)
    counter = _CountCacheFailures()
    logging.getLogger().addHandler(counter)
    logging.getLogger().setLevel(logging.WARNING)
    fetching = asyncio.Semaphore(8)  # NEWSDESK_MAX_IN_FLIGHT
    writes: list[float] = []
    probes: list[float] = []
    done = asyncio.Event()

    async def fetch(url: str) -> Any:
        async with fetching:
            await asyncio.sleep(0.005)  # the page on the wire
            _burn(cpu_ms)  # the worker's result handed back, the briefing built
            return _briefing(url)

    async def timed_write(step: Awaitable[Any]) -> None:
        start = time.perf_counter()
        try:
            await step
        except Exception as error:
            result.failed_writes += 1
            result.errors.append(f"{type(error).__name__}: {error}")
        writes.append(time.perf_counter() - start)

    async def handle(i: int) -> None:
        url = f"https://harbourpost.example/story-{i}"
        await adapter.mode(CHANNEL)
        try:
            briefing = await adapter.brief(url, fetch)
        except Exception as error:  # a cache *read* failing fails the link
            result.errors.append(f"{type(error).__name__}: {error}")
            return
        _burn(cpu_ms)  # the embed and the reply through discord.py
        await timed_write(adapter.mark_answered(100_000 + i))
        await timed_write(adapter.record_share(briefing, 100_000 + i))
        if i % 5 == 0:
            await timed_write(adapter.save_budget(GUILD + i % 7))
        if i % 20 == 0:
            await timed_write(adapter.mark_run())

    async def probe() -> None:
        while not done.is_set():
            start = time.perf_counter()
            try:
                await adapter.mode(CHANNEL)
                await adapter.is_set(CHANNEL)
            except Exception as error:
                result.errors.append(f"probe {type(error).__name__}: {error}")
            probes.append(time.perf_counter() - start)
            await asyncio.sleep(0.02)

    prober = asyncio.create_task(probe())
    start = time.perf_counter()
    await asyncio.gather(*(handle(i) for i in range(links)))
    result.seconds = time.perf_counter() - start
    done.set()
    await prober
    logging.getLogger().removeHandler(counter)
    result.cache_write_failures = counter.count
    probes.sort()
    result.probe_max_ms = probes[-1] * 1000
    result.probe_median_ms = statistics.median(probes) * 1000
    result.write_max_ms = max(writes) * 1000 if writes else 0.0
    return result


async def _run_layout(layout: str, links: int, busy_ms: int, cpu_ms: float) -> BurstResult:
    adapter: Adapter = (
        LegacyAdapter()
        if layout == "legacy"
        else CurrentAdapter(layout == "writers per store", "fsync" in layout)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "burst.sqlite3"
        await adapter.open(path, busy_ms)
        try:
            result = await burst(adapter, layout, links, cpu_ms)
        finally:
            await adapter.close()
        import sqlite3

        with sqlite3.connect(path) as db:
            result.archived = db.execute("SELECT count(*) FROM archive_shares").fetchone()[0]
    return result


def _run_in_process(
    layout: str, links: int, busy_ms: int, cpu_ms: float, legacy_src: Path | None
) -> BurstResult:
    """Each layout in a fresh process (the legacy one with the old code on its path)."""
    env = dict(os.environ)
    if layout == "legacy":
        assert legacy_src is not None
        env["PYTHONPATH"] = str(legacy_src)
    else:
        env["PYTHONPATH"] = str(REPO)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            *("--layout", layout, "--links", str(links)),
            *("--busy-ms", str(busy_ms), "--cpu-ms", str(cpu_ms)),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return BurstResult(**data)


def burst_table(
    links: int, rounds: int, busy_ms: int, cpu_ms: float, legacy_src: Path | None
) -> str:
    layouts = [name for name in LAYOUTS if name != "legacy" or legacy_src is not None]
    runs: dict[str, list[BurstResult]] = {name: [] for name in layouts}
    for _ in range(rounds):
        for name in layouts:  # interleaved: drift of a shared machine favours no layout
            runs[name].append(_run_in_process(name, links, busy_ms, cpu_ms, legacy_src))
    rows = []
    for name in layouts:
        rs = runs[name]

        def med(attr: str, rs: list[BurstResult] = rs) -> float:
            return statistics.median(float(getattr(r, attr)) for r in rs)

        rows.append(
            (
                name,
                f"{med('seconds'):.2f}",
                f"{med('probe_max_ms'):.0f}",
                f"{med('probe_median_ms'):.0f}",
                f"{med('write_max_ms'):.0f}",
                f"{med('failed_writes'):.0f}",
                f"{med('cache_write_failures'):.0f}",
                f"{med('archived'):.0f}/{links}",
            )
        )
    header = (
        "layout",
        "burst s",
        "status read max ms",
        "median ms",
        "slowest write ms",
        "failed writes",
        "cache writes lost",
        "archived",
    )
    note = (
        f"{links} links at once, {cpu_ms:g} ms of CPU per link twice, busy timeout {busy_ms} ms, "
        f"median of {rounds} rounds"
    )
    return note + "\n\n" + markdown_table(rows, header)


# -- database size per 1,000 briefings --------------------------------------------------------


def _corpus_briefings(root: Path, limit: int) -> list[Any]:
    from bot.runtime.analysis import analyse_html

    pages = sorted((root / "extraction-zyte" / "html").glob("*.html"))[:limit]
    briefings = []
    for page in pages:
        briefing = analyse_html(f"https://example.test/{page.stem}", page.read_bytes(), None)
        if briefing.ok:
            briefings.append(briefing)
    return briefings


async def _grow(briefings: list[Any], count: int) -> tuple[int, int]:
    """Bytes the database file grows by when `count` briefings (cycling through `briefings`,
    each under a URL of its own) are cached, and then by archiving them: (cache, archive)."""
    from dataclasses import replace

    from bot.storage.archive import Archive
    from bot.storage.cache import BriefingCache
    from bot.storage.database import open_database

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "size.sqlite3"
        db = await open_database(path)

        async def size() -> int:
            await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the file
            return path.stat().st_size

        empty = await size()
        cache, archive = BriefingCache(db), Archive(db)
        items = []
        for n in range(count):
            url = f"https://news{n % 97}.example/story/{n}"
            items.append(replace(briefings[n % len(briefings)], source=url, url=url))
        for briefing in items:

            async def fetch(_: str, b: Any = briefing) -> Any:
                return b

            await cache.get_or_fetch(briefing.source, fetch)
        cached = await size()
        for n, briefing in enumerate(items):
            await _record(archive, briefing, 500_000 + n)
        archived = await size()
        await db.close()
        return cached - empty, archived - cached


def size_table(root: Path) -> str:
    from bot.models import Briefing, Quote

    briefings = _corpus_briefings(root, 181)
    texts = sorted(len(b.text) for b in briefings)
    giant = Briefing(
        source="https://giant.example/",
        url="https://giant.example/",
        headline="A page of 3.9 MB",
        paragraphs=["Word " * 200] * 3_900,
        quotes=[Quote("Quote " * 400, "Someone", 1, 0.5)] * 100,
        briefing=["Word word word."] * 3,
    )
    rows = []
    for label, sample in (
        ("corpus articles (extraction-zyte)", briefings),
        ("giant page", [giant]),
    ):
        cached, archived = asyncio.run(_grow(sample, 1000))
        rows.append(
            (
                label,
                f"{cached / 1e6:.1f} MB",
                f"{archived / 1e6:.1f} MB",
                f"{(cached + archived) / 1e6:.1f} MB",
            )
        )
    note = (
        f"{len(briefings)} real briefings cycled to 1,000 distinct links, each cached and "
        f"archived (text median {texts[len(texts) // 2]:,} chars, max {texts[-1]:,}); the giant "
        "page has 3.9 MB of text and 100 quotes of 2,400 chars. Cache rows go in the sweep once "
        "expired (24 h); the archive is kept."
    )
    header = ("1,000 briefings of", "cache", "archive", "total")
    return note + "\n\n" + markdown_table(rows, header)


# -- command line ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--links", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--busy-ms", type=int, default=5000)
    parser.add_argument("--cpu-ms", type=float, default=5.0, help="event-loop work per step")
    parser.add_argument("--legacy-src", type=Path, help="a checkout of commit 7b210fe")
    parser.add_argument("--layout", choices=LAYOUTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.layout:  # one run, in its own process: print the result as JSON
        if args.layout == "legacy":  # the old `bot` from PYTHONPATH, not this checkout's
            sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != REPO]
        result = asyncio.run(_run_layout(args.layout, args.links, args.busy_ms, args.cpu_ms))
        result.errors = sorted(set(result.errors))[:5]
        print(json.dumps(asdict(result)))
        return
    only = set(args.only.split(","))
    if "burst" in only:
        print("## Burst\n")
        print(burst_table(args.links, args.rounds, args.busy_ms, args.cpu_ms, args.legacy_src))
        print()
    if "size" in only:
        print("## Database size\n")
        print(size_table(corpora_path(args.corpora)))


if __name__ == "__main__":
    main()
