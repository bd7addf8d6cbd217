"""The sentence splitter's candidate pattern, written for speed, finds what its plain form finds.

`bot.text.sentences` opens the candidate pattern with one character set (so the regex engine
can skip to the next mark) and folds the glued-period alternative into it. These tests keep
the plain form, "terminal marks, closers, space" or "a glued period", and ask both for the
same matches, groups included, on tricky text in every script and on random strings made of
the characters that matter.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import language_info, sentences
from bot.text.sentences import _tables_for

_PLAIN_SPACED = (
    r"(?P<punct>[.!?…‽{ends}]+)"
    rf"(?P<closers>[{re.escape(sentences._CLOSERS)}]*)"
    r"(?:[ \u00a0\u202f]»(?=\s|$))?"
    r"(?=\s|$)"
)
_PLAIN_GLUED = (
    rf"(?P<glued>\.(?<=[{sentences._LOWER}]{{4}}\.)"
    rf"(?=[{sentences._UPPER}][{sentences._LOWER}]{{2}}))"
)
LANGUAGES = (None, "en", "de", "fr", "ru", "pl", "el", "zh")


def _plain(language: str | None, wide: bool) -> re.Pattern[str]:
    tables = _tables_for(language)
    lang = language_info(language)
    own = "".join(sorted({ch for ch in (lang.sentence_ends if lang else "") if ch.isascii()}))
    plain = f"{_PLAIN_SPACED.replace('{ends}', re.escape(own))}|{_PLAIN_GLUED}"
    if wide:
        assert tables.wide_candidate is not None
        unspaced = tables.wide_candidate.pattern.split("|(?P<punct>")[0]
        plain = f"{unspaced}|{plain}"
    return re.compile(plain)


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, bool, bool, str]]:
    """Each match's span, whether it is a wide mark or a glued period, and its closers."""
    return [
        (
            m.start(),
            m.end(),
            "wide" in pattern.groupindex and m.group("wide") is not None,
            m.group("glued") is not None,
            m.group("closers") or "",
        )
        for m in pattern.finditer(text)
    ]


def _agree(text: str) -> None:
    for language in LANGUAGES:
        tables = _tables_for(language)
        assert _found(tables.candidate, text) == _found(_plain(language, False), text), (
            language,
            text,
        )
        if tables.wide_candidate is not None:
            wide = tables.wide_candidate
            assert _found(wide, text) == _found(_plain(language, True), text), (language, text)


TEXTS = [
    "He left.The stabbing happened... at 9 a.m. “Why?” she asked! Done.",
    "St.Petersburg, г.Москва, Lenta.Ru and death.The end..The next. » Bon. « Oui ! »",
    "Es ist 3. Oktober. Er sagte: „Nein.“ Dann ging er… Weiter?! Ja‽",
    "Он ушёл.Потом вернулся. «Нет», — сказал он. Конец!..",
    "Πού πας; Στο σπίτι. Ο κ.Παπαδόπουλος είπε.Αύριο",
    "地铁开通了。“好！”他说。真的吗？是的",
    "word.. Word. word.Word wordy.Wor wordy.WORD (end.) [end!] 'end.' ” . ",
    "",
    ".",
    "a.B",
]


def test_the_candidate_pattern_matches_as_its_plain_form_does() -> None:
    for text in TEXTS:
        _agree(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aeoxłаяαέAÉŁДΔ .!?…‽;。！？\"'”“’‘»«)]」』\u00a0\n", max_size=40))
def test_the_candidate_pattern_agrees_on_random_text(text: str) -> None:
    _agree(text)
