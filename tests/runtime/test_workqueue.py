"""The work queue: global cap, bounded line, drop-oldest auto-replies, busy slash commands.

Every job is held by an asyncio.Event the test controls; nothing sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.errors import Dropped, QueueFull
from bot.messages import say
from bot.runtime.workqueue import WorkQueue
from config import Settings


class Jobs:
    """Named jobs that start, record that they started, and finish when the test says so."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.running = 0
        self.peak = 0
        self.gates: dict[str, asyncio.Event] = {}

    def gate(self, name: str) -> asyncio.Event:
        return self.gates.setdefault(name, asyncio.Event())

    def job(self, name: str, *, fail: bool = False) -> Callable[[], object]:
        async def work() -> str:
            self.started.append(name)
            self.running += 1
            self.peak = max(self.peak, self.running)
            try:
                await self.gate(name).wait()
                if fail:
                    raise ValueError(f"{name} failed")
                return name
            finally:
                self.running -= 1

        return work

    def finish(self, *names: str) -> None:
        for name in names:
            self.gate(name).set()


async def until(condition: Callable[[], bool], rounds: int = 1000) -> None:
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


def submit(queue: WorkQueue, jobs: Jobs, name: str, *, droppable: bool) -> asyncio.Task:
    return asyncio.create_task(queue.run(jobs.job(name), droppable=droppable), name=name)


async def test_in_flight_cap_is_respected() -> None:
    queue, jobs = WorkQueue(max_in_flight=2, queue_limit=10), Jobs()
    tasks = [submit(queue, jobs, f"j{i}", droppable=True) for i in range(5)]
    await until(lambda: queue.in_flight == 2 and queue.waiting == 3)
    assert jobs.started == ["j0", "j1"]
    jobs.finish("j0")
    await until(lambda: jobs.started == ["j0", "j1", "j2"])
    assert queue.in_flight == 2 and queue.waiting == 2
    jobs.finish("j1", "j2", "j3", "j4")
    assert await asyncio.gather(*tasks) == ["j0", "j1", "j2", "j3", "j4"]
    assert jobs.peak == 2
    assert queue.in_flight == 0 and queue.waiting == 0
    assert queue.stats.finished == 5


async def test_full_line_drops_the_oldest_waiting_auto_reply() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=2), Jobs()
    running = submit(queue, jobs, "running", droppable=True)
    a1 = submit(queue, jobs, "a1", droppable=True)
    a2 = submit(queue, jobs, "a2", droppable=True)
    await until(lambda: queue.waiting == 2)
    a3 = submit(queue, jobs, "a3", droppable=True)
    with pytest.raises(Dropped):
        await a1
    a4 = submit(queue, jobs, "a4", droppable=True)
    with pytest.raises(Dropped):
        await a2
    assert queue.waiting == 2
    jobs.finish("running", "a3", "a4")
    assert await asyncio.gather(running, a3, a4) == ["running", "a3", "a4"]
    assert jobs.started == ["running", "a3", "a4"]  # dropped work never started
    assert queue.stats.dropped == 2


async def test_slash_commands_are_refused_not_dropped_when_full() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=2), Jobs()
    running = submit(queue, jobs, "running", droppable=True)
    c1 = submit(queue, jobs, "c1", droppable=False)
    a1 = submit(queue, jobs, "a1", droppable=True)
    await until(lambda: queue.waiting == 2)
    with pytest.raises(QueueFull) as info:
        await queue.run(jobs.job("c2"), droppable=False)
    assert info.value.message == say("queue.busy")
    # A new auto-reply pushes out the waiting auto-reply, never the waiting command.
    a2 = submit(queue, jobs, "a2", droppable=True)
    with pytest.raises(Dropped):
        await a1
    jobs.finish("running", "c1", "a2")
    assert await asyncio.gather(running, c1, a2) == ["running", "c1", "a2"]
    assert queue.stats.rejected == 1


async def test_auto_reply_is_dropped_itself_when_only_commands_wait() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=1), Jobs()
    running = submit(queue, jobs, "running", droppable=False)
    c1 = submit(queue, jobs, "c1", droppable=False)
    await until(lambda: queue.waiting == 1)
    with pytest.raises(Dropped):
        await queue.run(jobs.job("a1"), droppable=True)
    jobs.finish("running", "c1")
    assert await asyncio.gather(running, c1) == ["running", "c1"]
    assert "a1" not in jobs.started


async def test_commands_wait_ahead_of_auto_replies() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=5), Jobs()
    running = submit(queue, jobs, "running", droppable=True)
    waiting = [
        submit(queue, jobs, "a1", droppable=True),
        submit(queue, jobs, "c1", droppable=False),
        submit(queue, jobs, "a2", droppable=True),
        submit(queue, jobs, "c2", droppable=False),
    ]
    await until(lambda: queue.waiting == 4)
    jobs.finish("running", "a1", "c1", "a2", "c2")
    await asyncio.gather(running, *waiting)
    assert jobs.started == ["running", "c1", "c2", "a1", "a2"]
    assert jobs.peak == 1


async def test_failing_work_frees_its_slot() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=5), Jobs()
    bad = [
        asyncio.create_task(queue.run(jobs.job(f"bad{i}", fail=True), droppable=True))
        for i in range(3)
    ]
    good = submit(queue, jobs, "good", droppable=False)
    jobs.finish("bad0", "bad1", "bad2", "good")
    results = await asyncio.gather(*bad, good, return_exceptions=True)
    assert [type(r) for r in results[:3]] == [ValueError] * 3
    assert results[3] == "good"
    assert queue.in_flight == 0 and queue.waiting == 0


async def test_factory_that_raises_before_awaiting_frees_its_slot() -> None:
    queue = WorkQueue(max_in_flight=1, queue_limit=1)

    def broken() -> object:
        raise RuntimeError("could not build the coroutine")

    with pytest.raises(RuntimeError):
        await queue.run(broken, droppable=False)
    assert queue.in_flight == 0

    async def ok() -> int:
        return 7

    assert await queue.run(ok, droppable=False) == 7


async def test_cancelled_waiter_frees_its_place_in_line() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=1), Jobs()
    running = submit(queue, jobs, "running", droppable=False)
    w1 = submit(queue, jobs, "w1", droppable=False)
    await until(lambda: queue.waiting == 1)
    w1.cancel()
    with pytest.raises(asyncio.CancelledError):
        await w1
    assert queue.waiting == 0
    w2 = submit(queue, jobs, "w2", droppable=False)  # the line has room again: not QueueFull
    await until(lambda: queue.waiting == 1)
    jobs.finish("running", "w2")
    assert await asyncio.gather(running, w2) == ["running", "w2"]
    assert "w1" not in jobs.started
    assert queue.in_flight == 0


async def test_cancelled_running_work_frees_its_slot() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=1), Jobs()
    running = submit(queue, jobs, "running", droppable=True)
    nxt = submit(queue, jobs, "next", droppable=True)
    await until(lambda: queue.waiting == 1)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    await until(lambda: jobs.started == ["running", "next"])
    jobs.finish("next")
    assert await nxt == "next"
    assert queue.in_flight == 0


async def test_waiter_cancelled_just_after_being_granted_passes_the_slot_on() -> None:
    queue, jobs = WorkQueue(max_in_flight=1, queue_limit=5), Jobs()
    w1 = submit(queue, jobs, "w1", droppable=True)
    w2 = submit(queue, jobs, "w2", droppable=True)

    async def hold_until_both_wait() -> None:
        await until(lambda: queue.waiting == 2)

    await queue.run(hold_until_both_wait, droppable=False)
    # Our slot was just handed to w1, which has not resumed yet: cancel it now.
    w1.cancel()
    jobs.finish("w2")
    done, _ = await asyncio.wait([w1, w2], timeout=10)  # a leaked slot would hang w2
    assert w1 in done and w2 in done
    assert w1.cancelled()
    assert w2.result() == "w2"
    assert "w1" not in jobs.started
    assert queue.in_flight == 0


def test_from_settings() -> None:
    queue = WorkQueue.from_settings(Settings(_env_file=None, max_in_flight=3, queue_limit=7))
    assert (queue.max_in_flight, queue.queue_limit) == (3, 7)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        WorkQueue(0, 1)
    with pytest.raises(ValueError):
        WorkQueue(1, -1)
