"""Briefings on demand: `/brief`, `/quotes` and the "Brief this message" context menu.

Every command defers at once (fetching can take seconds and Discord wants an answer within 3),
and decides at that moment whether the answer is private: the first followup after a defer
takes the defer's visibility, whatever flags it carries.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import memory, render
from bot.network.links import find_links
from bot.runtime.throttle import CommandThrottle, try_again_message

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

log = logging.getLogger(__name__)

NOT_A_LINK: Final = (
    "That doesn't look like a web address. Paste a full link starting with https://."
)
NO_LINKS: Final = "I found no article links in that message."
NO_QUOTES: Final = "I found no direct quotes in that article."
SHARED: Final = "Shared with the channel below."


class OnDemand(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self.context_menu = app_commands.ContextMenu(
            name="Brief this message", callback=self.brief_message
        )
        self.context_menu.guild_only = True
        self.throttle = CommandThrottle.from_settings(bot.settings)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.context_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.context_menu.name, type=self.context_menu.type)

    async def _admit(self, interaction: discord.Interaction[NewsdeskBot], n_links: int) -> int:
        """How many links this person may have now; at 0 they hear when to try again."""
        allowed = self.throttle.admit(interaction.user.id, n_links)
        if not allowed:
            wait = self.throttle.retry_after(interaction.user.id)
            await interaction.response.send_message(try_again_message(wait), ephemeral=True)
        return allowed

    def _link(self, text: str) -> str | None:
        links = find_links(text, 1, spoilers=True)  # asked for by name: hidden or not
        return links[0] if links else None

    @app_commands.command(name="brief", description="Brief one article: headline, quotes, summary")
    @app_commands.describe(
        url="The article's address",
        public="Show the briefing to everyone",
        refresh="Fetch the article again instead of using the stored briefing (Manage Messages)",
    )
    async def brief(
        self,
        interaction: discord.Interaction[NewsdeskBot],
        url: str,
        public: bool = False,
        refresh: bool = False,
    ) -> None:
        link = self._link(url)
        if link is None:
            await interaction.response.send_message(NOT_A_LINK, ephemeral=True)
            return
        if refresh and not memory.has_manage_messages(interaction):
            await interaction.response.send_message(memory.REFRESH_REFUSED, ephemeral=True)
            return
        if not await self._admit(interaction, 1):
            return
        # Private "thinking…" even when public: Discord gives the first followup the defer's
        # visibility, so a failure (or the wait) must never be what the channel sees.
        await interaction.response.defer(ephemeral=True, thinking=True)
        briefing = await self.bot.brief_url(link, guild_id=interaction.guild_id, refresh=refresh)
        if not briefing.ok:
            await interaction.followup.send(render.failure_message(briefing), ephemeral=True)
            return
        embeds = render.briefing_embeds([briefing])
        if not public:
            await interaction.followup.send(embeds=embeds, ephemeral=True)
            return
        await interaction.edit_original_response(content=SHARED)  # resolves the private placeholder
        sent = await interaction.followup.send(embeds=embeds, wait=True)  # a new, public message
        if public and interaction.channel_id is not None:  # shared with the channel: archive it
            await memory.record_shares(
                self.bot,
                [briefing],
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                message_id=sent.id,
                poster_id=interaction.user.id,
            )

    @app_commands.command(
        name="quotes", description="Every direct quote in an article, with speaker"
    )
    @app_commands.describe(url="The article's address")
    async def quotes(self, interaction: discord.Interaction[NewsdeskBot], url: str) -> None:
        link = self._link(url)
        if link is None:
            await interaction.response.send_message(NOT_A_LINK, ephemeral=True)
            return
        if not await self._admit(interaction, 1):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        briefing = await self.bot.brief_url(link, guild_id=interaction.guild_id)
        if not briefing.ok:
            await interaction.followup.send(render.failure_message(briefing), ephemeral=True)
            return
        pages = render.quote_pages(briefing)
        if not pages:
            await interaction.followup.send(NO_QUOTES, ephemeral=True)
            return
        for page in pages:
            await interaction.followup.send(embeds=page, ephemeral=True)

    async def brief_message(
        self, interaction: discord.Interaction[NewsdeskBot], message: discord.Message
    ) -> None:
        # A private answer to the one who asked: spoilered links count.
        limit = self.bot.settings.max_links_per_message
        links = find_links(message.content, limit, spoilers=True)
        if not links:
            await interaction.response.send_message(NO_LINKS, ephemeral=True)
            return
        allowed = await self._admit(interaction, len(links))
        if not allowed:
            return
        links = links[:allowed]
        await interaction.response.defer(ephemeral=True, thinking=True)
        briefings = await self.bot.brief_urls(links, guild_id=interaction.guild_id)
        embeds = render.briefing_embeds(briefings)
        content = render.failures_message(briefings) or None
        await interaction.followup.send(content=content, embeds=embeds, ephemeral=True)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(OnDemand(bot))
