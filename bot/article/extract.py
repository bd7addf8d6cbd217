"""HTML page → `Article`: trafilatura for the body, the page's own metadata for the rest.

One parse per page: we read the markup metadata (JSON-LD, OpenGraph, h1, <title>) from the
tree, then hand the same tree to trafilatura's `bare_extraction`, which copies it before
pruning. Options were chosen by measuring on extraction-zyte (see bench/score_extraction.py):
`fast=True` (no readability/jusText fallback) is both faster than bare `extract()` and more
precise there, and comments are never part of a news article. The date is what the page
shows its readers first (see `choose_date`); htmldate's extensive search, which `fast` would
otherwise switch off, runs only when those signals leave it open.

Pure and CPU-bound: it runs in a worker process and never touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from bot.article.author_search import find_author
from bot.article.comments import comment_sections, drop_counters, not_comments
from bot.article.headline import choose_headline, normalise
from bot.article.metadata import (
    PageMeta,
    choose_byline,
    iso_date,
    labelled_date,
    read_page_meta,
    time_date,
    visible_byline,
)
from bot.article.navigation import MENU_ITEM_CHARS, menu_line, without_navigation
from bot.article.parse import load_page
from bot.article.structured import structured_body
from bot.article.walls import find_wall, wall_lines
from bot.errors import NoArticle, PipelineError
from bot.messages import say
from bot.models import Article, ErrorKind, TextSource
from bot.text import guess_language, word_count
from bot.text.languages import languages
from bot.timelimit import time_limit

if TYPE_CHECKING:  # lxml loads with trafilatura, inside extract_article
    from lxml.html import HtmlElement

MAX_PAGE_BYTES = 10_000_000  # pages in the wild are < 3 MB; beyond this lxml alone takes seconds
MIN_ARTICLE_CHARS = 200  # shorter than the shortest news brief (characters: CJK has no spaces)
# Less than this on the fast path, and trafilatura's fallbacks look again: on the Chinese,
# Russian and Polish dev pages such text was a disclaimer or a caption, the story elsewhere.
SCANT_CHARS = 2 * MIN_ARTICLE_CHARS
TEASER_WORDS = 120  # a paywall teaser is a standfirst and a paragraph or two
GUESS_CHARS = 3000  # the language guess reads the opening paragraphs up to this many characters
WALL_REST_WORDS = 100  # shorter pages are checked for walls; beside wall text, no article
WALL_PAGE_WORDS = 600  # longer extracted text is an article, whatever lines it carries


_PAYWALL_HINT = re.compile(
    r"paywall|subscriber|subscribe|sign in|log in|login|register|abonn|anmelden|suscr",
    re.IGNORECASE,
)


def extract_article(
    html: str | bytes, url: str | None = None, *, thorough: bool = False
) -> Article:
    """Extract the article body and metadata; raise `PipelineError` when there is no article.

    `thorough` runs trafilatura's fallbacks (readability, jusText) from the start: for a page
    whose fast-path text gave nothing to brief (it was a sidebar or a list of other stories).
    """
    size = len(html)
    if size > MAX_PAGE_BYTES:
        raise PipelineError(ErrorKind.TOO_LARGE, say("article.too_large", size=size / 1_000_000))
    if not html.strip():
        raise PipelineError(ErrorKind.NOT_ARTICLE, say("article.no_text"))

    from trafilatura import bare_extraction  # deferred: keeps `import bot.article.extract` cheap

    try:
        tree = load_page(html)
    except Exception as error:  # lxml raises a zoo of errors on hostile input
        raise PipelineError(ErrorKind.EXTRACTION, say("article.not_html")) from error
    if tree is None:
        raise PipelineError(ErrorKind.NOT_ARTICLE, say("article.no_text"))
    try:
        meta = read_page_meta(tree)
        # Metadata is ours (below); trafilatura's own costs ~25 % of the time for fields
        # we mostly read better from the markup, so it is called piecemeal and lazily.
        drop_counters(tree)
        sections = comment_sections(tree)
        doc = bare_extraction(tree, url=url, include_comments=False, fast=not thorough)
        paragraphs = _paragraphs(_text_of(doc))
        if not thorough:  # thorough: the fallbacks have had their say
            paragraphs = _retried(tree, paragraphs, url)
        # After the menu test: a layout table's empty rows are what tells its page is chrome.
        paragraphs = _unwrap_rows(paragraphs)
        if sections:
            paragraphs = _without_comments(tree, paragraphs, sections, url)
    except RecursionError as error:
        raise PipelineError(ErrorKind.EXTRACTION, say("article.not_html")) from error
    except Exception as error:
        raise PipelineError(
            ErrorKind.EXTRACTION, f"{say('article.not_html')} ({type(error).__name__})"
        ) from error

    paragraphs, source = _article_text(tree, meta, paragraphs, url)
    try:
        article = _article(tree, meta, paragraphs, url)
    except RecursionError as error:
        raise PipelineError(ErrorKind.EXTRACTION, say("article.not_html")) from error
    if source is TextSource.PAGE:
        if article.headline:
            article.paragraphs = _from_headline(tree, article.headline, article.paragraphs)
        article.paragraphs = without_navigation(article.paragraphs)
    article.text_source = source
    article.amp_url = _absolute(meta.amp_url, url or article.url)
    return article


# The text a reader sees above a node: no head (its <title>), scripts (JSON-LD repeats the
# lede), styles or noscript copies.
_UNPRINTED = (
    "not(ancestor::head or ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)"
)
_UNPRINTED_ELEMENT = "self::head or self::script or self::style or self::noscript or self::template"
# All that text, as a set difference computed in C (EXSLT's, which libxml2 runs): the text
# nodes above the node, less those inside an unprinted element above it or around it. Written
# as `preceding::text()[{_UNPRINTED}]`, the same nodes cost five walks up the ancestors of
# every text node of the page: three quarters of `_from_headline` on the metadata corpus.
_PRINTED_BEFORE = (
    "set:difference(preceding::text(),"
    f" (preceding::*[{_UNPRINTED_ELEMENT}] | ancestor::*[{_UNPRINTED_ELEMENT}])//text())"
)
# The same, only the text nodes holding $word: libxml2 filters them without handing Python
# every text node of the page (most pages print no paragraph above their headline).
_PRINTED_BEFORE_WITH = f"preceding::text()[contains(., $word)][{_UNPRINTED}]"
_WORD = re.compile(r"\w+")


def _from_headline(tree: HtmlElement, headline: str, paragraphs: list[str]) -> list[str]:
    """Drop the opening paragraphs that the page prints before the article's headline, outside
    its block: a sidebar column laid out first in the markup ("About this site: …"), which
    extraction took for the article's start. A kicker or date line above the headline goes too;
    a page that shows its headline only below most of its text (a list, a wrong heading) keeps
    all: the text that follows must be the larger part, and the headline itself must not be
    among the lines dropped (then the heading found is a later copy of it)."""
    target = " ".join(headline.split())
    heading = next(
        (node for node in tree.iter("h1", "h2") if " ".join(node.text_content().split()) == target),
        None,
    )
    if heading is None:
        return paragraphs
    opening = _WORD.findall(paragraphs[0], 0, 200)[:6] if paragraphs else []
    probe = max(opening, key=len, default="")[:5]  # short: a tag may split a word, or CJK run
    if probe and not heading.xpath(_PRINTED_BEFORE_WITH, word=probe):
        return paragraphs  # a word of the first paragraph's opening is not printed above
    # compared without whitespace: inline tags split the page's text nodes mid-sentence
    before = "".join("".join(_printed_before()(heading)).split())
    lead = 0
    while lead < len(paragraphs) and "".join(paragraphs[lead].split()) in before:
        lead += 1
    if any(" ".join(p.split()) == target for p in paragraphs[:lead]):
        return paragraphs  # the headline is printed above: this heading is a later copy
    dropped = sum(map(len, paragraphs[:lead]))
    kept = sum(map(len, paragraphs[lead:]))
    if lead == 0 or kept < max(MIN_ARTICLE_CHARS, 2 * dropped):
        return paragraphs
    return paragraphs[lead:]


@cache
def _printed_before() -> Any:
    from lxml import etree

    return etree.XPath(
        _PRINTED_BEFORE, namespaces={"set": "http://exslt.org/sets"}, smart_strings=False
    )


def _without_comments(
    tree: HtmlElement, paragraphs: list[str], sections: list[HtmlElement], url: str | None
) -> list[str]:
    """Readers' comments out of the text. When they were most of it (extraction took the
    comment list for the article), the page is extracted once more without them: removing
    them up front instead would change which block trafilatura picks on pages it got right."""
    kept = not_comments(tree, paragraphs, sections)
    if sum(map(len, kept)) * 2 >= sum(map(len, paragraphs)):
        return kept
    for node in sections:
        node.drop_tree()
    return _unwrap_rows(_fallback_paragraphs(tree, url))


def _retried(tree: HtmlElement, paragraphs: list[str], url: str | None) -> list[str]:
    """The fast path's paragraphs, or the fallbacks' when the fast path went wrong."""
    if _menu_like(paragraphs):
        # The fast path grabbed a navigation menu: run trafilatura's fallbacks (readability,
        # jusText) once. Rare (1 of 181 zyte pages, 10 of 423 metadata pages).
        second = _fallback_paragraphs(tree, url)
        return second if _better_than_menu(second, paragraphs) else paragraphs
    if _scant(paragraphs):
        # Too little for an article, none of it wall text: the fast path may have taken
        # a disclaimer or a caption for the article; the fallbacks see the page once more.
        second = _fallback_paragraphs(tree, url)
        return second if sum(map(len, second)) > sum(map(len, paragraphs)) else paragraphs
    return paragraphs


def _fallback_paragraphs(tree: HtmlElement, url: str | None) -> list[str]:
    """The page's paragraphs as trafilatura's full cascade (readability, jusText) finds them."""
    from trafilatura import bare_extraction

    retry = bare_extraction(tree, url=url, include_comments=False, fast=False)
    return _paragraphs(_text_of(retry))


def _article_text(
    tree: HtmlElement, meta: PageMeta, paragraphs: list[str], url: str | None
) -> tuple[list[str], TextSource]:
    """The article's paragraphs and where they were found; raises `NoArticle` for a wall,
    a teaser or an empty page (see walls.py and structured.py for why in this order)."""
    counts = [word_count(p) for p in paragraphs]  # counted once: CJK text is counted by regex
    total = sum(counts)
    # A wall never says this much; on 924 corpus pages trafilatura had already left every
    # banner out of the longer ones, so they are spared the look for wall lines.
    lines = wall_lines(paragraphs) if total < WALL_PAGE_WORDS else {}
    kept = [p for i, p in enumerate(paragraphs) if i not in lines]
    words = sum(c for i, c in enumerate(counts) if i not in lines) if lines else total
    chars = sum(len(p) for p in kept)
    walled = bool(lines) and (words < WALL_REST_WORDS or sum(counts[i] for i in lines) >= words)
    structured = structured_body(meta, kept)
    if structured is not None:
        return structured, TextSource.STRUCTURED_DATA
    short = words < WALL_REST_WORDS  # a news brief, or all a wall has to say
    if not (walled or short or (meta.paywalled and words < TEASER_WORDS)):
        return kept, TextSource.PAGE
    amp_url = _absolute(meta.amp_url, url or _page_url(meta, url))
    wall = find_wall(tree, meta, url, lines)
    if wall is not None:
        raise NoArticle(wall.message, amp_url)
    if chars >= MIN_ARTICLE_CHARS and not meta.paywalled:
        return kept, TextSource.PAGE  # wall words, but no wall: a short article
    raise NoArticle(
        say("article.teaser") if _teaser(meta, tree) else say("article.no_text"), amp_url
    )


def _article(tree: HtmlElement, meta: PageMeta, paragraphs: list[str], url: str | None) -> Article:
    from trafilatura import metadata as traf_meta

    page_url = _page_url(meta, url)
    host = urlsplit(page_url).hostname if page_url else None
    site = normalise(meta.site_name or meta.ld_publisher) or None
    if site is None:
        site = normalise(traf_meta.extract_sitename(tree)) or None
    title = None
    if not (meta.h1 or meta.title or meta.og_title or meta.ld_headline):
        title = traf_meta.extract_title(tree)
    language = opening_language(paragraphs, hint=meta.ld_language or meta.lang)
    declared = bool(meta.ld_date or meta.meta_date)
    return Article(
        paragraphs=paragraphs,
        url=page_url,
        headline=choose_headline(meta, title, site, host) or None,
        byline=choose_byline(
            meta,
            lambda: find_author(tree),  # trafilatura's search, without its tree copy
            site,
            host,
            printed=lambda: visible_byline(tree),
        ),
        site=site,
        published=choose_date(
            meta, lambda: _date(tree, page_url, declared=declared, language=language), tree
        ),
        language=language,
        image=_absolute(meta.image, page_url),
        description=normalise(meta.description) or None,
    )


def choose_date(
    meta: PageMeta,
    found: Callable[[], str | None] | str | None,
    tree: HtmlElement | None = None,
) -> str | None:
    """The article's date: what the page shows its readers first, then htmldate's search.

    `found` is htmldate's date, or a callable computing it: htmldate deep-copies the tree,
    so it only runs when the page's own signals below leave the question open.
    Measured on the metadata corpus (whose labels are the date a reader sees):
    - A date on a short line of its own right below the headline is the article's date as
      printed (a dateline: "27.01.2022", "Von X · 3. Mai 2022"); it beats the declared
      metadata, which CMSs often fill with a first draft's or a re-save's date.
    - Without any declared date, htmldate guesses from the body and picks up teaser lists,
      comment dates and image paths; an explicit "Veröffentlicht am"/"Published on" label or
      the first `<time datetime>` (not an update or a comment) is what the page says.
    - A declared timestamp exactly one day from htmldate's date is a time-zone artefact: the
      publisher's own datePublished wins, unless it is a UTC stamp and htmldate's date is the
      one in the article's URL (the CMS files articles under their local date).
    """
    if not (meta.ld_date or meta.meta_date):
        printed = (labelled_date(tree) or time_date(tree)) if tree is not None else None
        if printed or meta.dateline:
            return printed or meta.dateline
        guess = found() if callable(found) else found
        return None if guess and _year_only(guess, tree) else guess
    if meta.dateline:
        return meta.dateline
    if callable(found):
        found = found()
    if found:
        url_date = _url_date(meta.canonical or meta.og_url)
        for declared, stamped, utc in (
            (meta.ld_date, meta.ld_timestamp, meta.ld_utc),
            (meta.meta_date, meta.meta_timestamp, meta.meta_utc),
        ):
            if declared and stamped and declared != found and _days_apart(declared, found) == 1:
                return found if utc and url_date == found else declared
    return found or meta.ld_date or meta.meta_date


_NEW_YEAR = re.compile(
    r"\b0?1[./-]0?1[./-](?:19|20)\d\d|(?:19|20)\d\d-01-01|\b1(?:st|er|\.)?\s+(?:de\s+)?"
    r"(?:jan|enero|janv|januar)|\bjan(?:uary|\.)?\s+1(?:st)?\b",
    re.IGNORECASE,
)


def _year_only(guess: str, tree: HtmlElement | None) -> bool:
    """htmldate turns a bare year in the text ("fares rose in 1995") into 1 January: with no
    declared date to back it, a 1 January the page never prints is a guess, not a date."""
    if not guess.endswith("-01-01") or tree is None:
        return False
    return _NEW_YEAR.search(tree.text_content()[:200_000]) is None


_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]\d)[/-]([0-3]\d)(?=[/-]|$)")


def _url_date(url: str | None) -> str | None:
    """ "/2019/05/13/slug" → 2019-05-13."""
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    return iso_date("-".join(match.groups())) if match else None


def _days_apart(first: str, second: str) -> int:
    from datetime import date

    return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)


EXTENSIVE_DATES = True  # the body search finds 11 more dates on the metadata corpus (.920 vs .890)
DATE_SEARCH_SECONDS = 2.0  # its budget: one slow page is not worth more (most need < 0.05 s)


def _date(
    tree: HtmlElement, url: str | None, *, declared: bool = True, language: str | None = None
) -> str | None:
    """htmldate's date, as trafilatura asks for it (extensive search), within a time budget.

    On a page that declares its date, htmldate finds it among the meta headers and returns at
    once. On one that does not, it searches the body text, and may hand a date string to
    dateparser: that is loaded first (once per process), outside the budget. (Measured on the
    metadata corpus: a quick pass first, then the extensive search only when it found nothing,
    gives the same dates but costs more — the second pass repeats all of the first.)
    `language` (the article's) narrows the languages dateparser tries (`date_languages`).
    """
    from htmldate import find_date
    from trafilatura.settings import set_date_params

    _lean_dateparser()
    token = _DATE_LANGUAGES.set(date_languages(language))
    try:
        if not declared:
            _warm_dateparser()  # builds the parser for this page's languages, not all of them
        with time_limit(DATE_SEARCH_SECONDS):
            return iso_date(find_date(tree, url=url, **set_date_params(EXTENSIVE_DATES)))
    except Exception:  # a date is never worth failing the article for (nor a search past budget)
        return None
    finally:
        _DATE_LANGUAGES.reset(token)


# The languages the date parser may try for the page being read (see `date_languages`).
_DATE_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar("date_languages", default=None)


def date_languages(language: str | None) -> tuple[str, ...] | None:
    """The article's language and English (month names in English are everywhere), when the
    registry knows it; None (every registry language) otherwise.

    dateparser loads each language's tables the first time it tries that language, ~0.1 s
    each: with every language on offer, the first odd date string of a process loaded a dozen
    of them (a second of CPU for a CLI run); the same dates were read with these two
    (metadata corpus, date .923 either way).
    """
    codes = dateparser_languages()
    if language not in codes:
        return None
    return tuple(dict.fromkeys((language, "en")))


def dateparser_languages() -> list[str]:
    """Languages dateparser may try when htmldate hands it a date its own parsers could not
    read: the registry's, so a language added there is read here too."""
    return [lang.code for lang in languages()]


@cache
def _lean_dateparser() -> None:
    """Give htmldate a dateparser that knows our languages instead of all ~400 of its locales.

    htmldate's last resort for a date string ("26 | 01 | 2022", "Jan 04 09:34 2021") is
    dateparser with every locale: the first such string in a process costs 1.5–3 s of locale
    loading and regex compiling — more than the page itself, on every CLI run and in every
    worker. With our languages it costs ~0.05 s and reads the same dates on the metadata corpus
    (334/363 either way). htmldate builds its parser in `get_external_parser` (cached, called
    by name); when a future htmldate has no such function, this does nothing.
    """
    import htmldate.extractors as extractors

    if not callable(getattr(extractors, "get_external_parser", None)):
        return

    def lean_parser() -> Any:
        return parser_for(_DATE_LANGUAGES.get())

    @cache
    def parser_for(languages: tuple[str, ...] | None) -> Any:
        from dateparser import DateDataParser  # type: ignore[import-untyped]

        # htmldate's own settings, with the language list added.
        return DateDataParser(
            languages=list(languages) if languages else dateparser_languages(),
            settings={
                "NORMALIZE": True,
                "PARSERS": ["custom-formats", "absolute-time"],
                "PREFER_DATES_FROM": "past",
                "PREFER_LOCALE_DATE_ORDER": True,
                "RETURN_AS_TIMEZONE_AWARE": False,
                "STRICT_PARSING": True,
            },
        )

    setattr(extractors, "get_external_parser", lean_parser)  # noqa: B010 -- htmldate types it as cached


@cache
def _warm_dateparser() -> None:
    """Import dateparser and build htmldate's parser and month-name table here, rather than
    inside the time budget of whichever page needs them first (~0.15 s, once). Each language's
    own tables load on first use (~0.1 s each), within the budget."""
    import htmldate.extractors as extractors

    _lean_dateparser()
    with suppress(Exception):
        extractors.get_external_parser()
        if callable(month_words := getattr(extractors, "month_words", None)):
            month_words()


def _text_of(doc: object) -> str:
    """The body text of what `bare_extraction` returned (a Document; None when nothing)."""
    text = getattr(doc, "text", None)
    return text if isinstance(text, str) else ""


def _paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def _unwrap_rows(paragraphs: list[str]) -> list[str]:
    lines = (_table_row(p) for p in paragraphs)
    return [line for line in lines if line]


# A table row as trafilatura prints it: "| cell | cell |" ("\|" is a bar inside a cell).
_CELL_BAR = re.compile(r"(?<!\\)\|")
_LETTER = re.compile(r"[^\W\d_]")


def _table_row(line: str) -> str:
    """A row of a layout table with one filled cell is that cell's text; a row of empty cells
    is nothing. Old sites (and some still) lay a whole article out in table cells; printed
    with its bars, the story's first sentence would start with "|" and never be briefed."""
    if not (line.startswith("|") and line.endswith("|")):
        return line
    cells = [cell.strip() for cell in _CELL_BAR.split(line[1:-1])]
    filled = [cell for cell in cells if cell]
    if len(filled) > 1:
        return line  # a real table: its columns belong together
    return filled[0].replace("\\|", "|") if filled else ""


def _short_share(paragraphs: list[str]) -> float:
    return sum(map(menu_line, paragraphs)) / max(len(paragraphs), 1)


def _menu_like(paragraphs: list[str]) -> bool:
    """Mostly one- or two-word lines: a site menu, not an article."""
    return len(paragraphs) >= 15 and _short_share(paragraphs) > 0.6


def _prose_chars(paragraphs: list[str]) -> int:
    """Characters in lines long enough to be prose (a rule of dashes is not)."""
    return sum(len(p) for p in paragraphs if len(p) >= MENU_ITEM_CHARS and _LETTER.search(p))


def _better_than_menu(second: list[str], first: list[str]) -> bool:
    """The fallbacks' text beats a menu-like first pass when it is less of a menu and holds
    prose enough for an article: a portal's story among its menu lines is not to be traded for
    the site's legal footer (a Chinese page: a few lines of licence numbers)."""
    return _short_share(second) < _short_share(first) and _prose_chars(second) >= MIN_ARTICLE_CHARS


def _scant(paragraphs: list[str]) -> bool:
    """Under two short paragraphs, and none of it wall text (a wall keeps its answer)."""
    return sum(map(len, paragraphs)) < SCANT_CHARS and not wall_lines(paragraphs)


def _teaser(meta: PageMeta, tree: HtmlElement) -> bool:
    """Does the page say the text is withheld (schema.org flag, paywall/login wording)?"""
    if meta.paywalled:
        return True
    for node in tree.iter("div", "section", "form", "aside", "p"):
        label = f"{node.get('class') or ''} {node.get('id') or ''}"
        if _PAYWALL_HINT.search(label):
            return True
    body = tree.find("body")
    text = body.text_content() if body is not None else ""
    return bool(_PAYWALL_HINT.search(text[:20000]))


def _is_web_url(value: str | None) -> bool:
    if not value:
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _page_url(meta: PageMeta, given: str | None) -> str | None:
    """Canonical link, else og:url, when absolute http(s) and not just the site's home page."""
    for candidate in (meta.canonical, meta.og_url):
        if not _is_web_url(candidate):
            continue
        assert candidate is not None
        path = urlsplit(candidate).path
        given_path = urlsplit(given).path if given else ""
        if path in ("", "/") and given_path not in ("", "/"):
            continue
        return candidate.strip()
    return given


def _absolute(src: str | None, base: str | None) -> str | None:
    if not src:
        return None
    src = src.strip()
    if _is_web_url(src):
        return src
    if base and _is_web_url(base):
        joined = urljoin(base, src)
        return joined if _is_web_url(joined) else None
    return None


def opening_language(paragraphs: list[str], hint: str | None = None) -> str | None:
    """The language the article's opening is written in (`bot.text.guess_language`); what the
    page declares (`hint`) only breaks a tie, since templates declare one language site-wide."""
    found: list[str] = []
    size = 0
    for paragraph in paragraphs:
        found.append(paragraph)
        size += len(paragraph) + 1
        if size >= GUESS_CHARS:
            break
    return guess_language("\n".join(found), hint=hint)
