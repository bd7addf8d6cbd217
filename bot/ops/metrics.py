"""What an operator graphs: Newsdesk's counters in Prometheus form (`/metrics`).

Why the official `prometheus-client`: the text format (and OpenMetrics, chosen by the scraper's
Accept header) has escaping, label and histogram rules that are easy to get subtly wrong, and
the library also gives the standard `process_*` series (memory, CPU, open files) for free.

Two kinds of numbers:
- events, counted as they happen by whoever sees them (the Discord layer, the briefing service
  through `briefed`, the log through `DatabaseErrorCounter`): links seen, briefed, skipped,
  briefing times, cache hits, database errors;
- states, read when Prometheus scrapes (`Readings`, a callable the bot supplies): shard
  connections and gateway latency, the work queue, the worker pool. Reading them at scrape time
  means nothing has to remember to update a gauge.

No Discord here: the bot turns its shards into `ShardReading`s.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Why a link that was seen got no briefing (label `reason` of newsdesk_links_skipped_total).
SKIP_REASONS: Final = (
    "channel_off",  # the channel's mode is off
    "rate_limited",  # over the per-user or per-channel limit
    "busy",  # the work queue was full: dropped or refused
    "failed",  # the page could not be briefed (fetch, not an article, …)
    "reply_failed",  # Discord refused the reply (message deleted, no permission, …)
)
# What became of a job an earlier run left unfinished (newsdesk_jobs_recovered_total{outcome}).
RECOVERY_OUTCOMES: Final = (
    "answered",  # briefed and replied now
    "already_answered",  # its reply was found in the channel: not posted again
    "gone",  # the message (or its channel) no longer exists
    "abandoned",  # older than the recovery window: left unanswered
)
# Seconds from asking for a briefing to having it: a cache hit is milliseconds, a page a few
# seconds, the fetch deadline 15 s.
BRIEFING_BUCKETS: Final = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0)


@dataclass(frozen=True, slots=True)
class ShardReading:
    shard_id: int
    connected: bool
    latency: float | None = None  # seconds between heartbeat and its ACK; None until measured


@dataclass(frozen=True, slots=True)
class Readings:
    """The bot's state at one scrape."""

    shards: list[ShardReading] = field(default_factory=list)
    queue_waiting: int = 0
    queue_in_flight: int = 0
    queue_dropped: int = 0  # auto-replies dropped and commands refused, since start
    workers_alive: int = 0
    worker_restarts: int = 0
    message_content: bool = True


class Metrics:
    """One registry per bot (never the library's global one, so two bots in one test process
    do not share counters). `read` is set by the bot once it can answer."""

    def __init__(self, read: Callable[[], Readings] | None = None) -> None:
        self.read = read
        self.registry = CollectorRegistry()
        r = self.registry
        self.links_seen = Counter(
            "newsdesk_links_seen",
            "Article links (and attached pages) found in posted messages.",
            registry=r,
        )
        self.links_briefed = Counter(
            "newsdesk_links_briefed", "Links answered with a briefing in the channel.", registry=r
        )
        self.links_skipped = Counter(
            "newsdesk_links_skipped",
            "Links seen that got no briefing, by reason.",
            ["reason"],
            registry=r,
        )
        for reason in SKIP_REASONS:  # every reason exported from the start, at 0
            self.links_skipped.labels(reason=reason)
        self.briefing_seconds = Histogram(
            "newsdesk_briefing_seconds",
            "Time to brief one link (queue, cache, fetch, analysis), by whether it came from "
            "the cache.",
            ["cached"],
            buckets=BRIEFING_BUCKETS,
            registry=r,
        )
        self.cache_hits = Counter(
            "newsdesk_cache_hits",
            "Briefings served from the cache or a fetch already in flight.",
            registry=r,
        )
        self.cache_misses = Counter(
            "newsdesk_cache_misses", "Briefings that needed a fetch of their own.", registry=r
        )
        self.database_errors = Counter(
            "newsdesk_database_errors", "Database operations that failed.", registry=r
        )
        # Work across processes and restarts (bot/storage/intake.py, leases.py).
        self.jobs_recovered = Counter(
            "newsdesk_jobs_recovered",
            "Link messages taken on by an earlier run and finished by this process after a "
            "restart, by outcome.",
            ["outcome"],
            registry=r,
        )
        for outcome in RECOVERY_OUTCOMES:
            self.jobs_recovered.labels(outcome=outcome)
        self.history_links = Counter(
            "newsdesk_history_links",
            "Links in messages posted while this shard was down, found by reading channel "
            "history back on start and taken on.",
            registry=r,
        )
        self.lease_waits = Counter(
            "newsdesk_lease_waits",
            "Fetches that waited for another process fetching the same link (then used its "
            "briefing).",
            registry=r,
        )
        r.register(_StateCollector(self))
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)

    # -- events -----------------------------------------------------------------------------

    def seen(self, links: int) -> None:
        self.links_seen.inc(links)

    def answered(self, links: int) -> None:
        self.links_briefed.inc(links)

    def skipped(self, reason: str, links: int = 1) -> None:
        if links > 0:
            self.links_skipped.labels(reason=reason).inc(links)

    def recovered(self, outcome: str) -> None:
        self.jobs_recovered.labels(outcome=outcome).inc()

    def read_back(self, links: int) -> None:
        if links > 0:
            self.history_links.inc(links)

    def lease_waited(self) -> None:
        self.lease_waits.inc()

    def briefed(self, seconds: float, *, cached: bool) -> None:
        """The briefing service's report for one link (see `BriefingObserver`)."""
        self.briefing_seconds.labels(cached="true" if cached else "false").observe(seconds)
        (self.cache_hits if cached else self.cache_misses).inc()


class _StateCollector(Collector):
    """Gauges (and the counters the runtime keeps itself) read from the bot at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def describe(self) -> list[Metric]:
        return []  # names are only known at collect time for shards; skip the registry's check

    def collect(self) -> Iterator[Metric]:
        read = self._metrics.read
        state = read() if read is not None else Readings()
        connected = GaugeMetricFamily(
            "newsdesk_shard_connected",
            "1 while the shard's gateway connection is up.",
            labels=["shard"],
        )
        latency = GaugeMetricFamily(
            "newsdesk_gateway_latency_seconds",
            "Time between a gateway heartbeat and its acknowledgement, per shard.",
            labels=["shard"],
        )
        for shard in state.shards:
            connected.add_metric([str(shard.shard_id)], 1.0 if shard.connected else 0.0)
            if shard.latency is not None and math.isfinite(shard.latency):
                latency.add_metric([str(shard.shard_id)], shard.latency)
        yield connected
        yield latency
        yield GaugeMetricFamily(
            "newsdesk_queue_depth", "Links waiting for a free slot.", value=state.queue_waiting
        )
        yield GaugeMetricFamily(
            "newsdesk_queue_in_flight", "Links being briefed now.", value=state.queue_in_flight
        )
        yield CounterMetricFamily(
            "newsdesk_queue_dropped",
            "Work the full queue dropped (auto-replies) or refused (commands).",
            value=state.queue_dropped,
        )
        yield GaugeMetricFamily(
            "newsdesk_workers_alive",
            "Extraction worker processes alive.",
            value=state.workers_alive,
        )
        yield CounterMetricFamily(
            "newsdesk_worker_restarts",
            "Worker processes replaced after a timeout or a crash.",
            value=state.worker_restarts,
        )
        yield GaugeMetricFamily(
            "newsdesk_message_content_intent",
            "1 when the bot reads message text (Discord's Message Content intent).",
            value=1.0 if state.message_content else 0.0,
        )


class DatabaseErrorCounter(logging.Handler):
    """Counts log records that carry a database exception.

    Why the log: a failed database call is handled in many places (a listener's error hook,
    the command error handler, the digest loop, the cache and the archive that keep going
    without storing), and every one of them logs the exception, with its traceback or as an
    argument of the line. Counting there sees them all
    without each layer knowing about metrics. `is_database_error` is the storage layer's say
    in what counts (the bot passes it in).
    """

    def __init__(self, metrics: Metrics, is_database_error: Callable[[BaseException], bool]):
        super().__init__(level=logging.WARNING)
        self._metrics = metrics
        self._is_database_error = is_database_error

    def emit(self, record: logging.LogRecord) -> None:
        """Count once per record: its exception, or an exception passed as an argument
        (`log.warning("could not archive %s: %s", link, error)`), or their causes."""
        candidates = [record.exc_info[1]] if record.exc_info else []
        args = record.args if isinstance(record.args, tuple) else ()
        candidates += [arg for arg in args if isinstance(arg, BaseException)]
        if any(self._caused_by_database(error) for error in candidates):
            self._metrics.database_errors.inc()

    def _caused_by_database(self, error: BaseException | None) -> bool:
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            if self._is_database_error(error):
                return True
            seen.add(id(error))
            error = error.__cause__ or error.__context__
        return False
