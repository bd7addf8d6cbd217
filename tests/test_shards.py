"""Which shards a process runs and which servers are its own (`bot.shards`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.messages import say
from bot.shards import ShardPlan, describe_ids, parse_shard_ids, shard_of
from tests.helpers.fake_discord import guild_snowflake


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("0-3", [0, 1, 2, 3]),
        ("4,5", [4, 5]),
        ("0-1, 6", [0, 1, 6]),
        ("7", [7]),
        ("2,1-2,2", [1, 2]),  # repeats are harmless
        (" 3 - 4 ", [3, 4]),
    ],
)
def test_shard_ids_are_written_as_ranges_and_lists(text: str, ids: list[int]) -> None:
    assert parse_shard_ids(text) == ids


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", say("settings.shard_ids_empty")),
        (" , ", say("settings.shard_ids_empty")),
        ("a", say("settings.shard_ids_syntax", part="a")),
        ("1-", say("settings.shard_ids_syntax", part="1-")),
        ("-1", say("settings.shard_ids_syntax", part="-1")),
        ("0,,2", say("settings.shard_ids_syntax", part="")),
        ("3-1", say("settings.shard_ids_backwards", part="3-1")),
    ],
)
def test_bad_shard_ids_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_shard_ids(text)
    assert str(raised.value) == message


@given(st.sets(st.integers(min_value=0, max_value=200), min_size=1))
def test_the_short_form_reads_back_as_the_same_ids(ids: set[int]) -> None:
    assert parse_shard_ids(describe_ids(ids)) == sorted(ids)


def test_the_short_form_joins_runs() -> None:
    assert describe_ids([5, 0, 1, 2, 7, 8]) == "0-2,5,7-8"


@pytest.mark.parametrize("count", [1, 2, 3, 16])
def test_a_guild_belongs_to_the_shard_discord_sends_it_to(count: int) -> None:
    # The fake Discord builds guild ids for a chosen shard from the same documented rule.
    for shard in range(count):
        assert shard_of(guild_snowflake(shard, count), count) == shard
    assert shard_of(175928847299117063, 4) == (175928847299117063 >> 22) % 4


def test_a_slice_owns_its_guilds_and_only_shard_0_handles_dms() -> None:
    on_0, on_1, on_3 = guild_snowflake(0, 4), guild_snowflake(1, 4), guild_snowflake(3, 4)
    first = ShardPlan(4, (0, 1))
    second = ShardPlan(4, (2, 3))
    assert first.owns_guild(on_0) and first.owns_guild(on_1) and not first.owns_guild(on_3)
    assert second.owns_guild(on_3) and not second.owns_guild(on_0)
    assert first.handles_direct_messages and first.owns_guild(None)
    assert not second.handles_direct_messages and not second.owns_guild(None)
    assert first.describe() == "shards 0-1 of 4"
    assert not first.all_here


def test_without_settings_every_guild_and_dm_is_this_process() -> None:
    plan = ShardPlan()
    assert plan.owns_guild(guild_snowflake(1, 2)) and plan.owns_guild(None)
    assert plan.all_here and plan.describe() == "all shards"
    counted = plan.with_count(3)
    assert counted.shard_ids == (0, 1, 2) and counted.describe() == "shards 0-2 of 3"
    assert ShardPlan(2).owns_guild(guild_snowflake(1, 2))  # a count alone: all of them here


def test_a_plan_checks_its_ids_against_the_count() -> None:
    with pytest.raises(ValueError) as raised:
        ShardPlan(2, (1, 2, 3))
    assert str(raised.value) == say("settings.shard_out_of_range", ids="2-3", count=2, last=1)
    with pytest.raises(ValueError) as raised:
        ShardPlan(None, (0,))
    assert str(raised.value) == say("settings.shard_ids_need_count")
