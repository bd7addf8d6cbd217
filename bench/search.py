"""Archive search at scale (issue 16; issue 13's bench/scale.py part a): p50/p95 of the archive's
own `search()` over archives of 10k, 100k and 1M briefings, per query class and backend.

    python bench/search.py [--sizes 10000,100000,1000000] [--backends sqlite,postgresql]
                           [--rounds 3] [--servers 20] [--archive-servers 1000] [--old N]
                           [--data DIR] [--corpora PATH]

The archives: briefings shared over 1,000 servers (`--archive-servers`: fewer, each as full as
at a larger size) of 12 channels each (one in ten is an article
another server shared already), spread over a year, with realistic text drawn at run time from
the shared corpora — sentences of summaries-cnndm and quotes-polnear for headlines and briefings,
quotes-polnear's quotes with their named speakers. Nothing of the corpora is kept in the repo;
the generated databases are cached in `--data` (default: the system's temp folder,
`newsdesk-bench-search/`), so a rerun measures at once. A database is built the way an archive
that grew under the old code and then upgraded would be: the rows at schema 7 by bulk inserts
(kept as `rows-*.sqlite3`), then a copy upgraded by `open_database()`, which applies migration
8 (its time is printed; the upgraded file is named after the steps it was made with).

The searches: the member sees 7 of the 12 channels of their server; `--servers` servers, the same
ones for every size and class, each asked once per round; the query classes run interleaved in
each round so machine drift favours none. A cell is the median over rounds of that round's p50
(p95). `--old N` also times the single-table query of old (what main ran before issue 16) on
N servers, one round — it takes seconds per search at a million briefings.

Each backend is opened by `open_database` as the bot opens it (SQLite: two readers beside the
writer; PostgreSQL: the asyncpg pool); the timings include the hop to the reader thread or the
server and back, as a reporter's `/search` pays it.

PostgreSQL: the bench starts its own server (initdb + pg_ctl, as tests/helpers/postgres.py does;
as root it runs as the `postgres` user) with its data in `--data`/postgres, kept for reruns, on a
loopback port, with the distribution's default settings except `fsync=off` (loading only; reads
never sync). Each size is one database filled by `newsdesk migrate --from`'s copy from the
schema-7 rows of the same size (every row, the search vectors rebuilt; see `build_postgres`),
then `VACUUM ANALYZE` as autovacuum would do on a live server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path

from bot.storage.archive import Archive
from bot.storage.archive_fts import IndexQuery, SQLiteFTS5Index
from bot.storage.database import open_database
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SQLiteDatabase
from bot.storage.transfer import TABLES, _copy
from config import PostgresURL
from tests.helpers.postgres import BINDIR, PostgresServer, start_server, stop_server

GENERATOR = 1  # bump when the generated archive changes, so cached files are rebuilt
SERVERS = 1_000
CHANNELS = 12
VISIBLE = 7
RESHARED = 0.1
YEAR = 365 * 24 * 3600.0
START = 1_767_225_600.0  # 2026-01-01 UTC
GUILD_BASE = 900_000_000_000_000_000
CLASSES = (
    ("rare name", "Kilmarnock"),
    ("mid word", "president"),
    ("two words", "election campaign"),
    ("phrase", "U.S. officials"),
    ("common", "said"),
    ("stop word", "the"),
)
_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")


@dataclass(frozen=True, slots=True)
class Corpus:
    sentences: list[str]
    headlines: list[str]
    quotes: list[tuple[str, str]]  # (quote, named speaker)


def load_corpus(root: Path) -> Corpus:
    sentences: list[str] = []
    for path in sorted((root / "summaries-cnndm" / "text").glob("*.txt")):
        sentences += [s.strip() for s in path.read_text(encoding="utf-8").splitlines()]
    for path in sorted((root / "quotes-polnear" / "text").glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            sentences += [s.strip() for s in _SENTENCE_END.split(paragraph)]
    sentences = [s for s in sentences if 40 <= len(s) <= 400]
    quotes = []
    with (root / "quotes-polnear" / "gold.jsonl").open(encoding="utf-8") as gold:
        for line in gold:
            for q in json.loads(line)["quotes"]:
                if q.get("speaker") and not q.get("speaker_is_pronoun"):
                    quotes.append((q["quote"].strip('“”" '), q["speaker"]))
    if not sentences or not quotes:
        sys.exit(f"bench: no sentences or quotes found under {root}")
    return Corpus(sentences, [s for s in sentences if len(s) <= 120], quotes)


def guild_id(n: int) -> int:
    return GUILD_BASE + n


def channel_id(guild: int, n: int) -> int:
    return GUILD_BASE + 10_000_000 + (guild - GUILD_BASE) * 100 + n


def visible_channels(guild: int) -> list[int]:
    return [channel_id(guild, n) for n in range(VISIBLE)]


@dataclass(frozen=True, slots=True)
class Row:
    """One briefing as the archive stores it: the article (None when re-shared) and the share."""

    article: tuple | None
    fts: tuple | None
    share: tuple


def briefings(corpus: Corpus, size: int, servers: int = SERVERS) -> Iterator[Row]:
    rnd = random.Random(f"newsdesk-search-{GENERATOR}")
    articles = 0
    for n in range(1, size + 1):
        guild = guild_id(rnd.randrange(servers))
        channel = channel_id(guild, rnd.randrange(CHANNELS))
        shared_at = START + YEAR * n / size
        if articles and rnd.random() < RESHARED:
            share = (rnd.randint(max(1, articles - 5000), articles), guild, channel, n)
            yield Row(None, None, (*share, shared_at))
            continue
        articles += 1
        briefing = rnd.sample(corpus.sentences, rnd.randint(3, 5))
        quotes = rnd.sample(corpus.quotes, rnd.randint(0, 4))
        headline = rnd.choice(corpus.headlines)
        url = f"https://news{articles % 97}.example/{articles}"
        quote_rows = [
            {"text": q, "speaker": s, "paragraph": i, "score": 0.5}
            for i, (q, s) in enumerate(quotes)
        ]
        article = (
            articles,
            url,
            headline,
            f"News {articles % 97}",
            None,
            None,
            "\n".join(briefing[:2]),
            json.dumps(briefing, ensure_ascii=False),
            json.dumps(quote_rows, ensure_ascii=False),
            shared_at,
        )
        fts = (
            articles,
            headline,
            "\n".join(briefing),
            "\n".join(q for q, _ in quotes),
            "\n".join(dict.fromkeys(s for _, s in quotes)),
        )
        yield Row(article, fts, (articles, guild, channel, n, shared_at))


def build_rows(corpus: Corpus, size: int, path: Path, servers: int = SERVERS) -> None:
    """The archive's rows at schema 7 (before issue 16), by bulk inserts."""
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()

    async def schema_7() -> None:
        db = await SQLiteDatabase.open(partial)
        await migrate(db, MIGRATIONS[:7])
        await db.close()

    asyncio.run(schema_7())
    started = time.perf_counter()
    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    batch: list[Row] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO archive_articles (id, url, headline, site, published, byline, lede, "
            "briefing, quotes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [r.article for r in batch if r.article],
        )
        conn.executemany(
            "INSERT INTO archive_aliases (url, article_id) VALUES (?, ?)",
            [(r.article[1], r.article[0]) for r in batch if r.article],
        )
        conn.executemany(
            "INSERT INTO archive_fts (rowid, headline, briefing, quotes, speakers) "
            "VALUES (?, ?, ?, ?, ?)",
            [r.fts for r in batch if r.fts],
        )
        conn.executemany(
            "INSERT INTO archive_shares (article_id, guild_id, channel_id, message_id, jump_url, "
            "poster_id, shared_at) VALUES (?, ?, ?, ?, ?, 7, ?)",
            [
                (a, g, c, m, f"https://discord.com/channels/{g}/{c}/{m}", t)
                for a, g, c, m, t in (r.share for r in batch)
            ],
        )
        batch.clear()

    for n, row in enumerate(briefings(corpus, size, servers), start=1):
        batch.append(row)
        if len(batch) == 20_000:
            flush()
        if n % 100_000 == 0:
            print(f"  {n:,} briefings written ({time.perf_counter() - started:.0f} s)")
    flush()
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to copy
    conn.close()
    print(f"  rows at schema 7: {time.perf_counter() - started:.0f} s")
    partial.rename(path)


def upgrade(rows: Path, path: Path) -> None:
    """A copy of the schema-7 rows, upgraded by `open_database` (migration 8 and on), as a
    bot's archive would be on its first start with this code."""
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    shutil.copyfile(rows, partial)
    started = time.perf_counter()

    async def migrated() -> None:
        await (await open_database(partial)).close()

    asyncio.run(migrated())
    print(f"  upgrade to the current schema (migration 8): {time.perf_counter() - started:.0f} s")
    partial.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)


def schema_tag() -> str:
    """Names the schema the upgraded files were made with, so a changed step rebuilds them."""
    steps = "\n".join(s for m in MIGRATIONS[7:] for s in m.statements("sqlite"))
    return hashlib.sha1(steps.encode()).hexdigest()[:8]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


async def server_cpu(db: object) -> float:
    """Seconds of CPU the PostgreSQL backends serving this database have used (they run on
    this machine: /proc); 0 where that cannot be read."""
    if not isinstance(db, PostgresDatabase):
        return 0.0
    pids = await db.fetch_all(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()", heavy=True
    )
    total = 0
    for (pid,) in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


async def measure(target: Path | str, servers: list[int], rounds: int, old: int) -> dict:
    """Per class: p50/p95 of the wall time of a search, and the median CPU it used — this
    process's (SQLite's reader threads included) plus, on PostgreSQL, the server backends'."""
    db = await open_database(target)
    archive = Archive(db)
    index = SQLiteFTS5Index()
    cells: dict[str, dict[str, float]] = {}
    try:
        per_round: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in CLASSES}
        hits: dict[str, list[int]] = {label: [] for label, _ in CLASSES}
        cpu: dict[str, list[float]] = {label: [] for label, _ in CLASSES}
        for round_ in range(rounds + 1):  # round 0 warms the page cache and the statements
            times: dict[str, list[float]] = {label: [] for label, _ in CLASSES}
            for guild in servers:
                for label, text in CLASSES:  # interleaved: drift favours no class
                    server_before = await server_cpu(db)
                    cpu_before = time.process_time()
                    started = time.perf_counter()
                    found = await archive.search(
                        guild, text, channel_ids=visible_channels(guild), limit=10
                    )
                    times[label].append((time.perf_counter() - started) * 1000)
                    used = time.process_time() - cpu_before
                    used += await server_cpu(db) - server_before
                    if round_:
                        cpu[label].append(used * 1000)
                    hits[label].append(len(found))
            if round_ == 0:
                times = {label: [] for label, _ in CLASSES}
                hits = {label: [] for label, _ in CLASSES}
                continue
            for label, values in times.items():
                per_round[label].append((percentile(values, 0.5), percentile(values, 0.95)))
        for label, values in per_round.items():
            cells[label] = {
                "p50": statistics.median(v[0] for v in values),
                "p95": statistics.median(v[1] for v in values),
                "hits": statistics.mean(hits[label]),
                # /proc counts in ticks (10 ms): a mean over many searches, not a median
                "cpu": statistics.mean(cpu[label]),
            }
        if old and db.dialect == "sqlite":
            for label, text in CLASSES:
                times_old = []
                for guild in servers[:old]:
                    query = IndexQuery(guild, text, visible_channels(guild), None, 10)
                    match = " ".join(f'"{w}"' for w in text.replace(".", " ").split())
                    started = time.perf_counter()
                    await index._search_everything(db, query, match)
                    times_old.append((time.perf_counter() - started) * 1000)
                cells[label]["old p50"] = statistics.median(times_old)
    finally:
        await db.close()
    return cells


# -- PostgreSQL: the tests' server helper, on a cluster kept between runs ----------------


def build_postgres(server: PostgresServer, name: str, rows: Path) -> None:
    """The archive's rows of the same size, copied as `newsdesk migrate --from` copies them.

    Read straight from the schema-7 rows: `migrate --from` would first copy the file and bring
    the copy to the current schema, which adds only SQLite's own search tables (migration 8),
    none of which it copies — at a million briefings that second upgrade costs most of an hour
    and changes nothing in PostgreSQL. What follows is the command's own copy (`_copy`)."""
    if server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1":
        return
    loading = f"{name}_loading"
    server.psql(f"DROP DATABASE IF EXISTS {loading}")
    server.psql(f"CREATE DATABASE {loading}")
    started = time.perf_counter()
    asyncio.run(_copy_rows(rows, server.dsn(loading)))
    print(f"  migrate --from's copy of the rows: {time.perf_counter() - started:.0f} s")
    server.psql("VACUUM ANALYZE", loading)
    server.psql(f"ALTER DATABASE {loading} RENAME TO {name}")


async def _copy_rows(rows: Path, dsn: str) -> None:
    database = await open_database(PostgresURL(dsn), pool_size=2)
    try:
        assert isinstance(database, PostgresDatabase)
        with contextlib.closing(sqlite3.connect(f"file:{rows}?mode=ro", uri=True)) as source:
            await _newer_columns_as_null(source, database)
            await _copy(source, database)
    finally:
        await database.close()


async def _newer_columns_as_null(source: sqlite3.Connection, database: PostgresDatabase) -> None:
    """The rows files are schema 7 (cached for hours of building); a later migration may add a
    column to a copied table (`digest_schedules.posted_run`) or a whole table (`intake_jobs`).
    A temporary view of the same name, which SQLite resolves before the file's table, adds each
    such column as NULL, and a new table is an empty temporary one, so the cached rows need no
    upgrade (the file stays read-only)."""
    for table in TABLES:
        wanted = [
            str(r[0])
            for r in await database.fetch_all(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                (table,),
            )
        ]
        present = {r[1] for r in source.execute(f"PRAGMA main.table_info({table})")}
        missing = [c for c in wanted if c not in present]
        if not present:  # a table added since: empty in the cached rows
            source.execute(f"CREATE TEMP TABLE {table} ({', '.join(wanted)})")
        elif missing:
            extra = ", ".join(f"NULL AS {c}" for c in missing)
            source.execute(f"CREATE TEMP VIEW {table} AS SELECT *, {extra} FROM main.{table}")


def data_dir(arg: str | None) -> Path:
    path = Path(arg) if arg else Path(tempfile.gettempdir()) / "newsdesk-bench-search"
    path.mkdir(parents=True, exist_ok=True)
    return path


def table(results: dict[tuple[int, str], dict], old: bool) -> str:
    header = ["briefings", "backend", *(f"{label} “{text}”" for label, text in CLASSES)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for (size, backend), cells in sorted(results.items()):
        row = [f"{size:,}", backend]
        for label, _ in CLASSES:
            cell = cells[label]
            text = f"{cell['p50']:.1f} / {cell['p95']:.1f} ({cell['cpu']:.1f} CPU)"
            if old and "old p50" in cell:
                text += f" (old {cell['old p50']:,.0f})"
            row.append(text)
        lines.append("| " + " | ".join(row) + " |")
    hits = ", ".join(
        f"{label} {cells[label]['hits']:.1f}"
        for label, _ in CLASSES
        for (size, _b), cells in [max(results.items())]
    )
    lines.append(
        "\nms, p50 / p95 (median of rounds) and, in brackets, the mean CPU of a search (this "
        "process's plus, on PostgreSQL, the server's). Hits per search at the largest size: "
        f"{hits}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("--old", type=int, default=0, help="servers to time the old query on")
    parser.add_argument(
        "--archive-servers",
        type=int,
        default=SERVERS,
        help="servers the briefings are spread over (fewer: each holds more, as at a larger size)",
    )
    parser.add_argument("--data", help="folder for the generated databases (kept for reruns)")
    add_corpora_arg(parser)
    args = parser.parse_args()
    folder = data_dir(args.data)
    corpus: Corpus | None = None
    rnd = random.Random(7)
    servers = [guild_id(n) for n in rnd.sample(range(args.archive_servers), args.servers)]
    spread = "" if args.archive_servers == SERVERS else f"-s{args.archive_servers}"
    results: dict[tuple[int, str], dict] = {}
    backends = args.backends.split(",")
    for backend in backends:
        if backend not in ("sqlite", "postgresql"):
            sys.exit(f"bench: unknown backend {backend!r}")
    server = None
    if "postgresql" in backends:
        if BINDIR is None:
            sys.exit("bench: PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        server = start_server(folder / "postgres")  # its databases are kept between runs
    print(f"load average at start: {os.getloadavg()}")
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            rows = folder / f"rows-{size}{spread}-g{GENERATOR}.sqlite3"
            path = folder / f"sqlite-{size}{spread}-g{GENERATOR}-{schema_tag()}.sqlite3"
            if not rows.exists():
                corpus = corpus or load_corpus(corpora_path(args.corpora))
                print(f"building {rows} ({size:,} briefings)")
                build_rows(corpus, size, rows, args.archive_servers)
            if "sqlite" in backends and not path.exists():
                print(f"upgrading a copy to {path}")
                upgrade(rows, path)
            for backend in backends:
                target: Path | str = path
                if server is not None and backend == "postgresql":
                    name = f"search_{size}{spread.replace('-', '_')}_g{GENERATOR}_{schema_tag()}"
                    build_postgres(server, name, rows)
                    target = server.dsn(name)
                print(f"measuring {backend} at {size:,} …")
                results[(size, backend)] = asyncio.run(
                    measure(target, servers, args.rounds, args.old)
                )
                print(json.dumps(results[(size, backend)]))
    finally:
        if server is not None:
            stop_server(server, mode="fast")
    print(f"load average at end: {os.getloadavg()}")
    print(table(results, bool(args.old)))


if __name__ == "__main__":
    main()
