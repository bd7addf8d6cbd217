"""The CLI's readable briefing: what a journalist sees in a terminal."""

from __future__ import annotations

from bot.messages import say, text_source_note
from bot.models import Briefing

TOP_QUOTES = 3


def briefing_as_text(briefing: Briefing) -> str:
    if briefing.error is not None:
        return f"{briefing.source}\n  ✗ {briefing.error.message} ({briefing.error.kind})\n"
    lines = [briefing.headline or say("cli.no_headline")]
    meta = " · ".join(p for p in (briefing.site, briefing.byline, briefing.published) if p)
    if meta:
        lines.append(meta)
    if briefing.url:
        lines.append(briefing.url)
    note = text_source_note(briefing.text_source)
    if note:
        lines.append(f"({note})")
    lines.append("")
    lines.extend(f"  • {sentence}" for sentence in briefing.briefing)
    if briefing.quotes:
        lines.append("")
        lines.append(say("briefing.key_quotes") + ":")
        for quote in briefing.quotes[:TOP_QUOTES]:
            speaker = quote.speaker or say("briefing.unattributed")
            lines.append(f"  “{quote.display_text}” — {speaker}")
    return "\n".join(lines) + "\n"
