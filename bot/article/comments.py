"""Readers' comments on a page: where they are, and which extracted paragraphs are theirs.

A reader's post is no sentence of the article: left in, it became briefing items. Comment
sections are named in the markup in the site's language: trafilatura knows the English
"comment"; Polish "komentarze"/"opinie" (a reader's "opinia"), German "Kommentare", Spanish and
Portuguese "comentarios", Dutch "reacties", Greek "sxolia", Russian "otzyvy", Chinese "pinglun".
"opinion" (an op-ed section) and "commentary" are articles, and are not matched.

Every page is searched, so the search is built for speed: a regex test on each element (EXSLT
in XPath calls back into Python once per element, about 5 ms a page) is replaced by one pass
over the attribute values, a substring search for the names' fixed stems, and an XPath of
plain `contains()` tests on the id and class attribute nodes that libxml2 runs alone (on the
attribute axis each value is read once, not once per test); the full pattern then confirms
each hit.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # lxml loads with trafilatura, inside extract_article
    from lxml.html import HtmlElement

COMMENT_NAME = re.compile(
    r"comment(?!ary)|kommentar|komentar|coment[aá]rio|opini[aei]|reacties|sxolia|otzyv|pinglun"
    r"|disqus",
    re.IGNORECASE,
)
# What every match of COMMENT_NAME starts with: a name without one of these cannot match.
_STEMS = (
    "comment",
    "kommentar",
    "komentar",
    "coment",
    "opini",
    "reacties",
    "sxolia",
    "otzyv",
    "pinglun",
    "disqus",
)
# The article's own block, whatever its class says (WordPress: "has-comments").
_HOLDS_ARTICLE = ".//h1 | .//article | .//*[@itemprop='articleBody']"
_VISIBLE_TEXT = ".//text()[not(ancestor::script or ancestor::style)]"

# A comment counter inside a paragraph ("<a class="comments_count">0</a>В Москве…"): a link
# whose whole text is a number and whose class or id names comments. Left in, its digit glues
# onto the paragraph's first word ("0В Москве") and the sentence is no longer the article's.
_COUNTERS = (
    "(//a/@class[contains(., 'comment')] | //a/@id[contains(., 'comment')])/parent::*"
    "[string-length(normalize-space(.)) > 0"
    " and translate(normalize-space(.), '0123456789', '') = '']"
)


def drop_counters(tree: HtmlElement) -> None:
    for node in tree.xpath(_COUNTERS):
        node.drop_tree()  # keeps the text after it


def comment_sections(tree: HtmlElement) -> list[HtmlElement]:
    """The page's readers' comment sections, outermost only, in document order."""
    names = "\n".join(_attribute_values()(tree))
    spellings = _stem_spellings(names)
    if spellings is None:  # lowercasing changed the length: no offsets to map back
        spellings = {match.group(0) for match in COMMENT_NAME.finditer(names)}
    if not spellings:
        return []
    found: list[HtmlElement] = []
    for node in _named(len(spellings))(tree, **{f"s{i}": s for i, s in enumerate(spellings)}):
        if not COMMENT_NAME.search(f"{node.get('id', '')} {node.get('class', '')}"):
            continue
        if node.tag in ("html", "body", "head") or any(n in found for n in node.iterancestors()):
            continue
        if node.xpath(_HOLDS_ARTICLE):
            continue
        found.append(node)
    return found


def not_comments(
    tree: HtmlElement, paragraphs: list[str], sections: list[HtmlElement]
) -> list[str]:
    """The paragraphs that are not a reader's comment: found in a comment section and nowhere
    else on the page (a comment widget may repeat the article's own lines: those stay)."""
    if not sections:
        return paragraphs
    comments = "\n".join(map(squeezed, sections))
    page: str | None = None  # the whole page's text, read only if a paragraph is in a comment
    kept = []
    for paragraph in paragraphs:
        key = "".join(paragraph.split())
        if key and key in comments:
            if page is None:
                body = tree.find("body")
                page = squeezed(body if body is not None else tree)
            if page.count(key) <= comments.count(key):
                continue
        kept.append(paragraph)
    return kept


def squeezed(node: HtmlElement) -> str:
    """A block's visible text without whitespace (scripts and styles left out), for lookups."""
    return "".join("".join(node.xpath(_VISIBLE_TEXT)).split())


def _stem_spellings(names: str) -> set[str] | None:
    """Each stem as the page spells it ("Comment", "COMMENT"): XPath's contains() is
    case-sensitive, so the search asks for exactly these."""
    lowered = names.lower()
    if len(lowered) != len(names):
        return None
    spellings = set()
    for stem in _STEMS:
        at = lowered.find(stem)
        while at >= 0:
            spellings.add(names[at : at + len(stem)])
            at = lowered.find(stem, at + 1)
    return spellings


@cache
def _attribute_values() -> Any:
    from lxml import etree

    return etree.XPath("//@id | //@class", smart_strings=False)


@lru_cache(maxsize=32)
def _named(count: int) -> Any:
    """Elements whose id or class contains one of `count` spellings, given as $s0, $s1, …"""
    from lxml import etree

    tests = " or ".join(f"contains(., $s{i})" for i in range(count))
    return etree.XPath(f"//@id[{tests}]/.. | //@class[{tests}]/..")
