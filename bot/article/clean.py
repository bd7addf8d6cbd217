"""Drop the boilerplate paragraphs that extraction lets through, and lift a "By X" line.

Extraction (and naive copy-paste for the `--text` path) leaves behind the headline repeated,
share widgets, "Read More", newsletter and app prompts, photo captions and credits, copyright
lines, cookie and subscription notices and related-story lists. Each would otherwise surface
in a briefing or be mistaken for a quote, so they go here, once, for every input.

This step also runs on plain text, where a dropped sentence is lost news, so it is
deliberately conservative: every pattern must match the *whole* paragraph (see each language's
boilerplate.txt in `bot/text/data/languages/`), long paragraphs are never pattern-dropped, and
the only positional rule (a list after a "Related"/"Most read" heading) needs that heading first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache

from bot.models import Article
from bot.text import (
    BASE_LANGUAGE,
    boilerplate_pattern,
    common,
    comparison_key,
    language_info,
    languages,
    name_particles,
    word_count,
)

MAX_BOILERPLATE_WORDS = 45  # longer paragraphs are article text, whatever they start with


def _alternation(words: frozenset[str] | set[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


@dataclass(frozen=True, slots=True)
class _BylineRules:
    """The byline pattern and word sets, from every language's `[byline]` and name particles."""

    pattern: re.Pattern[str]
    joiner: re.Pattern[str]
    name_words: frozenset[str]  # lower-case words a byline's names may hold


@cache
def _byline_rules() -> _BylineRules:
    """ "By Matthew Lee, AP" / "Von Anna Berg und Jonas Kern, dpa" / "Por Ana Ruiz"."""
    by = {w for lang in languages() for w in lang.byline_by}
    joiners = {w for lang in (common(), *languages()) for w in lang.byline_and}
    particles = name_particles()
    name = rf"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]+|(?:{_alternation(particles)})\b)"
    person = rf"[A-ZÀ-ÖØ-Þ][\w'’.-]+(?:\s+{name}){{0,3}}"
    joiner = rf"\s+(?:{_alternation(joiners)})\s+"
    pattern = re.compile(
        rf"(?:{_alternation(by)})\s+(?P<names>{person}(?:{joiner}{person}){{0,3}})"
        r"(?:\s*(?:,|\||-|–|—)\s*(?P<org>[^\W\d_][\w'’.&/ -]{0,60}))?\.?",
        re.IGNORECASE,
    )
    return _BylineRules(pattern, re.compile(joiner), particles | joiners)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_NAMES = _wordset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december the this that then now far way "
    "all most some many law contrast comparison default design far no"
)
# Lead-ins of related-story lists; the bullet lines ("- Headline") right after them go too.
_LIST_HEADING = re.compile(
    r"(?:related|related stories|related articles|more stories|more from .{1,40}|most read.{0,30}"
    r"|most popular|you may also like|you might also like|recommended|popular on .{1,40}"
    r"|read more|see more|don't miss|more on this|mehr zum thema|lesen sie auch|meistgelesen"
    r"|lire aussi|à lire aussi|les plus lus|lee también|noticias relacionadas|lo más leído)"
    r"[\s:.…!|]*",
    re.IGNORECASE,
)


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())  # as `\s+` → " ", faster


_key = comparison_key


@cache
def _patterns(code: str | None) -> re.Pattern[str]:
    """The registry's boilerplate patterns for this language (with the common ones and
    English's); a language without patterns of its own gets every list."""
    own = language_info(code)
    if own is not None and own.boilerplate:
        langs = [own.code] if own.code == BASE_LANGUAGE else [BASE_LANGUAGE, own.code]
    else:
        langs = [lang.code for lang in languages() if lang.boilerplate]
    return boilerplate_pattern(tuple(langs))


def is_boilerplate(paragraph: str, language: str | None = None) -> bool:
    """Does this whole paragraph match a boilerplate pattern (share, read more, credit, ©…)?"""
    text = _squash(paragraph)
    if not text or word_count(text) > MAX_BOILERPLATE_WORDS:
        return False
    return _patterns(language).fullmatch(text) is not None


def parse_byline(paragraph: str) -> str | None:
    """ "By Matthew Lee, Associated Press" → "Matthew Lee"; None unless the line is a byline."""
    text = _squash(paragraph)
    if len(text.split()) > 14:
        return None
    rules = _byline_rules()
    match = rules.pattern.fullmatch(text)
    if not match:
        return None
    names = match.group("names")
    words = [w.lower().strip(".,") for w in names.split()]
    if words[0] in _NOT_NAMES or any(w in _NOT_NAMES for w in words[:2]):
        return None
    if not all(w[:1].isupper() or w.lower() in rules.name_words for w in names.split()):
        return None
    org = match.group("org")
    if org and not _is_org_or_role(org):
        return None
    parts = rules.joiner.split(names)
    return "; ".join(p.strip() for p in parts if p.strip())


_ORG_SMALL = _wordset("of the and for at in de del der des du la le y und et &")


def _is_org_or_role(text: str) -> bool:
    """An agency or role ("Associated Press", "Staff Writer", "dpa"), not "the store had"."""
    words = text.split()
    if all(w[:1].isupper() or w in _ORG_SMALL for w in words):
        return True
    return len(words) <= 5 and any(w.lower().strip(".,") in _ROLE_WORDS for w in words)


_ROLE_WORDS = _wordset(
    "dpa afp ap apa epd kna sda reuters efe ansa staff writer reporter correspondent editor "
    "contributor special envoyé envoyée spécial spéciale correspondant correspondante "
    "corresponsal enviado enviada especial redakteur redakteurin korrespondent korrespondentin "
    "redaktion rédaction redacción"
)


def _is_headline_repeat(key: str, headline_key: str) -> bool:
    """The headline, in any case, maybe printed twice on one line (image alt + title), or run
    together with the one- or two-word section kicker printed above it ("Lokales Stadtrat …")."""
    if not headline_key:
        return False
    if key == headline_key or key == f"{headline_key} {headline_key}":
        return True
    kicker = key.removesuffix(headline_key)
    return kicker != key and kicker.endswith(" ") and 1 <= len(kicker.split()) <= 2


# Where a page title joins the headline to its section and site: "… травмы. - Новости дня - РБК".
_TITLE_SEPARATOR = re.compile(r"\s(?:-|–|—|\||::|»)\s")
HEADLINE_HEAD_WORDS = 4  # a shorter head ("Sport - …") may be a line of the story


def _headline_heads(headline: str) -> frozenset[str]:
    """The keys of the headline cut before each separator: when the headline kept its site
    and section suffix, the story's own copy of it is one of these. Every cut is tried, as
    the headline itself may hold a dash ("один погиб, 21 - получил травмы")."""
    return frozenset(
        key
        for match in _TITLE_SEPARATOR.finditer(headline)
        if word_count(key := _key(headline[: match.start()])) >= HEADLINE_HEAD_WORDS
    )


def _looks_like_title(paragraph: str) -> bool:
    text = _squash(paragraph)
    return 0 < word_count(text) <= 25 and not text.endswith((":", ",", "。", "：", "，"))


def clean_paragraphs(
    paragraphs: list[str],
    headline: str | None = None,
    byline: str | None = None,
    language: str | None = None,
) -> tuple[list[str], str | None]:
    """Return (kept paragraphs, byline); a "By X, Agency" line becomes the byline if none."""
    headline_key = _key(headline) if headline else ""
    heads = _headline_heads(headline) if headline else frozenset()
    if not headline_key and paragraphs and _looks_like_title(paragraphs[0]):
        first_key = _key(paragraphs[0])  # plain text: the first line is usually the headline
    else:
        first_key = ""
    kept: list[str] = []
    in_list = False
    for index, paragraph in enumerate(paragraphs):
        text = _squash(paragraph)
        if not text:
            continue
        key = _key(text)
        if (
            _is_headline_repeat(key, headline_key)
            or key in heads
            or (index > 0 and _is_headline_repeat(key, first_key))
        ):
            continue
        if in_list and text.startswith(("- ", "• ", "* ")):
            continue
        in_list = False
        named = parse_byline(text)
        if named is not None:
            byline = byline or named
            continue
        if _LIST_HEADING.fullmatch(text):
            in_list = True
            continue
        if is_boilerplate(text, language):
            continue
        kept.append(paragraph.strip())
    return kept, byline


def clean_article(article: Article) -> Article:
    """A new `Article` with boilerplate paragraphs removed and the byline filled if found."""
    paragraphs, byline = clean_paragraphs(
        article.paragraphs, article.headline, article.byline, article.language
    )
    return replace(article, paragraphs=paragraphs, byline=byline)
