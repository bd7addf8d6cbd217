"""`/newsdesk …`: per-channel mode, status, the LLM switch, forgetting an article, daily digests.

Discord hides the group from members without Manage Channels (`default_permissions`), but a
server admin can override that in Integrations settings, so every subcommand checks its
permission again here: `mode` and `digest-schedule` in the channel being changed (a forum can be
chosen for `mode`, and its posts follow it), `forget` Manage Messages, `llm` Manage Server (the
optional checked LLM briefings; see bot/llm/switch.py). `forget` removes and counts only shares in
channels the member can see, so it neither reaches into nor reveals a channel hidden from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.discord_app.permissions import (
    MessageChannel,
    archived_thread_ids,
    has_manage_messages,
    visible_channel_ids,
)
from bot.errors import BadInput
from bot.llm.switch import status_text, switch_message
from bot.messages import say
from bot.newsroom.schedule import parse_time, parse_timezone, suggest_timezones

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

ModeChoice = Literal["auto", "react", "off"]
# A forum's mode is what its posts (threads) follow, so a forum can be chosen here too.
ModeChannel = MessageChannel | discord.ForumChannel
OFF_WORDS: Final = frozenset({"off", "stop", "none", "disable"})


def mode_help(mode: str, *, reads_messages: bool = True) -> str:
    """What a mode does, in one sentence (empty for a mode this version does not know).

    Without the Message Content intent (`reads_messages` False) auto and react see no links,
    and say so plainly instead of promising replies that will not come.
    """
    if mode in ("auto", "react") and not reads_messages:
        return say("admin.mode.idle")
    if mode == "auto":
        return say("admin.mode.auto")
    if mode == "react":
        return say("admin.mode.react")
    if mode == "off":
        return say("admin.mode.off")
    return ""


def unknown_timezone(name: str) -> str:
    """The plain answer for a time zone name that is not one (kept short: it echoes input)."""
    shown = discord.utils.escape_markdown(name.strip()[:64])
    return say("schedule.unknown_timezone", name=shown)


async def timezone_choices(
    interaction: discord.Interaction[NewsdeskBot], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for the `timezone` option: IANA names containing what was typed."""
    return [app_commands.Choice(name=name, value=name) for name in suggest_timezones(current)]


async def _private(interaction: discord.Interaction[NewsdeskBot], text: str) -> None:
    """Privately, as the answer or, after a defer, as its followup."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class NewsdeskCommands(
    commands.GroupCog, group_name="newsdesk", group_description=say("admin.description")
):
    """Settings for this server's channels and its archive."""

    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self._gone: set[int] = set()  # deleted channels that still have archived shares
        super().__init__()

    @app_commands.command(name="mode", description=say("admin.mode_description"))
    @app_commands.describe(mode=say("admin.option.mode"), channel=say("option.channel"))
    @app_commands.checks.has_permissions(manage_channels=True)
    async def mode(
        self,
        interaction: discord.Interaction[NewsdeskBot],
        mode: ModeChoice,
        channel: ModeChannel | None = None,
    ) -> None:
        target = channel or interaction.channel
        if interaction.guild is None or target is None:
            await _private(interaction, say("command.server_only"))
            return
        # The decorator checked the channel the command was typed in; check the target too.
        if (
            channel is not None
            and isinstance(interaction.user, discord.Member)
            and not channel.permissions_for(interaction.user).manage_channels
        ):
            await _private(
                interaction, say("command.need_permission", permission="Manage Channels")
            )
            return
        await self.bot.store.set_mode(interaction.guild.id, target.id, mode)
        help_text = mode_help(mode, reads_messages=self.bot.reads_message_content)
        text = say("admin.mode_set", channel=target.id, mode=mode, help=help_text)
        await _private(interaction, text)

    @app_commands.command(name="status", description=say("admin.status_description"))
    @app_commands.checks.has_permissions(manage_channels=True)  # a server may unhide the group
    async def status(self, interaction: discord.Interaction[NewsdeskBot]) -> None:
        channel = interaction.channel
        if channel is None:
            await _private(interaction, say("command.server_only"))
            return
        store = self.bot.store
        parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
        mode = await store.effective_mode(channel.id, parent_id)
        if await store.is_set(channel.id):
            origin = ""
        elif parent_id is not None and await store.is_set(parent_id):
            origin = say("admin.origin_parent", parent=parent_id)
        else:
            origin = say("admin.origin_default")
        guilds, guild = self.bot.llm_guilds, interaction.guild
        llm_on = guilds is not None and guild is not None and await guilds.is_enabled(guild.id)
        llm = status_text(self.bot.settings.llm_enabled, llm_on, self.bot.settings.llm_model)
        text = say(
            "admin.status",
            version=__version__,
            channel=channel.id,
            mode=mode,
            origin=origin,
            help=mode_help(mode, reads_messages=self.bot.reads_message_content),
            llm=llm,
        )
        await _private(interaction, text)

    @app_commands.command(name="llm", description=say("admin.llm_description"))
    @app_commands.describe(state=say("admin.option.llm_state"))
    async def llm(
        self, interaction: discord.Interaction[NewsdeskBot], state: Literal["on", "off"]
    ) -> None:
        # Discord ignores default_permissions on subcommands (the group's Manage Channels
        # applies), so Manage Server is checked here, in code.
        guilds, guild = self.bot.llm_guilds, interaction.guild
        if not self.bot.settings.llm_enabled or guilds is None:
            text = say("llm.not_configured")
        elif guild is None:
            text = say("command.server_only")
        elif not interaction.permissions.manage_guild:
            text = say("command.need_permission", permission="Manage Server")
        else:
            await guilds.set_enabled(guild.id, state == "on")
            text = switch_message(state == "on", self.bot.settings.llm_model or "")
        await _private(interaction, text)

    @app_commands.command(name="forget", description=say("admin.forget_description"))
    @app_commands.describe(url=say("admin.option.forget_url"))
    async def forget(
        self, interaction: discord.Interaction[NewsdeskBot], url: app_commands.Range[str, 1, 1500]
    ) -> None:
        """Drop an article from this server's archive (Manage Messages), where they can see it."""
        guild, member = interaction.guild, interaction.user
        if guild is None or not isinstance(member, discord.Member):
            await _private(interaction, say("command.server_only"))
            return
        if not has_manage_messages(interaction):
            await _private(
                interaction, say("command.need_permission", permission="Manage Messages")
            )
            return
        link = url.strip().strip("<>")
        visible = await self._visible_shares(interaction, guild, member, link)
        removed = await self.bot.archive.forget(guild.id, link, channel_ids=visible)
        if removed == 1:
            text = say("admin.forgotten_one", link=link, count=removed)
        elif removed:
            text = say("admin.forgotten_many", link=link, count=removed)
        else:
            text = say("admin.not_archived", link=link)
        await _private(interaction, text)

    async def _visible_shares(
        self,
        interaction: discord.Interaction[NewsdeskBot],
        guild: discord.Guild,
        member: discord.Member,
        link: str,
    ) -> set[int]:
        """The channels holding shares of `link` that `member` can see.

        A share in a thread archived since is unknown to the channel cache: it is looked up, as
        `/search` does, so an article shared in an old forum post can still be forgotten.
        """
        shared_in = await self.bot.archive.share_channels(guild.id, link)
        visible = visible_channel_ids(guild, member) & shared_in
        unknown = [
            c for c in shared_in if c not in self._gone and guild.get_channel_or_thread(c) is None
        ]
        if unknown:  # REST lookups may take a while: acknowledge within Discord's 3 s
            await interaction.response.defer(ephemeral=True, thinking=True)
            visible |= await archived_thread_ids(guild, member, unknown, self._gone)
        return visible

    @app_commands.command(name="digest-schedule", description=say("admin.schedule_description"))
    @app_commands.describe(
        time=say("admin.option.time"),
        timezone=say("admin.option.timezone"),
        channel=say("option.channel"),
    )
    @app_commands.autocomplete(timezone=timezone_choices)
    async def digest_schedule(
        self,
        interaction: discord.Interaction[NewsdeskBot],
        time: app_commands.Range[str, 1, 32],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        channel: MessageChannel | None = None,
    ) -> None:
        """A daily digest at `time` (HH:MM) in `timezone`, or `off` (Manage Channels there)."""
        target = channel or interaction.channel
        guild_id = interaction.guild_id
        member = interaction.user
        if guild_id is None or target is None or not isinstance(member, discord.Member):
            await _private(interaction, say("command.server_only"))
            return
        allowed = (
            target.permissions_for(member).manage_channels
            if channel is not None and isinstance(target, MessageChannel)
            else interaction.permissions.manage_channels
        )
        if not allowed:
            await _private(
                interaction, say("command.need_permission", permission="Manage Channels")
            )
            return
        schedules = self.bot.schedules
        if time.strip().casefold() in OFF_WORDS:
            removed = await schedules.remove(guild_id, target.id)
            if removed:
                await _private(interaction, say("admin.schedule_off", channel=target.id))
            else:
                await _private(interaction, say("admin.schedule_was_off", channel=target.id))
            return
        if not timezone:
            await _private(interaction, say("admin.schedule_needs_timezone"))
            return
        try:
            hour, minute = parse_time(time)
            zone = parse_timezone(timezone)
        except BadInput as error:  # its message is for the person who typed the value
            await _private(interaction, str(error))
            return
        except OSError:  # "Europe" names a folder of zones; zoneinfo says IsADirectoryError
            await _private(interaction, unknown_timezone(timezone))
            return
        schedule = await schedules.set(guild_id, target.id, hour, minute, zone.key)
        wake = getattr(self.bot.get_cog("Digests"), "wake", None)
        if callable(wake):
            wake()  # the loop may be sleeping towards a later schedule
        await _private(
            interaction, say("admin.schedule_set", time=schedule.time_label, channel=target.id)
        )


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(NewsdeskCommands(bot))
