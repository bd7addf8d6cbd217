"""Servers that misbehave: bombs, floods, stalls, trickles, resets, and DNS rebinding.

Raw servers run on 127.0.0.1 in the test's own event loop (tests/helpers/raw_server.py), so
each test controls every byte and can tell how much the server managed to send. Timeouts come
from small configured limits in Settings; nothing here asserts on wall time.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import shutil
import ssl
import subprocess
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import brotli
import httpcore
import pytest

from bot.errors import PipelineError
from bot.messages import say
from bot.models import ErrorKind
from bot.network.fetch import BodyDecoder, Fetcher, GuardedTransport
from bot.network.guard import AddressPolicy, IPAddress
from config import Settings
from tests.helpers.article_server import ArticleServer
from tests.helpers.net import make_settings
from tests.helpers.raw_server import Conn, RawServer

StartServer = Callable[..., Awaitable[RawServer]]

PAGE = b"<html><body><h1>Water board votes</h1><p>The board voted 5-2 on Tuesday.</p></body></html>"
MB = 1_000_000


async def fetch_error(settings: Settings, url: str, **kwargs: object) -> PipelineError:
    async with Fetcher(settings, **kwargs) as fetcher:  # type: ignore[arg-type]
        with pytest.raises(PipelineError) as caught:
            async with asyncio.timeout(30):  # a hang guard, not a speed assertion
                await fetcher.fetch(url)
    return caught.value


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"]
    headers.setdefault("Content_Type", "text/html; charset=utf-8")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _compress(coding: str, raw: bytes) -> bytes:
    if coding == "gzip":
        return gzip.compress(raw, compresslevel=9)
    if coding == "deflate":
        return zlib.compress(raw, 9)
    return brotli.compress(raw, quality=5)


# --- size limits -----------------------------------------------------------------------------


async def test_fifty_megabytes_without_content_length_is_cut_off(
    raw_server: StartServer,
) -> None:
    total = 50 * MB
    chunk = b"<p>" + b"x" * 65_533

    async def flood(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Connection="close"))  # no Content-Length: read until close
        for _ in range(total // len(chunk)):
            await conn.send(chunk)

    server = await raw_server(flood)
    error = await fetch_error(make_settings(server.port, max_body_bytes=1 * MB), server.url())
    assert error.kind is ErrorKind.TOO_LARGE
    assert server.completed == 0  # the server never got to finish sending
    assert server.bytes_sent < total // 2  # the client stopped near the cap (plus buffers)


async def test_chunked_flood_is_cut_off(raw_server: StartServer) -> None:
    piece = b"y" * 32_768
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"

    async def flood(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Transfer_Encoding="chunked"))
        for _ in range(50 * MB // len(piece)):
            await conn.send(frame)

    server = await raw_server(flood)
    error = await fetch_error(make_settings(server.port, max_body_bytes=256_000), server.url())
    assert error.kind is ErrorKind.TOO_LARGE
    assert server.completed == 0


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_compression_bomb_is_too_large(article_server: ArticleServer, coding: str) -> None:
    payload = _compress(coding, b"\0" * 50 * MB)
    assert len(payload) < 100_000  # small on the wire, 50 MB once unpacked
    url = article_server.add("/bomb", payload, Content_Encoding=coding)
    error = await fetch_error(make_settings(article_server.port, max_body_bytes=1 * MB), url)
    assert error.kind is ErrorKind.TOO_LARGE


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_decoder_never_holds_more_than_the_cap(coding: str) -> None:
    """One compressed chunk that unpacks to 200 MB: memory stays near the 1 MB cap."""
    data = _compress(coding, b"\0" * 200 * MB)
    decoder = BodyDecoder(coding, 1 * MB)
    tracemalloc.start()
    try:
        with pytest.raises(PipelineError) as caught:
            decoder.feed(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.kind is ErrorKind.TOO_LARGE
    assert peak < 8 * MB


def test_decoder_counts_decompressed_bytes_across_chunks() -> None:
    data = gzip.compress(b"a" * 5_000)
    decoder = BodyDecoder("gzip", 4_999)
    with pytest.raises(PipelineError) as caught:
        for i in range(0, len(data), 7):
            decoder.feed(data[i : i + 7])
    assert caught.value.kind is ErrorKind.TOO_LARGE
    exact = BodyDecoder("gzip", 5_000)
    out = b"".join(exact.feed(data[i : i + 7]) for i in range(0, len(data), 7))
    assert out == b"a" * 5_000
    assert exact.finish() == b""


async def test_truncated_gzip(article_server: ArticleServer) -> None:
    data = gzip.compress(PAGE * 50)
    url = article_server.add("/cut", data[: len(data) // 2], Content_Encoding="gzip")
    error = await fetch_error(make_settings(article_server.port), url)
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.incomplete")


async def test_corrupt_gzip(article_server: ArticleServer) -> None:
    data = bytearray(gzip.compress(PAGE * 50))
    data[12:40] = b"\xff" * 28
    url = article_server.add("/bad", bytes(data), Content_Encoding="gzip")
    error = await fetch_error(make_settings(article_server.port), url)
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.damaged")


async def test_huge_headers(raw_server: StartServer) -> None:
    async def padded(conn: Conn) -> None:
        await conn.read_request()
        filler = "".join(f"X-Filler-{i}: {'v' * 1000}\r\n" for i in range(200)).encode()
        await conn.send(b"HTTP/1.1 200 OK\r\n" + filler + b"Content-Length: 0\r\n\r\n")

    server = await raw_server(padded)  # 200 KB of headers: over h11's own 100 KB ceiling
    error = await fetch_error(make_settings(server.port), server.url())
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.unreadable", host="127.0.0.1")


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"Content_Length": "900000000"}, ErrorKind.TOO_LARGE),
        ({"Content_Type": "application/pdf", "Content_Length": "5000"}, ErrorKind.NOT_HTML),
        ({"Content_Type": "video/mp4"}, ErrorKind.NOT_HTML),
        ({"Content_Length": "5000", "status": "404 Not Found"}, ErrorKind.HTTP_STATUS),
    ],
)
async def test_refused_from_the_headers_without_reading_the_body(
    raw_server: StartServer, headers: dict[str, str], kind: ErrorKind
) -> None:
    """The server sends headers and then nothing: any attempt to read the body would stall."""

    async def headers_only(conn: Conn) -> None:
        await conn.read_request()
        fields = dict(headers)
        await conn.send(head(fields.pop("status", "200 OK"), **fields))
        await asyncio.Event().wait()

    server = await raw_server(headers_only)
    settings = make_settings(server.port, read_timeout=10.0, fetch_deadline=10.0)
    error = await fetch_error(settings, server.url())
    assert error.kind is kind


# --- broken connections ----------------------------------------------------------------------


async def test_connection_reset_mid_body(raw_server: StartServer) -> None:
    async def crash(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Content_Length="100000") + PAGE[:40])
        conn.reset()

    server = await raw_server(crash)
    error = await fetch_error(make_settings(server.port), server.url())
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.broken_connection", host="127.0.0.1")


async def test_connection_closed_before_content_length(raw_server: StartServer) -> None:
    async def short(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Content_Length="100000") + PAGE)

    server = await raw_server(short)  # the handler returns: the server closes the socket
    error = await fetch_error(make_settings(server.port), server.url())
    assert error.kind is ErrorKind.FETCH


async def test_reset_before_any_answer(raw_server: StartServer) -> None:
    async def slam(conn: Conn) -> None:
        await conn.read_request()
        conn.reset()

    server = await raw_server(slam)
    error = await fetch_error(make_settings(server.port), server.url())
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.unreachable", host="127.0.0.1")


async def test_not_http_at_all(raw_server: StartServer) -> None:
    async def ssh(conn: Conn) -> None:
        await conn.send(b"SSH-2.0-OpenSSH_9.6\r\n")
        await conn.read_request()

    server = await raw_server(ssh)
    error = await fetch_error(make_settings(server.port), server.url())
    assert error.kind is ErrorKind.FETCH
    assert error.message == say("fetch.unreadable", host="127.0.0.1")


# --- stalls ----------------------------------------------------------------------------------


async def test_server_that_never_answers_hits_the_read_timeout(raw_server: StartServer) -> None:
    async def mute(conn: Conn) -> None:
        await conn.read_request()
        await asyncio.Event().wait()  # until the test's server is closed

    server = await raw_server(mute)
    settings = make_settings(server.port, read_timeout=0.2, fetch_deadline=30.0)
    error = await fetch_error(settings, server.url())
    assert error.kind is ErrorKind.TIMEOUT


async def test_server_that_never_answers_hits_the_deadline(raw_server: StartServer) -> None:
    async def mute(conn: Conn) -> None:
        await conn.read_request()
        await asyncio.Event().wait()

    server = await raw_server(mute)
    settings = make_settings(server.port, read_timeout=30.0, fetch_deadline=0.3)
    error = await fetch_error(settings, server.url())
    assert error.kind is ErrorKind.TIMEOUT
    assert error.message == say("fetch.slow_page", host="127.0.0.1")


async def test_slow_loris_body_hits_the_overall_deadline(raw_server: StartServer) -> None:
    """A byte every 20 ms never trips the read timeout; only the per-page deadline stops it."""

    async def trickle(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Content_Length="1000000") + b"<html>")
        while True:
            await conn.send(b"x")
            await asyncio.sleep(0.02)

    server = await raw_server(trickle)
    settings = make_settings(server.port, read_timeout=5.0, fetch_deadline=0.5)
    error = await fetch_error(settings, server.url())
    assert error.kind is ErrorKind.TIMEOUT
    assert server.bytes_sent > 0


async def test_slow_loris_headers_hit_the_overall_deadline(raw_server: StartServer) -> None:
    async def trickle(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(b"HTTP/1.1 200 OK\r\n")
        for i in range(100_000):
            await conn.send(f"X-{i}: y\r\n".encode())
            await asyncio.sleep(0.02)

    server = await raw_server(trickle)
    settings = make_settings(server.port, read_timeout=5.0, fetch_deadline=0.5)
    error = await fetch_error(settings, server.url())
    assert error.kind is ErrorKind.TIMEOUT


async def test_slow_redirect_chain_shares_one_deadline(raw_server: StartServer) -> None:
    """Each hop is quick enough for the read timeout; together they exceed the deadline."""

    async def hop(conn: Conn) -> None:
        await conn.read_request()
        await asyncio.sleep(0.15)
        await conn.send(head("302 Found", Location="/again", Content_Length="0"))

    server = await raw_server(hop)
    settings = make_settings(server.port, read_timeout=1.0, fetch_deadline=0.5, max_redirects=50)
    error = await fetch_error(settings, server.url())
    assert error.kind is ErrorKind.TIMEOUT


# --- DNS rebinding ---------------------------------------------------------------------------


class RebindingResolver:
    """Answers `first` on the first lookup and `then` afterwards, like an attacker's DNS."""

    def __init__(self, first: str, then: str) -> None:
        self.answers = [ipaddress.ip_address(first), ipaddress.ip_address(then)]
        self.calls = 0

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.calls += 1
        return [self.answers[0] if self.calls == 1 else self.answers[1]]


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records the address each connection is made to; routes one public address to loopback.

    The route stands in for the internet (tests never leave 127.0.0.1); what matters is the
    address the guarded backend *asked* for.
    """

    def __init__(self, route: dict[str, str]) -> None:
        self.route = route
        self.connected: list[tuple[str, int]] = []
        self.real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        return await self.real.connect_tcp(self.route.get(host, host), port, **kwargs)  # type: ignore[arg-type]

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def test_rebinding_cannot_redirect_the_connection(article_server: ArticleServer) -> None:
    article_server.add("/story", PAGE)
    settings = make_settings(article_server.port, allowed_networks=[])  # loopback not allowed
    policy = AddressPolicy.from_settings(settings)
    resolver = RebindingResolver(first="93.184.216.34", then="127.0.0.1")
    backend = RecordingBackend(route={"93.184.216.34": "127.0.0.1"})
    transport = GuardedTransport(policy, resolver, backend=backend)
    async with Fetcher(settings, transport=transport) as fetcher:
        page = await fetcher.fetch(f"http://rebind.test:{article_server.port}/story")
    assert page.html == PAGE.decode()
    assert resolver.calls == 1  # one lookup: the checked answer is the one used
    assert backend.connected == [("93.184.216.34", article_server.port)]


async def test_rebinding_on_a_new_connection_is_checked_again(raw_server: StartServer) -> None:
    """Every new connection is resolved and checked afresh: the second answer is refused."""

    async def once(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Content_Length=str(len(PAGE)), Connection="close") + PAGE)

    server = await raw_server(once)
    settings = make_settings(server.port, allowed_networks=["127.0.0.1/32"])
    resolver = RebindingResolver(first="127.0.0.1", then="10.0.0.1")
    async with Fetcher(settings, resolver=resolver) as fetcher:
        page = await fetcher.fetch(f"http://rebind.test:{server.port}/a")
        assert page.html == PAGE.decode()
        with pytest.raises(PipelineError) as caught:
            await fetcher.fetch(f"http://rebind.test:{server.port}/b")
    assert caught.value.kind is ErrorKind.BLOCKED
    assert resolver.calls == 2
    assert server.connections == 1  # the refused lookup never became a connection


async def test_kept_alive_connection_is_reused_without_a_new_lookup(
    article_server: ArticleServer,
) -> None:
    article_server.add("/a", PAGE)
    article_server.add("/b", PAGE)
    settings = make_settings(article_server.port, allowed_networks=["127.0.0.1/32"])
    resolver = RebindingResolver(first="127.0.0.1", then="169.254.169.254")
    async with Fetcher(settings, resolver=resolver) as fetcher:
        await fetcher.fetch(f"http://news.test:{article_server.port}/a")
        await fetcher.fetch(f"http://news.test:{article_server.port}/b")
    assert resolver.calls == 1  # the second fetch rode the checked connection


# --- TLS: the checked address is used, the name is verified ---------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throwaway CA and a certificate for `news.test` only (no IP address in it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Newsdesk Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign")  # fmt: skip
    run("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=news.test")
    (d / "ext.cnf").write_text(
        "subjectAltName=DNS:news.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return {"ca": d / "ca.pem", "cert": d / "leaf.pem", "key": d / "leaf.key"}


async def test_tls_uses_checked_address_but_verifies_the_name(
    raw_server: StartServer, tls_files: dict[str, Path]
) -> None:
    seen_sni: list[str | None] = []
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(tls_files["cert"], tls_files["key"])
    server_tls.sni_callback = lambda _sock, name, _ctx: seen_sni.append(name)  # type: ignore[assignment, func-returns-value]

    async def page(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Content_Length=str(len(PAGE))) + PAGE)

    server = await raw_server(page, server_tls)
    settings = make_settings(server.port, allowed_networks=["127.0.0.1/32"])
    client_tls = ssl.create_default_context(cafile=str(tls_files["ca"]))
    resolver = RebindingResolver(first="127.0.0.1", then="127.0.0.1")
    transport = GuardedTransport(AddressPolicy.from_settings(settings), resolver, verify=client_tls)
    async with Fetcher(settings, transport=transport) as fetcher:
        result = await fetcher.fetch(server.url("/story", host="news.test"))
        assert result.html == PAGE.decode()
        # The same server reached by its address: the certificate does not name it.
        with pytest.raises(PipelineError) as caught:
            await fetcher.fetch(server.url("/story"))
    assert seen_sni[0] == "news.test"
    assert b"Host: news.test:" in server.requests[0]
    assert resolver.calls == 1
    assert caught.value.kind is ErrorKind.FETCH
    assert caught.value.message == (say("fetch.bad_certificate", host="127.0.0.1"))


async def test_tls_certificates_are_verified_by_default(
    raw_server: StartServer, tls_files: dict[str, Path]
) -> None:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(tls_files["cert"], tls_files["key"])

    async def page(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(head(Content_Length=str(len(PAGE))) + PAGE)

    server = await raw_server(page, server_tls)
    settings = make_settings(server.port, allowed_networks=["127.0.0.1/32"])
    resolver = RebindingResolver(first="127.0.0.1", then="127.0.0.1")
    error = await fetch_error(settings, server.url("/", host="news.test"), resolver=resolver)
    assert error.kind is ErrorKind.FETCH  # our throwaway CA is not trusted
    assert error.message == say("fetch.bad_certificate", host="news.test")
    assert server.requests == []
