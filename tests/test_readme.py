"""The README's "How it works" and its tree tell the same story as the code.

Paths are read from the README (and docs/) and checked against the tree, so a module moved or
renamed without its description fails here instead of misleading the next newcomer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.paths import REPO

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
PATH = re.compile(r"`((?:bot|cogs|config|bench|tests|docs)/[\w./<>-]*)`")


def _cited_paths(text: str) -> list[str]:
    return [p for p in PATH.findall(text) if "<" not in p and "*" not in p]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_path_a_document_cites_exists(document: Path) -> None:
    cited = _cited_paths(document.read_text(encoding="utf-8"))
    missing = [p for p in cited if not (REPO / p.rstrip("/")).exists()]
    assert missing == []


def test_the_readme_tree_names_every_package_of_bot_and_nothing_else() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    tree = section.split("```\nbot/", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"[├└]── (\w+)/", tree))
    packages = {p.parent.name for p in (REPO / "bot").glob("*/__init__.py")}
    assert named == packages
    kernel = {p.name for p in (REPO / "bot").glob("*.py")} - {"__init__.py", "__main__.py"}
    assert kernel <= set(re.findall(r"\w+\.py", tree))
