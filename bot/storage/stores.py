"""Every store over one database, opened and closed together: what the bot holds.

The Discord client asks for `Stores.open(settings)` and hands each store to whoever needs it;
it never sees SQL or a connection. Closing stops the sweep, then closes the database once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock, utc_now
from bot.storage.archive import Archive
from bot.storage.cache import BriefingCache
from bot.storage.database import Database, open_database
from bot.storage.guild_settings import GuildSettings
from bot.storage.intake import IntakeJobs
from bot.storage.leases import Leases, holder_name
from bot.storage.limits import StorageLimits
from bot.storage.maintenance import Sweeper
from bot.storage.modes import Store
from bot.storage.ratelimits import SharedWindows
from bot.storage.schedules import ScheduleStore
from config import Settings


@dataclass
class Stores:
    database: Database
    modes: Store  # channel modes and answered messages
    cache: BriefingCache
    archive: Archive
    schedules: ScheduleStore
    guild_settings: GuildSettings
    sweeper: Sweeper
    # Work across processes: who this process is, its leases, jobs and shared limits.
    holder: str
    leases: Leases
    intake: IntakeJobs
    rate_windows: SharedWindows
    _closed: bool = field(default=False, repr=False)

    @classmethod
    async def open(cls, settings: Settings, *, clock: Clock = utc_now) -> Stores:
        """Open (creating or upgrading) the database named by settings and every store on it."""
        database = await open_database(settings.database, pool_size=settings.database_pool_size)
        return cls.over(database, settings, clock=clock)

    @classmethod
    def over(
        cls,
        database: Database,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        holder: str | None = None,
    ) -> Stores:
        """The stores on an already open (and migrated) database. `holder` names this process
        for leases and jobs (default: its shard slice, host, pid and a random part)."""
        holder = holder or holder_name(settings.shard_plan.slice_name)
        limits = StorageLimits(
            text_chars=settings.stored_text_chars, quote_chars=settings.stored_quote_chars
        )
        modes = Store(database, default_mode=settings.default_mode, clock=clock)
        leases = Leases(database, holder)
        cache = BriefingCache(
            database,
            ttl=timedelta(hours=settings.cache_ttl_hours),
            failure_ttl=timedelta(minutes=settings.failure_cache_minutes),
            clock=clock,
            limits=limits,
            leases=leases,
        )
        intake = IntakeJobs(database, holder, clock=clock)
        rate_windows = SharedWindows(database)
        return cls(
            database=database,
            modes=modes,
            cache=cache,
            archive=Archive(database, clock=clock, limits=limits),
            schedules=ScheduleStore(database, clock=clock),
            guild_settings=GuildSettings(database, clock=clock),
            sweeper=Sweeper(
                cache,
                modes,
                interval=timedelta(minutes=settings.storage_sweep_minutes),
                bookkeeping=(intake.purge, leases.purge_expired, rate_windows.purge_idle),
            ),
            holder=holder,
            leases=leases,
            intake=intake,
            rate_windows=rate_windows,
        )

    async def close(self) -> None:
        """Stop the sweep, then close the database (once, however often this is called)."""
        if self._closed:
            return
        self._closed = True
        try:
            await self.sweeper.stop()
        finally:
            await self.database.close()


__all__ = ["Stores"]
