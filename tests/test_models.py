"""The data contract: JSON field order, lossless storage records, reader-facing quote text."""

from bot.cli.render import briefing_as_text
from bot.models import Briefing, ErrorKind, Failure, Quote, TextSource


def sample() -> Briefing:
    return Briefing(
        source="https://example.test/a",
        url="https://example.test/a",
        headline="Ferry returns",
        byline="Priya Raman",
        site="The Coastline Courier",
        published="2026-03-14",
        language="en",
        paragraphs=["First paragraph.", "“We are back,” Ms Osei said."],
        quotes=[Quote("We are back,", "Margaret Osei", 1, 2.5)],
        briefing=["First paragraph."],
        briefing_method="test-model, checked",
        text_source=TextSource.STRUCTURED_DATA,
    )


def test_storage_record_round_trips_everything() -> None:
    original = sample()
    assert Briefing.from_record(original.to_record()) == original
    failed = Briefing.failed("x", Failure(ErrorKind.TIMEOUT, "The page took too long."))
    assert Briefing.from_record(failed.to_record()) == failed


def test_json_contract_keeps_quote_text_verbatim() -> None:
    line = sample().to_json()
    assert line["text"] == "First paragraph.\n“We are back,” Ms Osei said."
    assert line["quotes"] == [{"text": "We are back,", "speaker": "Margaret Osei", "paragraph": 1}]
    assert line["error"] is None
    assert line["text_source"] == "structured_data" and list(line)[-1] == "text_source"


def test_readers_do_not_see_the_comma_that_led_into_the_attribution() -> None:
    assert Quote("We are back,", None, 0).display_text == "We are back"
    assert Quote("Is it over?", None, 0).display_text == "Is it over?"
    split = Quote("It was not a negotiation, … We are not there yet.", None, 0)
    assert split.display_text == "It was not a negotiation … We are not there yet."
    assert "“We are back” — Margaret Osei" in briefing_as_text(sample())
