"""Per-language quality on extraction-daniel-multi (zh, ru, pl, el), as its README defines it.

    python bench/score_languages.py [--corpora PATH] [--workers N]

`report()` is what bench/quality.py prints for the `languages` section: per language, our body
F1 beside bare trafilatura's on the same pages, then the briefing checks (brief, multi, cut,
in_ref) and `language`. Where the README leaves a detail open, the choice is written next to
the code that makes it (see `is_multi` and `is_cut`).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, load_gold, run_pipeline
from score_extraction import bare_texts, metrics

FOLDER = "extraction-daniel-multi"
LANGS = ("zh", "ru", "pl", "el")
# README anchor, held-out pages (trafilatura 2.3.1 extract(), body F1) and the targets.
HELD_OUT_TRAFILATURA = {"el": 0.875, "pl": 0.821, "ru": 0.763, "zh": 0.872}

# Closing quotes and brackets that may follow a sentence's last punctuation mark.
CLOSERS = "\"'”’»›」』）)]】〕〉》"
_CJK_MULTI = re.compile(f"[。！？][{re.escape(CLOSERS)}]*\\s*[^\\s{re.escape(CLOSERS)}]")
_SPACE = re.compile(r"\s+")


def _latin_multi(lang: str) -> re.Pattern[str]:
    marks = ".!?;\u037e" if lang == "el" else ".!?"
    # a word of 4+ letters (its last four letters suffice), the mark, whitespace, a capital
    return re.compile(f"[^\\W\\d_]{{4}}[{re.escape(marks)}]\\s+(?=\\w)")


_LATIN_MULTI = {lang: _latin_multi(lang) for lang in (*LANGS, "")}


def is_multi(item: str, lang: str) -> bool:
    """More than one sentence: a 。！？ followed by more text (closing quotes/brackets right after
    the mark are not "more text": `…。”` ends one sentence), or `. ! ?` (Greek also `;`) right
    after a word of 4+ letters, then whitespace and a capital letter."""
    if _CJK_MULTI.search(item):
        return True
    pattern = _LATIN_MULTI.get(lang, _LATIN_MULTI[""])
    return any(item[m.end()].isupper() for m in pattern.finditer(item))


def is_cut(item: str, lang: str) -> bool:
    """The item does not end a sentence: its last character, after closing quotes and brackets,
    is not one of . ! ? … 。 ！ ？ (Greek: also ; and its legacy spelling U+037E)."""
    ends = ".!?…。！？" + (";\u037e" if lang == "el" else "")
    core = item.rstrip().rstrip(CLOSERS + " ")
    return not core or core[-1] not in ends


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class LangRow(NamedTuple):
    lang: str
    pages: int
    f1: dict[str, float]
    bare_f1: dict[str, float]
    brief: float
    lang_ok: float
    items: int
    multi: float
    cut: float
    in_ref: float
    failed: int


def _share(n: int, d: int) -> float:
    return n / d if d else 0.0


def score_language(
    lang: str, gold: list[dict], predictions: dict[str, dict], bare: dict[str, str]
) -> LangRow:
    rows = [g for g in gold if g["lang"] == lang]
    outputs = {g["id"]: predictions.get(g["id"]) or {"error": "no output"} for g in rows}
    ours = {i: "" if o.get("error") else (o.get("text") or "") for i, o in outputs.items()}
    bodies = {g["id"]: g["body"] for g in rows}
    briefed = items = multi = cut = in_ref = lang_ok = 0
    for g in rows:
        out = outputs[g["id"]]
        briefing = [] if out.get("error") else [b for b in out.get("briefing") or [] if b.strip()]
        briefed += bool(briefing)
        lang_ok += (out.get("language") or "").lower().startswith(lang)
        reference = normalise_space(g["body"])
        for item in briefing:
            items += 1
            multi += is_multi(item, lang)
            cut += is_cut(item, lang)
            in_ref += normalise_space(item) in reference
    return LangRow(
        lang,
        len(rows),
        metrics(ours, bodies, cjk=True),
        metrics({i: bare.get(i, "") for i in bodies}, bodies, cjk=True),
        _share(briefed, len(rows)),
        _share(lang_ok, len(rows)),
        items,
        _share(multi, items),
        _share(cut, items),
        _share(in_ref, items),
        sum(1 for o in outputs.values() if o.get("error")),
    )


def report(predictions: dict[str, dict], corpus: Path) -> str:
    """Markdown: one row per language; the issue's targets in the last row."""
    gold = load_gold(corpus)
    bare = bare_texts(corpus)
    header = (
        "| lang | pages | body F1 (P / R) | trafilatura F1 (P / R) | brief | lang_ok "
        "| items | multi | cut | in_ref | errors |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for lang in LANGS:
        r = score_language(lang, gold, predictions, bare)
        lines.append(
            f"| {lang} | {r.pages} | {r.f1['f1']:.3f} ({r.f1['p']:.3f} / {r.f1['r']:.3f}) "
            f"| {r.bare_f1['f1']:.3f} ({r.bare_f1['p']:.3f} / {r.bare_f1['r']:.3f}) "
            f"| {r.brief:.0%} | {r.lang_ok:.0%} | {r.items} | {r.multi:.1%} | {r.cut:.1%} "
            f"| {r.in_ref:.1%} | {r.failed} |"
        )
    lines.append(
        "| target (held-out) | | ≥ trafilatura + .01 | el .875 pl .821 ru .763 zh .872 "
        "| ≥ 98 % | ≥ 97 % | | ≤ 2 % | ≤ 2 % | ≥ 95 % | |"
    )
    lines.append("")
    lines.append(
        "Body F1 = AEB 4-shingle F1, a token holding CJK characters counted per character; "
        "trafilatura = bare `extract(page_bytes)` on the same pages, scored the same way."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    corpus = corpora_path(args.corpora) / FOLDER
    if not (corpus / "gold.jsonl").is_file():
        sys.exit(f"bench: {corpus} has no gold.jsonl")
    paths = sorted((corpus / "html").glob("*.html"))
    print(report(run_pipeline(paths, as_text=False, workers=args.workers), corpus))


if __name__ == "__main__":
    main()
