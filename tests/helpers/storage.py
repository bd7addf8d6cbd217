"""A real, migrated SQLite database per test (a pytest plugin: the `database` fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.database import Database, open_database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file in the test's folder, at the current schema; closed afterwards."""
    db = await open_database(tmp_path / "newsdesk.sqlite3")
    try:
        yield db
    finally:
        await db.close()
