"""Settings for Newsdesk, from the environment and `.env`."""

from config.settings import ChannelMode, Settings, get_settings

__all__ = ["ChannelMode", "Settings", "get_settings"]
