"""Per-server search gives exactly what the single-table search gave: the same hits, in the same
order, with the same bm25 scores and snippets.

The oracle is the query the archive ran before issue 16 (kept here verbatim): FTS5 ranks every
match in the archive with `bm25()`, then the server's shares are joined in. Both run on one
seeded archive — several servers and channels, articles shared in more than one server,
re-shared after a correction, forgotten — for words, phrases, prefixes, stop words, repeated
words, channel subsets, time windows and page sizes. The text is our own.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import Briefing, Quote
from bot.storage.archive import Archive
from bot.storage.archive_fts import SQLiteFTS5Index
from bot.storage.database import Database, open_database
from tests.storage.archive_checks import as_row, assert_index_matches_the_stored_rows, oracle

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
GUILDS = (101, 202, 303, 404)
CHANNELS = {g: (g * 10 + 1, g * 10 + 2, g * 10 + 3) for g in GUILDS}

# Our own newsroom vocabulary: common words, names with diacritics, hyphenated and dotted words,
# words that stem together (elect, election, elected), and a few that repeat within a sentence.
COMMON = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "said",
    "says",
    "on",
    "for",
    "with",
    "was",
    "is",
    "that",
    "it",
    "by",
    "as",
    "at",
    "from",
]
WORDS = [
    "harbour",
    "ferry",
    "fares",
    "frozen",
    "council",
    "vote",
    "bridge",
    "budget",
    "school",
    "roofs",
    "election",
    "elected",
    "elections",
    "campaign",
    "campaigner",
    "strike",
    "port",
    "workers",
    "union",
    "minister",
    "resigns",
    "resigned",
    "inquiry",
    "flooding",
    "river",
    "levee",
    "e-bike",
    "U.S.",
    "COVID-19",
    "O'Neill",
    "re-election",
    "long-term",
    "tram",
    "tramway",
    "lighthouse",
    "keeper",
    "keepers",
    "island",
    "islanders",
    "subsidy",
    "subsidies",
    "tariff",
    "José",
    "Zoë",
    "Müller",
    "Ørsted",
    "café",
    "naïve",
    "coöperate",
    "élan",
]
NAMES = ["Mira Talvik", "Jonas Kettil", "Amara Quist", "Odile Brandt", "José Ferreira"]


def sentence(rnd: random.Random, length: int) -> str:
    words = [rnd.choice(COMMON if rnd.random() < 0.45 else WORDS) for _ in range(length)]
    if rnd.random() < 0.2:  # a word said twice, so frequencies above one occur
        words.append(words[0])
    return " ".join(words).capitalize() + "."


def briefing(rnd: random.Random, n: int) -> Briefing:
    quotes = [
        Quote(sentence(rnd, rnd.randint(4, 12)), rnd.choice(NAMES), i, 0.5)
        for i in range(rnd.randint(0, 3))
    ]
    return Briefing(
        source=f"https://news.example/{n}?utm_source=feed",
        url=f"https://news.example/{n}",
        headline=sentence(rnd, rnd.randint(4, 9)),
        site="News Example",
        published="2026-02-27",
        paragraphs=[sentence(rnd, 12)],
        quotes=quotes,
        briefing=[sentence(rnd, rnd.randint(6, 16)) for _ in range(rnd.randint(1, 4))],
    )


async def share(archive: Archive, b: Briefing, guild: int, channel: int, message: int) -> None:
    await archive.record_share(
        b,
        guild_id=guild,
        channel_id=channel,
        message_id=message,
        jump_url=f"https://discord.com/channels/{guild}/{channel}/{message}",
        poster_id=7,
        shared_at=T0 + timedelta(minutes=message % 97),  # repeats: equal times occur
    )


async def seed(archive: Archive, rnd: random.Random) -> list[Briefing]:
    articles = [briefing(rnd, n) for n in range(70)]
    twin = briefing(rnd, 999)  # same text under two urls: equal ranks, newest first
    twin2 = dataclasses.replace(twin, url="https://news.example/twin", source="twin")
    articles += [twin, twin2]
    message = 1
    for b in articles:
        for guild in rnd.sample(GUILDS, rnd.choice([1, 1, 1, 2, 3])):
            for _ in range(rnd.choice([1, 1, 2])):
                await share(archive, b, guild, rnd.choice(CHANNELS[guild]), message)
                message += 1
    for b in rnd.sample(articles[:70], 8):  # corrections: the text changes on a re-share
        b.headline = sentence(rnd, 6)
        b.briefing = [sentence(rnd, 10)]
        guild = rnd.choice(GUILDS)
        await share(archive, b, guild, rnd.choice(CHANNELS[guild]), message)
        message += 1
    for b in rnd.sample(articles[:70], 6):  # forgotten in one server (maybe everywhere)
        await archive.forget(rnd.choice(GUILDS), b.url)
    for b in rnd.sample(articles[:70], 6):  # forgotten by a member who sees one channel
        guild = rnd.choice(GUILDS)
        await archive.forget(guild, b.url, channel_ids={rnd.choice(CHANNELS[guild])})
    return articles


def queries(rnd: random.Random) -> list[str]:
    fixed = [
        "the",
        "said",
        "ferry",
        "ferry fares",
        "elections",
        "elect*",
        "isl*",
        "e-bike",
        "U.S.",
        "COVID-19 council",
        "O'Neill",
        "re-election campaign",
        "jose",
        "ZOE",
        "muller",
        "cafe naive",
        "Talvik",
        "Mira Talvik",
        "the ferry",
        "ferry ferry",
        "said the the",
        "of and to",
        "keeper*",
        "lighthouse keepers island",
        "nothing-matches-this",
        "AND",
        "NOT ferry",
    ]
    random_ones = [
        " ".join(rnd.choice(COMMON + WORDS) for _ in range(rnd.randint(1, 3))) for _ in range(25)
    ]
    return fixed + random_ones


@pytest.fixture
async def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    async def never(*args: object) -> list[tuple]:
        raise AssertionError("the single-table query ran: the comparison would prove nothing")

    monkeypatch.setattr(SQLiteFTS5Index, "_search_everything", never)
    path = tmp_path / "archive.sqlite3"
    db: Database = await open_database(path)
    archive = Archive(db)
    rnd = random.Random(16)
    await seed(archive, rnd)
    try:
        yield path, archive, rnd
    finally:
        await db.close()


async def test_every_search_matches_the_single_table_query(seeded) -> None:
    path, archive, rnd = seeded
    compared = nonempty = 0
    for text in queries(rnd):
        for guild in GUILDS:
            scopes = [None, set(CHANNELS[guild]), set(rnd.sample(CHANNELS[guild], 2))]
            scopes.append({CHANNELS[guild][0]})
            for channels in scopes:
                for since, limit in ((None, 10), (T0 + timedelta(minutes=40), 10), (None, 3)):
                    hits = await archive.search(
                        guild, text, channel_ids=channels, since=since, limit=limit
                    )
                    expected = oracle(path, guild, text, channels, since, limit)
                    assert [as_row(h) for h in hits] == expected, (text, guild, channels, since)
                    compared += 1
                    nonempty += bool(expected)
    assert compared > 1000 and nonempty > 500  # the comparison saw real results


async def test_ties_are_broken_by_the_newest_share_as_before(seeded) -> None:
    path, archive, _ = seeded
    for guild in GUILDS:
        hits = await archive.search(guild, "the", limit=100)
        assert [as_row(h) for h in hits] == oracle(path, guild, "the", None, None, 100)
        ranks = [h.rank for h in hits]
        assert ranks == sorted(ranks)


async def test_the_index_is_what_a_rebuild_from_the_stored_rows_makes(seeded) -> None:
    path, _, _ = seeded
    assert_index_matches_the_stored_rows(path)


async def test_a_bounded_search_ranks_the_newest_visible_matches_as_before(seeded) -> None:
    # With a bound below the matches, the hits are the single-table query's own, in its order,
    # restricted to the `bound` newest articles (highest ids) among all its visible matches.
    path, archive, rnd = seeded
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        article_of = dict(db.execute("SELECT url, id FROM archive_articles"))
    compared = bounded = 0
    for text in queries(rnd)[:30]:
        for guild in GUILDS:
            for channels in (None, set(rnd.sample(CHANNELS[guild], 2))):
                for since in (None, T0 + timedelta(minutes=40)):
                    visible = oracle(path, guild, text, channels, since, limit=10_000)
                    for bound in (1, 4, 9):
                        newest = sorted((article_of[r[3]] for r in visible), reverse=True)
                        kept = set(newest[:bound])
                        expected = [r for r in visible if article_of[r[3]] in kept][:5]
                        hits = await archive.search(
                            guild,
                            text,
                            channel_ids=channels,
                            since=since,
                            limit=5,
                            candidates=bound,
                        )
                        assert [as_row(h) for h in hits] == expected, (text, guild, bound)
                        compared += 1
                        bounded += len(visible) > bound
    assert compared > 500 and bounded > 200  # the bound really cut most of these searches
