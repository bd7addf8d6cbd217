"""The command error handler: how each kind of failure is worded, and that the cog owns the
tree's error hook only while it is loaded. (Through the fake Discord: tests/discord_app.)"""

from __future__ import annotations

from collections.abc import Iterator

import discord
import pytest
from discord import app_commands

from bot.discord_app.client import NewsdeskBot
from bot.errors import QueueFull
from bot.messages import say
from cogs.errors import ErrorHandler, error_text
from config import Settings


@pytest.fixture
def restore_discord_endpoints() -> Iterator[None]:
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def _invoke_error(original: Exception) -> app_commands.CommandInvokeError:
    error = app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)
    error.original = original
    return error


def test_errors_are_worded_for_people() -> None:
    missing = app_commands.MissingPermissions(["manage_channels"])
    assert error_text(missing) == say("command.need_permission", permission="Manage Channels")
    assert error_text(app_commands.NoPrivateMessage()) == say("command.server_only")
    assert error_text(app_commands.CheckFailure()) == say("command.not_here")
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 60), 41.6)
    assert error_text(cooldown) == say("command.cooldown", seconds=41.6)
    assert "42 seconds" in error_text(cooldown)  # whole seconds, rounded
    assert error_text(_invoke_error(RuntimeError("a detail"))) == say("command.failed")


def test_a_full_queue_says_busy_in_its_own_words() -> None:
    assert error_text(_invoke_error(QueueFull())) == say("queue.busy")
    assert error_text(_invoke_error(QueueFull("Come back later."))) == "Come back later."


async def test_the_cog_owns_the_tree_error_hook_only_while_loaded(
    restore_discord_endpoints: None,
) -> None:
    bot = NewsdeskBot(Settings(_env_file=None))
    before = bot.tree.on_error
    cog = ErrorHandler(bot)
    await bot.add_cog(cog)
    assert bot.tree.on_error == cog.on_app_command_error
    await bot.remove_cog(cog.qualified_name)
    assert bot.tree.on_error == before
