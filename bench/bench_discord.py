"""Message to reply through the fake Discord: what a reporter waits for after pasting a link.

    python bench/bench_discord.py [--corpora PATH] [--pages 30]

The real bot (real pipeline, worker pool, cache in SQLite) connects to the loopback fake
Discord of the tests; real pages from `extraction-zyte/html` are served by a loopback article
server. For each page, a MESSAGE_CREATE is injected and the clock stops when the bot's answer
reaches the fake Discord's REST API: the reply POST, or the ⚠️ reaction for a page that
cannot be briefed (counted apart). Each link is posted once cold (fetch + analysis) and once
more cached (answered from the cache), one at a time, so the numbers are latency, not
queueing. `speed.py` imports `measure` for its "discord" section.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # also puts the repo on sys.path
    add_corpora_arg,
    corpora_path,
    markdown_table,
    nearest_rank,
)

PAGES = 30
ANSWER_TIMEOUT = 60.0


@dataclass
class Samples:
    """Milliseconds from injection to the bot's answer, split by how the link ended."""

    replied: list[float] = field(default_factory=list)
    warned: list[float] = field(default_factory=list)

    def row(self, label: str) -> tuple[str, ...]:
        ms = sorted(self.replied)
        if not ms:
            return (label, "0", "-", "-", "-", str(len(self.warned)))
        return (
            label,
            str(len(ms)),
            f"{statistics.median(ms):.0f}",
            f"{nearest_rank(ms, 0.95):.0f}",
            f"{ms[-1]:.0f}",
            str(len(self.warned)),
        )


async def _answer_time(fake: object, message: dict, since: int) -> tuple[float, bool]:
    """When the bot answered `message` (monotonic seconds) and whether it was a reply."""
    channel, mid = message["channel_id"], message["id"]

    def answers() -> list:
        replies = fake.find(  # type: ignore[attr-defined]
            "POST",
            rf"/channels/{channel}/messages",
            since=since,
            where=lambda r: (
                str(((r.json or {}).get("message_reference") or {}).get("message_id")) == mid
            ),
        )
        warnings = fake.find(  # type: ignore[attr-defined]
            "PUT", rf"/channels/{channel}/messages/{mid}/reactions/.+/@me", since=since
        )
        return replies + warnings

    await fake.wait_until(lambda: bool(answers()), ANSWER_TIMEOUT)  # type: ignore[attr-defined]
    first = min(answers(), key=lambda r: r.index)
    return first.time, first.method == "POST"


async def _run(html_files: list[Path]) -> tuple[Samples, Samples, int]:
    from tests.helpers.article_server import ArticleServer
    from tests.helpers.fake_discord import FakeDiscord, bot_settings, running_bot

    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord()
    await fake.start()
    urls = [pages.add(f"/zyte/{p.stem}", p.read_bytes()) for p in html_files]
    cold, cached = Samples(), Samples()
    try:
        with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
            settings = bot_settings(
                fake,
                Path(tmp) / "newsdesk.sqlite3",
                pages.port,
                workers=_default_workers(),
                # Latency, not the limits: one bench "user" posts 60 links in a minute.
                user_links_per_minute=1000,
                channel_links_per_minute=1000,
            )
            async with running_bot(fake, settings) as bot:
                workers = bot.pipeline.pool.size if bot.pipeline.pool else 0
                channel = fake.channel()
                for samples in (cold, cached):
                    for url in urls:
                        since = fake.mark()
                        begin = time.monotonic()
                        message = await fake.post_message(channel, url)
                        answered, replied = await _answer_time(fake, message, since)
                        ms = (answered - begin) * 1000
                        (samples.replied if replied else samples.warned).append(ms)
    finally:
        await fake.stop()
        pages.stop()
    return cold, cached, workers


def _default_workers() -> int:
    from config import Settings

    return Settings(_env_file=None).workers


def measure(root: Path, pages: int = PAGES) -> str:
    """The "discord" table of `bench/speed.py`: p50/p95 ms from MESSAGE_CREATE to reply."""
    html_files = sorted((root / "extraction-zyte" / "html").glob("*.html"))[:pages]
    if not html_files:
        return f"(no pages in {root / 'extraction-zyte' / 'html'})"
    cold, cached, workers = asyncio.run(_run(html_files))
    rows = [cold.row("cold (fetch + analysis)"), cached.row("cached (same link again)")]
    header = ("MESSAGE_CREATE → reply POST", "replies", "p50 ms", "p95 ms", "max ms", "⚠️ only")
    note = (
        f"\n{len(html_files)} extraction-zyte pages from a loopback server, posted one at a "
        f"time; {workers} worker(s); ⚠️ only = pages not briefed (answered with a reaction)."
    )
    return markdown_table(rows, header) + note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpora_arg(parser)
    parser.add_argument("--pages", type=int, default=PAGES)
    args = parser.parse_args()
    print(measure(corpora_path(args.corpora), args.pages))


if __name__ == "__main__":
    main()
