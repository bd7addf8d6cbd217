"""A small pool of worker processes for CPU-bound extraction, where one stuck task can be killed.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot kill a single task that hangs (a
hostile page that sends lxml or a regex into a spin), and a worker that dies breaks the whole
executor. Here every worker is one process with one pipe. The event loop never blocks on a
worker: a small thread per busy worker waits on the pipe *and* the process sentinel
(`multiprocessing.connection.wait`), so the loop only sees a finished future. A task that outlives
`task_timeout` gets its process killed and replaced; a process that dies mid-task (segfault,
`os._exit`, the OOM killer) is replaced too. Other tasks keep running in their own processes.

Shutdown belongs to the parent. systemd (and Ctrl+C, and `kill -- -PGID`) signal the whole
process group: workers ignore SIGTERM and SIGINT, so the parent can finish the links in flight
before it closes the pool, which kills the workers with SIGKILL (they hold nothing to clean up).
On Linux a worker also dies with its parent (`PR_SET_PDEATHSIG`), so a parent killed outright
leaves no worker spinning on a hostile page.

Exceptions never cross the pipe as pickled exception objects (`PipelineError` does not survive
pickling, and a foreign exception class may not import in the parent): the worker sends the kind
and message of a `PipelineError`, or the traceback text of anything else, which is logged here
and turned into plain words for the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_any
from multiprocessing.process import BaseProcess
from typing import Any, Literal, TypeVar, cast

from bot.errors import PipelineError, PoolClosed
from bot.messages import say
from bot.models import ErrorKind

log = logging.getLogger(__name__)

T = TypeVar("T")


_PR_SET_PDEATHSIG = 1  # linux/prctl.h

# Message tags on the pipe (worker → parent).
_READY = "ready"
_OK = "ok"
_PIPELINE_ERROR = "pipeline_error"
_ERROR = "error"


# ---------------------------------------------------------------------------------------------
# Worker process side


def _worker_main(
    conn: Connection,
    initializer: Callable[[], None] | None,
    memory_limit: int | None,
    parent_pid: int | None = None,
) -> None:
    """Entry point of a worker: warm up once, then run tasks until the parent closes the pipe."""
    # Ctrl+C and systemd's SIGTERM reach the whole process group; the parent decides when
    # workers stop (it may still need them for the links in flight).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    if memory_limit:
        _limit_memory(memory_limit)
    problem = None
    if initializer is not None:
        try:
            initializer()
        except Exception:
            problem = traceback.format_exc()
    conn.send((_READY, problem))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the parent is gone or closed the pool
        reply, fatal = _execute(data)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception:
            # The result did not pickle; `send` pickles before writing, so the pipe is clean.
            conn.send((_ERROR, "the result could not be sent back", traceback.format_exc(), fatal))
        if fatal:
            return


def _die_with_parent(parent_pid: int | None) -> None:
    """Ask Linux to SIGKILL this worker when its parent dies (no-op elsewhere): with SIGTERM
    ignored, a worker orphaned mid-task would otherwise run until its task ends by itself."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent_pid is not None:
        try:
            os.kill(parent_pid, 0)  # the pool's process (under forkserver, not our OS parent)
        except ProcessLookupError:
            os._exit(0)  # it died before the request took effect
        except OSError:
            pass


def _limit_memory(limit: int) -> None:
    """Cap this process's address space so a memory bomb raises MemoryError here, instead of
    waking the OOM killer, which might pick the bot itself. No-op where `resource` is missing."""
    try:
        import resource
    except ImportError:  # Windows
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _execute(data: bytes) -> tuple[tuple[Any, ...], bool]:
    """Run one task; returns the reply and whether this process should not be trusted again."""
    try:
        fn, args = pickle.loads(data)
        return (_OK, fn(*args)), False
    except PipelineError as error:
        return (_PIPELINE_ERROR, str(error.kind), error.message), False
    except BaseException as error:
        # After MemoryError (or SystemExit and friends) the process may be in a bad state:
        # answer, then exit so the parent starts a fresh one.
        fatal = isinstance(error, MemoryError) or not isinstance(error, Exception)
        return (_ERROR, type(error).__name__, traceback.format_exc(), fatal), fatal


# ---------------------------------------------------------------------------------------------
# Parent side


class _Status(Enum):
    OK = "ok"
    FAILED = "failed"  # fn raised PipelineError: pass kind and message on
    ERROR = "error"  # fn raised something else: log, say it in plain words
    TIMEOUT = "timeout"  # fn ran too long: kill the worker
    DIED = "died"  # the worker process is gone


@dataclass(slots=True)
class _Outcome:
    status: _Status
    value: Any = None
    kind: str = ErrorKind.EXTRACTION.value
    message: str = field(default_factory=lambda: say("pipeline.failed"))
    detail: str = ""  # exception name / traceback / reason, for the log only
    fatal: bool = False  # the worker must be replaced even though it answered

    @property
    def worker_lost(self) -> bool:
        return self.fatal or self.status in (_Status.TIMEOUT, _Status.DIED)


class _WorkerGone(Exception):
    pass


class _Worker:
    """One worker process and the parent's end of its pipe.

    Blocking methods (`wait_ready`, `exchange`, `kill`) run in pool threads; a worker is used by
    one thread at a time. `exchange` only touches the pipe and the sentinel (never `waitpid`),
    so the loop may ask `is_alive()` meanwhile.
    """

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.pid: int = process.pid or -1
        self.ready = False

    def _receive(self, timeout: float | None) -> tuple[Any, ...] | None:
        """The next message, or None on timeout; raises `_WorkerGone` if the process ended."""
        if not wait_any([self.conn, self.process.sentinel], timeout):
            return None
        # The process may have answered and then exited: read what it sent first.
        if not self.conn.poll():
            raise _WorkerGone
        try:
            return cast("tuple[Any, ...]", self.conn.recv())
        except (EOFError, OSError) as error:
            raise _WorkerGone from error

    def wait_ready(self, timeout: float) -> str | None:
        """Wait for the warm-up to finish; returns why the worker is unusable, or None."""
        if self.ready:
            return None
        try:
            message = self._receive(timeout)
        except _WorkerGone:
            return f"worker {self.pid} exited while starting"
        if message is None:
            return f"worker {self.pid} did not start within {timeout:g}s"
        self.ready = True
        if message[1]:
            log.warning("worker %d: initializer failed, continuing cold:\n%s", self.pid, message[1])
        return None

    def exchange(self, payload: bytes, timeout: float, startup_timeout: float) -> _Outcome:
        """Send one task and wait for its answer, the timeout or the death of the process."""
        try:
            problem = self.wait_ready(startup_timeout)
            if problem is not None:
                return _Outcome(_Status.DIED, detail=problem)
            try:
                self.conn.send_bytes(payload)
            except OSError as error:
                raise _WorkerGone from error
            try:
                message = self._receive(timeout)
            except _WorkerGone:
                raise
            except Exception:
                # The answer arrived whole but did not unpickle here; the worker is fine.
                return _Outcome(_Status.ERROR, detail=traceback.format_exc())
            if message is None:
                return _Outcome(_Status.TIMEOUT, kind=ErrorKind.TIMEOUT.value)
            return _outcome_from(message)
        except _WorkerGone:
            return _Outcome(_Status.DIED, detail=f"worker {self.pid} exited during a task")
        except Exception:
            # A bug here must not leave the caller waiting; treat the worker as lost.
            return _Outcome(_Status.DIED, detail=traceback.format_exc())

    def kill(self) -> int | None:
        """SIGKILL (a worker ignores SIGTERM, see `_worker_main`) and reap: no zombie."""
        process = self.process
        if process.exitcode is None:
            process.kill()
            process.join()
        return process.exitcode

    def dispose(self) -> None:
        """Release the pipe and process handles; only after `kill` and any `exchange` ended."""
        self.conn.close()
        try:
            self.process.close()
        except ValueError:  # still running: should not happen after kill(); keep the handle
            log.warning("worker %d still running at dispose", self.pid)


def _outcome_from(message: tuple[Any, ...]) -> _Outcome:
    tag = message[0]
    if tag == _OK:
        return _Outcome(_Status.OK, value=message[1])
    if tag == _PIPELINE_ERROR:
        return _Outcome(_Status.FAILED, kind=message[1], message=message[2])
    if tag == _ERROR:
        return _Outcome(_Status.ERROR, detail=f"{message[1]}\n{message[2]}", fatal=message[3])
    return _Outcome(_Status.DIED, detail=f"unexpected message {tag!r}")


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class WorkerPool:
    """`size` warm worker processes; `await pool.run(fn, *args)` runs `fn(*args)` in one of them.

    At most `size` tasks run at once; further callers wait in FIFO order. `fn` must be a
    picklable top-level function; `initializer` (also top-level) runs once in every worker.
    `memory_limit` (bytes of address space per worker, POSIX only) turns a memory bomb into an
    EXTRACTION error and a fresh worker.
    A cancelled `run` does not kill its task: the worker finishes (or times out) and then
    serves the next caller, so a cancellation never costs a process start-up.
    """

    def __init__(
        self,
        size: int,
        task_timeout: float,
        *,
        initializer: Callable[[], None] | None = None,
        mp_context: Literal["spawn", "forkserver"] = "spawn",
        startup_timeout: float = 60.0,
        memory_limit: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        if task_timeout <= 0:
            raise ValueError("task_timeout must be positive")
        self.size = size
        self.task_timeout = task_timeout
        self.startup_timeout = startup_timeout
        self.memory_limit = memory_limit
        self._initializer = initializer
        self._context = cast(
            "multiprocessing.context.SpawnContext | multiprocessing.context.ForkServerContext",
            multiprocessing.get_context(mp_context),
        )
        self._names = itertools.count(1)
        self._workers: set[_Worker] = set()  # every live worker, idle or busy
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._exchanges: set[asyncio.Future[_Outcome]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._threads: ThreadPoolExecutor | None = None
        self._start_lock: asyncio.Lock | None = None
        self._closing: asyncio.Task[None] | None = None
        self._started = False
        self._closed = False
        self.restarts = 0  # workers replaced after a timeout or a crash, since construction

    # -- introspection (tests, health) --------------------------------------------------------

    @property
    def alive_workers(self) -> int:
        return sum(1 for worker in self._workers if worker.process.is_alive())

    @property
    def pids(self) -> list[int]:
        return sorted(worker.pid for worker in self._workers)

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    @property
    def busy(self) -> int:
        return len(self._workers) - len(self._idle)

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the workers and wait until each has warmed up; also reopens a closed pool.

        Raises RuntimeError if a worker cannot start, `PoolClosed` if closed meanwhile. The
        start-up runs in a task of its own, so a cancelled caller cannot leak processes.
        """
        async with self._lifecycle_lock():
            if self._closing is not None:
                await asyncio.shield(self._closing)
            if self._started:
                return
            self._closed = False
            self._started = True
            self._threads = ThreadPoolExecutor(
                max_workers=2 * self.size + 2, thread_name_prefix="newsdesk-pool"
            )
            starting = asyncio.ensure_future(self._start_workers())
            self._tasks.add(starting)
            starting.add_done_callback(self._tasks.discard)
            await asyncio.shield(starting)

    async def _start_workers(self) -> None:
        spawned = await asyncio.gather(
            *(self._in_thread(self._spawn) for _ in range(self.size)), return_exceptions=True
        )
        workers = [w for w in spawned if isinstance(w, _Worker)]
        problems = [repr(e) for e in spawned if isinstance(e, BaseException)]
        if self._closed:  # close() ran while we spawned: these are ours to kill
            await self._discard(workers)
            raise PoolClosed()
        self._workers.update(workers)  # from here on close() kills them
        if not problems:
            ready = await asyncio.gather(
                *(self._in_thread(w.wait_ready, self.startup_timeout) for w in workers)
            )
            problems = [p for p in ready if p is not None]
        if self._closed:
            raise PoolClosed()
        if problems:
            self._workers.difference_update(workers)
            self._closed = True
            self._started = False
            self._fail_waiters(PoolClosed)
            await self._discard(workers)
            raise RuntimeError("worker processes failed to start: " + "; ".join(problems))
        for worker in workers:
            self._release(worker)  # callers may already be waiting (run() during start())
        log.debug("worker pool started: %s", self.pids)

    async def _discard(self, workers: list[_Worker]) -> None:
        await asyncio.gather(*(self._in_thread(w.kill) for w in workers))
        for worker in workers:
            worker.dispose()

    async def close(self) -> None:
        """Kill every worker and reap it; idempotent. Callers still waiting get `PoolClosed`.

        Waits for a `start()` in progress. The work runs in a task of its own, so cancelling
        the caller cannot leave processes behind.
        """
        async with self._lifecycle_lock():
            if self._closing is None:
                if not self._started:
                    self._closed = True
                    return
                self._closing = asyncio.ensure_future(self._close())
            closing = self._closing
        try:
            await asyncio.shield(closing)
        finally:
            if closing.done() and self._closing is closing:
                self._closing = None

    async def _close(self) -> None:
        self._closed = True
        self._started = False
        self._fail_waiters(PoolClosed)
        workers = list(self._workers)
        self._workers.clear()
        self._idle.clear()
        await asyncio.gather(*(self._in_thread(w.kill) for w in workers))
        # With their processes dead, in-flight exchanges, start-up and replacements finish
        # promptly; only then may the pipes be closed.
        await asyncio.gather(*self._exchanges, *self._tasks, return_exceptions=True)
        for worker in workers:
            worker.dispose()
        if self._threads is not None:
            self._threads.shutdown(wait=False)
            self._threads = None
        log.debug("worker pool closed")

    async def __aenter__(self) -> WorkerPool:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- running tasks ------------------------------------------------------------------------

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker; raises `PipelineError` (TIMEOUT or EXTRACTION) on failure."""
        if self._closed:
            raise PoolClosed()
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        if not self._started:
            await self.start()
        worker = await self._acquire()
        exchange = asyncio.get_running_loop().run_in_executor(
            self._threads, worker.exchange, payload, self.task_timeout, self.startup_timeout
        )
        self._exchanges.add(exchange)
        exchange.add_done_callback(self._exchanges.discard)
        try:
            outcome = await asyncio.shield(exchange)
        except asyncio.CancelledError:
            exchange.add_done_callback(partial(self._settle_later, worker))
            raise
        recycling = self._settle(worker, outcome)
        if recycling is not None:
            await asyncio.shield(recycling)  # the killed process is reaped before we answer
        if self._is_closed() and outcome.worker_lost:
            raise PoolClosed()
        return self._result(fn, worker, outcome)

    async def _acquire(self) -> _Worker:
        if self._closed:
            raise PoolClosed()
        if self._idle and not self.waiting:
            return self._idle.popleft()
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())  # handed a worker just as we were cancelled
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def _release(self, worker: _Worker) -> None:
        if self._closed or worker not in self._workers:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _settle(self, worker: _Worker, outcome: _Outcome) -> asyncio.Task[None] | None:
        """Return the worker to the pool, or start replacing it; returns the replacement task."""
        if self._closed:
            return None
        if not outcome.worker_lost:
            self._release(worker)
            return None
        self._workers.discard(worker)
        task = asyncio.get_running_loop().create_task(self._recycle(worker, outcome))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _settle_later(self, worker: _Worker, exchange: asyncio.Future[_Outcome]) -> None:
        """Settle a worker whose caller was cancelled while its task ran."""
        if exchange.cancelled() or exchange.exception() is not None:
            outcome = _Outcome(_Status.DIED, detail="exchange did not complete")
        else:
            outcome = exchange.result()
        self._settle(worker, outcome)

    async def _recycle(self, worker: _Worker, outcome: _Outcome) -> None:
        self.restarts += 1
        exitcode = await self._in_thread(worker.kill)
        worker.dispose()
        if outcome.status is _Status.TIMEOUT:
            log.warning(
                "worker %d: task ran over %gs and was killed", worker.pid, self.task_timeout
            )
        else:
            log.warning(
                "worker %d lost (%s): %s",
                worker.pid,
                _describe_exit(exitcode),
                outcome.detail.splitlines()[0] if outcome.detail else "no detail",
            )
        for attempt in range(3):
            if self._closed:
                return
            try:
                replacement = await self._in_thread(self._spawn)
            except Exception:
                log.exception("could not start a replacement worker (attempt %d)", attempt + 1)
                await asyncio.sleep(1.0 + attempt)
                continue
            if self._is_closed():
                await self._discard([replacement])
                return
            self._workers.add(replacement)
            self._release(replacement)
            return
        if not self._workers:
            log.error("no worker processes left; failing waiting tasks")
            self._fail_waiters(lambda: PipelineError(ErrorKind.EXTRACTION, say("pipeline.failed")))

    def _fail_waiters(self, error: Callable[[], BaseException]) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(error())

    def _result(self, fn: Callable[..., T], worker: _Worker, outcome: _Outcome) -> T:
        if outcome.status is _Status.OK:
            return outcome.value  # type: ignore[no-any-return]
        if outcome.status is _Status.FAILED:
            raise PipelineError(ErrorKind(outcome.kind), outcome.message)
        if outcome.status is _Status.TIMEOUT:
            raise PipelineError(ErrorKind.TIMEOUT, say("pipeline.timeout"))
        name = getattr(fn, "__qualname__", repr(fn))
        if outcome.status is _Status.ERROR:
            log.error("worker %d: task %s failed: %s", worker.pid, name, outcome.detail)
        raise PipelineError(ErrorKind.EXTRACTION, say("pipeline.failed"))

    # -- helpers ------------------------------------------------------------------------------

    def _is_closed(self) -> bool:
        """`_closed`, read afresh: after an await, close() may have run meanwhile (a plain
        attribute test there reads to mypy as if it still had the value seen before the await)."""
        return self._closed

    def _spawn(self) -> _Worker:
        parent_conn, child_conn = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main,
            args=(child_conn, self._initializer, self.memory_limit, os.getpid()),
            name=f"newsdesk-worker-{next(self._names)}",
            daemon=True,
        )
        try:
            process.start()
        except BaseException:
            parent_conn.close()
            raise
        finally:
            # Only the child may hold this end, or we would never see EOF when it dies.
            child_conn.close()
        return _Worker(process, parent_conn)

    def _lifecycle_lock(self) -> asyncio.Lock:
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        return self._start_lock

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, fn, *args)
