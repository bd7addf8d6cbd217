"""`newsdesk`: brief articles from the command line, or run the Discord bot.

The `brief --json` output is a contract other tools (bench/, the maintainers' scorers) read:
one JSON object per SOURCE, in input order, a failing source still gets its line.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import os
import re
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure

if TYPE_CHECKING:
    from bot.runtime.pipeline import Pipeline


# "ftp://…", "file:///…": a link, but not one we open ("No such file" would mislead).
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
NOT_WEB = "Only web links (http or https) can be opened."  # as the fetcher says it


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _read_failure(source: str, error: OSError) -> Briefing:
    reason = error.strerror or "cannot be read"
    return Briefing.failed(source, Failure(ErrorKind.FETCH, f"Could not read {source}: {reason}."))


class NotRegularFile(OSError):
    """A FIFO, a device or a socket: reading it could wait forever for a writer."""


def _read_capped(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it is over `limit`: a saved page obeys the same body cap
    as a fetched one, so a huge file costs neither the memory nor the seconds to parse it.

    Opened without blocking and checked on the open descriptor (no race with a swap after a
    `stat`): opening a FIFO for reading would otherwise hang until someone writes to it.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb", closefd=True) as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, say("cli.not_regular_file"))
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def decode_text(data: bytes) -> str:
    """A text file's words: UTF-8 (with or without BOM), else windows-1252, which is what a
    Windows editor saves; never "�" in place of every accent and curly quote."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


async def _brief_all(args: argparse.Namespace) -> int:
    from bot.cli.render import briefing_as_text
    from bot.runtime.pipeline import Pipeline
    from config import get_settings

    settings = get_settings()
    if args.workers:
        settings = settings.model_copy(update={"workers": args.workers})
    failed = False
    llm = None
    if settings.llm_enabled and not args.extractive:
        from bot.llm.briefer import LLMBriefer  # only when configured: keeps the default path lean

        llm = LLMBriefer(settings)
    try:
        async with Pipeline(settings, inline=args.workers == 0) as pipeline:
            for source in args.sources:
                briefing = await _brief_one(pipeline, source, as_text=args.text)
                if llm is not None:  # checked LLM bullets, or the extractive ones unchanged
                    briefing = await llm.improve(briefing)
                failed |= briefing.error is not None
                if args.json:
                    line = json.dumps(briefing.to_json(), ensure_ascii=False)
                else:
                    line = briefing_as_text(briefing)
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
    finally:
        if llm is not None:
            await llm.aclose()
    return 1 if failed else 0


async def _brief_one(pipeline: Pipeline, source: str, *, as_text: bool) -> Briefing:
    if _is_url(source) and not as_text:
        return await pipeline.brief_url(source)
    if _OTHER_SCHEME.match(source) and not Path(source).exists():
        return Briefing.failed(source, Failure(ErrorKind.BLOCKED, NOT_WEB))
    limit = pipeline.settings.max_body_bytes
    try:
        data = _read_capped(Path(source), limit)
    except OSError as error:
        return _read_failure(source, error)
    if data is None:
        from bot.network.fetch import too_large_message  # loaded already by the pipeline

        return Briefing.failed(source, Failure(ErrorKind.TOO_LARGE, too_large_message(limit)))
    if as_text:
        return await pipeline.brief_text(decode_text(data), source)
    return await pipeline.brief_html(data, source)


def _run(_: argparse.Namespace) -> int:
    from bot.discord_app.client import run_bot
    from config import get_settings

    return run_bot(get_settings())


def _worker_count(value: str) -> int:
    """`--workers N`: a usage error for a negative or non-number N, not a traceback later."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError("must be 0 (in this process) or more")
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk", description="Article briefings for newsrooms, on Discord and here."
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    brief = sub.add_parser("brief", help="brief articles from URLs or saved files")
    brief.add_argument("sources", nargs="+", metavar="SOURCE", help="http(s) URL or file path")
    brief.add_argument("--json", action="store_true", help="JSON Lines, one object per SOURCE")
    brief.add_argument(
        "--text", action="store_true", help="SOURCEs are UTF-8 text files, one paragraph per line"
    )
    brief.add_argument(
        "--extractive",
        action="store_true",
        help="never use the configured LLM backend: extractive briefings only",
    )
    brief.add_argument(
        "--workers",
        type=_worker_count,
        default=0,
        help="extract in N worker processes (default 0: in this process)",
    )
    brief.set_defaults(func=lambda args: asyncio.run(_brief_all(args)))

    run = sub.add_parser("run", help="run the Discord bot (token from DISCORD_TOKEN or .env)")
    run.set_defaults(func=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.command == "brief" else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
