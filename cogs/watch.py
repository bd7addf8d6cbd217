"""Watching channels for article links: auto replies, 📰 reactions, and quiet failures.

In `auto` mode every article link a person posts gets a briefing reply — and so does an attached
page, text or PDF, or an article pasted into a message (see `bot.discord_app.material`); in
`react` mode the bot only marks such messages with 📰 and replies when someone else adds 📰; `off`
is silent. A failed briefing nobody asked for stays quiet: one ⚠️ on the message and a log line,
no chat noise. Whoever adds 📰 asked: they hear why a link failed, with the site's own preview
(the card Discord shows) when there is one. Items the full work queue dropped get what
rate-limited ones get (a log line and, at most once a minute per channel, ⏳); a reply Discord
keeps refusing is tried again until the retry deadline (`bot.discord_app.delivery`), then the
message gets ⚠️.

A message that mentions the bot asks for what it holds: in `react` mode it gets the reply at once.
Without the Message Content intent, mentions are all the bot can read (Discord blanks the text
and attachments of every other message), so auto and react channels go quiet and mentions keep
working.
"""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from typing import TYPE_CHECKING, Final

import discord
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.delivery import RetryPolicy, deliver, typing_if_possible
from bot.discord_app.material import Wanted, brief_wanted, previews_for, wanted_in
from bot.discord_app.shares import record_message_shares
from bot.discord_app.views import delete_view
from bot.errors import DeliveryFailed, QueueFull
from bot.models import Briefing
from bot.runtime.throttle import HOURGLASS, LinkThrottle

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

log = logging.getLogger(__name__)

NEWS: Final = "📰"
WARNING: Final = "⚠️"
ANSWERED_MEMORY: Final = 2048  # message ids remembered, so five 📰 reactions give one reply


class Watcher(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self._answered: OrderedDict[int, None] = OrderedDict()
        self.throttle = LinkThrottle.from_settings(bot.settings)
        self.retry = RetryPolicy.from_settings(bot.settings)

    async def mode_of(self, channel: discord.abc.Snowflake) -> str:
        """The channel's mode; a thread without its own mode follows its parent channel."""
        parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
        return await self.bot.store.effective_mode(channel.id, parent_id)

    def wanted_in(self, message: discord.Message) -> list[Wanted]:
        return wanted_in(message, self.bot.settings, asked=False)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        items = self.wanted_in(message)
        if not items:
            return
        self.bot.metrics.seen(len(items))
        mode = await self.mode_of(message.channel)
        if mode == "auto" or (mode == "react" and self._mentions_me(message)):
            self._remember(message.id)
            items = await self._admit(message, message.author.id, items)
            if items:
                await self.reply_with_briefings(message, items, quiet=True)
        elif mode == "react":
            await _react(message, NEWS)
        else:
            self.bot.metrics.skipped("channel_off", len(items))

    def _mentions_me(self, message: discord.Message) -> bool:
        """The message names the bot (not @everyone, not a role): an explicit request."""
        me = self.bot.user
        return me is not None and any(user.id == me.id for user in message.mentions)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        me = self.bot.user
        if payload.guild_id is None or me is None or payload.user_id == me.id:
            return
        if str(payload.emoji) != NEWS or payload.message_id in self._answered:
            return
        if payload.member is not None and payload.member.bot:
            return
        channel = self.bot.get_channel(payload.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return
        if await self.mode_of(channel) != "react":
            return
        if await self.bot.store.was_answered(payload.message_id):  # before a restart, too
            return
        if payload.message_id in self._answered:  # another 📰 won the race during the awaits
            return
        self._remember(payload.message_id)
        try:
            message = await channel.fetch_message(payload.message_id)
        except discord.HTTPException:
            log.info("could not fetch message %s for a 📰 reaction", payload.message_id)
            return
        if message.author.bot or message.webhook_id is not None:
            return
        items = self.wanted_in(message)
        if not items:
            return
        items = await self._admit(message, payload.user_id, items)
        if not items:  # over the rate limit: a 📰 added later may still ask for it
            self._answered.pop(payload.message_id, None)
            return
        await self.reply_with_briefings(message, items, quiet=False)

    async def reply_with_briefings(
        self, message: discord.Message, items: list[Wanted], *, quiet: bool
    ) -> None:
        """Brief `items` and reply once; `quiet` turns failures into a ⚠️ instead of words."""
        guild_id = message.guild.id if message.guild else None
        try:
            async with typing_if_possible(message.channel):
                batch = await brief_wanted(
                    self.bot, message, items, guild_id=guild_id, droppable=quiet
                )
        except QueueFull:  # a 📰 while saturated: no words in the channel, one ⏳, ask again
            log.info("busy: no briefing for message %s", message.id)
            self.bot.metrics.skipped("busy", len(items))
            self._answered.pop(message.id, None)
            await _react(message, HOURGLASS)
            return
        self.bot.metrics.skipped("busy", len(batch.dropped))
        if batch.dropped:  # pushed out of the full queue: counted, logged, and a rare ⏳
            await self._busy(message, len(batch.dropped))
        briefings = batch.briefings
        if not briefings:
            return
        failed = [b for b in briefings if not b.ok]
        self.bot.metrics.skipped("failed", len(failed))
        for briefing in failed:
            _log_failure(message, briefing)
        # Discord already shows its preview right above an auto reply; whoever asked with 📰
        # gets it with the reason the page could not be read.
        previews = [] if quiet else previews_for(message, failed)
        embeds = render.briefing_embeds(briefings, previews)
        content = None if quiet else (render.failures_message(failed) or None)
        if not embeds and content is None:
            await _react(message, WARNING)
            return
        # One nonce for every try: Discord posts a nonce it saw in the last minutes only once,
        # so a try that reached it just before the connection broke is not posted twice.
        nonce = secrets.randbits(63)
        try:
            await deliver(
                lambda: message.reply(
                    content=content,
                    embeds=embeds,
                    view=delete_view(message.author.id),
                    mention_author=False,
                    nonce=nonce,
                ),
                self.retry,
            )
        except DeliveryFailed as error:  # Discord kept failing until the deadline
            log.warning("could not reply to message %s: %s", message.id, error)
            self.bot.metrics.skipped("reply_failed", len(briefings) - len(failed))
            await _react(message, WARNING)
            return
        except discord.HTTPException as error:  # e.g. the message was deleted meanwhile
            log.warning("could not reply to message %s: %s", message.id, error)
            self.bot.metrics.skipped("reply_failed", len(briefings) - len(failed))
            return
        self.bot.metrics.answered(len(briefings) - len(failed))
        await self.bot.store.mark_answered(message.id)
        await record_message_shares(self.bot, briefings, message)  # for /search, /digest
        if failed and quiet:
            await _react(message, WARNING)

    async def _busy(self, message: discord.Message, dropped: int) -> None:
        """Items the full queue dropped: the rate limit's signal (⏳, once a minute a channel)."""
        log.info("busy: dropped %d item(s) of message %s (work queue full)", dropped, message.id)
        if self.throttle.notice(message.channel.id):
            await _react(message, HOURGLASS)

    async def _admit(
        self, message: discord.Message, user_id: int, items: list[Wanted]
    ) -> list[Wanted]:
        """The items the rate limits let through; over them, a rare ⏳ instead of a reply."""
        admission = self.throttle.admit(user_id, message.channel.id, [i.key for i in items])
        self.bot.metrics.skipped("rate_limited", admission.skipped)
        if admission.skipped:
            log.info("rate limit: skipped %d item(s) of message %s", admission.skipped, message.id)
        if admission.notice:
            await _react(message, HOURGLASS)
        return items[: len(admission.urls)]

    def _remember(self, message_id: int) -> None:
        self._answered[message_id] = None
        while len(self._answered) > ANSWERED_MEMORY:
            self._answered.popitem(last=False)


def _log_failure(message: discord.Message, briefing: Briefing) -> None:
    kind = briefing.error.kind if briefing.error else "?"
    log.info(
        "no briefing for %s (message %s, channel %s): %s",
        briefing.source,
        message.id,
        message.channel.id,
        kind,
    )


async def _react(message: discord.Message, emoji: str) -> None:
    try:
        await message.add_reaction(emoji)
    except discord.HTTPException:
        log.info("could not add %s to message %s", emoji, message.id)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(Watcher(bot))
