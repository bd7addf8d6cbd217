"""Recording what the bot showed in a server, so /search and digests can find it later.

The watcher (auto and 📰 replies) and `/brief public` both archive what they posted; the rule
of what a share is (only briefings that worked, the person's post as the jump link, the bot's
clock as the time) lives here once. Storage itself is `bot.storage.archive` (no Discord there).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.errors import StorageError
from bot.models import Briefing

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

log = logging.getLogger(__name__)


async def record_shares(
    bot: NewsdeskBot,
    briefings: Sequence[Briefing],
    *,
    guild_id: int | None,
    channel_id: int,
    message_id: int,
    poster_id: int,
    jump_url: str | None = None,
) -> None:
    """Archive the briefings shown for one message, at `bot.clock()` time.

    Never raises: losing an archive row must not turn a good reply into an error.
    """
    if guild_id is None:
        return
    link = jump_url or f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"
    shared_at = bot.clock()
    for briefing in briefings:
        if not briefing.ok:
            continue
        try:
            await bot.archive.record_share(
                briefing,
                guild_id=guild_id,
                channel_id=channel_id,
                message_id=message_id,
                jump_url=link,
                poster_id=poster_id,
                shared_at=shared_at,
            )
        except StorageError as error:  # e.g. the disk is full, or the bot is shutting down
            log.warning("could not archive %s (message %s): %s", briefing.source, message_id, error)


async def record_message_shares(
    bot: NewsdeskBot, briefings: Sequence[Briefing], message: discord.Message
) -> None:
    """Archive briefings replied to `message`: the person's post is where the link was shared,
    so its jump link, channel and author are what search and digests point back to."""
    await record_shares(
        bot,
        briefings,
        guild_id=message.guild.id if message.guild else None,
        channel_id=message.channel.id,
        message_id=message.id,
        poster_id=message.author.id,
        jump_url=message.jump_url,
    )
