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

from pydantic import ValidationError

from bot import __version__
from bot.errors import NotRegularFile
from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure
from bot.network.decoding import decode_text

if TYPE_CHECKING:
    from bot.runtime.pipeline import Pipeline
    from config import PostgresURL


# "ftp://…", "file:///…": a link, but not one we open ("No such file" would mislead).
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _read_failure(source: str, error: OSError) -> Briefing:
    reason = error.strerror or say("cli.unreadable")
    message = say("cli.cannot_read", source=source, reason=reason)
    return Briefing.failed(source, Failure(ErrorKind.FETCH, message))


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
        return Briefing.failed(source, Failure(ErrorKind.BLOCKED, say("link.not_web")))
    settings = pipeline.settings
    # A saved page obeys the body cap of a fetched one, a PDF its own: `brief_file` decides
    # by kind; this cap only spares reading a huge file whole.
    limit = (
        settings.max_body_bytes if as_text else max(settings.max_body_bytes, settings.max_pdf_bytes)
    )
    try:
        data = _read_capped(Path(source), limit)
    except OSError as error:
        return _read_failure(source, error)
    if data is None:
        from bot.network.fetch import too_large_message  # loaded already by the pipeline

        return Briefing.failed(source, Failure(ErrorKind.TOO_LARGE, too_large_message(limit)))
    if as_text:
        return await pipeline.brief_text(decode_text(data), source)
    return await pipeline.brief_file(data, Path(source).name, source=source)


def _run(_: argparse.Namespace) -> int:
    from bot.discord_app.client import bot_logging, run_bot
    from config import get_settings

    settings = get_settings()
    with bot_logging(settings):
        return run_bot(settings)


def _migrate(args: argparse.Namespace) -> int:
    """`newsdesk migrate [--from FILE]`: one line on stdout when done; 2 and one line on stderr
    when refused or failed (the password of a PostgreSQL URL is never shown)."""
    from bot.errors import SourceMissing, StorageError, TargetNotEmpty
    from config import PostgresURL, get_settings, redact

    settings = get_settings()
    target = settings.database
    try:
        if args.source is None:
            version = asyncio.run(_apply_migrations(target, settings.database_pool_size))
            print(say("migrate.done", target=target, version=version))
            return 0
        if not isinstance(target, PostgresURL):
            return _fail(say("migrate.from_needs_postgres", target=target))
        from bot.storage.transfer import copy_sqlite_to_postgres

        try:
            report = asyncio.run(copy_sqlite_to_postgres(Path(args.source), target))
        except SourceMissing:
            return _fail(say("migrate.source_missing", source=args.source))
        except TargetNotEmpty as error:
            tables = ", ".join(f"{name}: {count}" for name, count in error.tables.items())
            return _fail(say("migrate.target_not_empty", target=target, tables=tables))
        tables = ", ".join(f"{name} {count}" for name, count in report.rows.items())
        print(
            say(
                "migrate.copied",
                source=args.source,
                target=target,
                version=report.version,
                tables=tables,
            )
        )
        return 0
    except (StorageError, OSError) as error:
        return _fail(say("migrate.failed", target=target, error=redact(str(error))))


async def _apply_migrations(target: Path | PostgresURL, pool_size: int) -> int:
    from bot.storage.database import open_database
    from bot.storage.migrations import MIGRATIONS

    database = await open_database(target, pool_size=pool_size)
    await database.close()
    return len(MIGRATIONS)


def _fail(line: str) -> int:
    sys.stderr.write(f"newsdesk: {line}\n")
    return 2


def _worker_count(value: str) -> int:
    """`--workers N`: a usage error for a negative or non-number N, not a traceback later."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli.workers_not_a_number", value=value)) from None
    if count < 0:
        raise argparse.ArgumentTypeError(say("cli.workers_negative"))
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description=say("cli.description"))
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    brief = sub.add_parser("brief", help=say("cli.help.brief"))
    brief.add_argument("sources", nargs="+", metavar="SOURCE", help=say("cli.help.sources"))
    brief.add_argument("--json", action="store_true", help=say("cli.help.json"))
    brief.add_argument("--text", action="store_true", help=say("cli.help.text"))
    brief.add_argument(
        "--extractive",
        action="store_true",
        help=say("cli.help.extractive"),
    )
    brief.add_argument(
        "--workers",
        type=_worker_count,
        default=0,
        help=say("cli.help.workers"),
    )
    brief.set_defaults(func=lambda args: asyncio.run(_brief_all(args)))

    run = sub.add_parser("run", help=say("cli.help.run"))
    run.set_defaults(func=_run)

    migrate = sub.add_parser("migrate", help=say("cli.help.migrate"))
    migrate.add_argument(
        "--from", dest="source", metavar="SQLITE_FILE", help=say("cli.help.migrate_from")
    )
    migrate.set_defaults(func=_migrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.command in ("brief", "migrate") else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except ValidationError as error:  # a setting in .env or the environment is wrong
        from config.settings import describe_errors

        for line in describe_errors(error):
            sys.stderr.write(f"newsdesk: {line}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
