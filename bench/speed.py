"""How fast Newsdesk is, and whether the bot stays responsive under load.

    python bench/speed.py [--corpora PATH] [--only throughput,cli,linear,steps,lag,rss,discord]

- throughput: pages/s on extraction-zyte — bare `trafilatura.extract`, our whole analysis in one
  process, and our analysis through the worker pool (targets: one process ≥ 0.9× bare; pool ≥
  1.6× one process on two cores).
- cli: `newsdesk brief --json PAGES…` as one process against a Python loop of
  `trafilatura.extract(page_bytes)` in one process, on extraction-zyte, metadata and both
  (target ≥ 0.9×).
- linear: CPU seconds per page against page size, 0.25 to 5 MB, one huge paragraph and ordinary
  paragraphs: the slope in s/MB and the exponent k of time ∝ size^k (target: k ≈ 1).
- steps: median CPU ms per article of quotes + briefing alone (target ≤ 3 ms, issue 12).
- lag: a 1 ms ticker runs while 20 large pages (≥ 500 KB) go through the real pipeline at once,
  fetched from a loopback server (target: max lag < 100 ms).
- rss: peak resident memory of the bot's process and of its workers over a 200-page burst
  (target < 400 MB).
- discord: MESSAGE_CREATE → reply REST call through the local fake Discord, p50/p95, cold and
  cached.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, markdown_table

ROUNDS = 3
SECTIONS = ("throughput", "cli", "linear", "steps", "lag", "rss", "discord")


def throughput(root: Path) -> str:
    import trafilatura

    from bot.runtime.analysis import analyse_html
    from bot.runtime.pipeline import Pipeline
    from config import Settings

    pages = [p.read_bytes() for p in sorted((root / "extraction-zyte" / "html").glob("*.html"))]

    def one_pass(fn) -> tuple[float, float]:
        """(wall seconds, CPU seconds) of one pass; CPU time is what other helpers' load on a
        shared machine disturbs least (the work is single-threaded either way)."""
        wall, cpu = time.perf_counter(), time.process_time()
        for i, page in enumerate(pages):
            fn(i, page)
        return time.perf_counter() - wall, time.process_time() - cpu

    for i, page in enumerate(pages[:5]):  # both sides warm: lazy tables, first-call imports
        trafilatura.extract(page)
        analyse_html(str(i), page, None)
    # ROUNDS rounds, the two sides interleaved and their order alternated, so drift in the
    # machine's speed (other processes, clock changes) cannot favour either side; medians.
    bare_runs, ours_runs = [], []
    for round_ in range(ROUNDS):
        for side in _order(round_):
            if side == "bare":
                bare_runs.append(one_pass(lambda i, page: trafilatura.extract(page)))
            else:
                ours_runs.append(one_pass(lambda i, page: analyse_html(str(i), page, None)))
    bare = len(pages) / statistics.median(w for w, _ in bare_runs)
    inline = len(pages) / statistics.median(w for w, _ in ours_runs)
    bare_cpu = len(pages) / statistics.median(c for _, c in bare_runs)
    inline_cpu = len(pages) / statistics.median(c for _, c in ours_runs)
    ratios = [b[0] / o[0] for b, o in zip(bare_runs, ours_runs, strict=True)]

    async def pooled() -> float:
        settings = Settings(_env_file=None)
        best = 0.0
        async with Pipeline(settings) as pipeline:
            for _ in range(ROUNDS):
                begin = time.perf_counter()
                jobs = (pipeline.brief_html(p, str(i)) for i, p in enumerate(pages))
                await asyncio.gather(*jobs)
                best = max(best, len(pages) / (time.perf_counter() - begin))
        return best

    pool = asyncio.run(pooled())
    workers = Settings(_env_file=None).workers
    spread = f"{min(ratios):.2f}–{max(ratios):.2f}×"
    rows = [
        ("bare trafilatura.extract, one process", f"{bare:.1f}", "1", f"{bare_cpu:.1f}", "1"),
        (
            "Newsdesk analysis, one process",
            f"{inline:.1f}",
            f"{statistics.median(ratios):.2f}× ({spread})",
            f"{inline_cpu:.1f}",
            f"{inline_cpu / bare_cpu:.2f}×",
        ),
        (f"Newsdesk analysis, pool of {workers}", f"{pool:.1f}", f"{pool / bare:.2f}×", "", ""),
    ]
    note = f"\npool ÷ one process = {pool / inline:.2f}× ({len(pages)} pages)"
    header = ("extraction-zyte", "pages/s", "vs bare (rounds)", "pages/CPU-s", "vs bare, CPU")
    return markdown_table(rows, header) + note + f"; medians of {ROUNDS} interleaved rounds"


def _order(round_: int) -> tuple[str, str]:
    """Which side runs first in this round: alternated, so neither always gets the warmer (or
    the quieter) half of a round."""
    return ("bare", "ours") if round_ % 2 == 0 else ("ours", "bare")


_BARE_LOOP = """
import sys, trafilatura
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        trafilatura.extract(handle.read())
"""


def _byte_compile() -> None:
    """Both sides start from bytecode, as an installed program does: pip compiled trafilatura's
    modules when it installed them, while ours would be compiled from source on every run where
    PYTHONDONTWRITEBYTECODE is set (the shared machine sets it): 0.15–0.25 CPU-s per process
    that no deployment pays. (compileall writes `__pycache__/`, which git ignores, whatever
    that variable says.)"""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("bot", "config", "cogs"):
        compileall.compile_dir(root / package, quiet=1)


def _timed(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a child process run to its end (any exit status: a batch with a
    failing page exits 1 by contract)."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command,
        check=False,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=Path(__file__).resolve().parent,  # no .env of the repository's root applies
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def cli(root: Path) -> str:
    """`newsdesk brief --json PAGES…` as one process against one process running a Python loop
    of `trafilatura.extract(page_bytes)` over the same files: start-up, imports and reading the
    files included on both sides (both from compiled bytecode), interleaved (order alternated),
    medians of ROUNDS (wall and CPU time; CPU is what a shared machine disturbs least)."""
    corpora = {
        "extraction-zyte": sorted((root / "extraction-zyte" / "html").glob("*.html")),
        "metadata": sorted((root / "metadata" / "html").glob("*.html")),
    }
    corpora["both"] = corpora["extraction-zyte"] + corpora["metadata"]
    _byte_compile()
    rows = []
    for name, paths in corpora.items():
        files = [str(p) for p in paths]
        ours_cmd = [sys.executable, "-m", "bot", "brief", "--json", "--extractive", *files]
        bare_cmd = [sys.executable, "-c", _BARE_LOOP, *files]
        bare, ours = [], []
        for round_ in range(ROUNDS):
            for side in _order(round_):
                (bare if side == "bare" else ours).append(
                    _timed(bare_cmd if side == "bare" else ours_cmd)
                )
        ratios = [b[0] / o[0] for b, o in zip(bare, ours, strict=True)]
        cpu_ratios = [b[1] / o[1] for b, o in zip(bare, ours, strict=True)]
        mid_bare = statistics.median(w for w, _ in bare)
        mid_ours = statistics.median(w for w, _ in ours)
        rows.append(
            (
                f"{name} ({len(files)})",
                f"{len(files) / mid_bare:.1f}",
                f"{len(files) / mid_ours:.1f}",
                f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}×)",
                f"{statistics.median(cpu_ratios):.2f}× "
                f"({min(cpu_ratios):.2f}–{max(cpu_ratios):.2f}×)",
            )
        )
    header = ("pages", "bare loop pages/s", "newsdesk brief pages/s", "vs bare (rounds)", "CPU")
    return markdown_table(rows, header) + f"\nmedians of {ROUNDS} interleaved rounds"


_NAMES = ["Ines Caldwell", "Tomas Reyes", "Aisha Okafor", "Karl Brandt", "Lena Novak"]
_NAMES += ["Omar Haddad"]
_PLACES = ["the Northern Pier", "Old Town", "Harbour Road", "Mill Lane", "East Quay", "Kestrel Bay"]


def synthetic_page(size: int, *, one_paragraph: bool) -> str:
    """An article of about `size` bytes written here (names, quotes, numbers vary), as one huge
    paragraph (a hostile page) or as ordinary paragraphs of four sentences."""
    sentences, total, n = [], 0, 0
    while total < size:
        a, b, place = _NAMES[n % 6], _NAMES[(n * 5 + 1) % 6], _PLACES[(n * 7) % 6]
        sentence = (
            f"Harbour Master {a} said {place} would reopen after {n} days of repairs. ",
            f"“We are nearly there with berth {n},” {b} told the Coastline Courier on Monday. ",
            f"Councillor {a}, {n % 90}, said residents near {place} were angry about plan {n}. ",
            f"“It cost {n} pounds,” she said. He added that {place} needed {n % 40} more crews. ",
        )[n % 4]
        sentences.append(sentence)
        total += len(sentence.encode())
        n += 1
    if one_paragraph:
        body = "<p>" + "".join(sentences) + "</p>"
    else:
        body = "".join(f"<p>{''.join(sentences[i : i + 4])}</p>" for i in range(0, n, 4))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Pier to reopen</title>"
        f"</head><body><article><h1>Pier to reopen</h1>{body}</article></body></html>"
    )


LINEAR_SIZES = (250_000, 500_000, 1_000_000, 2_000_000, 5_000_000)


def linear(root: Path) -> str:
    """CPU seconds per page against page size up to 5 MB (the body cap): the fitted slope in
    s/MB and the exponent k of time ∝ size^k (1.0 is linear, 2.0 quadratic). CPU time, as the
    other rows: on a shared machine wall time measures the neighbours."""
    import math

    from bot.runtime.analysis import analyse_html

    analyse_html("warm", synthetic_page(20_000, one_paragraph=False), None)
    rows = []
    for one in (True, False):
        times = []
        for size in LINEAR_SIZES:
            page = synthetic_page(size, one_paragraph=one)
            start = time.process_time()
            analyse_html("linear", page, None)
            times.append(time.process_time() - start)
        mbs = [size / 1e6 for size in LINEAR_SIZES]
        mean_x, mean_y = statistics.fmean(mbs), statistics.fmean(times)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(mbs, times, strict=True))
        slope /= sum((x - mean_x) ** 2 for x in mbs)
        logs = [math.log(x) for x in mbs]
        log_t = [math.log(t) for t in times]
        lx, ly = statistics.fmean(logs), statistics.fmean(log_t)
        k = sum((x - lx) * (y - ly) for x, y in zip(logs, log_t, strict=True))
        k /= sum((x - lx) ** 2 for x in logs)
        shape = "all in one <p>" if one else "paragraphs of 4 sentences"
        cells = [f"{t:.2f}" for t in times]
        rows.append((shape, *cells, f"{slope:.2f}", f"{k:.2f}"))
    header = ("page shape", *(f"{s / 1e6:g} MB CPU s" for s in LINEAR_SIZES), "s/MB", "k")
    return markdown_table(rows, header)


def steps(root: Path) -> str:
    from bot.article.extract import opening_language
    from bot.briefing.extractive import make_briefing
    from bot.quotes.finder import extract_quotes

    # CPU time: the work is single-threaded, and CPU time is what other processes on a shared
    # machine disturb least (on a quiet one the two agree). The two steps get the article's
    # language as the pipeline hands it to them (`analyse_text`: found once, before either
    # runs); without it each would guess again and read the text as every language at once,
    # a path no analysed article takes.
    rows = []
    for name in ("quotes-polnear", "summaries-cnndm"):
        texts = sorted((root / name / "text").glob("*.txt"))
        quote_ms, brief_ms, both_ms = [], [], []
        for path in texts:
            paragraphs = [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
            language = opening_language(paragraphs)
            t0 = time.process_time()
            quotes = extract_quotes(paragraphs, language)
            t1 = time.process_time()
            make_briefing(paragraphs, quotes, language=language)
            t2 = time.process_time()
            quote_ms.append((t1 - t0) * 1000)
            brief_ms.append((t2 - t1) * 1000)
            both_ms.append((t2 - t0) * 1000)
        rows.append(
            (
                f"{name} ({len(texts)})",
                f"{statistics.median(quote_ms):.2f}",
                f"{statistics.median(brief_ms):.2f}",
                f"{statistics.median(both_ms):.2f}",
                f"{max(both_ms):.1f}",
            )
        )
    header = ("articles", "quotes CPU ms (median)", "briefing ms", "both ms", "both ms (max)")
    return markdown_table(rows, header)


class _PageServer:
    """Serves a fixed list of pages on loopback at /0, /1, …"""

    def __init__(self, pages: list[bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = pages[int(self.path.strip("/")) % len(pages)]
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/{i}"


def _large_pages(root: Path, minimum: int = 500_000) -> list[bytes]:
    files = sorted((root / "metadata" / "html").glob("*.html"), key=lambda p: -p.stat().st_size)
    return [p.read_bytes() for p in files if p.stat().st_size >= minimum]


def _loopback_settings(port: int):
    from config import Settings

    return Settings(_env_file=None, allowed_networks=["127.0.0.0/8"], allowed_ports=[80, 443, port])


async def _ticker(stop: asyncio.Event, lags: list[float]) -> None:
    interval = 0.001
    expected = time.perf_counter() + interval
    while not stop.is_set():
        await asyncio.sleep(interval)
        now = time.perf_counter()
        lags.append(max(0.0, now - expected) * 1000)
        expected = now + interval


def lag(root: Path) -> str:
    from bot.runtime.pipeline import Pipeline

    pages = _large_pages(root)
    server = _PageServer(pages)

    async def run() -> tuple[list[float], float]:
        async with Pipeline(_loopback_settings(server.port)) as pipeline:
            await pipeline.brief_url(server.url(0))  # workers warm, as in a running bot
            stop, lags = asyncio.Event(), []
            ticker = asyncio.create_task(_ticker(stop, lags))
            begin = time.perf_counter()
            results = await asyncio.gather(*(pipeline.brief_url(server.url(i)) for i in range(20)))
            elapsed = time.perf_counter() - begin
            stop.set()
            await ticker
            failed = sum(1 for r in results if r.error)
            if failed:
                print(f"  ({failed} of 20 large pages failed)")
            return lags, elapsed

    lags, elapsed = asyncio.run(run())
    lags.sort()
    p99 = lags[int(len(lags) * 0.99) - 1] if lags else 0.0
    sizes = f"{len(pages)} distinct pages of {min(map(len, pages)) // 1000}-"
    sizes += f"{max(map(len, pages)) // 1000} KB, cycled to 20"
    rows = [("max loop lag", f"{max(lags):.1f} ms"), ("p99 loop lag", f"{p99:.1f} ms")]
    rows.append(("20 pages done in", f"{elapsed:.1f} s"))
    return (
        markdown_table(rows, ("event loop while 20 large pages are briefed", "value"))
        + f"\n{sizes}"
    )


def rss(root: Path) -> str:
    from bot.runtime.pipeline import Pipeline

    pages = [p.read_bytes() for p in sorted((root / "extraction-zyte" / "html").glob("*.html"))]
    server = _PageServer(pages)

    async def run() -> None:
        async with Pipeline(_loopback_settings(server.port)) as pipeline:
            await asyncio.gather(*(pipeline.brief_url(server.url(i)) for i in range(200)))

    asyncio.run(run())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = [
        ("bot process (event loop, fetcher)", f"{own:.0f} MB"),
        ("largest worker process", f"{children:.0f} MB"),
    ]
    return markdown_table(rows, ("peak RSS over a 200-page burst", "value"))


def discord_latency(root: Path) -> str:
    try:
        from bench_discord import measure  # type: ignore[import-not-found]
    except ImportError:
        return "(the fake-Discord latency bench is not available yet)"
    return measure(root)


def main() -> None:
    parser = argparse.ArgumentParser(description="Newsdesk speed benchmarks")
    add_corpora_arg(parser)
    parser.add_argument("--only", default=",".join(SECTIONS))
    args = parser.parse_args()
    root = corpora_path(args.corpora)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    sections = {
        "throughput": ("Throughput", throughput),
        "cli": ("Command line, one process: newsdesk brief --json vs a bare loop", cli),
        "linear": ("Time against page size (one page, whole analysis)", linear),
        "steps": ("Quotes + briefing per article", steps),
        "lag": ("Event-loop lag", lag),
        "rss": ("Memory", rss),
        "discord": ("Message to reply, through the fake Discord", discord_latency),
    }
    for key in only:
        title, fn = sections[key]
        print(f"\n## {title}\n")
        print(fn(root))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
