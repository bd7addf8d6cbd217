"""Body extraction quality on extraction-zyte, exactly as its README's metric (the AEB one).

    python bench/score_extraction.py [--corpora PATH]

`report()` scores the pipeline's `--json` lines; `main()` runs `extract_article` +
`clean_article` directly and also prints speed (ours vs bare `trafilatura.extract`) and what
the cleaning step changed (F1 with and without it), because those are the two numbers that
decide whether a tweak to extraction or cleaning is worth keeping.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cjk import word_tokens
from common import add_corpora_arg, corpora_path, load_gold

# The README's anchor rows (F1, P, R, accuracy), on exactly these 181 pages.
ANCHORS = [
    ("trafilatura 2.0.0 (published outputs)", 0.958, 0.938, 0.978, 0.293),
    ("newspaper4k 0.9.3.1 (published outputs)", 0.949, 0.964, 0.934, 0.326),
    ("Readability.js 0.6.0 (published outputs)", 0.947, 0.914, 0.982, 0.166),
    ("readability-lxml 0.8.4.1 (published outputs)", 0.922, 0.913, 0.932, 0.315),
    ("goose3 3.1.20 (published outputs)", 0.896, 0.940, 0.857, 0.232),
]


def shingles(text: str, n: int = 4, *, cjk: bool = False) -> Counter[tuple[str, ...]]:
    """`cjk`: the extraction-daniel-multi rule (each CJK character a token); off for zyte."""
    tokens = word_tokens(text, cjk=cjk)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


class PageScore(NamedTuple):
    """Per-page shingle counts, normalised by their total (a NamedTuple, not a dataclass:
    bench/quality.py loads this file without registering it in sys.modules)."""

    tp: float
    fp: float
    fn: float
    exact: bool


def score_page(pred: str, gold: str, *, cjk: bool = False) -> PageScore:
    p, g = shingles(pred, cjk=cjk), shingles(gold, cjk=cjk)
    tp = sum(min(c, p[s]) for s, c in g.items())
    fp = sum(p.values()) - tp
    fn = sum(g.values()) - tp
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(tp, fp, fn, word_tokens(pred, cjk=cjk) == word_tokens(gold, cjk=cjk))


def _prf(scores: list[PageScore]) -> tuple[float, float, float, float]:
    precisions, recalls = [], []
    for s in scores:
        if s.tp + s.fp > 0:
            precisions.append(
                1.0 if s.fp == s.fn == 0 else (0.0 if s.tp == s.fp == 0 else s.tp / (s.tp + s.fp))
            )
        if s.tp + s.fn > 0:
            recalls.append(
                1.0 if s.fp == s.fn == 0 else (0.0 if s.tp == s.fn == 0 else s.tp / (s.tp + s.fn))
            )
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = sum(s.exact for s in scores) / len(scores) if scores else 0.0
    return f1, p, r, acc


def metrics(texts: dict[str, str], gold: dict[str, str], *, cjk: bool = False) -> dict[str, float]:
    """F1/P/R/accuracy over every gold page (missing text = empty), plus bootstrap std of F1."""
    scores = [score_page(texts.get(i, ""), body, cjk=cjk) for i, body in gold.items()]
    f1, p, r, acc = _prf(scores)
    rng = random.Random(0)
    boot = [_prf(rng.choices(scores, k=len(scores)))[0] for _ in range(1000)]
    mean = sum(boot) / len(boot)
    std = (sum((b - mean) ** 2 for b in boot) / len(boot)) ** 0.5
    return {"f1": f1, "p": p, "r": r, "acc": acc, "std": std}


def _gold(corpus: Path) -> dict[str, str]:
    return {row["id"]: row["body"] for row in load_gold(corpus)}


_BARE_CACHE: dict[Path, dict[str, str]] = {}


def bare_texts(corpus: Path) -> dict[str, str]:
    """Bare `trafilatura.extract(page_bytes)` on every page (defaults), computed here."""
    if corpus not in _BARE_CACHE:
        import trafilatura

        out = {}
        for page in sorted((corpus / "html").glob("*.html")):
            out[page.stem] = trafilatura.extract(page.read_bytes()) or ""
        _BARE_CACHE[corpus] = out
    return _BARE_CACHE[corpus]


def _row(name: str, m: dict[str, float]) -> str:
    f1 = f"{m['f1']:.3f} ± {m['std']:.3f}"
    return f"| {name} | {f1} | {m['p']:.3f} | {m['r']:.3f} | {m['acc']:.3f} |"


def report(predictions: dict[str, dict], corpus: Path) -> str:
    """Markdown table: ours vs bare trafilatura on the same pages, plus the README anchors."""
    gold = _gold(corpus)
    ours = {
        i: ("" if out.get("error") else (out.get("text") or "")) for i, out in predictions.items()
    }
    failed = sorted(i for i in gold if i not in predictions or predictions[i].get("error"))
    lines = [
        "| system | F1 | P | R | acc |",
        "|---|---|---|---|---|",
        _row("**ours** (extract + clean)", metrics(ours, gold)),
        _row(
            "trafilatura 2.3.1 `extract(page_bytes)` (computed here)",
            metrics(bare_texts(corpus), gold),
        ),
    ]
    lines += [f"| {n} | {f:.3f} | {p:.3f} | {r:.3f} | {a:.3f} |" for n, f, p, r, a in ANCHORS]
    lines.append("")
    lines.append(f"Pages with an error or no output (scored empty): {len(failed)}")
    for i in failed:
        err = (predictions.get(i) or {}).get("error") or {"message": "no output"}
        lines.append(f"- `{i[:16]}`: {err.get('message')}")
    return "\n".join(lines)


def _timed(fn: Callable[[bytes], object], pages: list[bytes]) -> tuple[list[object], float]:
    """Results and pages per CPU-second (process time: the machine may be shared)."""
    start = time.process_time()
    results = [fn(data) for data in pages]
    return results, len(pages) / max(time.process_time() - start, 1e-9)


def text_corpus_drops(root: Path) -> list[str]:
    """How many paragraphs cleaning drops on the plain-text corpora (should be ~0 there)."""
    from bot.article.clean import clean_paragraphs

    lines = []
    for name in ("quotes-polnear", "summaries-cnndm"):
        folder = root / name / "text"
        if not folder.is_dir():
            continue
        total = dropped = 0
        for path in sorted(folder.glob("*.txt")):
            paragraphs = [p.strip() for p in path.read_text("utf-8").splitlines() if p.strip()]
            kept, _ = clean_paragraphs(paragraphs)
            total += len(paragraphs)
            dropped += len(paragraphs) - len(kept)
        lines.append(f"- {name}: {dropped} of {total} paragraphs dropped")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    args = parser.parse_args()
    corpus = corpora_path(args.corpora) / "extraction-zyte"
    if not (corpus / "gold.jsonl").is_file():
        sys.exit(f"bench: {corpus} has no gold.jsonl")

    import trafilatura

    from bot.article.clean import clean_article
    from bot.article.extract import extract_article
    from bot.errors import PipelineError

    paths = sorted((corpus / "html").glob("*.html"))
    pages = [p.read_bytes() for p in paths]
    ids = [p.stem for p in paths]

    def ours(data: bytes) -> dict:
        try:
            raw = extract_article(data)
        except PipelineError as error:
            return {"error": error.failure.to_json(), "raw": "", "text": ""}
        return {"raw": raw.text, "text": clean_article(raw).text, "error": None}

    ours(pages[0])  # warm imports and lazy tables before timing either side
    trafilatura.extract(pages[0])
    bare, bare_speed = _timed(trafilatura.extract, pages)
    results, our_speed = _timed(ours, pages)
    # second interleaved round, best of two each: evens out a busy machine
    bare_speed = max(bare_speed, _timed(trafilatura.extract, pages)[1])
    our_speed = max(our_speed, _timed(ours, pages)[1])
    _BARE_CACHE[corpus] = {i: t or "" for i, t in zip(ids, bare, strict=True)}
    predictions = dict(zip(ids, results, strict=True))

    print(report(predictions, corpus))
    gold = _gold(corpus)
    raw = metrics({i: r["raw"] for i, r in predictions.items()}, gold)
    print()
    print("| cleaning | F1 | P | R | acc |")
    print("|---|---|---|---|---|")
    print(_row("without clean (extract_article only)", raw))
    print(_row("with clean", metrics({i: r["text"] for i, r in predictions.items()}, gold)))
    dropped = sum(
        len(r["raw"].split("\n")) - len(r["text"].split("\n"))
        for r in predictions.values()
        if r["raw"]
    )
    print(f"\nParagraphs removed by cleaning on extraction-zyte: {dropped}")
    print("\nCleaning on the plain-text corpora (the --text path):")
    print("\n".join(text_corpus_drops(corpus.parent)))
    print(
        f"\nSpeed (one process, CPU time, best of 2, {len(pages)} pages): "
        f"ours (extract + clean) {our_speed:.1f} pages/s, "
        f"bare trafilatura.extract {bare_speed:.1f} pages/s "
        f"(ratio {our_speed / bare_speed:.2f}, target ≥ 0.80)"
    )


if __name__ == "__main__":
    main()
