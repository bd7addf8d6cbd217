"""Log lines: JSON that parses, one record per line, and never a secret in either format."""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import PurePosixPath

from bot.ops.logs import REDACTED, JsonFormatter, TextFormatter, logging_to

TOKEN = "MTIzNDU2Nzg5.fake-bot-token.for-the-log-tests"


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("newsdesk.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_json_line_has_time_level_logger_message_and_extras() -> None:
    formatter = JsonFormatter(fields={"shard_ids": "0-1", "shard_count": 4})
    line = formatter.format(_record("briefed %d links in %s", 3, "news", guild_id=42))
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "newsdesk.test"
    assert entry["message"] == "briefed 3 links in news"
    assert entry["time"].endswith("+00:00")
    assert entry["guild_id"] == 42
    assert (entry["shard_ids"], entry["shard_count"]) == ("0-1", 4)
    assert "\n" not in line


def test_a_traceback_stays_inside_its_one_json_line() -> None:
    try:
        raise RuntimeError("the store went away")
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, exc_info=sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert "RuntimeError: the store went away" in entry["exception"]
    assert entry["exception"].startswith("Traceback")


def test_an_extra_that_is_no_json_type_is_written_as_text() -> None:
    entry = json.loads(JsonFormatter().format(_record("x", where=PurePosixPath("/data/db"))))
    assert entry["where"] == "/data/db"


def test_secrets_are_redacted_in_both_formats_wherever_they_appear() -> None:
    try:
        raise ValueError(f"header Authorization: Bot {TOKEN}")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "token %s", (TOKEN,), exc_info=exc_info
    )
    record.detail = f"sent {TOKEN}"
    for formatter in (JsonFormatter(secrets=[TOKEN]), TextFormatter(secrets=[TOKEN])):
        line = formatter.format(record)
        assert TOKEN not in line
        assert REDACTED in line
    entry = json.loads(JsonFormatter(secrets=[TOKEN]).format(record))
    assert entry["message"] == f"token {REDACTED}"
    assert entry["detail"] == f"sent {REDACTED}"


def test_short_secrets_are_not_used_to_redact_ordinary_words() -> None:
    line = TextFormatter(secrets=["", "ab"]).format(_record("about a tab"))
    assert line.endswith("about a tab")


def test_logging_to_replaces_plain_handlers_and_puts_them_back() -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    plain = logging.StreamHandler(io.StringIO())
    root.addHandler(plain)
    stream = io.StringIO()
    try:
        with logging_to(fmt="json", level="debug", secrets=[TOKEN], stream=stream):
            assert plain not in root.handlers
            assert root.level == logging.DEBUG
            logging.getLogger("newsdesk.test").debug("login with %s", TOKEN)
        assert plain in root.handlers and root.level == level
        lines = stream.getvalue().splitlines()
        assert [json.loads(line)["message"] for line in lines] == [f"login with {REDACTED}"]
    finally:
        root.removeHandler(plain)
    assert root.handlers == before


def test_an_unknown_level_keeps_info_and_says_so() -> None:
    stream = io.StringIO()
    with logging_to(fmt="text", level="chatty", stream=stream):
        assert logging.getLogger().level == logging.INFO
    assert "unknown log level 'chatty'" in stream.getvalue()
