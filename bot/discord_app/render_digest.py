"""Digests and search results as Discord embeds: pure functions, no network.

Why a module of its own: `bot.digest` chooses *what* a digest says (stories, summary, quote,
links) and stays Discord-free; this layer only decides how it looks and makes sure every
Discord limit holds (title 256, description 4096, field 1024, 10 embeds and 6000 characters a
message), so a digest of long headlines is shortened, never rejected. Article text is escaped
with `bot.render.escape` like every briefing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

import discord

from bot.discord_app.render import (
    AUTHOR_LIMIT,
    COLOUR,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_VALUE_LIMIT,
    MESSAGE_EMBED_CHARS,
    TITLE_LIMIT,
    _is_web_url,
    escape,
    trim,
)
from bot.messages import say
from bot.newsroom.digest import Digest, DigestEntry, DigestLink
from bot.storage.archive import SearchHit

SEARCH_RESULTS_LIMIT: Final = 10
SNIPPET_CHARS: Final = 200
SITE_CHARS: Final = 100


def empty_digest_text(channel_id: int | None, hours: float) -> str:
    """What `/digest` says when nothing was shared: plain words, no embed."""
    where = f"<#{channel_id}>" if channel_id is not None else say("digest.this_channel")
    return say("digest.empty", where=where, window=_hours_label(hours))


def digest_header(digest: Digest, hours: float) -> str:
    """The message line above the embeds: where, which window, how much."""
    where = (
        f"<#{digest.channel_id}>" if digest.channel_id is not None else say("digest.this_channel")
    )
    stories = len(digest.entries) + digest.omitted
    text = say(
        "digest.header",
        where=where,
        window=_hours_label(hours),
        articles=_articles(digest.article_count),
        times=_times(digest.share_count),
        stories=_stories(stories),
    )
    if digest.omitted:
        text += say("digest.showing_top", count=len(digest.entries))
    return trim(text, CONTENT_LIMIT)


def is_digest_header(content: str, channel_id: int, hours: float) -> bool:
    """Whether `content` is the header of a digest of `channel_id` over that window.

    Only the part before the counts is compared: how a past digest counted its shares (a
    share forgotten since changes them) does not matter for recognising it after a crash.
    """
    marker = "\x00"
    template = say(
        "digest.header",
        where=f"<#{channel_id}>",
        window=_hours_label(hours),
        articles=marker,
        times=marker,
        stories=marker,
    )
    return content.startswith(template.split(marker, 1)[0])


def digest_pages(digest: Digest) -> list[list[discord.Embed]]:
    """One embed per story, packed into messages of at most 10 embeds and 6000 characters.

    Each story gets an even share of a message's character budget, so ten long stories still
    fit in one message and none is dropped.
    """
    if digest.empty:
        return []
    per_page = min(EMBEDS_PER_MESSAGE, len(digest.entries))
    budget = MESSAGE_EMBED_CHARS // per_page
    pages: list[list[discord.Embed]] = []
    for start in range(0, len(digest.entries), EMBEDS_PER_MESSAGE):
        chunk = digest.entries[start : start + EMBEDS_PER_MESSAGE]
        pages.append([story_embed(entry, budget=budget) for entry in chunk])
    return pages


def story_embed(entry: DigestEntry, *, budget: int = MESSAGE_EMBED_CHARS) -> discord.Embed:
    """A story: best headline (linked), its outlets, a short summary, the strongest quote, and
    a jump link to every post of it; at most `budget` characters in all."""
    title = trim(escape(entry.headline), min(TITLE_LIMIT, max(1, budget // 4)))
    author = trim(entry.outlets_label, min(AUTHOR_LIMIT, max(0, budget // 4)))
    posts_title = say("digest.posts")
    room = max(0, budget - len(title) - len(author) - len(posts_title))
    posts = _post_links(entry.links, min(FIELD_VALUE_LIMIT, room // 2))
    description = trim(_story_text(entry), min(DESCRIPTION_LIMIT, room - len(posts)))

    url = entry.url if _is_web_url(entry.url) else None
    embed = discord.Embed(title=title, url=url, description=description or None, colour=COLOUR)
    if author:
        embed.set_author(name=author)
    if posts:
        embed.add_field(name=posts_title, value=posts, inline=False)
    return embed


def _story_text(entry: DigestEntry) -> str:
    parts = []
    if entry.summary:
        parts.append(escape(entry.summary))
    if entry.quote is not None:
        line = f"> “{escape(entry.quote.text)}”"
        if entry.quote.speaker:
            line += f" — {escape(entry.quote.speaker)}"
        parts.append(line)
    return "\n\n".join(parts)


def _post_links(links: Sequence[DigestLink], limit: int) -> str:
    """`[Outlet](jump) <t:…:R>` per post, as many whole lines as fit, then "+N more"."""
    lines: list[str] = []
    used = 0
    for index, link in enumerate(links):
        if not _is_web_url(link.jump_url):
            continue
        line = f"[{escape(link.outlet)}]({link.jump_url}) {_timestamp(link.shared_at)}"
        more = say("digest.more", count=len(links) - index)
        extra = len(line) + (1 if lines else 0)
        if used + extra > limit or (
            index < len(links) - 1 and used + extra + 1 + len(more) > limit
        ):
            if lines and used + 1 + len(more) <= limit:
                lines.append(more)
            break
        lines.append(line)
        used += extra
    return "\n".join(lines)


def search_embed(query: str, hits: Sequence[SearchHit]) -> discord.Embed:
    """Search results, best first: linked headline, outlet, date, a snippet and a jump link."""
    blocks: list[str] = []
    used = 0
    shown = list(hits)[:SEARCH_RESULTS_LIMIT]
    for number, hit in enumerate(shown, start=1):
        block = _hit_block(number, hit)
        if used + len(block) + 2 > DESCRIPTION_LIMIT:
            break
        blocks.append(block)
        used += len(block) + 2
    title = trim(say("search.title", query=escape(query)), TITLE_LIMIT)
    embed = discord.Embed(title=title, description="\n\n".join(blocks), colour=COLOUR)
    if len(blocks) < len(hits):
        embed.set_footer(text=say("search.showing", shown=len(blocks), total=len(hits)))
    return embed


def _hit_block(number: int, hit: SearchHit) -> str:
    headline = trim(escape(hit.headline or hit.site or hit.url), 200)
    head = f"**{number}. {headline}**"
    meta = [trim(escape(hit.site or _host(hit.url)), SITE_CHARS)]  # page metadata: any length
    meta.append(say("search.published", date=hit.published[:10]) if hit.published else "")
    meta.append(say("search.shared", when=_timestamp(hit.shared_at, "d"), channel=hit.channel_id))
    line = " · ".join(m for m in meta if m)
    if _is_web_url(hit.jump_url):
        line += f" · [{say('search.jump')}]({hit.jump_url})"
    snippet = _snippet(hit.snippet)
    return "\n".join(p for p in (head, line, snippet) if p)


def _snippet(text: str) -> str:
    """The FTS snippet with its `**` match markers kept and everything else escaped."""
    parts = text.replace("\n", " ").split("**")
    if len(parts) % 2 == 0:  # an unbalanced marker: show it all as plain text
        return trim(escape(text.replace("\n", " ")), SNIPPET_CHARS)
    shown = "".join(escape(p) if i % 2 == 0 else f"**{escape(p)}**" for i, p in enumerate(parts))
    if len(shown) > SNIPPET_CHARS:  # never cut inside a bold run: drop the markers instead
        return trim(escape(text.replace("**", "").replace("\n", " ")), SNIPPET_CHARS)
    return shown


def _host(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def _timestamp(moment: datetime, style: str = "R") -> str:
    """A Discord timestamp: each reader sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def _hours_label(hours: float) -> str:
    if hours % 24 == 0 and hours >= 48:
        return say("count.days", count=int(hours // 24))
    if hours == int(hours):
        count = int(hours)
        return (
            say("count.hour_one", count=count)
            if count == 1
            else say("count.hour_many", count=count)
        )
    return say("count.hours_fraction", hours=hours)


def _articles(count: int) -> str:
    return (
        say("count.article_one", count=count)
        if count == 1
        else say("count.article_many", count=count)
    )


def _times(count: int) -> str:
    return say("count.time_one", count=count) if count == 1 else say("count.time_many", count=count)


def _stories(count: int) -> str:
    return (
        say("count.story_one", count=count) if count == 1 else say("count.story_many", count=count)
    )


__all__ = [
    "digest_header",
    "digest_pages",
    "empty_digest_text",
    "search_embed",
    "story_embed",
]
