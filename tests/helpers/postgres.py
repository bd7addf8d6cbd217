"""A real, throwaway PostgreSQL server for the tests, started and stopped by the tests themselves.

Why a real server: the claims about PostgreSQL (full-text search, advisory locks, `FOR UPDATE
SKIP LOCKED`, two processes racing) are only true of the real thing. One server is started per
test session in a temporary directory on a free loopback port (initdb + pg_ctl, trust auth,
no system service); each test that asks for `postgres_dsn` gets a fresh database on it.

The server binaries come from the distribution (`pg_config --bindir`, or `initdb` on PATH);
where they are missing, every test that needs them skips with one reason. `initdb` and
`postgres` refuse to run as root, so as root they run as the `postgres` system user.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SKIP_REASON = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"


def _bindir() -> Path | None:
    """Where initdb and pg_ctl live: pg_config's answer, else whatever PATH finds."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            found = ""
        if found and (Path(found) / "initdb").is_file() and (Path(found) / "pg_ctl").is_file():
            return Path(found)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb).parent
    return None


BINDIR = _bindir()
needs_postgres = pytest.mark.skipif(BINDIR is None, reason=SKIP_REASON)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server: `create_database()` gives a fresh, empty database's DSN."""

    port: int
    directory: Path
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one statement with psql (no Python driver needed) and return its output."""
        psql = shutil.which("psql") or (str(BINDIR / "psql") if BINDIR else "psql")
        result = subprocess.run(
            [psql, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", self.dsn(database), "-c", sql],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def create_database(self) -> str:
        name = f"newsdesk_test_{next(self._names)}"
        self.psql(f"CREATE DATABASE {name}")  # its own -c: not allowed inside a transaction
        return self.dsn(name)


def _as_server_user() -> list[str]:
    """initdb/postgres refuse root: run them as the `postgres` user when we are root."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def start_server(directory: Path) -> PostgresServer:
    """initdb + pg_ctl start in `directory` (which the server user must be able to reach).

    A cluster already in `directory` is started as it is: bench/search.py keeps its databases
    (hours to build at a million briefings) between runs; tests always pass a fresh folder.
    """
    assert BINDIR is not None
    data = directory / "data"
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, user="postgres")
        directory.chmod(0o700)
        for parent in directory.parents:  # the server user must be able to traverse to it
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o001)
    sudo = _as_server_user()
    if not data.exists():
        subprocess.run(
            [
                *sudo,
                str(BINDIR / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
        )
    port = _free_port()
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *sudo,
            str(BINDIR / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(directory / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return PostgresServer(port=port, directory=directory)


def stop_server(server: PostgresServer, mode: str = "immediate") -> None:
    """Stop the server: "immediate" for a throwaway one, "fast" for one whose data is kept."""
    assert BINDIR is not None
    subprocess.run(
        [
            *_as_server_user(),
            str(BINDIR / "pg_ctl"),
            "-D",
            str(server.directory / "data"),
            "-m",
            mode,
            "-w",
            "stop",
        ],
        check=False,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if BINDIR is None:
        pytest.skip(SKIP_REASON)
    directory = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    server = start_server(directory)
    try:
        yield server
    finally:
        stop_server(server)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def postgres_dsn(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server, for one test."""
    return postgres_server.create_database()
