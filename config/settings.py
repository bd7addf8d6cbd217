"""One settings object, read from the environment and `.env`.

Every field is documented in `.env.example`. Secrets are `SecretStr` so that printing or
logging the settings never shows them.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.messages import say
from bot.shards import ShardPlan, parse_shard_ids
from config.database import DatabaseTarget, database_target

ChannelMode = Literal["auto", "react", "off"]
MessageContent = Literal["auto", "on", "off"]
LogFormat = Literal["text", "json"]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # Discord
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_api_base: str = "https://discord.com/api/v10"
    discord_gateway: str = "wss://gateway.discord.gg/"
    dev_guild_id: int | None = None
    default_mode: ChannelMode = "auto"
    max_links_per_message: int = Field(default=3, ge=1, le=10)
    discord_retry_deadline: float = Field(default=30.0, gt=0, le=600)
    # Sharding: unset = every shard Discord asks for, in this one process.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode] = None
    # The privileged Message Content intent: auto = use it when Discord says the app has it.
    message_content: MessageContent = "auto"

    # Storage
    # A SQLite file path, or postgresql://user:pass@host/db (its password never shows).
    database: Annotated[DatabaseTarget, BeforeValidator(database_target)] = Path(
        "data/newsdesk.sqlite3"
    )
    database_pool_size: int = Field(default=10, ge=2, le=200)
    cache_ttl_hours: float = Field(default=24.0, ge=0)
    failure_cache_minutes: float = Field(default=10.0, ge=0)
    storage_sweep_minutes: float = Field(default=60.0, gt=0)
    stored_text_chars: int = Field(default=60_000, ge=1_000)
    stored_quote_chars: int = Field(default=1_500, ge=100)

    # Fetching
    allowed_networks: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = []
    allowed_ports: Annotated[list[int], NoDecode] = [80, 443]
    fetch_deadline: float = Field(default=15.0, gt=0)
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=10.0, gt=0)
    max_body_bytes: int = Field(default=5_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    max_header_bytes: int = Field(default=65_536, gt=0)
    user_agent: str = "Mozilla/5.0 (compatible; Newsdesk/0.1; +https://github.com/newsdesk)"

    # Work
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    extract_timeout: float = Field(default=10.0, gt=0)
    worker_memory_mb: int | None = Field(default=1024, ge=64)
    briefing_max_chars: int = Field(default=600, ge=100)
    max_pdf_bytes: int = Field(default=20_000_000, gt=0)
    max_pdf_pages: int = Field(default=50, ge=1)
    user_links_per_minute: int = Field(default=10, ge=1)
    channel_links_per_minute: int = Field(default=30, ge=1)
    max_in_flight: int = Field(default=8, ge=1)
    queue_limit: int = Field(default=50, ge=1)

    # Optional LLM briefings (OpenAI-compatible chat completions)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=20.0, gt=0)
    llm_max_tokens: int = Field(default=400, ge=50)
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    llm_daily_budget: int = Field(default=200, ge=0)

    # Operations
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    metrics_addr: str | None = None

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _parse_networks(cls, value: object) -> object:
        parts = _split_csv(value)
        if isinstance(parts, list):
            return [
                ipaddress.ip_network(p, strict=False) if isinstance(p, str) else p for p in parts
            ]
        return parts

    @field_validator("allowed_ports", mode="before")
    @classmethod
    def _parse_ports(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if isinstance(value, int):
            return [value]
        if isinstance(value, str):
            return parse_shard_ids(value)
        return value

    @field_validator("metrics_addr")
    @classmethod
    def _check_metrics_addr(cls, value: str | None) -> str | None:
        if value is not None:
            host_and_port(value)  # raises ValueError in plain words
        return value

    @model_validator(mode="after")
    def _check_shards(self) -> Settings:
        self.shard_plan  # noqa: B018 -- builds the plan, which checks ids against the count
        return self

    @field_validator(
        "discord_token",
        "llm_api_key",
        "llm_base_url",
        "llm_model",
        "dev_guild_id",
        "worker_memory_mb",
        "shard_count",
        "metrics_addr",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def shard_plan(self) -> ShardPlan:
        """The shards this process runs (`bot.shards`); raises ValueError for a bad slice."""
        ids = tuple(self.shard_ids) if self.shard_ids is not None else None
        return ShardPlan(self.shard_count, ids)

    @property
    def metrics_endpoint(self) -> tuple[str, int] | None:
        """Where `/metrics` and `/healthz` listen, or None (off)."""
        return host_and_port(self.metrics_addr) if self.metrics_addr else None


def host_and_port(text: str) -> tuple[str, int]:
    """`"127.0.0.1:9108"`, `"[::1]:9108"`, `"0.0.0.0:9108"` → (host, port); port 0 = any free."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(say("settings.bad_address", text=text))
    return host, int(port)


def env_name(field: str) -> str:
    """The environment variable an operator sets for a settings field."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    return str(alias) if isinstance(alias, str) else f"NEWSDESK_{field.upper()}"


def describe_errors(error: ValidationError) -> list[str]:
    """One line per bad setting, named as the operator wrote it; never the value itself
    (it could be a secret), only what is wrong with it."""
    lines: list[str] = []
    for problem in error.errors(include_url=False, include_input=False):
        field = next((str(part) for part in problem["loc"] if isinstance(part, str)), "")
        message = problem["msg"].removeprefix("Value error, ")
        if field:
            lines.append(say("settings.invalid", name=env_name(field), problem=message))
        else:  # a rule between settings: its message names them
            lines.append(say("settings.invalid_together", problem=message))
    return lines


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings(...)` instead."""
    return Settings()
