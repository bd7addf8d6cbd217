"""Per-server LLM switch and the persisted daily LLM budget, kept in the bot's database.

The operator decides whether an LLM backend exists (settings); each newsroom decides whether it
wants machine-written bullets (`/newsdesk llm on|off`). A server is OFF until one of its admins
turns it on: a newsroom should choose to show model-written text, not discover it in a reply.

The daily budget's counts are saved after every request that spent one, so a restart (a deploy,
a crash) does not hand every server a fresh allowance. One small upsert per LLM request is
cheap next to the request itself. No Discord here: guilds are plain ids.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.llm.briefer import LLMBriefer
from bot.llm.budget import NO_GUILD, DailyBudget
from bot.messages import say
from bot.models import Briefing
from bot.storage.database import StorageError
from bot.storage.guild_settings import GuildSettings
from config import Settings

log = logging.getLogger(__name__)


class LLMGuildStore:
    """The LLM's view of the per-server settings (`bot.storage.guild_settings`): the switch,
    and the budget object's counts saved and restored."""

    def __init__(self, guild_settings: GuildSettings) -> None:
        self.guild_settings = guild_settings

    async def is_enabled(self, guild_id: int | None) -> bool:
        """Whether the server turned LLM briefings on; DMs (no server) never use them."""
        if guild_id is None:
            return False
        return await self.guild_settings.llm_enabled(guild_id)

    async def uses_llm(self, guild_id: int | None) -> bool:
        """`is_enabled` for the briefing path: a storage error means "off", never a failure."""
        try:
            return await self.is_enabled(guild_id)
        except StorageError:
            log.warning("could not read the LLM switch; using the extractive briefing")
            return False

    async def set_enabled(self, guild_id: int, enabled: bool) -> None:
        await self.guild_settings.set_llm_enabled(guild_id, enabled)

    async def save_budget(self, budget: DailyBudget, guild_id: int | None) -> None:
        """Store today's count for one server (the one that just spent)."""
        day = str(budget.snapshot()["day"])
        await self.guild_settings.save_llm_used(guild_id or NO_GUILD, day, budget.used(guild_id))

    async def load_budget(self, budget: DailyBudget) -> None:
        """Give `budget` today's saved counts; counts saved on another day are ignored."""
        day = str(budget.snapshot()["day"])
        used = await self.guild_settings.llm_used_on(day)
        budget.restore({"day": day, "used": {str(guild): count for guild, count in used.items()}})


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
            except StorageError:
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
