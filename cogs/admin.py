"""`/newsdesk mode` and `/newsdesk status`: per-channel behaviour, kept in the store.

Discord hides the group from members without Manage Channels (`default_permissions`), but a
server admin can override that in Integrations settings, so `mode` and `status` check the
permission again here (`mode` in the channel being changed; a forum can be chosen, and its posts
follow it). `/newsdesk llm on|off` (per server, Manage Server checked in code) switches the
optional checked LLM briefings; see bot/llm_guilds.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.discord_app import memory
from bot.discord_app.memory import NEED_MANAGE_CHANNELS, ONLY_IN_SERVER, MessageChannel
from bot.llm.switch import NEED_MANAGE_SERVER, NOT_CONFIGURED, status_text, switch_message

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

MODE_HELP: Final[dict[str, str]] = {
    "auto": "I reply to every article link with a briefing.",
    "react": "I mark article links with 📰; add 📰 yourself to get the briefing.",
    "off": "I stay silent here; /brief still works.",
}

ModeChoice = Literal["auto", "react", "off"]
# A forum's mode is what its posts (threads) follow, so a forum can be chosen here too.
ModeChannel = MessageChannel | discord.ForumChannel


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class NewsdeskCommands(commands.GroupCog, group_name="newsdesk"):
    """Settings for this server's channels."""

    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="mode", description="Choose what Newsdesk does with links here")
    @app_commands.describe(mode="auto, react or off", channel="Another channel (default: this one)")
    @app_commands.checks.has_permissions(manage_channels=True)
    async def mode(
        self,
        interaction: discord.Interaction[NewsdeskBot],
        mode: ModeChoice,
        channel: ModeChannel | None = None,
    ) -> None:
        target = channel or interaction.channel
        if interaction.guild is None or target is None:
            await interaction.response.send_message(ONLY_IN_SERVER, ephemeral=True)
            return
        # The decorator checked the channel the command was typed in; check the target too.
        if (
            channel is not None
            and isinstance(interaction.user, discord.Member)
            and not channel.permissions_for(interaction.user).manage_channels
        ):
            await interaction.response.send_message(NEED_MANAGE_CHANNELS, ephemeral=True)
            return
        await self.bot.store.set_mode(interaction.guild.id, target.id, mode)
        await interaction.response.send_message(
            f"Newsdesk mode for <#{target.id}> is now **{mode}**. {MODE_HELP[mode]}",
            ephemeral=True,
        )

    @app_commands.command(name="status", description="Show Newsdesk's mode here and its version")
    @app_commands.checks.has_permissions(manage_channels=True)  # a server may unhide the group
    async def status(self, interaction: discord.Interaction[NewsdeskBot]) -> None:
        channel = interaction.channel
        if channel is None:
            await interaction.response.send_message(ONLY_IN_SERVER, ephemeral=True)
            return
        store = self.bot.store
        parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
        mode = await store.effective_mode(channel.id, parent_id)
        if await store.is_set(channel.id):
            origin = ""
        elif parent_id is not None and await store.is_set(parent_id):
            origin = f" (from <#{parent_id}>)"
        else:
            origin = " (the default)"
        guilds, guild = self.bot.llm_guilds, interaction.guild
        llm_on = guilds is not None and guild is not None and await guilds.is_enabled(guild.id)
        llm = status_text(self.bot.settings.llm_enabled, llm_on, self.bot.settings.llm_model)
        await interaction.response.send_message(
            f"Newsdesk {__version__} · mode in <#{channel.id}>: **{mode}**{origin}. "
            f"{MODE_HELP.get(mode, '')} {llm}",
            ephemeral=True,
        )

    @app_commands.command(name="llm", description="Turn checked LLM briefings on or off here")
    @app_commands.describe(state="on: checked LLM bullets when they pass; off: extractive only")
    async def llm(
        self, interaction: discord.Interaction[NewsdeskBot], state: Literal["on", "off"]
    ) -> None:
        # Discord ignores default_permissions on subcommands (the group's Manage Channels
        # applies), so Manage Server is checked here, in code.
        guilds, guild = self.bot.llm_guilds, interaction.guild
        if not self.bot.settings.llm_enabled or guilds is None:
            text = NOT_CONFIGURED
        elif guild is None:
            text = ONLY_IN_SERVER
        elif not interaction.permissions.manage_guild:
            text = NEED_MANAGE_SERVER
        else:
            await guilds.set_enabled(guild.id, state == "on")
            text = switch_message(state == "on", self.bot.settings.llm_model or "")
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="forget", description="Remove an article from this server's archive")
    @app_commands.describe(url="The article's address (as shared, or its canonical address)")
    async def forget(
        self, interaction: discord.Interaction[NewsdeskBot], url: app_commands.Range[str, 1, 1500]
    ) -> None:
        await memory.forget(interaction, url)  # checks Manage Messages

    @app_commands.command(name="digest-schedule", description="Post a daily digest, or stop it")
    @app_commands.describe(
        time="24-hour HH:MM (e.g. 18:00), or off to stop",
        timezone="Area/City, e.g. Europe/Berlin",
        channel="Another channel (default: this one)",
    )
    @app_commands.autocomplete(timezone=memory.timezone_choices)
    async def digest_schedule(
        self,
        interaction: discord.Interaction[NewsdeskBot],
        time: app_commands.Range[str, 1, 32],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        channel: MessageChannel | None = None,
    ) -> None:
        await memory.set_digest_schedule(interaction, time, timezone, channel)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(NewsdeskCommands(bot))
