"""The language registry: every language folder loads and agrees with the rest, broken data
fails with the file and field named, and a language added as data alone works end to end."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.text import (
    BASE_LANGUAGE,
    LanguageDataError,
    common,
    guess_language,
    language_info,
    languages,
    quote_marks,
    split_sentences,
    stopwords,
)
from bot.text.languages import load_language
from tests.helpers.paths import REPO

LANGUAGE_DIR = REPO / "bot" / "text" / "data" / "languages"


# -- the registered languages ---------------------------------------------------------------


def test_every_folder_is_a_registered_language_named_like_its_folder() -> None:
    folders = sorted(p.name for p in LANGUAGE_DIR.iterdir() if p.is_dir())
    assert "common" in folders
    assert sorted(lang.code for lang in languages()) == [f for f in folders if f != "common"]
    for lang in languages():
        assert re.fullmatch(r"[a-z]{2,3}", lang.code)
        assert lang.name and lang.name[0].isupper()


def test_the_base_language_comes_first_and_knows_everything() -> None:
    base = languages()[0]
    assert base.code == BASE_LANGUAGE
    assert base.abbreviations and base.stopwords and base.cue_verbs and base.boilerplate
    assert base.titles and base.honorifics and base.guess_words


def test_the_languages_the_bot_reads_have_every_list() -> None:
    # en/de/fr/es are read in full; the others are known to the guess and the name rules only.
    for code in ("en", "de", "fr", "es"):
        lang = language_info(code)
        assert lang is not None
        assert lang.abbreviations and lang.stopwords and lang.cue_verbs and lang.boilerplate
        assert lang.guess_words and lang.byline_by and lang.byline_and


def test_lists_are_lower_case_and_consistent() -> None:
    for lang in (*languages(), common()):
        for words in (lang.stopwords, lang.guess_words, lang.titles, lang.name_particles):
            assert all(w == w.lower() and " " not in w for w in words), lang.code
        assert all(a == a.lower() and not a.endswith(".") for a in lang.abbreviations)
        assert set(lang.honorifics.values()) <= {"m", "f", "u"}
        assert lang.courtesy <= set(lang.honorifics)
        # a pair's marks are marks the scanner reads
        for opening, closers in lang.quote_pairs.items():
            assert set(opening + closers) <= set(quote_marks().double)


def test_guess_words_tell_each_registered_language_apart() -> None:
    # No language's guess list may be mostly another's, or the guess could not tell them apart.
    guessed = [lang for lang in languages() if lang.guess_words]
    for a in guessed:
        for b in guessed:
            if a is not b:
                shared = a.guess_words & b.guess_words
                assert len(shared) < len(a.guess_words) / 3, (a.code, b.code, shared)


def test_lookups_normalise_the_code() -> None:
    assert language_info("de-AT") is language_info("de")
    assert language_info(" FR_ca ") is language_info("fr")
    assert language_info(None) is None and language_info("") is None
    assert language_info("xx") is None
    assert language_info("common") is None  # shared knowledge, not a language


def test_a_language_without_its_own_list_uses_the_merged_ones() -> None:
    italian = language_info("it")
    assert italian is not None and italian.guess_words and not italian.stopwords
    assert stopwords("it") == stopwords(None) == stopwords("pt")
    assert stopwords("de") == language_info("de").stopwords  # type: ignore[union-attr]


def test_no_module_outside_the_text_layer_reads_its_data_or_lists_languages() -> None:
    offenders = []
    for path in sorted((REPO / "bot").rglob("*.py")):
        if path.is_relative_to(REPO / "bot" / "text"):
            continue
        source = path.read_text(encoding="utf-8")
        if "bot.text.data" in source or re.search(r"text[\"']?\s*/\s*[\"']data", source):
            offenders.append(f"{path.relative_to(REPO)} reads bot/text/data")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Tuple | ast.Set | ast.List) and len(node.elts) >= 3:
                values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if {"en", "de", "fr"} <= values:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} lists languages")
    assert offenders == []


# -- reading one folder: what is optional, what fails -----------------------------------------


def _folder(tmp_path: Path, toml: str, **lists: str) -> Path:
    folder = tmp_path / "xx"
    folder.mkdir()
    (folder / "language.toml").write_text(toml, encoding="utf-8")
    for name, text in lists.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def test_a_folder_with_only_code_and_name_loads_with_empty_knowledge(tmp_path: Path) -> None:
    lang = load_language(_folder(tmp_path, 'code = "xx"\nname = "Test"\n'))
    assert (lang.code, lang.name) == ("xx", "Test")
    assert not lang.abbreviations and not lang.stopwords and not lang.cue_verbs
    assert not lang.quote_pairs and not lang.honorifics and not lang.guess_words
    assert lang.capitalises_nouns is False and lang.ordinal_numbers is False


def test_word_lists_beside_the_toml_are_read(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        'code = "xx"\nname = "Test"\n[names]\nhonorifics = { zir = "u" }\n',
        abbreviations="# a comment\nzz title\nnum num\nabc\n",
        cues="blorfed\n+by way of\n",
        stopwords="qua\n",
        titles="Chief.\n",
    )
    lang = load_language(folder)
    assert dict(lang.abbreviations) == {"zz": "title", "num": "num", "abc": ""}
    assert lang.cue_verbs == ("blorfed",) and lang.cue_prepositions == ("by way of",)
    assert lang.stopwords == {"qua"} and lang.titles == {"chief"}
    assert dict(lang.honorifics) == {"zir": "u"}


@pytest.mark.parametrize(
    ("toml", "lists", "message"),
    [
        ('name = "Test"\n', {}, "code must be a non-empty string"),
        ('code = "yy"\nname = "Test"\n', {}, "differs from its folder"),
        ('code = "xx"\n', {}, "name must be a non-empty string"),
        ('code = "xx"\nname = "Test"\nguess_word = "a b"\n', {}, "unknown field 'guess_word'"),
        ('code = "xx"\nname = "Test"\n[quote]\npairs = []\n', {}, "unknown table [quote]"),
        ('code = "xx"\nname = "Test"\ncapitalises_nouns = "yes"\n', {}, "true or false"),
        ('code = "xx"\nname = "Test"\n[names]\nparticles = "von"\n', {}, "names.particles"),
        ('code = "xx"\nname = "Test"\n[names]\nhonorifics = { mr = "x" }\n', {}, "honorifics"),
        ('code = "xx"\nname = "Test"\n[quotes]\npairs = [["<<", ">>"]]\n', {}, "quotes.pairs"),
        ('code = "xx"\nname = "Test"\n', {"abbreviations": "mr titel\n"}, "kind must be"),
        ('code = "xx"\nname = "Test"\n[grammar]\npronouns = { on = "n" }\n', {}, "pronouns"),
        ('code = "xx"\nname = "Test"\n[grammar]\nnot_name = ["i"]\n', {}, "'not_name'"),
        ('code = "xx"\nname = "Test"\n[grammar]\npro_drop = 1\n', {}, "grammar.pro_drop"),
        ('code = "xx"\nname = "Test"\n[quotes]\ndash_speech = "y"\n', {}, "quotes.dash_speech"),
        ('code = "xx"\nname = "Test"\n[names]\nendings = { m = ["a"] }\n', {}, "names.endings"),
        ('code = "xx"\nname = "Test"\n[names]\nendings = { x = [] }\n', {}, "names.endings"),
        ('code = "xx"\nname = "Test"\n', {"boilerplate": "ok\n(unclosed\n"}, "line 2"),
        ('code = "xx"\nname = [\n', {}, "language.toml"),
    ],
)
def test_broken_data_fails_naming_the_file_and_field(
    tmp_path: Path, toml: str, lists: dict[str, str], message: str
) -> None:
    with pytest.raises(LanguageDataError) as error:
        load_language(_folder(tmp_path, toml, **lists))
    assert message in str(error.value)
    assert "data/languages/xx/" in str(error.value)


def test_grammar_and_name_endings_are_read(tmp_path: Path) -> None:
    toml = (
        'code = "xx"\nname = "Test"\n'
        '[names]\nendings = { m = [["a", ""], ["ego", "y"]], f = [["ą", "a"]] }\n'
        "[quotes]\ndash_speech = true\n"
        '[grammar]\npronouns = { zo = "m", za = "f", zi = "p" }\nnot_names = ["Quoth"]\n'
        'pro_drop = true\noblique = { tun = "m" }\n'
    )
    lang = load_language(_folder(tmp_path, toml))
    assert lang.name_endings["m"] == (("ego", "y"), ("a", ""))  # longest ending first
    assert lang.dash_speech and lang.pro_drop
    assert dict(lang.pronouns) == {"zo": "m", "za": "f", "zi": "p"}
    assert lang.not_names == {"quoth"} and dict(lang.oblique) == {"tun": "m"}


def test_languages_whose_dialogue_opens_with_a_dash_say_so_and_list_their_grammar() -> None:
    for code in ("ru", "uk", "pl"):
        lang = language_info(code)
        assert lang is not None and lang.dash_speech and lang.name_endings and lang.pro_drop
    for code in ("en", "de", "fr", "es", "el", "zh"):
        assert not language_info(code).dash_speech  # type: ignore[union-attr]
    for code in ("ru", "uk", "pl", "el", "zh"):
        lang = language_info(code)
        assert lang is not None and lang.cue_verbs and lang.pronouns and lang.titles


def test_a_folder_without_language_toml_fails(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    with pytest.raises(LanguageDataError, match=r"language\.toml is missing"):
        load_language(tmp_path / "xx")


# -- adding a language by data alone ----------------------------------------------------------

# A made-up language whose words are not in any real list, so only its own data can explain
# what the steps do with it: its title abbreviation keeps "Zzv. Okafor" in one sentence, its
# speech cue attributes a quote, its quote marks ‹…› are paired, its function words are guessed.
TEST_LANGUAGE = {
    "language.toml": """
code = "xx"
name = "Testish"
guess_words = "qua vel nix tam"
[quotes]
pairs = [["‹", "›"]]
closing_marks = "›"
[byline]
by = ["porr"]
""",
    "abbreviations.txt": "zzv title\n",
    "cues.txt": "blorfed\n",
    "stopwords.txt": "qua\nvel\nnix\ntam\nthe\n",
    "boilerplate.txt": "zapp (?:this|that)\n",
}
PROBE = """
import json
from bot.article.clean import clean_paragraphs
from bot.quotes.finder import extract_quotes
from bot.text import guess_language, split_sentences
paragraphs = [
    "Zzv. Okafor qua vel nix tam the harbour. Then the boats came.",
    "‹We will build the bridge before the winter comes,› blorfed Ann Okafor.",
    "Zapp this",
]
quotes = extract_quotes(paragraphs[:2], "xx")
print(json.dumps({
    "sentences": split_sentences(paragraphs[0], "xx"),
    "quotes": [[q.text, q.speaker] for q in quotes],
    "guess": guess_language("qua vel nix tam qua vel nix tam qua vel nix tam"),
    "kept": clean_paragraphs(paragraphs + ["Porr Ann Okafor"], None, None, "xx"),
}))
"""


def test_a_language_added_as_data_alone_works_end_to_end(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    folder = copy / "bot" / "text" / "data" / "languages" / "xx"
    folder.mkdir()
    for name, text in TEST_LANGUAGE.items():
        (folder / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(copy)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=copy, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["sentences"] == [
        "Zzv. Okafor qua vel nix tam the harbour.",
        "Then the boats came.",
    ]
    assert result["quotes"] == [["We will build the bridge before the winter comes,", "Ann Okafor"]]
    assert result["guess"] == "xx"
    kept, byline = result["kept"]  # the boilerplate line goes, the "Porr" line is the byline
    assert kept == [
        "Zzv. Okafor qua vel nix tam the harbour. Then the boats came.",
        "‹We will build the bridge before the winter comes,› blorfed Ann Okafor.",
    ]
    assert byline == "Ann Okafor"


def test_the_same_probe_without_the_language_shows_the_data_is_what_matters() -> None:
    # In the real registry "xx" is unknown: no title "Zzv.", no cue, no ‹…› marks.
    assert guess_language("qua vel nix tam qua vel nix tam qua vel nix tam") != "xx"
    assert language_info("xx") is None
    assert "‹" not in quote_marks().double
    assert split_sentences("Zzv. Okafor came. Then the boats came.", "xx") == [
        "Zzv.",
        "Okafor came.",
        "Then the boats came.",
    ]
