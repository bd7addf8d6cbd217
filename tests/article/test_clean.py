"""The cleaning step: boilerplate out (four languages), bylines lifted, real sentences kept."""

from __future__ import annotations

import pytest

from bot.article.clean import clean_article, clean_paragraphs, is_boilerplate, parse_byline
from bot.models import Article
from tests.helpers.paths import SEED, needs_shared

BODY = [
    "The council voted on Thursday to close the bridge to private cars from July.",
    "“This bridge was built for horses and carts,” said Councillor Priya Natarajan.",
    "Traders said the closure would hurt shops on the harbour side of the town.",
]


@pytest.mark.parametrize(
    "line",
    [
        # English
        "Share this article",
        "Share",
        "Facebook Twitter Email",
        "Read More",
        "Read more: Ring road roadworks to last until autumn",
        "Want us to email you top stories each lunch time?",
        "Download our Apps",
        "Sign up for our daily newsletter and get the top stories in your inbox.",
        "Follow The Example Gazette on Facebook, Twitter and Instagram.",
        "Residents at the meeting (Sam Rivers/Pool via AP)",
        "Cyclists on the bridge, © AP/Press Association Images",
        "Photo: Sam Rivers/The Example Gazette",
        "The mayor at the opening ceremony (Getty Images)",
        "© 2022, developed by Square1 and powered by",
        "Copyright 2024 The Example Gazette. All rights reserved.",
        "We use cookies to improve your experience. Accept all cookies",
        "Already a subscriber? Log in to continue reading.",
        "Advertisement",
        "Comments",
        # German
        "Artikel teilen",
        "Lesen Sie auch: Neue Buslinie startet im Dezember",
        "Abonnieren Sie unseren Newsletter und erhalten Sie die wichtigsten Nachrichten.",
        "© 2023 Rheinstädter Anzeiger GmbH. Alle Rechte vorbehalten.",
        "Foto: Lena Winter",
        # French
        "Partager",
        "À lire aussi : Le prix des repas va augmenter",
        "Inscrivez-vous à notre newsletter pour recevoir l'essentiel de l'actualité.",
        "Il vous reste 72 % de cet article à lire.",
        # Spanish
        "Compartir",
        "Lee también: La feria del libro vuelve a la plaza",
        "Suscríbete a nuestro boletín y recibe las noticias cada mañana.",
        "Todos los derechos reservados.",
        # A link to another story with its date stamp (Greek, Chinese)
        "Εκδήλωση για τη σεξουαλική υγεία στη Θεσσαλονίκη (08/12 - 19:30)",
        "- ． 台北書展／漫畫家簽名會大排長龍 粉絲.. (01/12 11:06)",
        # Russian: a follow prompt
        "Читайте новости Example.ru в социальных сетях и .",
        "Следите за нами в Telegram",
    ],
)
def test_boilerplate_lines_are_dropped(line):
    assert is_boilerplate(line)
    kept, _ = clean_paragraphs([BODY[0], line, *BODY[1:]])
    assert kept == BODY


@pytest.mark.parametrize(
    "sentence",
    [
        "Share prices fell sharply on Monday after the bank warned of lower profits.",
        "Read more books, the minister urged parents at the library's reopening.",
        "The photo was taken by a passer-by and later shared by the police.",
        "Copyright law has not kept up with artificial intelligence, the judge said.",
        "By Christmas, the store had closed and the staff had been laid off.",
        "By Monday, the council had voted to close the bridge.",
        "He signed up for the army at 17 and served in three wars.",
        "“Follow the money,” said the auditor (who asked not to be named).",
        "“We Swiss are not giving up” (2015). (SVP/Global Poster Archive.)",
        "Email was the main way staff talked to each other, the report found.",
        "Comments made by the minister on Tuesday caused an uproar in parliament.",
        "Sign up sheets were posted outside the town hall, and 200 people joined.",
    ],
)
def test_real_sentences_are_kept(sentence):
    assert not is_boilerplate(sentence)
    kept, byline = clean_paragraphs([*BODY, sentence])
    assert kept == [*BODY, sentence]
    assert byline is None


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By Matthew Lee, Associated Press", "Matthew Lee"),
        ("By Jane Doe, Staff Writer", "Jane Doe"),
        ("Von Anna Berg und Jonas Kern, dpa", "Anna Berg; Jonas Kern"),
        ("Par Marie Dupont, envoyée spéciale à Valmont", "Marie Dupont"),
        ("Por Lucía Fernández", "Lucía Fernández"),
        ("By Ana Ruiz | Reuters", "Ana Ruiz"),
    ],
)
def test_byline_line_becomes_the_byline_and_is_removed(line, name):
    assert parse_byline(line) == name
    kept, byline = clean_paragraphs([line, *BODY])
    assert kept == BODY
    assert byline == name


def test_existing_byline_wins_but_the_line_still_goes():
    kept, byline = clean_paragraphs(
        [*BODY[:1], "By Jane Doe, Staff Writer", *BODY[1:]], None, "J. Doe"
    )
    assert kept == BODY
    assert byline == "J. Doe"


def test_headline_repeats_go_in_any_case_and_doubled():
    headline = "No progress seen after Russia-US talks over Ukraine tensions"
    title_case = "No Progress Seen After Russia-Us Talks Over Ukraine Tensions"
    kept, _ = clean_paragraphs([headline, f"{title_case} {title_case}", *BODY], headline)
    assert kept == BODY


def test_plain_text_keeps_its_first_line_headline_but_not_its_repeat():
    title = "Council votes to close bridge"
    kept, _ = clean_paragraphs([title, "COUNCIL VOTES TO CLOSE BRIDGE", *BODY])
    assert kept == [title, *BODY]


def test_related_list_after_its_heading_is_dropped():
    related = ["Most read", "- Storm warning issued for the weekend", "- New head teacher named"]
    kept, _ = clean_paragraphs([*BODY, *related, "The closure begins on 1 July."])
    assert kept == [*BODY, "The closure begins on 1 July."]
    # a bulleted list inside the story (no heading) stays
    bullets = ["The plan includes:", "- permits for residents", "- deliveries before 10am"]
    kept, _ = clean_paragraphs([*BODY, *bullets])
    assert kept == [*BODY, *bullets]


def test_long_paragraphs_are_never_pattern_dropped():
    long = "Photo: " + " ".join(["the council met again to discuss the bridge"] * 8)
    assert not is_boilerplate(long)


def test_clean_article_returns_a_new_article():
    original = Article(
        paragraphs=["Share this article", *BODY, "By Jane Doe, Staff Writer"], headline="Bridge"
    )
    cleaned = clean_article(original)
    assert cleaned.paragraphs == BODY
    assert cleaned.byline == "Jane Doe"
    assert original.paragraphs[0] == "Share this article" and original.byline is None


@needs_shared
def test_seed_article_txt_loses_exactly_its_boilerplate():
    lines = [line.strip() for line in (SEED / "article.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    kept, byline = clean_paragraphs(lines)
    assert byline == "Matthew Lee"
    dropped = [line for line in lines if line not in kept]
    assert len(dropped) == 9
    assert kept[0] == "No progress seen after Russia-US talks over Ukraine tensions"
    assert kept[1].startswith("The United States and Russia locked horns")
    assert kept[-1].startswith("As President Putin said")
    assert len(kept) == len(lines) - 9
    text = "\n".join(kept)
    for junk in ("Share this article", "Read More", "Pool via AP", "©", "email you", "Apps"):
        assert junk not in text


def test_headline_run_together_with_its_section_kicker_is_dropped():
    kept, _ = clean_paragraphs(
        [
            "Lokales Stadtrat stimmt für neue Brücke",
            "Der Stadtrat hat am Montag den Bau einer neuen Brücke beschlossen.",
        ],
        headline="Stadtrat stimmt für neue Brücke",
    )
    assert kept == ["Der Stadtrat hat am Montag den Bau einer neuen Brücke beschlossen."]


@pytest.mark.parametrize(
    "line",
    ["Key event", "Key events", "Updated", "Pinned post", "Show key events only", "3 new updates"],
)
def test_live_blog_labels_are_furniture(line: str) -> None:
    assert is_boilerplate(line, "en")


@pytest.mark.parametrize(
    "sentence",
    [
        "Updated figures show 400 homes are now at risk.",
        "Key events this week include the council vote on Tuesday.",
    ],
)
def test_live_blog_words_inside_sentences_are_kept(sentence: str) -> None:
    assert not is_boilerplate(sentence, "en")


@pytest.mark.parametrize(
    "row",
    [
        "西米布丁未标注 北京某某配餐有限公司 菌落总数cfu/g(≤1500/2000)",
        "老母鸡金盈 北京某某肉食加工厂 致病菌(不得检出/检出金黄色葡萄球菌)",
        "Ciastka owsiane, Piekarnia Zdrój, bakterie z grupy coli (≤10/240)",
    ],
)
def test_a_table_row_with_a_slash_in_brackets_is_no_photo_credit(row):
    """The credit pattern ("… (Sam Rivers/Pool via AP)") needs names around its slash: a row
    of a food-safety table ends in "(limit/measured)" and is the story's own data."""
    assert not is_boilerplate(row, "zh")
    kept, _ = clean_paragraphs([*BODY, row])
    assert kept == [*BODY, row]


def test_the_headline_without_its_site_suffix_is_a_repeat():
    """The headline kept its section and site ("… - Новости дня - Пример"); the story's copy
    of it has none, and goes. The headline's own dash ("21 - получили") is no cut point that
    would make a line of the story a "repeat": a head needs four words."""
    headline = "Автобус перевернулся на трассе: 21 - получили травмы. - Новости дня - Пример"
    story = [
        "Автобус перевернулся на трассе: 21 - получили травмы.",
        "Автобус перевернулся на трассе у села Белочи из-за гололедицы, сообщила полиция.",
        "Новости дня",
    ]
    kept, _ = clean_paragraphs(story, headline, None, "ru")
    assert kept == story[1:]
