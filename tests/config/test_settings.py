"""The settings contract: every field documented, secrets hidden, lists parsed from CSV."""

import ipaddress
import re

import pytest
from pydantic import ValidationError

from bot.cli.main import main
from bot.messages import say
from config import Settings, get_settings
from config.settings import describe_errors
from tests.helpers.paths import REPO

ENV_EXAMPLE = REPO / ".env.example"


def _env_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    return str(alias) if alias else f"NEWSDESK_{field.upper()}"


def test_every_setting_is_documented_in_env_example() -> None:
    text = ENV_EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    missing = {_env_name(f) for f in Settings.model_fields} - documented
    assert not missing, f"settings missing from .env.example: {sorted(missing)}"


def test_env_example_loads_with_safe_defaults() -> None:
    settings = Settings(_env_file=ENV_EXAMPLE)
    assert settings.allowed_networks == []  # loopback is never allowed by default
    assert settings.allowed_ports == [80, 443]
    assert settings.discord_token is None
    assert not settings.llm_enabled


def test_csv_lists_and_secrets(monkeypatch) -> None:
    monkeypatch.setenv("NEWSDESK_ALLOWED_NETWORKS", "127.0.0.0/8, ::1/128")
    monkeypatch.setenv("NEWSDESK_ALLOWED_PORTS", "80,443,8080")
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token")
    settings = Settings(_env_file=None)
    assert settings.allowed_networks == [
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]
    assert settings.allowed_ports == [80, 443, 8080]
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "super-secret-token"
    assert "super-secret-token" not in repr(settings)
    assert "super-secret-token" not in str(settings.model_dump())


def test_shards_are_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("NEWSDESK_SHARD_COUNT", "4")
    monkeypatch.setenv("NEWSDESK_SHARD_IDS", "0-1")
    settings = Settings(_env_file=None)
    assert settings.shard_count == 4
    assert settings.shard_ids == [0, 1]
    assert settings.shard_plan.owns_guild(None)


def test_without_shard_settings_one_process_runs_everything() -> None:
    settings = Settings(_env_file=ENV_EXAMPLE)  # both documented, both empty
    assert settings.shard_count is None and settings.shard_ids is None
    assert settings.shard_plan.all_here
    assert settings.message_content == "auto"
    assert settings.metrics_endpoint is None  # off by default
    assert settings.log_format == "text"


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"NEWSDESK_SHARD_IDS": "0-3"},
            "settings: " + say("settings.shard_ids_need_count"),
        ),
        (
            {"NEWSDESK_SHARD_IDS": "2-3", "NEWSDESK_SHARD_COUNT": "2"},
            "settings: " + say("settings.shard_out_of_range", ids="2-3", count=2, last=1),
        ),
        (
            {"NEWSDESK_SHARD_IDS": "3-1", "NEWSDESK_SHARD_COUNT": "4"},
            "setting NEWSDESK_SHARD_IDS: " + say("settings.shard_ids_backwards", part="3-1"),
        ),
        (
            {"NEWSDESK_METRICS_ADDR": "9108"},
            "setting NEWSDESK_METRICS_ADDR: " + say("settings.bad_address", text="9108"),
        ),
    ],
)
def test_bad_scale_settings_are_one_plain_line_each(monkeypatch, env, line) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None)
    assert describe_errors(raised.value) == [line]


def test_a_bad_setting_is_named_but_its_value_never_repeated(monkeypatch) -> None:
    monkeypatch.setenv("NEWSDESK_LLM_TIMEOUT", "sk-live-looks-like-a-key")
    monkeypatch.setenv("NEWSDESK_MESSAGE_CONTENT", "maybe")
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None)
    lines = describe_errors(raised.value)
    assert [line.split(":")[0] for line in lines] == [
        "setting NEWSDESK_MESSAGE_CONTENT",
        "setting NEWSDESK_LLM_TIMEOUT",
    ]
    assert not any("sk-live" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "endpoint"),
    [
        ("127.0.0.1:9108", ("127.0.0.1", 9108)),
        ("[::1]:9108", ("::1", 9108)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        ("localhost:9200", ("localhost", 9200)),
    ],
)
def test_the_metrics_address_is_a_host_and_a_port(text: str, endpoint) -> None:
    assert Settings(_env_file=None, metrics_addr=text).metrics_endpoint == endpoint


def test_newsdesk_run_with_a_bad_setting_exits_2_with_one_line(
    monkeypatch, tmp_path, capsys
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("DISCORD_TOKEN", "a-token-that-is-never-used")
    monkeypatch.setenv("NEWSDESK_SHARD_IDS", "4,5")
    get_settings.cache_clear()
    try:
        status = main(["run"])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert status == 2
    assert err.splitlines() == ["newsdesk: settings: " + say("settings.shard_ids_need_count")]
