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
# section → (corpus folder, table title, whether its inputs are plain text)
SOURCES = {
    "extraction": ("extraction-zyte", "Body extraction — extraction-zyte", False),
    "metadata": ("metadata", "Headline, byline, date — metadata", False),
    "quotes": ("quotes-polnear", "Quotes and speakers — quotes-polnear", True),
    "summaries": ("summaries-cnndm", "Briefing — summaries-cnndm", True),
}
SECTIONS = tuple(SOURCES)


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

    for key in only:
        folder_name, title, as_text = SOURCES[key]
        start = time.perf_counter()
        folder = root / folder_name
        pattern = "text/*.txt" if as_text else "html/*.html"
        paths = sorted(folder.glob(pattern))
        preds = run_pipeline(paths, as_text=as_text, workers=args.workers)
        scorer = _scorer(key)
        if key == "quotes":
            body = "\n\n".join(
                f"### {split}, all quotes\n\n{scorer.report(preds, folder, split=split)}\n\n"
                f"### {split}, top 3 (what the embed shows)\n\n"
                f"{scorer.report(preds, folder, split=split, top=3)}"
                for split in ("dev", "train")
            )
        else:
            body = scorer.report(preds, folder)
        _section(title, body, time.perf_counter() - start)


if __name__ == "__main__":
    main()
