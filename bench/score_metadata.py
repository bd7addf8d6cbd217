"""Headline, byline and date on the metadata corpus, exactly as its README's metric.

    python bench/score_metadata.py [--corpora PATH] [--misses N] [--field headline|byline|date]

`report()` scores `--json` lines (`headline`, `byline`, `published`) beside trafilatura 2.3.1's
own `bare_extraction(page_bytes, with_metadata=True)` computed on the same pages. `main()` runs
`extract_article` directly; `--misses` prints misses of one field (page id, gold, ours,
trafilatura's, and where in the page's markup the gold value appears: JSON-LD, a meta tag,
`<time datetime>`, a byline element, the URL, or only the text), which is how the headline
rules in bot/headline.py and the byline/date rules in bot/metadata.py were found.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_corpora_arg, corpora_path, load_gold

_DOUBLE = str.maketrans({c: '"' for c in "“”„‟«»″＂〝〞"})
_SINGLE = str.maketrans({c: "'" for c in "‘’‚‛‹›′`´＇"})
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_DOUBLE).translate(_SINGLE)
    return " ".join(text.split()).casefold()


def norm_byline(text: str | None) -> str:
    value = norm(text)
    return value[3:] if value.startswith("by ") else value


def first_date(value: str | None) -> str | None:
    match = _DATE.search(value or "")
    if not match:
        return None
    y, m, d = match.groups()
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def scores(predictions: dict[str, dict], gold: list[dict]) -> dict[str, tuple[int, int]]:
    """(hits, total) for title match, title exact, byline, date."""
    title = exact = byline = date = 0
    n_author = n_date = 0
    for row in gold:
        out = predictions.get(row["id"]) or {}
        ok = not out.get("error")
        headline = out.get("headline") if ok else None
        if headline is not None and norm(headline) == norm(row["title"]):
            title += 1
        if headline is not None and headline.strip() == row["title"].strip():
            exact += 1
        if row.get("author"):
            n_author += 1
            byline += ok and norm_byline(out.get("byline")) == norm(row["author"])
        if row.get("date"):
            n_date += 1
            date += ok and first_date(out.get("published")) == row["date"]
    return {
        "title match": (title, len(gold)),
        "title exact": (exact, len(gold)),
        "byline": (byline, n_author),
        "date": (date, n_date),
    }


_TRAF_CACHE: dict[Path, dict[str, dict]] = {}


def trafilatura_predictions(corpus: Path) -> dict[str, dict]:
    """trafilatura 2.3.1 `bare_extraction(page_bytes, with_metadata=True)`, as --json fields."""
    if corpus not in _TRAF_CACHE:
        from trafilatura import bare_extraction

        out = {}
        for page in sorted((corpus / "html").glob("*.html")):
            doc = bare_extraction(page.read_bytes(), with_metadata=True)
            out[page.stem] = (
                {"headline": doc.title, "byline": doc.author, "published": doc.date}
                if doc is not None
                else {"error": {"kind": "not_article"}}
            )
        _TRAF_CACHE[corpus] = out
    return _TRAF_CACHE[corpus]


def _cell(hit: int, total: int) -> str:
    return f"{hit / total:.3f} ({hit}/{total})" if total else "—"


def report(predictions: dict[str, dict], corpus: Path) -> str:
    gold = load_gold(corpus)
    ours = scores(predictions, gold)
    theirs = scores(trafilatura_predictions(corpus), gold)
    lines = [
        "| metric | ours | trafilatura 2.3.1 bare_extraction (computed here) | README anchor |",
        "|---|---|---|---|",
    ]
    anchors = {"title match": ".612", "title exact": ".589", "byline": ".493", "date": ".857"}
    for name in ours:
        lines.append(
            f"| {name} | {_cell(*ours[name])} | {_cell(*theirs[name])} | {anchors[name]} |"
        )
    errors = sum(1 for row in gold if (predictions.get(row["id"]) or {}).get("error"))
    lines.append("")
    lines.append(f"Pages with an error (count as misses): {errors}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpora_arg(parser)
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    parser.add_argument(
        "--field", choices=("headline", "byline", "date"), default="headline", help="for --misses"
    )
    args = parser.parse_args()
    corpus = corpora_path(args.corpora) / "metadata"
    if not (corpus / "gold.jsonl").is_file():
        sys.exit(f"bench: {corpus} has no gold.jsonl")

    from bot.article.extract import extract_article
    from bot.errors import PipelineError

    predictions: dict[str, dict] = {}
    for page in sorted((corpus / "html").glob("*.html")):
        try:
            article = extract_article(page.read_bytes())
        except PipelineError as error:
            predictions[page.stem] = {"error": error.failure.to_json()}
            continue
        predictions[page.stem] = {
            "headline": article.headline,
            "byline": article.byline,
            "published": article.published,
        }
    print(report(predictions, corpus))
    if args.misses:
        print_misses(predictions, corpus, args.field, args.misses)


def _value(out: dict, field: str) -> str | None:
    if out.get("error"):
        return None
    if field == "headline":
        return out.get("headline")
    if field == "byline":
        return out.get("byline")
    return first_date(out.get("published"))


def _hit(field: str, got: str | None, row: dict) -> bool:
    if field == "headline":
        return got is not None and norm(got) == norm(row["title"])
    if field == "byline":
        return norm_byline(got) == norm(row["author"])
    return got == row["date"]


def where(page: str, url: str, field: str, value: str) -> list[str]:
    """Where the gold value sits in the markup: a rough pointer for grouping misses by cause."""
    if field == "date":
        y, m, d = value.split("-")
        needles = [value, f"{d}.{m}.{y}", f"{int(d)}.{int(m)}.{y}", f"{y}/{m}/{d}"]
    else:
        needles = [value]
    places = []
    for needle in needles:
        at = page.find(needle)
        if at < 0:
            continue
        before = page[max(0, at - 300) : at].lower()
        if "ld+json" in before or '"@type"' in before or "datepublished" in before:
            places.append("json-ld")
        elif "<meta" in before[-200:]:
            places.append("meta")
        elif "<time" in before[-120:]:
            places.append("<time>")
        elif "author" in before[-150:] or "byline" in before[-150:]:
            places.append("byline element")
        else:
            places.append("text")
        break
    if field == "date" and value.replace("-", "/") in url:
        places.append("url")
    return places or ["not in the page"]


def print_misses(predictions: dict[str, dict], corpus: Path, field: str, limit: int) -> None:
    traf = trafilatura_predictions(corpus)
    key = {"headline": "title", "byline": "author", "date": "date"}[field]
    shown = 0
    for row in load_gold(corpus):
        if shown >= limit:
            break
        if not row.get(key):
            continue
        got = _value(predictions.get(row["id"]) or {}, field)
        if _hit(field, got, row):
            continue
        shown += 1
        page = (corpus / "html" / f"{row['id']}.html").read_bytes().decode("utf-8", "replace")
        theirs = _value(traf.get(row["id"]) or {}, field)
        places = ", ".join(where(page, row["url"], field, row[key]))
        print(f"\n- {row['id']}  gold: {row[key]!r}  [{places}]")
        print(f"  ours: {got!r}  trafilatura: {theirs!r}")


if __name__ == "__main__":
    main()
