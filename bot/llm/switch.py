"""Per-server LLM switch and the persisted daily LLM budget, kept in the bot's SQLite store.

The operator decides whether an LLM backend exists (settings); each newsroom decides whether it
wants machine-written bullets (`/newsdesk llm on|off`). A server is OFF until one of its admins
turns it on: a newsroom should choose to show model-written text, not discover it in a reply.

The daily budget's counts are saved after every request that spent one, so a restart (a deploy,
a crash) does not hand every server a fresh allowance. One small upsert per LLM request is
cheap next to the request itself. No Discord here: guilds are plain ids.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite

from bot.llm.briefer import LLMBriefer
from bot.llm.budget import NO_GUILD, DailyBudget
from bot.messages import say
from bot.models import Briefing
from bot.storage.modes import migrate
from config import Settings

log = logging.getLogger(__name__)


class LLMGuildStore:
    """The `guild_settings` and `llm_budget` tables (created by `bot.store.MIGRATIONS`).

    The bot opens it with its own connection to the store's file (`open`): the shared
    connection carries other modules' multi-statement transactions across awaits, and a commit
    from here in the middle of one would either fail ("SQL statements in progress") or commit
    half of theirs. WAL and a busy timeout let the two connections take turns.
    """

    def __init__(self, db: aiosqlite.Connection, *, own: bool = False) -> None:
        self.db = db
        self._own = own

    @classmethod
    async def open(cls, path: Path | str) -> LLMGuildStore:
        """A connection of its own to the bot's database (migrated to the current schema)."""
        db = await aiosqlite.connect(path)
        try:
            await db.execute("PRAGMA busy_timeout=5000")
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db, own=True)

    async def close(self) -> None:
        if self._own:
            await self.db.close()

    async def is_enabled(self, guild_id: int | None) -> bool:
        """Whether the server turned LLM briefings on; DMs (no server) never use them."""
        if guild_id is None:
            return False
        # execute_fetchall runs and closes the statement in one step: no open cursor for
        # another task's commit on this shared connection to trip over.
        rows = await self.db.execute_fetchall(
            "SELECT llm_enabled FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return any(row[0] for row in rows)

    async def uses_llm(self, guild_id: int | None) -> bool:
        """`is_enabled` for the briefing path: a storage error means "off", never a failure."""
        try:
            return await self.is_enabled(guild_id)
        except (sqlite3.Error, ValueError):  # ValueError: the connection is closed
            log.warning("could not read the LLM switch; using the extractive briefing")
            return False

    async def set_enabled(self, guild_id: int, enabled: bool) -> None:
        await self.db.execute(
            """
            INSERT INTO guild_settings (guild_id, llm_enabled) VALUES (?, ?)
            ON CONFLICT (guild_id) DO UPDATE
                SET llm_enabled = excluded.llm_enabled, updated_at = CURRENT_TIMESTAMP
            """,
            (guild_id, int(enabled)),
        )
        await self.db.commit()

    async def save_budget(self, budget: DailyBudget, guild_id: int | None) -> None:
        """Store today's count for one server (the one that just spent)."""
        day = str(budget.snapshot()["day"])
        await self.db.execute(
            """
            INSERT INTO llm_budget (guild_id, day, used) VALUES (?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET day = excluded.day, used = excluded.used
            """,
            (guild_id or NO_GUILD, day, budget.used(guild_id)),
        )
        await self.db.commit()

    async def load_budget(self, budget: DailyBudget) -> None:
        """Give `budget` today's saved counts; counts saved on another day are ignored."""
        day = str(budget.snapshot()["day"])
        rows = await self.db.execute_fetchall(
            "SELECT guild_id, used FROM llm_budget WHERE day = ?", (day,)
        )
        budget.restore({"day": day, "used": {str(row[0]): int(row[1]) for row in rows}})


class StoredBudgetBriefer(LLMBriefer):
    """An `LLMBriefer` whose daily budget is restored from, and saved to, the store."""

    def __init__(self, settings: Settings, guilds: LLMGuildStore, **options: Any) -> None:
        super().__init__(settings, **options)
        self.guilds = guilds

    async def improve(self, briefing: Briefing, *, guild_id: int | None = None) -> Briefing:
        before = self.budget.used(guild_id)
        improved = await super().improve(briefing, guild_id=guild_id)
        if self.budget.used(guild_id) != before:
            try:
                await self.guilds.save_budget(self.budget, guild_id)
            except (sqlite3.Error, ValueError):  # ValueError: the connection is closed
                # The count stays right in memory; losing it on a restart is the lesser harm
                # next to failing a briefing that is already written.
                log.warning("could not save the LLM budget", exc_info=True)
        return improved


async def open_briefer(settings: Settings, guilds: LLMGuildStore) -> StoredBudgetBriefer | None:
    """The bot's briefer with today's saved budget, or None when no backend is configured."""
    if not settings.llm_enabled:
        return None
    briefer = StoredBudgetBriefer(settings, guilds)
    await guilds.load_budget(briefer.budget)
    return briefer


def switch_message(enabled: bool, model: str) -> str:
    """What `/newsdesk llm on|off` answers, in plain words."""
    if enabled:
        return say("llm.switched_on", model=model)
    return say("llm.switched_off")


def status_text(configured: bool, enabled: bool, model: str | None) -> str:
    """One sentence for `/newsdesk status`."""
    if not configured:
        return say("llm.status_unconfigured")
    if enabled:
        return say("llm.status_on", model=model)
    return say("llm.status_off")
