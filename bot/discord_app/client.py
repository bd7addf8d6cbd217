"""The Discord client: owns the pipeline, the store and the extensions; `run_bot` for the CLI.

The REST base and gateway URL come from settings so the same bot talks to Discord, to any
Discord-compatible server, or to the fake Discord of the tests. The token is only ever handed
to discord.py; it is never logged or printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import pkgutil
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import aiosqlite
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.discord_app.views import DeleteButton
from bot.llm.switch import LLMGuildStore, StoredBudgetBriefer, open_briefer
from bot.models import Briefing
from bot.newsroom.schedule import ScheduleStore
from bot.runtime.service import BriefingService
from bot.runtime.workqueue import QueueFull, WorkQueue
from bot.storage.archive import Archive
from bot.storage.cache import BriefingCache, Clock, utc_now
from bot.storage.modes import Store
from config import Settings

if TYPE_CHECKING:
    from bot.runtime.pipeline import Pipeline

log = logging.getLogger(__name__)

COGS_PACKAGE: Final = "cogs"
EXIT_CONFIG_ERROR: Final = 2
GATEWAY_AUTH_FAILED: Final = 4004
REJECTED: Final = "Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN."

# discord.py names the tasks it runs event listeners and app commands in.
HANDLER_TASK_PREFIXES: Final = ("discord.py: on_", "CommandTree-invoker")
DRAIN_SECONDS: Final = 5.0

GENERIC_ERROR: Final = "Something went wrong on my side. Please try again in a moment."


class StorageUnavailable(Exception):
    """The SQLite file could not be opened: the operator hears that, not "Discord unreachable"."""


def quiet_voice_warnings() -> None:
    """The bot never joins voice, so discord.py's "PyNaCl/davey is not installed" is noise."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def point_discord_at(settings: Settings) -> None:
    """Send discord.py's REST calls and gateway connection where settings say.

    Both are class attributes in discord.py, so this is process-wide (one bot per process).
    """
    discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway)


def bot_intents() -> discord.Intents:
    """Only what the bot reads: guilds, guild messages with content, and reactions."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    intents.guild_reactions = True
    return intents


def extension_names(package: str = COGS_PACKAGE) -> list[str]:
    """Every module of the installed `cogs` package except private helpers ("_" names).

    Found through the package's own `__path__`, not a folder relative to this file, so an
    installed (non-editable) Newsdesk loads the same extensions as a checkout.
    """
    modules = pkgutil.iter_modules(importlib.import_module(package).__path__)
    return sorted(f"{package}.{m.name}" for m in modules if not m.name.startswith("_"))


def error_text(error: app_commands.AppCommandError) -> str:
    """An app-command error in plain words; unexpected ones get a generic line (and a log)."""
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {needed} permission to do this."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This works only in a server channel."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    original = getattr(error, "original", None)
    if isinstance(original, QueueFull):
        return original.message
    if isinstance(error, app_commands.TransformerError):
        return "I couldn't understand one of the options. Please check it and try again."
    return GENERIC_ERROR


class NewsdeskTree(app_commands.CommandTree["NewsdeskBot"]):
    """One error handler for every slash command: a plain-words ephemeral answer, never a trace."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            log.info("command check failed for user %s: %s", interaction.user.id, error)
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command %s failed", command, exc_info=error)
        await send_ephemeral(interaction, error_text(error))


async def send_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Answer privately whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not send an error message for interaction %s", interaction.id)


class NewsdeskBot(commands.Bot):
    """The bot. `pipeline` may be passed in (tests, embedding); otherwise one is made here."""

    def __init__(
        self,
        settings: Settings,
        *,
        pipeline: Pipeline | None = None,
        clock: Clock = utc_now,
        **options: Any,
    ) -> None:
        point_discord_at(settings)
        quiet_voice_warnings()
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=NewsdeskTree,
            **options,
        )
        self.settings = settings
        self._own_pipeline = pipeline is None
        self._pipeline = pipeline
        self._store: Store | None = None
        self._service: BriefingService | None = None
        self._llm: StoredBudgetBriefer | None = None  # only when an LLM backend is configured
        self.llm_guilds: LLMGuildStore | None = None  # per-server LLM switch
        self._closing: asyncio.Future[None] | None = None
        self.failed_extensions: list[str] = []
        # "Now" for the newsroom memory (share times, digest windows, schedules); tests set it.
        self.clock: Clock = clock
        self._archive: Archive | None = None
        self._schedules: ScheduleStore | None = None
        self._connections: list[aiosqlite.Connection] = []  # opened here, closed once in close()

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("the pipeline starts in setup_hook; the bot is not logged in")
        return self._pipeline

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store opens in setup_hook; the bot is not logged in")
        return self._store

    @property
    def service(self) -> BriefingService:
        if self._service is None:
            raise RuntimeError(
                "the briefing service starts in setup_hook; the bot is not logged in"
            )
        return self._service

    @property
    def archive(self) -> Archive:
        """Every briefing posted in a server, for /search and digests (same SQLite file)."""
        if self._archive is None:
            raise RuntimeError("the archive opens in setup_hook; the bot is not logged in")
        return self._archive

    @property
    def schedules(self) -> ScheduleStore:
        if self._schedules is None:
            raise RuntimeError("the schedules open in setup_hook; the bot is not logged in")
        return self._schedules

    async def setup_hook(self) -> None:
        if self._pipeline is None:
            from bot.runtime.pipeline import (
                Pipeline,  # heavy: imported only when the bot really starts
            )

            self._pipeline = Pipeline(self.settings)
        await self._pipeline.start()
        try:
            await self._open_stores(self._pipeline)
        except (sqlite3.Error, OSError) as error:
            raise StorageUnavailable(
                f"could not open the database at {self.settings.database}: {error}"
            ) from error
        for name in extension_names():
            try:
                await self.load_extension(name)
            except Exception:
                self.failed_extensions.append(name)
                log.exception("could not load extension %s", name)
        self.add_dynamic_items(DeleteButton)
        await self.sync_commands()

    async def _open_stores(self, pipeline: Pipeline) -> None:
        self._store = await Store.open(
            self.settings.database, default_mode=self.settings.default_mode
        )
        self._service = await self._make_service(pipeline, self._store)
        self._archive = Archive(await self._connect(self._store))
        await self._archive.init()
        self._schedules = ScheduleStore(
            await self._connect(self._store), clock=lambda: self.clock()
        )
        await self._schedules.init()

    async def _connect(self, store: Store) -> aiosqlite.Connection:
        """A connection of its own to the store's file, for the archive or the digest schedules.

        Why not one shared connection: the archive writes multi-statement transactions across
        awaits, and on a shared connection another module's commit would land in the middle of
        one (committing half of it), or its rollback would undo the other's write (a digest
        schedule's "already posted" mark, which keeps a digest from being posted twice).
        SQLite (WAL, busy timeout) serialises writers across connections.
        """
        if str(self.settings.database) == ":memory:":
            return store.db  # a second connection would open a different, empty database
        db = await aiosqlite.connect(self.settings.database)
        self._connections.append(db)
        await db.execute("PRAGMA busy_timeout=5000")
        return db

    async def sync_commands(self) -> None:
        guild_id = self.settings.dev_guild_id
        try:
            if guild_id is not None:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
            else:
                synced = await self.tree.sync()
        except discord.HTTPException:
            log.exception("could not register the slash commands")
            return
        where = f"guild {guild_id}" if guild_id is not None else "globally"
        log.info("registered %d application commands %s", len(synced), where)

    async def on_ready(self) -> None:
        user = self.user
        log.info("connected as %s (id %s) to %d servers", user, user and user.id, len(self.guilds))

    async def _make_service(self, pipeline: Pipeline, store: Store) -> BriefingService:
        """The cache shares the store's SQLite connection: one file holds all the bot knows."""
        settings = self.settings
        cache = BriefingCache(
            store.db,
            ttl=timedelta(hours=settings.cache_ttl_hours),
            failure_ttl=timedelta(minutes=settings.failure_cache_minutes),
        )
        await cache.init()
        self.llm_guilds = await LLMGuildStore.open(settings.database)
        self._llm = await open_briefer(settings, self.llm_guilds)
        return BriefingService(
            pipeline,
            WorkQueue.from_settings(settings),
            cache=cache,
            llm=self._llm,
            llm_enabled_for=self.llm_guilds.uses_llm,
        )

    async def brief_url(
        self, url: str, *, guild_id: int | None = None, refresh: bool = False
    ) -> Briefing:
        """One on-demand briefing (never dropped; `QueueFull` when saturated)."""
        return await self.service.brief(url, guild_id=guild_id, refresh=refresh)

    async def brief_urls(
        self,
        urls: Sequence[str],
        *,
        guild_id: int | None = None,
        droppable: bool = False,
    ) -> list[Briefing]:
        """Brief several links at once, in their order; auto-replies may be dropped when busy.

        Raises `QueueFull` for on-demand requests when the bot is saturated (the command error
        handler turns it into "busy, try again").
        """
        return await self.service.brief_many(urls, guild_id=guild_id, droppable=droppable)

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """While closing, start no new listeners: the drain below waits only for work under way."""
        if self._closing is not None:
            return
        super().dispatch(event_name, *args, **kwargs)

    async def _drain_handlers(self) -> None:
        """Let replies already under way post and archive before the HTTP session and the
        stores close, so a restart mid-burst loses no reply it had started (bounded wait)."""
        current = asyncio.current_task()
        running = [
            task
            for task in asyncio.all_tasks()
            if task is not current
            and not task.done()
            and task.get_name().startswith(HANDLER_TASK_PREFIXES)
        ]
        if running:
            await asyncio.wait(running, timeout=DRAIN_SECONDS)

    async def close(self) -> None:
        # SIGTERM's close task and `async with`'s exit both call close(): they share one run,
        # so every resource is closed once and neither caller returns before it is closed
        # (a second aiosqlite close() of one connection never returns and hangs the exit).
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._closing)

    async def _close_once(self) -> None:
        if self._pipeline is not None:
            self._pipeline.stopping()  # what fails from here on is never cached
        try:
            await self._drain_handlers()  # first: discord.py's close() ends the HTTP session
            await super().close()
        finally:
            await self._close_resources()

    async def _close_resources(self) -> None:
        """Close what setup_hook opened, each once; one that fails to close is logged and the
        rest still close (a stuck LLM client must not leave the SQLite files open)."""
        closers: list[tuple[str, Callable[[], Awaitable[None]] | None]] = [
            ("LLM client", self._llm.aclose if self._llm else None),
            ("LLM switch store", self.llm_guilds.close if self.llm_guilds else None),
            *(("memory database", db.close) for db in self._connections),
            ("store", self._store.close if self._store else None),
            ("pipeline", self._pipeline.close if self._pipeline and self._own_pipeline else None),
        ]
        self._llm = self.llm_guilds = self._store = None
        self._connections = []
        if self._own_pipeline:
            self._pipeline = None
        for name, close in closers:
            if close is None:
                continue
            try:
                await close()
            except Exception:
                log.exception("could not close the %s", name)


def _fail(message: str, status: int = EXIT_CONFIG_ERROR) -> int:
    sys.stderr.write(f"newsdesk: {message}\n")
    sys.stderr.flush()
    return status


async def _serve(settings: Settings, token: str) -> None:
    async with NewsdeskBot(settings) as bot:
        # SIGTERM (systemd, docker stop) closes the bot cleanly: pool, store and gateway.
        closing: list[asyncio.Task[None]] = []  # keeps the close task referenced
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, lambda: closing.append(asyncio.create_task(bot.close()))
            )
        await bot.start(token)
        # start() returns as soon as the SIGTERM close begins, and `async with` then skips
        # close() (already closing): wait here until the store and the pool are really closed.
        await bot.close()


def run_bot(settings: Settings) -> int:
    """Run until stopped; 2 with one line on stderr when the token is missing or rejected."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        return _fail("no Discord bot token: set DISCORD_TOKEN in the environment or in .env.")
    try:
        logging.getLogger().setLevel(settings.log_level.upper())
    except ValueError:
        log.warning("unknown log level %r; keeping the current one", settings.log_level)
    try:
        asyncio.run(_serve(settings, token))
    except discord.LoginFailure:
        return _fail(REJECTED)
    except StorageUnavailable as error:
        return _fail(str(error))
    except discord.ConnectionClosed as error:
        if error.code == GATEWAY_AUTH_FAILED:
            return _fail(REJECTED)
        return _fail(f"the Discord gateway closed the connection (code {error.code}).", 1)
    except discord.HTTPException as error:
        return _fail(f"Discord answered {error.status} at {settings.discord_api_base}.", 1)
    except (aiohttp.ClientError, OSError) as error:
        return _fail(f"could not reach Discord at {settings.discord_api_base}: {error}", 1)
    except discord.PrivilegedIntentsRequired:
        return _fail(
            "Discord refused the Message Content intent: enable it for the bot in the "
            "Developer Portal (Bot tab, Privileged Gateway Intents)."
        )
    return 0
