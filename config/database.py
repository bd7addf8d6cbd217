"""Where the database lives: a SQLite file path (the default) or a PostgreSQL URL.

Why a type of its own: `NEWSDESK_DATABASE` is either a path or `postgresql://user:pass@host/db`,
and the URL carries a password. As a plain string it would be printed whole by any log line,
error message or `repr(settings)` that mentions it; as a `PostgresURL` it shows itself with the
password replaced (`postgresql://user:***@host/db`) and hands the real text only to the one
caller that connects (`secret()`). A path stays a `Path`, as it always was.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

SCHEMES: Final = ("postgresql://", "postgres://")
_PASSWORD_IN_URL: Final = re.compile(r"(?i)(postgres(?:ql)?://[^:/@\s]*:)[^@/\s]*@")
_PASSWORD_IN_QUERY: Final = re.compile(r"(?i)(password=)[^&\s]*")


def is_postgres_url(value: str) -> bool:
    return value.strip().lower().startswith(SCHEMES)


def redact(text: str) -> str:
    """`text` with the password of every PostgreSQL URL in it replaced by `***`."""
    return _PASSWORD_IN_QUERY.sub(r"\1***", _PASSWORD_IN_URL.sub(r"\1***@", text))


class PostgresURL:
    """A PostgreSQL connection URL whose password never shows when printed or logged."""

    __slots__ = ("_url",)

    def __init__(self, url: str) -> None:
        # Nothing else is checked here: a settings error would print the value it refused,
        # password and all. A malformed URL fails when connecting, as a redacted StorageError.
        url = url.strip()
        if not is_postgres_url(url):
            raise ValueError("a PostgreSQL URL starts with postgresql:// or postgres://")
        self._url = url

    def secret(self) -> str:
        """The URL as given, password included: for the driver's connect call only."""
        return self._url

    def __str__(self) -> str:
        return redact(self._url)

    def __repr__(self) -> str:
        return f"PostgresURL({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PostgresURL) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def _validate(cls, value: object) -> PostgresURL:
        if isinstance(value, PostgresURL):
            return value
        if isinstance(value, str):
            return cls(value)
        raise ValueError("expected a postgresql:// URL")


DatabaseTarget = Path | PostgresURL


def database_target(value: object) -> object:
    """`NEWSDESK_DATABASE` as a `PostgresURL` when it is one, else as a path (pydantic's
    before-validator: a string like "postgresql://…" would otherwise become a mangled Path)."""
    if isinstance(value, str) and is_postgres_url(value):
        return PostgresURL(value)
    if isinstance(value, str):
        return Path(value)
    return value


__all__ = ["DatabaseTarget", "PostgresURL", "database_target", "is_postgres_url", "redact"]
