"""One error handler for every slash command and context menu: plain words, never a trace.

Why a cog: the handler is a feature like the others (loaded, unloaded and tested the same way)
instead of a `CommandTree` subclass hidden in the client. It takes over the tree's `on_error`
when loaded and hands it back when unloaded. A check that failed (permissions, server only,
cooldown) is the person's business: a private sentence and an info line in the log. Anything
else is ours: a private "something went wrong" and the traceback in the log — except what load
and outages bring, which are no bugs: `QueueFull` says "busy" in its own words with an info
line, and Discord failing past the retry deadline a warning without a traceback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.delivery import RetryPolicy, follow_up, resolve_failed, retry_after
from bot.errors import DeliveryFailed, QueueFull
from bot.messages import say

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot

log = logging.getLogger(__name__)

ErrorHook = Any  # discord.py's own type for `on_error` is private


def error_text(error: app_commands.AppCommandError) -> str:
    """An app-command error in plain words; unexpected ones get a generic line."""
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return say("command.need_permission", permission=needed)
    if isinstance(error, app_commands.NoPrivateMessage):
        return say("command.server_only")
    if isinstance(error, app_commands.CommandOnCooldown):
        return say("command.cooldown", seconds=error.retry_after)
    if isinstance(error, app_commands.CheckFailure):
        return say("command.not_here")
    original = getattr(error, "original", None)
    if isinstance(original, QueueFull):
        return original.message
    if _is_outage(original):
        return say("delivery.failed")
    if isinstance(error, app_commands.TransformerError):
        return say("command.bad_option")
    return say("command.failed")


def _is_outage(error: BaseException | None) -> bool:
    """Discord failing in a way time cures (5xx, 429, connection trouble): not our bug."""
    if isinstance(error, DeliveryFailed | discord.RateLimited | aiohttp.ClientError):
        return True
    return isinstance(error, discord.HTTPException) and retry_after(error) is not None


async def send_ephemeral(
    interaction: discord.Interaction[Any], text: str, policy: RetryPolicy
) -> None:
    """Answer privately whether or not the interaction was already acknowledged.

    A follow-up is tried again through an outage and, failing that, replaces "thinking…";
    so the interaction is always resolved (or the log says why not).
    """
    if interaction.response.is_done():
        await follow_up(interaction, policy, content=text, ephemeral=True)
    else:
        await resolve_failed(interaction, policy, text)


class ErrorHandler(commands.Cog):
    def __init__(self, bot: NewsdeskBot) -> None:
        self.bot = bot
        self._previous: ErrorHook = None
        self.retry = RetryPolicy.from_settings(bot.settings)

    async def cog_load(self) -> None:
        self._previous = self.bot.tree.on_error
        self.bot.tree.error(self.on_app_command_error)

    async def cog_unload(self) -> None:
        if self._previous is not None:
            self.bot.tree.error(self._previous)

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", None)
        if isinstance(error, app_commands.CheckFailure):
            log.info("command check failed for user %s: %s", interaction.user.id, error)
        elif isinstance(original, QueueFull):  # expected under load: the person hears "busy"
            log.info("busy: command %s refused, the work queue is full", command)
        elif _is_outage(original):
            log.warning("command %s could not answer, Discord is failing: %s", command, original)
        else:
            log.error("command %s failed", command, exc_info=error)
        await send_ephemeral(interaction, error_text(error), self.retry)


async def setup(bot: NewsdeskBot) -> None:
    await bot.add_cog(ErrorHandler(bot))
