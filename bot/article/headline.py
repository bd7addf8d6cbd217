"""The article's headline, not the page's: chosen among h1, og:title, JSON-LD, <title>, trafilatura.

What the misses on the metadata corpus taught: the headline a reader sees is the article's h1,
while og:title and <title> are often rewritten for search ("… : Die Erklärung | Site"). So:
1. the h1 that shares most words with og:title / JSON-LD / <title> wins (logo, "Navigation"
   and section h1s share none, or equal the site segment of <title>);
2. a kicker glued before it ("Ernährung sichern Schulze: …") goes when the structured title
   lacks it; a kicker the publisher's own og:title also prints ("Klimaschutz: …") stays;
3. without a usable h1: JSON-LD / og:title / <title>, with the site name stripped only when it
   is recognisably the site's (og:site_name, publisher, host name), so "Kicker: Headline"
   survives where "Site: Headline" and "Headline | Section | Site" lose their extras.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from bot.article.metadata import PageMeta, squash
from bot.text import comparison_key, has_cjk

# Separators a site name hangs off; the en/em dash and pipes are the common ones.
# Chinese sites join headline, channel and site with "_" and no spaces ("标题_财经_凤凰网").
_SEPARATORS = (
    " | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " • ", " / ", ": ", " ~ ", "_",
)  # fmt: skip
_PIPE_SPLIT = re.compile(r"\s+(?:\||-|–|—|::|«|»|·|•|/|~)\s+")
# Where a section name left behind the site's may hang ("Headline - Kraków", "标题_财经").
_SECTION_SEPARATORS = (" | ", " - ", " – ", " — ", "_")
_DATE_TAIL = re.compile(r"\s*\d{1,2} \d{1,2} \d{2,4}\b")
# An h1 is the article's headline when this share of its words is in og:title/JSON-LD/<title>
# (tuned on the metadata corpus: .2-.5 all within one page of each other).
H1_MIN_OVERLAP = 0.3


def normalise(text: str | None) -> str:
    """Whitespace-squashed, entity-decoded, NFC text (what we show and compare)."""
    if not text:
        return ""
    text = html.unescape(html.unescape(text)) if "&" in text else text
    return squash(unicodedata.normalize("NFC", text).replace("\u00ad", ""))


@lru_cache(maxsize=1024)
def _key(text: str) -> str:
    """Case-, punctuation- and accent-blind ("ΗΜΕΡΗΣΙΑ ΑΚΤΗ" is the site "Ημερήσια Ακτή").

    Cached, and ASCII text skips the accent pass: choosing a headline compares the same few
    titles and site names dozens of times a page, and the accent pass is a Python loop over
    every character (a fifth of the headline step on extraction-zyte)."""
    if text.isascii():  # nothing to decompose, no combining marks
        return comparison_key(text)
    decomposed = unicodedata.normalize("NFD", text)
    return comparison_key("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _short_section(tail: str, head: str) -> bool:
    """Is `tail` a section name (one or two words, or a few CJK characters) after a headline?"""
    if has_cjk(tail) or has_cjk(head):
        return 0 < len(tail.strip()) <= 4 and len(head) >= 8
    return 0 < len(tail.split()) <= 2 and len(tail) <= 20 and len(head.split()) >= 3


def _site_keys(meta: PageMeta, site: str | None, host: str | None) -> set[str]:
    keys = set()
    for name in (meta.site_name, meta.ld_publisher, site):
        if name:
            keys.add(_key(name))
    if host:
        host = host.lower().removeprefix("www.")
        keys.add(_key(host))
        keys.add(_key(host.rsplit(".", 1)[0]))
    return {k for k in keys if k}


def _is_site(part: str, sites: set[str]) -> bool:
    """Is this title segment the site's name (exactly, or the name plus/minus a short word)?"""
    key = _key(part)
    if not key:
        return True
    squashed = key.replace(" ", "")
    for site in sites:
        s = site.replace(" ", "")
        if not s or len(s) > 40:
            continue
        if squashed == s or (len(squashed) >= 6 and squashed in s):
            return True
        short, long = sorted((squashed, s), key=len)
        if len(short) >= 4 and len(long) - len(short) <= 15 and long.startswith(short):
            return True
    return False


def strip_site(title: str, sites: set[str]) -> str:
    """Drop leading/trailing segments that are the site's name, then a section left dangling
    at the end ("Headline | Local | Site", "SITE - Headline - society", "标题_财经_网站")."""
    text = title
    stripped = False
    for _ in range(3):
        changed = False
        for sep in _SEPARATORS:
            head, found, tail = text.rpartition(sep)
            if found and head.strip() and _is_site(tail, sites):
                text, changed, stripped = head.strip(), True, True
                break
            head, found, tail = text.partition(sep)
            if found and tail.strip() and _is_site(head, sites):
                text, changed, stripped = tail.strip(), True, True
                break
        if not changed:
            break
    if stripped:
        for sep in _SECTION_SEPARATORS:
            head, found, tail = text.rpartition(sep)
            if found and _short_section(tail, head):
                text = head.strip()
                break
    return text


def _tokens(text: str) -> set[str]:
    return set(_key(text).split())


def _edge_segments(title: str) -> set[str]:
    """Segments of <title> that look like a site name: a short last part, a one-word first part.

    Only pipe/dash-like separators count; "Kicker: Headline" is an article's own title.
    """
    parts = [p.strip() for p in _PIPE_SPLIT.split(title) if p.strip()]
    if len(parts) < 2:
        return set()
    out = set()
    if len(_key(parts[-1]).split()) <= 3:
        out.add(_key(parts[-1]))
    if len(_key(parts[0]).split()) == 1:
        out.add(_key(parts[0]))
    return out


def _trailing_parts(title: str) -> set[str]:
    """What follows the first and the last pipe-like separator of <title> (site, section)."""
    parts = [p.strip() for p in _PIPE_SPLIT.split(title) if p.strip()]
    if len(parts) < 2:
        return set()
    first_cut = _PIPE_SPLIT.split(title, maxsplit=1)[1]
    return {_key(parts[-1]), _key(first_cut)}


def _content_tokens(text: str) -> set[str]:
    return {t for t in _tokens(text) if len(t) >= 3 or t.isdigit()}


def _article_h1(h1s: list[str], refs: list[str], sites: set[str], title: str) -> str | None:
    """The h1 that is this article's headline: the one sharing most words with the metadata.

    Pages often have several h1s (logo, section name, "Navigation"), and a logo h1 can even
    equal a segment of <title>; such edge segments count as the site name.
    """
    ref_tokens: set[str] = set()
    for ref in refs:
        ref_tokens |= _content_tokens(strip_site(ref, sites))
    trailing = _trailing_parts(title)
    scored = []
    for h1 in h1s:
        if _is_site(h1, sites):
            continue
        tokens = _content_tokens(h1) or _tokens(h1)
        if not tokens:
            continue
        shared = len(tokens & ref_tokens)
        ratio = shared / len(tokens)
        if not ref_tokens:
            ratio, shared = 1.0, len(tokens)
        if ratio >= H1_MIN_OVERLAP:
            scored.append((shared, h1))
    if len(scored) > 1:  # the site's own name as a second h1 ("Headline | Site")
        scored = [item for item in scored if _key(item[1]) not in trailing] or scored
    if not scored:
        return None
    return max(scored, key=lambda item: item[0])[1]


def _drop_kicker(h1: str, refs: list[str], structured: list[str], sites: set[str]) -> str:
    """ "Kicker Headline" in the h1 where the metadata has just "Headline": keep the latter.

    When og:title / JSON-LD print the kicker too, it is part of the headline and stays.
    """
    hkey = _key(h1)
    confirmed = any(hkey in _key(ref) for ref in structured if ref) or not any(structured)
    if confirmed and any(hkey in _key(ref) for ref in refs):
        return h1
    options = [strip_site(ref, sites) for ref in refs]
    best = h1
    best_len = 0
    for option in options:
        okey = _key(option)
        if len(okey.split()) >= 3 and hkey.endswith(" " + okey) and len(okey) > best_len:
            best, best_len = option, len(okey)
        # "Headline 02.02.2022 • Section": a dateline glued to the h1's end.
        rest = hkey[len(okey) :]
        if len(okey.split()) >= 3 and hkey.startswith(okey + " ") and _DATE_TAIL.match(rest):
            return option
    return best


def choose_headline(
    meta: PageMeta, extracted_title: str | None, site: str | None = None, host: str | None = None
) -> str | None:
    """The headline as the article states it, or None when the page names nothing usable."""
    sites = _site_keys(meta, site, host)
    title = normalise(meta.title)
    h1s = [normalise(h) for h in meta.h1]
    h1_keys = {_key(h) for h in h1s}
    sites |= _edge_segments(title) & h1_keys
    structured = [normalise(t) for t in (meta.ld_headline, meta.og_title, meta.twitter_title)]
    traf = normalise(extracted_title)
    refs = [r for r in (*structured, title) if r]

    h1 = _article_h1(h1s, refs, sites, title)
    if h1:
        return strip_site(_drop_kicker(h1, refs, structured, sites), sites)

    cleaned = {
        "ld": strip_site(structured[0], sites) if structured[0] else "",
        "og": strip_site(structured[1], sites) if structured[1] else "",
        "tw": strip_site(structured[2], sites) if structured[2] else "",
        "title": strip_site(title, sites) if title else "",
        "traf": strip_site(traf, sites) if traf else "",
    }
    # Structured headline (JSON-LD / og) confirmed by the <title> or by each other.
    for name in ("ld", "og", "tw"):
        value = cleaned[name]
        if not value:
            continue
        if any(_key(value) == _key(v) for k, v in cleaned.items() if k != name and v):
            return value
    for value in (cleaned["og"], cleaned["ld"], cleaned["tw"]):
        if value:
            return value
    return cleaned["title"] or cleaned["traf"] or None
