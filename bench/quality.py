"""Quality of every pipeline step on the shared corpora, one table each.

    python bench/quality.py [--corpora PATH] [--only extraction,metadata,quotes,summaries]

Each table puts our figure beside the anchors of the corpus README. The scorers live in
bench/score_*.py and implement each README's metric exactly.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, run_pipeline

BENCH = Path(__file__).resolve().parent
SECTIONS = ("extraction", "metadata", "quotes", "summaries")


def _scorer(name: str):
    spec = importlib.util.spec_from_file_location(f"score_{name}", BENCH / f"score_{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section(title: str, body: str, seconds: float) -> None:
    print(f"\n## {title}  ({seconds:.0f} s)\n")
    print(body.rstrip())
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    args = parser.parse_args()
    root = corpora_path(args.corpora)
    only = [s.strip() for s in args.only.split(",") if s.strip()]

    if "extraction" in only:
        start = time.perf_counter()
        folder = root / "extraction-zyte"
        preds = run_pipeline(sorted((folder / "html").glob("*.html")), as_text=False)
        body = _scorer("extraction").report(preds, folder)
        _section("Body extraction — extraction-zyte", body, time.perf_counter() - start)
    if "metadata" in only:
        start = time.perf_counter()
        folder = root / "metadata"
        preds = run_pipeline(sorted((folder / "html").glob("*.html")), as_text=False)
        body = _scorer("metadata").report(preds, folder)
        _section("Headline, byline, date — metadata", body, time.perf_counter() - start)
    if "quotes" in only:
        start = time.perf_counter()
        folder = root / "quotes-polnear"
        preds = run_pipeline(sorted((folder / "text").glob("*.txt")), as_text=True)
        scorer = _scorer("quotes")
        parts = [
            f"### {split}, all quotes\n\n{scorer.report(preds, folder, split=split)}\n\n"
            f"### {split}, top 3 (what the embed shows)\n\n"
            f"{scorer.report(preds, folder, split=split, top=3)}"
            for split in ("dev", "train")
        ]
        _section(
            "Quotes and speakers — quotes-polnear", "\n\n".join(parts), time.perf_counter() - start
        )
    if "summaries" in only:
        start = time.perf_counter()
        folder = root / "summaries-cnndm"
        preds = run_pipeline(sorted((folder / "text").glob("*.txt")), as_text=True)
        body = _scorer("summaries").report(preds, folder)
        _section("Briefing — summaries-cnndm", body, time.perf_counter() - start)


if __name__ == "__main__":
    main()
