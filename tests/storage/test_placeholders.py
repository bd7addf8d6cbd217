"""`?` placeholders become `$n` only where PostgreSQL would read a parameter, never inside text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.storage.database import StorageError, open_database
from bot.storage.placeholders import numbered
from tests.helpers.postgres import needs_postgres


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ?, ?", "SELECT $1, $2"),
        ("SELECT '?' || ?", "SELECT '?' || $1"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"),
        ("SELECT E'\\'?', ?", "SELECT E'\\'?', $1"),  # backslash escapes in an E-string
        ("SELECT e'a\\\\', ?", "SELECT e'a\\\\', $1"),  # an escaped backslash ends no string
        ("SELECT '\\', ?", "SELECT '\\', $1"),  # no E: a backslash is just a character
        ('SELECT "odd?column" FROM t WHERE x = ?', 'SELECT "odd?column" FROM t WHERE x = $1'),
        ('SELECT "a""?" , ?', 'SELECT "a""?" , $1'),
        ("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"),
        ("SELECT /* ? /* nested ? */ still ? */ ?", "SELECT /* ? /* nested ? */ still ? */ $1"),
        ("SELECT $$?$$, ?", "SELECT $$?$$, $1"),
        ("SELECT $body$ it's ? $body$, ?", "SELECT $body$ it's ? $body$, $1"),
        ("SELECT $1", "SELECT $1"),  # already numbered: left alone
        ("SELECT a$b, ?", "SELECT a$b, $1"),  # $ inside an identifier opens nothing
        ("SELECT 1", "SELECT 1"),
    ],
)
def test_only_placeholders_outside_text_are_numbered(sql: str, expected: str) -> None:
    assert numbered(sql) == expected


@pytest.mark.parametrize(
    "sql", ["SELECT 'open", 'SELECT "open', "SELECT /* open", "SELECT $$open", "SELECT E'\\'"]
)
def test_an_unterminated_literal_is_refused(sql: str) -> None:
    with pytest.raises(StorageError, match="unterminated"):
        numbered(sql)


@given(st.text(alphabet=st.characters(blacklist_characters="'\"-/$?"), max_size=40))
def test_plain_text_between_placeholders_is_kept(text: str) -> None:
    assert numbered(f"{text}?{text}?") == f"{text}$1{text}$2"


@needs_postgres
async def test_the_server_reads_them_the_same_way(postgres_dsn: str) -> None:
    db = await open_database(postgres_dsn)
    try:
        row = await db.fetch_one(
            "SELECT '?' AS q, CAST(? AS TEXT), $$ ? $$, E'\\'?', \"?\" FROM (SELECT 1 AS \"?\") t",
            ("value",),
        )
        assert row == ("?", "value", " ? ", "'?", 1)
    finally:
        await db.close()
