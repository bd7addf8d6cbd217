"""How much of a briefing the stores keep, so one huge page cannot grow the database without bound.

Why (issue 15, finding 6): the cache kept every briefing's full text, and five links to one
3.9 MB page grew the file by 110 MB. What a reader sees never needs that much: the embed shows
the briefing and a few quotes (each line cut at 1,500 characters), the LLM reads at most the
first 12,000 characters of the text, and the longest article in our evaluation corpora has
53,372 (its most quoted one 30 quotes, the longest quote 1,019 characters). So the stored text
keeps its first `text_chars` characters, the first `STORED_QUOTES` quotes (most important
first) and each quote its first `quote_chars`; an ordinary article is stored whole and reads
back exactly as it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from bot.models import Briefing, Quote

DEFAULT_TEXT_CHARS: Final = 60_000
DEFAULT_QUOTE_CHARS: Final = 1_500
STORED_QUOTES: Final = 40  # the quote finder keeps up to 100 (ranked); stories quote ≤ 30
FIELD_CHARS: Final = 2_000  # headline, byline, site, image: far above any real one
ELLIPSIS: Final = "…"


@dataclass(frozen=True, slots=True)
class StorageLimits:
    text_chars: int = DEFAULT_TEXT_CHARS  # the article text, over all paragraphs
    quote_chars: int = DEFAULT_QUOTE_CHARS  # each quote

    def cap(self, briefing: Briefing) -> Briefing:
        """`briefing` as stored: the same object when nothing is over a limit."""
        paragraphs = cap_paragraphs(briefing.paragraphs, self.text_chars)
        quotes = [self._cap_quote(q) for q in briefing.quotes[:STORED_QUOTES]]
        fields = {
            name: cut(value, FIELD_CHARS)
            for name in ("headline", "byline", "site", "image")
            if isinstance(value := getattr(briefing, name), str) and len(value) > FIELD_CHARS
        }
        briefing_lines = [cut(line, self.text_chars) for line in briefing.briefing]
        if (
            paragraphs == briefing.paragraphs
            and quotes == briefing.quotes
            and briefing_lines == briefing.briefing
            and not fields
        ):
            return briefing
        return replace(
            briefing,
            paragraphs=paragraphs,
            quotes=quotes,
            briefing=briefing_lines,
            **fields,  # type: ignore[arg-type]
        )

    def _cap_quote(self, quote: Quote) -> Quote:
        if len(quote.text) <= self.quote_chars:
            return quote
        return replace(quote, text=cut(quote.text, self.quote_chars))


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word and marked with "…" when cut."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - len(ELLIPSIS), 0)]
    at_word = head.rsplit(None, 1)[0] if " " in head.strip() else head
    return at_word.rstrip() + ELLIPSIS


def cap_paragraphs(paragraphs: list[str], limit: int) -> list[str]:
    """The leading paragraphs that fit in `limit` characters (newlines between them counted);
    the one that crosses the limit is cut at a word. The first is always kept, cut if needed."""
    kept: list[str] = []
    used = 0
    for paragraph in paragraphs:
        room = limit - used - (1 if kept else 0)
        if len(paragraph) <= room:
            kept.append(paragraph)
            used += len(paragraph) + (1 if len(kept) > 1 else 0)
            continue
        if room > len(ELLIPSIS) or not kept:
            kept.append(cut(paragraph, max(room, len(ELLIPSIS) + 1)))
        break
    return kept


__all__ = [
    "DEFAULT_QUOTE_CHARS",
    "DEFAULT_TEXT_CHARS",
    "STORED_QUOTES",
    "StorageLimits",
    "cap_paragraphs",
    "cut",
]
