"""Nothing lost across restarts: finish the jobs an earlier run left, read back what was missed.

Discord does not replay the events a shard missed while its process was down (a RESUME only
covers a dropped connection of a session that is still alive). So when a shard becomes ready,
its process:

1. **finishes its unfinished jobs** (first time in this process only): every link message an
   earlier run of this shard recorded (`bot.storage.intake`) but did not finish. A `pending`
   job is simply done now. A `sending` job may have been answered just before the crash: the
   channel's history after the message is read for a reply of ours that references it, and
   only without one is the reply posted. Jobs older than `JOB_RECOVERY_WINDOW` are left
   unanswered (a briefing an hour late only confuses) and closed.
2. **reads back the history it missed**: from the shard's watermark (the newest message up to
   which everything seen was decided, `bot.runtime.seen`), bounded to the last
   `READ_BACK_WINDOW`, in auto-mode channels whose newest message is after it (Discord says so
   in each channel's `last_message_id`), at most `READ_BACK_MESSAGES` messages per channel and
   `READ_BACK_CHANNELS` channels, newest activity first. Each message goes through the
   watcher's own intake, so what was already answered (a job, an answered mark) is not answered
   again, and the rate limits apply as they would have.

A shard seen for the first time (no watermark stored) reads nothing back — there is no "before"
— and stores where it starts. The watermarks are written every `FLUSH_SECONDS` and when the bot
closes; the jobs make the window between two writes safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, Protocol

import discord

from bot.errors import StorageError
from bot.runtime.seen import SeenMessages
from bot.shards import shard_of
from bot.storage.intake import IntakeJob

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot
    from bot.discord_app.material import Wanted

log = logging.getLogger(__name__)

READ_BACK_WINDOW: Final = timedelta(minutes=15)
READ_BACK_MESSAGES: Final = 50
READ_BACK_CHANNELS: Final = 100
JOB_RECOVERY_WINDOW: Final = timedelta(hours=1)
REPLY_SEARCH_MESSAGES: Final = 100  # searched after a `sending` job's message for our reply
FLUSH_SECONDS: Final = 2.0

Readable = discord.TextChannel | discord.Thread  # where links are posted and history is read


class Intake(Protocol):
    """What the watcher offers recovery: its own way of taking a message on and answering."""

    def wanted_in(self, message: discord.Message) -> list[Wanted]: ...

    async def mode_of(self, channel: discord.abc.Snowflake) -> str: ...

    async def take_on(self, message: discord.Message) -> list[Wanted] | None:
        """Decide about a message as if it had just been posted: the items recorded as a job
        and to be answered now, or None."""
        ...

    async def answer(
        self, message: discord.Message, items: list[Wanted], *, journaled: bool
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """What a shard's catch-up did (logged, and waited on by tests)."""

    shard_id: int
    recovered: int
    read_back_messages: int
    read_back_links: int
    channels: int


def snowflake_at(moment: datetime) -> int:
    """The smallest Discord id made at `moment` (ids start with their creation time)."""
    return discord.utils.time_snowflake(moment.astimezone(UTC))


async def find_reply(
    channel: discord.abc.Messageable, message_id: int, author_id: int
) -> discord.Message | None:
    """Our reply to `message_id`, if the channel's history after it holds one."""
    after = discord.Object(id=message_id)
    history = channel.history(after=after, limit=REPLY_SEARCH_MESSAGES, oldest_first=True)
    async for candidate in history:
        reference = candidate.reference
        if (
            candidate.author.id == author_id
            and reference is not None
            and reference.message_id == message_id
        ):
            return candidate
    return None


class CatchUp:
    """A process's recovery, per shard, and the writing of its watermarks."""

    def __init__(self, bot: NewsdeskBot, intake: Intake, seen: SeenMessages) -> None:
        self.bot = bot
        self.intake = intake
        self.seen = seen
        self._recovered_shards: set[int] = set()
        self._flusher: asyncio.Task[None] | None = None

    # -- watermarks ----------------------------------------------------------------------

    def start(self) -> None:
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_loop(), name="newsdesk watermarks")

    async def stop(self) -> None:
        """Stop the periodic writes and write once more (the bot is closing)."""
        task, self._flusher = self._flusher, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.flush()

    async def flush(self) -> None:
        count = self._shard_count()
        marks = self.seen.unflushed()
        if count is None or not marks:
            return
        try:
            await self.bot.intake.advance_watermarks(count, marks)
        except (StorageError, RuntimeError) as error:  # RuntimeError: the stores are closed
            log.warning("could not write the shard watermarks: %s", error)
            return
        self.seen.flushed(marks)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()

    def _shard_count(self) -> int | None:
        count: int | None = self.bot.shard_count
        return count

    # -- catching up ---------------------------------------------------------------------

    async def shard_ready(self, shard_id: int) -> CaughtUp:
        """Recover the shard's jobs (once per process), then read back what it missed."""
        count = self._shard_count() or 1
        now = datetime.now(UTC)
        try:
            stored = (await self.bot.intake.watermarks(count, [shard_id])).get(shard_id)
        except StorageError as error:
            log.warning(
                "shard %s: could not read its watermark, reading nothing back: %s", shard_id, error
            )
            stored = None
        recovered = 0
        if shard_id not in self._recovered_shards:
            self._recovered_shards.add(shard_id)
            recovered = await self._recover_jobs(shard_id, count, now)
        mark = max(filter(None, (stored, self.seen.watermark(shard_id))), default=None)
        if mark is None:
            # First run of this shard: nothing to read back; from now on there is a "before".
            with contextlib.suppress(StorageError):
                await self.bot.intake.advance_watermarks(count, {shard_id: snowflake_at(now)})
            done = CaughtUp(shard_id, recovered, 0, 0, 0)
        else:
            after = max(mark, snowflake_at(now - READ_BACK_WINDOW))
            done = await self._read_back(shard_id, after, recovered)
        log.info(
            "shard %s caught up: %d job(s) recovered, %d missed message(s) with %d link(s) "
            "read back from %d channel(s)",
            shard_id,
            done.recovered,
            done.read_back_messages,
            done.read_back_links,
            done.channels,
        )
        return done

    async def _recover_jobs(self, shard_id: int, count: int, now: datetime) -> int:
        try:
            jobs = await self.bot.intake.unfinished()
        except StorageError as error:
            log.warning("shard %s: could not read unfinished jobs: %s", shard_id, error)
            return 0
        mine = [job for job in jobs if shard_of(job.guild_id, count) == shard_id]
        recovered = 0
        for job in mine:
            try:
                if not await self.bot.intake.claim(job):
                    continue  # another process took it first, or it was finished meanwhile
                outcome = await self._recover(job, now)
            except StorageError as error:
                log.warning("could not recover the job for message %s: %s", job.message_id, error)
                continue
            self.bot.metrics.recovered(outcome)
            log.info("job for message %s (%s): %s", job.message_id, job.state, outcome)
            recovered += 1
        return recovered

    async def _recover(self, job: IntakeJob, now: datetime) -> str:
        intake = self.bot.intake
        if job.created_at is not None and now - job.created_at > JOB_RECOVERY_WINDOW:
            await intake.finish(job.message_id)
            return "abandoned"
        message = await self._fetch(job)
        if message is None:
            await intake.finish(job.message_id)
            return "gone"
        if job.state == "sending":
            me = self.bot.user
            reply = await find_reply(message.channel, message.id, me.id) if me else None
            if reply is not None:
                await self._already_answered(message, job)
                return "already_answered"
        items = [item for item in self.intake.wanted_in(message) if item.key in job.items]
        if not items:
            await intake.finish(job.message_id)
            return "gone"
        await self.intake.answer(message, items, journaled=True)
        return "answered"

    async def _already_answered(self, message: discord.Message, job: IntakeJob) -> None:
        """The reply went out before the crash; what came after it may not have: the answered
        mark, and the archive entry (from the cache: a link asked for seconds ago is there)."""
        from bot.discord_app.material import brief_wanted
        from bot.discord_app.shares import record_message_shares

        await self.bot.store.mark_answered(message.id)
        items = [item for item in self.intake.wanted_in(message) if item.key in job.items]
        guild_id = message.guild.id if message.guild else None
        with contextlib.suppress(Exception):
            batch = await brief_wanted(self.bot, message, items, guild_id=guild_id, droppable=True)
            await record_message_shares(self.bot, batch.briefings, message)
        await self.bot.intake.finish(job.message_id)

    async def _fetch(self, job: IntakeJob) -> discord.Message | None:
        channel = self.bot.get_channel(job.channel_id)
        try:
            if channel is None:
                channel = await self.bot.fetch_channel(job.channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                return None
            return await channel.fetch_message(job.message_id)
        except (discord.NotFound, discord.Forbidden):
            return None

    async def _read_back(self, shard_id: int, after: int, recovered: int) -> CaughtUp:
        channels = self._active_channels(shard_id, after)
        tasks: list[asyncio.Task[None]] = []
        messages = links = read = 0
        for channel in channels:
            if await self.intake.mode_of(channel) != "auto":
                continue
            read += 1
            for message in await self._missed(channel, after):
                items = await self.intake.take_on(message)
                if items is None:
                    continue
                messages += 1
                links += len(items)
                tasks.append(
                    asyncio.create_task(self.intake.answer(message, items, journaled=True))
                )
        self.bot.metrics.read_back(links)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        return CaughtUp(shard_id, recovered, messages, links, read)

    def _active_channels(self, shard_id: int, after: int) -> list[Readable]:
        """The shard's text channels and threads whose newest message is after `after`."""
        found: list[tuple[int, Readable]] = []
        for guild in self.bot.guilds:
            if guild.shard_id != shard_id:
                continue
            channels: list[Readable] = [*guild.text_channels, *guild.threads]
            for channel in channels:
                last = channel.last_message_id
                if last is not None and last > after:
                    found.append((last, channel))
        found.sort(key=lambda pair: pair[0], reverse=True)
        return [channel for _, channel in found[:READ_BACK_CHANNELS]]

    async def _missed(self, channel: Readable, after: int) -> list[discord.Message]:
        """The channel's messages after `after` that the watcher has not decided about."""
        try:
            history = [
                message
                async for message in channel.history(
                    after=discord.Object(id=after), limit=READ_BACK_MESSAGES, oldest_first=True
                )
            ]
        except discord.HTTPException as error:
            log.info("could not read back channel %s: %s", channel.id, error)
            return []
        candidates = [
            m
            for m in history
            if not m.author.bot and m.webhook_id is None and self.intake.wanted_in(m)
        ]
        if not candidates:
            return []
        try:
            known = await self.bot.intake.recorded([m.id for m in candidates])
            missed = []
            for message in candidates:
                if message.id in known or await self.bot.store.was_answered(message.id):
                    continue
                missed.append(message)
        except StorageError as error:  # unsure what was answered: answer nothing twice
            log.warning("could not read back channel %s: %s", channel.id, error)
            return []
        return missed


__all__ = [
    "FLUSH_SECONDS",
    "JOB_RECOVERY_WINDOW",
    "READ_BACK_CHANNELS",
    "READ_BACK_MESSAGES",
    "READ_BACK_WINDOW",
    "CatchUp",
    "CaughtUp",
    "Intake",
    "find_reply",
    "snowflake_at",
]
