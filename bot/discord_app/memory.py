"""The newsroom memory's Discord glue: recording shares, who may see what, and admin commands.

Why here and not in the cogs: the watcher, `/brief` and the `/newsdesk` group all touch the
archive and the digest schedules, so the few lines each needs live in one place and the cogs
stay thin. Storage itself is `bot.storage` (no Discord there).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands

from bot.models import Briefing
from bot.newsroom.schedule import parse_time, parse_timezone, suggest_timezones
from bot.storage.database import StorageError

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

log = logging.getLogger(__name__)

NEED_MANAGE_MESSAGES: Final = "You need the Manage Messages permission to do this."
NEED_MANAGE_CHANNELS: Final = "You need the Manage Channels permission to do this."
ONLY_IN_SERVER: Final = "This works only in a server."
REFRESH_REFUSED: Final = (
    "Only members with the Manage Messages permission can refresh a briefing. "
    "Leave out `refresh` to get the stored one."
)
NEED_TIMEZONE: Final = (
    "Add a time zone too, for example `timezone: Europe/Berlin`, so the digest comes at your "
    "local time."
)
THREAD_LOOKUPS: Final = 5  # archived threads looked up per search (one REST call each)
OFF_WORDS: Final = frozenset({"off", "stop", "none", "disable"})
MessageChannel = discord.TextChannel | discord.Thread | discord.VoiceChannel


def can_see(channel: discord.abc.GuildChannel | discord.Thread, member: discord.Member) -> bool:
    """Whether `member` can read `channel`, so its shares may reach them in search or digests.

    A thread takes its permissions from its parent, and discord.py's `permissions_for` knows
    nothing of a private thread's member list: there, only its creator, the members the bot
    has seen in it and those with Manage Threads count (when unsure, hidden).
    """
    try:
        allowed = channel.permissions_for(member)
    except discord.ClientException:  # a thread whose parent is not cached: cannot tell
        return False
    if not allowed.view_channel:
        return False
    if isinstance(channel, discord.Thread) and channel.is_private():
        return (
            allowed.manage_threads
            or channel.owner_id == member.id
            or any(m.id == member.id for m in channel.members)
        )
    return True


def visible_channel_ids(guild: discord.Guild, member: discord.Member) -> set[int]:
    """Ids of the guild's text channels, voice-channel chats and threads `member` can view.

    Searched shares are filtered by this set, so nothing posted in a private channel ever
    reaches someone who could not read it there.
    """
    channels: Iterable[discord.abc.GuildChannel | discord.Thread] = (
        *guild.text_channels,
        *guild.voice_channels,
        *guild.threads,
    )
    return {channel.id for channel in channels if can_see(channel, member)}


async def archived_thread_ids(
    guild: discord.Guild,
    member: discord.Member,
    candidates: Iterable[int],
    gone: set[int] | None = None,
) -> set[int]:
    """Ids among `candidates` of archived public threads `member` may read.

    Why: discord.py forgets a thread once it is archived (Discord archives a quiet thread after
    a day), so `visible_channel_ids` misses it and its shares would vanish from /search. Each
    unknown id is looked up (at most `THREAD_LOOKUPS` a search); a private thread, a deleted
    channel or a thread under a channel the member cannot read stays hidden. Ids Discord says
    no longer exist are added to `gone` and never looked up again.
    """
    gone = set() if gone is None else gone
    unknown = [
        c
        for c in dict.fromkeys(candidates)
        if c not in gone and guild.get_channel_or_thread(c) is None
    ]
    found: set[int] = set()
    for channel_id in unknown[:THREAD_LOOKUPS]:
        try:
            channel = await guild.fetch_channel(channel_id)
        except discord.NotFound:
            gone.add(channel_id)
            continue
        except discord.HTTPException:  # no access, or Discord is having trouble: stay hidden
            continue
        if not isinstance(channel, discord.Thread) or channel.is_private():
            continue
        parent = channel.parent
        if parent is None:
            continue
        allowed = parent.permissions_for(member)
        if allowed.view_channel and allowed.read_message_history:
            found.add(channel_id)
    return found


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


def has_manage_messages(interaction: discord.Interaction[NewsdeskBot]) -> bool:
    """The member's permissions in the channel the command was used in (overwrites applied)."""
    return interaction.permissions.manage_messages


async def forget(interaction: discord.Interaction[NewsdeskBot], url: str) -> None:
    """`/newsdesk forget`: drop an article from this server's archive (Manage Messages)."""
    guild_id = interaction.guild_id
    if guild_id is None:
        await interaction.response.send_message(ONLY_IN_SERVER, ephemeral=True)
        return
    if not has_manage_messages(interaction):
        await interaction.response.send_message(NEED_MANAGE_MESSAGES, ephemeral=True)
        return
    link = url.strip().strip("<>")
    removed = await interaction.client.archive.forget(guild_id, link)
    if removed:
        shares = "share" if removed == 1 else "shares"
        text = f"Forgotten: <{link}> ({removed} {shares}) no longer shows up in search or digests."
    else:
        text = f"<{link}> is not in this server's archive, so there was nothing to forget."
    await interaction.response.send_message(text, ephemeral=True)


async def set_digest_schedule(
    interaction: discord.Interaction[NewsdeskBot],
    time: str,
    timezone: str | None,
    channel: MessageChannel | None,
) -> None:
    """`/newsdesk digest-schedule`: a daily digest at `time` (HH:MM) in `timezone`, or `off`."""
    bot = interaction.client
    target = channel or interaction.channel
    guild_id = interaction.guild_id
    member = interaction.user
    if guild_id is None or target is None or not isinstance(member, discord.Member):
        await interaction.response.send_message(ONLY_IN_SERVER, ephemeral=True)
        return
    allowed = (
        target.permissions_for(member).manage_channels
        if channel is not None and isinstance(target, MessageChannel)
        else interaction.permissions.manage_channels
    )
    if not allowed:
        await interaction.response.send_message(NEED_MANAGE_CHANNELS, ephemeral=True)
        return
    if time.strip().casefold() in OFF_WORDS:
        removed = await bot.schedules.remove(guild_id, target.id)
        text = (
            f"The daily digest for <#{target.id}> is off."
            if removed
            else f"<#{target.id}> had no daily digest; nothing changed."
        )
        await interaction.response.send_message(text, ephemeral=True)
        return
    if not timezone:
        await interaction.response.send_message(NEED_TIMEZONE, ephemeral=True)
        return
    try:
        hour, minute = parse_time(time)
        zone = parse_timezone(timezone)
    except ValueError as error:
        await interaction.response.send_message(str(error), ephemeral=True)
        return
    except OSError:  # "Europe" names a folder of zones, and zoneinfo says so as IsADirectoryError
        await interaction.response.send_message(unknown_timezone(timezone), ephemeral=True)
        return
    schedule = await bot.schedules.set(guild_id, target.id, hour, minute, zone.key)
    wake = getattr(bot.get_cog("Digests"), "wake", None)
    if callable(wake):
        wake()  # the loop may be sleeping towards a later schedule
    await interaction.response.send_message(
        f"Every day at **{schedule.time_label}** I'll post a digest of the last 24 hours in "
        f"<#{target.id}> (skipped on days nothing was shared). "
        "Turn it off with `/newsdesk digest-schedule time: off`.",
        ephemeral=True,
    )


def unknown_timezone(name: str) -> str:
    """The plain answer for a time zone name that is not one (kept short: it echoes input)."""
    shown = discord.utils.escape_markdown(name.strip()[:64])
    return f"“{shown}” is not a time zone I know; use an Area/City name such as Europe/Berlin."


async def timezone_choices(
    interaction: discord.Interaction[NewsdeskBot], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for the `timezone` option: IANA names containing what was typed."""
    return [app_commands.Choice(name=name, value=name) for name in suggest_timezones(current)]


__all__ = [
    "archived_thread_ids",
    "forget",
    "has_manage_messages",
    "record_message_shares",
    "record_shares",
    "set_digest_schedule",
    "timezone_choices",
    "visible_channel_ids",
]
