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


def _brief_page(name: str) -> dict:
    return analyse_html(name, (PAGES / name).read_bytes(), None).to_json()


def test_russian_page_chrome_glued_into_the_text_is_never_briefed() -> None:
    out = _brief_page("katok-tambov.html")
    story = [
        "Каток площадью две тысячи",
        "На открытии побывали",
        "Вход на лёд бесплатный",
        "По словам директора парка",
        "Заливку льда",
        "В следующем году",
        "На эти цели",
    ]
    assert len(out["briefing"]) >= 3
    for item in out["briefing"]:
        assert item.startswith(tuple(story)), item  # not the feed, the footer, the glued kicker
    assert "Вы можете читать ответы и комментарии" not in out["text"]  # blog-engine furniture


def test_polish_teasers_prompts_and_feed_lines_are_never_briefed() -> None:
    out = _brief_page("basen-lublin.html")
    assert out["briefing"][0] == (
        "Nowy basen miejski przy ulicy Sportowej przyjął w sobotę pierwszych pływaków."
    )
    for item in out["briefing"]:
        assert not re.search(r"[!?]|\||\d\d:\d\d|Hollywood", item), item


def test_chinese_table_layout_portal_page_is_briefed() -> None:
    out = _brief_page("gangtie-chuxi.html")
    assert out["language"] == "zh"
    assert out["briefing"][0].startswith("港島鐵路公司表示")
    assert all(item.endswith("。") for item in out["briefing"])


def test_a_page_whose_fast_text_has_nothing_to_brief_gets_the_fallbacks(monkeypatch) -> None:
    import trafilatura

    sidebar = "\n".join(
        [
            "Оленеводы – в первых рядах",
            "Внимание! Новая рубрика — колонка главного редактора",
            "Аудитория газеты снова выросла и превысила миллион человек!",
            "Подписка на газету на первое полугодие открыта во всех отделениях почты страны "
            "до двадцатого декабря",
        ]
        * 3
    )
    story = "\n".join(
        [
            "Городской каток на набережной открылся в субботу утром и принял три тысячи человек.",
            "Вход на лёд бесплатный, а прокат коньков стоит сто рублей в час.",
            "Каток будет работать ежедневно с десяти утра до десяти вечера до конца февраля.",
        ]
    )
    calls: list[bool] = []

    def fake(tree, url=None, include_comments=True, fast=False, **kwargs):
        calls.append(fast)
        return type("Doc", (), {"text": sidebar if fast else story})()

    monkeypatch.setattr(trafilatura, "bare_extraction", fake)
    html = "<html lang='ru'><body><h1>Каток открылся</h1><p>…</p></body></html>"
    out = analyse_html("page", html, None).to_json()
    assert calls == [True, False]
    assert out["briefing"][0].startswith("Городской каток на набережной открылся")
