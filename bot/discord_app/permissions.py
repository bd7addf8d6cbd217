"""Who may see what: channel visibility for search and digests, and the checks commands share.

Why its own module: every answer built from the archive (search, digests) must hold only what
the asking member could read where it was posted, and that rule is easier to trust when it is
written once. Storage knows nothing of Discord permissions; this is where they are applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import discord

THREAD_LOOKUPS: Final = 5  # archived threads looked up per search (one REST call each)
# The channels a slash-command option may name for posting, digests and search.
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


def has_manage_messages(interaction: discord.Interaction[Any]) -> bool:
    """The member's permissions in the channel the command was used in (overwrites applied)."""
    return interaction.permissions.manage_messages
