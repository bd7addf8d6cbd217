"""The sentence splitter: every trap news copy sets, in the four languages the bot reads."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import (
    end_of_first_sentence,
    sentence_starts,
    split_sentences,
    start_of_last_sentence,
)

EN_CASES = [
    pytest.param(
        "Mr. Okafor met Mrs. Lind and Dr. Haas on Monday. They talked for an hour.",
        ["Mr. Okafor met Mrs. Lind and Dr. Haas on Monday.", "They talked for an hour."],
        id="titles",
    ),
    pytest.param(
        "Gov. Reyes, Sen. Platt and Rep. Moody signed it. St. Paul was next.",
        ["Gov. Reyes, Sen. Platt and Rep. Moody signed it.", "St. Paul was next."],
        id="political-titles",
    ),
    pytest.param(
        "Exports to the U.S. and the U.K. fell. Sales in the U.S. The report said so.",
        ["Exports to the U.S. and the U.K. fell.", "Sales in the U.S.", "The report said so."],
        id="dotted-country-codes",
    ),
    pytest.param(
        "The deal closes on Jan. 14 and Feb. 2. No. 10 declined to comment.",
        ["The deal closes on Jan. 14 and Feb. 2.", "No. 10 declined to comment."],
        id="months-and-number-sign",
    ),
    pytest.param(
        "Shares of Brightline Inc. rose. Rivals such as Corvex Corp. fell. Others held.",
        ["Shares of Brightline Inc. rose.", "Rivals such as Corvex Corp. fell.", "Others held."],
        id="company-suffix-mid-sentence",
    ),
    pytest.param(
        "He sold it to Harlow Inc. The buyer paid cash.",
        ["He sold it to Harlow Inc.", "The buyer paid cash."],
        id="company-suffix-ends-sentence",
    ),
    pytest.param(
        "The novel is by J. K. Rowling. Its editor, Anne E. Marsh, agreed.",
        ["The novel is by J. K. Rowling.", "Its editor, Anne E. Marsh, agreed."],
        id="initials",
    ),
    pytest.param(
        "Growth slowed to 3.5 percent. Prices rose 0.2 points.",
        ["Growth slowed to 3.5 percent.", "Prices rose 0.2 points."],
        id="decimals",
    ),
    pytest.param(
        "The vote ended at 10:45 p.m. on Tuesday. Counting began at 6 a.m. The result came later.",
        [
            "The vote ended at 10:45 p.m. on Tuesday.",
            "Counting began at 6 a.m.",
            "The result came later.",
        ],
        id="times",
    ),
    pytest.param(
        "Trading opens at 9:30 a.m. ET. The bell rang.",
        ["Trading opens at 9:30 a.m. ET.", "The bell rang."],
        id="acronym-after-abbreviation",
    ),
    pytest.param(
        "She paused... and went on. Then silence… Nobody spoke.",
        ["She paused... and went on.", "Then silence…", "Nobody spoke."],
        id="ellipses",
    ),
    pytest.param(
        "“We are not done,” she said. “The work starts now.” Her aides nodded.",
        ["“We are not done,” she said.", "“The work starts now.”", "Her aides nodded."],
        id="curly-quotes-spanning-sentences",
    ),
    pytest.param(
        '"Is it over?" he asked. "Not yet." The crowd waited.',
        ['"Is it over?" he asked.', '"Not yet."', "The crowd waited."],
        id="straight-quotes-question-inside",
    ),
    pytest.param(
        "The plan (approved last week.) stands. Critics disagree!",
        ["The plan (approved last week.) stands.", "Critics disagree!"],
        id="closing-bracket-stays",
    ),
    pytest.param(
        "Council Approves Budget\nThe council approved the budget. It passed 7-2.",
        ["Council Approves Budget", "The council approved the budget.", "It passed 7-2."],
        id="heading-line-without-stop",
    ),
    pytest.param(
        "The mayor said the plan\nwould go ahead. Work starts soon.",
        ["The mayor said the plan\nwould go ahead.", "Work starts soon."],
        id="soft-wrapped-line",
    ),
]

DE_CASES = [
    pytest.param(
        "Am 3. Oktober feiert Deutschland die Einheit. Viele Menschen kommen.",
        ["Am 3. Oktober feiert Deutschland die Einheit.", "Viele Menschen kommen."],
        id="ordinal-date",
    ),
    pytest.param(
        "Das betrifft z.B. Schulen und u.a. Kliniken. Dr. Weber widerspricht.",
        ["Das betrifft z.B. Schulen und u.a. Kliniken.", "Dr. Weber widerspricht."],
        id="abbreviations",
    ),
    pytest.param(
        "Er wohnt in der Hauptstraße Nr. 5 in Kiel. Die Miete steigt.",
        ["Er wohnt in der Hauptstraße Nr. 5 in Kiel.", "Die Miete steigt."],
        id="number-sign",
    ),
    pytest.param(
        "„Wir sind bereit.“ Dann verließ sie den Saal. „Nein!“, rief er.",
        ["„Wir sind bereit.“", "Dann verließ sie den Saal.", "„Nein!“, rief er."],
        id="low-high-quotes",
    ),
    pytest.param(
        "Das ist im 20. Jahrhundert passiert. Es kostete 20. Die Firma zahlte.",
        ["Das ist im 20. Jahrhundert passiert.", "Es kostete 20.", "Die Firma zahlte."],
        id="ordinal-vs-number-at-end",
    ),
]

FR_CASES = [
    pytest.param(
        "« C'est terminé. » Le ministre est parti. M. Durand a parlé avec Mme Roux.",
        ["« C'est terminé. »", "Le ministre est parti.", "M. Durand a parlé avec Mme Roux."],
        id="guillemets-and-titles",
    ),
    pytest.param(
        "« Vraiment ? » a-t-elle demandé. Personne n'a répondu !",
        ["« Vraiment ? » a-t-elle demandé.", "Personne n'a répondu !"],
        id="spaced-punctuation",
    ),
]

ES_CASES = [
    pytest.param(
        "¿Qué pasará ahora? ¡Nadie lo sabe! La Sra. Gómez habló con el Dr. Ruiz.",
        ["¿Qué pasará ahora?", "¡Nadie lo sabe!", "La Sra. Gómez habló con el Dr. Ruiz."],
        id="inverted-marks-and-titles",
    ),
    pytest.param(
        "El alcalde, ¿por qué no vino?, guardó silencio. Después habló.",
        ["El alcalde, ¿por qué no vino?, guardó silencio.", "Después habló."],
        id="question-inside-sentence",
    ),
]


ZH_CASES = [
    pytest.param(
        "延伸段今天上午9时正式开通运营。新线全长12.6公里，共设8座车站！首班车几点发车？",
        ["延伸段今天上午9时正式开通运营。", "新线全长12.6公里，共设8座车站！", "首班车几点发车？"],
        id="full-width-marks-without-spaces",
    ),
    pytest.param(
        "她说：“以前要倒两趟车，方便多了！”不过，也有乘客提出了意见。",
        ["她说：“以前要倒两趟车，方便多了！”", "不过，也有乘客提出了意见。"],
        id="closing-quote-stays-with-its-sentence",
    ),
    pytest.param(
        "他问：“谁会想听演员说话呢？”。随后离开了。",
        ["他问：“谁会想听演员说话呢？”。", "随后离开了。"],
        id="mark-after-closing-quote",
    ),
    pytest.param(
        "媒体称之为“最激动人心的发现”。“文化大革命”中机构陷入瘫痪。",
        ["媒体称之为“最激动人心的发现”。", "“文化大革命”中机构陷入瘫痪。"],
        id="opening-quote-starts-the-next",
    ),
]

RU_CASES = [
    pytest.param(
        "Мост построен по проекту института им. Н. Е. Жуковского. Раньше все ездили через "
        "г. Озёрск и ул. Садовую.",
        [
            "Мост построен по проекту института им. Н. Е. Жуковского.",
            "Раньше все ездили через г. Озёрск и ул. Садовую.",
        ],
        id="named-after-initials-city-street",
    ),
    pytest.param(
        "Работы начались в 2021 г. В мае по мосту проедут до 25 тыс. автомобилей.",
        ["Работы начались в 2021 г.", "В мае по мосту проедут до 25 тыс. автомобилей."],
        id="year-abbreviation-may-end",
    ),
    pytest.param(
        "— Кто ты? — спросила она. — Никто.",
        ["— Кто ты? — спросила она.", "— Никто."],
        id="dash-speech-goes-on-after-a-question",
    ),
]

PL_CASES = [
    pytest.param(
        "Linia o długości ok. 3,5 km łączy pętlę przy ul. Grota-Roweckiego z centrum. Pełnomocnik "
        "ds. Transportu Publicznego mówi, że m.in. przystanek przy kościele św. Jana przebudowano.",
        [
            "Linia o długości ok. 3,5 km łączy pętlę przy ul. Grota-Roweckiego z centrum.",
            "Pełnomocnik ds. Transportu Publicznego mówi, że m.in. przystanek przy kościele "
            "św. Jana przebudowano.",
        ],
        id="street-matters-saint",
    ),
    pytest.param(
        "– Kim jesteś? – spytała. – Nikim! – odpowiedział.",
        ["– Kim jesteś? – spytała.", "– Nikim! – odpowiedział."],
        id="dash-speech",
    ),
    pytest.param(
        "Stan wojenny trwał od grudnia 1981 r. W mieście zainstalowano nowe latarnie.",
        ["Stan wojenny trwał od grudnia 1981 r.", "W mieście zainstalowano nowe latarnie."],
        id="year-abbreviation-may-end",
    ),
    pytest.param(
        "Wymagania są dwa. 1. Ustawa wchodzi w życie. 2. Minister wydaje rozporządzenie.",
        ["Wymagania są dwa.", "1. Ustawa wchodzi w życie.", "2. Minister wydaje rozporządzenie."],
        id="numbered-items",
    ),
]

EL_CASES = [
    pytest.param(
        "Πόσο θα κοστίσει το εισιτήριο; Η διοίκηση ανακοίνωσε ότι η τιμή δεν αλλάζει.",
        ["Πόσο θα κοστίσει το εισιτήριο;", "Η διοίκηση ανακοίνωσε ότι η τιμή δεν αλλάζει."],
        id="greek-question-mark",
    ),
    pytest.param(
        "Ο πρόεδρος Σπ. Παπαδόπουλος και ο κ. Αλεξίου μίλησαν στη Λεωφ. Πλαστήρα. Η γραμμή έχει "
        "μήκος 4,8 χλμ. και πέντε σταθμούς.",
        [
            "Ο πρόεδρος Σπ. Παπαδόπουλος και ο κ. Αλεξίου μίλησαν στη Λεωφ. Πλαστήρα.",
            "Η γραμμή έχει μήκος 4,8 χλμ. και πέντε σταθμούς.",
        ],
        id="abbreviated-name-mister-avenue",
    ),
]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        *(pytest.param("zh", *case.values, id=f"zh-{case.id}") for case in ZH_CASES),
        *(pytest.param("ru", *case.values, id=f"ru-{case.id}") for case in RU_CASES),
        *(pytest.param("pl", *case.values, id=f"pl-{case.id}") for case in PL_CASES),
        *(pytest.param("el", *case.values, id=f"el-{case.id}") for case in EL_CASES),
    ],
)
def test_issue_12_languages(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


@pytest.mark.parametrize(("text", "expected"), ZH_CASES)
def test_full_width_marks_end_sentences_whatever_the_declared_language(
    text: str, expected: list[str]
) -> None:
    assert split_sentences(text, "en") == expected
    assert split_sentences(text) == expected


def test_a_semicolon_ends_a_sentence_only_in_greek() -> None:
    assert split_sentences("Prices rose; Officials said so.", "en") == [
        "Prices rose; Officials said so."
    ]
    assert split_sentences("Prices rose; Officials said so.") == ["Prices rose; Officials said so."]


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_english_without_language_hint(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), DE_CASES)
def test_german(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "de") == expected


@pytest.mark.parametrize(("text", "expected"), FR_CASES)
def test_french(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "fr-FR") == expected


@pytest.mark.parametrize(("text", "expected"), ES_CASES)
def test_spanish(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "es") == expected


def test_unknown_language_keeps_german_dates_together() -> None:
    text = "Die Wahl ist am 3. Oktober. Danach wird gezählt."
    assert split_sentences(text) == ["Die Wahl ist am 3. Oktober.", "Danach wird gezählt."]


def test_unknown_language_does_not_treat_english_words_as_foreign_titles() -> None:
    # "Me" is a French title (Maître), but in English text "me." ends a sentence.
    assert split_sentences("He told me. The rest is history.") == [
        "He told me.",
        "The rest is history.",
    ]


def test_a_capital_initial_is_not_a_page_abbreviation() -> None:
    # "p." is "page" before a number, but "Robert P. Casey" is a name with an initial.
    assert split_sentences("Read p. 12 first. Then Sen. Robert P. Casey Jr. spoke.", "en") == [
        "Read p. 12 first.",
        "Then Sen. Robert P. Casey Jr. spoke.",
    ]


def test_offsets_inside_a_paragraph() -> None:
    text = "Smith arrived. “We are ready,” he said.  Then Mr. Jones left."
    starts = sentence_starts(text, "en")
    assert [text[i:] for i in starts] == [
        "“We are ready,” he said.  Then Mr. Jones left.",
        "Then Mr. Jones left.",
    ]
    assert text[: end_of_first_sentence(text, "en")] == "Smith arrived. "
    assert text[start_of_last_sentence(text, "en") :] == "Then Mr. Jones left."
    assert end_of_first_sentence("One sentence only.") == len("One sentence only.")
    assert start_of_last_sentence("One sentence only.") == 0
    assert sentence_starts("") == []


def test_blank_lines_always_separate() -> None:
    assert split_sentences("first line\n\nsecond line") == ["first line", "second line"]


def test_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\t ") == []


TOKENS = [
    "Mr.",
    "Dr.",
    "U.S.",
    "Inc.",
    "J.",
    "K.",
    "3.5",
    "3.",
    "Oktober",
    "z.B.",
    "the",
    "The",
    "said",
    "said.",
    "It",
    "“Yes,”",
    "“No.”",
    '"Go."',
    "'Hi.'",
    "«",
    "»",
    "„Ja.“",
    "¿Qué?",
    "¡Ya!",
    "...",
    "…",
    "?",
    "!",
    ".",
    "\n",
    "\n\n",
    "a.m.",
    "No.",
    "10",
    "(note.)",
    "é",
    "ß",
]


def _check_pieces(text: str, pieces: list[str]) -> None:
    pos = 0
    for piece in pieces:
        assert piece, "empty piece"
        assert piece == piece.strip()
        found = text.find(piece, pos)
        assert found >= 0, f"{piece!r} is not a substring after position {pos}"
        pos = found + len(piece)
    # Nothing but whitespace is lost between the pieces.
    assert re.sub(r"\s+", "", "".join(pieces)) == re.sub(r"\s+", "", text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.sampled_from([None, "en", "de", "fr", "es", "pt"]),
)
def test_property_token_soup(text: str, language: str | None) -> None:
    pieces = split_sentences(text, language)
    _check_pieces(text, pieces)
    # The offsets are the same sentences: each piece after the first starts at its offset.
    starts = sentence_starts(text, language)
    assert [text[i : i + len(p)] for i, p in zip(starts, pieces[1:], strict=True)] == pieces[1:]
    if pieces:
        assert text[: end_of_first_sentence(text, language)].strip() == pieces[0]
        assert text[start_of_last_sentence(text, language) :].strip() == pieces[-1]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ .!?…\"'“”‘’«»„¿¡()\n\t3\u00a0")), max_size=60))
def test_property_character_soup(text: str) -> None:
    _check_pieces(text, split_sentences(text))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_property_any_unicode(text: str) -> None:
    _check_pieces(text, split_sentences(text))


def test_sentences_glued_at_a_period_are_two() -> None:
    text = "Er wurde am Mittwoch verhaftet.Die Polizei ermittelt weiter.Mehr ist nicht bekannt."
    assert split_sentences(text, "de") == [
        "Er wurde am Mittwoch verhaftet.",
        "Die Polizei ermittelt weiter.",
        "Mehr ist nicht bekannt.",
    ]
    glued = "Фронт после выборов разбежится.Губернатор приедет в пятницу."
    assert split_sentences(glued, "ru") == [
        "Фронт после выборов разбежится.",
        "Губернатор приедет в пятницу.",
    ]


def test_a_period_inside_a_name_or_abbreviation_is_not_glued_sentences() -> None:
    for text, language in (
        ("Он живёт в г.Москва и читает Lenta.Ru каждое утро.", "ru"),
        ("Авария произошла в районе с.Белочи на трассе.", "ru"),
        ("She moved to St.Petersburg after the war ended.", "en"),
    ):
        assert split_sentences(text, language) == [text]
