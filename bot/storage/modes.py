"""Per-channel modes and the messages already answered.

Why answered messages live here: both are the watcher's bookkeeping about channels and their
messages, read on every message and written rarely. Marking a message answered is bookkeeping
in the strict sense — it happens after the reply is out — so a failure to write it is logged
and never stops what comes after (archiving the reply; issue 15, finding 2).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from bot.clock import Clock, timestamp_text, utc_now
from bot.storage.database import Database, StorageError

log = logging.getLogger(__name__)

MODES: Final = ("auto", "react", "off")
ANSWERED_KEPT: Final = timedelta(days=30)  # nobody reacts 📰 to older posts


class Store:
    """Channel modes and answered messages over the bot's `Database`."""

    def __init__(self, db: Database, default_mode: str = "auto", *, clock: Clock = utc_now) -> None:
        if default_mode not in MODES:
            raise ValueError(f"unknown mode {default_mode!r}; expected one of {', '.join(MODES)}")
        self.db = db
        self.default_mode = default_mode
        self._clock = clock

    async def get_mode(self, channel_id: int) -> str:
        """The channel's mode, or the default for channels nobody has configured."""
        row = await self.db.fetch_one(
            "SELECT mode FROM channel_modes WHERE channel_id = ?", (channel_id,)
        )
        return str(row[0]) if row else self.default_mode

    async def effective_mode(self, channel_id: int, parent_id: int | None = None) -> str:
        """The mode that applies: the channel's own, else its parent's (threads), else default.

        A thread started under an `off` channel stays quiet unless someone sets its own mode.
        """
        ids = [channel_id] if parent_id is None else [channel_id, parent_id]
        placeholders = ", ".join("?" for _ in ids)
        rows = await self.db.fetch_all(
            f"SELECT channel_id, mode FROM channel_modes WHERE channel_id IN ({placeholders})",
            ids,
        )
        found = {int(row[0]): str(row[1]) for row in rows}
        for candidate in ids:
            if candidate in found:
                return found[candidate]
        return self.default_mode

    async def is_set(self, channel_id: int) -> bool:
        row = await self.db.fetch_one(
            "SELECT 1 FROM channel_modes WHERE channel_id = ?", (channel_id,)
        )
        return row is not None

    async def set_mode(self, guild_id: int, channel_id: int, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        await self.db.execute(
            """
            INSERT INTO channel_modes (channel_id, guild_id, mode, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (channel_id) DO UPDATE
                SET mode = excluded.mode, guild_id = excluded.guild_id,
                    updated_at = excluded.updated_at
            """,
            (channel_id, guild_id, mode, self._sql_now()),
        )

    async def was_answered(self, message_id: int) -> bool:
        row = await self.db.fetch_one(
            "SELECT 1 FROM answered_messages WHERE message_id = ?", (message_id,)
        )
        return row is not None

    async def mark_answered(self, message_id: int) -> bool:
        """Remember a briefed message; False (and a log line) when that could not be written.

        Never raises: the reply is already posted, and what follows it must still happen.
        """
        try:
            await self.db.execute(
                "INSERT INTO answered_messages (message_id, answered_at) VALUES (?, ?) "
                "ON CONFLICT (message_id) DO NOTHING",
                (message_id, self._sql_now()),
            )
        except StorageError as error:
            log.warning("could not mark message %s as answered: %s", message_id, error)
            return False
        return True

    async def forget_answered(self, older_than: timedelta = ANSWERED_KEPT) -> int:
        """Drop answered messages older than `older_than`; returns how many (the sweep)."""
        cutoff = timestamp_text(self._clock() - older_than)
        return await self.db.execute(
            "DELETE FROM answered_messages WHERE answered_at < ?", (cutoff,)
        )

    def _sql_now(self) -> str:
        # answered_at and updated_at are text in CURRENT_TIMESTAMP's form, as they always were.
        return timestamp_text(self._clock())


__all__ = ["ANSWERED_KEPT", "MODES", "Store"]
