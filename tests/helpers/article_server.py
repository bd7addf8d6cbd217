"""A real HTTP server on loopback that serves our fixture pages (and whatever a test adds).

Threaded, so it serves both sync tests and tests whose event loop is busy with the bot.
Every request is recorded so tests can count fetches (cache hits must not fetch again) and
check what was sent (`.requests` keeps each request's path and headers).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helpers.paths import PAGES


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class ArticleServer:
    """Serves `tests/fixtures/pages/<name>` at `/pages/<name>`, plus routes added by tests."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes; with Nagle on, a small body waits for
            # the client's delayed ACK (~40 ms per response on Linux).
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.hits[path] += 1
                    server.requests.append((self.path, dict(self.headers.items())))
                route = server.routes.get(path) or server._page_route(path)
                if route is None:
                    route = Route(status=404, body=b"<html><body>Not found</body></html>")
                if route.handler is not None:
                    route.handler(self)
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        # A short poll interval: `shutdown()` waits for one, and every test pays it.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _page_route(self, path: str) -> Route | None:
        if not path.startswith("/pages/"):
            return None
        file = PAGES / path.removeprefix("/pages/")
        if not file.is_file() or PAGES not in file.resolve().parents:
            return None
        return Route(body=file.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page_url(self, name: str) -> str:
        return self.url(f"/pages/{name}")

    def add(
        self, path: str, body: bytes | str = b"", status: int = 200, **headers: str | None
    ) -> str:
        """Serve `body` at `path`; header keywords use `_` for `-`, and None drops a header."""
        data = body.encode() if isinstance(body, str) else body
        hdrs = {"Content-Type": "text/html; charset=utf-8"}
        for key, value in headers.items():
            hdrs.pop(key.replace("_", "-"), None)
            if value is not None:
                hdrs[key.replace("_", "-")] = value
        self.routes[path] = Route(status=status, body=data, headers=hdrs)
        return self.url(path)

    def add_redirect(self, path: str, location: str, status: int = 302, **headers: str) -> str:
        """A redirect from `path` to `location` (relative or absolute)."""
        return self.add(path, b"", status=status, Location=location, **headers)

    def last_headers(self, path: str) -> dict[str, str]:
        """The headers of the most recent request for `path` (query string ignored)."""
        for seen, headers in reversed(self.requests):
            if seen.split("?", 1)[0] == path:
                return headers
        raise KeyError(path)

    def add_handler(self, path: str, handler: Callable[[BaseHTTPRequestHandler], None]) -> str:
        self.routes[path] = Route(handler=handler)
        return self.url(path)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def article_server() -> Iterator[ArticleServer]:
    server = ArticleServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
