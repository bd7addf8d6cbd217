"""German, French and Spanish pages through the whole analysis: headline, language, quotes
with their own marks and speakers, and a clean briefing that leaves quotes to the quotes block.
"""

from __future__ import annotations

import re

import pytest

from bot.runtime.analysis import analyse_html
from tests.helpers.article_server import PAGES

OPENING_MARKS = "“„«»‘‚\"'"

CASES = {
    "stadtrat-radweg.html": (
        "de",
        "Stadtrat beschließt Radweg entlang der Uferstraße",
        {"Claudia Reinhardt", "Markus Heller", "Sabine Ott"},
        "„",
    ),
    "greve-cantine.html": (
        "fr",
        "À Valmont, les agents des cantines scolaires en grève",
        {"Nadia Belkacem", "Julien Moreau"},
        "«",
    ),
    "mercado-feria.html": (
        "es",
        "El mercado de San Telmo de Villaclara reabre tras dos años de obras",
        {"Rosa Medina", "Tomás Herrera", "Andrés Villalba"},
        "«",
    ),
}


@pytest.mark.parametrize("page", sorted(CASES))
def test_page_in_its_own_language(page: str) -> None:
    language, headline, speakers, mark = CASES[page]
    html = (PAGES / page).read_bytes()
    briefing = analyse_html(page, html, None)
    assert briefing.error is None
    assert briefing.language == language
    assert briefing.headline == headline

    # every quote printed in the page's own marks is found, with its speaker, verbatim
    assert {q.speaker for q in briefing.quotes} == speakers
    for quote in briefing.quotes:
        for part in quote.text.split(" … "):
            assert part in briefing.text
    firsts = (q.text.split(" … ")[0] for q in briefing.quotes)
    printed = (re.escape(mark) + r"\s?" + re.escape(first) for first in firsts)
    assert any(re.search(pattern, briefing.text) for pattern in printed)

    # a clean briefing: verbatim sentences, none led by a quote, no page furniture
    assert 3 <= len(briefing.briefing) <= 5
    assert sum(map(len, briefing.briefing)) <= 600
    for sentence in briefing.briefing:
        assert sentence in briefing.text
        assert sentence[0] not in OPENING_MARKS
    assert briefing.text.startswith(briefing.briefing[0])  # the lede comes first
