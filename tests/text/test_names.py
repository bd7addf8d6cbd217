"""Names that decline (Russian, Ukrainian, Polish, Greek): the nominative of an oblique form,
first names in any case, and the keys under which the forms of one name meet — from each
language's `[names] endings`, with no dictionary. Names of languages that do not decline (and
every name in an English article) stay exactly as written."""

from __future__ import annotations

import re

import pytest

from bot.text import (
    declines,
    family_names,
    first_name_of,
    name_forms,
    nominative,
    upper_letters,
)


@pytest.mark.parametrize(
    ("word", "gender", "language", "expected"),
    [
        ("Путина", "m", "ru", "Путин"),
        ("Медведевым", "m", "ru", "Медведев"),
        ("Навального", "m", "ru", "Навальный"),
        ("Захаровой", "u", "ru", "Захарова"),  # a feminine ending needs no first name
        ("Тильманнса", "m", "ru", "Тильманнс"),
        ("Tuska", "m", "pl", "Tusk"),
        ("Kaczyńskiego", "u", "pl", "Kaczyński"),
        ("Kowalskiej", "u", "pl", "Kowalska"),
        ("Gibały", "f", "pl", "Gibała"),
        ("Τσίπρα", "m", "el", "Τσίπρας"),
        ("Μητσοτάκη", "m", "el", "Μητσοτάκης"),
        ("Λοβέρδου", "m", "el", "Λοβέρδος"),
        ("Παπανδρέου", "m", "el", "Παπανδρέου"),  # does not decline
        ("Ольги", "f", "ru", "Ольга"),
    ],
)
def test_oblique_names_are_put_in_the_nominative(
    word: str, gender: str, language: str, expected: str
) -> None:
    assert nominative(word, gender, language) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Donalda", ("Donald", "m", True)),
        ("Marka", ("Marek", "m", True)),  # a fleeting e
        ("Pawła", ("Paweł", "m", True)),
        ("Doroty", ("Dorota", "f", True)),
        ("Владимира", ("Владимир", "m", True)),
        ("Игоря", ("Игорь", "m", True)),
        ("Анны", ("Анна", "f", True)),
        ("Αλέξη", ("Αλέξης", "m", True)),
        ("Γιώργου", ("Γιώργος", "m", True)),
        ("Anna", ("Anna", "f", False)),
        ("Kowalski", None),
    ],
)
def test_first_names_are_known_in_any_case(word: str, expected: object) -> None:
    assert first_name_of(word) == expected


def test_forms_of_one_name_meet_and_other_names_do_not() -> None:
    def meet(a: str, b: str, language: str | None) -> bool:
        return bool(set(name_forms(a, language)) & set(name_forms(b, language)))

    assert meet("Tusk", "Tuska", "pl") and meet("Tuskiem", "Tusk", "pl")
    assert meet("Gibała", "Gibały", "pl")
    assert meet("Путин", "Путина", None)  # Cyrillic declines even on an unlabelled page
    assert meet("Τσίπρας", "Τσίπρα", "el") and meet("Σαμαράς", "Σαμαρά", "el")
    assert not meet("Tusk", "Nowak", "pl")
    # English, and Latin letters on a page of unknown language: the name as written
    assert name_forms("Obama", "en") == ("obama",) and name_forms("Obamy", None) == ("obamy",)
    assert not declines("en") and not declines(None, "Tuska") and declines(None, "Путина")


def test_capitals_of_every_script_are_upper_letters() -> None:
    upper = re.compile(f"[{upper_letters()}]")
    assert all(upper.fullmatch(c) for c in "AZÉŁЖΤΣ")
    assert not any(upper.fullmatch(c) for c in "azéłжτσ华1")


def test_chinese_family_names_include_compound_and_traditional_ones() -> None:
    assert {"王", "張", "欧阳", "司馬"} <= family_names()
