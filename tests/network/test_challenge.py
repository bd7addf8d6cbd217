"""Bot checks served with an error status (Cloudflare 403/503 with `cf-mitigated`, a
PerimeterX-style 403 page, DataDome's header, Akamai's "Access Denied") say that the site blocks
automated readers and what to do; a plain 403 or 503 stays what its status says."""

from __future__ import annotations

import gzip

import pytest

from bot.errors import PipelineError
from bot.models import ErrorKind
from bot.network.challenge import is_bot_check
from bot.network.fetch import Fetcher
from tests.helpers.article_server import ArticleServer
from tests.helpers.net import make_settings
from tests.helpers.walls import page

BLOCKS = "The site blocks automated readers: it answered {status}"


async def _error(server: ArticleServer, url: str) -> PipelineError:
    async with Fetcher(make_settings(server.port)) as fetcher:
        with pytest.raises(PipelineError) as caught:
            await fetcher.fetch(url)
    return caught.value


@pytest.mark.parametrize("status", [403, 503])
async def test_a_cloudflare_challenge_says_the_site_blocks_automated_readers(
    article_server: ArticleServer, status: int
) -> None:
    url = article_server.add(
        "/news/story", page("challenge-cloudflare.html"), status=status, cf_mitigated="challenge"
    )
    error = await _error(article_server, url)
    assert error.kind is ErrorKind.HTTP_STATUS
    assert error.message.startswith(BLOCKS.format(status=status))
    assert "paste the article's text" in error.message and "archived copy" in error.message


async def test_a_challenge_page_without_headers_is_known_by_its_markup(
    article_server: ArticleServer,
) -> None:
    body = gzip.compress(page("challenge-pressandhold.html"))
    url = article_server.add("/px", body, status=403, Content_Encoding="gzip")
    error = await _error(article_server, url)
    assert error.message.startswith(BLOCKS.format(status=403))


async def test_datadome_is_known_by_its_header(article_server: ArticleServer) -> None:
    body = "<html><body></body></html>"
    url = article_server.add("/dd", body, status=403, X_DataDome="protected")
    assert (await _error(article_server, url)).message.startswith(BLOCKS.format(status=403))


@pytest.mark.parametrize("status", [403, 503])
async def test_a_plain_error_stays_a_plain_error(
    article_server: ArticleServer, status: int
) -> None:
    body = "<html><body><h1>Forbidden</h1><p>You don't have permission.</p></body></html>"
    url = article_server.add("/plain", body, status=status, Server="nginx")
    error = await _error(article_server, url)
    assert error.kind is ErrorKind.HTTP_STATUS
    assert "automated" not in error.message
    assert error.message.startswith(f"The site answered {status}")


def test_is_bot_check_reads_headers_status_and_markup() -> None:
    akamai = b"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>Reference #18.5c2e.1717</BODY>"
    assert is_bot_check(403, {"server": "AkamaiGHost"}, akamai)
    assert not is_bot_check(403, {"server": "Apache"}, akamai)
    assert is_bot_check(200, {"cf-mitigated": "challenge"}, b"")
    # A 404 page that happens to carry a reCAPTCHA is a 404.
    assert not is_bot_check(404, {}, b'<div class="g-recaptcha"></div>')
    assert is_bot_check(429, {}, b"<p>We noticed unusual traffic from your network.</p>")
