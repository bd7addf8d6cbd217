"""What a page says about its article in markup: JSON-LD, OpenGraph/meta tags, h1, <title>, lang.

Also the byline choice (`choose_byline`): trafilatura's author field is often the publisher
("El Espectador; Felipe Morales Sierra"), a domain ("Jungefreiheit De") or a name with its
initials' dots removed ("Michael L Anderson"); the structured sources keep names as written, so
they go first, after dropping entries that are the site itself, a URL/handle or a role word.
Then the byline as the page prints it (`visible_byline`: microdata, rel="author", byline
classes, a "Von X" line under the headline), and trafilatura's guess last.

Dates a reader sees (`dateline`, `labelled_date`, `time_date`) are read here too; `extract.py`
weighs them against the declared ones and htmldate.

Publishers fill these for search engines and social cards, so they are usually more reliable
than anything guessed from the layout. We read them once from the parsed tree (before
trafilatura prunes it) and let `headline.py` and `extract.py` choose among them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.text import has_cjk
from bot.text.languages import languages

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
_UTC = re.compile(r"\d(?:Z|[+-]00:?00)$")


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
    ld_utc: bool = False  # datePublished is a UTC timestamp ("…Z", "+00:00")
    meta_utc: bool = False
    dateline: str | None = None  # a date on a line of its own just below the h1
    canonical: str | None = None
    og_url: str | None = None
    lang: str | None = None  # <html lang>, content-language, og:locale
    image: str | None = None
    description: str | None = None
    paywalled: bool = False  # JSON-LD isAccessibleForFree: false
    ld_body: str | None = None  # the article object's articleBody, as the JSON has it
    amp_url: str | None = None  # <link rel="amphtml">, as written (maybe relative)


def squash(text: str | None) -> str:
    """Whitespace runs to one space; soft hyphens ("Mat\xadthi\xadas") go."""
    text = text or ""
    if "\xad" in text:
        text = text.replace("\xad", "")
    return " ".join(text.split())  # what `\s+` → " " does, several times faster


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


def _names(value: Any, by_id: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Author names from a JSON-LD author value (string, Person, list of either).

    Yoast SEO (most WordPress sites) writes `"author": {"@id": "…#/schema/person/…"}` and
    puts the Person, with its name, elsewhere in the @graph: `by_id` resolves those.
    """
    if isinstance(value, str):
        return [squash(value)] if squash(value) else []
    if isinstance(value, dict):
        ref = value.get("@id")
        if "name" not in value and isinstance(ref, str) and by_id and ref in by_id:
            value = by_id[ref]
        name = value.get("name")
        if name is None and isinstance(value.get("familyName"), str):
            name = f"{value.get('givenName') or ''} {value['familyName']}"
        if isinstance(name, str) and squash(name):
            return [squash(name)]
        if isinstance(name, list):
            return [squash(n) for n in name if isinstance(n, str) and squash(n)]
        return []
    if isinstance(value, list):
        return [n for item in value for n in _names(item, by_id)]
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
    best_rank: float = 99
    by_id: dict[str, dict[str, Any]] = {}
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
            if isinstance(obj.get("@id"), str) and "name" in obj:
                by_id.setdefault(obj["@id"], obj)
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
            rank: float = 1 if types - {"webpage"} else 2
            if "headline" in obj or "datepublished" in {k.lower() for k in obj}:
                rank -= 0.5
            if rank < best_rank:
                best, best_rank = obj, rank
    if best is None:
        return
    headline = best.get("headline") or (best.get("name") if best_rank < 2 else None)
    if isinstance(headline, str) and squash(headline):
        meta.ld_headline = squash(headline)
    meta.ld_authors = _names(best.get("author") or best.get("creator"), by_id)
    for key in ("datePublished", "dateCreated", "uploadDate"):
        if isinstance(best.get(key), str) and iso_date(best[key]):
            meta.ld_date = iso_date(best[key])
            meta.ld_timestamp = "T" in best[key] or ":" in best[key]
            meta.ld_utc = bool(_UTC.search(best[key]))
            break
    publisher = best.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        meta.ld_publisher = squash(publisher["name"]) or meta.ld_publisher
    language = best.get("inLanguage")
    if isinstance(language, str):
        meta.ld_language = language
    body = best.get("articleBody")
    if isinstance(body, str) and best_rank < 2:  # an article's body, not a WebPage's text
        meta.ld_body = body


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
            meta.meta_utc = bool(_UTC.search(tags.get(key) or ""))
            break
    meta.og_url = tags.get("og:url")
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").strip().lower()
        if rel == "canonical" and link.get("href") and meta.canonical is None:
            meta.canonical = link.get("href", "").strip()
        elif rel == "amphtml" and link.get("href") and meta.amp_url is None:
            meta.amp_url = link.get("href", "").strip()
    root_lang = tree.getroottree().getroot().get("lang") or tree.get("lang")
    meta.lang = root_lang or tags.get("content-language") or tags.get("og:locale")
    meta.image = tags.get("og:image") or tags.get("twitter:image")
    meta.description = tags.get("og:description") or tags.get("description")
    _read_json_ld(tree, meta)
    meta.dateline = dateline(tree)
    return meta


# --- byline -------------------------------------------------------------------------

# A domain ("jungefreiheit.de", lower-case TLD: "Isabella.DiBiase" is a printed handle), a
# URL, a @handle or a path; "AFP/The Local" (agency/outlet) is a byline.
_HANDLE = re.compile(
    r"^[\w.-]+\.(?-i:[a-z]{2,6})(/\S*)?$|^https?://|^www\.|^@|^/|//|^\S+/\S+$", re.IGNORECASE
)
# Legal forms and institution words: "Bund der Energieverbraucher e.V." as meta author is the
# publisher, whatever its og:site_name says; a person's printed byline should win over it.
_ORG_WORDS = re.compile(
    r"\b(?:gmbh|e\.\s?v\.|ag|se|inc|ltd|llc|stiftung|verband|verein|landesanstalt|"
    r"ministerium|bundesamt|institut|universität|university|redaktion|newsroom|press office)\b",
    re.IGNORECASE,
)
_BY = re.compile(r"^(?:by|von|vom|par|por|di|door|av)(?:\s*:\s*|\s+)", re.IGNORECASE)
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


# An account name rather than a printed one: one word ending in digits ("express1", "admin2",
# "freeman1984"); it names the author only when the page prints no name.
_ACCOUNT = re.compile(r"[^\W\d_]+\d+")


@cache
def _interface() -> re.Pattern[str]:
    """Page controls of every registered language ("Log in", "Войти", "Zaloguj się", "字号 大
    中 小"): a byline slot that starts with one holds a widget, not a name. Every language's
    list applies, since the byline is read before the article's language is known and a
    template's controls need not be in the article's language."""
    words = sorted({w for lang in languages() for w in lang.interface}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)")
    spaced = "|".join(re.escape(w) for w in words if not has_cjk(w))
    unspaced = "|".join(re.escape(w) for w in words if has_cjk(w))
    parts = [f"(?:{spaced})(?:$|[\\s:：,.!|·•/-])"] if spaced else []
    parts += [f"(?:{unspaced})"] if unspaced else []
    return re.compile(f"^(?:{'|'.join(parts)})", re.IGNORECASE)


@cache
def _label() -> re.Pattern[str]:
    """ "Автор: Ирина Соколова", "作者：王丽华", "Συντάκτης: …": every registered language's
    byline labels, followed by a colon, go from the front of a name."""
    words = sorted({w for lang in languages() for w in lang.byline_labels}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)")
    return re.compile(f"^(?:{'|'.join(re.escape(w) for w in words)})\\s*[:：]\\s*", re.IGNORECASE)


def is_interface(name: str) -> bool:
    """Does this byline candidate start with a page control ("Войти", "字号", "Log in")?"""
    return _interface().match(name) is not None


def _is_org(name: str, orgs: set[str]) -> bool:
    key = _key(name)
    if key and _ORG_WORDS.search(name):
        return True
    return bool(key) and any(key == org or (len(org) >= 5 and org in key) for org in orgs)


def _usable(name: str, orgs: set[str]) -> bool:
    name = squash(name)
    if not name or len(name) > 80 or _HANDLE.search(name):
        return False
    if name.casefold() in _ROLE or _NOT_A_NAME.match(name) or is_interface(name):
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
    name = _label().sub("", _LEAD.sub("", name))
    words = name.split()
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        name = " ".join(words[:half])  # "jesusfreak jesusfreak": a hidden duplicate label
    return squash(_BY.sub("", name).strip(" ,;|-"))


def choose_byline(
    meta: PageMeta,
    extracted_author: Callable[[], str | None] | str | None,
    site: str | None,
    host: str | None,
    printed: Callable[[], str | None] | str | None = None,
) -> str | None:
    """The article's author(s), "; "-joined (or as printed), or None; never the publication.

    Sources in order: JSON-LD, meta tags, the printed byline element (`printed`, see
    `visible_byline`), trafilatura's visible-byline search (`extracted_author`). The last two
    may be callables: they walk or deep-copy the tree, so they run only when needed.
    """
    cache: dict[str, str | None] = {}

    def printed_byline() -> str | None:
        if "printed" not in cache:
            cache["printed"] = printed() if callable(printed) else printed
        return cache["printed"]

    orgs = {_key(x) for x in (meta.site_name, meta.ld_publisher, site) if x}
    if host:
        host = host.lower().removeprefix("www.")
        orgs |= {_key(host), _key(host.rsplit(".", 1)[0])}
    orgs.discard("")
    sources: list[list[str] | str] = [meta.ld_authors, meta.meta_authors[:1], "printed", "found"]
    fallback: str | None = None  # the publication named as author, if nothing better turns up
    for source in sources:
        if source == "printed":
            names = [printed_byline() or ""]
        elif source == "found":
            found = extracted_author() if callable(extracted_author) else extracted_author
            names = found.split("; ") if found else []
        else:
            names = list(source)
        kept: list[str] = []
        for name in names:
            name = clean_name(name)
            if _usable(name, orgs) and name not in kept:
                kept.append(name)
        # "El Espectador; Felipe Morales Sierra": drop the publication, unless it is all there
        # is (personal blogs are named after their author).
        people = [name for name in kept if not _is_org(name, orgs)]
        if people and all(_ACCOUNT.fullmatch(name) for name in people) and source != "printed":
            # "express1": a CMS account gives way to a name printed on the page; a blog's
            # "freeman1984" with nothing printed is its author's only name.
            # (only a plain name: a credit line with labels left in it is not one)
            printed_name = clean_name(printed_byline() or "")
            plain = ":" not in printed_name and len(printed_name.split()) <= 4
            if plain and _usable(printed_name, orgs) and not _is_org(printed_name, orgs):
                return printed_name
        if people:
            if len(people) > 1:
                return _as_printed(people, printed_byline()) or "; ".join(people)
            return people[0]
        fallback = fallback or "; ".join(kept) or None
    return fallback


_JOINERS = re.compile(r"^(?:\s*(?:,|;|&|\+|/|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*)+$", re.I)


def _as_printed(names: list[str], printed: str | None) -> str | None:
    """ "Benjamin Fischer und Marcus Theurer" as the page prints it, when the printed byline
    is exactly the structured names (in that order) joined by commas/and/und/et/y."""
    if len(names) < 2 or not printed:
        return None
    rest, pos = printed, 0
    for index, name in enumerate(names):
        found = rest.find(name, pos)
        if found < 0 or (index == 0 and found != 0):
            return None
        if index and not _JOINERS.match(rest[pos:found]):
            return None
        pos = found + len(name)
    return printed if pos == len(printed) else None


# --- the printed byline ----------------------------------------------------------------

# Byline markup the big CMSs share: schema.org microdata (itemprop="author"), rel="author"
# links (WordPress, Blogger) and class names with author/byline in them ("entry-author-name",
# "c-byline", "article__author"). Author *boxes* (bio, avatar, "about the author") and
# comment authors are other people or other text.
_BYLINE_XPATH = (
    '//*[@itemprop="author" or @rel="author" or contains(@class, "author")'
    ' or contains(@class, "byline") or contains(@class, "autor") or contains(@class, "Author")'
    ' or contains(@class, "verfasser")]'
)
# The same elements, found faster: the tests run on the attribute nodes (libxml2 then reads
# each value once, not once per test: 40 % faster), and one substring covers author/Author
# ("uthor"); the exact test above then sorts the few found.
_BYLINE_XPATH_FAST = (
    "//@class[contains(., 'uthor') or contains(., 'autor') or contains(., 'byline')"
    " or contains(., 'verfasser')]/.. | //@itemprop[. = 'author']/.. | //@rel[. = 'author']/.."
)
_BYLINE_CLASS_WORDS = ("author", "byline", "autor", "Author", "verfasser")


def _byline_nodes(tree: HtmlElement) -> list[HtmlElement]:
    """What `_BYLINE_XPATH` selects, in document order."""
    return [
        node
        for node in tree.xpath(_BYLINE_XPATH_FAST)
        if node.get("itemprop") == "author"
        or node.get("rel") == "author"
        or any(word in (node.get("class") or "") for word in _BYLINE_CLASS_WORDS)
    ]


_BYLINE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:author|byline|autor|autorin|verfasser|auteur)(?:name)?(?:$|[\s_-])",
    re.IGNORECASE,
)
_NOT_BYLINE = re.compile(
    r"comment|respond|reply|avatar|bio\b|about|descr|box|widget|related|date|time|image|img|"
    r"photo|label|social|share|follow|title|more|list",
    re.IGNORECASE,
)
_SKIP_TAGS = frozenset(
    {"script", "style", "form", "label", "input", "textarea", "select", "option", "button", "meta"}
)
_IN_COMMENTS = re.compile(r"comment|respond|discussion", re.IGNORECASE)
# Where a printed byline's name ends: a separator, a date, a time, a "published/updated" label.
_NAME_END = re.compile(
    r"\s*(?:[|·•]|\s-\s|\(|\d{1,2}\.\s?\d{1,2}\.|\d{1,2}/\d{1,2}/|\d{4}-\d\d|"
    r"\b(?:am|on|le|el|il|em)\s+\d|\b(?:updated|aktualisiert|veröffentlicht|published|"
    r"kategorien|min read|alle artikel|kontakt|follow|mehr von)\b|\+|\s@\w|"
    r"\b\d{1,2}\.?\s+[A-ZÄÖÜ][a-zäöüé]+\.?,?\s+\d{4}|\b[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|"
    r"\s(?:am|at|on|um)\s+(?:\d|[A-Z][a-z]+tag\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)|"
    r"\s(?:mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+\d).*$",
    re.IGNORECASE | re.DOTALL,
)
_PRINTED_LEAD = re.compile(
    r"^(?:eingestellt|geschrieben|erstellt|verfasst|ein beitrag|artikel|published|posted|"
    r"written|publié|publicado)\s+(?:von|by|par|por)\b\s*|^(?:von|by|par|por)(?=[A-ZÄÖÜ])",
    re.IGNORECASE,
)


def visible_byline(tree: HtmlElement) -> str | None:
    """The first byline element's name, as printed ("T. V. Raman", "ThE_PaiN"), or None.

    trafilatura's own visible-byline search normalises names (dots and underscores go), which
    turns "Günter W. Kienitz" into "Günter W Kienitz"; the printed form is what a reader sees.
    """
    for node in _byline_nodes(tree)[:40]:
        if node.tag in _SKIP_TAGS:
            continue
        prop = (node.get("itemprop") or "").lower()
        label = f"{node.get('class') or ''} {node.get('id') or ''}"
        marked = prop == "author" or (node.get("rel") or "").lower() == "author"
        if not marked and (not _BYLINE_CLASS.search(label) or _NOT_BYLINE.search(label)):
            continue
        if any(
            parent.tag in _SKIP_TAGS
            or _IN_COMMENTS.search(f"{parent.get('class') or ''} {parent.get('id') or ''}")
            for parent in node.iterancestors()
        ):
            continue
        source = node
        if prop == "author":
            named = node.xpath('.//*[@itemprop="name"]')
            if named:
                source = named[0]
        text = source.get("content") if source.tag == "meta" else None
        text = squash(text or " ".join(source.itertext()))
        if not text or len(text) > 120:
            continue
        name = _BY.sub("", _label().sub("", _PRINTED_LEAD.sub("", text)))
        name = squash(_NAME_END.sub("", name).strip(" ,;:|-"))
        name = name.replace(" ,", ",")
        if _printed_name(name):
            return name
    return _header_byline(tree)


_NOT_A_NAME = re.compile(
    r"^(?:(?:posted|published|publiziert|veröffentlicht|geschrieben|erstellt|zuletzt|written|"
    r"by|von|on|am|at)\b.*|.*\d:\d.*|.*\bmin\.?)$|"
    r"^(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.IGNORECASE,
)


def _printed_name(name: str) -> bool:
    """A name, not a label left over ("Posted on", "Zuletzt geändert am") or a time/weekday."""
    if not name or len(name) > 60 or len(name.split()) > 8:
        return False
    if not any(ch.isalpha() for ch in name) or name[0].isdigit():
        return False
    return not (_NOT_A_NAME.match(name) or is_interface(name))


# --- dates printed on the page ---------------------------------------------------------

_MONTH_NAMES = (
    "januar january janvier enero gennaio janeiro januari jan jän janv ene gen",
    "februar february février fevrier febrero febbraio fevereiro februari feb fév févr",
    "märz maerz march mars marzo março maart mär mar",
    "april avril abril aprile apr avr abr",
    "mai may mayo maggio maio mei",
    "juni june juin junio giugno junho jun",
    "juli july juillet julio luglio julho jul juil lug",
    "august août aout agosto augustus aug ago",
    "september septembre septiembre setiembre settembre setembro sept sep set",
    "oktober october octobre octubre ottobre outubro okt oct ott out",
    "november novembre noviembre novembro nov",
    "dezember december décembre decembre diciembre dicembre dezembro dez dec déc dic",
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
# ISO, 16.08.2019, 16/08/2019 (day first: the European order), "16. August 2019",
# "3 de mayo de 2022", "August 16, 2019".
_TEXT_DATE = re.compile(
    rf"(?<![\d.])(?:(?P<y1>{_YEAR})-(?P<m1>[01]?\d)-(?P<d1>[0-3]?\d)"
    rf"|(?P<d2>[0-3]?\d)\.\s?(?P<m2>[01]?\d)\.\s?(?P<y2>{_YEAR})"
    rf"|(?P<d3>[0-3]?\d)/(?P<m3>[01]?\d)/(?P<y3>{_YEAR})"
    rf"|(?P<d4>[0-3]?\d)(?:\.|er|º)?\s+(?:de\s+)?(?P<m4>{_MONTH})\.?,?\s+(?:de\s+)?(?P<y4>{_YEAR})"
    rf"|(?P<m5>{_MONTH})\.?\s+(?P<d5>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y5>{_YEAR})"
    r")(?!\d)",
    re.IGNORECASE,
)


def text_date(text: str) -> str | None:
    """The first date written out in `text`, as YYYY-MM-DD; never a future one (an event)."""
    from datetime import date

    for match in _TEXT_DATE.finditer(text):
        for i in "12345":
            year = match.group(f"y{i}")
            if year is None:
                continue
            month = match.group(f"m{i}")
            number = int(month) if month.isdigit() else _MONTHS.get(month.lower(), 0)
            day = int(match.group(f"d{i}"))
            if i == "3" and number > 12 >= day:  # 05/13/2019: the US order after all
                number, day = day, number
            found = iso_date(f"{year}-{number}-{day}")
            if found and found <= date.today().isoformat():
                return found
    return None


# An explicit publication label followed (closely) by the date: CMS article headers.
_PUBLISHED_LABEL = re.compile(
    r"(?:\b(?:veröffentlicht|erschienen|publiziert)\s+am|\bveröffentlicht:|\bwritten:|"
    r"\bpublished(?:\s+on|:)|\bpublié\s+le|\bmis\s+en\s+ligne\s+le|\bpublicado\s+(?:el|em)|"
    r"\bpubblicato\s+il|\bdatum:|\bdate:)\s*(?P<rest>.{0,40})",
    re.IGNORECASE | re.DOTALL,
)
_UPDATE = re.compile(r"updat|modif|aktualis|actualiz|edit|comment|kommentar", re.IGNORECASE)
_DATELINE_CHARS = 600  # the article header: kicker, byline, date, standfirst start
_DATELINE_CHUNK = 80  # a dateline is its own short line, never part of a prose sentence


def time_date(tree: HtmlElement) -> str | None:
    """The first `<time datetime>` that is not an update stamp or a comment's date."""
    for node in tree.iter("time"):
        stamp = iso_date(node.get("datetime"))
        if not stamp:
            continue
        around = " ".join(
            f"{el.get('class') or ''} {el.get('itemprop') or ''} {el.get('id') or ''}"
            for el in (node, *list(node.iterancestors())[:3])
        )
        if not _UPDATE.search(around):
            return stamp
    return None


_LABEL_SCAN_CHARS = 60000
# A word every alternative of _PUBLISHED_LABEL contains (lower case).
_LABEL_WORDS = (
    "veröffentlicht",
    "erschienen",
    "publiziert",
    "written:",
    "published",
    "publié",
    "mis en ligne",
    "publicado",
    "pubblicato",
    "datum:",
    "date:",
)


def _first_text(node: HtmlElement, limit: int) -> list[str]:
    """The text pieces of `node` (what `itertext()` yields) up to about `limit` characters: a
    long page's whole text is not built only to be cut.

    The pieces come from one XPath over the text nodes, as plain strings: `itertext()` hands
    Python an element object for every node it passes (about ten times slower; labelled_date
    was 8 % of our own work on the metadata corpus). Both give the text nodes below `node` in
    document order; tests/article/test_metadata.py checks that they agree.
    """
    pieces: list[str] = []
    total = 0
    for piece in _text_nodes()(node):
        pieces.append(piece)
        total += len(piece) + 1
        if total >= limit:
            break
    return pieces


@cache
def _text_nodes() -> Any:
    from lxml import etree

    return etree.XPath("descendant::text()", smart_strings=False)


def labelled_date(tree: HtmlElement) -> str | None:
    """The date after an explicit label: "Veröffentlicht am 16.08.2019", "Written: 2023-…"."""
    body = tree.find("body")
    if body is None:
        return None
    text = squash(" ".join(_first_text(body, _LABEL_SCAN_CHARS))[:_LABEL_SCAN_CHARS])
    lowered = text.lower()
    if not any(label in lowered for label in _LABEL_WORDS):
        return None  # most pages: no label at all, and the full pattern is slow to scan
    for match in _PUBLISHED_LABEL.finditer(text):
        found = text_date(match.group("rest"))
        if found:
            return found
    return None


def dateline(tree: HtmlElement) -> str | None:
    """A date on a short line of its own in the article header, below the first h1."""
    for chunk, owner in _header_lines(tree):
        found = text_date(chunk)
        if found and _is_dateline(owner):
            return found
    return None


# "Von Kai Brandt", "By Nadia Okoro", "Text: Mia Roth" on a line of its own under the headline.
_BYLINE_LINE = re.compile(
    r"^(?i:von|vom|by|par|por|door|text\s*:|autor(?:in)?\s*:)\s+"
    r"(?P<name>[A-ZÄÖÜÉ][^\d|·•,()]{1,60})$"
)


def _header_byline(tree: HtmlElement) -> str | None:
    for chunk, _owner in _header_lines(tree):
        match = _BYLINE_LINE.match(chunk)
        if match:
            return squash(match.group("name"))
    return None


def _header_lines(tree: HtmlElement) -> Iterator[tuple[str, HtmlElement]]:
    """Short text lines (with their element) in what follows the first h1, in document order.

    The article header: its siblings, then its ancestors' following siblings, for the first
    `_DATELINE_CHARS` characters of text. Long text chunks are prose, not header lines.
    """
    h1 = next(tree.iter("h1"), None)
    seen = 0
    node: HtmlElement | None = h1
    for _ in range(5):
        if node is None:
            return
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str) or sibling.tag in _SKIP_TAGS:
                continue
            for el in sibling.iter():
                if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
                    continue
                for chunk, owner in ((el.text, el), (el.tail, el.getparent())):
                    chunk = (chunk or "").replace("\xad", "").strip()
                    if not chunk or owner is None:
                        continue
                    seen += len(chunk)
                    if len(chunk) <= _DATELINE_CHUNK:
                        yield chunk, owner
                    if seen > _DATELINE_CHARS:
                        return
        node = node.getparent()


def _is_dateline(owner: HtmlElement) -> bool:
    """A line of its own (not a date inside a prose paragraph), not an "updated" stamp."""
    if len(owner.text_content()) > 2 * _DATELINE_CHUNK:
        return False
    label = f"{owner.get('class') or ''} {owner.get('itemprop') or ''}"
    return not _UPDATE.search(label)
