"""What a page says about its article in markup: JSON-LD, OpenGraph/meta tags, h1, <title>, lang.

Also the byline choice (`choose_byline`): trafilatura's author field is often the publisher
("El Espectador; Felipe Morales Sierra"), a domain ("Jungefreiheit De") or a name with its
initials' dots removed ("Michael L Anderson"); the structured sources keep names as written, so
they go first, after dropping entries that are the site itself, a URL/handle or a role word.

Publishers fill these for search engines and social cards, so they are usually more reliable
than anything guessed from the layout. We read them once from the parsed tree (before
trafilatura prunes it) and let `headline.py` and `extract.py` choose among them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.html import HtmlElement

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenews",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "review",
        "webpage",
    }
)
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class PageMeta:
    """Raw metadata candidates, each as the page states it (whitespace normalised)."""

    h1: list[str] = field(default_factory=list)
    title: str | None = None  # <title>
    og_title: str | None = None
    twitter_title: str | None = None
    ld_headline: str | None = None
    ld_authors: list[str] = field(default_factory=list)
    ld_date: str | None = None
    ld_timestamp: bool = False  # datePublished carried a time of day, not just a date
    ld_publisher: str | None = None
    ld_language: str | None = None
    site_name: str | None = None  # og:site_name / application-name
    meta_authors: list[str] = field(default_factory=list)
    meta_date: str | None = None
    meta_timestamp: bool = False
    canonical: str | None = None
    og_url: str | None = None
    lang: str | None = None  # <html lang>, content-language, og:locale
    image: str | None = None
    description: str | None = None
    paywalled: bool = False  # JSON-LD isAccessibleForFree: false


def squash(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def iso_date(value: str | None) -> str | None:
    """First YYYY-MM-DD in a date string, zero-padded; None when there is none or it is absurd."""
    if not value:
        return None
    match = _DATE.search(value)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _meta_map(tree: HtmlElement) -> dict[str, str]:
    """First non-empty content per lower-cased meta name/property/itemprop."""
    out: dict[str, str] = {}
    for node in tree.iter("meta"):
        content = squash(node.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (node.get(attr) or "").strip().lower()
            if key and key not in out:
                out[key] = content
    return out


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD author value (string, Person, list of either)."""
    if isinstance(value, str):
        return [squash(value)] if squash(value) else []
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str) and squash(name):
            return [squash(name)]
        if isinstance(name, list):
            return [squash(n) for n in name if isinstance(n, str) and squash(n)]
        return []
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def _ld_objects(data: Any) -> list[dict[str, Any]]:
    """Flatten JSON-LD: top-level lists, @graph arrays, mainEntity."""
    out: list[dict[str, Any]] = []
    stack = [data]
    while stack and len(out) < 200:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            out.append(item)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
                if isinstance(item.get(key), (list, dict)):
                    stack.append(item[key])
    return out


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _read_json_ld(tree: HtmlElement, meta: PageMeta) -> None:
    best: dict[str, Any] | None = None
    best_rank = 99
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:  # trailing commas / stray control characters are common
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        for obj in _ld_objects(data):
            if str(obj.get("isAccessibleForFree", "")).strip().lower() == "false":
                meta.paywalled = True
            types = _types(obj) & ARTICLE_TYPES
            if not types:
                if meta.ld_publisher is None and _types(obj) & {
                    "organization",
                    "newsmediaorganization",
                }:
                    name = obj.get("name")
                    if isinstance(name, str) and squash(name):
                        meta.ld_publisher = squash(name)
                continue
            rank = 1 if types - {"webpage"} else 2
            if "headline" in obj or "datepublished" in {k.lower() for k in obj}:
                rank -= 0.5
            if rank < best_rank:
                best, best_rank = obj, rank
    if best is None:
        return
    headline = best.get("headline") or (best.get("name") if best_rank < 2 else None)
    if isinstance(headline, str) and squash(headline):
        meta.ld_headline = squash(headline)
    meta.ld_authors = _names(best.get("author") or best.get("creator"))
    for key in ("datePublished", "dateCreated", "uploadDate"):
        if isinstance(best.get(key), str) and iso_date(best[key]):
            meta.ld_date = iso_date(best[key])
            meta.ld_timestamp = "T" in best[key] or ":" in best[key]
            break
    publisher = best.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        meta.ld_publisher = squash(publisher["name"]) or meta.ld_publisher
    language = best.get("inLanguage")
    if isinstance(language, str):
        meta.ld_language = language


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Collect every metadata candidate in one pass over the head (and the h1s of the body)."""
    meta = PageMeta()
    tags = _meta_map(tree)
    title = tree.find(".//title")
    if title is not None:
        meta.title = squash(title.text_content()) or None
    for h1 in tree.iter("h1"):
        text = squash(h1.text_content())
        if text:
            meta.h1.append(text)
        if len(meta.h1) >= 5:
            break
    meta.og_title = tags.get("og:title")
    meta.twitter_title = tags.get("twitter:title")
    meta.site_name = tags.get("og:site_name") or tags.get("application-name")
    for key in (
        "author",
        "article:author",
        "dc.creator",
        "byl",
        "sailthru.author",
        "parsely-author",
    ):
        value = tags.get(key)
        if value and not value.startswith("http"):
            meta.meta_authors.append(value)
    for key in (
        "article:published_time",
        "datepublished",
        "og:published_time",
        "publish-date",
        "pubdate",
        "date",
        "dc.date.issued",
        "dc.date",
        "sailthru.date",
        "parsely-pub-date",
    ):
        if iso_date(tags.get(key)):
            meta.meta_date = iso_date(tags.get(key))
            meta.meta_timestamp = "T" in (tags.get(key) or "")
            break
    meta.og_url = tags.get("og:url")
    for link in tree.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            meta.canonical = link.get("href", "").strip()
            break
    root_lang = tree.getroottree().getroot().get("lang") or tree.get("lang")
    meta.lang = root_lang or tags.get("content-language") or tags.get("og:locale")
    meta.image = tags.get("og:image") or tags.get("twitter:image")
    meta.description = tags.get("og:description") or tags.get("description")
    _read_json_ld(tree, meta)
    return meta


# --- byline -------------------------------------------------------------------------

_HANDLE = re.compile(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$|^https?://|^@|/", re.IGNORECASE)
_BY = re.compile(r"^(?:by|von|par|por|di|door|av)\s+", re.IGNORECASE)
_ROLE = frozenset(
    {
        "admin",
        "administrator",
        "editor",
        "editors",
        "staff",
        "name",
        "author",
        "autor",
        "auteur",
        "autor/in",
        "human",
        "guest",
        "user",
        "webmaster",
        "follow",
        "datum",
        "date",
        "no author",
        "null",
        "none",
        "unknown",
        "archiv anzeigen",
    }
)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_org(name: str, orgs: set[str]) -> bool:
    key = _key(name)
    return bool(key) and any(key == org or (len(org) >= 5 and org in key) for org in orgs)


def _usable(name: str, orgs: set[str]) -> bool:
    name = squash(name)
    if not name or len(name) > 80 or _HANDLE.search(name):
        return False
    if name.casefold() in _ROLE:
        return False
    # "christian.stadtfeld", "arianschlichenmayer": user handles, not printed names.
    handle = " " not in name and name == name.lower()
    return not (handle and ("." in name or "_" in name or len(name) > 14))


_LEAD = re.compile(
    r"^(?:post(?:ed)?\s+)?(?:author|autor|autorin|auteur|verfasser|written|posted|"
    r"view all posts|zum profil)\b[\s:]*(?:by|von|par|por)?\s*",
    re.IGNORECASE,
)


def clean_name(name: str) -> str:
    """ "Post author By Jane Roe", "Redacci&oacute;n X" → the name as printed."""
    name = squash(html.unescape(name)) if "&" in name else squash(name)
    name = _LEAD.sub("", name)
    return squash(_BY.sub("", name).strip(" ,;|-"))


def choose_byline(
    meta: PageMeta,
    extracted_author: Callable[[], str | None] | str | None,
    site: str | None,
    host: str | None,
) -> str | None:
    """The article's author(s), "; "-joined, or None; never the publication's own name.

    `extracted_author` (trafilatura's visible-byline search) may be a callable: it deep-copies
    the tree, so it only runs when the structured sources give nothing usable.
    """
    orgs = {_key(x) for x in (meta.site_name, meta.ld_publisher, site) if x}
    if host:
        host = host.lower().removeprefix("www.")
        orgs |= {_key(host), _key(host.rsplit(".", 1)[0])}
    orgs.discard("")
    sources: list[list[str] | None] = [meta.ld_authors, meta.meta_authors[:1], None]
    fallback: str | None = None  # the publication named as author, if nothing better turns up
    for names in sources:
        if names is None:
            found = extracted_author() if callable(extracted_author) else extracted_author
            names = found.split("; ") if found else []
        kept: list[str] = []
        for name in names:
            name = clean_name(name)
            if _usable(name, orgs) and name not in kept:
                kept.append(name)
        # "El Espectador; Felipe Morales Sierra": drop the publication, unless it is all there
        # is (personal blogs are named after their author).
        people = [name for name in kept if not _is_org(name, orgs)]
        if people:
            return "; ".join(people)
        fallback = fallback or "; ".join(kept) or None
    return fallback
