"""Every sentence a user reads, in one catalogue, keyed by what it is for.

Why one place: an editor who wants a message worded differently changes it here and nowhere
else, the same sentence is never written twice in two wordings, and the bot's own words can be
translated later by swapping this table. Keys are dotted (`area.what`); `{fields}` are filled
by `say`. A test checks that every key the code asks for exists and every entry is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

CATALOGUE: Final[Mapping[str, str]] = MappingProxyType(
    {
        # The pipeline, when something other than the page itself went wrong.
        "pipeline.unexpected": "Something went wrong while reading this page.",
        "pipeline.shutting_down": "Newsdesk is restarting. Please try again in a moment.",
        # The command line.
        "cli.not_regular_file": "not a regular file",
    }
)


def say(key: str, /, **fields: object) -> str:
    """The sentence stored under `key`, with its `{placeholders}` filled from `fields`."""
    return CATALOGUE[key].format(**fields) if fields else CATALOGUE[key]
