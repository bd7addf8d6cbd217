"""A shard's watermark never passes a message still being decided about."""

from __future__ import annotations

from bot.runtime.seen import SeenMessages


def test_the_watermark_stays_below_the_oldest_message_under_way() -> None:
    seen = SeenMessages()
    assert seen.watermark(0) is None
    seen.begin(0, 100)
    seen.begin(0, 105)
    seen.end(0, 105)  # the newer one is decided first
    assert seen.watermark(0) == 99  # 100 is still open: a restart must read it back
    seen.end(0, 100)
    assert seen.watermark(0) == 105
    assert seen.watermark(1) is None  # per shard


def test_only_moved_watermarks_are_written_again() -> None:
    seen = SeenMessages()
    seen.begin(0, 10)
    seen.end(0, 10)
    seen.begin(1, 20)
    seen.end(1, 20)
    assert seen.unflushed() == {0: 10, 1: 20}
    seen.flushed({0: 10, 1: 20})
    assert seen.unflushed() == {}
    seen.begin(1, 25)
    seen.end(1, 25)
    assert seen.unflushed() == {1: 25}
