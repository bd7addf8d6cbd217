"""Sentence segmenters side by side on sentences-ud (8 languages), as its README scores them.

    python bench/segmenters.py [--corpora PATH] [--only newsdesk,sentencex,...] [--rounds N]

Per language and segmenter: boundary precision / recall / F1 (a boundary is where a sentence
ends, counted in non-space characters of `text`, the end of the text excluded; micro-averaged
over the runs) and the share of gold sentences reproduced exactly; then speed in gold sentences
per CPU-second (best of `--rounds`, the candidates interleaved so a busy machine hurts all alike).

Candidates other than our own splitter are optional: a missing package is skipped with one line
saying how to install it, and one that would need data or a model downloaded at run time is
skipped with that reason (nothing may be fetched: the bot runs offline). Install them into your
venv by hand (`pip install sentencex pysbd blingfire syntok simplemma`); they are not project
dependencies.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RSS_SNIPPET, add_corpora_arg, corpora_path, load_gold, probe

FOLDER = "sentences-ud"
LANGS = ("en", "de", "fr", "es", "ru", "pl", "el", "zh")
# Our splitter's public name; repoint here when the text layer moves.
OURS = ("bot.text.sentences", "split_sentences")

Splitter = Callable[[str], list[str]]


class Unavailable(Exception):
    """A candidate that cannot run here (not installed, or it would need a download)."""


def _ours(lang: str) -> Splitter:
    split = getattr(importlib.import_module(OURS[0]), OURS[1])
    return lambda text: split(text, lang)


def _sentencex(lang: str) -> Splitter:
    import sentencex

    return lambda text: list(sentencex.segment(lang, text))


def _pysbd(lang: str) -> Splitter:
    import pysbd

    if lang not in pysbd.languages.LANGUAGE_CODES:
        raise Unavailable(f"pysbd has no rules for {lang}")
    segmenter = pysbd.Segmenter(language=lang, clean=False)
    return segmenter.segment


def _blingfire(lang: str) -> Splitter:
    import blingfire

    return lambda text: blingfire.text_to_sentences(text).split("\n")


def _syntok(lang: str) -> Splitter:
    from syntok import segmenter

    def split(text: str) -> list[str]:
        return [
            "".join(token.spacing + token.value for token in sentence)
            for paragraph in segmenter.analyze(text)
            for sentence in paragraph
        ]

    return split


def _simplemma(lang: str) -> Splitter:
    import simplemma

    return lambda text: simplemma.split_sentences(text, lang)


def _nltk_punkt(lang: str) -> Splitter:
    import nltk

    names = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "ru": "russian"}
    names |= {"pl": "polish", "el": "greek"}
    if lang not in names:
        raise Unavailable(f"punkt has no model for {lang}")
    try:
        nltk.data.find(f"tokenizers/punkt_tab/{names[lang]}/")
    except LookupError as error:
        raise Unavailable(
            "needs the punkt_tab data downloaded (nltk.download), which the bot cannot do offline"
        ) from error
    return lambda text: nltk.sent_tokenize(text, language=names[lang])


_NAIVE = re.compile(r"(?<=[.!?。！？])\s*")


def _naive(lang: str) -> Splitter:
    """The floor: split after every . ! ? 。 ！ ？ (no abbreviations, no quotes)."""
    return lambda text: [s for s in _NAIVE.split(text) if s.strip()]


class Candidate(NamedTuple):
    name: str
    make: Callable[[str], Splitter]  # language → splitter (may raise ImportError / Unavailable)
    distributions: tuple[str, ...]  # what to measure the install size of, and to pip install


CANDIDATES = (
    Candidate("newsdesk", _ours, ()),
    Candidate("sentencex", _sentencex, ("sentencex",)),
    Candidate("pysbd", _pysbd, ("pysbd",)),
    Candidate("blingfire", _blingfire, ("blingfire",)),
    Candidate("syntok", _syntok, ("syntok",)),
    Candidate("simplemma", _simplemma, ("simplemma",)),
    Candidate("nltk-punkt", _nltk_punkt, ("nltk",)),
    Candidate("naive regex", _naive, ()),
)


class Score(NamedTuple):
    tp: int
    predicted: int  # predicted boundaries
    gold: int  # gold boundaries
    exact: int  # gold sentences reproduced exactly
    sentences: int  # gold sentences
    unaligned: int  # predicted sentences whose characters were not found in order in the text

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _squeeze(text: str) -> str:
    return "".join(text.split())


def spans(sentences: list[str], text: str) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of each sentence in non-space characters of `text`, found in order; also how
    many could not be found (a segmenter that rewrites characters)."""
    flat = _squeeze(text)
    cursor = unaligned = 0
    out = []
    for sentence in sentences:
        piece = _squeeze(sentence)
        if not piece:
            continue
        at = flat.find(piece, cursor)
        if at < 0:
            unaligned += 1
            continue
        out.append((at, at + len(piece)))
        cursor = at + len(piece)
    return out, unaligned


def score_run(predicted: list[str], gold: list[str], text: str) -> Score:
    """The README's metric for one run of sentences."""
    end = len(_squeeze(text))
    pred_spans, unaligned = spans(predicted, text)
    gold_spans, _ = spans(gold, text)
    pred_ends = {e for _, e in pred_spans if e < end}
    gold_ends = {e for _, e in gold_spans if e < end}
    exact = len(set(gold_spans) & set(pred_spans))
    return Score(
        len(pred_ends & gold_ends), len(pred_ends), len(gold_ends), exact, len(gold), unaligned
    )


def add(a: Score, b: Score) -> Score:
    return Score(*(x + y for x, y in zip(a, b, strict=True)))


def install_size(distributions: tuple[str, ...]) -> str:
    """Installed size of the packages' files (from their RECORD), or '-' for our own code."""
    if not distributions:
        return "-"
    total = 0
    for name in distributions:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"
        for file in dist.files or []:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                total += path.stat().st_size
    return f"{total / 1e6:.1f} MB"


def _prepare(
    candidates: list[Candidate],
) -> tuple[dict[tuple[str, str], Splitter], list[str]]:
    """A splitter per (candidate, language) that can run; and one line per skip."""
    splitters: dict[tuple[str, str], Splitter] = {}
    notes = []
    for cand in candidates:
        skipped: dict[str, list[str]] = {}  # reason → languages
        for lang in LANGS:
            try:
                splitters[cand.name, lang] = cand.make(lang)
            except ImportError:
                pip = " ".join(cand.distributions)
                notes.append(f"- {cand.name}: not installed (pip install {pip}); skipped")
                break
            except Unavailable as why:
                skipped.setdefault(str(why), []).append(lang)
        for why, langs in skipped.items():
            notes.append(f"- {cand.name}: skipped for {', '.join(langs)}: {why}")
    return splitters, notes


def run(rows: list[dict], candidates: list[Candidate], rounds: int) -> str:
    splitters, notes = _prepare(candidates)
    names = [c.name for c in candidates if any((c.name, lang) in splitters for lang in LANGS)]
    by_lang = {lang: [r for r in rows if r["lang"] == lang] for lang in LANGS}
    scores: dict[tuple[str, str], Score] = {}
    speed: dict[tuple[str, str], float] = {}
    for (name, lang), split in splitters.items():
        total = Score(0, 0, 0, 0, 0, 0)
        for row in by_lang[lang]:
            total = add(total, score_run(split(row["text"]), row["sentences"], row["text"]))
        scores[name, lang] = total
    for _ in range(rounds):  # interleaved: every candidate once per round
        for (name, lang), split in splitters.items():
            texts = [row["text"] for row in by_lang[lang]]
            start = time.process_time()
            for text in texts:
                split(text)
            seconds = max(time.process_time() - start, 1e-9)
            rate = sum(len(row["sentences"]) for row in by_lang[lang]) / seconds
            speed[name, lang] = max(speed.get((name, lang), 0.0), rate)

    out = []
    for lang in LANGS:
        runs = by_lang[lang]
        n = sum(len(r["sentences"]) for r in runs)
        out += [
            f"\n### {lang} ({len(runs)} runs, {n} sentences)\n",
            "| segmenter | P | R | F1 | exact | sentences/s |",
            "|---|---|---|---|---|---|",
        ]
        ranked = sorted((scores[name, lang].f1, name) for name in names if (name, lang) in scores)[
            ::-1
        ]
        for _, name in ranked:
            s = scores[name, lang]
            flag = f" ({s.unaligned} unaligned)" if s.unaligned else ""
            out.append(
                f"| {name}{flag} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} "
                f"| {s.exact / max(s.sentences, 1):.3f} | {speed[name, lang]:,.0f} |"
            )
    out += [
        "\n### Summary: boundary F1 per language (exact share in brackets)\n",
        "| segmenter | " + " | ".join(LANGS) + " | mean F1 | sentences/s (all) | install |",
        "|---|" + "---|" * (len(LANGS) + 3),
    ]
    sizes = {c.name: install_size(c.distributions) for c in candidates}
    for name in names:
        cells = []
        f1s = []
        for lang in LANGS:
            s = scores.get((name, lang))
            if s is None:
                cells.append("–")
                continue
            f1s.append(s.f1)
            cells.append(f"{s.f1:.3f} ({s.exact / max(s.sentences, 1):.2f})")
        sentences = sum(
            len(r["sentences"]) for lang in LANGS if (name, lang) in speed for r in by_lang[lang]
        )
        seconds = sum(
            sum(len(r["sentences"]) for r in by_lang[lang]) / speed[name, lang]
            for lang in LANGS
            if (name, lang) in speed
        )
        mean = sum(f1s) / len(f1s) if f1s else 0.0
        out.append(
            f"| {name} | " + " | ".join(cells) + f" | {mean:.3f} | {sentences / seconds:,.0f} "
            f"| {sizes[name]} |"
        )
    out += _winners(scores, names)
    if notes:
        out += ["", *notes]
    return "\n".join(out)


def _winners(scores: dict[tuple[str, str], Score], names: list[str]) -> list[str]:
    """Per language: the best F1, by how much it beats the next one, and where ours stands."""
    ours = CANDIDATES[0].name
    out = [
        "\n### Winner per language (boundary F1)\n",
        f"| lang | best | F1 | runner-up | margin | {ours} | {ours} − best |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang in LANGS:
        ranked = sorted(
            ((scores[n, lang].f1, n) for n in names if (n, lang) in scores), reverse=True
        )
        if len(ranked) < 2:
            continue
        (best_f1, best), (second_f1, second) = ranked[0], ranked[1]
        own = scores.get((ours, lang))
        own_cells = f"{own.f1:.3f} | {own.f1 - best_f1:+.3f}" if own else "– | –"
        out.append(
            f"| {lang} | {best} | {best_f1:.3f} | {second} | {best_f1 - second_f1:+.3f} "
            f"| {own_cells} |"
        )
    return out


def cost(candidate: Candidate, lang: str = "en") -> str:
    """Import + first split in a fresh interpreter without network: seconds, RSS, offline."""
    code = (
        "import json, sys, time\n"
        + RSS_SNIPPET
        + "sys.path.insert(0, 'bench')\n"
        + "import segmenters\n"
        + "_r0 = _rss_mb(); _t0 = time.perf_counter()\n"
        + f"_c = next(c for c in segmenters.CANDIDATES if c.name == {candidate.name!r})\n"
        + f"_c.make({lang!r})('Dr. Smith arrived on Monday. He left at noon.')\n"
        + "print(json.dumps({'s': time.perf_counter() - _t0, 'mb': _rss_mb() - _r0}))\n"
    )
    result, error, offline = probe(code)
    if result is None:
        return f"| {candidate.name} | failed: {error[:90]} | | |"
    where = "yes (no network)" if offline else "not checked (no unshare)"
    return f"| {candidate.name} | {result['s']:.2f} | {result['mb']:.0f} | {where} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    known = ",".join(c.name for c in CANDIDATES)
    parser.add_argument("--only", default=known, help=f"comma-separated, of: {known}")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (best one counts)")
    args = parser.parse_args()
    corpus = corpora_path(args.corpora) / FOLDER
    if not (corpus / "gold.jsonl").is_file():
        sys.exit(f"bench: {corpus} has no gold.jsonl")
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = wanted - {c.name for c in CANDIDATES}
    if unknown:
        sys.exit(f"segmenters: unknown candidate(s) {', '.join(sorted(unknown))}; known: {known}")
    candidates = [c for c in CANDIDATES if c.name in wanted]
    print(f"## Sentence segmenters — {FOLDER}")
    print(run(load_gold(corpus), candidates, args.rounds))
    print("\n### Cost: import + first split in a fresh interpreter (English)\n")
    print("| segmenter | seconds | RSS added MB | offline |\n|---|---|---|---|")
    for candidate in candidates:
        print(cost(candidate))


if __name__ == "__main__":
    main()
