"""`/search`: find articles this server shared, by words of the headline, briefing or quotes,
or by who was quoted.

Results are private (ephemeral) and limited to shares in channels the asking member can view
right now, so a private channel's reading never leaks through search.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render_digest
from bot.discord_app.permissions import MessageChannel, archived_thread_ids, visible_channel_ids
from bot.messages import say
from bot.storage.archive import fts_query, too_common

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

RESULTS: Final = 10
CANDIDATES: Final = 50  # matches scanned for archived threads the member may read


def no_results(query: str) -> str:
    return say("search.no_results", query=discord.utils.escape_markdown(query))


class Search(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self._gone: set[int] = set()  # deleted channels that still have archived shares

    @app_commands.command(name="search", description=say("search.description"))
    @app_commands.describe(
        query=say("search.option.query"),
        channel=say("search.option.channel"),
        days=say("search.option.days"),
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
            await interaction.response.send_message(say("command.server_only"), ephemeral=True)
            return
        if fts_query(query) is None:
            await interaction.response.send_message(say("search.no_words"), ephemeral=True)
            return
        if too_common(query):  # every article matches: no search, a plain hint instead
            hint = say("search.too_common", query=discord.utils.escape_markdown(query))
            await interaction.response.send_message(hint, ephemeral=True)
            return
        archive = self.bot.archive
        visible = visible_channel_ids(guild, member)
        since = self.bot.clock() - timedelta(days=days) if days is not None else None
        if channel is not None:
            visible &= {channel.id}
        else:  # shares in threads archived since are not in discord.py's cache: look them up
            pool = await archive.search(guild.id, query, since=since, limit=CANDIDATES)
            ids = dict.fromkeys(hit.channel_id for hit in pool)
            unknown = [
                c for c in ids if c not in self._gone and guild.get_channel_or_thread(c) is None
            ]
            if unknown:  # REST lookups may take a while: acknowledge within Discord's 3 s
                await interaction.response.defer(ephemeral=True, thinking=True)
                visible |= await archived_thread_ids(guild, member, unknown, self._gone)
        hits = await archive.search(
            guild.id, query, channel_ids=visible, since=since, limit=RESULTS
        )
        if not hits:
            await _answer(interaction, content=no_results(query))
            return
        await _answer(interaction, embed=render_digest.search_embed(query, hits))


async def _answer(interaction: discord.Interaction[NewsdeskBot], **message: Any) -> None:
    """Privately, as the answer or, after a defer, as its followup."""
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, **message)
    else:
        await interaction.response.send_message(ephemeral=True, **message)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Search(bot))
