"""`/search`: find articles this server shared, by words of the headline, briefing or quotes,
or by who was quoted.

Results are private (ephemeral) and limited to shares in channels the asking member can view
right now, so a private channel's reading never leaks through search.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot import render_digest
from bot.archive import fts_query
from bot.memory import MessageChannel, visible_channel_ids

if TYPE_CHECKING:
    from bot.client import NewsdeskBot

NO_WORDS: Final = "Type a few words to search for, such as a name or a word from a quote."
RESULTS: Final = 10


def no_results(query: str) -> str:
    return (
        f"I found nothing matching “{discord.utils.escape_markdown(query)}” in the articles "
        "shared in channels you can see."
    )


class Search(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot

    @app_commands.command(name="search", description="Search the articles shared in this server")
    @app_commands.describe(
        query="Words from the headline, summary or a quote, or a speaker's name",
        channel="Only this channel",
        days="Only shares from the last N days",
    )
    @app_commands.guild_only()
    async def search(
        self,
        interaction: discord.Interaction[NewsdeskBot],
        query: app_commands.Range[str, 1, 200],
        channel: MessageChannel | None = None,
        days: app_commands.Range[int, 1, 3650] | None = None,
    ) -> None:
        guild, member = interaction.guild, interaction.user
        if guild is None or not isinstance(member, discord.Member):
            await interaction.response.send_message("This works only in a server.", ephemeral=True)
            return
        if fts_query(query) is None:
            await interaction.response.send_message(NO_WORDS, ephemeral=True)
            return
        visible = visible_channel_ids(guild, member)
        if channel is not None:
            visible &= {channel.id}
        since = self.bot.clock() - timedelta(days=days) if days is not None else None
        hits = await self.bot.archive.search(
            guild.id, query, channel_ids=visible, since=since, limit=RESULTS
        )
        if not hits:
            await interaction.response.send_message(no_results(query), ephemeral=True)
            return
        await interaction.response.send_message(
            embed=render_digest.search_embed(query, hits), ephemeral=True
        )


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Search(bot))
