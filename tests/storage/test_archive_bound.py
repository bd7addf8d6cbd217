"""A word in more of the server's visible articles than a search ranks (issue 16: the bound for
common words): only the newest of those matches are ranked, in the order an unbounded search
puts them; shares in channels the member cannot see neither surface nor use up the bound, and
other servers' articles never count. Both backends; the bound is made small for the test."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import Briefing, Quote
from bot.storage.archive import Archive, SearchHit
from bot.storage.database import Database
from tests.storage.test_archive import GUILD, NEWS, OTHER_GUILD, POLITICS, SECRET, T0, share

EVERYTHING = 1_000  # a bound above every match here: the unbounded search
VISIBLE = {NEWS, POLITICS}


def story(n: int) -> Briefing:
    """Every story mentions the harbour; where and how often differs, so the ranks differ."""
    headline = f"Harbour works, part {n}" if n % 3 == 0 else f"Quay works, part {n}"
    mentions = " ".join(["The harbour was busy."] * (n % 4 + 1))
    filler = " ".join(["Cranes moved containers along the pier all night."] * (n % 5))
    return Briefing(
        source=f"https://portgazette.example/works/{n}",
        url=f"https://portgazette.example/works/{n}",
        headline=headline,
        site="Port Gazette",
        paragraphs=[mentions],
        quotes=[Quote(f"The harbour never sleeps, shift {n}", "Odile Brandt", 1, 0.5)]
        if n % 2
        else [],
        briefing=[mentions, filler] if filler else [mentions],
    )


def at(n: int) -> datetime:
    return T0 + timedelta(hours=n)


async def seed(archive: Archive) -> None:
    """Stories 1-10 shared in NEWS, in that order (article ids follow); 11-14, the newest,
    only in SECRET; story 5 shared again in SECRET after all of them (its newest share is
    hidden, its NEWS share is not); 15-18 only in another server."""
    for n in range(1, 11):
        await share(archive, story(n), message_id=n, channel_id=NEWS, at=at(n))
    for n in range(11, 15):
        await share(archive, story(n), message_id=n, channel_id=SECRET, at=at(n))
    await share(archive, story(5), message_id=50, channel_id=SECRET, at=at(20))
    for n in range(15, 19):
        await share(archive, story(n), message_id=n, guild_id=OTHER_GUILD, at=at(n))


def urls(hits: list[SearchHit]) -> list[str]:
    return [h.url for h in hits]


def numbers(*ns: int) -> set[str]:
    return {story(n).url for n in ns}


async def test_only_the_newest_visible_matches_are_ranked(database: Database) -> None:
    archive = Archive(database)
    await seed(archive)
    everything = await archive.search(
        GUILD, "harbour", channel_ids=VISIBLE, limit=100, candidates=EVERYTHING
    )
    assert set(urls(everything)) == numbers(*range(1, 11))
    bounded = await archive.search(GUILD, "harbour", channel_ids=VISIBLE, limit=100, candidates=4)
    # The four newest articles the member may see (the hidden 11-14 take no place), ranked
    # exactly as the unbounded search ranks them.
    assert set(urls(bounded)) == numbers(7, 8, 9, 10)
    assert bounded == [h for h in everything if h.url in numbers(7, 8, 9, 10)]
    ranks = [h.rank for h in bounded]
    assert ranks == sorted(ranks) and len(set(ranks)) > 1  # the order is the ranking's
    assert {h.channel_id for h in bounded} == {NEWS}
    # A page smaller than the bound is its best hits.
    page = await archive.search(GUILD, "harbour", channel_ids=VISIBLE, limit=2, candidates=4)
    assert page == bounded[:2]


async def test_a_hidden_newer_share_neither_surfaces_nor_displaces_the_visible_one(
    database: Database,
) -> None:
    archive = Archive(database)
    await seed(archive)
    # Story 5's newest share is in SECRET: the member is linked to its NEWS share.
    bounded = await archive.search(GUILD, "harbour", channel_ids=VISIBLE, limit=100, candidates=6)
    assert set(urls(bounded)) == numbers(5, 6, 7, 8, 9, 10)
    [five] = [h for h in bounded if h.url == story(5).url]
    assert (five.channel_id, five.message_id) == (NEWS, 5)


async def test_the_bound_follows_what_each_member_sees_and_the_window(database: Database) -> None:
    archive = Archive(database)
    await seed(archive)
    # A member who sees only SECRET: its newest visible matches are 11-14.
    secret = await archive.search(GUILD, "harbour", channel_ids={SECRET}, candidates=4)
    assert set(urls(secret)) == numbers(11, 12, 13, 14)
    # Every channel: the newest four of the server, whatever the channel.
    everyone = await archive.search(GUILD, "harbour", limit=100, candidates=4)
    assert set(urls(everyone)) == numbers(11, 12, 13, 14)
    # A window with fewer matches than the bound: all of them, as unbounded.
    since = at(8)
    windowed = await archive.search(
        GUILD, "harbour", channel_ids=VISIBLE, since=since, limit=100, candidates=4
    )
    assert set(urls(windowed)) == numbers(8, 9, 10)
    assert windowed == await archive.search(
        GUILD, "harbour", channel_ids=VISIBLE, since=since, limit=100, candidates=EVERYTHING
    )
    # Another server's newer articles never counted: it finds only its own.
    other = await archive.search(OTHER_GUILD, "harbour", limit=100, candidates=2)
    assert set(urls(other)) == numbers(17, 18)


async def test_a_member_with_one_old_visible_match_still_finds_it(database: Database) -> None:
    archive = Archive(database)
    await seed(archive)
    # Only story 1 is in POLITICS; every newer match is in channels this member cannot see.
    await share(archive, story(1), message_id=100, channel_id=POLITICS, at=at(1))
    hits = await archive.search(GUILD, "harbour", channel_ids={POLITICS}, candidates=1)
    assert [(h.url, h.message_id) for h in hits] == [(story(1).url, 100)]
