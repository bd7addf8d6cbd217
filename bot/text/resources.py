"""The word lists and tables in `bot/text/data/`, read the one way every module reads them.

Why one door: the data files are the text layer's knowledge (abbreviations, cues, names,
boilerplate), and reading them through the installed package keeps them working from a wheel.
"""

from __future__ import annotations

from importlib import resources


def data_text(name: str) -> str:
    """The UTF-8 text of `bot/text/data/<name>`."""
    return resources.files("bot.text.data").joinpath(name).read_text(encoding="utf-8")
