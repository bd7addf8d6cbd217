"""The article from the page's AMP version, when the page itself is a teaser or a script shell.

Many publishers still serve an AMP copy (`<link rel="amphtml">`) with the whole text in plain
HTML, while the page a link opens shows a stub that scripts fill in, or nothing at all without
JavaScript. One more fetch through the same fetcher (every address and redirect checked, the same
size and time limits), and the AMP answer is used only when it is the better article: a real
article where the page had none, or clearly more of the same story than the stub.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from bot.errors import PipelineError
from bot.models import Briefing, FetchedPage, TextSource

log = logging.getLogger(__name__)

MORE = 1.5  # the AMP text must be this much longer than a stub it replaces
SAME_HEADLINE = 0.5  # share of the stub's headline words the AMP headline must have

_WORD = re.compile(r"[^\W\d_]{3,}")

Fetch = Callable[[str], Awaitable[FetchedPage]]
Analyse = Callable[[FetchedPage], Awaitable[Briefing]]


async def via_amp(shown: Briefing, amp_url: str, fetch: Fetch, analyse: Analyse) -> Briefing:
    """The AMP version's briefing if it is the better one, else `shown` unchanged."""
    try:
        page = await fetch(amp_url)
    except PipelineError as error:
        log.info("AMP version %s of %s not read: %s", amp_url, shown.source, error.kind)
        return shown
    amp = await analyse(page)
    if not better(shown, amp):
        return shown
    amp.source = shown.source
    amp.url = amp.url or shown.url
    amp.text_source = TextSource.AMP
    return amp


def better(shown: Briefing, amp: Briefing) -> bool:
    """Is the AMP briefing the article the page stood for, and more of it?"""
    if not amp.ok:
        return False
    if not shown.ok:
        return True  # the page said its article is there; the page itself had none
    if amp.word_count < shown.word_count * MORE:
        return False
    return _same_headline(shown.headline, amp.headline)


def _same_headline(first: str | None, second: str | None) -> bool:
    words = {w.casefold() for w in _WORD.findall(first or "")}
    if not words or not second:
        return True  # nothing to compare: the page's own link is the evidence
    other = {w.casefold() for w in _WORD.findall(second)}
    return len(words & other) / len(words) >= SAME_HEADLINE
