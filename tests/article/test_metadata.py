"""What a page says about its article: JSON-LD author references, the printed byline, the
dates a reader sees (label, <time>, the dateline under the headline) and the byline choice.

Every page here is a small synthetic snippet shaped like a publisher convention, each with the
trap that convention sets (a comment author, an author bio box, an "updated" stamp, a date
inside a prose sentence, a site logo in the JSON-LD graph).
"""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from bot.article.metadata import (
    PageMeta,
    choose_byline,
    clean_name,
    dateline,
    labelled_date,
    read_page_meta,
    text_date,
    time_date,
    visible_byline,
)
from bot.article.metadata import _first_text as _first_text
from bot.article.parse import load_page
from tests.helpers.paths import PAGES


def tree(body: str, head: str = ""):
    return lxml_html.document_fromstring(
        f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"
    )


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --- JSON-LD ---------------------------------------------------------------------------


def test_yoast_author_reference_is_resolved_through_the_graph():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "https://blog.test/#org", "name": "Hill Notes"},
            {
                "@type": "Article",
                "headline": "Walking the ridge in winter",
                "author": {"@id": "https://blog.test/#/schema/person/9f2c"},
                "datePublished": "2021-02-03T08:00:00+01:00",
            },
            {
                "@type": "Person",
                "@id": "https://blog.test/#/schema/person/9f2c",
                "name": "Ines Vogt",
            },
        ],
    }
    meta = read_page_meta(tree("<h1>Walking the ridge in winter</h1>", ld(graph)))
    assert meta.ld_authors == ["Ines Vogt"]
    assert meta.ld_date == "2021-02-03"


def test_person_with_given_and_family_name_only():
    data = {
        "@type": "NewsArticle",
        "headline": "Ferry timetable changes",
        "author": {"@type": "Person", "givenName": "Tomas", "familyName": "Ruiz"},
    }
    assert read_page_meta(tree("<p>x</p>", ld(data))).ld_authors == ["Tomas Ruiz"]


@pytest.mark.parametrize(
    ("stamp", "utc"),
    [
        ("2020-02-25T02:25:54Z", True),
        ("2020-02-25T02:25:54+00:00", True),
        ("2020-02-24T21:25:54-05:00", False),
    ],
)
def test_utc_timestamps_are_flagged(stamp, utc):
    data = {"@type": "NewsArticle", "headline": "H", "datePublished": stamp}
    assert read_page_meta(tree("<p>x</p>", ld(data))).ld_utc is utc


# --- the printed byline ----------------------------------------------------------------


def test_microdata_author_name_keeps_initials_dots():
    page = tree(
        '<article><h1>Dam report published</h1><div itemprop="author" itemscope>'
        '<span itemprop="name">Günter W. Kienitz</span> at 18:52</div><p>Body.</p></article>'
    )
    assert visible_byline(page) == "Günter W. Kienitz"


def test_rel_author_link_keeps_underscores_of_a_handle():
    page = tree('<h1>Patch notes</h1><p>Posted by <a rel="author" href="/u/1">ThE_PaiN</a></p>')
    assert visible_byline(page) == "ThE_PaiN"


def test_byline_class_text_is_cut_before_the_date_and_the_lead_word_goes():
    page = tree(
        '<h1>Ufer wird saniert</h1><div class="article__byline">Von Marta Keller · '
        "3. Mai 2022, 14:10 Uhr</div><p>Text.</p>"
    )
    assert visible_byline(page) == "Marta Keller"


def test_comment_authors_and_author_bio_boxes_are_not_the_byline():
    page = tree(
        '<h1>Library reopens</h1><div class="author-bio">Sam Reid writes about books and '
        'libraries.</div><section id="comments"><span class="comment-author">Larry</span>'
        '</section><p class="byline">By Nadia Okoro</p>'
    )
    assert visible_byline(page) == "Nadia Okoro"


def test_a_label_left_alone_is_not_a_name():
    page = tree('<h1>H</h1><span class="entry-author">Posted on</span><p>x</p>')
    assert visible_byline(page) is None


def test_printed_byline_used_when_the_markup_declares_no_author():
    meta = PageMeta()
    found = "Ines Vogt Jr"  # trafilatura's normalised form would be the last resort
    assert choose_byline(meta, found, None, None, printed="Ines Vogt Jr.") == "Ines Vogt Jr."


def test_structured_authors_are_printed_as_the_page_joins_them():
    meta = PageMeta(ld_authors=["Lars Berg", "Alma Sand"])
    printed = "Lars Berg und Alma Sand"
    assert choose_byline(meta, None, None, None, printed=printed) == printed
    # A printed byline that is something else (a bio line) does not replace the list.
    other = "Lars Berg Redakteur im Ressort Wissen"
    assert choose_byline(meta, None, None, None, printed=other) == "Lars Berg; Alma Sand"


def test_printed_and_trafilatura_bylines_run_only_when_needed():
    def boom() -> str:
        raise AssertionError("should not be called")

    meta = PageMeta(ld_authors=["Jane Roe"])
    assert choose_byline(meta, boom, None, None, printed=boom) == "Jane Roe"


def test_an_institution_as_meta_author_gives_way_to_the_printed_person():
    meta = PageMeta(meta_authors=["Landesanstalt für Flussbau e.V."])
    chosen = choose_byline(meta, None, "Flusswelt", None, printed="Jonas Hamm")
    assert chosen == "Jonas Hamm"
    # ... and is still the answer when nobody else is named.
    assert choose_byline(meta, None, "Flusswelt", None) == "Landesanstalt für Flussbau e.V."


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Vom Support Team", "Support Team"),
        ("By : Joe S.", "Joe S."),
        ("quillpen quillpen", "quillpen"),
    ],
)
def test_clean_name(raw, name):
    assert clean_name(raw) == name


def test_a_dotted_handle_is_a_name_but_a_domain_is_not():
    assert choose_byline(PageMeta(), "Isabella.DiBiase", None, None) == "Isabella.DiBiase"
    assert choose_byline(PageMeta(), "newsportal.de", None, None) is None


# --- dates a reader sees ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Stand: 28.04.2020 18:00 Uhr", "2020-04-28"),
        ("Mittwoch, 26. Januar 2022", "2022-01-26"),
        ("Par Léa Martin | 30 septembre 2018", "2018-09-30"),
        ("Publicado el 3 de mayo de 2022", "2022-05-03"),
        ("Updated May 06, 2019", "2019-05-06"),
        ("Familie 17/02/2022", "2022-02-17"),
        ("posted 05/13/2019", "2019-05-13"),
        ("2023-11-07 15:03:30", "2023-11-07"),
        ("Version 2.10.2020 of the app", "2020-10-02"),
        ("Nächste Sitzung 12.03.2091", None),  # a future date is an event, not the article's
        ("no date here, 12 items", None),
    ],
)
def test_text_date(text, iso):
    assert text_date(text) == iso


def test_dateline_below_the_headline():
    page = tree(
        '<header><div class="kicker">Umwelt</div><h1>Biber kehren an die Aue zurück</h1></header>'
        '<div class="meta"><span class="author">Kai Brandt</span><span>21.01.2022</span></div>'
        "<p>Die Tiere wurden am 02.01.2022 erstmals wieder gesichtet, sagte die Rangerin.</p>"
    )
    assert dateline(page) == "2022-01-21"


def test_dateline_ignores_dates_inside_prose_and_updated_stamps():
    prose = (
        "<p>Der Rat tagt wieder am 5. Februar 2020 im großen Saal, wie der Vorsitzende "
        "mitteilte; die Tagesordnung folgt in den nächsten Tagen auf der Webseite.</p>"
    )
    page = tree(f'<h1>Ratssitzung</h1><span class="updated">07.12.2022</span>{prose}')
    assert dateline(page) is None


def test_labelled_date_needs_the_label_word_itself():
    assert labelled_date(tree("<h1>H</h1><p>Veröffentlicht am 16.08.2019</p>")) == "2019-08-16"
    assert labelled_date(tree("<p>Written: 2023-11-07 15:03 / Updated: 2023-11-08</p>")) == (
        "2023-11-07"
    )
    # "Update:" and "Erscheinungsdatum:" contain date/datum but are not the label.
    page = tree("<p>Update: 17.04.2020</p><p>Erscheinungsdatum: 14.08.2017</p>")
    assert labelled_date(page) is None


_TEXT_TRAPS = [
    # inline tags splitting words, tails after nested elements, scripts and styles in the body
    "<h1>Neue <b>Fäh</b>re</h1><p>Veröffent<i>licht</i> am <span>16.08.2019</span> tail</p>"
    "<script>var a = '<p>';</script><style>p{}</style>after<br>",
    # Cyrillic, Greek, Chinese; empty elements; whitespace-only text between blocks
    "<div> <p>Опубликовано: 3 мая 2022</p>\n <p></p><p>Δημοσιεύθηκε</p>\t"
    "<p>发布时间：2022年5月3日</p></div>",
    # a dropped counter (its tail joins the text before it), as drop_counters leaves the tree
    '<p>Read <a class="comment-count">12</a>В Москве открыли мост</p>',
]


@pytest.mark.parametrize("body", _TEXT_TRAPS)
def test_label_scan_reads_the_text_itertext_reads(body: str) -> None:
    page = tree(body)
    for counter in page.xpath("//a[@class='comment-count']"):
        counter.drop_tree()
    node = page.find("body")
    assert _first_text(node, 10**9) == list(node.itertext())
    # cut where the running length (with a separator per piece) first reaches the limit
    assert _first_text(node, 12) == list(node.itertext())[: len(_first_text(node, 12))]
    pieces, total = [], 0
    for piece in node.itertext():
        pieces.append(piece)
        total += len(piece) + 1
        if total >= 12:
            break
    assert _first_text(node, 12) == pieces


def test_label_scan_agrees_with_itertext_on_our_pages() -> None:
    for page in sorted(PAGES.glob("**/*.html")):
        node = load_page(page.read_bytes())
        body = node.find("body") if node is not None else None
        if body is not None:
            assert _first_text(body, 10**9) == list(body.itertext()), page.name


def test_time_date_skips_updated_and_comment_times():
    page = tree(
        '<time class="entry-date updated" datetime="2022-02-20T10:00:00+01:00">20.2.</time>'
        '<div class="comment-meta"><time datetime="2022-02-19">19.2.</time></div>'
        '<time datetime="2022-02-17T08:00:00+01:00">17.02.2022</time>'
    )
    assert time_date(page) == "2022-02-17"


def test_plain_von_line_under_the_headline_is_the_byline_when_no_element_is_marked():
    page = tree(
        "<h1>Neue Fähre für den See</h1><div><span>Von Andrea Kü\xadrten</span>"
        "<span>07.11.2023</span></div><p>Die Gemeinde hat am Montag eine neue Fähre getauft, "
        "die ab dem Frühjahr zwischen den beiden Ufern pendeln soll.</p>"
        "<p>Von den Kosten trägt das Land die Hälfte.</p>"
    )
    assert visible_byline(page) == "Andrea Kürten"
    # a lower-case word after "von" is a sentence, not a name
    assert visible_byline(tree("<h1>H</h1><p>von oben gesehen</p>")) is None


def test_the_fast_byline_query_finds_exactly_what_the_plain_one_finds() -> None:
    from trafilatura.utils import load_html

    from bot.article.metadata import _BYLINE_XPATH, _byline_nodes

    page = load_html(
        '<html><body><div class="author">A</div><span class="c-Author__name">B</span>'
        '<p class="autor">C</p><p class="layout-button">no</p><a rel="author">D</a>'
        '<span itemprop="author">E</span><div class="Byline">no</div>'
        '<div class="article-byline">F</div><i class="verfasser-x">G</i></body></html>'
    )
    assert _byline_nodes(page) == page.xpath(_BYLINE_XPATH)
    assert [n.text for n in _byline_nodes(page)] == ["A", "B", "C", "D", "E", "F", "G"]


@pytest.mark.parametrize(
    "control",
    ["Account You're logged in", "Войти", "Zaloguj się", "字号 大 中 小", "Σύνδεση", "Log in"],
)
def test_page_controls_in_a_byline_slot_are_not_names(control):
    page = tree(
        f'<div class="user-author"><a href="/login">{control}</a></div>'
        '<h1>H</h1><div class="author">Jana Roe</div><p>x</p>'
    )
    assert visible_byline(page) == "Jana Roe"
    assert choose_byline(PageMeta(meta_authors=[control]), None, None, None) is None


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("作者：王丽华", "王丽华"),
        ("Автор: Ирина Соколова", "Ирина Соколова"),
        ("Συντάκτης: Ελένη Μαυρίδου", "Ελένη Μαυρίδου"),
        ("Autor: Katarzyna Nowak", "Katarzyna Nowak"),
    ],
)
def test_byline_labels_of_every_language_are_stripped(printed, name):
    assert visible_byline(tree(f'<h1>H</h1><span class="author">{printed}</span>')) == name
    assert clean_name(printed) == name


def test_an_account_name_gives_way_to_the_printed_name():
    meta = PageMeta(meta_authors=["express1"])
    assert choose_byline(meta, None, None, None, printed="Ирина Соколова") == "Ирина Соколова"
    # a credit line is no plain name; with nothing better printed, a blog's handle is its author
    credits = "Interview: Jens Bergmann Foto: Michael Hudler"
    assert choose_byline(meta, None, None, None, printed=credits) == "express1"
    assert choose_byline(PageMeta(meta_authors=["freeman1984"]), None, None, None) == "freeman1984"
