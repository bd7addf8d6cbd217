"""What the stores keep of a briefing: whole for real articles, capped for giant pages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.models import Briefing, Quote
from bot.storage.limits import (
    DEFAULT_QUOTE_CHARS,
    DEFAULT_TEXT_CHARS,
    STORED_QUOTES,
    StorageLimits,
    cap_paragraphs,
    cut,
)
from config import Settings


def test_an_ordinary_briefing_is_stored_as_it_is() -> None:
    briefing = Briefing(
        source="https://x.example/a",
        headline="Ferry fares frozen",
        paragraphs=["First paragraph.", "Second paragraph."],
        quotes=[Quote("We listened", "Mira Talvik", 0, 0.5)],
        briefing=["First paragraph."],
    )
    assert StorageLimits().cap(briefing) is briefing


def test_text_keeps_whole_leading_paragraphs_then_cuts_at_a_word() -> None:
    paragraphs = ["alpha beta gamma", "delta epsilon zeta eta theta", "iota"]
    kept = cap_paragraphs(paragraphs, 30)
    assert kept[0] == "alpha beta gamma"
    assert kept[1] == "delta…"
    assert len("\n".join(kept)) <= 30
    assert cap_paragraphs(paragraphs, 1_000) == paragraphs


def test_a_single_giant_paragraph_is_cut_not_dropped() -> None:
    assert cap_paragraphs(["word " * 10_000], 100)[0].endswith("…")
    assert len(cap_paragraphs(["word " * 10_000], 100)[0]) <= 100


def test_quotes_and_giant_fields_are_cut() -> None:
    limits = StorageLimits(text_chars=1_000, quote_chars=50)
    briefing = Briefing(
        source="https://x.example/a",
        headline="H" * 5_000,
        paragraphs=["p"],
        quotes=[Quote("said " * 100, "Ona Lusk", 0, 0.5), Quote("short", None, 1)],
    )
    stored = limits.cap(briefing)
    assert len(stored.quotes[0].text) <= 50 and stored.quotes[0].text.endswith("…")
    assert stored.quotes[0].speaker == "Ona Lusk"
    assert stored.quotes[1] == Quote("short", None, 1)
    assert stored.headline is not None and len(stored.headline) <= 2_000
    assert briefing.headline == "H" * 5_000  # the original is untouched


@given(st.text(max_size=400), st.integers(min_value=2, max_value=300))
def test_cut_never_exceeds_the_limit(text: str, limit: int) -> None:
    result = cut(text, limit)
    assert len(result) <= limit
    assert result == text or result.endswith("…")


def test_only_the_leading_quotes_are_kept() -> None:
    quotes = [Quote(f"Quote number {n}", "Ona Lusk", n) for n in range(100)]
    briefing = Briefing(source="https://x.example/a", paragraphs=["p"], quotes=quotes)
    assert StorageLimits().cap(briefing).quotes == quotes[:STORED_QUOTES]


def test_the_settings_defaults_are_the_limits_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.stored_text_chars == DEFAULT_TEXT_CHARS
    assert settings.stored_quote_chars == DEFAULT_QUOTE_CHARS
