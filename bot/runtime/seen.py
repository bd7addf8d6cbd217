"""How far each shard's messages are decided: the watermark a restart reads history back from.

Why not simply "the newest message seen": messages are handled concurrently, and one whose
handling has not yet reached a decision (recorded as a job, or skipped on purpose) must not be
passed over. So the watermark of a shard is the newest message id up to which every message
this process saw was decided: below the oldest message still being looked at, never past it.
The watcher calls `begin` when a message arrives and `end` once it is decided; the bot writes
the watermarks to the database every few seconds (`unflushed` / `flushed`). Plain integers, no
Discord.
"""

from __future__ import annotations

from collections import defaultdict


class SeenMessages:
    """Per shard: message ids under way, and the newest decided one."""

    def __init__(self) -> None:
        self._open: defaultdict[int, set[int]] = defaultdict(set)
        self._decided: dict[int, int] = {}
        self._flushed: dict[int, int] = {}

    def begin(self, shard: int, message_id: int) -> None:
        self._open[shard].add(message_id)

    def end(self, shard: int, message_id: int) -> None:
        self._open[shard].discard(message_id)
        if message_id > self._decided.get(shard, 0):
            self._decided[shard] = message_id

    def watermark(self, shard: int) -> int | None:
        """The newest id up to which every message seen on `shard` is decided (None: none is)."""
        decided = self._decided.get(shard)
        if decided is None:
            return None
        under_way = self._open.get(shard)
        if under_way:
            decided = min(decided, min(under_way) - 1)
        return decided

    def unflushed(self) -> dict[int, int]:
        """The watermarks that moved since they were last written."""
        marks = {}
        for shard in self._decided:
            mark = self.watermark(shard)
            if mark is not None and mark > self._flushed.get(shard, 0):
                marks[shard] = mark
        return marks

    def flushed(self, marks: dict[int, int]) -> None:
        for shard, mark in marks.items():
            self._flushed[shard] = max(mark, self._flushed.get(shard, 0))


__all__ = ["SeenMessages"]
