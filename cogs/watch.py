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

Nothing taken on is lost to a crash: a link message the bot will answer unasked is recorded as
a job (`bot.storage.intake`) before any work starts, marked `sending` just before the reply and
`done` after it; when a shard becomes ready, `bot.discord_app.recovery` finishes the jobs an
earlier run left and reads back the messages posted while the shard was down. A message is
recorded once, so it is answered once — whichever path (live, read back, another process on the
same shard) comes to it first.
"""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from typing import TYPE_CHECKING, Final, Literal

import discord
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.delivery import RetryPolicy, deliver, typing_if_possible
from bot.discord_app.material import Wanted, brief_wanted, previews_for, wanted_in
from bot.discord_app.recovery import CatchUp
from bot.discord_app.shares import record_message_shares
from bot.discord_app.views import delete_view
from bot.errors import DeliveryFailed, QueueFull, StorageError
from bot.models import Briefing
from bot.runtime.seen import SeenMessages
from bot.runtime.throttle import HOURGLASS, LinkThrottle
from bot.storage.intake import IntakeJob

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

log = logging.getLogger(__name__)

NEWS: Final = "📰"
WARNING: Final = "⚠️"
ANSWERED_MEMORY: Final = 2048  # message ids remembered, so five 📰 reactions give one reply


JobStep = Literal["sending", "done"]


class Watcher(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self._answered: OrderedDict[int, None] = OrderedDict()
        self.throttle = LinkThrottle.from_settings(bot.settings, shared=bot.shared_limits)
        self.retry = RetryPolicy.from_settings(bot.settings)
        self.seen = SeenMessages()
        self.catch_up = CatchUp(bot, self, self.seen)

    async def cog_load(self) -> None:
        self.catch_up.start()

    async def cog_unload(self) -> None:
        await self.catch_up.stop()

    async def mode_of(self, channel: discord.abc.Snowflake) -> str:
        """The channel's mode; a thread without its own mode follows its parent channel."""
        parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
        return await self.bot.store.effective_mode(channel.id, parent_id)

    def wanted_in(self, message: discord.Message) -> list[Wanted]:
        return wanted_in(message, self.bot.settings, asked=False)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        items = await self.take_on(message)
        if items is not None:
            await self.answer(message, items, journaled=True)

    @commands.Cog.listener()
    async def on_shard_ready(self, shard_id: int) -> None:
        """Finish what an earlier run of this shard left, and answer what it missed."""
        await self.catch_up.shard_ready(shard_id)

    async def take_on(self, message: discord.Message) -> list[Wanted] | None:
        """Decide about a posted message: the items to answer now, recorded as a job, or None
        (nothing to brief, not asked, over the limits, or already taken on elsewhere). The
        shard's watermark passes the message only once this decision is made."""
        if message.guild is None:
            return None
        shard = message.guild.shard_id
        self.seen.begin(shard, message.id)
        try:
            return await self._decide(message)
        finally:
            self.seen.end(shard, message.id)

    async def _decide(self, message: discord.Message) -> list[Wanted] | None:
        if message.author.bot or message.webhook_id is not None:
            return None
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return None
        items = self.wanted_in(message)
        if not items:
            return None
        self.bot.metrics.seen(len(items))
        mode = await self.mode_of(message.channel)
        if mode == "auto" or (mode == "react" and self._mentions_me(message)):
            self._remember(message.id)
            items = await self._admit(message, message.author.id, items)
            if items and await self._record(message, items):
                return items
        elif mode == "react":
            await _react(message, NEWS)
        else:
            self.bot.metrics.skipped("channel_off", len(items))
        return None

    async def _record(self, message: discord.Message, items: list[Wanted]) -> bool:
        """Write the job down before any work; False if the message is already someone's.

        A database that cannot take the job does not cost the reply: it is answered anyway,
        only without the record a restart would need."""
        assert message.guild is not None
        job = IntakeJob(
            message_id=message.id,
            guild_id=message.guild.id,
            channel_id=message.channel.id,
            shard_id=message.guild.shard_id,
            author_id=message.author.id,
            items=tuple(item.key for item in items),
        )
        try:
            if not await self.bot.intake.record(job):
                log.debug("message %s is already taken on", message.id)
                return False
        except StorageError as error:
            log.warning("could not record message %s before answering it: %s", message.id, error)
        return True

    async def answer(
        self, message: discord.Message, items: list[Wanted], *, journaled: bool
    ) -> None:
        """Reply to a message taken on (`take_on`, or a job recovered after a restart); its
        job is done afterwards, whatever the reply came to — but not when the work was cut off
        (the bot is stopping): then the job stays for the next run."""
        try:
            await self.reply_with_briefings(message, items, quiet=True, journaled=journaled)
        except Exception:
            if journaled:
                await self._job(message.id, "done")
            raise
        if journaled:
            await self._job(message.id, "done")

    async def _job(self, message_id: int, step: JobStep) -> None:
        intake = self.bot.intake
        try:
            if step == "sending":
                await intake.mark_sending(message_id)
            else:
                await intake.finish(message_id)
        except (StorageError, RuntimeError) as error:  # RuntimeError: the stores are closed
            log.warning("could not mark the job of message %s %s: %s", message_id, step, error)

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
        self,
        message: discord.Message,
        items: list[Wanted],
        *,
        quiet: bool,
        journaled: bool = False,
    ) -> None:
        """Brief `items` and reply once; `quiet` turns failures into a ⚠️ instead of words.
        `journaled`: the message has a job, marked `sending` right before the reply."""
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
        if journaled:
            await self._job(message.id, "sending")
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
        log.debug("answered message %s with %d briefing(s)", message.id, len(briefings))
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
        admission = await self.throttle.admit(user_id, message.channel.id, [i.key for i in items])
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
