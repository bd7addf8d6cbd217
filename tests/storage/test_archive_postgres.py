"""Archive search on PostgreSQL: its cost follows the asking server's matches (checked in the
plan), the per-server index follows shares and corrections, and no text is query syntax."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage.archive import Archive
from bot.storage.archive_fts import IndexQuery
from bot.storage.archive_tsvector import PostgresTextIndex, indexed_text, text_query
from bot.storage.database import Database, open_database
from tests.helpers.postgres import PostgresServer, needs_postgres
from tests.storage.test_archive import GUILD, NEWS, OTHER_GUILD, T0, ferry_briefing, share

pytestmark = needs_postgres

SERVERS, ARTICLES_EACH = 40, 150


def test_queries_are_quoted_plain_words() -> None:
    query = text_query('ferry "fares OR -Talvik e-bike isl* NEAR(x')
    assert query is not None
    assert query.phrases == '"ferry" "fares" "OR" "Talvik" "e bike" "NEAR x"'
    assert query.prefixes == "('isl':*)"
    assert text_query("e-bik*") is not None and text_query("e-bik*").prefixes == "('e' <-> 'bik':*)"
    for nothing in ['"', "*", "-", "()", "   ", "___", "…"]:
        assert text_query(nothing) is None
    assert indexed_text("It costs 3.2 million, O'Neill said (e-bikes).") == (
        "It costs 3 2 million O Neill said e bikes"
    )


def _plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


async def _fill_archive(db: Database) -> None:
    """40 servers × 150 articles: every headline says "harbour", one in 97 "lighthouse"."""
    await db.execute(
        "INSERT INTO archive_articles (id, url, headline, updated_at) "
        "SELECT n, 'https://x.example/' || n, 'Harbour story ' || n "
        "|| CASE WHEN n % 97 = 0 THEN ' lighthouse' ELSE '' END, 0 "
        "FROM generate_series(1, ?) n",
        (SERVERS * ARTICLES_EACH,),
    )
    await db.execute(
        "INSERT INTO archive_fts (article_id, headline, briefing, quotes, speakers, document) "
        "SELECT id, headline, '', '', '', to_tsvector('newsdesk', headline) FROM archive_articles"
    )
    await db.execute(
        "INSERT INTO archive_shares (article_id, guild_id, channel_id, message_id, jump_url, "
        "poster_id, shared_at) SELECT id, 1000 + id % ?, 7, id, 'https://discord.com/x', 1, id "
        "FROM archive_articles",
        (SERVERS,),
    )
    await db.execute(
        "INSERT INTO archive_search (guild_id, article_id, document) "
        "SELECT s.guild_id, s.article_id, f.document FROM archive_shares s "
        "JOIN archive_fts f ON f.article_id = s.article_id"
    )
    await db.execute("ANALYZE")


@pytest.mark.parametrize("word", ["harbour", "lighthouse"])
async def test_the_plan_reads_the_asking_servers_rows_not_the_archive(
    postgres_database: Database, word: str
) -> None:
    # "harbour" matches all 6,000 articles of the archive; the asking server has 150 of them.
    db = postgres_database
    await _fill_archive(db)
    statement = PostgresTextIndex().statement(
        IndexQuery(guild_id=1003, text=word, channel_ids=[7], since=None, limit=10)
    )
    assert statement is not None
    sql, params = statement
    [(plan_json,)] = await db.fetch_all(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
    plan = (json.loads(plan_json) if isinstance(plan_json, str) else plan_json)[0]["Plan"]
    nodes = list(_plan_nodes(plan))
    # The server's matches come from its own index entries: every read of archive_search
    # is narrowed by the server (the GIN index on (guild_id, document) or the primary key
    # (guild_id, article_id)), never a scan, never the archive's matches of a common word.
    searched = [
        n
        for n in nodes
        if n.get("Relation Name") == "archive_search"
        or str(n.get("Index Name", "")).startswith("archive_search_")
    ]
    assert searched, json.dumps(plan)[:3000]
    assert all("Seq" not in n["Node Type"] for n in searched), json.dumps(searched)
    on_index = [n for n in searched if "Index Name" in n]
    assert on_index and all("guild_id" in n.get("Index Cond", "") for n in on_index), on_index
    assert all(n["Actual Rows"] <= ARTICLES_EACH for n in on_index), json.dumps(on_index)
    # Each match's newest visible share is looked up by (article_id, guild_id): the server's
    # other shares are never walked.
    shares = [n for n in nodes if n.get("Relation Name") == "archive_shares"]
    assert shares and all(n.get("Index Name") == "archive_shares_article" for n in shares)
    in_server = await db.fetch_one(
        "SELECT count(*) FROM archive_search WHERE guild_id = 1003 "
        "AND document @@ to_tsquery('newsdesk', ?)",
        (word,),
    )
    assert in_server is not None
    assert len(await db.fetch_all(sql, params, heavy=True)) == min(10, in_server[0])


async def _plan(db: Database, query: IndexQuery) -> list[dict[str, Any]]:
    statement = PostgresTextIndex().statement(query)
    assert statement is not None
    sql, params = statement
    [(plan_json,)] = await db.fetch_all(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
    return list(
        _plan_nodes((json.loads(plan_json) if isinstance(plan_json, str) else plan_json)[0]["Plan"])
    )


async def test_a_common_word_walks_the_servers_newest_rows_and_stops_at_the_bound(
    postgres_database: Database,
) -> None:
    # "harbour" is in all 150 of the server's articles; with a bound of 20 the server's key
    # (guild_id, article_id) is read backwards and the walk stops after 20 rows (all visible):
    # 20 vectors tested, 20 share lookups, 20 ranks — not 150.
    db = postgres_database
    await _fill_archive(db)
    query = IndexQuery(
        guild_id=1003, text="harbour", channel_ids=[7], since=None, limit=10, candidates=20
    )
    nodes = await _plan(db, query)
    searched = [n for n in nodes if n.get("Relation Name") == "archive_search"]
    assert [(n["Node Type"], n.get("Index Name"), n.get("Scan Direction")) for n in searched] == [
        ("Index Scan", "archive_search_pkey", "Backward")
    ], json.dumps(searched)
    assert searched[0]["Actual Rows"] == 20
    shares = [n for n in nodes if n.get("Relation Name") == "archive_shares"]
    assert shares and all(n["Actual Loops"] == 20 for n in shares), json.dumps(shares)
    # The page is the best of the server's 20 newest articles (ids 1003 + 40k, k = 149 … 130).
    statement = PostgresTextIndex().statement(query)
    assert statement is not None
    hits = await db.fetch_all(*statement)
    newest = {f"https://x.example/{1003 - 1000 + SERVERS * k}" for k in range(130, 150)}
    assert len(hits) == 10 and {h[3] for h in hits} <= newest


async def test_the_server_copy_follows_shares_corrections_and_forget(
    postgres_database: Database,
) -> None:
    db = postgres_database
    archive = Archive(db)
    await share(archive, ferry_briefing(), message_id=1)
    await share(archive, ferry_briefing(), message_id=2, guild_id=OTHER_GUILD)
    copies = "SELECT guild_id, xmin::text::bigint FROM archive_search ORDER BY guild_id"
    before = await db.fetch_all(copies)
    assert [g for g, _ in before] == [GUILD, OTHER_GUILD]

    # The same text shared again rewrites no server's copy (no GIN churn for popular links).
    await share(archive, ferry_briefing(), message_id=3, at=T0 + timedelta(hours=1))
    assert await db.fetch_all(copies) == before

    # A correction reaches every server's copy.
    corrected = ferry_briefing()
    corrected.headline = "Island ferry fares frozen until 2028"
    await share(archive, corrected, message_id=4, at=T0 + timedelta(hours=2))
    for guild in (GUILD, OTHER_GUILD):
        assert [h.headline for h in await archive.search(guild, "2028")] == [corrected.headline]

    assert await archive.forget(GUILD, "https://harbourpost.example/ferry") == 3
    assert [g for g, _ in await db.fetch_all(copies)] == [OTHER_GUILD]
    assert await archive.search(GUILD, "ferry") == []
    assert len(await archive.search(OTHER_GUILD, "ferry")) == 1


async def test_snippets_mark_every_matched_word(postgres_database: Database) -> None:
    archive = Archive(postgres_database)
    await share(archive, ferry_briefing(), message_id=1, channel_id=NEWS)
    [hit] = await archive.search(GUILD, "emptying boats")
    assert "**emptied**" in hit.snippet and "**boats**" in hit.snippet
    assert hit.snippet.count("**") % 2 == 0


@pytest.fixture(scope="module")
def search_loop(postgres_server: PostgresServer) -> Iterator[tuple[Any, asyncpg.Connection]]:
    """One migrated database and a plain connection on a loop of its own, so hypothesis can
    run hundreds of queries without a database per example."""
    dsn = postgres_server.create_database()
    loop = asyncio.new_event_loop()

    async def prepare() -> asyncpg.Connection:
        db = await open_database(dsn)
        try:
            await share(Archive(db), ferry_briefing(), message_id=1)
        finally:
            await db.close()
        return await asyncpg.connect(dsn)

    connection = loop.run_until_complete(prepare())
    try:
        yield loop, connection
    finally:
        loop.run_until_complete(connection.close())
        loop.close()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_any_text_is_a_valid_query(search_loop: tuple[Any, asyncpg.Connection], text: str) -> None:
    loop, connection = search_loop
    query = text_query(text)
    if query is None:
        return
    expression, params = query.sql()
    numbered = expression.replace("?", "$1", 1).replace("?", "$2", 1)
    count = loop.run_until_complete(
        connection.fetchval(
            f"SELECT count(*) FROM archive_search WHERE document @@ ({numbered})", *params
        )
    )
    assert count in (0, 1)
