"""The words the attribution rules read around a speaker, for the article's language.

The rules were written for English ("he said", "the spokesman", "who told"); other languages
give their own pronouns, articles, prepositions and relative words in the `[grammar]` table of
their registry folder (docs/languages.md). English words always count too (English turns up in
every language's copy). When the language is unknown, only the words of scripts other than
Latin join English: a Cyrillic "он" cannot be mistaken for an English word, a Polish "on" can.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from bot.text import BASE_LANGUAGE, Language, language_info, languages


@dataclass(frozen=True, slots=True)
class Grammar:
    """Words of the article's language (plus English) that frame a speaker phrase."""

    code: str | None  # the language the rules were chosen for (None: unknown)
    pronouns: Mapping[str, str]  # other languages' pronouns: "он" -> "m", "ona" -> "f"
    determiners: frozenset[str]
    prepositions: frozenset[str]
    relatives: frozenset[str]
    fillers: frozenset[str]
    not_names: frozenset[str]
    not_cues: frozenset[str]
    oblique: Mapping[str, str]  # "τον" -> "m": the name after it is in an oblique case
    pro_drop: bool  # a cue with no subject speaks for the person last spoken of
    strict_names: bool  # a lone capitalised word is a name only if capitalised mid-sentence too
    declines: bool  # names change form by case (Путина, Tuska): compare them by their forms


def _latin(word: str) -> bool:
    """Is `word` written in the Latin script (so it could be an English word)?"""
    return all(ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in word if ch.isalpha())


@cache
def grammar(language: str | None) -> Grammar:
    """The merged word lists for `language` ("pl", "ru-RU", None)."""
    lang = language_info(language)
    chosen: list[Language]
    if lang is not None and lang.code != BASE_LANGUAGE:
        chosen = [lang]
        keep = None
    else:
        chosen = [other for other in languages() if other.code != BASE_LANGUAGE]
        keep = _latin  # unknown (or English): only words no English word can be

    def merged(field: str) -> frozenset[str]:
        words: set[str] = set()
        for other in chosen:
            words.update(w for w in getattr(other, field) if keep is None or not keep(w))
        return frozenset(words)

    pronouns: dict[str, str] = {}
    oblique: dict[str, str] = {}
    for other in chosen:
        pronouns.update(
            (w, kind) for w, kind in other.pronouns.items() if keep is None or not keep(w)
        )
        oblique.update(
            (w, kind) for w, kind in other.oblique.items() if keep is None or not keep(w)
        )
    own = lang is not None and lang.code != BASE_LANGUAGE
    return Grammar(
        code=lang.code if lang else None,
        pronouns=MappingProxyType(pronouns),
        determiners=merged("determiners"),
        prepositions=merged("prepositions"),
        relatives=merged("relatives"),
        fillers=merged("fillers"),
        not_names=merged("not_names"),
        not_cues=merged("not_cues"),
        oblique=MappingProxyType(oblique),
        pro_drop=bool(own and lang is not None and lang.pro_drop),
        strict_names=bool(own and lang is not None and lang.not_names),
        declines=bool(lang is not None and lang.name_endings),
    )
