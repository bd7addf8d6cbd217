"""The bot's SQLite state: per-channel modes (and, through migrations, whatever comes later).

One aiosqlite connection per bot, in WAL mode so a reader (a backup, the CLI) never blocks the
bot. The schema lives in `MIGRATIONS`, applied in order and counted in `PRAGMA user_version`,
so a later feature adds a table by appending one entry instead of editing an old one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import aiosqlite

MODES: Final = ("auto", "react", "off")

# Append only: entry N brings a database from user_version N to N + 1.
MIGRATIONS: Final[list[str]] = [
    """
    CREATE TABLE channel_modes (
        channel_id INTEGER PRIMARY KEY,
        guild_id   INTEGER NOT NULL,
        mode       TEXT    NOT NULL CHECK (mode IN ('auto', 'react', 'off')),
        updated_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
    );
    CREATE INDEX channel_modes_guild ON channel_modes (guild_id);
    """,
    # Per-server LLM switch (off until an admin turns it on) and the persisted daily LLM
    # budget; read and written by bot/llm_guilds.py.
    """
    CREATE TABLE guild_settings (
        guild_id    INTEGER PRIMARY KEY,
        llm_enabled INTEGER NOT NULL DEFAULT 0 CHECK (llm_enabled IN (0, 1)),
        updated_at  TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
    );
    CREATE TABLE llm_budget (
        guild_id INTEGER PRIMARY KEY,
        day      TEXT    NOT NULL,
        used     INTEGER NOT NULL
    );
    """,
    # Messages already briefed, so a 📰 after a restart does not brief one twice.
    """
    CREATE TABLE answered_messages (
        message_id  INTEGER PRIMARY KEY,
        answered_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
    );
    """,
]


class Store:
    """Channel modes in SQLite; `await Store.open(path)` creates the file and folder if needed."""

    def __init__(self, db: aiosqlite.Connection, default_mode: str = "auto") -> None:
        if default_mode not in MODES:
            raise ValueError(f"unknown mode {default_mode!r}; expected one of {', '.join(MODES)}")
        self.db = db
        self.default_mode = default_mode

    @classmethod
    async def open(cls, path: Path | str, *, default_mode: str = "auto") -> Store:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA busy_timeout=5000")
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db, default_mode)

    async def close(self) -> None:
        await self.db.close()

    async def get_mode(self, channel_id: int) -> str:
        """The channel's mode, or the default for channels nobody has configured."""
        rows = await self.db.execute_fetchall(
            "SELECT mode FROM channel_modes WHERE channel_id = ?", (channel_id,)
        )
        return str(rows[0][0]) if rows else self.default_mode

    async def effective_mode(self, channel_id: int, parent_id: int | None = None) -> str:
        """The mode that applies: the channel's own, else its parent's (threads), else default.

        A thread started under an `off` channel stays quiet unless someone sets its own mode.
        """
        ids = [channel_id] if parent_id is None else [channel_id, parent_id]
        placeholders = ", ".join("?" for _ in ids)
        rows = await self.db.execute_fetchall(
            f"SELECT channel_id, mode FROM channel_modes WHERE channel_id IN ({placeholders})",
            ids,
        )
        found = {int(row[0]): str(row[1]) for row in rows}
        for candidate in ids:
            if candidate in found:
                return found[candidate]
        return self.default_mode

    async def is_set(self, channel_id: int) -> bool:
        rows = await self.db.execute_fetchall(
            "SELECT 1 FROM channel_modes WHERE channel_id = ?", (channel_id,)
        )
        return bool(rows)

    async def set_mode(self, guild_id: int, channel_id: int, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        await self.db.execute(
            """
            INSERT INTO channel_modes (channel_id, guild_id, mode) VALUES (?, ?, ?)
            ON CONFLICT (channel_id) DO UPDATE
                SET mode = excluded.mode, guild_id = excluded.guild_id,
                    updated_at = CURRENT_TIMESTAMP
            """,
            (channel_id, guild_id, mode),
        )
        await self.db.commit()

    async def was_answered(self, message_id: int) -> bool:
        rows = await self.db.execute_fetchall(
            "SELECT 1 FROM answered_messages WHERE message_id = ?", (message_id,)
        )
        return bool(rows)

    async def mark_answered(self, message_id: int) -> None:
        """Remember a briefed message (a month is plenty: nobody reacts to older posts)."""
        await self.db.execute(
            "INSERT OR IGNORE INTO answered_messages (message_id) VALUES (?)", (message_id,)
        )
        await self.db.execute(
            "DELETE FROM answered_messages WHERE answered_at < datetime('now', '-30 days')"
        )
        await self.db.commit()


async def schema_version(db: aiosqlite.Connection) -> int:
    rows = await db.execute_fetchall("PRAGMA user_version")
    return int(rows[0][0]) if rows else 0


async def migrate(db: aiosqlite.Connection) -> int:
    """Apply the migrations this database has not seen yet; returns the new version."""
    version = await schema_version(db)
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {version} is newer than this Newsdesk ({len(MIGRATIONS)})"
        )
    for number in range(version, len(MIGRATIONS)):
        # executescript commits first; each step and its version bump land together.
        await db.executescript(
            f"BEGIN;\n{MIGRATIONS[number]}\nPRAGMA user_version = {number + 1};\nCOMMIT;"
        )
    return len(MIGRATIONS)
