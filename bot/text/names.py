"""What the text layer knows about people's and organisations' names, in any language.

Names travel: a German story quotes "Ursula von der Leyen", an English one "Mohammed bin Salman"
and "Sr. Pérez". So every step that reads names uses what *all* registered languages know
(titles, honorifics, particles), not only the article's language; the lists themselves live per
language in the registry (`bot.text.languages`), and the language-free tables (first names and
their usual gender, words that make a name an organisation) in `data/names/`.
"""

from __future__ import annotations

from functools import cache

from bot.text.languages import common, languages
from bot.text.resources import data_text

__all__ = [
    "abbreviated_titles",
    "courtesy_titles",
    "first_names",
    "honorifics",
    "name_joiners",
    "name_particles",
    "org_words",
    "title_words",
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
