"""The async pipeline end to end: a loopback page → fetch → worker pool → Briefing."""

from __future__ import annotations

import asyncio

import pytest

from bot.models import ErrorKind
from bot.runtime.pipeline import Pipeline
from config import Settings
from tests.helpers.article_server import PAGES, ArticleServer

HEADLINE = "Harbour ferry service to resume after six-month suspension"


def loopback_settings(server: ArticleServer, **overrides: object) -> Settings:
    return Settings(
        _env_file=None,
        allowed_networks=["127.0.0.0/8"],
        allowed_ports=[80, 443, server.port],
        workers=1,
        **overrides,
    )


@pytest.fixture
async def pipeline(article_server: ArticleServer):
    async with Pipeline(loopback_settings(article_server)) as running:
        yield running


async def test_brief_url_through_the_worker_pool(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    briefing = await pipeline.brief_url(article_server.page_url("harbour-ferry.html"))
    assert briefing.error is None
    assert briefing.headline == HEADLINE
    assert briefing.source == article_server.page_url("harbour-ferry.html")
    # the page's canonical URL wins over the address it was fetched from
    assert (
        briefing.url == "https://www.coastline-courier.example/news/harbour-ferry-resume-4821.html"
    )
    assert briefing.quotes and briefing.quotes[0].speaker in {"Margaret Osei", "Daniel Fairweather"}
    assert all(sentence in briefing.text for sentence in briefing.briefing)


async def test_failures_come_back_as_briefings_not_exceptions(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    article_server.add("/report.pdf", b"%PDF-1.7 binary", Content_Type="application/pdf")
    article_server.add("/empty-shell", "<html><body><nav>Home</nav></body></html>")
    missing, pdf, shell = await asyncio.gather(
        pipeline.brief_url(article_server.url("/missing")),
        pipeline.brief_url(article_server.url("/report.pdf")),
        pipeline.brief_url(article_server.url("/empty-shell")),
    )
    assert missing.error is not None and missing.error.kind is ErrorKind.HTTP_STATUS
    assert pdf.error is not None and pdf.error.kind is ErrorKind.NOT_HTML
    assert shell.error is not None and shell.error.kind is ErrorKind.NOT_ARTICLE
    for failed in (missing, pdf, shell):
        assert failed.quotes == [] and failed.briefing == []
        assert "Traceback" not in failed.error.message


async def test_private_addresses_are_refused_by_default(article_server: ArticleServer) -> None:
    settings = Settings(_env_file=None, allowed_ports=[80, 443, article_server.port], workers=1)
    async with Pipeline(settings, inline=True) as pipeline:
        briefing = await pipeline.brief_url(article_server.page_url("harbour-ferry.html"))
    assert briefing.error is not None and briefing.error.kind is ErrorKind.BLOCKED
    assert article_server.hits["/pages/harbour-ferry.html"] == 0


async def test_inline_and_pooled_analysis_agree(article_server: ArticleServer) -> None:
    html = (PAGES / "harbour-ferry.html").read_bytes()
    settings = loopback_settings(article_server)
    async with Pipeline(settings, inline=True) as inline, Pipeline(settings) as pooled:
        a = await inline.brief_html(html, "page")
        b = await pooled.brief_html(html, "page")
    assert a.to_json() == b.to_json()
