"""Which Discord shards this process runs, and whether a server belongs to one of them.

Discord splits a bot's servers into shards: server `guild_id` lives on shard
`(guild_id >> 22) % shard_count`, and direct messages (anything without a server) only ever
arrive on shard 0. A large bot runs one slice of the shards per process (`NEWSDESK_SHARD_IDS`),
so work that no Discord event starts — registering the commands, a scheduled digest, reading back
a channel's history — must ask here whether this process is the one that owns it; otherwise
every process would do it.

Plain integers only (no Discord types): settings, storage and the newsroom use it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.messages import say

_PART = re.compile(r"^(\d+)(?:\s*-\s*(\d+))?$")


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends `guild_id`'s events to (its documented formula)."""
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str) -> list[int]:
    """`"0-3"`, `"4,5"`, `"0-1, 6"` → sorted ids without repeats; a `ValueError` in plain words.

    Ranges include both ends, as operators write them ("0-3" is four shards).
    """
    ids: set[int] = set()
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise ValueError(say("settings.shard_ids_empty"))
    for part in parts:
        match = _PART.match(part)
        if match is None:
            raise ValueError(say("settings.shard_ids_syntax", part=part))
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise ValueError(say("settings.shard_ids_backwards", part=part))
        ids.update(range(first, last + 1))
    return sorted(ids)


def describe_ids(ids: Iterable[int]) -> str:
    """`[0, 1, 2, 5]` → `"0-2,5"`: the short form an operator writes, for logs and metrics."""
    runs: list[str] = []
    ordered = sorted(set(ids))
    start = previous = None
    for shard in [*ordered, None]:
        if shard is not None and previous is not None and shard == previous + 1:
            previous = shard
            continue
        if start is not None:
            runs.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = shard
    return ",".join(runs)


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """The shards of this process: `ids` of `count` (None: all of them; count None: not yet
    known, Discord says at connect time and then every shard runs here)."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.ids is not None and self.count is None:
            raise ValueError(say("settings.shard_ids_need_count"))
        if self.count is not None and self.ids is not None:
            outside = [i for i in self.ids if not 0 <= i < self.count]
            if outside:
                raise ValueError(
                    say(
                        "settings.shard_out_of_range",
                        ids=describe_ids(outside),
                        count=self.count,
                        last=self.count - 1,
                    )
                )

    @property
    def all_here(self) -> bool:
        """Every shard runs in this process (one process, as without sharding settings)."""
        return self.ids is None or (self.count is not None and len(self.ids) == self.count)

    @property
    def shard_ids(self) -> tuple[int, ...]:
        """The ids run here (all of them when `ids` is None and the count is known)."""
        if self.ids is not None:
            return self.ids
        return tuple(range(self.count or 1))

    @property
    def handles_direct_messages(self) -> bool:
        """Shard 0 is here: DMs, and work that belongs to no server, are this process's."""
        return self.ids is None or 0 in self.ids

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether `guild_id`'s events arrive here; None (no server) goes with shard 0."""
        if guild_id is None:
            return self.handles_direct_messages
        if self.ids is None or self.count is None:
            return True
        return shard_of(guild_id, self.count) in self.ids

    def with_count(self, count: int) -> ShardPlan:
        """The plan once Discord has said how many shards the bot needs (count was unset)."""
        return ShardPlan(count, self.ids)

    @property
    def slice_name(self) -> str:
        """This process's slice as the name its leases and jobs are held under (no "/"):
        `"shards 0-1 of 4"`, or `"all shards"` for a process that runs every shard."""
        if self.ids is None or self.count is None:
            return "all shards"
        return self.describe()

    def describe(self) -> str:
        """`"shards 0-1 of 4"`, for the log; `"all shards"` before the count is known."""
        if self.count is None:
            return "all shards"
        return f"shards {describe_ids(self.shard_ids)} of {self.count}"
