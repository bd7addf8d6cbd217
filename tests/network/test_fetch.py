"""The fetcher against a real loopback HTTP server: pages, charsets, redirects, refusals."""

from __future__ import annotations

import gzip
import socket
import zlib
from http.server import BaseHTTPRequestHandler

import brotli
import httpx
import pytest

from bot.errors import PipelineError
from bot.messages import say
from bot.models import ErrorKind
from bot.network.fetch import Fetcher, not_html_message, parse_content_type, sniff
from config import Settings
from tests.helpers.article_server import ArticleServer
from tests.helpers.net import MapResolver, make_settings

ARTICLE = """<!doctype html>
<html lang="en"><head><title>Ferry fares rise again | The Harbour Gazette</title></head>
<body><article><h1>Ferry fares rise again</h1>
<p>Commuters on the island route will pay more from Monday, the operator said.</p>
</article></body></html>
"""


async def fetch_error(fetcher: Fetcher, url: str) -> PipelineError:
    with pytest.raises(PipelineError) as caught:
        await fetcher.fetch(url)
    return caught.value


@pytest.fixture
def settings(article_server: ArticleServer) -> Settings:
    return make_settings(article_server.port)


async def test_good_page(article_server: ArticleServer, settings: Settings) -> None:
    url = article_server.add("/news/ferry", ARTICLE)
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    assert page.html == ARTICLE
    assert page.url == url
    assert page.requested_url == url
    assert page.status == 200
    assert page.content_type == "text/html"
    headers = article_server.last_headers("/news/ferry")
    assert headers["User-Agent"] == settings.user_agent
    assert "text/html" in headers["Accept"]
    assert headers["Accept-Encoding"] == "gzip, deflate, br"
    assert "Cookie" not in headers


async def test_fixture_page(article_server: ArticleServer, settings: Settings) -> None:
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(article_server.page_url("harbour-ferry.html"))
    assert "<html" in page.html.lower()


async def test_xhtml_is_html(article_server: ArticleServer, settings: Settings) -> None:
    url = article_server.add("/x", ARTICLE, Content_Type="application/xhtml+xml")
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    assert page.content_type == "application/xhtml+xml"


async def test_fragment_is_not_sent(article_server: ArticleServer, settings: Settings) -> None:
    url = article_server.add("/frag", ARTICLE)
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url + "#comments")
    assert page.html == ARTICLE
    assert article_server.hits["/frag"] == 1


async def test_name_resolved_by_injected_resolver_keeps_host_header(
    article_server: ArticleServer, settings: Settings
) -> None:
    article_server.add("/story", ARTICLE)
    resolver = MapResolver({"news.test": ["127.0.0.1"]})
    async with Fetcher(settings, resolver=resolver) as fetcher:
        page = await fetcher.fetch(f"http://news.test:{article_server.port}/story")
    assert page.html == ARTICLE
    assert page.url == f"http://news.test:{article_server.port}/story"
    assert article_server.last_headers("/story")["Host"] == f"news.test:{article_server.port}"
    assert resolver.calls == ["news.test"]


# --- charsets --------------------------------------------------------------------------------


async def test_charset_from_header(article_server: ArticleServer, settings: Settings) -> None:
    body = "<html><body><p>Café owner Zoë said: «Ça suffit.»</p></body></html>"
    url = article_server.add(
        "/cp1252", body.encode("cp1252"), Content_Type="text/html; charset=windows-1252"
    )
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    assert page.html == body


async def test_charset_from_meta(article_server: ArticleServer, settings: Settings) -> None:
    body = '<html><head><meta charset="iso-8859-1"></head><body><p>Prix: 5 € · naïve</p></html>'
    # iso-8859-1 means windows-1252 on the web (WHATWG), which is where the euro sign lives.
    url = article_server.add("/meta", body.encode("cp1252"), Content_Type="text/html")
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    assert "5 € · naïve" in page.html


async def test_charset_from_http_equiv(article_server: ArticleServer, settings: Settings) -> None:
    body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "</head><body><p>Мэр города заявил о новом бюджете.</p></body></html>"
    )
    url = article_server.add("/equiv", body.encode("cp1251"), Content_Type="text/html")
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    assert "Мэр города заявил" in page.html


async def test_header_charset_beats_meta(article_server: ArticleServer, settings: Settings) -> None:
    body = '<html><head><meta charset="windows-1251"></head><body><p>Zürich</p></body></html>'
    url = article_server.add("/both", body.encode("utf-8"), Content_Type="text/html; charset=utf-8")
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    assert "Zürich" in page.html


async def test_charset_lie_does_not_raise(
    article_server: ArticleServer, settings: Settings
) -> None:
    body = "<html><body><p>Señora Núñez won the seat.</p></body></html>".encode("latin-1")
    url = article_server.add("/lie", body, Content_Type="text/html; charset=utf-8")
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    # The bytes outvote the label (windows-1252 text is never valid UTF-8): no "�" in names.
    assert "Señora Núñez won the seat." in page.html


async def test_unknown_charset_falls_back_to_utf8(
    article_server: ArticleServer, settings: Settings
) -> None:
    body = "<html><body><p>Łódź council</p></body></html>"
    url = article_server.add("/bogus", body.encode(), Content_Type="text/html; charset=klingon")
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    assert "Łódź council" in page.html


def test_parse_content_type() -> None:
    assert parse_content_type('Text/HTML; Charset="UTF-8"') == ("text/html", "UTF-8")
    assert parse_content_type("text/html") == ("text/html", None)
    assert parse_content_type("") == ("", None)


# --- redirects -----------------------------------------------------------------------------


async def test_redirect_chain(article_server: ArticleServer, settings: Settings) -> None:
    final = article_server.add("/final", ARTICLE)
    article_server.add_redirect("/step2", final, status=301)
    article_server.add_redirect("/step1", "/step2", status=307)
    start = article_server.add_redirect("/start", "step1?utm_source=x", status=302)
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(start)
    assert page.url == final
    assert page.requested_url == start
    assert page.html == ARTICLE
    assert [article_server.hits[p] for p in ("/start", "/step1", "/step2", "/final")] == [1] * 4


async def test_redirect_with_raw_utf8_location(
    article_server: ArticleServer, settings: Settings
) -> None:
    article_server.add("/caf%C3%A9/story", ARTICLE)
    raw_utf8 = "/café/story".encode().decode("latin-1")  # the bytes a server puts on the wire
    start = article_server.add_redirect("/go", raw_utf8)
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(start)
    assert page.html == ARTICLE
    assert page.url == article_server.url("/caf%C3%A9/story")


async def test_redirects_up_to_the_cap_are_followed(article_server: ArticleServer) -> None:
    settings = make_settings(article_server.port, max_redirects=2)
    final = article_server.add("/end", ARTICLE)
    article_server.add_redirect("/r2", final)
    start = article_server.add_redirect("/r1", "/r2")
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(start)).url == final
        article_server.add_redirect("/r0", "/r1")
        error = await fetch_error(fetcher, article_server.url("/r0"))
    assert error.kind is ErrorKind.FETCH
    assert "too many redirects" in error.message
    assert article_server.hits["/end"] == 1  # the third hop was never requested


async def test_endless_redirect_loop(article_server: ArticleServer, settings: Settings) -> None:
    loop = article_server.add_redirect("/loop", "/loop")
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, loop)
    assert error.kind is ErrorKind.FETCH
    assert "too many redirects" in error.message
    assert article_server.hits["/loop"] == settings.max_redirects + 1


async def test_cookie_set_in_redirect_chain_is_sent_but_not_kept(
    article_server: ArticleServer, settings: Settings
) -> None:
    """A consent wall: /story redirects to /consent (sets a cookie) which redirects back."""

    def story(handler: BaseHTTPRequestHandler) -> None:
        if "consent=yes" in (handler.headers.get("Cookie") or ""):
            body = ARTICLE.encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        handler.send_response(302)
        handler.send_header("Location", "/consent")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    url = article_server.add_handler("/story", story)
    article_server.add_redirect("/consent", "/story", Set_Cookie="consent=yes; Path=/")
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(url)).html == ARTICLE
        await fetcher.fetch(url)
    first_requests = [h.get("Cookie") for p, h in article_server.requests if p == "/story"]
    # Each fetch starts without cookies: nothing leaks from one user's fetch to the next.
    assert first_requests == [None, "consent=yes", None, "consent=yes"]


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://127.0.0.2:{port}/admin",  # loopback, but outside the allowed 127.0.0.1/32
        "http://[::1]:{port}/",
        "http://0x7f.1:{port}/",
        "http://2130706433:{port}/",
        "http://0177.0.0.1:{port}/",  # octal: httpx cannot even parse it
        "http://good.example@127.0.0.1:{port}/final",
        "file:///etc/passwd",
        "ftp://127.0.0.1/",
        "http://127.0.0.1:6379/",  # a port that is not allowed
    ],
)
async def test_redirect_to_blocked_target(article_server: ArticleServer, location: str) -> None:
    settings = make_settings(article_server.port, allowed_networks=["127.0.0.1/32"])
    article_server.add("/final", ARTICLE)
    start = article_server.add_redirect("/go", location.format(port=article_server.port))
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, start)
    assert error.kind is ErrorKind.BLOCKED
    assert article_server.hits["/final"] == 0


async def test_redirect_to_name_resolving_privately(article_server: ArticleServer) -> None:
    settings = make_settings(article_server.port, allowed_networks=["127.0.0.1/32"])
    resolver = MapResolver({"news.test": ["127.0.0.1"], "evil.test": ["10.0.0.1"]})
    article_server.add_redirect("/go", f"http://evil.test:{article_server.port}/x")
    async with Fetcher(settings, resolver=resolver) as fetcher:
        error = await fetch_error(fetcher, f"http://news.test:{article_server.port}/go")
    assert error.kind is ErrorKind.BLOCKED
    assert resolver.calls == ["news.test", "evil.test"]


async def test_redirect_without_location(article_server: ArticleServer, settings: Settings) -> None:
    url = article_server.add("/nowhere", b"", status=302)
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.FETCH


# --- refusals before connecting --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/x",  # loopback, not allowed by default
        "http://0x7f.1:{port}/x",
        "http://0177.0.0.1:{port}/x",  # octal, like 0x7f.1 and 2130706433
        "http://0177.0.0.1/x",
        "http://[::ffff:127.0.0.1]:{port}/x",
        "http://user@127.0.0.1:{port}/x",
        "file:///etc/passwd",
    ],
)
async def test_default_policy_blocks_loopback(article_server: ArticleServer, url: str) -> None:
    settings = Settings(_env_file=None, allowed_ports=[80, 443, article_server.port])
    article_server.add("/x", ARTICLE)
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url.format(port=article_server.port))
    assert error.kind is ErrorKind.BLOCKED
    assert article_server.hits["/x"] == 0


async def test_name_with_any_private_address_is_blocked(
    article_server: ArticleServer,
) -> None:
    settings = make_settings(article_server.port, allowed_networks=["127.0.0.1/32"])
    resolver = MapResolver({"mixed.test": ["127.0.0.1", "169.254.169.254"]})
    article_server.add("/x", ARTICLE)
    async with Fetcher(settings, resolver=resolver) as fetcher:
        error = await fetch_error(fetcher, f"http://mixed.test:{article_server.port}/x")
    assert error.kind is ErrorKind.BLOCKED
    assert article_server.hits["/x"] == 0


async def test_unknown_name(settings: Settings, article_server: ArticleServer) -> None:
    async with Fetcher(settings, resolver=MapResolver({})) as fetcher:
        error = await fetch_error(fetcher, f"http://gone.test:{article_server.port}/")
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.unknown_host", host="gone.test")


async def test_connection_refused(article_server: ArticleServer) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with Fetcher(make_settings(port)) as fetcher:
        error = await fetch_error(fetcher, f"http://127.0.0.1:{port}/")
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.unreachable", host="127.0.0.1")


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/",
        "http://[::1/",
        "http://",
        "http://bad_host!.example/",
        "http://xn--zz/",  # punycode that decodes to nothing: no IDNA traceback
        "https://news.xn--zz.example/a",
    ],
)
async def test_invalid_url(settings: Settings, url: str) -> None:
    resolver = MapResolver({})
    async with Fetcher(settings, resolver=resolver) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("link.invalid")
    assert resolver.calls == []


async def test_international_name_is_resolved_as_punycode(
    article_server: ArticleServer, settings: Settings
) -> None:
    url = article_server.add("/idn", ARTICLE)
    resolver = MapResolver({"xn--caf-dma.example": ["127.0.0.1"]})
    async with Fetcher(settings, resolver=resolver) as fetcher:
        page = await fetcher.fetch(url.replace("127.0.0.1", "café.example"))
    assert page.html == ARTICLE
    assert resolver.calls == ["xn--caf-dma.example"]


async def test_custom_transport_still_gets_url_checks() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/"})

    settings = Settings(_env_file=None)
    async with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
        error = await fetch_error(fetcher, "https://news.example/story")
    assert error.kind is ErrorKind.BLOCKED
    assert seen == ["https://news.example/story"]


# --- status codes and content types ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, say("fetch.status", status=403, phrase="Forbidden")),
        (404, say("fetch.status", status=404, phrase="Not Found")),
        (410, say("fetch.status", status=410, phrase="Gone")),
        (429, say("fetch.status", status=429, phrase="Too Many Requests")),
        (500, say("fetch.status", status=500, phrase="Internal Server Error")),
        (503, say("fetch.status", status=503, phrase="Service Unavailable")),
        (599, say("fetch.status_unknown", status=599)),
    ],
)
async def test_http_errors(
    article_server: ArticleServer, settings: Settings, status: int, message: str
) -> None:
    url = article_server.add(f"/e{status}", "<html><body>Oops</body></html>", status=status)
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.HTTP_STATUS
    assert error.message == message


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/pdf", b"%PDF-1.7\n...", say("fetch.not_html", what=say("filetype.pdf"))),
        ("image/jpeg", b"\xff\xd8\xff\xe0", say("fetch.not_html", what=say("filetype.image"))),
        ("image/png", b"\x89PNG\r\n", say("fetch.not_html", what=say("filetype.image"))),
        ("application/json", b'{"a": 1}', say("fetch.not_html", what=say("filetype.json"))),
        ("application/ld+json", b'{"a": 1}', say("fetch.not_html", what=say("filetype.json"))),
        (
            "video/mp4",
            b"\x00\x00\x00\x18ftypmp42",
            say("fetch.not_html", what=say("filetype.video")),
        ),
        ("audio/mpeg", b"ID3", say("fetch.not_html", what=say("filetype.audio"))),
        ("text/plain; charset=utf-8", b"hello", say("fetch.not_html", what=say("filetype.text"))),
        ("application/zip", b"PK", say("fetch.not_html", what=say("filetype.zip"))),
        ("application/x-thing", b"??", say("fetch.not_html", what=say("filetype.other"))),
    ],
)
async def test_not_html(
    article_server: ArticleServer,
    settings: Settings,
    content_type: str,
    body: bytes,
    message: str,
) -> None:
    url = article_server.add("/file", body, Content_Type=content_type)
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.NOT_HTML
    assert error.message == message


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"%PDF-1.4 binary", ErrorKind.NOT_HTML),
        (b"\x89PNG\r\n\x1a\n", ErrorKind.NOT_HTML),
        (b'  {"headline": "x"}', ErrorKind.NOT_HTML),
        (b"just some words", ErrorKind.NOT_HTML),
        (b"\n  <!DOCTYPE html><html><body><p>Hi</p></body></html>", None),
        (b"<html><body><p>Hi</p></body></html>", None),
        (b"<!-- cms --><p>Hi</p>", None),
    ],
)
async def test_missing_content_type_is_sniffed(
    article_server: ArticleServer, settings: Settings, body: bytes, kind: ErrorKind | None
) -> None:
    url = article_server.add("/sniff", body, Content_Type=None)
    async with Fetcher(settings) as fetcher:
        if kind is None:
            page = await fetcher.fetch(url)
            assert page.html == body.decode()
            assert page.content_type == "text/html"
        else:
            assert (await fetch_error(fetcher, url)).kind is kind


def test_sniff_and_messages() -> None:
    assert sniff(b"%PDF-1.5") == "application/pdf"
    assert sniff(b"GIF89a") == "image/gif"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8") == "image/webp"
    assert sniff(b"<HTML>") == "text/html"
    assert not_html_message("application/pdf") == say("fetch.not_html", what=say("filetype.pdf"))
    assert not_html_message("image/svg+xml") == say("fetch.not_html", what=say("filetype.image"))


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
async def test_empty_page(article_server: ArticleServer, settings: Settings, body: bytes) -> None:
    url = article_server.add("/empty", body)
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.NOT_ARTICLE
    assert error.message == say("fetch.empty")


async def test_content_length_over_cap(article_server: ArticleServer) -> None:
    settings = make_settings(article_server.port, max_body_bytes=10_000)
    sent: list[int] = []

    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(2_000_000_000))
        handler.end_headers()
        try:
            for _ in range(100):  # the client hangs up rather than read 2 GB
                handler.wfile.write(b"x" * 65536)
                sent.append(65536)
        except OSError:
            pass

    url = article_server.add_handler("/huge", huge)
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.TOO_LARGE
    assert error.message == say("fetch.too_large", size="10 KB")


async def test_body_just_under_cap_is_read(article_server: ArticleServer) -> None:
    settings = make_settings(article_server.port, max_body_bytes=2_000)
    body = b"<html><body>" + b"a" * (2_000 - 26) + b"</body></html>"
    assert len(body) == 2_000
    url = article_server.add("/fits", body)
    async with Fetcher(settings) as fetcher:
        assert len((await fetcher.fetch(url)).html) == 2_000
        article_server.add("/over", body + b" ")
        assert (await fetch_error(fetcher, article_server.url("/over"))).kind is ErrorKind.TOO_LARGE


async def test_too_many_header_bytes(article_server: ArticleServer) -> None:
    settings = make_settings(article_server.port, max_header_bytes=2_000)
    url = article_server.add("/cookies", ARTICLE, X_Padding="p" * 3_000)
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.unreadable", host="127.0.0.1")


# --- content encodings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
        ("identity", lambda data: data),
    ],
)
async def test_compressed_pages_are_decoded(
    article_server: ArticleServer, settings: Settings, coding: str, compress: object
) -> None:
    body = ARTICLE.encode()
    url = article_server.add("/z", compress(body), Content_Encoding=coding)  # type: ignore[operator]
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(url)).html == ARTICLE


async def test_multi_member_gzip(article_server: ArticleServer, settings: Settings) -> None:
    half = len(ARTICLE) // 2
    data = gzip.compress(ARTICLE[:half].encode()) + gzip.compress(ARTICLE[half:].encode())
    url = article_server.add("/mm", data, Content_Encoding="gzip")
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(url)).html == ARTICLE


async def test_unknown_encoding(article_server: ArticleServer, settings: Settings) -> None:
    url = article_server.add("/zstd", b"(\xb5/\xfd", Content_Encoding="zstd")
    async with Fetcher(settings) as fetcher:
        error = await fetch_error(fetcher, url)
    assert error.kind is ErrorKind.FETCH


async def test_a_page_that_says_utf8_and_sends_windows_1252_reads_cleanly(
    article_server: ArticleServer, settings: Settings
) -> None:
    from bot.runtime.analysis import analyse_html
    from tests.helpers.article_server import PAGES

    body = (PAGES / "redteam-pier-cp1252.html").read_bytes()
    url = article_server.add("/pier", body, Content_Type="text/html; charset=utf-8")
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
    briefing = analyse_html(url, page.html, page.url)
    assert briefing.error is None
    everything = " ".join([briefing.text, *briefing.briefing, *(q.text for q in briefing.quotes)])
    assert "\ufffd" not in everything
    assert "café owners" in briefing.text and "débris" in briefing.text
    speakers = {q.text.split(",")[0]: q.speaker for q in briefing.quotes}
    assert speakers["We will — and I mean this — rebuild it stronger than before"] == (
        "Jonas Whitfield"
    )
    assert speakers["I have lost three pots already"] == "Renée Calloway"
    # The embedded post is the council's, not the article's: never in the briefing.
    assert not any("harbour wall" in sentence for sentence in briefing.briefing)
