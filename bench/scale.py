"""Scale-out: one bot process vs two on one PostgreSQL, through the fake Discord.

    python bench/scale.py [--corpora PATH] [--links 40] [--rounds 1]

What a newsroom network sees when the same stories are posted in servers on different shards:
each of N real pages (`extraction-zyte/html`, served by a loopback article server) is posted
at the same moment in a server of shard 0 and in a server of shard 1 of 2, all 2N messages in
one burst. Two set-ups on a fresh database of one throwaway PostgreSQL server each time:

- `1 process`: one `newsdesk run` with both shards (`NEWSDESK_SHARD_IDS=0-1`);
- `2 processes`: one `newsdesk run` per shard — the link lease is what keeps a story posted on
  both shards to one fetch.

Per set-up: answers per second over the burst (replies and ⚠️ for pages that are not
articles), answer p50/p95 from MESSAGE_CREATE to the answer, page fetches per link (1.0 means
each story was fetched once for both servers), answers per message and duplicates (a message
answered twice; must be 0), and how often a process waited for the other's fetch (its
`newsdesk_lease_waits_total` from `/metrics`). Then (c): the lease's cost per link on each
engine — `BriefingCache.get_or_fetch` of fresh links with and without leases, the fetch itself
free, so the difference is the lease's round trips.

On these shared 2-core machines absolute numbers move with the load; the ratios between the
set-ups, measured back to back, are what counts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # also puts the repo on sys.path
    REPO,
    add_corpora_arg,
    corpora_path,
    markdown_table,
    nearest_rank,
)

LINKS = 40
ANSWER_TIMEOUT = 300.0


@dataclass
class Outcome:
    label: str
    messages: int
    seconds: float
    latencies: list[float]
    fetches_per_link: float
    answers_per_message: float
    duplicates: int
    warned: int
    lease_waits: int

    def row(self) -> tuple[str, ...]:
        ms = sorted(self.latencies)
        return (
            self.label,
            str(self.messages),
            f"{self.messages / self.seconds:.1f}",
            f"{statistics.median(ms):.0f}",
            f"{nearest_rank(ms, 0.95):.0f}",
            f"{self.fetches_per_link:.2f}",
            f"{self.answers_per_message:.2f}",
            str(self.duplicates),
            str(self.warned),
            str(self.lease_waits),
        )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start(env: dict[str, str], folder: Path) -> asyncio.subprocess.Process:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "stderr.log", "ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=folder,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )


async def _caught_up(folder: Path, shards: list[int], process: asyncio.subprocess.Process) -> None:
    """Until the process has logged the catch-up of each of its shards (it is ready)."""
    deadline = time.monotonic() + 120
    while True:
        log = (folder / "stderr.log").read_text(errors="replace")
        if all(f"shard {shard} caught up" in log for shard in shards):
            return
        if process.returncode is not None or time.monotonic() > deadline:
            raise SystemExit(f"bench: newsdesk run did not start:\n{log[-3000:]}")
        await asyncio.sleep(0.1)


def _lease_waits(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return sum(
        int(float(line.split()[-1]))
        for line in text.splitlines()
        if line.startswith("newsdesk_lease_waits_total")
    )


async def _setup(label: str, slices: list[str], html: list[Path], dsn: str, tmp: Path) -> Outcome:
    from tests.helpers.article_server import ArticleServer
    from tests.helpers.fake_discord import FakeDiscord

    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord(shard_count=2)
    guilds = [fake.guild_id, fake.add_guild(shard=1)]
    await fake.start()
    urls = [pages.add(f"/zyte/{p.stem}", p.read_bytes()) for p in html]
    processes: list[tuple[asyncio.subprocess.Process, int]] = []
    try:
        for n, ids in enumerate(slices):
            port = _free_port()
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith("NEWSDESK_") and k != "DISCORD_TOKEN"
            }
            env.update(
                DISCORD_TOKEN=fake.token,
                NEWSDESK_DISCORD_API_BASE=fake.api_base,
                NEWSDESK_DISCORD_GATEWAY=fake.gateway_url,
                NEWSDESK_DATABASE=dsn,
                NEWSDESK_SHARD_COUNT="2",
                NEWSDESK_SHARD_IDS=ids,
                NEWSDESK_ALLOWED_NETWORKS="127.0.0.0/8",
                NEWSDESK_ALLOWED_PORTS=f"80,443,{pages.port}",
                NEWSDESK_WORKERS="1",
                NEWSDESK_USER_LINKS_PER_MINUTE="10000",
                NEWSDESK_CHANNEL_LINKS_PER_MINUTE="10000",
                NEWSDESK_METRICS_ADDR=f"127.0.0.1:{port}",
                PYTHONPATH=str(REPO),
            )
            folder = tmp / f"{label.replace(' ', '-')}-{n}"
            process = await _start(env, folder)
            processes.append((process, port))
            shards = [0, 1] if ids == "0-1" else [int(ids)]
            await _caught_up(folder, shards, process)
        channels = [fake.channel(guild) for guild in guilds]
        since = fake.mark()
        posted: list[tuple[dict, float]] = []
        begin = time.monotonic()
        for url in urls:
            for channel in channels:
                posted.append((await fake.post_message(channel, url), time.monotonic()))

        def answers(message: dict) -> list:
            mid, channel = message["id"], message["channel_id"]
            replies = fake.find(
                "POST",
                rf"/channels/{channel}/messages",
                since=since,
                where=lambda r: (
                    str(((r.json or {}).get("message_reference") or {}).get("message_id")) == mid
                ),
            )
            warned = fake.find(
                "PUT", rf"/channels/{channel}/messages/{mid}/reactions/.+/@me", since=since
            )
            return replies + warned

        await fake.wait_until(lambda: all(answers(m) for m, _ in posted), ANSWER_TIMEOUT)
        seconds = max(min(a.time for a in answers(m)) for m, _ in posted) - begin
        latencies = [(min(a.time for a in answers(m)) - at) * 1000 for m, at in posted]
        counts = [len(answers(m)) for m, _ in posted]
        warned = sum(1 for m, _ in posted if all(a.method == "PUT" for a in answers(m)))
        fetches = sum(pages.hits[f"/zyte/{p.stem}"] for p in html)
        waits = sum(_lease_waits(port) for _, port in processes)
        return Outcome(
            label=label,
            messages=len(posted),
            seconds=seconds,
            latencies=latencies,
            fetches_per_link=fetches / len(urls),
            answers_per_message=sum(counts) / len(counts),
            duplicates=sum(1 for c in counts if c > 1),
            warned=warned,
            lease_waits=waits,
        )
    finally:
        for process, _ in processes:
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in processes:
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        await fake.stop()
        pages.stop()


async def _lease_cost(target: Path | str, links: int) -> tuple[float, float]:
    """ms per fresh link through the cache without and with leases (the fetch is free)."""
    from bot.models import Briefing
    from bot.storage.cache import BriefingCache
    from bot.storage.database import open_database
    from bot.storage.leases import Leases

    db = await open_database(target)

    async def fetch(url: str) -> Briefing:
        return Briefing(source=url, url=url, headline="h", paragraphs=["p"])

    try:
        caches = {
            "plain": BriefingCache(db, canonicalize=lambda u: u),
            "leased": BriefingCache(db, leases=Leases(db, "bench/x"), canonicalize=lambda u: u),
        }
        spent = dict.fromkeys(caches, 0.0)
        for n in range(-20, links):  # 20 of each first, not timed: connections warmed up
            for name, cache in caches.items():  # alternated, so load drift hits both alike
                started = time.perf_counter()
                await cache.get_or_fetch(f"https://news.example/{name}/{n}", fetch)
                if n >= 0:
                    spent[name] += time.perf_counter() - started
        return spent["plain"] * 1000 / links, spent["leased"] * 1000 / links
    finally:
        await db.close()


async def _run(html: list[Path], rounds: int) -> str:
    from tests.helpers.postgres import BINDIR, start_server, stop_server

    if BINDIR is None:
        sys.exit("bench: PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    directory = Path(tempfile.mkdtemp(prefix="newsdesk-scale-pg-"))
    server = start_server(directory)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsdesk-scale-") as tmp:
            for r in range(rounds):  # interleaved: 1, 2, 1, 2 … so load drifts hit both
                for label, slices in (("1 process", ["0-1"]), ("2 processes", ["0", "1"])):
                    dsn = server.create_database()
                    outcome = await _setup(label, slices, html, dsn, Path(tmp) / str(r))
                    rows.append(outcome.row())
            header = (
                "set-up",
                "messages",
                "answers/s",
                "p50 ms",
                "p95 ms",
                "fetches/link",
                "answers/message",
                "duplicates",
                "⚠️ only",
                "lease waits",
            )
            table = markdown_table(rows, header)
            costs = []
            for engine, target in (
                ("SQLite", Path(tmp) / "lease.sqlite3"),
                ("PostgreSQL", server.create_database()),
            ):
                plain, leased = await _lease_cost(target, 500)
                costs.append((engine, f"{plain:.2f}", f"{leased:.2f}", f"{leased - plain:.2f}"))
            lease = markdown_table(
                costs, ("engine", "ms/link plain", "ms/link leased", "lease cost ms")
            )
    finally:
        stop_server(server)
    note = (
        f"\n{len(html)} extraction-zyte pages, each posted at once in a server of shard 0 and "
        "one of shard 1 (2 per link); 1 worker per process; one PostgreSQL server."
    )
    return table + note + "\n\n" + lease + "\n500 fresh links through BriefingCache each."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpora_arg(parser)
    parser.add_argument("--links", type=int, default=LINKS)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    root = corpora_path(args.corpora)
    html = sorted((root / "extraction-zyte" / "html").glob("*.html"))[: args.links]
    if not html:
        sys.exit(f"bench: no pages in {root / 'extraction-zyte' / 'html'}")
    print(asyncio.run(_run(html, args.rounds)))


if __name__ == "__main__":
    main()
