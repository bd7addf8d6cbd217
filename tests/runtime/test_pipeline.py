"""The async pipeline end to end: a loopback page → fetch → worker pool → Briefing."""

from __future__ import annotations

import asyncio

import pytest

from bot.models import ErrorKind
from bot.network.fetch import Fetcher
from bot.runtime.pipeline import Pipeline
from config import Settings
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.net import MapResolver

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
    # The page claims a canonical address on another host than the one it came from: not
    # believed (see test_canonical_* below), so the answer links where it was fetched from.
    assert briefing.url == briefing.fetched_url == article_server.page_url("harbour-ferry.html")
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


async def test_failures_once_stopping_or_from_a_closed_pool_are_transient(
    article_server: ArticleServer,
) -> None:
    async with Pipeline(loopback_settings(article_server)) as pipeline:
        missing = await pipeline.brief_url(article_server.url("/missing"))
        assert missing.error is not None and not missing.error.transient  # the page's fault
        pipeline.stopping()  # the bot got SIGTERM: what fails now may be the restart's doing
        cut = await pipeline.brief_url(article_server.url("/missing"))
        assert cut.error is not None and cut.error.transient
    # A page handed over after the pool closed (a link still queued at shutdown).
    abandoned = await pipeline.brief_html((PAGES / "harbour-ferry.html").read_bytes(), "page")
    assert abandoned.error is not None and abandoned.error.transient


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


# --- the page's canonical claim ----------------------------------------------------------------

CANONICAL_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour ferry fares frozen | Harbour Post</title>
<link rel="canonical" href="{canonical}"></head><body><article>
<h1>Harbour ferry fares frozen for another year</h1>
<p>The island ferry operator froze fares for a further year on Tuesday, after islanders
campaigned through the winter against a rise that would have doubled the cost of commuting.</p>
<p>“We listened to the islanders and the numbers allowed it,” said Mira Talvik, who runs the
operator, adding that fuel costs had fallen since the autumn.</p>
<p>The freeze covers every route, including the early boat that carries most commuters.</p>
</article></body></html>"""


def named_pipeline(server: ArticleServer, names: list[str]) -> Pipeline:
    """A pipeline whose resolver sends every name in `names` to the loopback server."""
    settings = loopback_settings(server)
    resolver = MapResolver({name: ["127.0.0.1"] for name in names})
    return Pipeline(settings, inline=True, fetcher=Fetcher(settings, resolver=resolver))


async def test_canonical_on_another_site_is_not_believed(article_server: ArticleServer) -> None:
    claimed = "https://www.bbc.co.uk/news/uk-12345678"
    page = article_server.add("/evil", CANONICAL_PAGE.format(canonical=claimed))
    async with Pipeline(loopback_settings(article_server), inline=True) as pipeline:
        briefing = await pipeline.brief_url(page)
    assert briefing.error is None
    assert briefing.url == briefing.fetched_url == page


async def test_canonical_on_the_same_site_is_shown_but_the_key_is_the_fetched_url(
    article_server: ArticleServer,
) -> None:
    # A real public suffix (.co.uk), so the registrable domain is known; the resolver maps
    # the names to the loopback server, nothing leaves the machine.
    port = article_server.port
    claimed = f"http://www.harbourpost.co.uk:{port}/ferry"
    article_server.add("/amp/ferry", CANONICAL_PAGE.format(canonical=claimed))
    async with named_pipeline(article_server, ["amp.harbourpost.co.uk"]) as pipeline:
        briefing = await pipeline.brief_url(f"http://amp.harbourpost.co.uk:{port}/amp/ferry")
    assert briefing.url == claimed  # same registrable domain: a fine link to show
    assert briefing.fetched_url == f"http://amp.harbourpost.co.uk:{port}/amp/ferry"


async def test_canonical_on_the_redirect_chain_is_believed(article_server: ArticleServer) -> None:
    port = article_server.port
    target = f"http://harbourpost.example:{port}/ferry"
    article_server.add("/ferry", CANONICAL_PAGE.format(canonical=f"http://hrbr.example:{port}/f"))
    article_server.add_redirect("/f", target)
    async with named_pipeline(article_server, ["hrbr.example", "harbourpost.example"]) as p:
        followed = await p.brief_url(f"http://hrbr.example:{port}/f")
        claimed_only = await p.brief_url(target)  # the same claim, but no redirect went there
    assert followed.url == f"http://hrbr.example:{port}/f"
    assert followed.fetched_url == target
    assert claimed_only.url == target
