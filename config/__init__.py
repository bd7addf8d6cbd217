"""Settings for Newsdesk, from the environment and `.env`."""

from config.database import PostgresURL, redact
from config.settings import ChannelMode, Settings, get_settings

__all__ = ["ChannelMode", "PostgresURL", "Settings", "get_settings", "redact"]
