"""Story grouping on invented multi-outlet fixtures (tests/fixtures/stories)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.models import Quote
from bot.newsroom.stories import cluster, group_stories, outlet_name, tokens
from bot.storage.archive import Share, SharedArticle
from tests.helpers.paths import FIXTURES

STORIES = FIXTURES / "stories"
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def make_share(n: int, at: datetime, channel_id: int = 10) -> Share:
    return Share(
        guild_id=1,
        channel_id=channel_id,
        message_id=n,
        jump_url=f"https://discord.com/channels/1/{channel_id}/{n}",
        poster_id=7,
        shared_at=at,
    )


def load_items() -> dict[str, tuple[str, SharedArticle]]:
    """Fixture id -> (event label, article shared once, a minute after the previous one)."""
    raw_items = json.loads((STORIES / "events.json").read_text(encoding="utf-8"))["items"]
    out = {}
    for n, raw in enumerate(raw_items):
        out[raw["id"]] = (
            raw["event"],
            SharedArticle(
                url=raw["url"],
                headline=raw["headline"],
                site=raw["site"],
                published=None,
                byline=None,
                lede="\n".join(raw["lede"]),
                briefing=raw["briefing"],
                quotes=[Quote(**q) for q in raw["quotes"]],
                shares=[make_share(n + 1, T0 + timedelta(minutes=n))],
            ),
        )
    return out


ITEMS = load_items()


def partition(stories) -> set[frozenset[str]]:
    return {frozenset(a.url for a in s.articles) for s in stories}


def test_fixture_events_are_recovered_exactly():
    articles = [article for _, article in ITEMS.values()]
    expected: dict[str, set[str]] = {}
    for event, article in ITEMS.values():
        expected.setdefault(event, set()).add(article.url)
    assert partition(group_stories(articles)) == {frozenset(v) for v in expected.values()}


def test_two_outlets_merge_and_a_same_city_strike_stays_apart():
    courier = ITEMS["port-courier"][1]
    harbour = ITEMS["port-harbourpost"][1]
    bus = ITEMS["trap-bus-strike"][1]
    stories = group_stories([courier, bus, harbour])
    assert partition(stories) == {
        frozenset({courier.url, harbour.url}),
        frozenset({bus.url}),
    }
    port = next(s for s in stories if len(s.articles) == 2)
    assert port.outlets == ["The Velmora Courier", "Harbour Post"]
    assert port.share_count == 2


def test_lookalike_traps_do_not_merge_with_their_events():
    ids = [
        "square-herald",
        "square-ledger",
        "trap-riverton-budget",
        "rates-wire",
        "trap-governor-housing",
        "fire-courier",
        "trap-fire-season",
        "breach-gazette",
        "trap-water-ransomware",
    ]
    stories = group_stories([ITEMS[i][1] for i in ids])
    merged = [s for s in stories if len(s.articles) > 1]
    assert partition(merged) == {
        frozenset({ITEMS["square-herald"][1].url, ITEMS["square-ledger"][1].url})
    }


def test_grouping_does_not_depend_on_input_order():
    articles = [article for _, article in ITEMS.values()]
    shuffled = articles[:]
    random.Random(3).shuffle(shuffled)
    assert partition(group_stories(shuffled)) == partition(group_stories(articles))


def test_stories_ordered_by_share_count_then_latest_share():
    fire = ITEMS["fire-courier"][1]
    cup = replace(
        ITEMS["single-cup-final"][1],
        shares=[make_share(90, T0 + timedelta(hours=1)), make_share(91, T0 + timedelta(hours=2))],
    )
    budget = replace(
        ITEMS["trap-riverton-budget"][1], shares=[make_share(92, T0 + timedelta(hours=3))]
    )
    stories = group_stories([fire, cup, budget])
    assert [s.lead.url for s in stories] == [cup.url, budget.url, fire.url]
    assert [s.share_count for s in stories] == [2, 1, 1]


def test_lead_is_the_most_central_article():
    ids = ["rates-wire", "rates-ledger", "rates-harbourpost"]
    story = group_stories([ITEMS[i][1] for i in ids])[0]
    assert len(story.articles) == 3
    assert story.lead.url == ITEMS["rates-wire"][1].url
    assert story.outlets[0] == "Aldania Wire"


def test_outlets_are_distinct_and_fall_back_to_the_host():
    a = replace(ITEMS["port-courier"][1], site=None, url="https://www.velmoracourier.example/a")
    assert outlet_name(a) == "velmoracourier.example"
    b = replace(ITEMS["port-harbourpost"][1], url="https://harbourpost.example/other")
    c = ITEMS["port-harbourpost"][1]
    story = group_stories([a, b, c])[0]
    assert len(story.articles) == 3
    assert sorted(story.outlets) == ["Harbour Post", "velmoracourier.example"]


def test_empty_and_single():
    assert group_stories([]) == []
    only = ITEMS["single-cup-final"][1]
    [story] = group_stories([only])
    assert story.lead is only
    assert story.outlets == ["Harbour Post"]


def test_tokens_stem_and_keep_figures():
    assert tokens("Dockworkers voted; strikes ended at 4.25% and 40,000 records") == [
        "4.25",
        "40000",
        "dockworker",
        "vot",
        "strik",
        "end",
        "record",
    ]
    assert tokens("votes vote voting Striking") == ["vot", "vot", "vot", "strik"]
    assert tokens("The union said it would") == ["union"]


def test_average_link_does_not_chain_through_a_middle_item():
    # A~B and B~C are similar, A and C are not: single link would fuse all three.
    sim = [
        [1.0, 0.5, 0.0],
        [0.5, 1.0, 0.5],
        [0.0, 0.5, 1.0],
    ]
    assert cluster(sim, 0.3) == [[0, 1], [2]]
    assert cluster(sim, 0.2) == [[0, 1, 2]]  # {A,B}~C averages 0.25
    assert cluster(sim, 0.6) == [[0], [1], [2]]
