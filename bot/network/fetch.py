"""Fetch one web page safely: checked addresses only, bounded in time and size, decoded to text.

The connection layer is where SSRF protection has to live: `GuardedBackend` sits under httpcore
and, for every new connection, resolves the host once, checks every address with the
`AddressPolicy`, and connects to that checked address. The URL (so the Host header, TLS SNI and
certificate check) keeps the original name; no second DNS lookup exists for a rebind to change.
Redirects are followed here, by hand, so each hop's URL is checked too.

Bodies are read as a stream and decoded (gzip, deflate, brotli) by our own bounded decoder, so
the size cap applies to the decompressed bytes without ever holding more than the cap plus one
network chunk: a compression bomb costs us at most `max_body_bytes`.

Every failure is a `PipelineError` whose message is plain words for a journalist.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import Iterable
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpcore
import httpx

from bot.errors import PipelineError
from bot.messages import say
from bot.models import ErrorKind, FetchedPage
from bot.network.challenge import CHALLENGE_STATUSES, SCAN_BYTES, is_bot_check
from bot.network.decoding import decode_html
from bot.network.guard import AddressPolicy, Resolver, SystemResolver
from bot.network.mediatype import parse_content_type, sniff

if TYPE_CHECKING:  # the settings module is heavy to import; callers have it loaded already
    from config import Settings

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types that say "we don't know"; the body is sniffed, as browsers do.
UNKNOWN_TYPES = frozenset({"", "application/octet-stream", "unknown/unknown", "*/*"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ACCEPT_ENCODING = "gzip, deflate, br"  # exactly what `BodyDecoder` can undo


# --- connection layer ------------------------------------------------------------------------


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that only ever connects to addresses the policy accepted."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver or SystemResolver()
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self.policy.resolve_checked(host, port, self.resolver)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        error: Exception | None = None
        for address in addresses:  # all checked; try them in the resolver's order
            try:
                return await self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise PipelineError(ErrorKind.BLOCKED, say("fetch.local_socket"))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool rebuilt on a `GuardedBackend`.

    httpx has no public hook for the network backend, so the pool (the documented httpcore
    `AsyncConnectionPool`) is replaced right after construction; everything else (exception
    mapping, response streams) is httpx's own.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver | None = None,
        *,
        backend: httpcore.AsyncNetworkBackend | None = None,
        verify: Any = True,
        max_connections: int = 20,
    ) -> None:
        # The parent's own pool is thrown away at once; `verify=False` only spares loading the
        # CA bundle twice. Verification is configured on the pool that is actually used.
        super().__init__(verify=False, trust_env=False)
        self.backend = GuardedBackend(policy, resolver, backend)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections // 2,
            keepalive_expiry=30.0,
            network_backend=self.backend,
        )


# --- the fetcher -----------------------------------------------------------------------------


class Fetcher:
    """One shared HTTP client; `fetch` returns a decoded HTML page or raises `PipelineError`.

    `transport` replaces the guarded transport (for tests with `httpx.MockTransport`, or a
    `GuardedTransport` built with a test backend); URL-level checks still apply to every hop,
    address checks only if the transport does them.
    """

    def __init__(
        self,
        settings: Settings,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.policy = AddressPolicy.from_settings(settings)
        self.transport = transport or GuardedTransport(self.policy, resolver)
        self._client = httpx.AsyncClient(
            transport=self.transport,
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc from the environment
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),  # keeps nothing: see _fetch
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.connect_timeout,
            ),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Language": "en-US,en;q=0.8,*;q=0.5",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            event_hooks={"response": [self._refuse_numeric_redirect]},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchedPage:
        """The page at `url` after redirects, within `fetch_deadline` seconds overall."""
        url = url.strip()
        state = _Hop(url)
        try:
            async with asyncio.timeout(self.settings.fetch_deadline):
                return await self._fetch(url, state)
        except TimeoutError:
            raise PipelineError(
                ErrorKind.TIMEOUT, say("fetch.slow_page", host=state.host)
            ) from None

    async def _fetch(self, url: str, state: _Hop) -> FetchedPage:
        jar = httpx.Cookies()  # per fetch: cookies set in a redirect chain, never shared by users
        current = url
        chain: list[str] = []
        for _hop in range(self.settings.max_redirects + 1):
            target = self._check(current, state)
            chain.append(str(target))
            request = self._client.build_request("GET", target)
            jar.set_cookie_header(request)
            response = await self._send(request, state)
            try:
                jar.extract_cookies(response)
                if response.status_code in REDIRECT_CODES:
                    current = _location(response)
                    continue
                page = await self._read(url, response, state)
                page.chain = tuple(chain)
                return page
            finally:
                await response.aclose()
        raise PipelineError(ErrorKind.FETCH, say("fetch.too_many_redirects"))

    async def _refuse_numeric_redirect(self, response: httpx.Response) -> None:
        """A redirect to "http://0177.0.0.1/" is `blocked`: httpx cannot parse that host and
        would report an unreadable answer before `_location` ever sees it."""
        location = response.headers.get("location", "").strip()
        if response.status_code not in REDIRECT_CODES or not location:
            return
        try:
            httpx.URL(location)
        except (httpx.InvalidURL, ValueError):
            self.policy.check_url(urljoin(str(response.url), location))

    def _check(self, url: str, state: _Hop) -> httpx.URL:
        """The policy's URL checks, applied to httpx's own parse of the URL (no differential)."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError):
            # httpx refuses some numeric hosts ("0177.0.0.1", octal): still `blocked`, not invalid
            self.policy.check_url(url)
            raise PipelineError(ErrorKind.FETCH, say("link.invalid")) from None
        host = parsed.raw_host.decode("ascii", "replace")  # punycode: what will be resolved
        self.policy.check_target(parsed.scheme, host, parsed.port, userinfo=bool(parsed.userinfo))
        with contextlib.suppress(UnicodeError):  # checked above; the name is only for messages
            state.host = parsed.host or state.host
        return parsed.copy_with(fragment=None)

    async def _send(self, request: httpx.Request, state: _Hop) -> httpx.Response:
        try:
            return await self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise PipelineError(
                ErrorKind.TIMEOUT, say("fetch.slow_answer", host=state.host)
            ) from None
        except httpx.RemoteProtocolError:  # answered, but not in HTTP we accept
            raise PipelineError(ErrorKind.FETCH, unreadable_message(state.host)) from None
        except (httpx.HTTPError, OSError) as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise PipelineError(
                    ErrorKind.FETCH,
                    say("fetch.bad_certificate", host=state.host),
                ) from None
            raise PipelineError(
                ErrorKind.FETCH, say("fetch.unreachable", host=state.host)
            ) from None

    async def _read(self, url: str, response: httpx.Response, state: _Hop) -> FetchedPage:
        status = response.status_code
        if status >= 400:
            raise PipelineError(ErrorKind.HTTP_STATUS, await self._error_message(response))
        if _header_bytes(response) > self.settings.max_header_bytes:
            raise PipelineError(ErrorKind.FETCH, unreadable_message(state.host))
        media_type, charset = parse_content_type(response.headers.get("content-type", ""))
        if media_type not in HTML_TYPES and media_type not in UNKNOWN_TYPES:
            raise PipelineError(ErrorKind.NOT_HTML, not_html_message(media_type))
        limit = self.settings.max_body_bytes
        declared = _content_length(response)
        if declared is not None and declared > limit:
            raise PipelineError(ErrorKind.TOO_LARGE, too_large_message(limit))
        body = await self._read_body(response, limit, state)
        if not body.strip():
            raise PipelineError(ErrorKind.NOT_ARTICLE, say("fetch.empty"))
        if media_type in UNKNOWN_TYPES:
            sniffed = sniff(body)
            if sniffed != "text/html":
                raise PipelineError(ErrorKind.NOT_HTML, not_html_message(sniffed))
            media_type = sniffed
        return FetchedPage(
            requested_url=url,
            url=str(response.url),
            html=decode_html(body, charset),
            status=status,
            content_type=media_type,
        )

    async def _error_message(self, response: httpx.Response) -> str:
        """An error status in plain words; an anti-bot service's challenge says what it is."""
        status = response.status_code
        head = await self._read_head(response) if status in CHALLENGE_STATUSES else b""
        if is_bot_check(status, response.headers, head):
            return f"{say('walls.challenge_status', status=status)} {say('walls.remedy')}"
        return status_message(status)

    async def _read_head(self, response: httpx.Response) -> bytes:
        """The first `SCAN_BYTES` of an error page, decoded; what arrived if it breaks off."""
        parts: list[bytes] = []
        size = 0
        try:
            decoder = BodyDecoder(response.headers.get("content-encoding", ""), SCAN_BYTES * 4)
            async for chunk in response.aiter_raw():
                parts.append(decoder.feed(chunk))
                size += len(parts[-1])
                if size >= SCAN_BYTES:
                    break
        except (PipelineError, httpx.HTTPError, OSError):
            pass  # a broken error page is still the error its status says
        return b"".join(parts)[:SCAN_BYTES]

    async def _read_body(self, response: httpx.Response, limit: int, state: _Hop) -> bytes:
        decoder = BodyDecoder(response.headers.get("content-encoding", ""), limit)
        parts: list[bytes] = []
        try:
            async for chunk in response.aiter_raw():
                parts.append(decoder.feed(chunk))
            parts.append(decoder.finish())
        except httpx.TimeoutException:
            raise PipelineError(
                ErrorKind.TIMEOUT, say("fetch.slow_page", host=state.host)
            ) from None
        except (httpx.HTTPError, OSError):
            raise PipelineError(
                ErrorKind.FETCH, say("fetch.broken_connection", host=state.host)
            ) from None
        return b"".join(parts)


class _Hop:
    """The host being talked to right now, for messages ("Could not reach example.com.")."""

    def __init__(self, url: str) -> None:
        try:
            self.host = httpx.URL(url).host or say("fetch.the_site")
        except Exception:
            self.host = say("fetch.the_site")


def _location(response: httpx.Response) -> str:
    location = response.headers.get("location", "").strip()
    with contextlib.suppress(UnicodeError):  # servers send raw UTF-8; httpx read it as Latin-1
        location = location.encode("latin-1").decode("utf-8")
    if not location:
        raise PipelineError(ErrorKind.FETCH, say("fetch.redirect_nowhere"))
    try:
        return str(response.url.join(location))
    except (httpx.InvalidURL, ValueError):
        raise PipelineError(ErrorKind.FETCH, say("fetch.redirect_invalid")) from None


def _content_length(response: httpx.Response) -> int | None:
    values = {v.strip() for v in response.headers.get("content-length", "").split(",")}
    try:
        return max(int(v) for v in values if v)
    except ValueError:
        return None


def _header_bytes(response: httpx.Response) -> int:
    return sum(len(name) + len(value) + 4 for name, value in response.headers.raw)


# --- decoding ------------------------------------------------------------------------------


class BodyDecoder:
    """Undoes Content-Encoding incrementally, refusing to produce more than `limit` bytes.

    Each step asks the decompressor for at most `limit - produced + 1` bytes, so one small
    compressed chunk can never expand into a huge buffer.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate", "br")):
            raise PipelineError(ErrorKind.FETCH, say("fetch.unknown_encoding"))
        self.coding = codings[0] if codings else ""
        self.limit = limit
        self.produced = 0
        self._zlib: Any = None
        self._brotli: Any = None
        self._deflate_probe = self.coding == "deflate"
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.coding == "br":
            import brotli

            self._brotli = brotli.Decompressor()

    def feed(self, data: bytes) -> bytes:
        try:
            if self._zlib is not None:
                out = self._feed_zlib(data)
            elif self._brotli is not None:
                out = self._feed_brotli(data)
            else:
                out = data
        except PipelineError:
            raise
        except Exception:  # zlib.error, brotli.error: a damaged stream
            raise PipelineError(ErrorKind.FETCH, say("fetch.damaged")) from None
        return self._count(out)

    def finish(self) -> bytes:
        """Checks the compressed stream really ended: a cut-off download is an error, not a page."""
        if self._zlib is not None and not self._zlib.eof:
            raise PipelineError(ErrorKind.FETCH, say("fetch.incomplete"))
        if self._brotli is not None and not self._brotli.is_finished():
            raise PipelineError(ErrorKind.FETCH, say("fetch.incomplete"))
        return b""

    def _budget(self) -> int:
        return self.limit - self.produced + 1

    def _count(self, out: bytes) -> bytes:
        self.produced += len(out)
        if self.produced > self.limit:
            raise PipelineError(ErrorKind.TOO_LARGE, too_large_message(self.limit))
        return out

    def _feed_zlib(self, data: bytes) -> bytes:
        if self._deflate_probe and data:
            self._deflate_probe = False
            try:  # "deflate" is zlib-wrapped by the spec, raw deflate by some servers
                probe = zlib.decompressobj()
                out: bytes = probe.decompress(data, self._budget())
                self._zlib = probe
                self._check_tail()
                return out
            except zlib.error:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        out = self._zlib.decompress(data, self._budget())
        self._check_tail()
        while self.coding != "deflate" and self._zlib.eof and self._zlib.unused_data:
            rest = self._zlib.unused_data  # a further gzip member
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += self._zlib.decompress(rest, max(self._budget() - len(out), 1))
            self._check_tail()
            if self.produced + len(out) > self.limit:
                break  # `_count` refuses it
        return out

    def _check_tail(self) -> None:
        # Input is left over only when the output budget ran out: that is over the limit.
        if self._zlib.unconsumed_tail:
            raise PipelineError(ErrorKind.TOO_LARGE, too_large_message(self.limit))

    def _feed_brotli(self, data: bytes) -> bytes:
        out: bytes = self._brotli.process(data, output_buffer_limit=self._budget())
        if len(out) < self._budget() and not self._brotli.can_accept_more_data():
            out += self._brotli.process(b"", output_buffer_limit=self._budget() - len(out))
        return out


# --- messages ------------------------------------------------------------------------------


def status_message(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return say("fetch.status_unknown", status=status)
    return say("fetch.status", status=status, phrase=phrase)


_KIND_WORDS = {
    "application/pdf": say("filetype.pdf"),
    "application/json": say("filetype.json"),
    "text/plain": say("filetype.text"),
    "text/csv": say("filetype.csv"),
    "application/zip": say("filetype.zip"),
    "application/rss+xml": say("filetype.feed"),
    "application/atom+xml": say("filetype.feed"),
    "application/xml": say("filetype.xml"),
    "text/xml": say("filetype.xml"),
    "application/msword": say("filetype.word"),
}


def not_html_message(media_type: str) -> str:
    words = _KIND_WORDS.get(media_type)
    if words is None:
        family = media_type.split("/", 1)[0]
        if family == "image":
            words = say("filetype.image")
        elif family == "video":
            words = say("filetype.video")
        elif family == "audio":
            words = say("filetype.audio")
        elif media_type.endswith("+json"):
            words = say("filetype.json")
        elif media_type.endswith("+xml"):
            words = say("filetype.xml")
        elif "officedocument" in media_type or "opendocument" in media_type:
            words = say("filetype.office")
        else:
            words = say("filetype.other")
    return say("fetch.not_html", what=words)


def unreadable_message(host: str) -> str:
    return say("fetch.unreadable", host=host)


def too_large_message(limit: int) -> str:
    megabytes = limit / 1_000_000
    size = f"{megabytes:.0f} MB" if megabytes >= 1 else f"{limit // 1000} KB"
    return say("fetch.too_large", size=size)
