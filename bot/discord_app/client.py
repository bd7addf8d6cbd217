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
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, overload

import aiohttp
import discord
import yarl
from discord.ext import commands

from bot.clock import Clock, utc_now
from bot.discord_app.views import DeleteButton
from bot.errors import StorageUnavailable
from bot.llm.switch import LLMGuildStore, StoredBudgetBriefer, open_briefer
from bot.messages import say
from bot.newsroom.schedule import ScheduleStore
from bot.runtime.service import BriefingService
from bot.runtime.workqueue import WorkQueue
from bot.storage.archive import Archive
from bot.storage.database import StorageError
from bot.storage.modes import Store
from bot.storage.stores import Stores
from config import Settings

if TYPE_CHECKING:
    from bot.runtime.pipeline import Pipeline

log = logging.getLogger(__name__)

COGS_PACKAGE: Final = "cogs"
EXIT_CONFIG_ERROR: Final = 2
GATEWAY_AUTH_FAILED: Final = 4004

# discord.py names the tasks it runs event listeners and app commands in.
HANDLER_TASK_PREFIXES: Final = ("discord.py: on_", "CommandTree-invoker")
DRAIN_SECONDS: Final = 5.0
T = TypeVar("T")


class SetUpLater(Generic[T]):
    """A part the bot makes in `setup_hook`, once logged in (the pipeline, the stores, …).

    Reading it earlier is a bug, so it raises a clear `RuntimeError` instead of handing out
    None. The value itself lives in the bot's `_<name>` attribute: `setup_hook` sets it and
    `close` clears it.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name
        self._slot = f"_{name}"

    @overload
    def __get__(self, bot: None, owner: type) -> SetUpLater[T]: ...
    @overload
    def __get__(self, bot: object, owner: type | None = None) -> T: ...
    def __get__(self, bot: object, owner: type | None = None) -> T | SetUpLater[T]:
        if bot is None:
            return self
        value: T | None = getattr(bot, self._slot, None)
        if value is None:
            raise RuntimeError(f"the {self._name} is made in setup_hook; the bot is not logged in")
        return value


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


class NewsdeskBot(commands.Bot):
    """The bot. `pipeline` may be passed in (tests, embedding); otherwise one is made here.

    Cogs ask `service` for briefings (the one door: queue, cache, pipeline, LLM) and use the
    stores below for everything else.
    """

    pipeline: SetUpLater[Pipeline] = SetUpLater()
    store: SetUpLater[Store] = SetUpLater()
    service: SetUpLater[BriefingService] = SetUpLater()
    # Every briefing posted in a server, for /search and digests (same SQLite file).
    archive: SetUpLater[Archive] = SetUpLater()
    schedules: SetUpLater[ScheduleStore] = SetUpLater()

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
        self._stores: Stores | None = None  # opened in setup_hook, closed once in close()

    async def setup_hook(self) -> None:
        if self._pipeline is None:
            from bot.runtime.pipeline import (
                Pipeline,  # heavy: imported only when the bot really starts
            )

            self._pipeline = Pipeline(self.settings)
        await self._pipeline.start()
        try:
            await self._open_stores(self._pipeline)
        except (StorageError, OSError) as error:
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
        """One database for everything the bot remembers; each store gets it, nothing else does.

        The bot's clock (which tests set) is every store's "now"; the sweep of expired cache
        rows starts here and stops when the stores close.
        """
        self._stores = stores = await Stores.open(self.settings, clock=lambda: self.clock())
        self._store, self._archive, self._schedules = stores.modes, stores.archive, stores.schedules
        self._service = await self._make_service(pipeline, stores)
        stores.sweeper.start()

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

    async def _make_service(self, pipeline: Pipeline, stores: Stores) -> BriefingService:
        settings = self.settings
        self.llm_guilds = LLMGuildStore(stores.guild_settings)
        self._llm = await open_briefer(settings, self.llm_guilds)
        return BriefingService(
            pipeline,
            WorkQueue.from_settings(settings),
            cache=stores.cache,
            llm=self._llm,
            llm_enabled_for=self.llm_guilds.uses_llm,
        )

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
        try:
            await self._drain_handlers()  # first: discord.py's close() ends the HTTP session
            await super().close()
        finally:
            await self._close_resources()

    async def _close_resources(self) -> None:
        """Close what setup_hook opened, each once; one that fails to close is logged and the
        rest still close (a stuck LLM client must not leave the database open)."""
        closers: list[tuple[str, Callable[[], Awaitable[None]] | None]] = [
            ("LLM client", self._llm.aclose if self._llm else None),
            ("database", self._stores.close if self._stores else None),
            ("pipeline", self._pipeline.close if self._pipeline and self._own_pipeline else None),
        ]
        self._llm = self.llm_guilds = self._store = self._stores = None
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
        return _fail(say("exit.no_token"))
    try:
        logging.getLogger().setLevel(settings.log_level.upper())
    except ValueError:
        log.warning("unknown log level %r; keeping the current one", settings.log_level)
    base = settings.discord_api_base
    try:
        asyncio.run(_serve(settings, token))
    except discord.LoginFailure:
        return _fail(say("exit.token_rejected"))
    except StorageUnavailable as error:
        return _fail(str(error))
    except discord.ConnectionClosed as error:
        if error.code == GATEWAY_AUTH_FAILED:
            return _fail(say("exit.token_rejected"))
        return _fail(say("exit.gateway_closed", code=error.code), 1)
    except discord.HTTPException as error:
        return _fail(say("exit.discord_status", status=error.status, base=base), 1)
    except (aiohttp.ClientError, OSError) as error:
        return _fail(say("exit.unreachable", base=base, error=error), 1)
    except discord.PrivilegedIntentsRequired:
        return _fail(say("exit.intent_refused"))
    return 0
