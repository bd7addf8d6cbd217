"""What the text layer knows about people's and organisations' names, in any language.

Names travel: a German story quotes "Ursula von der Leyen", an English one "Mohammed bin Salman"
and "Sr. Pérez". So every step that reads names uses what *all* registered languages know
(titles, honorifics, particles), not only the article's language; the lists themselves live per
language in the registry (`bot.text.languages`), and the language-free tables (first names and
their usual gender, words that make a name an organisation) in `data/names/`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache

from bot.text.languages import common, language_code, languages
from bot.text.resources import data_text

__all__ = [
    "abbreviated_titles",
    "courtesy_titles",
    "declines",
    "family_names",
    "first_name_of",
    "first_names",
    "honorifics",
    "name_forms",
    "name_joiners",
    "name_particles",
    "nominative",
    "nominatives",
    "org_words",
    "title_words",
    "upper_letters",
]


@cache
def first_names() -> dict[str, str]:
    """First name → "m" / "f" / "u", from data/names/first_names.tsv (loaded once per process)."""
    table: dict[str, str] = {}
    for line in data_text("names/first_names.tsv").splitlines():
        if line and not line.startswith("#"):
            name, _, gender = line.partition("\t")
            table[name.strip()] = gender.strip() or "u"
    return table


@cache
def org_words() -> frozenset[str]:
    """Words that make a capitalised name an organisation (data/names/org_words.txt)."""
    text = data_text("names/org_words.txt")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@cache
def title_words() -> frozenset[str]:
    """Words that introduce a person's name as a title or role ("minister", "sen"), lower case
    without a final period, from every language's titles.txt."""
    return frozenset().union(*(lang.titles for lang in languages()))


@cache
def honorifics() -> dict[str, str]:
    """Honorific → the gender it tells ("mr" → "m", "frau" → "f"), from every language."""
    table: dict[str, str] = {}
    for lang in languages():
        table.update(lang.honorifics)
    return table


@cache
def courtesy_titles() -> frozenset[str]:
    """Honorifics that house styles add or drop ("Mr Lopez" for "Lopez"): never a claim."""
    return frozenset().union(*(lang.courtesy for lang in languages()))


@cache
def abbreviated_titles() -> frozenset[str]:
    """Abbreviations that stand before a name ("sen", "mme", "dra"), from every language."""
    return frozenset(
        word for lang in languages() for word, kind in lang.abbreviations.items() if kind == "title"
    )


@cache
def name_particles() -> frozenset[str]:
    """Lower-case words inside a person's name ("von", "de", "bin"), from every language."""
    own = (lang.name_particles for lang in languages())
    return frozenset().union(common().name_particles, *own)


@cache
def name_joiners() -> frozenset[str]:
    """Words that join capitalised words into one organisation's name ("of", "&")."""
    return frozenset().union(common().name_joiners, *(lang.name_joiners for lang in languages()))


# -- names that decline: Путина → Путин, Tuska → Tusk, Τσίπρα → Τσίπρας ---------------------
#
# Russian, Polish, Greek (and every language whose [names] table lists `endings`) decline
# names: "по словам Владимира Путина", "zdaniem Donalda Tuska", "σύμφωνα με τον Τσίπρα". The
# reader must see the nominative, and the article's several forms must count as one person.
# Rules from each language's data, not a dictionary: a name is mostly unknown to a dictionary,
# and its case ending is what the rules read (see docs/languages.md for the measured choice).


def _script(text: str) -> str:
    """The script of the last letter in `text` ("CYRILLIC", "GREEK", "LATIN"; "" for none)."""
    for ch in reversed(text):
        if ch.isalpha():
            return unicodedata.name(ch, "").split(" ")[0]
    return ""


@cache
def _declining() -> tuple[tuple[str, str, Mapping[str, tuple[tuple[str, str], ...]]], ...]:
    """(code, script, endings) of every language whose names decline."""
    found = []
    for lang in languages():
        if lang.name_endings:
            sample = "".join(o + n for rows in lang.name_endings.values() for o, n in rows)
            found.append((lang.code, _script(sample), lang.name_endings))
    return tuple(found)


def declines(language: str | None, word: str = "") -> bool:
    """Do names decline in `language` (or, when it is unknown, in a language of `word`'s
    script other than Latin: a Cyrillic or Greek name in an unlabelled page)?"""
    return bool(_tables_for(language, word))


def _tables_for(
    language: str | None, word: str
) -> tuple[Mapping[str, tuple[tuple[str, str], ...]], ...]:
    code = _code(language)
    return _tables_by(code, "" if code is not None else _script(word))


@cache
def _code(language: str | None) -> str | None:
    return language_code(language)


@cache
def _tables_by(
    code: str | None, script: str
) -> tuple[Mapping[str, tuple[tuple[str, str], ...]], ...]:
    """The endings tables for a language (by code), or for an unknown one by script."""
    if code is not None:
        return tuple(endings for lang, _, endings in _declining() if lang == code)
    if script in ("", "LATIN"):
        return ()  # an unknown Latin-script page: no guessing at Polish endings
    return tuple(endings for _, lang_script, endings in _declining() if lang_script == script)


def nominatives(word: str, gender: str, language: str | None = None) -> list[str]:
    """The nominative forms `word` may be the oblique case of, most likely first (`word` itself
    last). `gender` "m" or "f" picks the table; "u" tries the feminine endings of three or more
    letters (unambiguous: -skiej, -овой), then the masculine ones."""
    out: list[str] = []
    low = word.lower()
    for endings in _tables_for(language, word):
        rows: list[tuple[str, str]] = []
        if gender == "u":
            rows += [r for r in endings.get("f", ()) if len(r[0]) >= 3]
            rows += list(endings.get("m", ()))
        else:
            rows += list(endings.get(gender, ()))
        for oblique, nominative in rows:
            if low.endswith(oblique) and len(word) - len(oblique) >= 2:
                out.append(_recase(word[: len(word) - len(oblique)] + nominative, word))
    out.append(word)
    return list(dict.fromkeys(out))


def nominative(word: str, gender: str = "u", language: str | None = None) -> str:
    """`word` (a surname in an oblique case) in the nominative, by the language's endings."""
    return nominatives(word, gender, language)[0]


def _recase(form: str, like: str) -> str:
    """`form` in the case pattern of `like` ("ТУСКА" → "ТУСК", "Tuska" → "Tusk")."""
    return form.upper() if like.isupper() and len(like) > 1 else form


def first_name_of(word: str, language: str | None = None) -> tuple[str, str, bool] | None:
    """(nominative, gender, was it oblique) when `word` is a known first name in some case:
    "Donalda" → ("Donald", "m", True), "Marka" → ("Marek", "m", True) (a fleeting e),
    "Anna" → ("Anna", "f", False); None for a word that is no first name we know."""
    names = first_names()
    if word in names:
        return word, names[word], False
    for gender in ("m", "f"):
        for form in _any_nominatives(word, gender, language):
            for candidate in (_fleeting_e(form), form):  # Jacka: Jacek before Jack
                if candidate and names.get(candidate, gender) == gender and candidate in names:
                    return candidate, gender, True
    return None


def _any_nominatives(word: str, gender: str, language: str | None) -> list[str]:
    """Nominatives of `word` by its language's endings, or by every language of its script
    (Latin too: a first name is checked against the table, so a wrong guess finds nothing)."""
    found = nominatives(word, gender, language)[:-1]
    if found or language_code(language) is not None:
        return found
    script = _script(word)
    low = word.lower()
    for _, lang_script, endings in _declining():
        if lang_script == script:
            for oblique, ending in endings.get(gender, ()):
                if low.endswith(oblique) and len(word) - len(oblique) >= 2:
                    found.append(word[: len(word) - len(oblique)] + ending)
    return found


def _fleeting_e(stem: str) -> str:
    """ "Mark" → "Marek", "Pawł" → "Paweł", "Павл" → "Павел": the e a nominative keeps."""
    if len(stem) < 3 or stem[-1].lower() in "aeiouyąęóаеиоуыэюяёαεηιουω":
        return ""
    e = "е" if _script(stem) == "CYRILLIC" else "e"
    return stem[:-1] + e + stem[-1]


def name_forms(word: str, language: str | None = None) -> tuple[str, ...]:
    """The keys under which the forms of one name meet: `word` in lower case first, then it
    and every nominative it may be the oblique case of without accents ("Tuska" → tuska,
    tusk; "Tusk" → tusk: one person). A name in a language whose names do not decline is its
    own one key."""
    if not _tables_for(language, word):
        return (word.lower(),)
    forms = [word, *nominatives(word, "m", language), *nominatives(word, "f", language)]
    return tuple(dict.fromkeys([word.lower(), *(_plain(f.lower()) for f in forms)]))


def _plain(text: str) -> str:
    """`text` without accents (Greek names keep or lose them by case: Σαμαράς, Σαμαρά)."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@cache
def family_names() -> frozenset[str]:
    """Family names of languages that write names without capitals (Chinese 王, 欧阳)."""
    return frozenset().union(*(lang.family_names for lang in languages()))


@cache
def upper_letters() -> str:
    """A regex character class body of every upper-case letter of the Basic Multilingual Plane
    (Latin, Cyrillic, Greek, …): `[A-Z]` would not see "Путин" or "Τσίπρας" as names."""
    ranges: list[list[int]] = []
    for code in range(0x41, 0x10000):
        if chr(code).isupper():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
