"""Briefings on demand: `/brief`, `/quotes` and the "Brief this message" context menu.

"Brief this message" briefs whatever the message offers: its links, attached pages, texts and
PDFs, or the article pasted into it; a link whose page cannot be read still shows the card
Discord made for it, marked as the site's own preview.

Every command defers at once (fetching can take seconds and Discord wants an answer within 3),
and decides at that moment whether the answer is private: the first followup after a defer
takes the defer's visibility, whatever flags it carries. Every answer after the defer goes
through `bot.discord_app.delivery`: tried again through a Discord outage, and at worst the
"thinking…" becomes a short "couldn't post" — nobody is left waiting.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.delivery import RetryPolicy, edit_original, follow_up
from bot.discord_app.material import brief_wanted, previews_for, wanted_in
from bot.discord_app.permissions import has_manage_messages
from bot.discord_app.shares import record_shares
from bot.messages import say
from bot.network.links import find_links
from bot.runtime.throttle import CommandThrottle, try_again_message

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

log = logging.getLogger(__name__)


class OnDemand(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self.context_menu = app_commands.ContextMenu(
            name=say("brief.context_menu"), callback=self.brief_message
        )
        self.context_menu.guild_only = True
        self.throttle = CommandThrottle.from_settings(bot.settings, shared=bot.shared_limits)
        self.retry = RetryPolicy.from_settings(bot.settings)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.context_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.context_menu.name, type=self.context_menu.type)

    async def _admit(self, interaction: discord.Interaction[NewsdeskBot], n_links: int) -> int:
        """How many links this person may have now; at 0 they hear when to try again."""
        allowed = await self.throttle.admit(interaction.user.id, n_links)
        if not allowed:
            wait = await self.throttle.retry_after(interaction.user.id)
            await interaction.response.send_message(try_again_message(wait), ephemeral=True)
        return allowed

    def _link(self, text: str) -> str | None:
        links = find_links(text, 1, spoilers=True)  # asked for by name: hidden or not
        return links[0] if links else None

    @app_commands.command(name="brief", description=say("brief.description"))
    @app_commands.describe(
        url=say("brief.option.url"),
        public=say("brief.option.public"),
        refresh=say("brief.option.refresh"),
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
            await interaction.response.send_message(say("brief.not_a_link"), ephemeral=True)
            return
        if refresh and not has_manage_messages(interaction):
            await interaction.response.send_message(say("brief.refresh_refused"), ephemeral=True)
            return
        if not await self._admit(interaction, 1):
            return
        # Private "thinking…" even when public: Discord gives the first followup the defer's
        # visibility, so a failure (or the wait) must never be what the channel sees.
        await interaction.response.defer(ephemeral=True, thinking=True)
        briefing = await self.bot.service.brief(
            link, guild_id=interaction.guild_id, refresh=refresh
        )
        if not briefing.ok:
            await follow_up(
                interaction, self.retry, content=render.failure_message(briefing), ephemeral=True
            )
            return
        embeds = render.briefing_embeds([briefing])
        if not public:
            await follow_up(interaction, self.retry, embeds=embeds, ephemeral=True)
            return
        # The edit resolves the private placeholder; the briefing is a new, public message.
        if not await edit_original(interaction, self.retry, content=say("brief.shared")):
            return
        sent = await follow_up(interaction, self.retry, embeds=embeds)
        if sent is not None and interaction.channel_id is not None:  # shared: archive it
            await record_shares(
                self.bot,
                [briefing],
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                message_id=sent.id,
                poster_id=interaction.user.id,
            )

    @app_commands.command(name="quotes", description=say("brief.quotes_description"))
    @app_commands.describe(url=say("brief.option.url"))
    async def quotes(self, interaction: discord.Interaction[NewsdeskBot], url: str) -> None:
        link = self._link(url)
        if link is None:
            await interaction.response.send_message(say("brief.not_a_link"), ephemeral=True)
            return
        if not await self._admit(interaction, 1):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        briefing = await self.bot.service.brief(link, guild_id=interaction.guild_id)
        if not briefing.ok:
            await follow_up(
                interaction, self.retry, content=render.failure_message(briefing), ephemeral=True
            )
            return
        pages = render.quote_pages(briefing)
        if not pages:
            await follow_up(interaction, self.retry, content=say("brief.no_quotes"), ephemeral=True)
            return
        for number, page in enumerate(pages):
            # Once the first page replaced "thinking…", a failure must not overwrite it.
            first = number == 0
            sent = await follow_up(
                interaction, self.retry, note_on_failure=first, embeds=page, ephemeral=True
            )
            if sent is None:
                return

    async def brief_message(
        self, interaction: discord.Interaction[NewsdeskBot], message: discord.Message
    ) -> None:
        # A private answer to the one who asked: spoilered links count.
        items = wanted_in(message, self.bot.settings, asked=True)
        if not items:
            await interaction.response.send_message(say("brief.no_links"), ephemeral=True)
            return
        allowed = await self._admit(interaction, len(items))
        if not allowed:
            return
        items = items[:allowed]
        await interaction.response.defer(ephemeral=True, thinking=True)
        batch = await brief_wanted(self.bot, message, items, guild_id=interaction.guild_id)
        failed = [b for b in batch.briefings if not b.ok]
        # A page that could not be read still has the card Discord shows under its link.
        embeds = render.briefing_embeds(batch.briefings, previews_for(message, failed))
        content = render.failures_message(batch.briefings)
        if content:
            await follow_up(interaction, self.retry, content=content, embeds=embeds, ephemeral=True)
        else:
            await follow_up(interaction, self.retry, embeds=embeds, ephemeral=True)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(OnDemand(bot))
