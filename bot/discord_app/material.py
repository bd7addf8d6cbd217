"""What a message offers to brief: its links, its attached pages, texts and PDFs, the article a
reporter pasted into it — and, when a page cannot be read, the preview Discord shows under it.

Reporters who hit a wall open the article in their browser and paste it, or save the page or
the PDF and attach it; the same pipeline briefs those, within the same limits. A pasted text is
one only when it reads like an article (several paragraphs), so chat is never briefed by
accident; someone who asks with "Brief this message" needs less.

Attachments are read through discord.py from the address Discord gave (its CDN), after their
declared size is checked and within the fetch deadline; parsing then runs in the worker pool like
every page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import discord

from bot.errors import Dropped
from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure
from bot.network.links import canonicalize, find_links
from bot.runtime.files import FileKind, declared_kind, size_words
from bot.runtime.service import Batch
from bot.wordcount import word_count

if TYPE_CHECKING:
    from bot.discord_app.client import NewsdeskBot
    from config import Settings

log = logging.getLogger(__name__)

# A message briefed on its own (auto mode, 📰) must read like an article, not like chat.
POSTED_TEXT_WORDS = 80
POSTED_TEXT_PARAGRAPHS = 3
# Someone who picked "Brief this message" asked for it: a few sentences will do.
ASKED_TEXT_WORDS = 40


@dataclass(frozen=True, slots=True)
class Wanted:
    """One thing in a message to brief: a link, an attached file, or the message's own text.

    `key` names it for the rate limits and the log (the link, the file's address, the message).
    """

    key: str
    url: str | None = None
    attachment: discord.Attachment | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    """The card Discord shows under a link: the site's own words, not a briefing."""

    url: str
    title: str | None
    description: str | None
    site: str | None


def wanted_in(message: discord.Message, settings: Settings, *, asked: bool) -> list[Wanted]:
    """Links first, then attached files of our kinds, up to the per-message limit; the text
    itself only when there is neither and it reads like an article."""
    limit = settings.max_links_per_message
    items = [Wanted(url, url=url) for url in find_links(message.content, limit, spoilers=asked)]
    for attachment in message.attachments:
        if len(items) >= limit:
            break
        if declared_kind(attachment.filename, attachment.content_type) is not None:
            items.append(Wanted(attachment.url, attachment=attachment))
    if not items and is_article_text(message.content, asked=asked):
        items.append(Wanted(message.jump_url, text=message.content))
    return items


def is_article_text(text: str, *, asked: bool) -> bool:
    """Does this message read like a pasted article (or, when asked for, like enough text)?"""
    from bot.article.plaintext import text_paragraphs  # light, but only messages with text

    words = word_count(text)  # a CJK character counts as a word
    if asked:
        return words >= ASKED_TEXT_WORDS
    return words >= POSTED_TEXT_WORDS and len(text_paragraphs(text)) >= POSTED_TEXT_PARAGRAPHS


async def brief_wanted(
    bot: NewsdeskBot,
    message: discord.Message,
    items: Sequence[Wanted],
    *,
    guild_id: int | None,
    droppable: bool = False,
) -> Batch:
    """Brief every item at once, links first as `wanted_in` lists them. Items a saturated queue
    dropped are listed by key in `Batch.dropped` (and counted by the service), so the caller can
    say so. Links go through `BriefingService.brief_many` like every link the bot briefs. Raises
    `QueueFull` for work that may not be dropped, as the service does.
    """
    links = [item.url for item in items if item.url is not None]
    others = [item for item in items if not item.url]
    link_batch, *results = await asyncio.gather(
        bot.service.brief_many(links, guild_id=guild_id, droppable=droppable),
        *(_brief_one(bot, message, item, guild_id, droppable) for item in others),
        return_exceptions=True,
    )
    if isinstance(link_batch, BaseException):
        raise link_batch
    batch = cast("Batch", link_batch)
    for item, result in zip(others, results, strict=True):
        if isinstance(result, Dropped):
            batch.dropped.append(item.key)
        elif isinstance(result, BaseException):
            raise result
        else:
            batch.briefings.append(cast("Briefing", result))
    return batch


async def _brief_one(
    bot: NewsdeskBot,
    message: discord.Message,
    item: Wanted,
    guild_id: int | None,
    droppable: bool,
) -> Briefing:
    service = bot.service
    if item.attachment is not None:
        attachment = item.attachment
        data = await read_attachment(attachment, bot.settings)
        if isinstance(data, Failure):
            return Briefing.failed(attachment.filename, data)
        return await service.brief_file(
            data,
            attachment.filename,
            url=f"{message.jump_url}?attachment={attachment.id}",
            content_type=attachment.content_type,
            guild_id=guild_id,
            droppable=droppable,
        )
    return await service.brief_text(
        item.text or "",
        say("material.pasted_text"),
        url=message.jump_url,
        guild_id=guild_id,
        droppable=droppable,
    )


async def read_attachment(attachment: discord.Attachment, settings: Settings) -> bytes | Failure:
    """The attachment's bytes, within its kind's size limit and the fetch deadline."""
    kind = declared_kind(attachment.filename, attachment.content_type)
    limit = settings.max_pdf_bytes if kind is FileKind.PDF else settings.max_body_bytes
    too_large = Failure(ErrorKind.TOO_LARGE, say("files.too_large", size=size_words(limit)))
    if attachment.size > limit:
        return too_large
    try:
        async with asyncio.timeout(settings.fetch_deadline):
            data = await attachment.read()
    except TimeoutError:
        return Failure(ErrorKind.TIMEOUT, say("files.slow", name=attachment.filename))
    except (discord.HTTPException, OSError) as error:
        log.info("could not download attachment %s: %s", attachment.id, error)
        return Failure(ErrorKind.FETCH, say("files.unreachable", name=attachment.filename))
    return too_large if len(data) > limit else data


def previews_for(message: discord.Message, failed: Sequence[Briefing]) -> list[Preview]:
    """Discord's own cards for the links that could not be briefed, in their order."""
    cards: dict[str, discord.Embed] = {}
    for embed in message.embeds:
        if embed.url and (embed.title or embed.description):
            cards.setdefault(_key(embed.url), embed)
    previews = []
    for briefing in failed:
        card = cards.get(_key(briefing.source))
        if card is None or card.url is None:
            continue
        site = card.provider.name if card.provider else None
        previews.append(Preview(card.url, card.title, card.description, site))
    return previews


def _key(url: str) -> str:
    try:
        return canonicalize(url).removesuffix("/")
    except ValueError:
        return url
