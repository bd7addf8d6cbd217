"""`?` placeholders in our SQL, rewritten as PostgreSQL's numbered `$1, $2, …`.

Why here and not with a regular expression: a `?` inside a string literal ('Why?'), a quoted
identifier, a comment or a dollar-quoted body is text, not a parameter, and rewriting it would
change what is stored or break the statement. So the statement is scanned the way PostgreSQL's
lexer reads it, and only a `?` outside all of those becomes a parameter. PostgreSQL's own `?`
operators (jsonb `?`, `?|`, `?&`) are therefore unavailable in our SQL; the stores use none.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from bot.errors import StorageError

_IDENTIFIER_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
)


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`sql` with every `?` placeholder outside literals, identifiers and comments as `$n`;
    `StorageError` for a statement that ends inside a literal, identifier or comment."""
    out: list[str] = []
    n = 0
    i, end = 0, len(sql)
    while i < end:
        c = sql[i]
        if c == "?":
            n += 1
            out.append(f"${n}")
            i += 1
            continue
        if c == "'":
            escapes = i > 0 and sql[i - 1] in "eE" and not _word_before(sql, i - 1)
            stop = _end_of_string(sql, i, backslash_escapes=escapes)
        elif c == '"':
            stop = _end_of_quoted(sql, i, '"')
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            stop = end if newline < 0 else newline + 1
        elif sql.startswith("/*", i):
            stop = _end_of_block_comment(sql, i)
        elif c == "$" and (tag := _dollar_tag(sql, i)) is not None:
            close = sql.find(tag, i + len(tag))
            if close < 0:
                raise StorageError("unterminated dollar-quoted string")
            stop = close + len(tag)
        else:
            stop = i + 1
        out.append(sql[i:stop])
        i = stop
    return "".join(out)


def _word_before(sql: str, i: int) -> bool:
    """Whether the character at `i` continues an identifier (so `xe'…'` is no E-string)."""
    return i > 0 and sql[i - 1] in _IDENTIFIER_CHARS


def _end_of_string(sql: str, start: int, *, backslash_escapes: bool) -> int:
    i = start + 1
    while i < len(sql):
        c = sql[i]
        if backslash_escapes and c == "\\":
            i += 2
            continue
        if c == "'":
            if sql.startswith("''", i):  # a doubled quote is a quote inside the literal
                i += 2
                continue
            return i + 1
        i += 1
    raise StorageError("unterminated string literal")


def _end_of_quoted(sql: str, start: int, quote: str) -> int:
    i = start + 1
    while i < len(sql):
        if sql[i] == quote:
            if sql.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    raise StorageError("unterminated quoted identifier")


def _end_of_block_comment(sql: str, start: int) -> int:
    depth, i = 0, start
    while i < len(sql):
        if sql.startswith("/*", i):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    raise StorageError("unterminated comment")


def _dollar_tag(sql: str, start: int) -> str | None:
    """The `$tag$` (or `$$`) opening a dollar-quoted string at `start`, if one does. `$1` is a
    parameter, not a tag: a tag never starts with a digit, and `$` inside a word is a letter."""
    if _word_before(sql, start):
        return None
    i = start + 1
    if i < len(sql) and sql[i].isdigit():
        return None
    while i < len(sql) and (sql[i].isalnum() or sql[i] == "_"):
        i += 1
    if i < len(sql) and sql[i] == "$":
        return sql[start : i + 1]
    return None


__all__ = ["numbered"]
