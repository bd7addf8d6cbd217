"""The worker pool: results and errors cross the process boundary, stuck or crashing workers are
killed and replaced, callers queue in order, the event loop keeps running, close() reaps all.

Task functions live at module level so the spawned workers can import them by name. Timeouts
are configured per test; nothing here waits on wall-clock luck: tasks that must still be running
when the test acts wait on marker files the test creates.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.errors import PipelineError, PoolClosed
from bot.messages import say
from bot.models import Briefing, ErrorKind, Quote
from bot.runtime.workers import WorkerPool

LONG = 60.0  # a task timeout no healthy test task comes near
SAFETY = 30.0  # a spinning task gives up after this, so a broken pool fails instead of hanging

WARM = False


# -- task functions (run inside the workers) ---------------------------------------------------


def mark_warm() -> None:
    global WARM
    WARM = True


def is_warm() -> bool:
    return WARM


def broken_initializer() -> None:
    raise RuntimeError("warm-up tables missing")


def make_briefing(headline: str) -> Briefing:
    return Briefing(
        source="https://example.test/council-vote",
        headline=headline,
        paragraphs=["The council voted 7-2 on Tuesday night.", "“We listened,” the mayor said."],
        quotes=[Quote("We listened", "the mayor", 1, 0.9)],
        briefing=["The council voted 7-2 on Tuesday night."],
    )


def raise_not_article() -> None:
    raise PipelineError(ErrorKind.NOT_ARTICLE, say("article.no_text"))


def raise_value_error() -> None:
    raise ValueError("internal detail: xpath //div[@id='story'] matched nothing")


def raise_memory_error() -> None:
    raise MemoryError


def allocate(n_bytes: int) -> int:
    return len(bytearray(n_bytes))


def return_unpicklable() -> Callable[[], None]:
    return lambda: None


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def hard_exit() -> None:
    os._exit(1)


def spin_until(flag: str, started: str | None = None) -> bool:
    """Burn CPU until `flag` exists; True if it appeared (False only if the test is broken)."""
    if started:
        Path(started).touch()
    deadline = time.monotonic() + SAFETY
    while time.monotonic() < deadline:
        if os.path.exists(flag):
            return True
        sum(range(10_000))
    return False


def append_label(path: str, label: str) -> int:
    with open(path, "a", encoding="utf-8") as out:
        out.write(label)
    return os.getpid()


# -- helpers -----------------------------------------------------------------------------------


async def until(condition: Callable[[], bool], rounds: int = 10_000) -> None:
    """Yield to the loop until `condition` holds (other tasks get to run each round)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


async def until_file(path: Path) -> None:
    """Wait for a worker to create `path`, letting the loop run meanwhile."""
    deadline = time.monotonic() + SAFETY
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        await asyncio.sleep(0.005)


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # a zombie still answers: this also proves the child was reaped
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
async def make_pool() -> Callable[..., Awaitable[WorkerPool]]:
    pools: list[WorkerPool] = []

    async def make(size: int = 1, timeout: float = LONG, **kwargs: object) -> WorkerPool:
        pool = WorkerPool(size, timeout, **kwargs)  # type: ignore[arg-type]
        pools.append(pool)
        await pool.start()
        return pool

    yield make
    for pool in pools:
        await pool.close()


# -- results and errors ------------------------------------------------------------------------


async def test_result_round_trip(make_pool) -> None:
    pool = await make_pool(1)
    assert pool.size == 1
    assert pool.alive_workers == 1
    assert await pool.run(pow, 2, 10) == 1024
    briefing = await pool.run(make_briefing, "Council approves budget")
    assert briefing == make_briefing("Council approves budget")
    assert await pool.run(os.getpid) in pool.pids
    assert await pool.run(os.getpid) != os.getpid()


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no forkserver here"
)
async def test_forkserver_context_works_too(make_pool) -> None:
    pool = await make_pool(1, timeout=0.5, mp_context="forkserver")
    [old] = pool.pids
    assert await pool.run(pow, 2, 4) == 16
    with pytest.raises(PipelineError) as info:
        await pool.run(time.sleep, 3600)
    assert info.value.kind is ErrorKind.TIMEOUT
    assert await pool.run(os.getpid) != old


async def test_initializer_runs_in_each_worker(make_pool) -> None:
    pool = await make_pool(2, initializer=mark_warm)
    results = await asyncio.gather(*(pool.run(is_warm) for _ in range(4)))
    assert results == [True] * 4
    assert WARM is False  # it ran in the workers, not here


async def test_failing_initializer_is_logged_and_pool_still_works(make_pool, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="bot.runtime.workers")
    pool = await make_pool(1, initializer=broken_initializer)
    assert await pool.run(pow, 3, 2) == 9
    assert "warm-up tables missing" in caplog.text


async def test_pipeline_error_keeps_kind_and_message(make_pool) -> None:
    pool = await make_pool(1)
    with pytest.raises(PipelineError) as info:
        await pool.run(raise_not_article)
    assert info.value.kind is ErrorKind.NOT_ARTICLE
    assert info.value.message == say("article.no_text")


async def test_other_exceptions_become_plain_extraction_errors(make_pool, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="bot.runtime.workers")
    pool = await make_pool(1)
    [pid] = pool.pids
    with pytest.raises(PipelineError) as info:
        await pool.run(raise_value_error)
    assert info.value.kind is ErrorKind.EXTRACTION
    assert info.value.message == say("pipeline.failed")
    assert "xpath" not in str(info.value)
    assert "ValueError" in caplog.text and "xpath" in caplog.text  # traceback logged
    assert pool.pids == [pid]  # an ordinary exception does not cost a process
    assert await pool.run(os.getpid) == pid


async def test_unpicklable_result_is_an_extraction_error(make_pool) -> None:
    pool = await make_pool(1)
    [pid] = pool.pids
    with pytest.raises(PipelineError) as info:
        await pool.run(return_unpicklable)
    assert info.value.kind is ErrorKind.EXTRACTION
    assert await pool.run(os.getpid) == pid


async def test_memory_error_replaces_the_worker(make_pool) -> None:
    pool = await make_pool(1)
    [old] = pool.pids
    with pytest.raises(PipelineError) as info:
        await pool.run(raise_memory_error)
    assert info.value.kind is ErrorKind.EXTRACTION
    assert not pid_exists(old)
    assert await pool.run(os.getpid) != old


@pytest.mark.skipif(not hasattr(os, "fork"), reason="address-space limits are POSIX only")
async def test_memory_limit_turns_a_memory_bomb_into_an_error(make_pool) -> None:
    pool = await make_pool(1, memory_limit=768 * 2**20)
    [old] = pool.pids
    assert await pool.run(allocate, 16 * 2**20) == 16 * 2**20
    with pytest.raises(PipelineError) as info:
        await pool.run(allocate, 2**30)
    assert info.value.kind is ErrorKind.EXTRACTION
    assert await pool.run(allocate, 16 * 2**20) == 16 * 2**20  # a fresh worker, same limit
    assert pool.pids != [old]


# -- killing and replacing ---------------------------------------------------------------------


async def test_task_over_timeout_is_killed_and_worker_replaced(make_pool) -> None:
    pool = await make_pool(1, timeout=0.5)
    [old] = pool.pids
    with pytest.raises(PipelineError) as info:
        await pool.run(time.sleep, 3600)
    assert info.value.kind is ErrorKind.TIMEOUT
    assert info.value.message == say("pipeline.timeout")
    assert not pid_exists(old)
    new = await pool.run(os.getpid)
    assert new != old
    assert pool.pids == [new]
    assert pool.alive_workers == 1
    assert pool.restarts == 1  # what the operators' metrics report


async def test_timeout_does_not_disturb_other_tasks(make_pool) -> None:
    pool = await make_pool(2, timeout=2.0)
    results = await asyncio.gather(
        pool.run(time.sleep, 3600),
        *(pool.run(pow, i, 2) for i in range(6)),
        return_exceptions=True,
    )
    assert isinstance(results[0], PipelineError)
    assert results[0].kind is ErrorKind.TIMEOUT
    assert results[1:] == [i * i for i in range(6)]
    assert pool.alive_workers == 2


@pytest.mark.parametrize("crash", [segfault, hard_exit], ids=["segfault", "os._exit"])
async def test_dead_worker_is_replaced(make_pool, caplog, crash) -> None:
    caplog.set_level(logging.WARNING, logger="bot.runtime.workers")
    pool = await make_pool(1)
    [old] = pool.pids
    with pytest.raises(PipelineError) as info:
        await pool.run(crash)
    assert info.value.kind is ErrorKind.EXTRACTION
    assert info.value.message == say("pipeline.failed")
    assert not pid_exists(old)
    assert await pool.run(pow, 2, 5) == 32
    assert pool.alive_workers == 1
    assert old not in pool.pids
    assert pool.restarts == 1
    expected = "SIGSEGV" if crash is segfault else "exit code 1"
    assert expected in caplog.text


# -- concurrency and the event loop ------------------------------------------------------------


async def test_more_tasks_than_workers_all_complete(make_pool, tmp_path) -> None:
    pool = await make_pool(2)
    workers = set(pool.pids)
    go = tmp_path / "go"
    tasks = [asyncio.create_task(pool.run(spin_until, str(go))) for _ in range(6)]
    await until(lambda: pool.busy == 2 and pool.waiting == 4)  # the cap holds
    go.touch()
    assert await asyncio.gather(*tasks) == [True] * 6
    pids = await asyncio.gather(*(pool.run(os.getpid) for _ in range(8)))
    assert set(pids) <= workers  # no extra processes were started
    assert pool.busy == 0 and pool.waiting == 0


async def test_waiting_callers_are_served_first_come_first_served(make_pool, tmp_path) -> None:
    pool = await make_pool(1)
    go, order = tmp_path / "go", tmp_path / "order"
    first = asyncio.create_task(pool.run(spin_until, str(go)))
    await until(lambda: pool.busy == 1)
    later = [asyncio.create_task(pool.run(append_label, str(order), c)) for c in "bcde"]
    await until(lambda: pool.waiting == 4)
    go.touch()
    await asyncio.gather(first, *later)
    assert order.read_text() == "bcde"


async def test_event_loop_keeps_running_during_a_long_cpu_task(make_pool, tmp_path) -> None:
    pool = await make_pool(1)
    started, done = tmp_path / "started", tmp_path / "done"
    task = asyncio.create_task(pool.run(spin_until, str(done), str(started)))
    await until_file(started)
    ticks = 0
    while ticks < 20:  # the worker is spinning; only a free loop gets through this
        await asyncio.sleep(0.001)
        ticks += 1
    assert not task.done()
    done.touch()  # the loop, not a timer, ends the CPU task
    assert await task is True
    assert ticks == 20


async def test_cancelled_caller_does_not_lose_the_worker(make_pool, tmp_path) -> None:
    pool = await make_pool(1)
    [pid] = pool.pids
    go, started = tmp_path / "go", tmp_path / "started"
    running = asyncio.create_task(pool.run(spin_until, str(go), str(started)))
    await until_file(started)
    waiting = asyncio.create_task(pool.run(os.getpid))
    await until(lambda: pool.waiting == 1)
    waiting.cancel()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert pool.waiting == 0
    go.touch()
    assert await pool.run(os.getpid) == pid  # same process, freed once its task ended
    assert pool.busy == 0


async def test_caller_cancelled_just_after_being_handed_a_worker_passes_it_on(
    make_pool, tmp_path
) -> None:
    pool = await make_pool(1)
    go = tmp_path / "go"
    handed = asyncio.create_task(pool.run(os.getpid))

    async def release_when_queued() -> None:
        await until(lambda: pool.waiting == 1)
        go.touch()

    releaser = asyncio.create_task(release_when_queued())
    assert await pool.run(spin_until, str(go)) is True
    # Our worker was just handed to `handed`, which has not resumed yet: cancel it now.
    handed.cancel()
    await releaser
    with pytest.raises(asyncio.CancelledError):
        await handed
    # A leaked worker would leave this waiting forever.
    assert await asyncio.wait_for(pool.run(pow, 2, 2), timeout=SAFETY) == 4
    assert pool.busy == 0


# -- closing -----------------------------------------------------------------------------------


async def test_close_reaps_every_worker_and_is_idempotent() -> None:
    pool = WorkerPool(2, LONG)
    await pool.start()
    pids = pool.pids
    assert len(pids) == 2 and all(pid_exists(pid) for pid in pids)
    await pool.close()
    await pool.close()
    assert not any(child.pid in pids for child in multiprocessing.active_children())
    assert not any(pid_exists(pid) for pid in pids)
    assert pool.alive_workers == 0
    with pytest.raises(PoolClosed):
        await pool.run(os.getpid)


async def test_a_worker_leaves_sigterm_to_the_parent_and_finishes_its_task(tmp_path) -> None:
    """systemd sends SIGTERM to the whole process group: the task in flight still completes,
    and the worker goes on serving until the parent closes the pool."""
    pool = WorkerPool(1, LONG)
    await pool.start()
    try:
        [pid] = pool.pids
        started, done = tmp_path / "started", tmp_path / "done"
        running = asyncio.create_task(pool.run(spin_until, str(done), str(started)))
        await until_file(started)
        os.kill(pid, signal.SIGTERM)
        os.kill(pid, signal.SIGINT)  # Ctrl+C in a terminal reaches the group as well
        done.touch()
        assert await asyncio.wait_for(running, SAFETY) is True
        assert await pool.run(os.getpid) == pid  # the same process, still serving
    finally:
        await pool.close()
    assert not pid_exists(pid)  # closing kills it, SIGTERM or not


async def test_close_with_running_and_waiting_tasks(tmp_path) -> None:
    pool = WorkerPool(1, LONG)
    await pool.start()
    [pid] = pool.pids
    started = tmp_path / "started"
    running = asyncio.create_task(pool.run(spin_until, str(tmp_path / "never"), str(started)))
    await until_file(started)
    waiting = asyncio.create_task(pool.run(os.getpid))
    await until(lambda: pool.waiting == 1)
    await pool.close()
    results = await asyncio.gather(running, waiting, return_exceptions=True)
    assert all(isinstance(result, PoolClosed) for result in results)
    assert not pid_exists(pid)
    assert pid not in [child.pid for child in multiprocessing.active_children()]


async def test_close_during_start_waits_and_leaves_nothing() -> None:
    pool = WorkerPool(2, LONG)
    starting = asyncio.create_task(pool.start())
    await asyncio.sleep(0)  # start() takes its first step: spawning has begun
    await pool.close()
    await starting
    assert pool.alive_workers == 0
    assert not [child for child in multiprocessing.active_children() if "newsdesk" in child.name]
    with pytest.raises(PoolClosed):
        await pool.run(os.getpid)


async def test_pool_can_be_started_again_after_close() -> None:
    pool = WorkerPool(1, LONG)
    async with pool:
        first = await pool.run(os.getpid)
    async with pool:
        second = await pool.run(os.getpid)
    assert first != second
    assert not pid_exists(second)


async def test_run_starts_the_pool_on_first_use() -> None:
    pool = WorkerPool(1, LONG)
    try:
        assert await pool.run(pow, 2, 3) == 8
        assert pool.alive_workers == 1
    finally:
        await pool.close()


async def test_callers_arriving_during_start_up_are_served() -> None:
    pool = WorkerPool(1, LONG)
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(pool.run(pow, i, 2) for i in range(4))), timeout=SAFETY
        )
        assert results == [0, 1, 4, 9]
    finally:
        await pool.close()


def crash_on_start() -> None:
    os._exit(3)


async def test_failed_start_up_is_reported_and_leaves_nothing(caplog) -> None:
    pool = WorkerPool(2, LONG, initializer=crash_on_start)
    callers = [asyncio.create_task(pool.run(os.getpid)) for _ in range(3)]
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert isinstance(results[0], RuntimeError)  # the caller that started the pool
    assert "exited while starting" in str(results[0])
    assert all(isinstance(r, PoolClosed) for r in results[1:])  # nobody is left waiting
    assert pool.alive_workers == 0
    assert not [child for child in multiprocessing.active_children() if "newsdesk" in child.name]
    await pool.close()


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        WorkerPool(0, 1.0)
    with pytest.raises(ValueError):
        WorkerPool(1, 0)
