"""The exception hierarchy: one module declares every exception Newsdesk raises on purpose.

Read from the source (nothing executed), like the architecture test: a new exception class
anywhere else in bot/, cogs/ or config/ fails here, so the hierarchy cannot drift apart again.
"""

from __future__ import annotations

import ast
import inspect

import bot.errors
from bot.errors import NewsdeskError
from tests.helpers.paths import REPO

EXCEPTION_BASES = {"Exception", "BaseException", "ValueError", "RuntimeError", "LookupError"}


def _exception_classes_outside_errors() -> list[str]:
    found = []
    for top in ("bot", "cogs", "config"):
        for path in sorted((REPO / top).rglob("*.py")):
            if path == REPO / "bot" / "errors.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                    continue  # a private exception never leaves its module
                bases = {b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases}
                if bases & EXCEPTION_BASES or any(
                    b.endswith(("Error", "Exception")) for b in bases
                ):
                    found.append(f"{path.relative_to(REPO)}: {node.name}")
    return found


def test_every_public_exception_is_declared_in_bot_errors() -> None:
    assert _exception_classes_outside_errors() == []


def test_each_exception_is_a_newsdesk_error_saying_who_raises_and_catches_it() -> None:
    classes = [
        cls
        for _, cls in inspect.getmembers(bot.errors, inspect.isclass)
        if issubclass(cls, BaseException) and cls.__module__ == "bot.errors"
    ]
    assert len(classes) > 5
    for cls in classes:
        assert issubclass(cls, NewsdeskError), cls
        if cls is not NewsdeskError:
            doc = cls.__doc__ or ""
            assert "Raised by" in doc and "Caught by" in doc, cls
