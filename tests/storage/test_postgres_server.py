"""The test PostgreSQL server itself: it starts, and each test gets its own empty database."""

from __future__ import annotations

from tests.helpers.postgres import PostgresServer, needs_postgres

pytestmark = needs_postgres


def test_each_database_is_fresh_and_separate(postgres_server: PostgresServer) -> None:
    first = postgres_server.create_database().rsplit("/", 1)[1]
    second = postgres_server.create_database().rsplit("/", 1)[1]
    assert first != second
    postgres_server.psql("CREATE TABLE only_here (x int)", first)
    tables = "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"
    assert postgres_server.psql(tables, first) == "1"
    assert postgres_server.psql(tables, second) == "0"


def test_the_server_listens_on_loopback_with_full_text_search(
    postgres_server: PostgresServer,
) -> None:
    assert postgres_server.dsn().startswith("postgresql://postgres@127.0.0.1:")
    parsed = postgres_server.psql("SELECT to_tsvector('english', 'The ferries resumed')")
    assert "'ferri'" in parsed and "'resum'" in parsed
