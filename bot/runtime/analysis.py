"""The CPU-bound half of the pipeline: page or text in, `Briefing` out.

Kept apart from the async orchestration so it can run unchanged in a worker process (the bot),
inline (the CLI and the benchmarks), and in tests without any network.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.article.clean import clean_article, clean_paragraphs
from bot.article.extract import extract_article, opening_language
from bot.article.overlong import split_overlong
from bot.article.pdf import extract_pdf
from bot.article.plaintext import text_article
from bot.briefing.extractive import make_briefing
from bot.errors import NoArticle, PipelineError
from bot.messages import say
from bot.models import Article, Briefing, ErrorKind, Failure, TextSource
from bot.quotes.finder import extract_quotes
from bot.text import load_language_model

AMP_STUB_WORDS = 150  # fewer words than this and a linked AMP version is worth one more fetch


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Knobs that travel to the worker with each page (settings objects don't pickle cheaply)."""

    briefing_max_chars: int = 600
    max_pdf_pages: int = 50


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """A page's briefing, and its AMP version's address when that may hold more: the page
    was a teaser, a script shell or a wall, or its article is a stub of a few lines."""

    briefing: Briefing
    amp_url: str | None = None


def analyse_html(
    source: str, html: str | bytes, url: str | None, options: AnalysisOptions = AnalysisOptions()
) -> Briefing:
    """Extract, clean and brief one HTML page; failures come back as a failed `Briefing`."""
    return analyse_page(source, html, url, options).briefing


def analyse_page(
    source: str, html: str | bytes, url: str | None, options: AnalysisOptions = AnalysisOptions()
) -> PageAnalysis:
    """`analyse_html`, plus where the page's AMP version is if it is worth fetching."""
    try:
        article = clean_article(extract_article(html, url))
    except NoArticle as error:
        return PageAnalysis(Briefing.failed(source, error.failure, url), error.amp_url)
    except PipelineError as error:
        return PageAnalysis(Briefing.failed(source, error.failure, url))
    briefing = _brief(source, article, options, headline_apart=True)
    if briefing.ok and not briefing.briefing and article.text_source == TextSource.PAGE:
        briefing = _thorough(source, html, url, options) or briefing
    stub = briefing.word_count < AMP_STUB_WORDS
    return PageAnalysis(briefing, article.amp_url if stub or not briefing.ok else None)


def _thorough(
    source: str, html: str | bytes, url: str | None, options: AnalysisOptions
) -> Briefing | None:
    """The page once more with trafilatura's fallbacks, when the fast path's text held no
    sentence to brief: that text was a sidebar, a feed of other stories' headlines or a promo
    box (on the dev pages, the fallbacks then found the story on 3 of 4 such pages)."""
    try:
        article = clean_article(extract_article(html, url, thorough=True))
    except PipelineError:
        return None
    briefing = _brief(source, article, options, headline_apart=True)
    return briefing if briefing.briefing else None


def analyse_text(
    source: str,
    text: str,
    options: AnalysisOptions = AnalysisOptions(),
    language: str | None = None,
    document: bool = False,
) -> Briefing:
    """Brief a plain-text article: one paragraph per non-empty line, no headline line assumed.

    `document=True` reads text as people write and paste it (a .txt file, a chat message):
    paragraphs are blocks between blank lines even when their lines are wrapped, and a first
    line that reads like a title is the headline.
    """
    if document:
        return _brief(source, text_article(text, language), options, headline_apart=True)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The language of the text, as the page and document paths find it: without it every step
    # reads the article as all languages at once (a Polish "On" or "A" leans on the line before).
    language = language or opening_language(lines)
    paragraphs, byline = clean_paragraphs(lines, None, None, language)
    article = Article(paragraphs=paragraphs, byline=byline, language=language)
    return _brief(source, article, options)


def analyse_pdf(source: str, data: bytes, options: AnalysisOptions = AnalysisOptions()) -> Briefing:
    """Brief a text PDF: its first `max_pdf_pages` pages; a scan answers that it has no text."""
    try:
        article, _pages = extract_pdf(data, options.max_pdf_pages)
    except PipelineError as error:
        return Briefing.failed(source, error.failure)
    return _brief(source, clean_article(article), options, headline_apart=True)


def _brief(
    source: str, article: Article, options: AnalysisOptions, *, headline_apart: bool = False
) -> Briefing:
    if not article.paragraphs:
        return Briefing.failed(
            source, Failure(ErrorKind.NOT_ARTICLE, say("article.no_text")), article.url
        )
    article.paragraphs = split_overlong(article.paragraphs)  # later steps: linear in the page
    quotes = extract_quotes(article.paragraphs, article.language, headline_first=not headline_apart)
    bullets = make_briefing(
        article.paragraphs,
        quotes,
        max_chars=options.briefing_max_chars,
        language=article.language,
        headline=article.headline,
    )
    return Briefing.from_article(source, article, quotes, bullets)


WARM_UP_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour ferry timetable changes next week</title>
<meta property="og:site_name" content="Warm-up Gazette"></head><body><article>
<h1>Harbour ferry timetable changes next week</h1><p class="byline">By Sam Rivera</p>
<p>The harbour ferry will run every twenty minutes from Monday, the operator said on Friday.</p>
<p>“Passengers asked for earlier boats and we listened,” said Dana Okafor, the operations chief.</p>
<p>The last sailing of the evening moves from 22:40 to 23:10 on weekdays.</p>
</article></body></html>"""


def warm_up() -> None:
    """Run once in each worker so the first real page doesn't pay for imports and lazy tables.

    Both entry points are exercised: `analyse_html` makes trafilatura, lxml and the metadata
    step load what they load lazily on their first page, which otherwise lands on a user. The
    language model (about a second) is loaded outright: an English page is told by its
    function words and would not load it.
    """
    load_language_model()
    analyse_text("warm-up", "Warm-up text. “This is only a test,” she said.")
    analyse_html("warm-up", WARM_UP_HTML, "https://warm-up.example/ferry")
