"""The client's small pure parts: where it connects, what it asks for, how it words errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
import yarl

from bot.discord_app.client import (
    NewsdeskBot,
    bot_intents,
    extension_names,
    point_discord_at,
    run_bot,
)
from bot.messages import say
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


def test_missing_token_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, DISCORD_TOKEN="   ", database=tmp_path / "db.sqlite3")
    assert run_bot(settings) == 2
    assert capsys.readouterr().err == f"newsdesk: {say('exit.no_token')}\n"
    assert not (tmp_path / "db.sqlite3").exists()


def test_parts_made_at_login_are_a_clear_error_before_it(restore_discord_endpoints: None) -> None:
    bot = NewsdeskBot(Settings(_env_file=None))
    for part in ("pipeline", "store", "service", "archive", "schedules"):
        with pytest.raises(RuntimeError, match=f"the {part} is made in setup_hook"):
            getattr(bot, part)
    bot._store = store = object()  # type: ignore[assignment]
    assert bot.store is store
