"""Newsdesk: article briefings for newsroom Discord servers."""

__version__ = "0.1.0"
