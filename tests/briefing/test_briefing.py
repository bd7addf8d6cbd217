"""The extractive briefing on synthetic articles (written for these tests) and, when present,
on every article of the summaries benchmark corpus."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.briefing.extractive import make_briefing
from bot.models import Quote
from tests.helpers.paths import CORPORA, SEED, needs_shared

LEDE = (
    "The Harbor City council voted 7-2 on Tuesday to close the Eastside water treatment plant "
    "by next spring, ending a decade-long fight over the ageing facility."
)
NUT_GRAF = (
    "Closing the Eastside plant moves water treatment to the newer Northgate plant, which the "
    "council says can absorb the extra demand once a planned $40 million expansion is finished."
)
CONTEXT = (
    "Residents living near the Eastside plant had complained for years about odours and about "
    "two leaks that forced boil-water notices across the district."
)
QUOTE_PARAGRAPH = (
    "“We simply cannot keep pouring money into a plant that was built for a city half our size, "
    "and everyone on this council knows it,” said council member Rosa Delgado."
)
RUNNING_QUOTE = (
    "“The water plant has served us well for many decades. The water plant has simply run out "
    "of time. The council water vote was the only honest choice,” Delgado added."
)

ARTICLE = [
    "Harbor City Tribune",
    "By Dana Whitfield, Staff Reporter",
    LEDE,
    QUOTE_PARAGRAPH,
    RUNNING_QUOTE,
    "Read more: Council approves new bus routes for the harbor district",
    NUT_GRAF,
    "A pump house at the Eastside plant, pictured in March",
    CONTEXT,
    "and the council said the timetable could still change if the expansion is delayed.",
    "Workers at the Eastside plant will be offered jobs at Northgate, according to the city’s "
    "utilities department, which runs both plants.",
    "Opponents, including two council members, argued that the expansion budget was unrealistic "
    "and that household water bills would rise as a result.",
    "Share this article",
]


def _joined(paragraphs: list[str]) -> str:
    return "\n".join(paragraphs)


def test_lede_first_then_story_sentences_verbatim_within_limits() -> None:
    items = make_briefing(ARTICLE, [])
    assert items[0] == LEDE
    assert 3 <= len(items) <= 5
    assert sum(len(item) for item in items) <= 600
    assert all(item in _joined(ARTICLE) for item in items)
    assert NUT_GRAF in items


def test_no_boilerplate_bylines_captions_or_fragments() -> None:
    items = make_briefing(ARTICLE, [])
    text = " ".join(items)
    for junk in ("Read more", "Share this", "By Dana", "Harbor City Tribune", "pictured in March"):
        assert junk not in text
    assert not any(item[0].islower() for item in items)  # "and the council said ..." fragment


def test_filter_is_light_real_sentences_that_look_like_furniture_survive() -> None:
    by_tuesday = "By Tuesday night the council had already hired a firm to plan the closure."
    dollars = "$40 million has been set aside for the Northgate expansion over three years."
    video = "Video footage shared by residents shows brown water running from kitchen taps."
    heading = "Council Approves Closure Of Eastside Water Plant After Long Fight"
    paragraphs = [LEDE, heading, by_tuesday, dollars, video]
    items = make_briefing(paragraphs, [], max_chars=5000)
    assert items == [LEDE, by_tuesday, dollars]  # 3 of 4 usable: the heading is not one
    assert make_briefing([LEDE, heading, video], []) == [LEDE, video]


def test_quote_heavy_sentences_are_left_to_the_quotes_block() -> None:
    items = make_briefing(ARTICLE, [])
    assert "pouring money" not in " ".join(items)


def test_sentences_inside_a_quote_running_over_several_sentences_are_skipped() -> None:
    # The middle sentence has no quotation marks of its own.
    paragraphs = [LEDE, RUNNING_QUOTE, CONTEXT]
    assert make_briefing(paragraphs, []) == [LEDE, CONTEXT]


def test_quote_that_lost_its_opening_mark_is_still_a_quote() -> None:
    lost = "We cannot go back on this and we will not try to, whatever happens,” Delgado said."
    assert make_briefing([LEDE, lost, CONTEXT], []) == [LEDE, CONTEXT]


def test_lede_opens_the_briefing_even_when_later_sentences_score_higher() -> None:
    lede = "Harbor City will lose its oldest public utility by the end of next spring."
    central = [
        f"The council said the Eastside water plant closure would cut water plant costs by "
        f"{n} percent, and the Eastside water plant staff would move."
        for n in (5, 10, 15, 20)
    ]
    items = make_briefing(["By Dana Whitfield", "Harbor City Tribune", lede, *central], [])
    assert items[0] == lede


def test_quotes_from_the_quotes_step_exclude_sentences_whose_marks_were_lost() -> None:
    unmarked = (
        "Nobody who works at the Eastside water plant will lose a job because of the council vote."
    )
    paragraphs = [LEDE, unmarked, NUT_GRAF, CONTEXT, ARTICLE[-3]]
    assert unmarked in make_briefing(paragraphs, [])  # chosen when nothing says it is a quote
    quote = Quote(text=unmarked.rstrip("."), speaker="Rosa Delgado", paragraph=1)
    items = make_briefing(paragraphs, [quote])
    assert unmarked not in items
    assert items[0] == LEDE


def test_near_duplicate_of_the_lede_is_not_repeated() -> None:
    duplicate = (
        "The Harbor City council voted on Tuesday to close the Eastside water treatment plant by "
        "next spring, ending a long fight over the facility."
    )
    paragraphs = [LEDE, duplicate, NUT_GRAF, CONTEXT, ARTICLE[-3], ARTICLE[-2]]
    items = make_briefing(paragraphs, [])
    assert items[0] == LEDE
    assert duplicate not in items


def test_max_chars_is_respected() -> None:
    items = make_briefing(ARTICLE, [], max_chars=350)
    assert items
    assert sum(len(item) for item in items) <= 350
    assert all(item in _joined(ARTICLE) for item in items)


def test_at_most_five_items_even_with_room() -> None:
    sentences = [
        f"The harbor district reported {n} new water main repairs in week {n} of the works."
        for n in range(2, 20)
    ]
    items = make_briefing(sentences, [], max_chars=5000)
    assert 3 <= len(items) <= 5


def test_short_article_gives_fewer_items() -> None:
    paragraphs = [LEDE, "Subscribe", CONTEXT]
    assert make_briefing(paragraphs, []) == [LEDE, CONTEXT]


def test_empty_or_junk_only_article_gives_nothing() -> None:
    assert make_briefing([], []) == []
    assert make_briefing(["Read more", "Share this article", "Photo: Getty Images"], []) == []


def test_long_sentences_do_not_crowd_out_the_third_item() -> None:
    long_one = (
        "The treatment plant, which opened in the early seventies and was extended twice in the "
        "decades that followed, has needed repairs to its pumps, its filters, its sludge tanks "
        "and its control room, and engineers warned the council last year that the cost of "
        "keeping it running would soon exceed the cost of the planned Northgate expansion."
    )
    paragraphs = [LEDE, long_one, NUT_GRAF, CONTEXT]
    items = make_briefing(paragraphs, [])
    assert len(items) == 3
    assert sum(len(item) for item in items) <= 600


def test_sentences_are_split_inside_paragraphs() -> None:
    paragraph = f"{LEDE} {NUT_GRAF} {CONTEXT}"
    items = make_briefing([paragraph], [])
    assert items == [LEDE, NUT_GRAF, CONTEXT]


def test_german_article_with_low_high_quotes() -> None:
    paragraphs = [
        "Der Stadtrat von Hafenstadt hat am 3. Oktober beschlossen, das alte Wasserwerk im "
        "Osten bis zum Frühjahr zu schließen.",
        "„Wir können nicht weiter Geld in eine Anlage stecken, die für eine halb so große Stadt "
        "gebaut wurde“, sagte die Ratsfrau Rosa Delgado.",
        "Die Aufbereitung soll künftig das neuere Werk im Norden übernehmen, das dafür für "
        "40 Millionen Euro ausgebaut wird.",
        "Anwohner hatten sich seit Jahren über Gerüche und zwei Lecks beschwert, die z.B. "
        "Abkochempfehlungen für den ganzen Bezirk nötig machten.",
    ]
    items = make_briefing(paragraphs, [], language="de")
    assert items[0] == paragraphs[0]
    assert not any(item.startswith("„") for item in items)
    assert paragraphs[3] in items


def test_french_article_with_guillemets() -> None:
    paragraphs = [
        "Le conseil municipal a voté mardi la fermeture de la vieille usine de traitement des "
        "eaux de l'est de la ville d'ici au printemps prochain.",
        "« Nous ne pouvons plus dépenser autant d'argent pour une usine construite pour une "
        "ville deux fois plus petite », a déclaré Mme Delgado.",
        "Le traitement sera transféré vers l'usine du nord, qui doit être agrandie pour un coût "
        "de 40 millions d'euros.",
        "Les riverains se plaignaient depuis des années des odeurs et de deux fuites qui ont "
        "imposé de faire bouillir l'eau dans tout le quartier.",
    ]
    items = make_briefing(paragraphs, [], language="fr")
    assert items == [paragraphs[0], paragraphs[2], paragraphs[3]]
    assert make_briefing(paragraphs[:3], [], language="fr") == [paragraphs[0], paragraphs[2]]


WORDS = [
    "The",
    "council",
    "voted",
    "said",
    "plant",
    "water",
    "Mr.",
    "U.S.",
    "“We",
    "won,”",
    "she",
    "‘Yes.’",
    '"No,"',
    "Read",
    "more",
    "By",
    "2.5",
    "3.",
    "Oktober",
    "and",
    "but",
    ".",
    "!",
    "?",
    "«",
    "»",
    "…",
    "\n",
    "Photo:",
    "Getty",
    "Images",
    "it",
    "was",
    "is",
    "a",
    "the",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join), max_size=12),
    st.integers(min_value=0, max_value=800),
    st.sampled_from([None, "en", "de", "fr", "es"]),
)
def test_property_items_are_verbatim_and_within_limits(
    paragraphs: list[str], max_chars: int, language: str | None
) -> None:
    quotes = [Quote(text=p[:40], speaker=None, paragraph=i) for i, p in enumerate(paragraphs[:2])]
    items = make_briefing(paragraphs, quotes, max_chars=max_chars, language=language)
    text = _joined(paragraphs)
    assert len(items) <= 5
    assert sum(len(item) for item in items) <= max_chars
    assert len(set(items)) == len(items)
    assert all(item and item in text and item == item.strip() for item in items)


@needs_shared
def test_every_benchmark_article_gives_a_verbatim_briefing_within_limits() -> None:
    folder = CORPORA / "summaries-cnndm" / "text"
    files = sorted(folder.glob("*.txt"))
    assert files
    for path in files:
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").splitlines() if p.strip()]
        items = make_briefing(paragraphs, [], language="en")
        text = _joined(paragraphs)
        assert items, path.name
        assert len(items) <= 5, path.name
        assert sum(len(item) for item in items) <= 600, path.name
        for item in items:
            assert item in text, (path.name, item)
            assert item == item.strip()


@needs_shared
def test_seed_story_briefing_has_no_boilerplate() -> None:
    seed = SEED / "article.txt"
    paragraphs = [p.strip() for p in seed.read_text(encoding="utf-8").splitlines() if p.strip()]
    items = make_briefing(paragraphs, [])
    assert 3 <= len(items) <= 5
    text = " ".join(items)
    for junk in ("Read More", "Share this article", "By Matthew Lee", "Download our Apps", "©"):
        assert junk not in text
    assert all(item in _joined(paragraphs) for item in items)


def test_a_language_without_function_word_lists_still_gets_a_briefing() -> None:
    # Arabic and Russian have no stopword lists here; their sentences are not "labels".
    arabic = [
        "وافق مجلس المياه الإقليمي يوم الخميس على خطة لرفع الفواتير بنسبة أربعة بالمئة.",
        "وقالت مجموعات المستهلكين إن الزيادة ستضر بالمتقاعدين أكثر من غيرهم في المدينة.",
        "وسينشر المجلس تفاصيل الإنفاق في يناير ويعقد اجتماعين عامين قبل تطبيق الزيادة.",
    ]
    russian = [
        "Городской совет в четверг одобрил план повышения тарифов на воду на четыре процента.",
        "Потребительские группы заявили, что рост сильнее всего ударит по пенсионерам города.",
        "Совет опубликует подробную смету расходов в январе и проведёт два публичных собрания.",
    ]
    for paragraphs, language in ((arabic, "ar"), (russian, "ru"), (russian, None)):
        briefing = make_briefing(paragraphs, [], language=language)
        assert briefing == paragraphs, language


def test_function_word_filter_still_drops_labels_in_a_covered_language() -> None:
    paragraphs = [
        "The regional water board approved a plan on Thursday to raise bills by four percent.",
        "Consumer groups said the rise would hit pensioners hardest across the valley towns.",
        "Water Bills Pensioners Valley Towns Board Vote Thursday Rise Percent Spring",
        "The board will publish a breakdown of the spending in January before the rise.",
    ]
    briefing = make_briefing(paragraphs, [], language="en")
    assert paragraphs[2] not in briefing and len(briefing) == 3


def test_an_embedded_post_is_not_the_articles_own_words() -> None:
    paragraphs = [
        "The mayor of Port Ellery promised on Sunday to rebuild the storm-damaged north pier "
        "within a year, as fishermen counted the cost of the gale.",
        "Storm update: the north pier is closed until further notice. Please stay away from the "
        "harbour wall today. — Port Ellery Council (@PortElleryCC) November 22, 2026",
        "Fishermen said the closure of the pier would cost them weeks of work this winter.",
        "The council said engineers would inspect the damaged structure on Tuesday morning.",
    ]
    briefing = make_briefing(paragraphs, [], language="en")
    assert len(briefing) == 3
    assert not any("harbour wall" in sentence for sentence in briefing)
    # A dash and a date in the article's own prose is not an embed.
    prose = [
        paragraphs[0],
        "The pier — built by the harbour trust (@ its own cost) in 1898 — was last repaired "
        "on March 3, 2019.",
        *paragraphs[2:],
    ]
    assert prose[1] in make_briefing(prose, [], language="en")


# -- issue 12: coherent items, whole sentences, every script ---------------------------------

COHERENCE = [
    "The harbour authority closed the north quay on Monday after divers found cracks in its "
    "foundations.",
    "Engineers from the port's maintenance team had inspected the quay walls in March and "
    "reported nothing unusual at the time.",
    "It will stay shut for at least six weeks while the damaged piles are replaced.",
    "Ferry operators have moved their morning sailings to the south quay, which is smaller "
    "and already busy.",
    "But fishermen say the south quay cannot take their boats as well as the ferries.",
    "The authority has promised a temporary pontoon for the fishing fleet by the end of the month.",
]


def _position(item: str, paragraphs: list[str]) -> int:
    return next(i for i, p in enumerate(paragraphs) if item in p)


def test_an_item_leaning_on_the_sentence_before_comes_only_right_after_it() -> None:
    briefing = make_briefing(COHERENCE, [], language="en")
    assert 3 <= len(briefing) <= 5
    positions = [_position(item, COHERENCE) for item in briefing]
    for item, position in zip(briefing, positions, strict=True):
        if item.startswith(("It ", "But ")):
            assert position - 1 in positions, f"{item!r} dangles"


def test_an_item_leaning_on_a_sentence_that_cannot_be_an_item_is_left_out() -> None:
    # "It" is the quay the diver's quote (left to the quotes block) talks about.
    paragraphs = [
        COHERENCE[0],
        "“We found cracks in almost every pile we looked at,” said diver Tom Reyes.",
        COHERENCE[2],
        *COHERENCE[3:],
    ]
    briefing = make_briefing(paragraphs, [], language="en")
    assert len(briefing) >= 3
    assert COHERENCE[2] not in briefing


def test_the_lede_is_never_a_sentence_leaning_on_one_left_out() -> None:
    paragraphs = [
        "Photo: harbour authority",  # furniture, not a lede
        *COHERENCE[2:],
    ]
    briefing = make_briefing(paragraphs, [], language="en")
    assert briefing and not briefing[0].startswith(("It ", "But "))


def test_leaning_openers_come_from_the_articles_language() -> None:
    paragraphs = [
        "Городской совет в понедельник закрыл северный причал после того, как водолазы нашли "
        "трещины в его основании.",
        "Инженеры порта осматривали стены причала в марте и тогда ничего необычного не нашли.",
        "Однако рыбаки говорят, что южный причал не сможет принять их лодки вместе с паромами.",
        "Паромные компании перенесли утренние рейсы на южный причал, который меньше и уже "
        "загружен.",
        "Администрация обещает временный понтон для рыболовецкого флота до конца месяца.",
    ]
    briefing = make_briefing(paragraphs, [], language="ru")
    positions = [_position(item, paragraphs) for item in briefing]
    if paragraphs[2] in briefing:
        assert 1 in positions


def test_items_end_a_sentence_no_headings_list_lead_ins_or_link_bullets() -> None:
    paragraphs = [
        "Kalamaria metro extension opens to passengers after eleven years of works",
        COHERENCE[0],
        "The authority listed the measures it will take in the coming weeks:",
        "- Ferry timetables change from Monday as the north quay closes for repairs",
        COHERENCE[1],
        COHERENCE[3],
        COHERENCE[5],
    ]
    briefing = make_briefing(paragraphs, [], language="el")
    assert briefing
    for item in briefing:
        assert item.endswith("."), item


def test_chinese_article_is_briefed_sentence_by_sentence() -> None:
    paragraphs = [
        "经过四年建设，东湖新区地铁3号线延伸段今天上午9时正式开通运营。新线全长12.6公里，共设8座车站。",
        "据介绍，延伸段采用全自动无人驾驶系统，列车最高时速可达100公里。首班车时间为早上6点。",
        "对此，地铁集团副总经理刘建明回应称，集团正在与公交公司协商，计划开通4条接驳公交线路。",
        "据统计，3号线全线日均客流量已超过45万人次，延伸段开通后预计将增加约8万人次。",
        "相关新闻",
    ]
    briefing = make_briefing(paragraphs, [], language="zh")
    assert 3 <= len(briefing) <= 5
    assert briefing[0] == "经过四年建设，东湖新区地铁3号线延伸段今天上午9时正式开通运营。"
    for item in briefing:
        assert item.endswith("。")
        assert item.count("。") == 1  # one sentence per item
        assert any(item in p for p in paragraphs)
    assert "相关新闻" not in briefing
    # "对此" (in response to this) leans on the sentence before it, which is in another paragraph
    if paragraphs[2] in briefing:
        assert "首班车时间为早上6点。" in briefing


def test_the_credit_shortcut_agrees_with_the_credit_pattern() -> None:
    """`_credit` skips the pattern on ASCII lines holding none of its words: the answer must
    be the pattern's on every kind of line, ASCII or not."""
    from bot.briefing.extractive import _CREDIT, _credit

    lines = [
        "Photo: Getty Images",
        "The ferry resumed service on Monday, the operator said.",
        "(AP Photo/Jane Doe)",
        "NEW YORK (Reuters) - Shares rose.",
        "Council members met at 7/ap meeting room.",
        "It was shot by a photographer for AFP.",
        "Reuters-style wire copy without a credit",
        "The caption reads © Harbour Gazette 2024",
        "Le ferry reprend du service, a déclaré l'opérateur (AFP).",
        "Paraphrase about afpx and reutersfoo only.",
        "A Shutterstock image of the pier.",
        "ſhutterstock with a long s",
        "“Photo”: Getty\u00a0Images — Getty Images’ pier",
        "Pier/\u00a0AP — “the ferry”",
        "© Harbour Gazette — “ferry”",
        "The ferry’s return — “no credit here”",
        "KELVIN \u212aeeps REUTERS’ photo…",
    ]
    from bot.briefing.ascii import ascii_twin

    for line in lines:
        expected = _CREDIT.search(line) is not None
        assert _credit(line) == expected, line
        assert _credit(line, ascii_twin(line)) == expected, line


def test_a_portal_menu_of_one_word_lines_does_not_use_up_the_window() -> None:
    menu = ["首頁", "財經", "港聞", "國際", "體育", "直播"] * 40  # 240 menu lines above the story
    story = [
        "寒流一波接著一波，口罩圍巾都出籠了，市民紛紛添衣保暖。",
        "專科醫師建議，洗臉時的水溫不宜太高，以免破壞皮膚表面的皮脂。",
        "除了避免用熱水，洗臉的次數和選擇適當的護膚產品，也很重要。",
    ]
    briefing = make_briefing(menu + story, [], language="zh")
    assert briefing == story


def test_breadcrumb_arrows_are_not_a_quote_left_open() -> None:
    paragraphs = [
        "»港島電台新聞主頁 »網上財經頻道",
        "港島鐵路公司表示，列車服務於本月二十二日除夕晚將通宵行駛，方便市民外出。",
        "港島鐵路公司亦會在年初二煙花匯演當晚加強服務，班次將加密至每三分鐘一班。",
    ]
    assert make_briefing(paragraphs, [], language="zh") == paragraphs[1:]
    german = [
        "»Wir schließen die Brücke im Juli«, sagte die Bürgermeisterin am Montag im Rathaus.",
        "Der Stadtrat hatte die Sperrung der Brücke für den Autoverkehr schon im Mai beschlossen.",
    ]
    assert make_briefing(german, [], language="de") == german[1:]  # »…« is still a quote


def test_a_bracketed_dateline_does_not_keep_the_lede_out() -> None:
    paragraphs = [
        "【本台2030年1月11日訊】寒冷的天氣裡相對溼度降低，空氣比較乾燥，皮膚可能會變乾。",
        "寒流一波接著一波，想讓肌膚在乾燥的冷風吹襲下仍然保持水嫩，洗臉時的水溫是關鍵。",
    ]
    assert make_briefing(paragraphs, [], language="zh")[0] == paragraphs[0]


STORY_RU = [
    "Городской каток на набережной открылся в субботу утром и принял три тысячи человек.",
    "Вход на лёд бесплатный, а прокат коньков стоит сто рублей в час.",
    "Каток будет работать ежедневно с десяти утра до десяти вечера до конца февраля.",
]


def test_page_furniture_in_sentence_form_is_never_an_item() -> None:
    furniture = [
        "Лента 2030-12-12 14:01:10 В Мичуринске отремонтируют три моста до весны.",
        "Доказана польза прогулок для здоровья [11:48/08.12.2030] Прогулки полезны всем.",
        "09:29 Пн Сколько стоит городу новый каток на набережной?",
        "Источник: сайт города Комментарии Другие новости | Интервью Каток открылся в субботу.",
        "Najmodniejsze fryzury gwiazd!Fryzury w tym roku wracają do klasyki i prostoty.",
        "Krótkie włosy gwiazd HollywoodGwiazdy kina tworzą najnowsze trendy w modzie.",
        "E-mail: desk (at) city.test Ссылка на сайт при перепечатке материалов обязательна.",
    ]
    assert make_briefing(furniture + STORY_RU, [], language="ru") == STORY_RU


def test_a_feed_of_dated_headlines_is_left_out_whole() -> None:
    feed = (
        "2030-12-12 14:01 В Мичуринске отремонтируют три моста до весны, сообщили в мэрии. "
        "Работы на мостах начнутся в апреле и продлятся до поздней осени этого года. "
        "2030-12-12 13:58 Школьники выиграли олимпиаду по физике и получили медали."
    )
    assert make_briefing([feed, *STORY_RU], [], language="ru") == STORY_RU
    one_stamp = feed.split(" 2030-12-12 13:58")[0]  # a stamp in one sentence: that one goes
    assert make_briefing([one_stamp, *STORY_RU], [], language="ru")[0].startswith("Работы")


def test_a_sentence_holding_the_headline_and_more_is_chrome_glued_together() -> None:
    headline = "Городской каток на набережной открылся в субботу"
    glued = f"Спорт {headline} 12 декабря в 14:05 Спорт Каток принял три тысячи человек."
    paragraphs = [glued, *STORY_RU[1:]]
    assert glued not in make_briefing(paragraphs, [], language="ru", headline=headline)
    assert glued in make_briefing(paragraphs, [], language="ru")  # without it: no telling


def test_a_line_to_itself_that_exclaims_or_asks_is_not_an_item() -> None:
    paragraphs = ["Wyślij nam zdjęcie, film lub artykuł!", "Ospa party – dobry pomysł czy nie?"]
    story = [
        "Nowy basen miejski przy ulicy Sportowej przyjął w sobotę pierwszych pływaków.",
        "Hala ma osiem torów o długości 50 metrów oraz osobny brodzik dla dzieci.",
        "Dyrektor ośrodka zapowiedział, że od marca ruszą bezpłatne lekcje pływania. Czy "
        "wszyscy uczniowie z nich skorzystają?",
    ]
    briefing = make_briefing(paragraphs + story, [], language="pl")
    assert briefing[:2] == story[:2]
    assert not set(paragraphs) & set(briefing)


def test_a_notice_among_a_footers_sentences_is_not_an_item() -> None:
    footer = (
        "Адрес редакции: улица Советская, дом один, город Тамбов, индекс 392000. "
        "Вся информация, размещенная на данном веб-сайте, предназначена только для "
        "персонального использования."
    )
    assert make_briefing([footer, *STORY_RU], [], language="ru") == STORY_RU


def test_chinese_disclaimers_are_boilerplate() -> None:
    from bot.article.clean import is_boilerplate

    for line in (
        "外汇网声明：外汇网转载上述内容，不表明证实其描述，仅供投资者参考。",
        "本网站所刊载信息，不代表本社和本网观点。",
        "刊用本网站稿件，务经书面授权。",
    ):
        assert is_boilerplate(line, "zh"), line
    assert not is_boilerplate("市政府发言人表示，新线路将于下月开通。", "zh")


def test_brand_names_that_glue_words_are_not_teasers() -> None:
    story = [
        "The council will answer residents on WhatsApp and LinkedIn from Monday, the mayor said.",
        "BlackRock and DreamWorks were named among the sponsors of the harbour festival this year.",
        "The festival programme will be published as a PowerPoint file on the city's website.",
    ]
    assert make_briefing(story, [], language="en") == story


STORY_PL = [
    "Nowy basen miejski przy ulicy Sportowej przyjął w sobotę pierwszych pływaków.",
    "Hala ma osiem torów o długości 50 metrów oraz osobny brodzik dla dzieci.",
    "Dyrektor ośrodka zapowiedział, że od marca ruszą bezpłatne lekcje pływania.",
]


def test_paragraphs_that_are_not_the_story_go_whole() -> None:
    not_story = [
        # a teaser card: one sentence glued to its headline, so the others go with it
        "Najnowsze fryzury gwiazdSą kobiety, którym trafiają się wspaniałe uczesania. Są też "
        "takie, po których spodziewać się można tylko najlepszego w tym sezonie.",
        # a call: every sentence exclaims or asks
        "Wyślij nam zdjęcie, film lub artykuł na nasz adres! Najciekawsze opublikujemy!",
        # a caption with its credit
        "Nowy basen w Lublinie od strony ulicy Sportowej w sobotnie popołudnie. (© fot. Archiwum)",
        # a feed whose stamps read day and month only
        "Gruźlica w regionie częstsza niż w kraju 25/03, 09:50 W marcu ruszy akcja informacyjna "
        "dla mieszkańców. Szczepienia w szkołach 24/03, 18:10 Lekarze zachęcają rodziców.",
    ]
    assert make_briefing(not_story + STORY_PL, [], language="pl") == STORY_PL


def test_a_dateline_with_place_and_clock_or_a_date_line_is_no_item() -> None:
    paragraphs = [
        "14.03.2030, Тирасполь 08:12:40 На трассе у Рыбницы перевернулся рейсовый автобус, "
        "пострадали девять пассажиров.",
        "12 Марта 2030 (вторник) Автобус перевернулся у Рыбницы Рейсовый автобус съехал в "
        "кювет на скользком повороте утром во вторник.",
        "По данным дорожной полиции, водитель не справился с управлением на гололёде.",
        "Пострадавших доставили в районную больницу, двое из них в тяжёлом состоянии.",
        "Движение на участке трассы было перекрыто почти на три часа.",
    ]
    items = make_briefing(paragraphs, [], language="ru")
    assert items == paragraphs[2:]


def test_a_date_and_clock_in_prose_stay_usable() -> None:
    paragraphs = [
        "Am 31.10.2030, gegen 23:40 Uhr, versuchten Unbekannte in der Nordstraße in eine "
        "Wohnung einzubrechen.",
        "Der Mieter bemerkte am Morgen frische Hebelspuren an der Haustür.",
        "Die Polizei bittet Zeugen, sich bei der Dienststelle in der Innenstadt zu melden.",
    ]
    assert make_briefing(paragraphs, [], language="de")[0] == paragraphs[0]


def test_the_leaning_openers_pattern_matches_as_the_flat_list_does() -> None:
    """`_leaning` shares the entries' common prefixes (a trie): it must accept exactly the
    sentences that an alternation of the entries, longest first, accepts."""
    import re

    from bot.briefing.extractive import _leaning
    from bot.text import has_cjk, languages

    entries = sorted({e for lang in languages() for e in lang.leaning}, key=lambda e: (-len(e), e))
    spaced = "|".join(re.escape(e) for e in entries if not has_cjk(e))
    unspaced = "|".join(re.escape(e) for e in entries if has_cjk(e))
    flat = re.compile(rf"(?i:(?:{spaced})(?!\w)|(?:{unspaced}))")
    trie = _leaning(None)
    for entry in entries:
        for text in (entry, f"{entry} the mayor said.", f"{entry.upper()}x more.", entry[:-1]):
            assert (trie.match(text) is None) == (flat.match(text) is None), text
