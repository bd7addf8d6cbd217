"""Score quote extraction on quotes-polnear exactly as its README defines the metric.

    python bench/score_quotes.py [--corpora PATH] [--split dev|train] [--top N]

`report()` is imported by bench/quality.py; `main()` runs `extract_quotes` straight on the text
files (no cleaning step), so the table measures the quotes step alone, and times it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from cjk import has_cjk, split_cjk  # noqa: E402

DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
FOLDER = "quotes-polnear"
MIN_F1 = 0.6
# The README's bare-pronoun list; `speaker_is_pronoun` is authoritative, this is a fallback.
PRONOUNS = frozenset(
    {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "his", "hers", "this"}
    | {"that", "who"}
)

# The README's anchor rows: (split, system, P, R, F1, speaker acc, coverage, "P / R / spk" d+m).
ANCHORS = (
    (
        "dev",
        "qx all (rules prototype)",
        ".402",
        ".983",
        ".570",
        ".590",
        ".803",
        ".538 / .763 / .526",
    ),
    ("dev", "qx top-5", ".861", ".565", ".682", ".833", "1.000", ".954 / .362 / .821"),
    ("dev", "naive regex", ".544", ".942", ".690", ".138", ".215", ".696 / .697 / .114"),
    (
        "train",
        "qx all (rules prototype)",
        ".405",
        ".989",
        ".575",
        ".701",
        ".829",
        ".542 / .775 / .629",
    ),
    ("train", "qx top-5", ".820", ".567", ".670", ".886", "1.000", ".932 / .378 / .878"),
    ("train", "naive regex", ".524", ".937", ".672", ".159", ".245", ".681 / .713 / .140"),
)

_MARKS = str.maketrans({c: '"' for c in "“”„‟«»‹›〝〞＂"} | {c: "'" for c in "‘’‚‛′"})
_WORD = re.compile(r"\w+")


def tokens(text: str, *, cjk: bool = False) -> list[str]:
    """README normalisation: NFKC, marks unified then dropped, whitespace collapsed, casefold.

    `cjk`: quotes-multi's addition, each CJK character of a token is a token of its own."""
    text = unicodedata.normalize("NFKC", text).translate(_MARKS).replace('"', " ")
    found = _WORD.findall(" ".join(text.split()).casefold())
    return split_cjk(found) if cjk else found


def token_f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return 0.0
    counts: dict[str, int] = {}
    for tok in gold:
        counts[tok] = counts.get(tok, 0) + 1
    overlap = 0
    for tok in pred:
        if counts.get(tok, 0) > 0:
            counts[tok] -= 1
            overlap += 1
    return 2 * overlap / (len(pred) + len(gold))


def _speaker_tokens(name: str) -> list[str]:
    out = []
    for raw in unicodedata.normalize("NFKC", name).split():
        tok = raw.strip(".,;:!?()[]{}\"'“”‘’«»-—–").casefold()
        tok = re.sub(r"['’]s$", "", tok)
        tok = tok.strip(".,;:!?()[]{}\"'“”‘’«»-—–")
        if tok:
            out.append(tok)
    return out


def speaker_correct(pred: str | None, gold: str, *, cjk: bool = False) -> bool:
    """Last token equal, or the predicted last token among the gold speaker's tokens.

    `cjk` (quotes-multi): a CJK gold speaker is right when one name, spaces removed, contains
    the other (Chinese names have no tokens to compare)."""
    if not pred:
        return False
    if cjk and has_cjk(gold):
        p_name = "".join(unicodedata.normalize("NFKC", pred).split())
        g_name = "".join(unicodedata.normalize("NFKC", gold).split())
        return bool(p_name) and (p_name in g_name or g_name in p_name)
    p, g = _speaker_tokens(pred), _speaker_tokens(gold)
    if not p or not g:
        return False
    return p[-1] == g[-1] or p[-1] in g


def match(preds: list[list[str]], golds: list[list[str]]) -> list[tuple[int, int]]:
    """All pairs with F1 ≥ 0.6, best first, greedy one-to-one; returns (pred, gold) indexes."""
    pairs = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            f1 = token_f1(p, g)
            if f1 >= MIN_F1:
                pairs.append((-f1, i, j))
    pairs.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


class Tally:
    """Micro-averaged counts for one gold selection (direct, or direct + mixed).

    A plain class, not a dataclass: bench/quality.py loads this file by path without registering
    it in `sys.modules`, which dataclasses with string annotations cannot cope with."""

    def __init__(self) -> None:
        self.predicted = 0
        self.gold = 0
        self.matched = 0
        self.spk_ok = 0
        self.spk_n = 0
        self.covered = 0
        self.misses: list[tuple[str, dict]] = []

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.spk_ok / self.spk_n if self.spk_n else 0.0

    @property
    def coverage(self) -> float:
        return self.covered / self.matched if self.matched else 0.0


def _is_pronoun(gold: dict) -> bool:
    if "speaker_is_pronoun" in gold:
        return bool(gold["speaker_is_pronoun"])
    return (gold.get("speaker") or "").strip().casefold() in PRONOUNS


def score_article(
    pred_quotes: list[dict],
    gold_quotes: list[dict],
    tally: Tally,
    article_id: str = "",
    *,
    cjk: bool = False,
) -> list[tuple[int, int]]:
    """Add one article to `tally`; returns the matched (pred, gold) index pairs."""
    ptoks = [tokens(q.get("text") or "", cjk=cjk) for q in pred_quotes]
    gtoks = [tokens(q["quote"], cjk=cjk) for q in gold_quotes]
    pairs = match(ptoks, gtoks)
    tally.predicted += len(pred_quotes)
    tally.gold += len(gold_quotes)
    tally.matched += len(pairs)
    for i, j in pairs:
        pred, gold = pred_quotes[i], gold_quotes[j]
        if pred.get("speaker"):
            tally.covered += 1
        if gold.get("speaker") and not _is_pronoun(gold):
            tally.spk_n += 1
            if speaker_correct(pred.get("speaker"), gold["speaker"], cjk=cjk):
                tally.spk_ok += 1
            else:
                tally.misses.append((article_id, {"pred": pred, "gold": gold}))
    return pairs


def load_gold(corpus: Path, split: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with (corpus / "gold.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if row.get("split") == split:
                    out[row["id"]] = row["quotes"]
    return out


def score(
    predictions: dict[str, dict], corpus: Path, split: str = "dev", top: int | None = None
) -> tuple[Tally, Tally]:
    """(direct tally, direct + mixed tally) for one split."""
    direct, both = Tally(), Tally()
    for article_id, gold in load_gold(corpus, split).items():
        line = predictions.get(article_id)
        quotes = [] if not line or line.get("error") else list(line.get("quotes") or [])
        if top is not None:
            quotes = quotes[:top]
        score_article(quotes, [q for q in gold if q["type"] == "direct"], direct, article_id)
        score_article(quotes, gold, both, article_id)
    return direct, both


def _row(name: str, d: Tally, b: Tally) -> str:
    return (
        f"| {name} | {d.precision:.3f} | {d.recall:.3f} | {d.f1:.3f} | "
        f"{d.speaker_accuracy:.3f} ({d.spk_ok}/{d.spk_n}) | {d.coverage:.3f} | "
        f"{b.precision:.3f} / {b.recall:.3f} / {b.speaker_accuracy:.3f} |"
    )


def report(
    predictions: dict[str, dict], corpus: Path, split: str = "dev", top: int | None = None
) -> str:
    """A markdown table: our row (direct gold; then direct + mixed) beside the README anchors."""
    corpus = Path(corpus)
    if (corpus / FOLDER).is_dir() and not (corpus / "gold.jsonl").exists():
        corpus = corpus / FOLDER
    direct, both = score(predictions, corpus, split, top)
    label = "newsdesk" + (f" top-{top}" if top else " all")
    lines = [
        f"quotes-polnear, {split} split ({len(load_gold(corpus, split))} articles, "
        f"{direct.gold} direct / {both.gold} direct+mixed gold quotes)",
        "",
        "| system | P | R | F1 | speaker acc. | coverage | P / R / spk, direct+mixed |",
        "|---|---|---|---|---|---|---|",
        _row(label, direct, both),
    ]
    lines += ["| " + " | ".join(a[1:]) + " |" for a in ANCHORS if a[0] == split]
    return "\n".join(lines)


def _corpus(arg: str | None) -> Path | None:
    root = Path(arg or os.environ.get("NEWSDESK_CORPORA") or DEFAULT_CORPORA)
    folder = root / FOLDER if (root / FOLDER).is_dir() else root
    return folder if (folder / "gold.jsonl").is_file() else None


def predict(corpus: Path, split: str) -> tuple[dict[str, dict], list[float]]:
    """Run `extract_quotes` on each article's lines; also the per-article milliseconds."""
    from bot.quotes.finder import extract_quotes

    preds: dict[str, dict] = {}
    times: list[float] = []
    for article_id in load_gold(corpus, split):
        text = (corpus / "text" / f"{article_id}.txt").read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        start = time.perf_counter()
        quotes = extract_quotes(lines)
        times.append((time.perf_counter() - start) * 1000)
        preds[article_id] = {"quotes": [q.to_json() for q in quotes], "error": None}
    return preds, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", help="folder holding the evaluation sets")
    parser.add_argument("--split", default="dev", choices=("dev", "train"))
    parser.add_argument("--top", type=int, default=None, help="score only the first N per article")
    args = parser.parse_args()
    corpus = _corpus(args.corpora)
    if corpus is None:
        sys.exit(
            f"score_quotes: no {FOLDER} corpus found (pass --corpora PATH or set "
            "NEWSDESK_CORPORA to the folder holding the shared evaluation sets)."
        )
    preds, times = predict(corpus, args.split)
    # A second timed pass: the first one pays for imports and lazy tables.
    _, times = predict(corpus, args.split)
    print(report(preds, corpus, args.split, args.top))
    print(
        f"\nmedian {statistics.median(times):.2f} ms per article (quotes step, {len(times)} art.)"
    )


if __name__ == "__main__":
    main()
