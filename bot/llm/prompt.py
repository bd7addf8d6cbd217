"""The chat request for an LLM briefing: what the model sees and the reply shape it must use.

The model gets the cleaned article (lede first, trimmed to a token budget so cost and latency
stay bounded on long reads) and the rule-extracted quotes with ids, so it can pick key quotes by
id instead of retyping them — a retyped quote is a chance to misquote.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Briefing
from bot.text import language_info

CHARS_PER_TOKEN = 4  # a rough, model-independent estimate; good enough for a budget
DEFAULT_TOKEN_BUDGET = 3000
MAX_QUOTES = 20
MAX_QUOTE_CHARS = 300
DEFAULT_MAX_CHARS = 600  # the briefing's total length, as for the extractive one
QUOTE_SHARE = 3  # quotes may use at most 1/QUOTE_SHARE of the budget


SYSTEM_PROMPT = """You write briefings of news articles for journalists.
Rules:
- Use only what the article says. Add no facts, names, numbers, dates or opinions of your own.
- Do not write new quotations. If you quote, copy the words exactly as the article prints them.
- Keep every name and number exactly as the article writes it.
- Write in the article's language{language}.
Reply with one JSON object and nothing else:
{{"bullets": ["...", "...", "..."], "key_quotes": [1, 2, 3]}}
- "bullets": 3 to 5 short sentences, most important first, {max_chars} characters in total at most.
- "key_quotes": the ids of the 3 most important quotes in the numbered list, most important
  first (fewer if the list is shorter; [] if there are none)."""


@dataclass(frozen=True, slots=True)
class Prompt:
    """The messages to send and what the checks need to know about them."""

    messages: list[dict[str, str]]
    quote_ids: dict[int, int]  # prompt id → index in `Briefing.quotes`
    truncated: bool


def trim_paragraphs(paragraphs: list[str], max_chars: int) -> tuple[list[str], bool]:
    """Leading paragraphs that fit in `max_chars`; the lede is always kept (cut at a word).

    News puts the most important facts first, so cutting from the end loses the least.
    """
    kept: list[str] = []
    used = 0
    for paragraph in paragraphs:
        cost = len(paragraph) + 1
        if used + cost > max_chars:
            if not kept:
                cut = paragraph[:max_chars].rsplit(" ", 1)[0]
                kept.append(cut + " …")
            return kept, True
        kept.append(paragraph)
        used += cost
    return kept, False


def _quote_lines(briefing: Briefing, max_chars: int) -> tuple[list[str], dict[int, int]]:
    lines: list[str] = []
    ids: dict[int, int] = {}
    used = 0
    for index, quote in enumerate(briefing.quotes[:MAX_QUOTES]):
        quote_id = index + 1
        text = quote.text if len(quote.text) <= MAX_QUOTE_CHARS else quote.text[:MAX_QUOTE_CHARS]
        speaker = quote.speaker or "unattributed"
        line = f'[{quote_id}] {speaker}: "{text}"'
        if used + len(line) > max_chars:
            break
        lines.append(line)
        ids[quote_id] = index
        used += len(line) + 1
    return lines, ids


def build_prompt(
    briefing: Briefing,
    language: str | None,
    token_budget: int = DEFAULT_TOKEN_BUDGET,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Prompt:
    """Messages for one article; quotes take at most a third of the budget, the article the rest."""
    budget_chars = max(token_budget, 100) * CHARS_PER_TOKEN
    quote_lines, quote_ids = _quote_lines(briefing, budget_chars // QUOTE_SHARE)
    quotes_chars = sum(len(line) + 1 for line in quote_lines)
    headline_chars = len(briefing.headline or "")
    article_chars = max(budget_chars - quotes_chars - headline_chars, budget_chars // 2)
    paragraphs, truncated = trim_paragraphs(briefing.paragraphs, article_chars)

    known = language_info(language)
    name = known.name if known is not None else None
    language_hint = f" ({name})" if name else ""
    parts = []
    if briefing.headline:
        parts.append(f"Headline: {briefing.headline}")
    parts.append("Article:\n" + "\n\n".join(paragraphs))
    if truncated:
        parts.append("(The article continues; only the part above is given.)")
    parts.append("Quotes:\n" + ("\n".join(quote_lines) if quote_lines else "(none)"))
    messages = [
        {
            "role": "system",
            "content": SYSTEM_PROMPT.format(language=language_hint, max_chars=max_chars),
        },
        {"role": "user", "content": "\n\n".join(parts)},
    ]
    return Prompt(messages=messages, quote_ids=quote_ids, truncated=truncated)
