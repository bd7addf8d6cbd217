"""extract_article on our fixture pages (nav, ads, captions, share bars, JSON-LD, OpenGraph,
odd quote marks, four languages), the seed page, a paywall teaser and hostile input."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.article.clean import clean_article
from bot.article.extract import choose_date, extract_article, opening_language
from bot.article.metadata import PageMeta
from bot.errors import PipelineError
from bot.models import ErrorKind
from tests.helpers.paths import PAGES, SEED, needs_shared


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.fixture(scope="module")
def council():
    return extract_article(page("council-vote.html"), "http://127.0.0.1:9/pages/council-vote.html")


def test_council_metadata(council):
    assert council.headline == "Harbourside council votes to close Mill Lane bridge to cars"
    assert council.byline == "Jane Doe"
    assert council.site == "The Example Gazette"
    assert council.published == "2024-03-14"
    assert council.language == "en"
    # og:url / canonical is absolute http(s), so it wins over the URL we fetched.
    assert council.url == (
        "https://www.example-gazette.test/local/2024/03/14/council-votes-to-close-mill-lane-bridge"
    )
    # a relative og:image is made absolute against the page URL
    assert council.image == "https://www.example-gazette.test/media/2024/03/mill-lane-bridge.jpg"
    assert council.description.startswith("Councillors backed the plan")


def test_council_body_keeps_quotes_verbatim_and_drops_page_furniture(council):
    text = council.text
    assert "“This bridge was built for horses and carts, not for 9,000 cars a day,”" in text
    assert "‘People will see the difference within months,’ she told the meeting." in text
    assert "“My advice has not changed,” Dr Marsh said." in text
    assert "Okafor said the traders’ association would ask the council" in text
    for furniture in ("Accept all cookies", "Subscribe", "Comments are closed", "Storm warning"):
        assert furniture not in text
    assert not any(p.strip() == "Advertisement" for p in council.paragraphs)


def test_council_after_cleaning_has_no_boilerplate(council):
    cleaned = clean_article(council)
    assert cleaned.paragraphs[0].startswith("Harbourside’s town council voted on Thursday")
    text = cleaned.text
    for junk in ("Share this article", "Read more", "Sign up", "©", "Photo:", "Download our app"):
        assert junk not in text
    assert cleaned.headline not in cleaned.paragraphs
    assert len(cleaned.paragraphs) == 10


def test_german_page_kicker_and_quote_marks():
    article = clean_article(extract_article(page("stadtrat-radweg.html")))
    # h1 is "Lokales Stadtrat …" (section kicker in a span), og:title has the headline alone
    assert article.headline == "Stadtrat beschließt Radweg entlang der Uferstraße"
    assert article.language == "de"
    assert article.byline == "Anna Berg"
    assert article.published == "2023-09-21"
    assert "„Wir holen nach, was seit zwanzig Jahren versprochen wird“, sagte" in article.text
    assert "»Die Pendler aus dem Umland haben keine Alternative" in article.text
    assert not any(p.startswith(("Von Anna Berg", "Lesen Sie auch")) for p in article.paragraphs)


def test_french_page_site_prefix_and_guillemets():
    article = clean_article(extract_article(page("greve-cantine.html")))
    # <title> is "Le Courrier d'Exemple : À Valmont, …": the site prefix is not the headline
    assert article.headline == "À Valmont, les agents des cantines scolaires en grève"
    assert article.site == "Le Courrier d'Exemple"
    assert article.byline == "Marie Dupont"
    assert article.language == "fr"
    assert article.published == "2023-11-08"
    assert "« Nous servons quatre cents repas avec une équipe prévue pour deux cents »" in (
        article.text
    )
    assert "Par Marie Dupont" not in article.text
    assert "newsletter" not in article.text and "À lire aussi" not in article.text


def test_spanish_page_two_authors_and_site_suffix():
    article = clean_article(extract_article(page("mercado-feria.html")))
    assert article.headline == "El mercado de San Telmo de Villaclara reabre tras dos años de obras"
    assert article.byline == "Lucía Fernández; Diego Santos"
    assert article.language == "es"
    assert article.url == "https://www.diario-ejemplo.test/ciudad/mercado-san-telmo-reabre"
    assert "«Es como volver a casa», dijo Rosa Medina" in article.text
    assert "Lee también" not in article.text and "boletín" not in article.text
    assert article.paragraphs[0].startswith("El histórico mercado")


@pytest.mark.parametrize(
    ("name", "headline", "byline", "language"),
    [
        # <title> "…_财经_华东晨报网": channel and site joined by "_"; "字号 大 中 小" sits in an
        # author-classed span before "作者：王丽华"
        ("ditie-donghu.html", "东湖新区地铁3号线延伸段今日开通运营", "王丽华", "zh"),
        # "ΗΜΕΡΗΣΙΑ ΑΚΤΗ - … - κοινωνία": the site in capitals (accents dropped), a section after
        (
            "metro-kalamaria.html",
            "Άνοιξε ο νέος σταθμός του μετρό στην Καλαμαριά",
            "Ελένη Μαυρίδου",
            "el",
        ),
        # meta author "express1" is a CMS account; "Войти" a login link in a header-author div
        ("most-zarechye.html", "В Заречье открыли новый мост через Оку", "Ирина Соколова", "ru"),
        # "Zaloguj się" in a user-author div before "Autor: Katarzyna Nowak"
        ("tramwaj-ruczaj.html", "Nowa linia tramwajowa na Ruczaj otwarta", "Katarzyna Nowak", "pl"),
    ],
)
def test_headline_and_byline_in_every_script(name, headline, byline, language):
    article = clean_article(extract_article(page(name)))
    assert article.headline == headline
    assert article.byline == byline
    assert article.language == language


def test_a_comment_counter_does_not_glue_onto_the_first_word():
    html = (
        "<html><body><article><h1>Три новые станции</h1>"
        + "".join(
            f'<p><a class="article-commented-link comments_count" title="x">{n}</a>'
            f"Абзац номер {n} рассказывает о строительстве новых станций метро в городе.</p>"
            for n in range(4)
        )
        + "</article></body></html>"
    )
    article = extract_article(html)
    starts = [p for p in article.paragraphs if "Абзац номер" in p]
    assert len(starts) == 4
    assert all(p.startswith("Абзац номер") for p in starts)


def test_paywall_teaser_is_not_an_article():
    with pytest.raises(PipelineError) as caught:
        extract_article(page("paywall-teaser.html"))
    assert caught.value.kind is ErrorKind.NOT_ARTICLE
    assert "teaser" in caught.value.message


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        b"",
        b"\x00" * 512,
        os.urandom(4096),
        "just a line of text with no markup",
        "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
    ],
)
def test_empty_or_garbage_input_is_not_an_article(html):
    with pytest.raises(PipelineError) as caught:
        extract_article(html)
    assert caught.value.kind is ErrorKind.NOT_ARTICLE
    assert caught.value.message


def test_deeply_nested_divs_fail_cleanly():
    html = (
        "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000 + "</body></html>"
    )
    with pytest.raises(PipelineError) as caught:
        extract_article(html)
    assert caught.value.kind in (ErrorKind.NOT_ARTICLE, ErrorKind.EXTRACTION)


def test_twenty_megabyte_single_line_page_is_refused():
    html = "<html><body><p>" + "word " * 4_000_000 + "</p></body></html>"
    with pytest.raises(PipelineError) as caught:
        extract_article(html)
    assert caught.value.kind is ErrorKind.TOO_LARGE
    assert "MB" in caught.value.message


def test_extractor_crash_becomes_extraction_error(monkeypatch):
    import trafilatura

    def boom(*args, **kwargs):
        raise ValueError("parser exploded")

    monkeypatch.setattr(trafilatura, "bare_extraction", boom)
    with pytest.raises(PipelineError) as caught:
        extract_article(page("council-vote.html"))
    assert caught.value.kind is ErrorKind.EXTRACTION


ARTICLE = """<html><head>{head}</head><body><article><h1>Ferry timetable cut for winter</h1>
<p>The island ferry will sail four times a day instead of seven from November, the operator
said on Monday, blaming a shortage of crew and the rising price of fuel.</p>
<p>Passengers who commute to the mainland said the change would make it impossible to reach
the first shift at the hospital, which starts at seven in the morning.</p>
<p>The operator said it would review the timetable in the spring after talks with the council
and with the unions that represent its deck and engine crews.</p></article></body></html>"""


def test_given_url_is_kept_without_canonical_and_relative_canonical_is_ignored():
    given = "https://news.example.test/island/ferry"
    assert extract_article(ARTICLE.format(head=""), given).url == given
    relative = '<link rel="canonical" href="/island/ferry-timetable">'
    assert extract_article(ARTICLE.format(head=relative), given).url == given
    home = '<link rel="canonical" href="https://news.example.test/">'
    assert extract_article(ARTICLE.format(head=home), given).url == given


def test_language_is_guessed_when_the_page_does_not_say():
    article = extract_article(ARTICLE.format(head=""))
    assert article.language == "en"
    assert article.headline == "Ferry timetable cut for winter"


def test_declared_legacy_encoding_is_decoded():
    html = ARTICLE.format(head='<meta charset="iso-8859-1">').replace("Ferry", "Fähre")
    article = extract_article(html.encode("iso-8859-1"))
    assert article.headline == "Fähre timetable cut for winter"


def test_opening_language_from_the_text_the_declaration_a_tie_breaker():
    assert opening_language(
        ["Der Rat hat am Montag die neue Straße für den Verkehr freigegeben."]
    ) == ("de")
    assert opening_language(["Le conseil a voté pour la fermeture du pont et des rues."]) == "fr"
    assert opening_language(["El consejo votó por la reforma del mercado y de las calles."]) == "es"
    assert opening_language(["42"]) is None
    assert opening_language(["42"], hint="en-IE") == "en"
    assert opening_language(["42"], hint="english") is None  # not a language code
    greek = ["Το δημοτικό συμβούλιο αποφάσισε να κλείσει τη γέφυρα για τα αυτοκίνητα."]
    assert opening_language(greek, hint="en") == "el"


@needs_shared
def test_seed_article_html():
    article = extract_article((SEED / "article.html").read_bytes())
    assert article.headline == "No progress seen after Russia-US talks over Ukraine tensions"
    assert article.byline == "Matthew Lee"
    assert article.site == "BreakingNews.ie"
    assert article.published == "2022-01-10"
    cleaned = clean_article(article)
    text = cleaned.text
    for junk in ("Share this article", "Read More", "Pool via AP", "©", "Download our Apps"):
        assert junk not in text
    assert cleaned.paragraphs[0].startswith("The United States and Russia locked horns")
    assert cleaned.paragraphs[-1].startswith("As President Putin said")


def test_menu_grabbed_by_the_fast_path_triggers_one_fallback_run(monkeypatch):
    import trafilatura

    menu = "\n".join(f"Section {n}" for n in range(40))
    story = "\n".join(
        ["The harbour bridge will close to cars from July, the council decided on Thursday."] * 4
    )
    calls = []

    def fake(tree, url=None, include_comments=True, fast=False, **kwargs):
        calls.append(fast)
        return SimpleNamespace(text=menu if fast else story)

    monkeypatch.setattr(trafilatura, "bare_extraction", fake)
    article = extract_article(ARTICLE.format(head=""))
    assert calls == [True, False]
    assert article.paragraphs[0].startswith("The harbour bridge will close")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "<div>",
                "</div>",
                "<p>",
                "</p>",
                "<h1>",
                "</h1>",
                "<title>",
                "&amp;",
                "&#0;",
                "\x00",
                '<script type="application/ld+json">{"@type":',
                "</script>",
                "“",
                "By Jane Doe, AP",
                "<!--",
                "word " * 30,
                '<?xml version="1.0" encoding="utf-8"?>',
            ]
        )
        | st.text(max_size=40),
        max_size=60,
    ),
    st.booleans(),
)
def test_arbitrary_markup_gives_an_article_or_a_pipeline_error(parts, as_bytes):
    html = "".join(parts)
    data = html.encode("utf-8", "surrogatepass") if as_bytes else html
    try:
        article = extract_article(data)
    except PipelineError as error:
        assert error.message
    else:
        assert article.paragraphs and all(p.strip() for p in article.paragraphs)


# --- choose_date: which date signal wins ---------------------------------------------------


def _never() -> str:
    raise AssertionError("htmldate should not run when the page's own signals decide")


def _page(body: str):
    from lxml import html as lxml_html

    return lxml_html.document_fromstring(f"<html><body>{body}</body></html>")


def test_dateline_beats_declared_metadata_and_skips_htmldate():
    # The CMS declared the draft's date; readers see the date printed under the headline.
    meta = PageMeta(meta_date="2021-12-20", meta_timestamp=True, dateline="2022-01-27")
    assert choose_date(meta, _never) == "2022-01-27"


def test_without_declared_date_label_then_time_then_dateline_then_htmldate():
    labelled = _page(
        '<h1>H</h1><p>Veröffentlicht am 16.08.2019</p><time datetime="2019-08-24">x</time>'
    )
    assert choose_date(PageMeta(dateline="2019-08-20"), _never, labelled) == "2019-08-16"
    timed = _page('<h1>H</h1><time datetime="2022-01-25T08:00:00+01:00">25.01.2022</time>')
    assert choose_date(PageMeta(dateline="2022-01-20"), _never, timed) == "2022-01-25"
    assert choose_date(PageMeta(dateline="2022-01-20"), _never, _page("<p>x</p>")) == "2022-01-20"
    assert choose_date(PageMeta(), lambda: "2020-03-01", _page("<p>x</p>")) == "2020-03-01"


def test_declared_date_still_beats_the_body_signals_htmldate_agrees_with():
    # With a declared date and no dateline, htmldate (which reads the declaration) decides.
    meta = PageMeta(ld_date="2021-05-04", ld_timestamp=True)
    assert choose_date(meta, lambda: "2021-05-04", _page("<p>Published: 01.01.2020</p>")) == (
        "2021-05-04"
    )


def test_one_day_timezone_gap_prefers_local_stamp_but_not_utc_against_the_url_date():
    local = PageMeta(ld_date="2022-05-07", ld_timestamp=True)
    assert choose_date(local, "2022-05-06") == "2022-05-07"
    utc = PageMeta(
        ld_date="2020-02-25",
        ld_timestamp=True,
        ld_utc=True,
        canonical="https://news.example.test/2020/02/24/actor-leaves-studio/",
    )
    assert choose_date(utc, "2020-02-24") == "2020-02-24"
    utc.canonical = "https://news.example.test/actor-leaves-studio/"
    assert choose_date(utc, "2020-02-24") == "2020-02-25"


def test_a_bare_year_in_the_text_is_not_a_publication_date():
    page = (
        "<html><head><title>Fares row | Gazette</title></head><body><article><h1>Fares row</h1>"
        "<p>The council debated ferry fares on Monday evening for many hours in the town hall. "
        "The fare rose 12 percent in 1995 and again in 2003, officials recalled.</p>"
        "<p>Adults now pay 4.50 and children 2.25 for the crossing, which takes twenty "
        "minutes in calm weather and longer when the wind turns.</p></article></body></html>"
    )
    assert extract_article(page).published is None
    dated = page.replace("Monday evening", "Monday evening (1 January 2003)")
    assert extract_article(dated).published == "2003-01-01"


# --- htmldate: quick pass, then a bounded extensive search -----------------------------------

UNDATED_PAGE = """<html><head><title>Harbour ferry returns</title></head><body><article>
<h1>Harbour ferry returns</h1><p>The island ferry runs again from Monday, the operator said,
after a winter of repairs to the slipway and the engines that left commuters on the bus.</p>
<p>Repairs cost 2.4 million, most of it from the regional storm fund.</p>
</article></body></html>"""


def test_htmldate_runs_once_per_page_and_loads_dateparser_only_for_undated_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import htmldate
    from trafilatura.utils import load_html

    from bot.article import extract

    passes: list[bool] = []
    real = htmldate.find_date

    def counting(*args: object, extensive_search: bool = True, **kwargs: object) -> object:
        passes.append(extensive_search)
        return real(*args, extensive_search=extensive_search, **kwargs)

    monkeypatch.setattr(htmldate, "find_date", counting)
    loads: list[bool] = []
    monkeypatch.setattr(extract, "_warm_dateparser", lambda: loads.append(True))
    declared = '<html><head><meta property="article:published_time" content="2024-03-14">'
    page = load_html(declared + "</head><body><p>x</p></body></html>")
    assert extract._date(page, None) == "2024-03-14"
    assert (passes, loads) == ([True], [])
    extract._date(load_html(UNDATED_PAGE), None, declared=False)
    assert (passes, loads) == ([True, True], [True])


def test_a_slow_extensive_date_search_is_abandoned_and_the_page_still_briefed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import htmldate

    from bot.article import extract

    real = htmldate.find_date

    def endless_when_extensive(*args: object, extensive_search: bool = True, **kw: object):
        while extensive_search:  # a page that sends the body search into a spin
            sum(range(1000))
        return real(*args, extensive_search=extensive_search, **kw)

    monkeypatch.setattr(htmldate, "find_date", endless_when_extensive)
    monkeypatch.setattr(extract, "DATE_SEARCH_SECONDS", 0.05)
    article = extract_article(UNDATED_PAGE, None)
    assert article.headline == "Harbour ferry returns" and article.published is None


def test_htmldate_uses_a_dateparser_limited_to_our_languages() -> None:
    """If a new htmldate stops building its parser in `get_external_parser`, this says so:
    the first date string of every process would cost seconds again."""
    import htmldate.extractors

    from bot.article.extract import _lean_dateparser, dateparser_languages

    _lean_dateparser()
    parser = htmldate.extractors.get_external_parser()
    assert parser.languages == dateparser_languages()
    assert {"en", "ru", "zh"} <= set(parser.languages)
    assert str(parser.get_date_data("mercredi 3 mai 2023")["date_obj"]).startswith("2023-05-03")


def test_dateparser_tries_the_article_language_and_english_only() -> None:
    """The first odd date string of a process no longer loads every registry language's
    tables: a German page's parser knows German and English, and still reads both."""
    import htmldate.extractors

    from bot.article.extract import (
        _DATE_LANGUAGES,
        _lean_dateparser,
        date_languages,
        dateparser_languages,
    )

    assert date_languages("de") == ("de", "en")
    assert date_languages("en") == ("en",)
    assert date_languages("xx") is None and date_languages(None) is None  # every language
    _lean_dateparser()
    token = _DATE_LANGUAGES.set(date_languages("de"))
    try:
        parser = htmldate.extractors.get_external_parser()
        assert parser.languages == ["de", "en"]
        assert str(parser.get_date_data("5. Oktober 2003")["date_obj"]).startswith("2003-10-05")
        assert str(parser.get_date_data("Jan 04 09:34 2021")["date_obj"]).startswith("2021-01-04")
    finally:
        _DATE_LANGUAGES.reset(token)
    assert htmldate.extractors.get_external_parser().languages == dateparser_languages()


def test_a_layout_table_page_loses_its_bars_and_empty_rows():
    article = extract_article(page("gangtie-chuxi.html"))
    assert not [p for p in article.paragraphs if p.startswith("|") or p.endswith("|")]
    story = next(p for p in article.paragraphs if p.startswith("港島鐵路公司表示"))
    assert story.endswith("請留意站內廣播。")


def test_a_real_table_keeps_its_columns_together():
    from bot.article.extract import _table_row

    assert _table_row("| Ward | Votes |") == "| Ward | Votes |"
    assert _table_row("|  | The council met on Monday. |  |") == "The council met on Monday."
    assert _table_row("| Home \\| News |  |") == "Home | News"
    assert _table_row("|  |  |") == ""


def _fake_extraction(monkeypatch, fast_text: str, full_text: str) -> list[bool]:
    import trafilatura

    calls: list[bool] = []

    def fake(tree, url=None, include_comments=True, fast=False, **kwargs):
        calls.append(fast)
        return SimpleNamespace(text=fast_text if fast else full_text)

    monkeypatch.setattr(trafilatura, "bare_extraction", fake)
    return calls


STORY_ZH = "\n".join(
    [
        "苦等近两周的数据显示，这种新药的疗效与安慰剂没有太大区别，投资者纷纷卖出该公司股票。",
        "昨日该公司股票复牌，巨量卖盘直接将股价封死在跌停板上，盘中挂单近一亿股。",
        "一位证券业人士预测，该股在未来几个交易日内仍将面临较大的下跌压力。",
        "公司董事会表示，将在下周公布新药研发的详细数据，并召开投资者说明会。",
    ]
)


def test_a_disclaimer_taken_for_the_article_sends_the_page_to_the_fallbacks(monkeypatch):
    disclaimer = "（责任编辑：关婧）\n本网声明：资讯来源于合作媒体，仅供参考，不构成投资建议。"
    calls = _fake_extraction(monkeypatch, disclaimer, STORY_ZH)
    article = extract_article(ARTICLE.format(head=""))
    assert calls == [True, False]
    assert article.paragraphs[0].startswith("苦等近两周的数据显示")


def test_a_menu_is_not_traded_for_a_short_legal_footer(monkeypatch):
    menu = "\n".join(["首页", ">>", "外汇", ">>", "正文"] * 4 + STORY_ZH.split("\n"))
    footer = "法律声明\n《电子公告服务许可证》编号：闽通信 [2030]1 号\nCopyright © 2030 外汇网"
    calls = _fake_extraction(monkeypatch, menu, footer)
    article = extract_article(ARTICLE.format(head=""))
    assert calls == [True, False]
    assert any(p.startswith("苦等近两周的数据显示") for p in article.paragraphs)
    assert not any("许可证" in p for p in article.paragraphs)


def test_a_chinese_portal_page_of_link_titles_is_a_menu(monkeypatch):
    """Chinese link titles run to 30-50 characters but end no sentence: a fast-path text made
    of them is a menu, and the fallbacks get their run (the short-line test alone missed it)."""
    titles = [f"第{n}屆市議會選舉 候選人掃街拜票爭取支持 選民關心交通與房價問題" for n in range(30)]
    menu = "\n".join(titles + STORY_ZH.split("\n"))
    calls = _fake_extraction(monkeypatch, menu, f"{STORY_ZH}\n{STORY_ZH}")
    article = extract_article(ARTICLE.format(head=""))
    assert calls == [True, False]
    assert article.paragraphs[0].startswith("苦等近两周的数据显示")


def test_chinese_prose_is_not_taken_for_a_menu(monkeypatch):
    from bot.article.extract import _menu_like

    prose = [line for line in STORY_ZH.split("\n") for _ in range(4)]
    assert not _menu_like(prose)
    calls = _fake_extraction(monkeypatch, "\n".join(prose), "")
    extract_article(ARTICLE.format(head=""))
    assert calls == [True]


SIDEBAR_FIRST = """<html><head><title>Tramwaj na Ruczaj pojedzie w maju | Serwis Miejski</title>
</head><body>
<div id="left"><div id="mission"><h2>Misja</h2>
<p>Serwis Miejski to nie jest zwykły <strong>katalog stron</strong>. To miejsce, gdzie możesz
nie tylko <strong>wypromować swoją stronę</strong>, ale także zainteresować internautów.</p>
<p>Jeśli chcesz przybliżyć innym swoje sprawy, <a href="/dodaj">dodaj artykuł</a>.</p>
</div></div>
<div id="center"><h1 class="title">Tramwaj na Ruczaj pojedzie w maju</h1>
<p>Pierwszy tramwaj na nowej trasie na Ruczaj pojedzie w maju, a nie w marcu, jak zapowiadano
wcześniej, poinformował we wtorek zarząd transportu miejskiego.</p>
<p>Opóźnienie wynika z kłopotów z dostawą sieci trakcyjnej. Wykonawca zapewnia, że prace przy
torowisku są już na ukończeniu i że odbiory techniczne rozpoczną się w kwietniu.</p>
<p>Mieszkańcy osiedla od lat czekają na tramwaj. Dziś do centrum dojeżdżają autobusami, które
w godzinach szczytu stoją w korkach na ulicy Kapelanka nawet pół godziny.</p>
<p>Nowa trasa ma długość trzech kilometrów i sześć przystanków. Tramwaje będą kursować co
siedem minut, a wieczorem i w weekendy co kwadrans, zapowiada przewoźnik.</p>
</div></body></html>"""


def test_a_sidebar_printed_before_the_headline_is_not_the_article():
    article = extract_article(SIDEBAR_FIRST)
    assert article.headline == "Tramwaj na Ruczaj pojedzie w maju"
    assert article.paragraphs[0].startswith("Pierwszy tramwaj na nowej trasie")
    assert not any("katalog stron" in p or "dodaj artykuł" in p for p in article.paragraphs)


def test_a_lede_that_scripts_repeat_above_the_headline_stays():
    """JSON-LD in the head, or a script in a sticky header, repeats the lede before the <h1>:
    only text a reader sees above the headline counts as printed before it."""
    lede = (
        "Pierwszy tramwaj na nowej trasie na Ruczaj pojedzie w maju, a nie w marcu, jak "
        "zapowiadano wcześniej, poinformował we wtorek zarząd transportu miejskiego."
    )
    script = f'<script type="application/ld+json">{{"description": "{lede}"}}</script>'
    html = SIDEBAR_FIRST.replace("</head>", f"{script}</head>").replace(
        '<div id="center">', f'<div id="center"><script>var teaser = "{lede}";</script>'
    )
    html = html.replace(html[html.index('<div id="left">') : html.index('<div id="center">')], "")
    article = extract_article(html)
    assert article.paragraphs[0].startswith("Pierwszy tramwaj na nowej trasie")


def test_text_above_a_later_copy_of_the_headline_is_kept():
    """The page prints its headline as a plain line, the story under it, and only then an
    <h2> repeating the headline (a "more on this" box): that heading is a later copy, and the
    story above it stays, as the headline line itself is among the lines above it."""
    from trafilatura.utils import load_html

    from bot.article.extract import _from_headline

    headline = "Tramwaj na Ruczaj pojedzie w maju"
    lede = "Pierwszy tramwaj na Ruczaj pojedzie w maju, poinformował zarząd transportu."
    box = "Czytaj także: " + "inne wiadomości z miasta, remonty i objazdy. " * 6
    html = (
        f'<html><body><p class="title">{headline}</p><p>{lede}</p>'
        f'<div class="more"><h2>{headline}</h2><p>{box}</p></div></body></html>'
    )
    paragraphs = [headline, lede, box]
    assert _from_headline(load_html(html), headline, paragraphs) == paragraphs


COMMENTED = """<html><head><title>Ceny wody wzrosną od lutego</title></head><body>
<div class="page"><div class="article"><h1>Ceny wody wzrosną od lutego</h1>
<p>Od lutego mieszkańcy zapłacą za metr sześcienny wody o 40 groszy więcej, zdecydowali w
czwartek radni. Podwyżkę uzasadniono kosztami modernizacji oczyszczalni ścieków.</p>
<p>Prezes wodociągów powiedział, że bez podwyżki spółka nie spłaci kredytu zaciągniętego na
budowę nowych kolektorów. Przeciw głosowało pięciu radnych opozycji.</p>
<p>Nowa taryfa ma obowiązywać przez dwa lata. Po tym czasie rada ponownie oceni koszty
działania spółki i zdecyduje, czy ceny mogą spaść.</p></div>
<div id="stgOpinie"><span class="opHd">Opinie (312)</span>
<div class="opOpinia"><div class="opHd">~<span>Mieszkaniec</span> [2030-01-09 16:23]</div>
<div class="opTresc"><p>Skoro radni tylko podnoszą ceny, to co im zależy? Niech sami płacą
takie rachunki za wodę przez jeden rok.</p></div></div>
<div class="opOpinia"><div class="opHd">~<span>Ala</span> [2030-01-09 17:02]</div>
<div class="opTresc"><p>Obecnie rachunek za wodę to połowa mojego czynszu, a i tak nikt nie
pyta mieszkańców o zdanie w tej sprawie.</p></div></div>
</div></div></body></html>"""


def test_readers_comments_named_in_polish_are_not_the_article():
    from bot.runtime.analysis import analyse_html

    article = clean_article(extract_article(COMMENTED))
    assert article.paragraphs[0].startswith("Od lutego mieszkańcy zapłacą")
    assert not any("radni tylko" in p or "mojego czynszu" in p for p in article.paragraphs)
    items = analyse_html("woda.html", COMMENTED.encode(), None).to_json()["briefing"]
    assert items and not any("radni tylko" in i or "czynszu" in i for i in items)


def test_a_wrapper_named_for_comments_that_holds_the_article_is_kept():
    html = COMMENTED.replace('<div class="page">', '<div class="page has-comments">')
    article = extract_article(html)
    assert article.paragraphs[0].startswith("Od lutego mieszkańcy zapłacą")


def test_a_comment_widget_repeating_the_article_keeps_the_article_line():
    """A comment box that quotes the article's first lines ("you are commenting on …") does
    not make them comments: a line the page also prints outside the comments stays."""
    quoted = COMMENTED.replace(
        '<span class="opHd">Opinie (312)</span>',
        '<p class="opCytat">Od lutego mieszkańcy zapłacą za metr sześcienny wody o 40 groszy '
        "więcej, zdecydowali w czwartek radni. Podwyżkę uzasadniono kosztami modernizacji "
        "oczyszczalni ścieków.</p>",
    )
    article = extract_article(quoted)
    assert article.paragraphs[0].startswith("Od lutego mieszkańcy zapłacą")


def test_a_rubric_line_of_links_printed_above_the_headline_goes():
    """The line above the headline is a row of section links ("Медицина, Рынки, Транспорт"):
    every word of it sits in its own link, its punctuation outside, and it is still found
    printed above the headline."""
    from trafilatura.utils import load_html

    from bot.article.extract import _from_headline

    headline = "Скорая помощь выезжала на вызовы 68 тысяч раз"
    rubrics = "Медицина, Рынки и компании, Транспорт"
    story = "За год бригады скорой помощи выезжали на вызовы почти 68 тыс. раз. " * 8
    html = (
        '<html><body><div class="rubrics"><a href="/m">Медицина</a>, <a href="/r">Рынки и '
        f'компании</a>, <a href="/t">Транспорт</a></div><h1>{headline}</h1><p>{story}</p>'
        "</body></html>"
    )
    assert _from_headline(load_html(html), headline, [rubrics, story]) == [story]


# The text printed above a heading, as the XPath predicate reads it (every text node above,
# none inside head, script, style, noscript or template): the set difference that
# `_from_headline` runs instead must select exactly these nodes, in this order.
_ABOVE_BY_PREDICATE = (
    "preceding::text()[not(ancestor::head or ancestor::script or ancestor::style"
    " or ancestor::noscript or ancestor::template)]"
)
_ABOVE_CASES = [
    # a sidebar before the article, a script and a style nested in it, text after each
    "<div><p>Über diese Seite</p><div>Menü<script>var a='x';</script>nach<style>p{}</style>"
    "Ende</div></div><article><h1>Stadtrat beschließt Radweg</h1><p>Der Rat…</p></article>",
    # the heading inside an unprinted element: text above it there is not printed either
    "<p>Вступление</p><noscript><p>Включите JavaScript</p><h1>Мост открыт</h1></noscript>",
    "<template><p>模板</p><h2>地铁开通</h2></template><p>正文</p>",
    # text in the heading's own ancestors, before it and after it (tails), Greek
    "<div>Αρχή<section>Ενότητα<h1>Νέο μετρό</h1>μετά</section>τέλος</div>",
    "<h1>Heading first</h1><p>Nothing above.</p>",
]


@pytest.mark.parametrize("body", _ABOVE_CASES)
def test_text_above_a_heading_is_what_the_predicate_selects(body: str) -> None:
    from lxml import html as lxml_html

    from bot.article.extract import _printed_before

    tree = lxml_html.document_fromstring(
        f"<html><head><title>Titel</title><style>h1{{}}</style></head><body>{body}</body></html>"
    )
    for heading in tree.iter("h1", "h2"):
        expected = heading.xpath(_ABOVE_BY_PREDICATE, smart_strings=False)
        assert _printed_before()(heading) == expected
    assert any(True for _ in tree.iter("h1", "h2"))


def test_text_above_headings_agrees_on_our_pages() -> None:
    from bot.article.extract import _printed_before
    from bot.article.parse import load_page

    for file in sorted(PAGES.glob("**/*.html")):
        tree = load_page(file.read_bytes())
        for heading in tree.iter("h1", "h2") if tree is not None else ():
            expected = heading.xpath(_ABOVE_BY_PREDICATE, smart_strings=False)
            assert _printed_before()(heading) == expected, file.name
