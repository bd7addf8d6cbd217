"""Measure story grouping: pairwise precision/recall/F1 at several similarity thresholds.

Why: the threshold in `bot.stories` decides whether a digest merges two outlets' takes on one
event (recall) without fusing different events that share a place or a topic (precision). We
pick it from this table rather than by feel.

Data: `tests/fixtures/stories/*.json`, invented items written for this project (several outlets
per event plus look-alike singletons). No corpora needed.

Pairwise scores: every unordered pair of items is "together" in the truth when both have the
same `event`, and "together" in the prediction when grouped in the same story.

    .venv/bin/python -m bench.grouping [--fixtures DIR] [--thresholds 0.1,0.2,...]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.models import Quote  # noqa: E402
from bot.newsroom.stories import (  # noqa: E402
    DEFAULT_THRESHOLD,
    cluster,
    group_stories,
    similarity_matrix,
)
from bot.storage.archive import Share, SharedArticle  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "stories"
THRESHOLDS = (0.05, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.3, 0.35, 0.4, 0.5)


@dataclass(frozen=True, slots=True)
class Scores:
    threshold: float
    precision: float
    recall: float
    f1: float
    groups: int


def load_items(directory: Path = FIXTURES) -> tuple[list[SharedArticle], list[str]]:
    """Fixture items as `SharedArticle`s (one share each, a minute apart) and their event labels."""
    items: list[SharedArticle] = []
    labels: list[str] = []
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    for path in sorted(directory.glob("*.json")):
        for raw in json.loads(path.read_text(encoding="utf-8"))["items"]:
            n = len(items)
            items.append(
                SharedArticle(
                    url=raw["url"],
                    headline=raw["headline"],
                    site=raw.get("site"),
                    published=None,
                    byline=None,
                    lede="\n".join(raw["lede"]),
                    briefing=list(raw.get("briefing", [])),
                    quotes=[Quote(**q) for q in raw.get("quotes", [])],
                    shares=[
                        Share(
                            guild_id=1,
                            channel_id=10,
                            message_id=1000 + n,
                            jump_url=f"https://discord.com/channels/1/10/{1000 + n}",
                            poster_id=7,
                            shared_at=start + timedelta(minutes=n),
                        )
                    ],
                )
            )
            labels.append(raw["event"])
    return items, labels


def pair_counts(labels: list[str], groups: list[list[int]]) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) pairs of a grouping."""
    assigned = {i: g for g, members in enumerate(groups) for i in members}
    tp = fp = fn = 0
    for i, j in combinations(range(len(labels)), 2):
        truth = labels[i] == labels[j]
        predicted = assigned[i] == assigned[j]
        tp += truth and predicted
        fp += predicted and not truth
        fn += truth and not predicted
    return tp, fp, fn


def pairwise_scores(labels: list[str], groups: list[list[int]], threshold: float) -> Scores:
    return _scores(threshold, *pair_counts(labels, groups), groups=len(groups))


def _scores(threshold: float, tp: int, fp: int, fn: int, groups: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(threshold, precision, recall, f1, groups)


def run(directory: Path, thresholds: list[float]) -> list[Scores]:
    items, labels = load_items(directory)
    sim = similarity_matrix(items)
    return [pairwise_scores(labels, cluster(sim, t), t) for t in thresholds]


def run_subsets(
    directory: Path, thresholds: list[float], size: int, samples: int = 300, seed: int = 7
) -> list[Scores]:
    """Micro-averaged scores over random subsets: a real digest holds few items, so IDF is
    computed over few documents and similarities shift; the threshold must hold there too."""
    items, labels = load_items(directory)
    rng = random.Random(seed)
    subsets = [rng.sample(range(len(items)), size) for _ in range(samples)]
    sims = [similarity_matrix([items[i] for i in subset]) for subset in subsets]
    results = []
    for t in thresholds:
        tp = fp = fn = groups = 0
        for subset, sim in zip(subsets, sims, strict=True):
            found = cluster(sim, t)
            a, b, c = pair_counts([labels[i] for i in subset], found)
            tp, fp, fn, groups = tp + a, fp + b, fn + c, groups + len(found)
        results.append(_scores(t, tp, fp, fn, groups=round(groups / samples)))
    return results


def print_table(title: str, results: list[Scores]) -> None:
    print(title)
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'groups':>6}")
    for s in results:
        print(
            f"{s.threshold:>9.3f} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.groups:>6}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--thresholds", default=",".join(str(t) for t in THRESHOLDS))
    args = parser.parse_args(argv)
    if not args.fixtures.is_dir() or not any(args.fixtures.glob("*.json")):
        print(f"No story fixtures (*.json) found in {args.fixtures}", file=sys.stderr)
        return 2
    thresholds = [float(t) for t in args.thresholds.split(",") if t.strip()]
    items, labels = load_items(args.fixtures)
    events = len(set(labels))
    print(f"{len(items)} items, {events} true stories ({args.fixtures})")

    started = time.perf_counter()
    results = run(args.fixtures, thresholds)
    elapsed = time.perf_counter() - started

    print_table("all items together:", results)
    print(f"time: {elapsed * 1000 / len(thresholds):.2f} ms per grouping of {len(items)} items")
    combined = {s.threshold: s.f1 for s in results}
    for size in (4, 8, 12):
        subset_results = run_subsets(args.fixtures, thresholds, size)
        print()
        print_table(
            f"random subsets of {size} items (300 samples, micro-averaged):", subset_results
        )
        for s in subset_results:
            combined[s.threshold] += s.f1
    best = max(thresholds, key=lambda t: (round(combined[t], 6), -t))
    print(f"\nbest mean F1 over the four tables: {combined[best] / 4:.3f} at threshold {best:.3f}")
    print(f"bot.stories.DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}")
    print()
    print("grouping time at the default threshold (fixtures repeated as distinct links):")
    for copies in (1, 5, 10, 20):
        print(f"  {timed_grouping(items, copies)}")
    return 0


def timed_grouping(items: list[SharedArticle], copies: int) -> str:
    many = [
        replace(a, url=f"{a.url}?copy={c}", headline=f"{a.headline} ({c})")
        for c in range(copies)
        for a in items
    ]
    started = time.perf_counter()
    stories = group_stories(many)
    elapsed = time.perf_counter() - started
    return f"{len(many):>4} items -> {len(stories):>3} stories in {elapsed * 1000:7.1f} ms"


if __name__ == "__main__":
    raise SystemExit(main())
