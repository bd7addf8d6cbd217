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

from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.database import DatabaseTarget, database_target

ChannelMode = Literal["auto", "react", "off"]


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

    log_level: str = "INFO"

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

    @field_validator(
        "discord_token",
        "llm_api_key",
        "llm_base_url",
        "llm_model",
        "dev_guild_id",
        "worker_memory_mb",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings(...)` instead."""
    return Settings()
