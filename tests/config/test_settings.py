"""The settings contract: every field documented, secrets hidden, lists parsed from CSV."""

import ipaddress
import re

from config import Settings
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
