"""Briefings as Discord embeds and plain-words messages: pure functions, no network.

Article text is written by strangers, so everything taken from a page is escaped (markdown,
masked links, mentions) and every Discord limit is met by trimming at a word boundary — a long
headline must shorten the embed, never make Discord reject the whole reply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final
from urllib.parse import urlsplit

import discord
from discord.utils import escape_markdown

from bot.discord_app.material import Preview
from bot.messages import say, text_source_note
from bot.models import Briefing, ErrorKind, Failure, Quote

# Discord's documented limits (https://discord.com/developers/docs/resources/message#embed-object).
TITLE_LIMIT: Final = 256
DESCRIPTION_LIMIT: Final = 4096
FIELD_NAME_LIMIT: Final = 256
FIELD_VALUE_LIMIT: Final = 1024
FIELD_COUNT_LIMIT: Final = 25
FOOTER_LIMIT: Final = 2048
AUTHOR_LIMIT: Final = 256
MESSAGE_EMBED_CHARS: Final = 6000
EMBEDS_PER_MESSAGE: Final = 10
CONTENT_LIMIT: Final = 2000
URL_LIMIT: Final = 2048

WORDS_PER_MINUTE: Final = 230
TOP_QUOTES: Final = 3
ELLIPSIS: Final = "…"
COLOUR: Final = discord.Colour(0x2B6CB0)
PREVIEW_COLOUR: Final = discord.Colour(0x718096)  # grey: the site's words, not ours
BYLINE_LIMIT: Final = 200  # a runaway byline must not push the briefing label out

# A mention is only a mention when `<@`, `<@!`, `<@&`, `<#` or `</` is followed by an id; a
# zero-width space after "<" (or after "@" for everyone/here) shows the text but kills the ping.
_MENTION = re.compile(r"<(?=(?:@[!&]?|#|/[^>]*:)\d+>)")
_EVERYONE = re.compile(r"@(?=everyone|here)")
_ZWSP: Final = "\u200b"
_BIDI_CONTROLS: Final = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Where a byline stops being a name in the footer: a separator like the footer's own " · ",
# or a "label:" ("Jane Doe · briefing: gpt-4o-mini, checked" must not pose as our method).
_DANGLING = re.compile(r"[\s\W_]+$")
_BYLINE_END = re.compile(r"\s*[·•|⋅∙‧・]|[\s,;]+[^\s:]*:", re.DOTALL)


def unbidi(text: str) -> str:
    """`text` without bidirectional embedding, override and isolate controls (U+202A–E,
    U+2066–9): from a page they can make a headline or a speaker read backwards or mimic other
    text (an RLO reverses everything after it). Left-to-right/right-to-left marks stay."""
    return text.translate(_BIDI_CONTROLS)


def escape(text: str) -> str:
    """Article text as Discord shows it literally: no markdown, masked links, mentions or
    direction overrides."""
    text = escape_markdown(unbidi(text))
    text = _EVERYONE.sub("@" + _ZWSP, text)
    return _MENTION.sub("<" + _ZWSP, text)


def trim(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary, ending in "…" if cut."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit] if limit > 0 else ""
    cut = text[: limit - len(ELLIPSIS)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= len(cut) // 2:  # a boundary that keeps most of the text; else cut mid-word
        cut = cut[:space]
    # Never leave a dangling escape backslash or a half-escaped mention behind.
    cut = cut.rstrip().rstrip("\\").rstrip(" <" + _ZWSP)
    return cut + ELLIPSIS


def _is_web_url(url: str | None) -> bool:
    """Discord rejects the whole message for one bad embed URL, so only clean http(s) pass."""
    if not url or len(url) > URL_LIMIT or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def reading_time(word_count: int) -> str:
    minutes = max(1, round(word_count / WORDS_PER_MINUTE))
    return say("briefing.reading_time", minutes=minutes)


def format_quote(quote: Quote) -> str:
    """One quote as a line: `“…” — Speaker` (no dash when nobody is credited)."""
    line = f"“{escape(quote.display_text)}”"
    if quote.speaker:
        line += f" — {escape(quote.speaker)}"
    return line


def _bullets(sentences: Iterable[str], limit: int) -> str:
    lines: list[str] = []
    used = 0
    for sentence in sentences:
        line = f"• {escape(sentence)}"
        room = limit - used - (1 if lines else 0)
        if room <= len("• ") + len(ELLIPSIS):
            break
        if len(line) > room:
            lines.append(trim(line, room))
            break
        lines.append(line)
        used += len(line) + (1 if len(lines) > 1 else 0)
    return "\n".join(lines)


def _quote_lines(quotes: Sequence[Quote], limit: int) -> str:
    """Top quotes, one a line; each gets a fair share of the room so none is dropped whole."""
    if not quotes or limit <= 0:
        return ""
    share = (limit - (len(quotes) - 1)) // len(quotes)
    return trim("\n".join(trim(format_quote(q), share) for q in quotes), limit)


def footer_text(briefing: Briefing) -> str:
    """Byline · date · reading time · where the text was found, when not on the page as shown
    ("text from the page's AMP version") · which briefing it is (extractive or "<model>, checked").

    Footers render no markdown and ping nobody: kept as is. The method comes last so a reader
    always knows whether the bullets are the article's sentences or a checked LLM summary.
    """
    time = reading_time(briefing.word_count) if briefing.paragraphs else None
    method = say("briefing.method", method=briefing.briefing_method or "extractive")
    byline = trim(footer_byline(briefing.byline), BYLINE_LIMIT) if briefing.byline else None
    found = text_source_note(briefing.text_source)  # "text from the page's AMP version"
    return " · ".join(p for p in (byline, briefing.published, time, found, method) if p)


def footer_byline(byline: str) -> str:
    """The byline as the footer may show it: the name(s) up to the first separator or label,
    and nothing that says "briefing", so a page cannot write a method of its own before ours."""
    whole = unicodedata.normalize("NFKC", unbidi(byline)).strip()
    text = _BYLINE_END.split(whole, maxsplit=1)[0]
    at = text.casefold().find("briefing")
    if at >= 0:
        text = text[:at]
    if text == whole:
        return whole
    return _DANGLING.sub("", text)  # what led into the cut: " ⸱", ","


def briefing_embed(briefing: Briefing, *, budget: int = MESSAGE_EMBED_CHARS) -> discord.Embed:
    """One article as an embed whose text totals at most `budget` characters."""
    headline = briefing.headline or briefing.site or briefing.url or say("briefing.untitled")
    title = trim(escape(headline), TITLE_LIMIT)
    author = trim(unbidi(briefing.site), AUTHOR_LIMIT) if briefing.site else ""
    footer = trim(footer_text(briefing), FOOTER_LIMIT)
    quotes = briefing.quotes[:TOP_QUOTES]
    quotes_title = say("briefing.key_quotes")

    # Fixed parts first; description and quotes share what is left of the budget.
    if len(title) + len(author) + len(footer) > budget:
        footer = trim(footer, max(0, budget // 4))
        author = trim(author, max(0, budget // 4))
        title = trim(title, max(1, budget - len(footer) - len(author)))
    room = max(0, budget - len(title) - len(author) - len(footer))
    quotes_room = 0
    if quotes and room > len(quotes_title) + 40:
        quotes_room = min(FIELD_VALUE_LIMIT, (room - len(quotes_title)) // 2)
    description = _bullets(briefing.briefing, min(DESCRIPTION_LIMIT, room - quotes_room))
    if quotes_room:  # give the quotes whatever the bullets did not use
        spare = room - len(description) - len(quotes_title)
        quotes_room = min(FIELD_VALUE_LIMIT, spare)

    url = briefing.url if _is_web_url(briefing.url) else None
    embed = discord.Embed(title=title, url=url, description=description or None, colour=COLOUR)
    if author:
        embed.set_author(name=author)
    if quotes_room > 0:
        value = _quote_lines(quotes, quotes_room)
        if value:
            embed.add_field(name=quotes_title, value=value, inline=False)
    if footer:
        embed.set_footer(text=footer)
    if _is_web_url(briefing.image):
        embed.set_thumbnail(url=briefing.image)
    return embed


def briefing_embeds(
    briefings: Sequence[Briefing], previews: Sequence[Preview] = ()
) -> list[discord.Embed]:
    """Embeds for one message: the briefings, then the site's own previews of links that could
    not be briefed; at most 10, together at most 6000 characters."""
    shown = [b for b in briefings if b.ok][:EMBEDS_PER_MESSAGE]
    cards = list(previews)[: EMBEDS_PER_MESSAGE - len(shown)]
    if not shown and not cards:
        return []
    budget = MESSAGE_EMBED_CHARS // (len(shown) + len(cards))
    embeds = [briefing_embed(b, budget=budget) for b in shown]
    return embeds + [preview_embed(card, budget=budget) for card in cards]


def preview_embed(preview: Preview, *, budget: int = MESSAGE_EMBED_CHARS) -> discord.Embed:
    """The card Discord showed under a link, marked as the site's own words, not a briefing.

    Grey, not the briefing blue, and the footer says what it is: a reader must never take a
    publisher's teaser line for Newsdesk's verbatim briefing.
    """
    label = trim(say("preview.label"), FOOTER_LIMIT)
    site = trim(preview.site, AUTHOR_LIMIT) if preview.site else ""
    room = max(1, budget - len(label) - len(site))
    title = trim(escape(preview.title or preview.url), min(TITLE_LIMIT, room))
    room = max(0, room - len(title))
    description = trim(escape(preview.description or ""), min(DESCRIPTION_LIMIT, room))
    url = preview.url if _is_web_url(preview.url) else None
    embed = discord.Embed(
        title=title, url=url, description=description or None, colour=PREVIEW_COLOUR
    )
    if site:
        embed.set_author(name=site)
    embed.set_footer(text=label)
    return embed


def failure_text(failure: Failure | None) -> str:
    """The failure in plain words (the pipeline's message, or a fallback for its kind)."""
    if failure is None:
        return say("pipeline.unexpected")
    return failure.message.strip() or plain_failure(failure.kind)


def plain_failure(kind: ErrorKind) -> str:
    """What a failure of `kind` means, for a failure that came without its own words."""
    match kind:
        case ErrorKind.FETCH:
            return say("failure.fetch")
        case ErrorKind.HTTP_STATUS:
            return say("failure.http_status")
        case ErrorKind.NOT_HTML:
            return say("failure.not_html")
        case ErrorKind.TOO_LARGE:
            return say("failure.too_large")
        case ErrorKind.TIMEOUT:
            return say("failure.timeout")
        case ErrorKind.BLOCKED:
            return say("failure.blocked")
        case ErrorKind.NOT_ARTICLE:
            return say("failure.not_article")
        case ErrorKind.EXTRACTION:
            return say("failure.extraction")


def failure_message(briefing: Briefing) -> str:
    """A failed briefing as one message: which link, and what went wrong, in plain words."""
    link = briefing.url or briefing.source
    reason = failure_text(briefing.error)
    if _is_web_url(link):
        return trim(say("failure.of_link", link=link, reason=reason), CONTENT_LIMIT)
    if link.strip():  # an attached file or the pasted text, by its name
        name = trim(escape(link.strip()), 200)
        return trim(say("failure.of_file", name=name, reason=reason), CONTENT_LIMIT)
    return trim(say("failure.of_source", reason=reason), CONTENT_LIMIT)


def failures_message(briefings: Iterable[Briefing]) -> str:
    """Every failed briefing of a batch as lines of one message (empty when none failed)."""
    lines = [failure_message(b) for b in briefings if not b.ok]
    return trim("\n".join(lines), CONTENT_LIMIT)


MAX_QUOTE_PAGES = 5  # messages one /quotes answer may take
# Two embeds of this size (plus titles) fill one message's 6000 characters: fewer messages.
QUOTES_PER_EMBED = 2700


def quote_pages(
    briefing: Briefing, *, per_embed: int = QUOTES_PER_EMBED
) -> list[list[discord.Embed]]:
    """Every quote with its speaker, as messages (pages) of embeds within all limits.

    Each quote is one numbered line; lines fill an embed's description up to `per_embed`
    characters, and embeds fill a message up to 10 embeds and 6000 characters.
    """
    headline = trim(
        escape(briefing.headline or briefing.url or say("briefing.untitled")), TITLE_LIMIT - 20
    )
    per_embed = min(per_embed, DESCRIPTION_LIMIT)
    descriptions: list[str] = []
    current: list[str] = []
    used = 0
    for number, quote in enumerate(briefing.quotes, start=1):
        speaker = escape(quote.speaker) if quote.speaker else f"*{say('briefing.unattributed')}*"
        line = trim(f"**{number}.** “{escape(quote.text)}” — {speaker}", min(1500, per_embed))
        if current and used + 1 + len(line) > per_embed:
            descriptions.append("\n".join(current))
            current, used = [], 0
        used += len(line) + (1 if current else 0)
        current.append(line)
    if current:
        descriptions.append("\n".join(current))

    pages: list[list[discord.Embed]] = []
    page: list[discord.Embed] = []
    page_chars = 0
    total = len(descriptions)
    for index, description in enumerate(descriptions, start=1):
        suffix = f" ({index}/{total})" if total > 1 else ""
        embed = discord.Embed(
            title=say("quotes.title", headline=headline) + suffix,
            url=briefing.url if _is_web_url(briefing.url) else None,
            description=description,
            colour=COLOUR,
        )
        size = len(embed)
        if page and (len(page) >= EMBEDS_PER_MESSAGE or page_chars + size > MESSAGE_EMBED_CHARS):
            pages.append(page)
            page, page_chars = [], 0
        page.append(embed)
        page_chars += size
    if page:
        pages.append(page)
    if len(pages) > MAX_QUOTE_PAGES:  # a transcript-length page must not flood the channel
        pages = pages[:MAX_QUOTE_PAGES]
        _note_quotes_shown(pages, len(briefing.quotes))
    return pages


def _note_quotes_shown(pages: list[list[discord.Embed]], total: int) -> None:
    """Footer "N of M quotes shown" on the last embed; a page packed to the 6000-character
    limit gives up its last embed to make room, so the footer never gets the message refused."""
    last = pages[-1]
    while True:
        shown = sum(e.description.count("\n") + 1 for p in pages for e in p if e.description)
        footer = say("quotes.shown", shown=shown, total=total)
        if len(last) == 1 or sum(len(e) for e in last) + len(footer) <= MESSAGE_EMBED_CHARS:
            break
        last.pop()
    last[-1].set_footer(text=footer)
