"""Per-server settings: the LLM switch and the day's LLM request count.

Plain ids and numbers only: the LLM layer (`bot.llm.switch`) turns these into its budget
object, so storage knows nothing of how the budget is spent.
"""

from __future__ import annotations

from bot.clock import Clock, timestamp_text, utc_now
from bot.storage.database import Database


class GuildSettings:
    """The `guild_settings` and `llm_budget` tables."""

    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self.db = db
        self._clock = clock

    async def llm_enabled(self, guild_id: int) -> bool:
        """Whether the server turned LLM briefings on (off until an admin says otherwise)."""
        row = await self.db.fetch_one(
            "SELECT llm_enabled FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return bool(row and row[0])

    async def set_llm_enabled(self, guild_id: int, enabled: bool) -> None:
        await self.db.execute(
            """
            INSERT INTO guild_settings (guild_id, llm_enabled, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE
                SET llm_enabled = excluded.llm_enabled, updated_at = excluded.updated_at
            """,
            (guild_id, int(enabled), timestamp_text(self._clock())),
        )

    async def save_llm_used(self, guild_id: int, day: str, used: int) -> None:
        """Store how many LLM requests `guild_id` made on `day` (ISO date, UTC)."""
        await self.db.execute(
            """
            INSERT INTO llm_budget (guild_id, day, used) VALUES (?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET day = excluded.day, used = excluded.used
            """,
            (guild_id, day, used),
        )

    async def llm_used_on(self, day: str) -> dict[int, int]:
        """Requests per server saved for `day`; counts saved on other days are not returned."""
        rows = await self.db.fetch_all(
            "SELECT guild_id, used FROM llm_budget WHERE day = ?", (day,)
        )
        return {int(row[0]): int(row[1]) for row in rows}


__all__ = ["GuildSettings"]
