"""A raw TCP server on 127.0.0.1 for servers that misbehave below HTTP.

`ArticleServer` speaks correct HTTP; the fault tests need servers that stall, trickle, reset
the connection or lie about lengths. Each test passes a coroutine that gets the connection and
writes whatever bytes it wants. The server runs on the test's own event loop and records what
it managed to send, so a test can prove the client stopped reading early.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest


class Conn:
    """One accepted connection, as a test handler sees it."""

    def __init__(
        self, server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer

    async def read_request(self) -> bytes:
        """The request head (up to the blank line); the client only sends GETs."""
        head = await self.reader.readuntil(b"\r\n\r\n")
        self.server.requests.append(head)
        return head

    async def send(self, data: bytes) -> None:
        """Write and wait until the kernel took it, counting what really left."""
        self.writer.write(data)
        await self.writer.drain()
        self.server.bytes_sent += len(data)

    def reset(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0), as a crashing server or middlebox would."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Handler = Callable[[Conn], Awaitable[None]]


class RawServer:
    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.port = 0
        self.connections = 0
        self.bytes_sent = 0
        self.completed = 0  # handlers that ran to the end without the peer going away
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            await self.handler(Conn(self, reader, writer))
            self.completed += 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass  # the client went away: exactly what several tests provoke
        finally:
            writer.transport.abort()
            self._tasks.discard(task)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()


@pytest.fixture(name="raw_server")
async def raw_server_fixture() -> AsyncIterator[Callable[..., Awaitable[RawServer]]]:
    """`server = await raw_server(handler[, tls])`; every server is closed after the test.

    Import `raw_server_fixture` into a test module (or list this module in conftest's
    `pytest_plugins`) to use the `raw_server` fixture.
    """
    servers: list[RawServer] = []

    async def start(handler: Handler, tls: ssl.SSLContext | None = None) -> RawServer:
        server = await RawServer(handler, tls).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()
