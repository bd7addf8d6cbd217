"""The cue verbs' regex is written as a trie for speed: it must find exactly what the plain
alternation of the same words, longest first, finds, in every language and on tricky text."""

from __future__ import annotations

import re

import pytest

from bot.quotes.attribution import _cue_regexes, _cue_verbs, cue_language, longest_first
from bot.text import languages

_EDGES_BEFORE, _EDGES_AFTER = r"(?<![\w’'-])", r"(?![\w’'-])"

# Cues inside longer words, cues next to apostrophes and hyphens, multi-word cues broken by
# several spaces or a line break, capitalised cues opening a sentence, in the languages we read.
_TRICKY = [
    "“We will stay,” said in a statement the mayor; unsaid, she said-so, he said’s, “No,” Said.",
    "He said  in\na statement that he was told reporters were told. Adding: “fine.” saidsaid",
    "„Wir bleiben“, sagte Merkel. Sie sagte, erklärte und betonte: „Nein.“ versagte",
    "« Non », a déclaré le ministre, a-t-il déclaré. Selon lui, déclarait-il, « jamais ».",
    "«Мы не уйдём», — сказал Путин. — Никогда, — заявил он, сказала она; пересказал, По словам",
    "– Nie wiem – powiedział Tusk. Dodał: „Nigdy”. Powiedziała, że… odpowiedziałam, zdaniem",
    "«Δεν φεύγουμε», δήλωσε ο Τσίπρας. Και συμπλήρωσε: «Ποτέ». Τόνισε ότι, σύμφωνα με",
    "“我们不走，”他说。外交部发言人华春莹表示：“绝不。”她指出，据称",
    "Dijo el ministro: «No». Según él, afirmó que explicó-lo; dijeron, DIJO",
]


def _flat(language: str | None) -> re.Pattern[str]:
    """The cue verbs as one flat alternation, longest first: what the trie replaces."""
    words = sorted(_cue_verbs(language), key=len, reverse=True)
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"{_EDGES_BEFORE}(?:{alt}){_EDGES_AFTER}")


@pytest.mark.parametrize("code", [None, *sorted(lang.code for lang in languages())])
def test_trie_finds_what_the_flat_alternation_finds(code: str | None) -> None:
    language = cue_language(code)
    trie, flat = _cue_regexes(language)[0], _flat(language)
    words = list(_cue_verbs(language))
    # every cue on its own, glued to letters, and all of them in one long text
    texts = [*_TRICKY, " ".join(words), ", ".join(w.upper() for w in words)]
    texts += [f"x{w} {w}x {w}-{w} ’{w} «{w}»" for w in words[:200]]
    for text in texts:
        found = [(m.span(), m.group(0)) for m in trie.finditer(text)]
        assert found == [(m.span(), m.group(0)) for m in flat.finditer(text)], text
        for at in range(0, len(text), 3):  # `match` at a position, as the rules use it
            got, want = trie.match(text, at), flat.match(text, at)
            assert (got and got.group(0)) == (want and want.group(0))


def test_longest_word_wins_where_several_match() -> None:
    pattern = re.compile(longest_first(["said", "said in a statement", "say", "s"]) + r"\b")
    assert pattern.match("said in  a\nstatement today").group(0) == "said in  a\nstatement"
    assert pattern.match("said in a hurry").group(0) == "said"
    assert pattern.match("says") is None  # "say" and "s" go on into a longer word
    assert [m.group(0) for m in pattern.finditer("say s said")] == ["say", "s", "said"]


def test_special_characters_are_escaped() -> None:
    pattern = re.compile(longest_first(["a.b", "c+", "(d)"]))
    assert pattern.fullmatch("a.b") and not pattern.fullmatch("axb")
    assert pattern.fullmatch("c+") and pattern.fullmatch("(d)")
