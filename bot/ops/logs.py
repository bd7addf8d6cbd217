"""Log lines for people (`text`) or for a log pipeline (`json`: one JSON object per line).

Why a small formatter of our own instead of python-json-logger: what we need is one
`json.dumps` of a handful of fields (about 30 lines here), the library would be a dependency for
that alone, and owning the formatter lets the redaction below run on the final text of every
line in both formats.

Secrets (the bot token, the LLM key) are never logged by Newsdesk or discord.py; as a second
line of defence every formatted line has them replaced by `[redacted]`, so a third-party
exception message that echoes a header cannot leak one either.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, Any, Final

TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED: Final = "[redacted]"
# LogRecord's own attributes; anything else on a record came from `extra=` and is logged too.
_STANDARD: Final = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)))
_STANDARD_EXTRA: Final = frozenset({"message", "asctime", "taskName"})


class _Redacting(logging.Formatter):
    def __init__(self, fmt: str | None = None, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        # Short strings would redact ordinary words; real tokens and keys are long.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class TextFormatter(_Redacting):
    """The usual `time LEVEL logger: message` line, with secrets redacted."""

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(TEXT_FORMAT, secrets=secrets)


class JsonFormatter(_Redacting):
    """`{"time", "level", "logger", "message", ...}` on one line; a traceback is the field
    `exception` (newlines escaped, so one record stays one line). `fields` are added to every
    line (this process's shards), `extra=` values of a call too."""

    def __init__(
        self, *, secrets: Iterable[str] = (), fields: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(secrets=secrets)
        self._fields = dict(fields or {})

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            **self._fields,
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key in _STANDARD_EXTRA or key.startswith("_") or key in entry:
                continue
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = self.redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.redact(self.formatStack(record.stack_info))
        # default=str: an odd `extra` value becomes its text instead of losing the line.
        return self.redact(json.dumps(entry, ensure_ascii=False, default=str))


@contextlib.contextmanager
def logging_to(
    *,
    fmt: str = "text",
    level: str = "INFO",
    secrets: Iterable[str] = (),
    fields: Mapping[str, Any] | None = None,
    stream: IO[str] | None = None,
) -> Iterator[None]:
    """Within the block, the root logger writes to `stream` (stderr) in format `fmt` only.

    Plain stream handlers (`logging.basicConfig`'s) are set aside and put back afterwards, as is
    the level, so a caller embedding the bot (or a test) gets its own logging back. Handlers of
    other kinds (a file, a test's capture) stay. An unknown `level` keeps INFO and says so.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    secrets = list(secrets)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(secrets=secrets, fields=fields))
    else:
        handler.setFormatter(TextFormatter(secrets=secrets))
    root = logging.getLogger()
    set_aside = [h for h in root.handlers if type(h) is logging.StreamHandler]
    previous_level = root.level
    for old in set_aside:
        root.removeHandler(old)
    root.addHandler(handler)
    try:
        root.setLevel(level.upper())
    except ValueError:
        root.setLevel(logging.INFO)
        logging.getLogger(__name__).warning("unknown log level %r; using INFO", level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        for old in set_aside:
            root.addHandler(old)
        root.setLevel(previous_level)
