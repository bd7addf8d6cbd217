"""Language identifiers side by side: accuracy per language, time per text, memory, install size.

    python bench/language_ids.py [--corpora PATH] [--only py3langid,...] [--no-pipeline]

Texts (each capped at the first 3,000 characters, as the product looks at an article's start):
- extraction-daniel-multi reference bodies (zh, ru, pl, el; gold `lang`),
- the same pages' cleaned text as our pipeline produces it (`text` of `newsdesk brief --json`),
- sentences-ud runs: short texts (1-6 sentences) in en, de, fr, es, ru, pl, el, zh.

(extraction-zyte is left out: it has no language labels and 20 of its 181 pages are not English.)

A text counts as right when the identifier's ISO 639-1 code equals the gold code (no answer is
wrong). Cost is measured in a fresh interpreter per identifier, inside a network namespace with
no network where the machine allows it (so "offline: yes" means it really ran cut off): RSS
added by importing and loading, and seconds until the first answer. Candidates other than our own
guessers are optional (`pip install py3langid lingua-language-detector langid`); a missing one
is skipped with one line.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RSS_SNIPPET, add_corpora_arg, corpora_path, load_gold, probe, run_pipeline
from segmenters import install_size

CAP = 3000
LANGS = ("en", "de", "fr", "es", "ru", "pl", "el", "zh")


class Identifier(NamedTuple):
    name: str
    # Python source defining `identify(text: str) -> str | None` (an ISO 639-1 code); run both
    # here and in the cost probe, so both measure the same thing.
    setup: str
    distributions: tuple[str, ...]
    languages: str  # how many languages it knows


_LINGUA = """
from lingua import LanguageDetectorBuilder
_builder = LanguageDetectorBuilder.from_all_languages(){mode}
_detector = _builder.with_preloaded_language_models().build()
def identify(text):
    found = _detector.detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found else None
"""

# Our own guess (the text layer's one, bot.text.guess_language) beside the libraries.
IDENTIFIERS = (
    Identifier(
        "py3langid",
        "import py3langid\ndef identify(text):\n    return py3langid.classify(text)[0]\n",
        ("py3langid",),
        "142 (0.4.0; some as ISO 639-3: wuu, yue, ...)",
    ),
    Identifier(
        "langid",
        "import langid\ndef identify(text):\n    return langid.classify(text)[0]\n",
        ("langid",),
        "97",
    ),
    Identifier(
        "lingua (high accuracy)",
        _LINGUA.format(mode=""),
        ("lingua-language-detector",),
        "75",
    ),
    Identifier(
        "lingua (low accuracy)",
        _LINGUA.format(mode=".with_low_accuracy_mode()"),
        ("lingua-language-detector",),
        "75",
    ),
    Identifier(
        "newsdesk bot.text.guess_language",
        "from bot.text import guess_language\n"
        "def identify(text):\n    return guess_language(text)\n",
        (),
        "7 (en de es fr it nl pt; None when unsure)",
    ),
)


class Sample(NamedTuple):
    lang: str
    text: str


def _load(identifier: Identifier) -> Callable[[str], str | None]:
    namespace: dict = {}
    exec(identifier.setup, namespace)  # our own constant source above, not input
    return namespace["identify"]


def datasets(root: Path, pipeline: bool, workers: int | None) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = {}
    daniel = root / "extraction-daniel-multi"
    gold = load_gold(daniel)
    out["daniel reference bodies"] = [Sample(g["lang"], g["body"][:CAP]) for g in gold]
    if pipeline:
        paths = sorted((daniel / "html").glob("*.html"))
        preds = run_pipeline(paths, as_text=False, workers=workers)
        texts = {k: ("" if v.get("error") else v.get("text") or "") for k, v in preds.items()}
        out["daniel cleaned text (ours)"] = [
            Sample(g["lang"], texts[g["id"]][:CAP]) for g in gold if texts.get(g["id"])
        ]
    ud = load_gold(root / "sentences-ud")
    out["sentences-ud runs (short)"] = [Sample(r["lang"], r["text"][:CAP]) for r in ud]
    return out


class Result(NamedTuple):
    right: dict[str, int]
    total: dict[str, int]
    ms: float  # median per text


def evaluate(identify: Callable[[str], str | None], samples: list[Sample]) -> Result:
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    times = []
    for sample in samples:
        start = time.perf_counter()
        found = identify(sample.text)
        times.append((time.perf_counter() - start) * 1000)
        total[sample.lang] = total.get(sample.lang, 0) + 1
        right[sample.lang] = right.get(sample.lang, 0) + (found == sample.lang)
    return Result(right, total, statistics.median(times) if times else 0.0)


def cost(identifier: Identifier) -> dict | str:
    """Import + load + first answer in a fresh interpreter, without network where possible."""
    code = (
        "import json, time\n"
        + RSS_SNIPPET
        + "_r0 = _rss_mb(); _t0 = time.perf_counter()\n"
        + f"exec({identifier.setup!r})\n"
        + "_t1 = time.perf_counter(); _r1 = _rss_mb()\n"
        + "identify('Президент заявил, что переговоры продолжатся на следующей неделе.')\n"
        + "_t2 = time.perf_counter(); _r2 = _rss_mb()\n"
        + "print(json.dumps({'load_s': _t1 - _t0, 'first_s': _t2 - _t0, 'rss_mb': _r2 - _r0}))\n"
    )
    result, error, offline = probe(code)
    if result is None:
        return f"failed: {error}"
    result["offline"] = offline
    return result


def _accuracy_table(name: str, samples: list[Sample], results: dict[str, Result]) -> list[str]:
    langs = [lang for lang in LANGS if any(s.lang == lang for s in samples)]
    counts = {lang: sum(s.lang == lang for s in samples) for lang in langs}
    head = " | ".join(f"{lang} ({counts[lang]})" for lang in langs)
    out = [
        f"\n### {name} ({len(samples)} texts)\n",
        f"| identifier | {head} | all | ms/text (median) |",
        "|---|" + "---|" * (len(langs) + 2),
    ]
    for ident, r in results.items():
        cells = " | ".join(f"{r.right.get(lang, 0) / r.total[lang]:.1%}" for lang in langs)
        overall = sum(r.right.values()) / max(sum(r.total.values()), 1)
        out.append(f"| {ident} | {cells} | {overall:.1%} | {r.ms:.3f} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    known = ",".join(i.name for i in IDENTIFIERS)
    parser.add_argument("--only", default=None, help=f"comma-separated, of: {known}")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the cleaned texts")
    parser.add_argument("--no-cost", action="store_true", help="skip the memory/import probes")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    root = corpora_path(args.corpora)
    wanted = {n.strip() for n in (args.only or known).split(",") if n.strip()}
    candidates = [i for i in IDENTIFIERS if i.name in wanted]

    loaded: dict[str, Callable[[str], str | None]] = {}
    notes = []
    for ident in candidates:
        try:
            loaded[ident.name] = _load(ident)
        except ImportError as error:
            pip = " ".join(ident.distributions) or "(our code moved: repoint IDENTIFIERS)"
            notes.append(f"- {ident.name}: skipped, cannot import ({error}); pip install {pip}")

    print("## Language identifiers\n")
    print(f"Texts capped at {CAP} characters; right = ISO 639-1 code equals the gold language.")
    sets = datasets(root, not args.no_pipeline, args.workers)
    for name, samples in sets.items():
        results = {ident: evaluate(fn, samples) for ident, fn in loaded.items()}
        print("\n".join(_accuracy_table(name, samples, results)))
        sys.stdout.flush()

    if not args.no_cost:
        print("\n### Cost (fresh interpreter per identifier)\n")
        print(
            "| identifier | languages | import + load s | first answer s | RSS added MB "
            "| offline | install |\n|---|---|---|---|---|---|---|"
        )
        for ident in candidates:
            if ident.name not in loaded:
                continue
            c = cost(ident)
            size = install_size(ident.distributions)
            if isinstance(c, str):
                print(f"| {ident.name} | {ident.languages} | {c} | | | | {size} |")
                continue
            offline = "yes (no network)" if c["offline"] else "not checked (no unshare)"
            print(
                f"| {ident.name} | {ident.languages} | {c['load_s']:.2f} | {c['first_s']:.2f} "
                f"| {c['rss_mb']:.0f} | {offline} | {size} |"
            )
    if notes:
        print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
