"""The CPU-bound half of the pipeline: page or text in, `Briefing` out.

Kept apart from the async orchestration so it can run unchanged in a worker process (the bot),
inline (the CLI and the benchmarks), and in tests without any network.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.article.clean import clean_article, clean_paragraphs
from bot.article.extract import extract_article
from bot.article.overlong import split_overlong
from bot.briefing.extractive import make_briefing
from bot.models import Article, Briefing, ErrorKind, Failure, PipelineError
from bot.quotes.finder import extract_quotes

NO_TEXT = "No article text was found on this page."


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Knobs that travel to the worker with each page (settings objects don't pickle cheaply)."""

    briefing_max_chars: int = 600


def analyse_html(
    source: str, html: str | bytes, url: str | None, options: AnalysisOptions = AnalysisOptions()
) -> Briefing:
    """Extract, clean and brief one HTML page; failures come back as a failed `Briefing`."""
    try:
        article = clean_article(extract_article(html, url))
    except PipelineError as error:
        return Briefing.failed(source, error.failure, url)
    return _brief(source, article, options, headline_apart=True)


def analyse_text(
    source: str,
    text: str,
    options: AnalysisOptions = AnalysisOptions(),
    language: str | None = None,
) -> Briefing:
    """Brief a plain-text article: one paragraph per non-empty line, no headline line assumed."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    paragraphs, byline = clean_paragraphs(lines, None, None, language)
    article = Article(paragraphs=paragraphs, byline=byline, language=language)
    return _brief(source, article, options)


def _brief(
    source: str, article: Article, options: AnalysisOptions, *, headline_apart: bool = False
) -> Briefing:
    if not article.paragraphs:
        return Briefing.failed(source, Failure(ErrorKind.NOT_ARTICLE, NO_TEXT), article.url)
    article.paragraphs = split_overlong(article.paragraphs)  # later steps: linear in the page
    quotes = extract_quotes(article.paragraphs, article.language, headline_first=not headline_apart)
    bullets = make_briefing(
        article.paragraphs,
        quotes,
        max_chars=options.briefing_max_chars,
        language=article.language,
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
    step load what they load lazily on their first page, which otherwise lands on a user.
    """
    analyse_text("warm-up", "Warm-up text. “This is only a test,” she said.")
    analyse_html("warm-up", WARM_UP_HTML, "https://warm-up.example/ferry")
