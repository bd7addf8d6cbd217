"""The client's small pure parts: where it connects, what it asks for, how it words errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
import yarl
from discord import app_commands

from bot.discord_app.client import (
    GENERIC_ERROR,
    bot_intents,
    error_text,
    extension_names,
    point_discord_at,
    run_bot,
)
from config import Settings


@pytest.fixture
def restore_discord_endpoints() -> Iterator[None]:
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def test_settings_point_rest_and_gateway_elsewhere(restore_discord_endpoints: None) -> None:
    settings = Settings(
        _env_file=None,
        discord_api_base="http://chat.example:8080/api/v10/",
        discord_gateway="ws://chat.example:8081/",
    )
    point_discord_at(settings)
    assert discord.http.Route.BASE == "http://chat.example:8080/api/v10"
    assert (
        discord.http.Route("GET", "/users/@me").url == "http://chat.example:8080/api/v10/users/@me"
    )
    assert yarl.URL("ws://chat.example:8081/") == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def test_intents_are_only_what_the_bot_reads() -> None:
    intents = bot_intents()
    assert intents.guilds and intents.guild_messages and intents.message_content
    assert intents.guild_reactions
    assert not intents.members and not intents.presences and not intents.dm_messages


def test_every_public_module_in_cogs_is_an_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "pkg_of_cogs"
    package.mkdir()
    for name in ("watch.py", "admin.py", "_shared.py", "__init__.py"):
        (package / name).write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert extension_names("pkg_of_cogs") == ["pkg_of_cogs.admin", "pkg_of_cogs.watch"]
    assert {"cogs.admin", "cogs.brief", "cogs.watch"} <= set(extension_names())


def test_errors_are_worded_for_people() -> None:
    missing = app_commands.MissingPermissions(["manage_channels"])
    assert error_text(missing) == "You need the Manage Channels permission to do this."
    assert "server" in error_text(app_commands.NoPrivateMessage())
    unexpected = app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)
    assert error_text(unexpected) == GENERIC_ERROR


def test_missing_token_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, DISCORD_TOKEN="   ", database=tmp_path / "db.sqlite3")
    assert run_bot(settings) == 2
    assert capsys.readouterr().err == (
        "newsdesk: no Discord bot token: set DISCORD_TOKEN in the environment or in .env.\n"
    )
    assert not (tmp_path / "db.sqlite3").exists()
