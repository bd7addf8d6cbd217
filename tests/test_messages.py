"""The message catalogue: every key the code asks for exists, and every entry is still used.

Keys are found by reading the source for `say("…")` calls, so a renamed or misspelt key fails
here rather than as a KeyError in front of a user.
"""

from __future__ import annotations

import ast
import string

import pytest

from bot.messages import CATALOGUE, say
from tests.helpers.paths import REPO


def _keys_used() -> dict[str, set[str]]:
    """key → the fields each `say(key, field=…)` call passes (over every call of that key)."""
    used: dict[str, set[str]] = {}
    for top in ("bot", "cogs", "config"):
        for path in (REPO / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "say"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    fields = {kw.arg for kw in node.keywords if kw.arg}
                    used.setdefault(node.args[0].value, set()).update(fields)
    return used


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_the_code_asks_for_exists() -> None:
    assert sorted(set(_keys_used()) - set(CATALOGUE)) == []


def test_every_catalogue_entry_is_used() -> None:
    assert sorted(set(CATALOGUE) - set(_keys_used())) == []


def test_calls_pass_exactly_the_placeholders_of_their_sentence() -> None:
    wrong = {
        key: (sorted(fields), sorted(_placeholders(CATALOGUE[key])))
        for key, fields in _keys_used().items()
        if key in CATALOGUE and fields != _placeholders(CATALOGUE[key])
    }
    assert wrong == {}


def test_say_fills_placeholders_and_refuses_unknown_keys() -> None:
    assert say("pipeline.unexpected") == CATALOGUE["pipeline.unexpected"]
    with pytest.raises(KeyError):
        say("no.such.key")
