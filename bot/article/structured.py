"""The article as the page's structured data (JSON-LD `articleBody`) carries it.

Publishers that show readers a teaser often give search engines the whole text in JSON-LD
(schema.org's paywall markup asks for exactly that). It is the article only when it is this
page's article: the same headline as the page, and the words of the teaser the page does show.
A CMS that leaves a related story's JSON-LD on the page must not get that story briefed, so
when either check fails the structured text is not used.
"""

from __future__ import annotations

import html
import re
import unicodedata

from bot.article.metadata import PageMeta

MIN_BODY_CHARS = 400  # shorter than the teaser pages it should replace: not worth the risk
LONGER = 1.5  # the body must be this much longer than the visible text, and
LONGER_BY_WORDS = 60  # at least this many words longer
HEADLINE_OVERLAP = 0.5  # share of the JSON-LD headline's words in the page's headline
TEASER_OVERLAP = 0.5  # share of the visible teaser's words that the body contains
MIN_TEASER_WORDS = 8  # fewer distinct words say nothing about which story it is

_TAG = re.compile(r"<[^>]{0,2000}>")
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/h[1-6]|/li|/blockquote)\b[^>]{0,200}>", re.IGNORECASE)
# "…the bridge.Councillors backed…": paragraphs glued together when a CMS dropped the breaks.
_GLUED = re.compile(
    r"(?<=[^\W\d_]{2}[.!?])(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ])|(?<=\w[.!?])(?=[“\"‘«„][A-ZÀ-ÖØ-Þ])|"
    r"(?<=[.!?][”\"’»])(?=[A-ZÀ-ÖØ-Þ“«„])"
)
_WORD = re.compile(r"[^\W\d_]{5,}")  # content words: "council", "bridge", not "the", "said"
_HEADLINE_WORD = re.compile(r"[^\W\d_]{3,}")  # headlines are short: keep "cut", "tram"


def body_paragraphs(body: str) -> list[str]:
    """Paragraphs as the JSON has them: its line breaks (or HTML tags), else glued sentences."""
    text = html.unescape(body) if "&" in body else body
    if "<" in text and _TAG.search(text):
        text = _TAG.sub(" ", _BREAK.sub("\n", text))
    text = unicodedata.normalize("NFC", text).replace("\r", "\n").replace("\u2029", "\n")
    paragraphs = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) == 1:
        paragraphs = [p.strip() for p in _GLUED.split(paragraphs[0]) if p.strip()]
    return paragraphs


def _words(text: str, pattern: re.Pattern[str] = _WORD) -> set[str]:
    return {w.casefold() for w in pattern.findall(text)}


def _same_headline(meta: PageMeta) -> bool | None:
    """Does the JSON-LD headline name the page's story? None when there is nothing to compare."""
    ld = _words(meta.ld_headline or "", _HEADLINE_WORD)
    shown = [h for h in (*meta.h1[:2], meta.og_title, meta.title) if h]
    if not ld or not shown:
        return None
    best = max(len(ld & _words(h, _HEADLINE_WORD)) / len(ld) for h in shown)
    return best >= HEADLINE_OVERLAP


def structured_body(meta: PageMeta, visible: list[str]) -> list[str] | None:
    """The JSON-LD article text, when it is this page's story and longer than what is shown."""
    if not meta.ld_body or len(meta.ld_body) < MIN_BODY_CHARS:
        return None
    paragraphs = body_paragraphs(meta.ld_body)
    body_words = sum(len(p.split()) for p in paragraphs)
    shown_words = sum(len(p.split()) for p in visible)
    if body_words < max(shown_words * LONGER, shown_words + LONGER_BY_WORDS):
        return None
    headline = _same_headline(meta)
    if headline is False:
        return None
    teaser = _words(" ".join(visible))
    if len(teaser) >= MIN_TEASER_WORDS:
        if len(teaser & _words(" ".join(paragraphs))) / len(teaser) < TEASER_OVERLAP:
            return None
    elif headline is None:
        return None  # neither a headline nor a teaser to tell which story it is
    return paragraphs
