"""Walls, blocks and hidden articles through the whole pipeline, served by a loopback server:
a redirect to a consent host, bot checks with 403/503/200, a hard paywall, the article from
JSON-LD, and from the AMP version of a stub or a script shell (one more fetch, same rules)."""

from __future__ import annotations

import pytest

from bot.models import ErrorKind, TextSource
from bot.network.fetch import Fetcher
from bot.runtime.pipeline import Pipeline
from config import Settings
from tests.helpers.article_server import ArticleServer
from tests.helpers.net import MapResolver, make_settings
from tests.helpers.walls import page, wall_words_in

NEWS_HOST = "www.coastline.example"
CONSENT_HOST = "consent.coastline.example"


def _settings(server: ArticleServer, **overrides: object) -> Settings:
    return make_settings(server.port, workers=1, **overrides)


@pytest.fixture
async def pipeline(article_server: ArticleServer):
    settings = _settings(article_server)
    resolver = MapResolver({NEWS_HOST: ["127.0.0.1"], CONSENT_HOST: ["127.0.0.1"]})
    async with Pipeline(settings, fetcher=Fetcher(settings, resolver)) as running:
        yield running


async def test_a_redirect_to_a_consent_host_is_answered_as_a_consent_wall(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    port = article_server.port
    article_server.add_redirect(
        "/news/harbour-ferry",
        f"http://{CONSENT_HOST}:{port}/v2/collectConsent?sessionId=3_cc&done=%2Fnews",
    )
    article_server.add("/v2/collectConsent", page("consent-collect.html"))
    briefing = await pipeline.brief_url(f"http://{NEWS_HOST}:{port}/news/harbour-ferry")
    assert briefing.error is not None and briefing.error.kind is ErrorKind.NOT_ARTICLE
    assert "cookie-consent page" in briefing.error.message
    assert briefing.headline is None and briefing.briefing == [] and briefing.quotes == []
    assert article_server.hits["/v2/collectConsent"] == 1


@pytest.mark.parametrize("status", [403, 503])
async def test_a_challenge_with_an_error_status(
    pipeline: Pipeline, article_server: ArticleServer, status: int
) -> None:
    url = article_server.add(
        "/cf", page("challenge-cloudflare.html"), status=status, cf_mitigated="challenge"
    )
    briefing = await pipeline.brief_url(url)
    assert briefing.error is not None and briefing.error.kind is ErrorKind.HTTP_STATUS
    assert "blocks automated readers" in briefing.error.message
    assert briefing.to_json()["text"] == "" and briefing.to_json()["text_source"] is None


async def test_a_captcha_page_served_with_200_is_not_briefed(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    briefing = await pipeline.brief_url(article_server.page_url("walls/challenge-captcha-200.html"))
    assert briefing.error is not None and briefing.error.kind is ErrorKind.NOT_ARTICLE
    assert "“are you a robot?” check" in briefing.error.message
    assert briefing.headline is None and briefing.text == ""  # not even the og:title


async def test_a_hard_paywall_names_the_paywall(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    briefing = await pipeline.brief_url(article_server.page_url("walls/paywall-hard-de.html"))
    assert briefing.error is not None and briefing.error.kind is ErrorKind.NOT_ARTICLE
    assert "paywall" in briefing.error.message and briefing.briefing == []


async def test_the_json_ld_article_through_the_worker_pool(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    link = article_server.page_url("walls/jsonld-full.html")
    briefing = await pipeline.brief_url(link)
    assert briefing.ok and briefing.text_source is TextSource.STRUCTURED_DATA
    # The page's canonical names another site (estuary-mercury.example), so it is not shown.
    assert briefing.url == briefing.fetched_url == link
    assert wall_words_in(briefing) == []


async def test_a_stub_is_briefed_from_its_amp_version(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    briefing = await pipeline.brief_url(article_server.page_url("walls/amp-stub.html"))
    assert briefing.ok and briefing.text_source is TextSource.AMP
    assert briefing.to_json()["text_source"] == "amp"
    assert briefing.source == article_server.page_url("walls/amp-stub.html")
    assert briefing.url == briefing.source  # its canonical names another site: not shown
    assert len(briefing.paragraphs) == 7 and briefing.byline == "Hamish Oduya"
    assert {q.speaker for q in briefing.quotes} >= {"Catriona Mbeki", "Arthur Penhallow"}
    assert "Loading the rest of the story" not in briefing.text
    assert article_server.hits["/pages/walls/amp-stub.amp.html"] == 1


async def test_a_script_shell_is_briefed_from_its_amp_version(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    briefing = await pipeline.brief_url(article_server.page_url("walls/js-shell.html"))
    assert briefing.ok and briefing.text_source is TextSource.AMP
    assert briefing.headline == "Tram depot fire: investigators point to faulty charger"
    assert "Samuel Kowalczyk" in {q.speaker for q in briefing.quotes}
    assert "JavaScript" not in briefing.text


async def test_an_amp_version_obeys_the_same_address_rules(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    shell = page("js-shell.html").replace(
        b"/pages/walls/js-shell.amp.html", b"http://10.0.0.7/amp/tram-depot-fire"
    )
    url = article_server.add("/shell", shell)
    briefing = await pipeline.brief_url(url)
    assert briefing.error is not None and briefing.error.kind is ErrorKind.NOT_ARTICLE
    assert article_server.hits["/pages/walls/js-shell.amp.html"] == 0


async def test_an_amp_version_of_another_story_does_not_replace_a_stub(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    stub = page("amp-stub.html").replace(
        b"/pages/walls/amp-stub.amp.html", b"/pages/walls/js-shell.amp.html"
    )
    url = article_server.add("/stub", stub)
    briefing = await pipeline.brief_url(url)
    assert briefing.ok and briefing.text_source is TextSource.PAGE
    assert briefing.headline == "Lighthouse keeper's cottage to become a sea-rescue museum"
    assert "tram" not in briefing.text.casefold()
    assert article_server.hits["/pages/walls/js-shell.amp.html"] == 1  # asked once, then judged


async def test_a_full_article_costs_no_amp_fetch(
    pipeline: Pipeline, article_server: ArticleServer
) -> None:
    full = page("amp-stub.amp.html").replace(
        b"<title>", b'<link rel="amphtml" href="/pages/walls/js-shell.amp.html"><title>'
    )
    url = article_server.add("/full", full)
    briefing = await pipeline.brief_url(url)
    assert briefing.ok and briefing.text_source is TextSource.PAGE
    assert article_server.hits["/pages/walls/js-shell.amp.html"] == 0
