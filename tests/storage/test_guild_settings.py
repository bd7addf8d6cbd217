"""Per-server settings on both backends: the LLM switch and the day's LLM request count."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.guild_settings import GuildSettings

GUILD, OTHER = 4242, 9_007_199_254_740_993  # a snowflake past 2**53: kept exactly


async def test_the_llm_switch_is_off_until_turned_on(database: Database) -> None:
    settings = GuildSettings(database)
    assert not await settings.llm_enabled(GUILD)
    await settings.set_llm_enabled(GUILD, True)
    await settings.set_llm_enabled(OTHER, True)
    await settings.set_llm_enabled(OTHER, False)
    assert await settings.llm_enabled(GUILD)
    assert not await settings.llm_enabled(OTHER)


async def test_budget_counts_are_per_server_and_per_day(database: Database) -> None:
    settings = GuildSettings(database)
    await settings.save_llm_used(GUILD, "2026-03-10", 3)
    await settings.save_llm_used(GUILD, "2026-03-10", 5)  # the day's count replaces the last
    await settings.save_llm_used(OTHER, "2026-03-09", 7)
    assert await settings.llm_used_on("2026-03-10") == {GUILD: 5}
    assert await settings.llm_used_on("2026-03-09") == {OTHER: 7}
    await settings.save_llm_used(OTHER, "2026-03-10", 1)  # a new day starts over
    assert await settings.llm_used_on("2026-03-10") == {GUILD: 5, OTHER: 1}
    assert await settings.llm_used_on("2026-03-09") == {}
