"""Channel modes in SQLite: defaults, updates, persistence, WAL, and the migration list."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.storage import modes as store_module
from bot.storage.modes import MIGRATIONS, Store


async def test_open_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "newsdesk.sqlite3"
    store = await Store.open(path)
    try:
        assert path.is_file()
        async with store.db.execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone())[0] == "wal"
    finally:
        await store.close()


async def test_unset_channels_get_the_default_mode(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3", default_mode="react")
    try:
        assert await store.get_mode(1) == "react"
        assert not await store.is_set(1)
    finally:
        await store.close()


async def test_set_mode_overrides_and_updates(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        await store.set_mode(10, 1, "off")
        await store.set_mode(10, 2, "react")
        assert await store.get_mode(1) == "off"
        assert await store.get_mode(2) == "react"
        assert await store.get_mode(3) == "auto"
        await store.set_mode(10, 1, "auto")
        assert await store.get_mode(1) == "auto"
        assert await store.is_set(1)
    finally:
        await store.close()


async def test_unknown_modes_are_refused(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(ValueError, match="unknown mode"):
            await store.set_mode(10, 1, "loud")
        assert not await store.is_set(1)
    finally:
        await store.close()
    with pytest.raises(ValueError):
        Store(store.db, default_mode="loud")


async def test_modes_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = await Store.open(path)
    await first.set_mode(10, 1, "off")
    await first.close()
    second = await Store.open(path)
    try:
        assert await second.get_mode(1) == "off"
    finally:
        await second.close()


async def test_migrations_run_once_and_record_the_version(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await (await Store.open(path)).close()
    async with aiosqlite.connect(path) as db, db.execute("PRAGMA user_version") as cursor:
        assert (await cursor.fetchone())[0] == len(MIGRATIONS)
    store = await Store.open(path)  # reopening must not try to create the tables again
    await store.close()


async def test_a_later_migration_is_applied_to_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path)
    await store.set_mode(10, 1, "react")
    await store.close()
    extended = [*MIGRATIONS, "CREATE TABLE later_feature (id INTEGER PRIMARY KEY);"]
    monkeypatch.setattr(store_module, "MIGRATIONS", extended)
    store = await Store.open(path)
    try:
        assert await store_module.schema_version(store.db) == len(extended)
        await store.db.execute("INSERT INTO later_feature (id) VALUES (1)")
        assert await store.get_mode(1) == "react"  # old data kept
    finally:
        await store.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with aiosqlite.connect(path) as db:
        await db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
        await db.commit()
    with pytest.raises(RuntimeError, match="newer"):
        await Store.open(path)


async def test_effective_mode_prefers_own_then_parent_then_default(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3", default_mode="auto")
    try:
        assert await store.effective_mode(5, parent_id=1) == "auto"
        await store.set_mode(10, 1, "off")
        assert await store.effective_mode(5, parent_id=1) == "off"
        assert await store.effective_mode(5) == "auto"
        await store.set_mode(10, 5, "react")
        assert await store.effective_mode(5, parent_id=1) == "react"
    finally:
        await store.close()
