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


# -- issue 12: dialogue opened by a dash, nested guillemets, Chinese marks, link arrows --------


def _spoken(text: str, language: str | None) -> list[str]:
    return [text[s.start : s.end] for s in scan_spans(text, language)]


def test_russian_dialogue_runs_to_the_dash_before_its_attribution_and_resumes() -> None:
    text = "— Мы не уйдём, — сказал он, — пока не получим ответа. Точка."
    assert _spoken(text, "ru") == ["Мы не уйдём", "пока не получим ответа. Точка."]
    assert all(s.dash for s in scan_spans(text, "ru"))


def test_polish_dash_inside_speech_is_not_its_end_a_cue_after_a_dash_is() -> None:
    text = (
        "– Wirusa przenoszą gryzonie – mysz polna i nornica – mówi Anna Lis. "
        "– Trzeba uważać przy sprzątaniu."
    )
    assert _spoken(text, "pl") == [
        "Wirusa przenoszą gryzonie – mysz polna i nornica",
        "Trzeba uważać przy sprzątaniu.",
    ]


def test_dialogue_after_a_sentence_and_a_quote_inside_it() -> None:
    text = "Rada nie zdecydowała. - Czytałem „Lalkę” dwa razy - przyznał burmistrz."
    assert _spoken(text, "pl") == ["Czytałem „Lalkę” dwa razy"]  # the title stays inside


def test_no_dialogue_in_languages_that_do_not_open_speech_with_a_dash() -> None:
    text = "— We will not leave, — he said."
    assert scan_spans(text, "en") == [] and scan_spans(text, None) == []


def test_a_guillemet_inside_guillemets_is_nested_when_the_marks_balance() -> None:
    assert _quoted("Он сказал: «Я читал «Войну и мир» дважды».") == ["Я читал «Войну и мир» дважды"]


def test_a_guillemet_that_opens_a_new_sentence_ends_a_quote_that_lost_its_closer() -> None:
    text = "«Δεν θα κλείσει κανένα σχολείο. «Αντίθετα», πρόσθεσε, «θα ανοίξουν δύο»."
    assert _quoted(text) == ["Δεν θα κλείσει κανένα σχολείο. ", "Αντίθετα", "θα ανοίξουν δύο"]


def test_chinese_corner_brackets_pair() -> None:
    assert _quoted("王毅表示，「中方坚决反对」，『这是底线』。") == ["中方坚决反对", "这是底线"]


def test_a_link_arrow_is_not_the_end_of_a_quote() -> None:
    assert _quoted("Nowe linie autobusowe na Ruczaju » Zobacz także »") == []
    assert _quoted("Read the full interview with the mayor here »") == []
