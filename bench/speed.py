"""How fast Newsdesk is, and whether the bot stays responsive under load.

    python bench/speed.py [--corpora PATH] [--only throughput,steps,lag,rss,discord]

- throughput: pages/s on extraction-zyte — bare `trafilatura.extract`, our whole analysis in one
  process, and our analysis through the worker pool (targets: one process ≥ 0.8× bare; pool ≥
  1.6× one process on two cores).
- steps: median ms per article of quotes + briefing alone (target ≤ 5 ms).
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

from common import add_corpora_arg, corpora_path

ROUNDS = 3
SECTIONS = ("throughput", "steps", "lag", "rss", "discord")


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def throughput(root: Path) -> str:
    import trafilatura

    from bot.runtime.analysis import analyse_html
    from bot.runtime.pipeline import Pipeline
    from config import Settings

    pages = [p.read_bytes() for p in sorted((root / "extraction-zyte" / "html").glob("*.html"))]

    def one_pass(fn) -> float:
        start = time.perf_counter()
        for i, page in enumerate(pages):
            fn(i, page)
        return len(pages) / (time.perf_counter() - start)

    for i, page in enumerate(pages[:5]):  # both sides warm: lazy tables, first-call imports
        trafilatura.extract(page)
        analyse_html(str(i), page, None)
    # Best of ROUNDS, the two sides interleaved so drift in the machine's speed (other
    # processes, clock changes) cannot favour whichever side happened to run first.
    bare = inline = 0.0
    for _ in range(ROUNDS):
        bare = max(bare, one_pass(lambda i, page: trafilatura.extract(page)))
        inline = max(inline, one_pass(lambda i, page: analyse_html(str(i), page, None)))

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
    rows = [
        ("bare trafilatura.extract, one process", f"{bare:.1f}", "1.00×"),
        ("Newsdesk analysis, one process", f"{inline:.1f}", f"{inline / bare:.2f}×"),
        (f"Newsdesk analysis, pool of {workers}", f"{pool:.1f}", f"{pool / bare:.2f}×"),
    ]
    note = f"\npool ÷ one process = {pool / inline:.2f}× ({len(pages)} pages)"
    return _table(rows, ("extraction-zyte", "pages/s", "vs bare")) + note


def steps(root: Path) -> str:
    from bot.briefing.extractive import make_briefing
    from bot.quotes.finder import extract_quotes

    rows = []
    for name in ("quotes-polnear", "summaries-cnndm"):
        texts = sorted((root / name / "text").glob("*.txt"))
        quote_ms, brief_ms, both_ms = [], [], []
        for path in texts:
            paragraphs = [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
            t0 = time.perf_counter()
            quotes = extract_quotes(paragraphs)
            t1 = time.perf_counter()
            make_briefing(paragraphs, quotes)
            t2 = time.perf_counter()
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
    header = ("articles", "quotes ms (median)", "briefing ms", "both ms", "both ms (max)")
    return _table(rows, header)


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
    return _table(rows, ("event loop while 20 large pages are briefed", "value")) + f"\n{sizes}"


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
    return _table(rows, ("peak RSS over a 200-page burst", "value"))


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
