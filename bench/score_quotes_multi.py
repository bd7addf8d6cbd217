"""Quotes and speakers per language on quotes-multi (ru, pl, el, zh), as its README defines it.

    python bench/score_quotes_multi.py [--corpora PATH] [--workers N] [--top N] [--known-language]

The metric is quotes-polnear's (bench/score_quotes.py) with the README's two CJK additions
switched on: each CJK character of a token is a token, and a CJK speaker is right when one name
(spaces removed) contains the other. Direct + mixed is the primary table here.

`--known-language` gives the pipeline each article's labelled language instead of letting it
identify one, so the table measures the quotes step apart from language identification.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, load_gold, run_pipeline
from score_quotes import Tally, score_article

FOLDER = "quotes-multi"
LANGS = ("zh", "ru", "pl", "el")
# The README's "today" row (current main on the held-out test set, direct+mixed P / R / spk).
HELD_OUT_TODAY = {"ru": ".93 / .65 / .15", "pl": ".82 / .59 / .00", "el": ".76 / .55 / .05"}
HELD_OUT_TODAY["zh"] = ".80 / .07 / .00"


def score_language(
    lang: str, gold: list[dict], predictions: dict[str, dict], top: int | None = None
) -> tuple[Tally, Tally, int]:
    """(direct tally, direct + mixed tally, articles) for one language."""
    direct, both = Tally(), Tally()
    rows = [g for g in gold if g["lang"] == lang]
    for row in rows:
        line = predictions.get(row["id"])
        quotes = [] if not line or line.get("error") else list(line.get("quotes") or [])
        if top is not None:
            quotes = quotes[:top]
        gold_direct = [q for q in row["quotes"] if q["type"] == "direct"]
        score_article(quotes, gold_direct, direct, row["id"], cjk=True)
        score_article(quotes, row["quotes"], both, row["id"], cjk=True)
    return direct, both, len(rows)


def _cells(t: Tally) -> str:
    return (
        f"{t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} | "
        f"{t.speaker_accuracy:.3f} ({t.spk_ok}/{t.spk_n}) | {t.coverage:.3f}"
    )


def report(predictions: dict[str, dict], corpus: Path, top: int | None = None) -> str:
    gold = load_gold(corpus)
    lines = [
        "Direct + mixed (primary): P | R | F1 | speaker acc. | coverage; then direct only "
        "P / R / spk" + (f"; top {top} per article" if top else "; all quotes found"),
        "",
        "| lang | art. | gold | predicted | P | R | F1 | speaker acc. | coverage "
        "| direct P / R / spk | held-out today (P / R / spk) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    totals = Tally(), Tally()
    for lang in LANGS:
        direct, both, n = score_language(lang, gold, predictions, top)
        for total, part in zip(totals, (direct, both), strict=True):
            for field in ("predicted", "gold", "matched", "spk_ok", "spk_n", "covered"):
                setattr(total, field, getattr(total, field) + getattr(part, field))
        lines.append(
            f"| {lang} | {n} | {both.gold} | {both.predicted} | {_cells(both)} "
            f"| {direct.precision:.3f} / {direct.recall:.3f} / {direct.speaker_accuracy:.3f} "
            f"| {HELD_OUT_TODAY[lang]} |"
        )
    direct, both = totals
    lines.append(
        f"| all | {len(gold)} | {both.gold} | {both.predicted} | {_cells(both)} "
        f"| {direct.precision:.3f} / {direct.recall:.3f} / {direct.speaker_accuracy:.3f} | |"
    )
    lines.append("| target | | | | ≥ .85 | ≥ .80 | | ≥ .80 | | | |")
    return "\n".join(lines)


def _brief_known(job: tuple[str, str]) -> tuple[str, dict]:
    from bot.runtime.analysis import analyse_text

    path, language = job
    text = Path(path).read_bytes().decode("utf-8", errors="replace")
    return Path(path).stem, analyse_text(path, text, language=language).to_json()


def run_known_language(corpus: Path, workers: int | None) -> dict[str, dict]:
    """id → `--json` line, each article briefed in its labelled language."""
    jobs = [(str(corpus / "text" / f"{row['id']}.txt"), row["lang"]) for row in load_gold(corpus)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(_brief_known, jobs, chunksize=4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--top", type=int, default=None)
    parser.add_argument(
        "--known-language",
        action="store_true",
        help="brief each article in its labelled language (the quotes step alone)",
    )
    args = parser.parse_args()
    corpus = corpora_path(args.corpora) / FOLDER
    if not (corpus / "gold.jsonl").is_file():
        sys.exit(f"bench: {corpus} has no gold.jsonl")
    if args.known_language:
        predictions = run_known_language(corpus, args.workers)
    else:
        paths = sorted((corpus / "text").glob("*.txt"))
        predictions = run_pipeline(paths, as_text=True, workers=args.workers)
    print(report(predictions, corpus, args.top))


if __name__ == "__main__":
    main()
