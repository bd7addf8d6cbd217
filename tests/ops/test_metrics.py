"""`/metrics` content: events counted as they happen, states read at scrape time."""

from __future__ import annotations

import logging
import math
import sqlite3

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.errors import StorageUnavailable
from bot.ops.metrics import SKIP_REASONS, DatabaseErrorCounter, Metrics, Readings, ShardReading


def scrape(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one scrape: (name, sorted labels) → value."""
    text = generate_latest(metrics.registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_link_events_are_counted_by_reason() -> None:
    metrics = Metrics()
    before = scrape(metrics)
    for reason in SKIP_REASONS:  # every reason is there from the start, at 0
        assert before[("newsdesk_links_skipped_total", (("reason", reason),))] == 0
    metrics.seen(3)
    metrics.answered(1)
    metrics.skipped("rate_limited", 2)
    metrics.skipped("failed", 0)  # nothing to count
    after = scrape(metrics)
    assert after[("newsdesk_links_seen_total", ())] == 3
    assert after[("newsdesk_links_briefed_total", ())] == 1
    assert after[("newsdesk_links_skipped_total", (("reason", "rate_limited"),))] == 2
    assert after[("newsdesk_links_skipped_total", (("reason", "failed"),))] == 0


def test_briefing_times_fill_a_histogram_split_by_cache() -> None:
    metrics = Metrics()
    metrics.briefed(0.004, cached=True)
    metrics.briefed(2.5, cached=False)
    metrics.briefed(40.0, cached=False)
    samples = scrape(metrics)
    fresh = (("cached", "false"),)
    assert samples[("newsdesk_briefing_seconds_count", fresh)] == 2
    assert samples[("newsdesk_briefing_seconds_bucket", (("cached", "false"), ("le", "3.0")))] == 1
    assert samples[("newsdesk_briefing_seconds_bucket", (("cached", "false"), ("le", "+Inf")))] == 2
    assert samples[("newsdesk_briefing_seconds_sum", (("cached", "true"),))] == 0.004
    assert samples[("newsdesk_cache_hits_total", ())] == 1
    assert samples[("newsdesk_cache_misses_total", ())] == 2


def test_states_are_read_from_the_bot_at_each_scrape() -> None:
    state = Readings(
        shards=[ShardReading(0, True, 0.042), ShardReading(1, False, math.inf)],
        queue_waiting=4,
        queue_in_flight=2,
        queue_dropped=7,
        workers_alive=3,
        worker_restarts=1,
        message_content=False,
    )
    metrics = Metrics(read=lambda: state)
    samples = scrape(metrics)
    assert samples[("newsdesk_shard_connected", (("shard", "0"),))] == 1
    assert samples[("newsdesk_shard_connected", (("shard", "1"),))] == 0
    assert samples[("newsdesk_gateway_latency_seconds", (("shard", "0"),))] == 0.042
    # No heartbeat answered yet on shard 1: no latency sample rather than +Inf.
    assert ("newsdesk_gateway_latency_seconds", (("shard", "1"),)) not in samples
    assert samples[("newsdesk_queue_depth", ())] == 4
    assert samples[("newsdesk_queue_in_flight", ())] == 2
    assert samples[("newsdesk_queue_dropped_total", ())] == 7
    assert samples[("newsdesk_workers_alive", ())] == 3
    assert samples[("newsdesk_worker_restarts_total", ())] == 1
    assert samples[("newsdesk_message_content_intent", ())] == 0
    assert ("process_resident_memory_bytes", ()) in samples  # the library's process series


def test_two_bots_in_one_process_keep_their_own_counters() -> None:
    first, second = Metrics(), Metrics()
    first.seen(5)
    assert scrape(second)[("newsdesk_links_seen_total", ())] == 0


def test_logged_database_errors_are_counted_whatever_logs_them() -> None:
    metrics = Metrics()
    counter = DatabaseErrorCounter(metrics, lambda e: isinstance(e, sqlite3.Error))
    log = logging.getLogger("newsdesk.test.db")
    log.addHandler(counter)
    try:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.Error:
            log.exception("could not store the mode")
        try:  # the database's error as the cause of another one
            try:
                raise sqlite3.OperationalError("disk I/O error")
            except sqlite3.Error as error:
                raise StorageUnavailable("could not open the database") from error
        except StorageUnavailable:
            log.warning("start failed", exc_info=True)
        try:  # handled, and logged with the exception as an argument of the line
            raise sqlite3.OperationalError("no such table: shares")
        except sqlite3.Error as error:
            log.warning("could not archive %s: %s", "a link", error)
        try:
            raise ValueError("not the database")
        except ValueError:
            log.exception("something else")
        log.error("a line without an exception")
        log.warning("an argument that is no exception: %s", "sqlite3.Error")
    finally:
        log.removeHandler(counter)
    assert scrape(metrics)[("newsdesk_database_errors_total", ())] == 3
