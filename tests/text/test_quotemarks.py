"""The one quote-span scanner: which marks pair, in every style the registered languages print."""

from __future__ import annotations

from bot.text import quote_marks, scan_spans


def _quoted(text: str) -> list[str]:
    return [text[s.start : s.end] for s in scan_spans(text)]


def test_scanner_pairs_curly_straight_and_guillemets():
    text = 'Er sagte „wir bleiben hier“ und «nous partons» puis "fine".'
    spans = scan_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["wir bleiben hier", "nous partons", "fine"]


def test_open_quote_that_lost_its_closer_is_not_nested():
    text = "“We will not move, she said. “Not this year,” Lee added."
    assert [text[s.start : s.end] for s in scan_spans(text)] == [
        "We will not move, she said. ",
        "Not this year,",
    ]


def test_single_marks_inside_double_quotes_stay_nested():
    text = "“She said ‘enough’ and left,” Lee said of the ‘90s."
    assert [text[s.start : s.end] for s in scan_spans(text)] == ["She said ‘enough’ and left,"]


def test_a_lone_closing_mark_quotes_back_to_the_paragraph_start():
    text = "We will not move from this square, the organiser told the crowd.” Police waited."
    [span] = scan_spans(text)
    assert not span.opened
    assert text[span.start : span.end].startswith("We will not move")


def test_german_reversed_guillemets_and_low_quotes_close_only_with_their_own_marks():
    text = "Sie rief »Wir bleiben« und dann „Es reicht” zum Schluss."
    assert _quoted(text) == ["Wir bleiben", "Es reicht"]


def test_the_mark_table_is_read_from_the_registry():
    marks = quote_marks()
    # every mark the scanner knew before, and the corner brackets Chinese prints (issue 12)
    assert set(marks.double) == set('"“”„«»‟〝〞＂「」『』')
    assert marks.pairs["「"] == "」" and "」" in marks.closing
    assert marks.pairs["„"] == '“”"'  # German „…“, and „…” as many sites print it
    assert marks.pairs["«"] == "»" and marks.pairs["»"] == "«"
    assert set(marks.all) == set(marks.double) | {"‘", "’"}
