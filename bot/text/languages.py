"""What the text layer knows about each language, read once from `data/languages/`.

Why a registry: the steps that read prose (sentences, quotes, cleaning, the LLM checks) all need
the same facts about a language — its abbreviations, speech cues, titles, quote marks — and each
used to keep its own copy. A language is now a folder, `data/languages/<code>/`: a
`language.toml` of small facts and optional word lists beside it. Adding a language means adding
a folder and its tests, not editing the steps. The format is documented in docs/languages.md.

A fact a language does not give is empty, never missing: each step decides what an empty field
means (most use what all the registered languages know together). The folder `common/` is not a
language: it holds what is true in every language (copyright lines, context quote marks).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from bot.errors import LanguageDataError

__all__ = [
    "BASE_LANGUAGE",
    "COMMON",
    "Language",
    "LanguageDataError",
    "boilerplate_pattern",
    "common",
    "language_code",
    "language_info",
    "languages",
    "load_language",
]

# English words turn up in every language's news copy (names of bodies, quoted tweets), and the
# quote rules were built on English: steps add its lists to those of the article's language.
BASE_LANGUAGE = "en"
COMMON = "common"

_GENDERS = frozenset("mfu")
_KINDS = frozenset({"", "title", "num", "ordinal"})


@dataclass(frozen=True, slots=True)
class Language:
    """Everything the text layer knows about one language (empty where it knows nothing)."""

    code: str
    name: str
    # language.toml
    guess_words: frozenset[str]  # function words the language guess counts
    capitalises_nouns: bool  # German: a capital letter is no sign of a name
    ordinal_numbers: bool  # German: "am 3. Oktober" is an ordinal, not a sentence end
    sentence_ends: str  # marks beyond . ! ? that end a sentence ("。！？", Greek ";")
    unpunctuated_summaries: bool  # English: long summary lines at the top lack a final period
    honorifics: Mapping[str, str]  # "mr" -> "m", "frau" -> "f"
    courtesy: frozenset[str]  # honorifics a house style adds or drops ("Mr")
    name_particles: frozenset[str]  # "von", "de", "bin": inside a name
    name_joiners: frozenset[str]  # "of", "&": inside an organisation's name
    byline_by: tuple[str, ...]  # "By Jane Doe"
    byline_and: tuple[str, ...]  # "Jane Doe and John Roe"
    byline_labels: tuple[
        str, ...
    ]  # "Author", "作者", "Автор": a label before the name ("Автор: …")
    quote_pairs: Mapping[str, str]  # opening mark -> the marks that close it
    context_marks: str  # (common) double marks that open or close by context
    closing_marks: str  # marks that only close a quote ("”"): alone, its opener was lost
    single_marks: str  # (common) single marks
    dash_speech: bool  # ru, pl: "— Мы не уйдём, — сказал он." is a quotation
    name_endings: Mapping[str, tuple[tuple[str, str], ...]]  # gender -> (oblique, nominative)
    family_names: frozenset[str]  # zh: 王, 李, 欧阳: a name begins with one (no capitals tell)
    # [grammar]: the words the attribution rules read around a speaker
    pronouns: Mapping[str, str]  # "он" -> "m", "ona" -> "f", "они" -> "p" (plural)
    determiners: frozenset[str]  # "ο", "τον", "il": start a common-noun speaker
    prepositions: frozenset[str]  # "w", "в", "σε": a name after one is not the subject
    relatives: frozenset[str]  # "który", "который", "που": a clause, not a name
    fillers: frozenset[str]  # "też", "также", "επίσης": between a speaker and the cue
    not_names: frozenset[str]  # "напомним", "czyli", "και": capitalised, never a speaker
    pro_drop: bool  # "Dodał: „…”": a cue with no subject means the person last spoken of
    oblique: Mapping[str, str]  # "τον" -> "m": a word that puts the name after it in a case
    not_cues: frozenset[str]  # "小说", "听说": words that end in a cue but are no speech cue
    # word lists beside language.toml
    abbreviations: Mapping[str, str]  # "mr" -> "title", "no" -> "num", "inc" -> ""
    stopwords: frozenset[str]
    cue_verbs: tuple[str, ...]  # "said", "told"  (file order)
    cue_prepositions: tuple[str, ...]  # "according to"
    boilerplate: tuple[str, ...]  # regular expressions, each matching a whole paragraph
    titles: frozenset[str]  # "minister", "sen": words before a person's name
    leaning: tuple[str, ...]  # "he", "but", "in addition": openers that lean on the sentence before
    interface: frozenset[str]  # "log in", "войти", "字号": page controls, never a byline


def language_code(value: str | None) -> str | None:
    """ "en-GB", "de_DE", " FR " → the primary subtag in lower case; None for nothing."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code or None


def language_info(value: str | None) -> Language | None:
    """The registered language `value` names ("de", "de-AT", "de_DE"), else None."""
    code = language_code(value)
    return None if code is None or code == COMMON else _registry().get(code)


def languages() -> tuple[Language, ...]:
    """Every registered language: the base language first, then by code (the order lists are
    merged in, and the order a tie between languages is settled in)."""
    found = [lang for code, lang in _registry().items() if code != COMMON]
    return tuple(sorted(found, key=lambda lang: (lang.code != BASE_LANGUAGE, lang.code)))


def common() -> Language:
    """What holds in every language (`data/languages/common/`)."""
    return _registry()[COMMON]


@cache
def boilerplate_pattern(codes: tuple[str, ...]) -> re.Pattern[str]:
    """The boilerplate lines of every language and of `codes`' languages, in that order, as one
    case-insensitive alternation (compiled once per list): the cleaner tests whole paragraphs
    with it, the briefing whole sentences."""
    langs = [common(), *(lang for code in codes if (lang := language_info(code)) is not None)]
    return re.compile(
        "|".join(f"(?:{pattern})" for lang in langs for pattern in lang.boilerplate),
        re.IGNORECASE,
    )


@cache
def _registry() -> dict[str, Language]:
    root = resources.files("bot.text.data").joinpath("languages")
    folders = sorted((f for f in root.iterdir() if f.is_dir()), key=lambda f: f.name)
    found = {folder.name: load_language(folder) for folder in folders}
    if COMMON not in found:
        raise LanguageDataError("data/languages/common/ is missing")
    return found


# -- reading one folder -----------------------------------------------------------------------

# Keys language.toml may hold, by table; anything else is a typo and fails loudly.
_TOML_KEYS = {
    "": {
        "code",
        "name",
        "guess_words",
        "capitalises_nouns",
        "ordinal_numbers",
        "sentence_ends",
        "unpunctuated_summaries",
    },
    "names": {"honorifics", "courtesy", "particles", "joiners", "endings", "family_names"},
    "quotes": {"pairs", "context_marks", "closing_marks", "single_marks", "dash_speech"},
    "byline": {"by", "and", "labels"},
    "grammar": {
        "pronouns",
        "determiners",
        "prepositions",
        "relatives",
        "fillers",
        "not_names",
        "pro_drop",
        "oblique",
        "not_cues",
    },
}
_PRONOUN_KINDS = frozenset("mfpu")


def load_language(folder: Traversable) -> Language:
    """Read one language folder; `LanguageDataError` names the file and field that is wrong."""
    toml_file = folder.joinpath("language.toml")
    where = f"data/languages/{folder.name}/language.toml"
    if not toml_file.is_file():
        raise LanguageDataError(f"{where} is missing")
    try:
        data = tomllib.loads(toml_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise LanguageDataError(f"{where}: {error}") from error
    _check_keys(data, where)
    facts = _Facts(data, where)
    code = facts.text("code")
    if code != folder.name:
        raise LanguageDataError(f"{where}: code {code!r} differs from its folder's name")
    verbs, prepositions = _cues(folder)
    return Language(
        code=code,
        name=facts.text("name"),
        guess_words=frozenset(facts.words("guess_words")),
        capitalises_nouns=facts.flag("capitalises_nouns"),
        ordinal_numbers=facts.flag("ordinal_numbers"),
        sentence_ends=facts.text("sentence_ends", default="").strip(),
        unpunctuated_summaries=facts.flag("unpunctuated_summaries"),
        honorifics=MappingProxyType(facts.genders("names", "honorifics")),
        courtesy=frozenset(facts.word_list("names", "courtesy")),
        name_particles=frozenset(facts.word_list("names", "particles")),
        name_joiners=frozenset(facts.word_list("names", "joiners")),
        byline_by=tuple(facts.word_list("byline", "by")),
        byline_and=tuple(facts.word_list("byline", "and")),
        byline_labels=tuple(w.lower() for w in facts.word_list("byline", "labels")),
        quote_pairs=MappingProxyType(facts.pairs("quotes", "pairs")),
        context_marks=facts.text("context_marks", table="quotes", default=""),
        closing_marks=facts.text("closing_marks", table="quotes", default=""),
        single_marks=facts.text("single_marks", table="quotes", default=""),
        dash_speech=facts.flag("dash_speech", table="quotes"),
        name_endings=MappingProxyType(facts.endings("names", "endings")),
        family_names=frozenset(facts.words("family_names", table="names")),
        pronouns=MappingProxyType(facts.genders("grammar", "pronouns", _PRONOUN_KINDS)),
        determiners=frozenset(facts.word_list("grammar", "determiners")),
        prepositions=frozenset(facts.word_list("grammar", "prepositions")),
        relatives=frozenset(facts.word_list("grammar", "relatives")),
        fillers=frozenset(facts.word_list("grammar", "fillers")),
        not_names=frozenset(facts.word_list("grammar", "not_names")),
        pro_drop=facts.flag("pro_drop", table="grammar"),
        oblique=MappingProxyType(facts.genders("grammar", "oblique")),
        not_cues=frozenset(facts.word_list("grammar", "not_cues")),
        abbreviations=MappingProxyType(_abbreviations(folder)),
        stopwords=frozenset(row[0] for row in _rows(folder, "stopwords.txt")),
        cue_verbs=verbs,
        cue_prepositions=prepositions,
        boilerplate=_boilerplate(folder),
        titles=frozenset(row[0].lower().rstrip(".") for row in _rows(folder, "titles.txt")),
        leaning=tuple(" ".join(row).lower() for row in _rows(folder, "leaning.txt")),
        interface=frozenset(" ".join(row).casefold() for row in _rows(folder, "interface.txt")),
    )


def _check_keys(data: dict[str, Any], where: str) -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            allowed = _TOML_KEYS.get(key)
            if allowed is None:
                raise LanguageDataError(f"{where}: unknown table [{key}]")
            unknown = sorted(set(value) - allowed)
        else:
            unknown = [] if key in _TOML_KEYS[""] else [key]
        if unknown:
            raise LanguageDataError(f"{where}: unknown field {unknown[0]!r} in [{key}]")


@dataclass(slots=True)
class _Facts:
    """Typed reads of language.toml, each failing with the file and field named."""

    data: dict[str, Any]
    where: str

    def _get(self, table: str, key: str) -> Any:
        holder = self.data.get(table, {}) if table else self.data
        return holder.get(key)

    def _fail(self, table: str, key: str, want: str) -> LanguageDataError:
        name = f"{table}.{key}" if table else key
        return LanguageDataError(f"{self.where}: {name} must be {want}")

    def text(self, key: str, *, table: str = "", default: str | None = None) -> str:
        value = self._get(table, key)
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self._fail(table, key, "a non-empty string")
        return value.strip() if default is None else value

    def flag(self, key: str, table: str = "") -> bool:
        value = self._get(table, key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._fail(table, key, "true or false")
        return value

    def words(self, key: str, table: str = "") -> list[str]:
        """A space-separated string of words (long lists stay readable as a paragraph)."""
        value = self._get(table, key)
        if value is None:
            return []
        if not isinstance(value, str):
            raise self._fail(table, key, "a string of words")
        return value.lower().split()

    def word_list(self, table: str, key: str) -> list[str]:
        value = self._get(table, key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            raise self._fail(table, key, "a list of words")
        return [w.lower() for w in value]

    def genders(self, table: str, key: str, kinds: frozenset[str] = _GENDERS) -> dict[str, str]:
        value = self._get(table, key)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(g in kinds for g in value.values()):
            choices = " | ".join(f'"{k}"' for k in sorted(kinds))
            raise self._fail(table, key, f"a table of word = {choices}")
        return {str(word).lower(): gender for word, gender in value.items()}

    def endings(self, table: str, key: str) -> dict[str, tuple[tuple[str, str], ...]]:
        """{gender: [[oblique ending, nominative ending], …]}, kept longest ending first."""
        value = self._get(table, key)
        if value is None:
            return {}
        ok = isinstance(value, dict) and all(
            g in _GENDERS
            and isinstance(rows, list)
            and all(
                isinstance(r, list) and len(r) == 2 and all(isinstance(e, str) for e in r) and r[0]
                for r in rows
            )
            for g, rows in value.items()
        )
        if not ok:
            raise self._fail(table, key, 'a table of gender = [["oblique", "nominative"], …]')
        return {
            gender: tuple(
                sorted(((o.lower(), n.lower()) for o, n in rows), key=lambda r: -len(r[0]))
            )
            for gender, rows in value.items()
        }

    def pairs(self, table: str, key: str) -> dict[str, str]:
        value = self._get(table, key)
        if value is None:
            return {}
        ok = isinstance(value, list) and all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(m, str) for m in p)
            and len(p[0]) == 1
            and p[1]
            for p in value
        )
        if not ok:
            raise self._fail(table, key, 'a list of ["opening mark", "closing marks"]')
        return {opening: closing for opening, closing in value}


def _rows(folder: Traversable, name: str) -> list[list[str]]:
    """The non-comment lines of a word list, split on whitespace ([] when there is no file)."""
    path = folder.joinpath(name)
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split())
    return rows


def _abbreviations(folder: Traversable) -> dict[str, str]:
    table = {}
    for row in _rows(folder, "abbreviations.txt"):
        kind = row[1] if len(row) > 1 else ""
        if kind not in _KINDS or len(row) > 2:
            where = f"data/languages/{folder.name}/abbreviations.txt"
            raise LanguageDataError(f"{where}: {' '.join(row)!r}: kind must be one of {_KINDS}")
        table[row[0]] = kind
    return table


def _cues(folder: Traversable) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(verbs, prepositions) of cues.txt; a leading "+" marks a preposition ("+according to")."""
    path = folder.joinpath("cues.txt")
    if not path.is_file():
        return (), ()
    verbs: list[str] = []
    prepositions: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("+"):
            prepositions.append(line[1:])
        else:
            verbs.append(line)
    return tuple(verbs), tuple(prepositions)


def _boilerplate(folder: Traversable) -> tuple[str, ...]:
    path = folder.joinpath("boilerplate.txt")
    if not path.is_file():
        return ()
    sources = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            re.compile(line)
        except re.error as error:
            where = f"data/languages/{folder.name}/boilerplate.txt line {number}"
            raise LanguageDataError(f"{where}: {error}") from error
        sources.append(line)
    return tuple(sources)
