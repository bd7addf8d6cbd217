"""The headline choice: the article's own headline, not the page title with its site and kicker."""

from __future__ import annotations

import pytest

from bot.article.headline import choose_headline, normalise, strip_site
from bot.article.metadata import PageMeta


def meta(**fields) -> PageMeta:
    return PageMeta(**fields)


@pytest.mark.parametrize(
    "title",
    [
        "Bridge to close to cars | The Example Gazette",
        "Bridge to close to cars - The Example Gazette",
        "Bridge to close to cars – The Example Gazette",
        "The Example Gazette: Bridge to close to cars",
        "Bridge to close to cars | Local | The Example Gazette",
    ],
)
def test_site_name_is_stripped_from_title(title):
    m = meta(title=title, site_name="The Example Gazette")
    assert choose_headline(m, None) == "Bridge to close to cars"


def test_site_recognised_from_host_when_no_site_name():
    m = meta(title="Bridge to close to cars | Examplegazette")
    assert choose_headline(m, None, host="www.examplegazette.test") == "Bridge to close to cars"


def test_a_real_kicker_colon_headline_survives():
    # "Kicker: headline" where the kicker is not the site: the publisher's headline has both.
    m = meta(
        h1=["Klimaschutz: Bohren, bis es heiß wird"],
        og_title="Klimaschutz: Bohren, bis es heiß wird",
        title="Klimaschutz: Bohren, bis es heiß wird | ZEIT ONLINE",
        site_name="ZEIT ONLINE",
    )
    assert choose_headline(m, None) == "Klimaschutz: Bohren, bis es heiß wird"
    assert strip_site("Klimaschutz: Bohren", {"zeit online"}) == "Klimaschutz: Bohren"


def test_section_kicker_glued_to_h1_is_dropped_when_og_title_lacks_it():
    m = meta(
        h1=["Ernährung sichern Schulze: Deutschland steht an der Seite des Programms"],
        og_title="Schulze: Deutschland steht an der Seite des Programms",
        title="Schulze: Deutschland steht an der Seite des Programms | BMZ",
    )
    assert choose_headline(m, None) == "Schulze: Deutschland steht an der Seite des Programms"


def test_h1_beats_seo_title_when_they_share_words():
    # og:title is often rewritten for search; the h1 is what the reader sees.
    m = meta(
        h1=["Tote Hummeln unter Linden"],
        og_title="Tote Hummeln unter Linden: Die Erklärung | Hummeln",
        title="Tote Hummeln unter Linden: Die Erklärung | Hummeln",
    )
    assert choose_headline(m, None) == "Tote Hummeln unter Linden"


def test_logo_and_navigation_h1s_are_ignored():
    m = meta(
        h1=["Navigation und Service", "DimidoBlog", "Was ist virales Marketing?"],
        title="Was ist virales Marketing? | DimidoBlog",
    )
    assert choose_headline(m, None) == "Was ist virales Marketing?"
    logo_only = meta(h1=["DimidoBlog"], title="Was ist virales Marketing? | DimidoBlog")
    assert choose_headline(logo_only, None) == "Was ist virales Marketing?"


def test_json_ld_headline_used_when_no_h1():
    m = meta(
        ld_headline="Ferry timetable cut for winter",
        title="Island News – Ferry timetable cut for winter – Transport",
    )
    assert choose_headline(m, None) == "Ferry timetable cut for winter"


def test_entities_and_whitespace_are_normalised():
    m = meta(og_title="Fish &amp; chips   shop\n closes  after 60 years")
    assert choose_headline(m, None) == "Fish & chips shop closes after 60 years"
    assert normalise("Deutsch\u00adland  heute") == "Deutschland heute"


def test_trafilatura_title_is_the_last_resort():
    assert choose_headline(meta(), "A headline found by trafilatura") == (
        "A headline found by trafilatura"
    )
    assert choose_headline(meta(), None) is None


@pytest.mark.parametrize(
    ("headline", "title", "site"),
    [
        ("东湖新区地铁3号线延伸段今日开通运营", "{}_财经_华东晨报网", "华东晨报网"),
        ("Άνοιξε ο νέος σταθμός", "ΗΜΕΡΗΣΙΑ ΑΚΤΗ - {} - κοινωνία", "Ημερήσια Ακτή"),
        ("Nowa linia na Ruczaj", "{} - Kraków - Gazeta Nadwiślańska", "Gazeta Nadwiślańska"),
        ("В Заречье открыли мост", "{} | Общество | Заречные вести", "Заречные вести"),
    ],
)
def test_site_and_section_go_in_every_script(headline, title, site):
    page = meta(title=title.format(headline), site_name=site)
    assert choose_headline(page, None) == headline


def test_a_dash_in_the_headline_itself_stays_when_no_site_was_stripped():
    title = "Brexit deal - what it means for you"
    assert choose_headline(meta(title=title, site_name="The Example Gazette"), None) == title
