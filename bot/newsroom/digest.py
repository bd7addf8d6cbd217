"""What a channel shared over a window, as render-ready stories (`/digest`, scheduled digests).

Why: editors want "what did we cover today" at a glance: one entry per story, not per link,
with the outlets that covered it, a short summary, the strongest quote and a jump link to each
post. This module is pure (data in, dataclasses out) so the Discord embed rendering stays a thin
layer in the cog and everything here is testable without Discord.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.messages import say
from bot.models import Quote
from bot.newsroom.stories import DEFAULT_THRESHOLD, Story, group_stories, outlet_name
from bot.storage.archive import Archive, SharedArticle

SUMMARY_CHARS = 300
MAX_STORIES = 10
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘'(\[]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class DigestQuote:
    text: str  # verbatim, as extracted
    speaker: str | None


@dataclass(frozen=True, slots=True)
class DigestLink:
    """One post of one article in the story (a jump link for the embed)."""

    outlet: str
    headline: str | None
    url: str
    jump_url: str
    poster_id: int
    shared_at: datetime


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One story: everything an embed field needs, already chosen and ordered."""

    headline: str
    url: str  # the lead article
    outlets: tuple[str, ...]  # lead's outlet first
    summary: str  # 1-2 sentences from the lead's briefing (or lede)
    quote: DigestQuote | None
    share_count: int  # posts of any of the story's articles in the window
    links: tuple[DigestLink, ...]  # every post, oldest first
    first_shared: datetime
    last_shared: datetime

    @property
    def jump_urls(self) -> list[str]:
        return [link.jump_url for link in self.links]

    @property
    def outlets_label(self) -> str:
        """ "3 outlets: A, B, C" for a merged story, just "A" for one outlet."""
        if len(self.outlets) == 1:
            return self.outlets[0]
        return say("digest.outlets", count=len(self.outlets), names=", ".join(self.outlets))


@dataclass(frozen=True, slots=True)
class Digest:
    guild_id: int | None
    channel_id: int | None
    since: datetime
    until: datetime
    entries: tuple[DigestEntry, ...]  # most shared first, then most recently shared
    article_count: int
    share_count: int
    omitted: int  # stories beyond `max_stories`

    @property
    def empty(self) -> bool:
        return not self.entries


def build_digest(
    items: list[SharedArticle],
    *,
    since: datetime,
    until: datetime,
    guild_id: int | None = None,
    channel_id: int | None = None,
    max_stories: int = MAX_STORIES,
    threshold: float = DEFAULT_THRESHOLD,
    summary_chars: int = SUMMARY_CHARS,
) -> Digest:
    """Group `items` into stories and keep the top `max_stories` as digest entries."""
    stories = group_stories(items, threshold=threshold)
    entries = tuple(_entry(story, summary_chars) for story in stories[:max_stories])
    return Digest(
        guild_id=guild_id,
        channel_id=channel_id,
        since=since,
        until=until,
        entries=entries,
        article_count=len(items),
        share_count=sum(item.share_count for item in items),
        omitted=max(0, len(stories) - max_stories),
    )


async def channel_digest(
    archive: Archive,
    guild_id: int,
    channel_id: int,
    *,
    since: datetime,
    until: datetime,
    max_stories: int = MAX_STORIES,
) -> Digest:
    """Read a channel's shares in [since, until) from the archive and build its digest."""
    items = await archive.shares_in_channel(guild_id, channel_id, since, until)
    return build_digest(
        items,
        since=since,
        until=until,
        guild_id=guild_id,
        channel_id=channel_id,
        max_stories=max_stories,
    )


def _entry(story: Story, summary_chars: int) -> DigestEntry:
    lead = story.lead
    links = sorted(
        (
            DigestLink(
                outlet=outlet_name(article),
                headline=article.headline,
                url=article.url,
                jump_url=share.jump_url,
                poster_id=share.poster_id,
                shared_at=share.shared_at,
            )
            for article in story.articles
            for share in article.shares
        ),
        key=lambda link: (link.shared_at, link.jump_url),
    )
    quote = strongest_quote(story.articles)
    return DigestEntry(
        headline=lead.headline or outlet_name(lead),
        url=lead.url,
        outlets=tuple(story.outlets),
        summary=summary(lead, summary_chars),
        quote=DigestQuote(quote.text, quote.speaker) if quote else None,
        share_count=story.share_count,
        links=tuple(links),
        first_shared=story.first_shared,
        last_shared=story.last_shared,
    )


def strongest_quote(articles: list[SharedArticle]) -> Quote | None:
    """The highest-scored quote with a named speaker (an unattributed one only if none has)."""
    best: tuple[bool, float, int, int] | None = None
    chosen: Quote | None = None
    for a_index, article in enumerate(articles):
        for q_index, quote in enumerate(article.quotes):
            key = (quote.speaker is not None, quote.score, -a_index, -q_index)
            if best is None or key > best:
                best, chosen = key, quote
    return chosen


def summary(article: SharedArticle, max_chars: int = SUMMARY_CHARS) -> str:
    """One or two sentences: the briefing's first bullets, or the lede's first sentences.

    Only whole sentences are added after the first; a first sentence longer than `max_chars`
    is cut at a word boundary with an ellipsis.
    """
    sentences = [s.strip() for s in article.briefing if s.strip()]
    if not sentences:
        sentences = [s.strip() for s in _SENTENCE_END.split(article.lede) if s.strip()]
    if not sentences:
        return ""
    text = sentences[0]
    if len(text) > max_chars:
        return text[:max_chars].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    if len(sentences) > 1 and len(text) + 1 + len(sentences[1]) <= max_chars:
        text = f"{text} {sentences[1]}"
    return text


__all__ = [
    "Digest",
    "DigestEntry",
    "DigestLink",
    "DigestQuote",
    "build_digest",
    "channel_digest",
    "strongest_quote",
    "summary",
]
