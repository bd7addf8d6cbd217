"""Leases: one process at a time does a piece of work, whichever process on the database asks.

Why a lease row and not a PostgreSQL advisory lock: the work leased is a page fetch, and the
processes that must agree may share a SQLite file on one machine as well as a PostgreSQL server
across machines — a row in `work_leases` is the same mechanism on both engines. A session-level
advisory lock would also have to pin one pooled connection for the whole fetch (eight fetches
in flight would hold eight of the pool's ten connections), and it is session state, which our
pooled connections deliberately never keep (`bot/storage/postgres.py`). What a lock gives for
free — it dies with its process — the lease gets from its expiry: the holder renews it every
`ttl / 4` while it works (`held`), so a holder that was killed loses it at most `ttl` seconds
later (20 s by default, well under the minute the issue allows), and a holder that is merely
slow never loses it.

A process restarted after a crash does not wait for its predecessor's leases to run out: the
holder name starts with the process's shard slice (`holder_name`), and `release_predecessors`
frees every lease held under the same slice by another incarnation — only one process runs a
slice at a time (two would get every Discord event twice).

Expiry is judged on the database's own clock (PostgreSQL's `clock_timestamp()`, SQLite's
`julianday('now')`, the machine's clock every process on the file shares), so processes on
machines whose clocks disagree still agree on when a lease ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from typing import Final

from bot.storage.database import Database, StorageError

log = logging.getLogger(__name__)

LEASE_SECONDS: Final = 20.0

# The database's "now" in UTC seconds since the epoch, in each engine's own words.
DATABASE_NOW: Final = {
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
    "postgresql": "CAST(extract(epoch FROM clock_timestamp()) AS DOUBLE PRECISION)",
}


def database_now(dialect: str) -> str:
    """The SQL expression for the database's clock (see the module docstring)."""
    return DATABASE_NOW[dialect]


def holder_name(slice_name: str) -> str:
    """This process's name as a holder: `slice/host/pid/random`. The slice first, so a
    successor running the same shards can recognise its predecessor's leases and jobs."""
    return f"{slice_name}/{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


def slice_of(holder: str) -> str:
    """The shard slice part of a holder name (`holder_name`), with its trailing slash."""
    return holder.split("/", 1)[0] + "/"


class Leases:
    """Leases by key in `work_leases`, held under `holder` for `ttl` seconds at a time."""

    def __init__(self, db: Database, holder: str, *, ttl: float = LEASE_SECONDS) -> None:
        if ttl <= 0:
            raise ValueError("a lease needs a positive time to live")
        self._db = db
        self.holder = holder
        self.ttl = ttl
        self._now = database_now(db.dialect)

    async def try_acquire(self, key: str) -> bool:
        """Take the lease on `key` if nobody holds it (or its holder let it expire)."""
        changed = await self._db.execute(
            "INSERT INTO work_leases (key, holder, expires_at) "
            f"VALUES (?, ?, {self._now} + ?) "
            "ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, "
            "expires_at = excluded.expires_at "
            f"WHERE work_leases.expires_at <= {self._now} "
            "OR work_leases.holder = excluded.holder",
            (key, self.holder, self.ttl),
        )
        return changed == 1

    async def renew(self, key: str) -> bool:
        """Push the lease's end `ttl` seconds ahead; False if it is no longer ours."""
        changed = await self._db.execute(
            f"UPDATE work_leases SET expires_at = {self._now} + ? WHERE key = ? AND holder = ?",
            (self.ttl, key, self.holder),
        )
        return changed == 1

    async def release(self, key: str) -> None:
        await self._db.execute(
            "DELETE FROM work_leases WHERE key = ? AND holder = ?", (key, self.holder)
        )

    async def holder_of(self, key: str) -> str | None:
        """Who holds an unexpired lease on `key` (for tests and operators)."""
        row = await self._db.fetch_one(
            f"SELECT holder FROM work_leases WHERE key = ? AND expires_at > {self._now}", (key,)
        )
        return None if row is None else str(row[0])

    async def release_predecessors(self) -> int:
        """Free the leases an earlier process of the same shard slice still holds (it crashed,
        or was killed); returns how many."""
        prefix = slice_of(self.holder)
        return await self._db.execute(
            "DELETE FROM work_leases WHERE substr(holder, 1, ?) = ? AND holder <> ?",
            (len(prefix), prefix, self.holder),
        )

    async def purge_expired(self, grace: float = 60.0) -> int:
        """Delete leases that ended more than `grace` seconds ago (the sweep)."""
        return await self._db.execute(
            f"DELETE FROM work_leases WHERE expires_at < {self._now} - ?", (grace,)
        )

    @contextlib.asynccontextmanager
    async def renewing(self, key: str) -> AsyncIterator[None]:
        """Keep the (already acquired) lease on `key` alive while the block runs; release it
        afterwards, whatever happens. A renewal or release that fails is logged: the lease then
        runs out by itself."""
        task = asyncio.create_task(self._keep(key), name=f"newsdesk lease {key[:60]}")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await asyncio.shield(self.release_quietly(key))

    async def release_quietly(self, key: str) -> None:
        try:
            await self.release(key)
        except StorageError as error:
            log.warning("could not release the lease on %s (it expires by itself): %s", key, error)

    async def _keep(self, key: str) -> None:
        while True:
            await asyncio.sleep(self.ttl / 4)
            try:
                if not await self.renew(key):
                    log.warning("lost the lease on %s while working on it", key)
                    return
            except StorageError as error:
                log.warning("could not renew the lease on %s: %s", key, error)


__all__ = [
    "DATABASE_NOW",
    "LEASE_SECONDS",
    "Leases",
    "database_now",
    "holder_name",
    "slice_of",
]
