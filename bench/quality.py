"""Quality of every pipeline step on the shared corpora, one table each.

    python bench/quality.py [--corpora PATH] [--only extraction,metadata,quotes,summaries,...]

Sections: extraction, metadata, quotes, summaries (English/German sets), languages and
quotes_multi (zh/ru/pl/el, issue 12), dangling (English briefing coherence, issue 12).

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
# corpus folder → whether its inputs are plain text (`--text`) rather than HTML pages
INPUTS = {
    "extraction-zyte": False,
    "metadata": False,
    "quotes-polnear": True,
    "summaries-cnndm": True,
    "extraction-daniel-multi": False,
    "quotes-multi": True,
}
# section → (corpus folders it reads, table title); its scorer is bench/score_<section>.py
SOURCES = {
    "extraction": (("extraction-zyte",), "Body extraction — extraction-zyte"),
    "metadata": (("metadata",), "Headline, byline, date — metadata"),
    "quotes": (("quotes-polnear",), "Quotes and speakers — quotes-polnear"),
    "summaries": (("summaries-cnndm",), "Briefing — summaries-cnndm"),
    "languages": (
        ("extraction-daniel-multi",),
        "Body, briefing and language per language — extraction-daniel-multi",
    ),
    "quotes_multi": (("quotes-multi",), "Quotes and speakers per language — quotes-multi"),
    "dangling": (
        ("summaries-cnndm", "extraction-zyte"),
        "English briefing items that dangle — summaries-cnndm, extraction-zyte",
    ),
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


def _body(key: str, scorer, outputs: list[tuple[Path, dict]]) -> str:
    if key == "quotes":
        (folder, preds), *_ = outputs
        return "\n\n".join(
            f"### {split}, all quotes\n\n{scorer.report(preds, folder, split=split)}\n\n"
            f"### {split}, top 3 (what the embed shows)\n\n"
            f"{scorer.report(preds, folder, split=split, top=3)}"
            for split in ("dev", "train")
        )
    if key == "quotes_multi":
        (folder, preds), *_ = outputs
        return (
            f"### all quotes\n\n{scorer.report(preds, folder)}\n\n"
            f"### top 3 (what the embed shows)\n\n{scorer.report(preds, folder, top=3)}"
        )
    if key == "dangling":
        return scorer.report_rows([(f.name, p) for f, p in outputs], examples=3)
    (folder, preds), *_ = outputs
    return scorer.report(preds, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    args = parser.parse_args()
    root = corpora_path(args.corpora)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in SOURCES]
    if unknown:
        sys.exit(f"quality: unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")

    cache: dict[str, dict] = {}  # corpus folder → pipeline output, shared between sections
    for key in only:
        folders, title = SOURCES[key]
        start = time.perf_counter()
        outputs = []
        for name in folders:
            folder = root / name
            if name not in cache:
                as_text = INPUTS[name]
                paths = sorted(folder.glob("text/*.txt" if as_text else "html/*.html"))
                cache[name] = run_pipeline(paths, as_text=as_text, workers=args.workers)
            outputs.append((folder, cache[name]))
        _section(title, _body(key, _scorer(key), outputs), time.perf_counter() - start)


if __name__ == "__main__":
    main()
