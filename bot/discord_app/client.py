"""The Discord client: owns the pipeline, the store and the extensions; `run_bot` for the CLI.

The REST base and gateway URL come from settings so the same bot talks to Discord, to any
Discord-compatible server, or to the fake Discord of the tests. The token is only ever handed
to discord.py; it is never logged or printed.

Always an `AutoShardedBot`, whatever the settings: one class and one code path. Without
sharding settings it runs every shard Discord asks for in this process (one below 2,500
servers, which is a plain bot's single connection); with `NEWSDESK_SHARD_COUNT` and
`NEWSDESK_SHARD_IDS` it runs that slice, and `shard_plan` says which servers are its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import pkgutil
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast, overload

import aiohttp
import discord
import yarl
from discord.ext import commands

from bot.clock import Clock, utc_now
from bot.discord_app.views import DeleteButton
from bot.errors import EndpointUnavailable, StorageUnavailable
from bot.llm.switch import LLMGuildStore, StoredBudgetBriefer, open_briefer
from bot.messages import say
from bot.newsroom.schedule import ScheduleStore
from bot.ops.health import HealthCheck
from bot.ops.logs import logging_to
from bot.ops.metrics import DatabaseErrorCounter, Metrics, Readings, ShardReading
from bot.ops.server import OpsServer
from bot.runtime.service import BriefingService
from bot.runtime.workqueue import WorkQueue
from bot.shards import ShardPlan, describe_ids
from bot.storage.archive import Archive
from bot.storage.database import StorageError
from bot.storage.intake import IntakeJobs
from bot.storage.modes import Store
from bot.storage.ratelimits import SharedWindows
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


def bot_intents(*, message_content: bool = True) -> discord.Intents:
    """Only what the bot reads: guilds, guild messages (with content when it may), reactions."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = message_content
    intents.guild_reactions = True
    return intents


def has_message_content(application: discord.AppInfo | None) -> bool:
    """Whether Discord lets this application read message text: the Message Content switch
    on the Bot tab (an unverified bot, "limited") or the approved intent (a verified one)."""
    if application is None:
        return False
    flags = application.flags
    return flags.gateway_message_content or flags.gateway_message_content_limited


def is_database_error(error: BaseException) -> bool:
    """What counts as a database error for the operators' metrics (the storage layer turns
    every engine error into a `StorageError`)."""
    return isinstance(error, (StorageError, StorageUnavailable))


def extension_names(package: str = COGS_PACKAGE) -> list[str]:
    """Every module of the installed `cogs` package except private helpers ("_" names).

    Found through the package's own `__path__`, not a folder relative to this file, so an
    installed (non-editable) Newsdesk loads the same extensions as a checkout.
    """
    modules = pkgutil.iter_modules(importlib.import_module(package).__path__)
    return sorted(f"{package}.{m.name}" for m in modules if not m.name.startswith("_"))


class NewsdeskBot(commands.AutoShardedBot):
    """The bot. `pipeline` may be passed in (tests, embedding); otherwise one is made here.

    Cogs ask `service` for briefings (the one door: queue, cache, pipeline, LLM) and use the
    stores below for everything else. `metrics` is what `/metrics` shows; cogs count on it.
    `message_content_refused`: Discord closed an earlier connection with 4014, so the bot
    starts without the Message Content intent whatever the application's flags say.
    """

    pipeline: SetUpLater[Pipeline] = SetUpLater()
    store: SetUpLater[Store] = SetUpLater()
    service: SetUpLater[BriefingService] = SetUpLater()
    # Every briefing posted in a server, for /search and digests (same SQLite file).
    archive: SetUpLater[Archive] = SetUpLater()
    schedules: SetUpLater[ScheduleStore] = SetUpLater()
    # Link messages taken on, and each shard's watermark (recovery after a restart).
    intake: SetUpLater[IntakeJobs] = SetUpLater()

    def __init__(
        self,
        settings: Settings,
        *,
        pipeline: Pipeline | None = None,
        clock: Clock = utc_now,
        message_content_refused: bool = False,
        **options: Any,
    ) -> None:
        point_discord_at(settings)
        quiet_voice_warnings()
        self.shard_plan: ShardPlan = settings.shard_plan
        if self.shard_plan.count is not None:
            options.setdefault("shard_count", self.shard_plan.count)
        if self.shard_plan.ids is not None:
            options.setdefault("shard_ids", list(self.shard_plan.ids))
        wants_content = settings.message_content != "off" and not message_content_refused
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(message_content=wants_content),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.settings = settings
        self._content_refused = message_content_refused
        self.metrics = Metrics(read=self._readings)
        self._ops: OpsServer | None = None
        self._error_counter = DatabaseErrorCounter(self.metrics, is_database_error)
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
        self._intake: IntakeJobs | None = None
        self._stores: Stores | None = None  # opened in setup_hook, closed once in close()
        # Per-user rate limits in the database when other processes share it (else None:
        # counted in this process's memory).
        self.shared_limits: SharedWindows | None = None

    async def setup_hook(self) -> None:
        self._choose_message_content()
        logging.getLogger().addHandler(self._error_counter)
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
        if self.shard_plan.handles_direct_messages:
            await self.sync_commands()  # application-wide: once, by the process with shard 0
        else:
            log.info("commands are registered by the process that runs shard 0")
        await self._start_ops()

    # -- the Message Content intent and the shards ---------------------------------------------

    @property
    def reads_message_content(self) -> bool:
        """Whether posted messages arrive with their text (the Message Content intent)."""
        return self.intents.message_content

    def _choose_message_content(self) -> None:
        """Drop the intent before the first IDENTIFY when Discord would refuse it (4014).

        Why the application's flags and not "try, and retry on 4014": Discord states in them
        whether the intent is switched on (or approved), discord.py has just fetched them at
        login, and asking first costs nothing, while a refused IDENTIFY closes every shard of
        an `AutoShardedBot` and means starting over. `run_bot` still retries once without the
        intent if Discord refuses it anyway (flags changed between login and IDENTIFY).
        """
        wanted = self.settings.message_content
        refused = self._content_refused or not has_message_content(self.application)
        if wanted == "auto" and refused:
            # discord.py reads the IDENTIFY intents from its connection state, set at __init__.
            self._connection._intents.message_content = False
        if not self.reads_message_content:
            if wanted == "off":
                log.warning(say("run.message_content_off"))
            else:
                log.warning(say("run.message_content_missing"))

    async def connect(self, *, reconnect: bool = True) -> None:
        count = cast("int | None", self.shard_count)  # typed int by discord.py; None = unset
        if count is None:
            # Discord's own count (GET /gateway/bot): 1 below 2,500 servers. Asked here, not by
            # discord.py, so every connection goes to the gateway URL in settings.
            count, _url, _limits = await self.http.get_bot_gateway()
            self.shard_count = count
        self.shard_plan = self.shard_plan.with_count(count)
        log.info("connecting %s", self.shard_plan.describe())
        await super().connect(reconnect=reconnect)

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether this process handles `guild_id` (None: DMs and work of no server)."""
        return self.shard_plan.owns_guild(guild_id)

    # -- for operators: /metrics and /healthz -------------------------------------------------

    def _readings(self) -> Readings:
        shards = self.shards
        readings = [
            ShardReading(
                shard_id,
                shard_id in shards and not shards[shard_id].is_closed(),
                shards[shard_id].latency if shard_id in shards else None,
            )
            for shard_id in self.shard_plan.shard_ids
        ]
        service = self._service
        pipeline = self._pipeline
        pool = pipeline.pool if pipeline is not None else None
        queue = service.queue if service is not None else None
        return Readings(
            shards=readings,
            queue_waiting=queue.waiting if queue else 0,
            queue_in_flight=queue.in_flight if queue else 0,
            queue_dropped=queue.stats.dropped + queue.stats.rejected if queue else 0,
            workers_alive=pool.alive_workers if pool else 0,
            worker_restarts=pool.restarts if pool else 0,
            message_content=self.reads_message_content,
        )

    def health_checks(self) -> dict[str, HealthCheck]:
        return {
            "gateway": self._gateway_health,
            "database": self._database_health,
            "workers": self._workers_health,
        }

    async def _gateway_health(self) -> str | None:
        if self.is_closed():
            return "the bot is shutting down"
        if not self.is_ready():
            return "not connected to Discord yet"
        down = [r.shard_id for r in self._readings().shards if not r.connected]
        return f"shards not connected: {describe_ids(down)}" if down else None

    async def _database_health(self) -> str | None:
        stores = self._stores
        if stores is None:
            return "the database is not open"
        database = stores.database
        path = str(self.settings.database)
        if database.dialect == "sqlite" and path != ":memory:" and not Path(path).exists():
            return "the database file is gone"  # open connections would not notice
        await database.fetch_one("SELECT 1")  # StorageError: failing, with its reason
        return None

    async def _workers_health(self) -> str | None:
        pipeline = self._pipeline
        if pipeline is None:
            return "the pipeline is not running"
        if pipeline.pool is not None and pipeline.pool.alive_workers == 0:
            return "no extraction worker process is alive"
        return None  # alive, or analysis runs in this process (no pool)

    @property
    def ops_port(self) -> int | None:
        """The port `/metrics` and `/healthz` listen on (None: off)."""
        return self._ops.port if self._ops is not None else None

    async def _start_ops(self) -> None:
        endpoint = self.settings.metrics_endpoint
        if endpoint is None:
            return
        host, port = endpoint
        ops = OpsServer(self.metrics, self.health_checks(), host, port)
        await ops.start()  # EndpointUnavailable: run_bot says so and exits 2
        self._ops = ops

    async def _stop_ops(self) -> None:
        logging.getLogger().removeHandler(self._error_counter)
        ops, self._ops = self._ops, None
        if ops is not None:
            await ops.stop()

    async def _open_stores(self, pipeline: Pipeline) -> None:
        """One database for everything the bot remembers; each store gets it, nothing else does.

        The bot's clock (which tests set) is every store's "now"; the sweep of expired cache
        rows starts here and stops when the stores close.
        """
        self._stores = stores = await Stores.open(self.settings, clock=lambda: self.clock())
        self._store, self._archive, self._schedules = stores.modes, stores.archive, stores.schedules
        self._intake = stores.intake
        self._service = await self._make_service(pipeline, stores)
        stores.cache.on_lease_wait = self.metrics.lease_waited
        if self.shares_database:
            self.shared_limits = stores.rate_windows
        else:  # alone on its own file: the in-process sharing of fetches is all it needs
            stores.cache.leases = None
        # An earlier run of this slice that crashed still holds leases on the links it was
        # fetching: this process takes over its work, so it need not wait for them to expire.
        freed = await stores.leases.release_predecessors()
        if freed:
            log.info("took over %d link lease(s) from an earlier run of %s", freed, stores.holder)
        stores.sweeper.start()

    @property
    def shares_database(self) -> bool:
        """Whether other bot processes may use this database too: it is PostgreSQL (made to
        be shared), or this process runs only a slice of the shards (the others run
        elsewhere, possibly on the same SQLite file)."""
        stores = self._stores
        postgres = stores is not None and stores.database.dialect == "postgresql"
        return postgres or not self.shard_plan.all_here

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

    async def on_message(self, message: discord.Message, /) -> None:
        """Nothing: Newsdesk has no prefix commands (the `Watcher` cog reads messages), and
        discord.py's default would treat every mention of the bot as an unknown command."""

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "connected as %s (id %s) to %d servers (%s)",
            user,
            user and user.id,
            len(self.guilds),
            self.shard_plan.describe(),
        )

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
            observer=self.metrics,
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
        if self._pipeline is not None:
            self._pipeline.stopping()  # what fails from here on is never cached
        try:
            await self._drain_handlers()  # first: discord.py's close() ends the HTTP session
            await super().close()
        finally:
            await self._stop_ops()
            await self._close_resources()

    async def _close_resources(self) -> None:
        """Close what setup_hook opened, each once; one that fails to close is logged and the
        rest still close (a stuck LLM client must not leave the database open)."""
        closers: list[tuple[str, Callable[[], Awaitable[None]] | None]] = [
            ("LLM client", self._llm.aclose if self._llm else None),
            ("database", self._stores.close if self._stores else None),
            ("pipeline", self._pipeline.close if self._pipeline and self._own_pipeline else None),
        ]
        self._llm = self.llm_guilds = self._store = self._stores = self._intake = None
        self.shared_limits = None
        if self._own_pipeline:
            self._pipeline = None
        for name, close in closers:
            if close is None:
                continue
            try:
                await close()
            except Exception:
                log.exception("could not close the %s", name)


def _fail(settings: Settings, message: str, status: int = EXIT_CONFIG_ERROR) -> int:
    """The one line saying why the bot stopped: plain on stderr, or a JSON log record when
    the logs are JSON (a log pipeline then reads every line of stderr the same way)."""
    if settings.log_format == "json":
        log.error(message, extra={"exit_status": status})
        return status
    sys.stderr.write(f"newsdesk: {message}\n")
    sys.stderr.flush()
    return status


async def _serve_once(settings: Settings, token: str, *, content_refused: bool) -> None:
    async with NewsdeskBot(settings, message_content_refused=content_refused) as bot:
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


async def _serve(settings: Settings, token: str) -> None:
    """Run the bot; in `auto`, a Message Content intent refused anyway (4014) means one more
    start without it, instead of an exit."""
    try:
        await _serve_once(settings, token, content_refused=False)
    except discord.PrivilegedIntentsRequired:
        if settings.message_content != "auto":
            raise
        log.warning(say("run.message_content_refused"))
        await _serve_once(settings, token, content_refused=True)


@contextlib.contextmanager
def bot_logging(settings: Settings) -> Iterator[None]:
    """The process's logging while the bot runs (`newsdesk run` wraps `run_bot` in it): the
    format and level from settings, secrets redacted, and in JSON the shards of this process
    on every line (several processes often write to one place)."""
    secrets = [settings.discord_token.get_secret_value()] if settings.discord_token else []
    if settings.llm_api_key is not None:
        secrets.append(settings.llm_api_key.get_secret_value())
    plan = settings.shard_plan
    fields: dict[str, object] = {}
    if plan.count is not None:
        fields = {"shard_ids": describe_ids(plan.shard_ids), "shard_count": plan.count}
    with logging_to(
        fmt=settings.log_format, level=settings.log_level, secrets=secrets, fields=fields
    ):
        yield


def run_bot(settings: Settings) -> int:
    """Run until stopped; 2 with one line on stderr when the token is missing or rejected."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        return _fail(settings, say("exit.no_token"))
    return _run_logged(settings, token)


def _run_logged(settings: Settings, token: str) -> int:
    base = settings.discord_api_base
    try:
        asyncio.run(_serve(settings, token))
    except discord.LoginFailure:
        return _fail(settings, say("exit.token_rejected"))
    except (StorageUnavailable, EndpointUnavailable) as error:
        return _fail(settings, str(error))
    except discord.PrivilegedIntentsRequired:
        return _fail(settings, say("exit.intent_refused"))
    except discord.ConnectionClosed as error:
        if error.code == GATEWAY_AUTH_FAILED:
            return _fail(settings, say("exit.token_rejected"))
        return _fail(settings, say("exit.gateway_closed", code=error.code), 1)
    except discord.HTTPException as error:
        return _fail(settings, say("exit.discord_status", status=error.status, base=base), 1)
    except (aiohttp.ClientError, OSError) as error:
        return _fail(settings, say("exit.unreachable", base=base, error=error), 1)
    return 0
