"""Menus and a page's foot that extraction kept beside a short story (bot/article/navigation.py)."""

from __future__ import annotations

from bot.article.extract import extract_article
from bot.article.navigation import without_navigation
from tests.helpers.paths import PAGES

STORY = [
    "Σε λειτουργία τίθεται από τη Δευτέρα το νέο κέντρο υγείας της Νέας Ιωνίας, με δώδεκα "
    "γιατρούς και εφημερία όλο το εικοσιτετράωρο, ανακοίνωσε η διοίκηση της περιφέρειας.",
    "«Οι κάτοικοι δεν θα περιμένουν πια ώρες», δήλωσε ο διευθυντής Νικόλαος Αργυρίου.",
]
SECTION_MENU = ["Υγεία", "Διατροφή", "Ομορφιά", "Φυσική Κατάσταση", "Ιατρικό Φόρουμ"]
SERVICE_MENU = ["Ιατροί", "Νοσοκομεία", "Φαρμακεία", "Διαγνωστικά Κέντρα", "Θερμιδομετρητής"]
MORE_NEWS = [
    "- Κλειστά τα φαρμακεία την Πέμπτη Οι φαρμακοποιοί αποφάσισαν στάση εργασίας.",
    "- Ανάκληση παρτίδας μαρμελάδας Ο ΕΦΕΤ ανακαλεί παρτίδα μετά από έλεγχο.",
]


def test_a_portal_page_loses_its_menus_and_more_news_list():
    article = extract_article((PAGES / "portal-kentro-ygeias.html").read_bytes(), None)
    text = "\n".join(article.paragraphs)
    lede, quote = article.paragraphs[-2:]  # the story ends the text: its foot is gone
    assert lede.startswith("Σε λειτουργία τίθεται από τη Δευτέρα")
    assert quote.endswith("και διαθέτει ακτινολογικό και μικροβιολογικό εργαστήριο.")
    for furniture in ("Ιατροί", "Θερμιδομετρητής", "Ρωτήστε τους Ειδικούς", "μαρμελάδας"):
        assert furniture not in text


def test_menu_runs_go_and_the_foot_after_the_story_goes_with_them():
    paragraphs = SECTION_MENU + STORY + SERVICE_MENU + ["Ρωτήστε τους Ειδικούς;"] + MORE_NEWS
    assert without_navigation(paragraphs) == STORY


def test_a_menu_in_the_middle_goes_but_the_story_after_it_stays():
    more_story = ["Το κτίριο ανακαινίστηκε με κονδύλια του προγράμματος δημόσιων επενδύσεων."]
    paragraphs = STORY + SERVICE_MENU + more_story + MORE_NEWS
    assert without_navigation(paragraphs) == STORY + more_story + MORE_NEWS


def test_the_story_own_lists_fact_boxes_and_headings_stay():
    kept = [
        [
            *STORY,
            "Εισιτήρια",
            "VIP: 60 ευρώ",
            "Πλατεία: 40 ευρώ",
            "Εξώστης: 25 ευρώ",
            "Τηλ. 210 1234",
        ],
        [*STORY, "Herkunft:", "Erzeuger:", "Ausbau:", "Rebsorten:", "Geschmack:", "Alkohol:"],
        [*STORY, "- капуста", "- кабачок", "- горох", "- помидоры", "- лук", "- сметана"],
        [*STORY, "Wtorek", "Środa", "Czwartek", "Piątek", *STORY],  # four: subheadings
        [*STORY, "Pierwszy wers,", "drugi wers,", "trzeci wers,", "czwarty wers,", "piąty,"],
    ]
    for paragraphs in kept:
        assert without_navigation(paragraphs) == paragraphs


def test_a_page_that_is_little_more_than_its_menus_is_left_whole():
    paragraphs = [*SECTION_MENU, "Κλειστά τα φαρμακεία την Πέμπτη.", *SERVICE_MENU]
    assert without_navigation(paragraphs) == paragraphs


def test_chinese_link_titles_count_as_menu_lines():
    story = [
        "东湖新城今天开通第一条地铁线路，全长二十三公里，设车站十八座，"
        "市政府表示，这条线路将把通勤时间缩短一半。"
    ] * 5
    links = [f"{place}新闻中心最新消息汇总" for place in ("北京", "上海", "广州", "深圳", "成都")]
    assert without_navigation(story + links) == story
