"""Score the extractive briefing against CNN/DM reference highlights (ROUGE, stemmed).

    .venv/bin/python bench/score_summaries.py [--corpora PATH] [--no-ablation]

Runs `make_briefing` directly on `summaries-cnndm/text/<id>.txt` (paragraphs = non-blank lines,
no quotes step), prints the ROUGE table beside the Lead-3 anchor, the ablation of each
ingredient and the median time per article. The metric follows the corpus README exactly:
`rouge_score` R-1/R-2/R-Lsum F1 x 100, prediction = briefing items joined by newlines, reference =
each summary line split by the README's regex; an article without a briefing scores 0.

`report()` is importable by path (spec_from_file_location; no need to register the module in
sys.modules, hence NamedTuples rather than dataclasses) for benchmarks that have pipeline output.
rouge_score is a bench-only dependency; bot/ never imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.briefing.extractive import DEFAULT_CONFIG, make_briefing, select_sentences  # noqa: E402
from bot.text.sentences import split_sentences  # noqa: E402

CORPUS = "summaries-cnndm"
LEAD3_ANCHOR = (40.52, 17.94, 36.71)
_REF_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_METRICS = ("rouge1", "rouge2", "rougeLsum")


class Article(NamedTuple):
    id: str
    paragraphs: list[str]
    reference: str  # already split into sentence lines, as the metric wants


class Scores(NamedTuple):
    r1: float
    r2: float
    rlsum: float
    share_3_5: float  # share of briefings with 3-5 sentences
    sentences: float  # mean number of items
    chars: float  # mean characters per briefing


def default_corpora() -> Path:
    return Path(os.environ.get("NEWSDESK_CORPORA") or REPO.parent / "shared" / "corpora")


def corpus_dir(path: Path) -> Path:
    """Accept either the corpora root or the summaries-cnndm folder itself."""
    return path if (path / "gold.jsonl").exists() else path / CORPUS


def split_reference(text: str) -> list[str]:
    return [part for line in text.splitlines() for part in _REF_SPLIT.split(line) if part.strip()]


def load(corpus: Path) -> list[Article]:
    folder = corpus_dir(corpus)
    articles = []
    with (folder / "gold.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            text = (folder / "text" / f"{row['id']}.txt").read_text(encoding="utf-8")
            paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
            reference = "\n".join(split_reference(row["summary"]))
            articles.append(Article(row["id"], paragraphs, reference))
    return articles


def lead3(paragraphs: list[str]) -> list[str]:
    """The anchor: the first three sentences, the README's splitter applied to each line."""
    return [s for p in paragraphs for s in _REF_SPLIT.split(p) if s.strip()][:3]


def score(articles: list[Article], briefings: dict[str, list[str]]) -> Scores:
    from rouge_score.rouge_scorer import RougeScorer

    scorer = RougeScorer(list(_METRICS), use_stemmer=True)
    totals = [0.0, 0.0, 0.0]
    in_range = 0
    items = chars = 0
    for article in articles:
        lines = [b.strip() for b in briefings.get(article.id) or [] if b.strip()]
        items += len(lines)
        chars += sum(len(b) for b in lines)
        in_range += 3 <= len(lines) <= 5
        if not lines:
            continue
        result = scorer.score(article.reference, "\n".join(lines))
        for i, metric in enumerate(_METRICS):
            totals[i] += result[metric].fmeasure * 100
    n = max(len(articles), 1)
    return Scores(*(t / n for t in totals), in_range / n, items / n, chars / n)


def _row(name: str, s: Scores) -> str:
    return (
        f"| {name} | {s.r1:.2f} | {s.r2:.2f} | {s.rlsum:.2f} | {s.share_3_5:.0%} "
        f"| {s.sentences:.2f} | {s.chars:.0f} |"
    )


_HEADER = (
    "| system | R-1 | R-2 | R-Lsum | 3-5 sentences | mean items | mean chars |\n"
    "|---|---|---|---|---|---|---|"
)


def report(predictions: dict[str, dict], corpus: Path) -> str:
    """Markdown table: the Lead-3 anchor (recomputed) beside `predictions` (id → output dict).

    An id without an output, with `error` set, or with an empty briefing scores 0.
    """
    articles = load(corpus)
    ours = {
        key: list(out.get("briefing") or [])
        for key, out in predictions.items()
        if isinstance(out, dict) and not out.get("error")
    }
    anchor = score(articles, {a.id: lead3(a.paragraphs) for a in articles})
    lines = [
        _HEADER,
        _row(f"Lead-3 (README anchor {'/'.join(map(str, LEAD3_ANCHOR))})", anchor),
        _row("Newsdesk briefing", score(articles, ours)),
    ]
    return "\n".join(lines)


Briefer = Callable[[list[str]], list[str]]


def _run(articles: list[Article], brief: Briefer) -> dict[str, list[str]]:
    return {a.id: brief(a.paragraphs) for a in articles}


def _config(max_chars: int = 600, **changes: object) -> Briefer:
    config = replace(DEFAULT_CONFIG, **changes)  # type: ignore[arg-type]

    def brief(paragraphs: list[str]) -> list[str]:
        return select_sentences(paragraphs, [], max_chars, "en", config)

    return brief


ABLATION: list[tuple[str, Briefer]] = [
    ("shipped (defaults, 600-char cap)", _config()),
    ("cap 500 chars", _config(500)),
    ("no cap (max_chars=10000)", _config(10_000)),
    ("− boilerplate/fragment filter (all of it)", _config(filters=False)),
    ("unterminated lines: never (shipped: from 15 words, en)", _config(unterminated_words=None)),
    ("unterminated lines: from 10 words", _config(unterminated_words=10)),
    ("− coherence (leaning items anywhere)", _config(coherent=False)),
    ("unterminated lines: from 6 words", _config(unterminated_words=6)),
    ("− quote filter", _config(quote_filter=False)),
    ("− lede-first guarantee", _config(lede_first=False)),
    ("− centrality (position prior only)", _config(centrality=False)),
    ("− position prior (centrality only)", _config(position_weight=0.0)),
    ("position weight 0.5 (shipped 0.6)", _config(position_weight=0.5)),
    ("position weight 0.7", _config(position_weight=0.7)),
    ("− MMR (lambda 1.0, shipped 0.6)", _config(mmr_lambda=1.0)),
    ("MMR lambda 0.5", _config(mmr_lambda=0.5)),
    ("MMR lambda 0.7", _config(mmr_lambda=0.7)),
    ("selection order (not article order)", _config(article_order=False)),
    ("fill up to 5 sentences within the cap", _config(fill_chars=10_000)),
    ("fill while under 400 chars", _config(fill_chars=400)),
    (
        "no room reserved for the 3rd item",
        _config(min_sentences=1, fill_chars=10_000, max_sentences=3),
    ),
]


def _verbatim_failures(articles: list[Article], briefings: dict[str, list[str]]) -> int:
    bad = 0
    for article in articles:
        text = "\n".join(article.paragraphs)
        bad += sum(item not in text for item in briefings.get(article.id, []))
    return bad


def _median_ms(
    articles: list[Article], fn: Callable[[list[str]], object], repeat: int = 5
) -> float:
    """Median over articles of the best of `repeat` runs (the best run hides scheduler noise)."""
    times = []
    for article in articles:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            fn(article.paragraphs)
            best = min(best, time.perf_counter() - start)
        times.append(best)
    return statistics.median(times) * 1000


def _split_all(paragraphs: list[str]) -> None:
    for paragraph in paragraphs:
        split_sentences(paragraph, "en")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=default_corpora())
    parser.add_argument("--no-ablation", action="store_true")
    args = parser.parse_args(argv)
    folder = corpus_dir(args.corpora)
    if not (folder / "gold.jsonl").exists():
        print(f"corpus not found: {folder} (set --corpora or NEWSDESK_CORPORA)", file=sys.stderr)
        return 2
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        print("rouge_score is not installed (pip install rouge-score)", file=sys.stderr)
        return 2
    articles = load(folder)
    briefings = {a.id: make_briefing(a.paragraphs, [], language="en") for a in articles}
    predictions = {key: {"briefing": items} for key, items in briefings.items()}
    print(f"## Briefing vs CNN/DM highlights ({len(articles)} articles)\n")
    print(report(predictions, folder))
    print(f"\nitems not verbatim in the article: {_verbatim_failures(articles, briefings)}")
    if not args.no_ablation:
        print("\n## Ablation (each row changes one thing from the shipped defaults)\n")
        print(_HEADER)
        for name, brief in ABLATION:
            print(_row(name, score(articles, _run(articles, brief))))
    brief_ms = _median_ms(articles, lambda p: make_briefing(p, [], language="en"))
    split_ms = _median_ms(articles, _split_all)
    print(
        f"\nmedian per article: make_briefing {brief_ms:.2f} ms, splitting alone {split_ms:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
