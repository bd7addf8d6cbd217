"""Quotes and speakers in Russian, Ukrainian, Polish, Greek and Chinese (issue 12).

Every article here is written for these tests, each with the traps of its language's news copy:
its own quote marks, dialogue opened by a dash, cues before and after the quote in every form
(feminine, plural, perfective), names in oblique cases shown in the nominative, a person named in
full once and later by surname, role or pronoun, sentence openers that are no names, and marks
that are no quotations (titles of works, company names, link arrows).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Quote
from bot.quotes.finder import extract_quotes


def _speakers(quotes: list[Quote]) -> dict[str, str | None]:
    return {q.text: q.speaker for q in quotes}


def _speaker_of(quotes: list[Quote], needle: str) -> str | None:
    found = [q for q in quotes if needle in q.text]
    assert found, f"no quote containing {needle!r} in {[q.text for q in quotes]}"
    return found[0].speaker


def _assert_verbatim(paragraphs: list[str], quotes: list[Quote]) -> None:
    for quote in quotes:
        for part in quote.text.split(" … "):
            assert any(part in " ".join(p.split()) for p in paragraphs), part


# -- Russian ----------------------------------------------------------------------------------

RU = [
    "Мэрия Заречья закроет Старый мост на ремонт с 1 марта, сообщил в среду глава городского "
    "департамента транспорта Олег Соколов.",
    "«Мост построен в 1962 году, и его опоры больше не выдерживают нынешний поток машин», — "
    "сказал Соколов журналистам.",
    "— Мы не можем ждать до осени, — добавил он, — ремонт займёт не меньше полугода.",
    "По словам Анны Лебедевой, председателя совета жителей, люди узнали о закрытии из газет.",
    "«Нас никто не спросил, и теперь детям придётся ездить в школу через весь город», — "
    "заявила Лебедева.",
    "Напомним, что в прошлом году компания «Газпром» уже перекладывала трубы под мостом.",
    "В фильме «Мост через реку» снимались жители города.",
    "«Это решение давно назрело, и откладывать его дальше было бы безответственно», — "
    "подчеркнул мэр Заречья Виктор Громов.",
]


def test_russian_guillemets_and_dash_speech_with_cues_after() -> None:
    quotes = extract_quotes(RU, "ru")
    _assert_verbatim(RU, quotes)
    assert _speaker_of(quotes, "Мост построен в 1962 году") == "Олег Соколов"
    # dialogue: opened by a dash, closed at the dash before "добавил он", then resumed
    text = next(q.text for q in quotes if "Мы не можем ждать" in q.text)
    assert text == "Мы не можем ждать до осени … ремонт займёт не меньше полугода."
    assert _speaker_of(quotes, "Мы не можем ждать") == "Олег Соколов"  # "он" → Соколов
    assert _speaker_of(quotes, "Нас никто не спросил") == "Анна Лебедева"  # feminine cue
    assert _speaker_of(quotes, "Это решение давно назрело") == "Виктор Громов"


def test_russian_names_in_oblique_cases_are_shown_in_the_nominative() -> None:
    paras = [
        "Переговоры о поставках газа зашли в тупик.",
        "По словам Владимира Путина, «переговоры будут продолжены в ближайшие недели и без "
        "всяких предварительных условий».",
        "«Мы готовы к диалогу с любой стороной, которая уважает наши интересы», — сказал Путин.",
        "По мнению Захаровой, «такие заявления только мешают поиску компромисса между странами».",
    ]
    quotes = extract_quotes(paras, "ru")
    assert _speaker_of(quotes, "переговоры будут продолжены") == "Владимир Путин"
    assert _speaker_of(quotes, "Мы готовы к диалогу") == "Владимир Путин"
    assert _speaker_of(quotes, "такие заявления только мешают") == "Захарова"


def test_russian_titles_company_names_and_sentence_openers_are_not_quotes_or_speakers() -> None:
    quotes = extract_quotes(RU, "ru")
    texts = [q.text for q in quotes]
    assert not any(t in ("Газпром", "Мост через реку") for t in texts)
    speakers = {q.speaker for q in quotes}
    assert not speakers & {"Напомним", "Источник", "Он", "Мост"}


def test_a_sentence_opener_before_a_cue_is_never_the_speaker() -> None:
    paras = [
        "В городе третий день нет горячей воды.",
        "«Аварийные бригады работают круглосуточно и закончат к пятнице», — сообщил источник "
        "в администрации.",
        "Напомним, «последняя крупная авария на этой магистрали случилась восемь лет назад».",
    ]
    speakers = {q.speaker for q in extract_quotes(paras, "ru")}
    assert "Напомним" not in speakers and "Источник" not in speakers


# -- Ukrainian --------------------------------------------------------------------------------


def test_ukrainian_cues_and_dash_speech() -> None:
    paras = [
        "Міська рада Липова затвердила бюджет на наступний рік, повідомила секретар ради "
        "Оксана Мельник.",
        "— Ми вперше за десять років закладаємо гроші на ремонт усіх шкіл, — сказала Мельник.",
        "«Без цих коштів лікарня не переживе зиму», — наголосив головний лікар Андрій Бондар.",
    ]
    quotes = extract_quotes(paras, "uk")
    _assert_verbatim(paras, quotes)
    assert _speaker_of(quotes, "Ми вперше за десять років") == "Оксана Мельник"
    assert _speaker_of(quotes, "Без цих коштів") == "Андрій Бондар"


def test_russian_full_name_ending_a_sentence_is_kept_whole() -> None:
    # a first name we do not list, closing its sentence before a capital: "Тамила Ким. В …"
    paras = [
        "Ранний подъём полезен не всем, отметила ведущий исследователь доктор Тамила Ким. В то "
        "же время она признала, что выборка была небольшой.",
        "«Мы продолжим наблюдения ещё два года», — сказала Ким.",
    ]
    assert _speaker_of(extract_quotes(paras, "ru"), "Мы продолжим") == "Тамила Ким"


# -- Polish -----------------------------------------------------------------------------------

PL = [
    "Remont tramwajowej pętli na Ruczaju potrwa do jesieni – poinformował w poniedziałek "
    "rzecznik miejskiego przewoźnika Tomasz Wrona.",
    "- Prace są opóźnione, bo wykonawca nie dostarczył szyn na czas – mówi Wrona. – Mamy "
    "nadzieję, że to się już nie powtórzy.",
    "Innego zdania jest radna dzielnicy Katarzyna Zielińska. – Mieszkańcy od miesięcy jeżdżą "
    "zastępczymi autobusami – mysz by się nie zmieściła – i nikt ich o nic nie pyta – "
    "powiedziała Zielińska.",
    "Zdaniem Donalda Kowalskiego, szefa rady osiedla, „miasto powinno było zacząć od budowy "
    "objazdu, a nie od rozbiórki torów”.",
    "Czyli co dalej? „Nie wiem, czy zdążymy przed zimą” – przyznał Kowalski.",
    "Zobacz także: Nowe linie autobusowe na Ruczaju »",
]


def test_polish_dash_speech_split_by_its_attribution_is_one_quote() -> None:
    quotes = extract_quotes(PL, "pl")
    _assert_verbatim(PL, quotes)
    text = next(q.text for q in quotes if "Prace są opóźnione" in q.text)
    assert text == (
        "Prace są opóźnione, bo wykonawca nie dostarczył szyn na czas … "
        "Mamy nadzieję, że to się już nie powtórzy."
    )
    assert _speaker_of(quotes, "Prace są opóźnione") == "Tomasz Wrona"


def test_polish_dashes_inside_speech_do_not_end_it() -> None:
    quotes = extract_quotes(PL, "pl")
    text = next(q.text for q in quotes if "Mieszkańcy od miesięcy" in q.text)
    # "– mysz by się nie zmieściła –" is inside the speech; only "– powiedziała" ends it
    assert text.endswith("i nikt ich o nic nie pyta")
    assert _speaker_of(quotes, "Mieszkańcy od miesięcy") == "Katarzyna Zielińska"


def test_polish_genitive_speaker_is_shown_in_the_nominative() -> None:
    quotes = extract_quotes(PL, "pl")
    assert _speaker_of(quotes, "miasto powinno było zacząć") == "Donald Kowalski"
    assert _speaker_of(quotes, "Nie wiem, czy zdążymy") == "Donald Kowalski"


def test_polish_link_arrows_and_sentence_openers_are_not_quotes_or_speakers() -> None:
    quotes = extract_quotes(PL, "pl")
    assert not any("Nowe linie autobusowe" in q.text for q in quotes)
    assert "Czyli" not in {q.speaker for q in quotes}


def test_polish_role_after_a_cue_names_the_person_introduced_with_it() -> None:
    paras = [
        "– Takiego sezonu grypowego nie było od lat – mówi Ewa Nowak, ordynator oddziału "
        "zakaźnego szpitala w Lipnie.",
        "– Na oddziale brakuje łóżek, pacjenci leżą na korytarzach – dodaje ordynator.",
    ]
    quotes = extract_quotes(paras, "pl")
    assert _speaker_of(quotes, "Na oddziale brakuje łóżek") == "Ewa Nowak"


def test_a_cue_without_a_subject_speaks_for_the_person_last_named() -> None:
    paras = [
        "Wojewoda Marek Lis odwiedził w piątek zalane gospodarstwa pod Kłodzkiem.",
        "Dodał: „Pieniądze na odbudowę trafią do rolników jeszcze przed świętami”.",
    ]
    quotes = extract_quotes(paras, "pl")
    assert _speaker_of(quotes, "Pieniądze na odbudowę") == "Marek Lis"


# -- Greek ------------------------------------------------------------------------------------

EL = [
    "Τη μείωση των εισιτηρίων στα λεωφορεία ανακοίνωσε χθες ο δήμαρχος της πόλης, Νίκος Παπαδάκης.",
    "«Η πόλη πρέπει να ξαναβρεί τον δρόμο της προς τη δημόσια συγκοινωνία», δήλωσε ο κ. Παπαδάκης.",
    "Και συμπλήρωσε: «Τα νέα λεωφορεία θα κυκλοφορήσουν από τον Μάρτιο σε όλες τις γραμμές».",
    "Σύμφωνα με τον Αλέξη Μαυρίδη, πρόεδρο των επαγγελματιών, «η αγορά χρειάζεται περισσότερα "
    "δρομολόγια και όχι φθηνότερα εισιτήρια».",
    "Η παράσταση «Οι Όρνιθες» ανεβαίνει ξανά στο δημοτικό θέατρο.",
]


def test_greek_guillemets_cues_and_an_unsaid_subject() -> None:
    quotes = extract_quotes(EL, "el")
    _assert_verbatim(EL, quotes)
    assert _speaker_of(quotes, "Η πόλη πρέπει") == "Νίκος Παπαδάκης"
    # "Και συμπλήρωσε:" — no subject: the person last spoken of, never "Και"
    assert _speaker_of(quotes, "Τα νέα λεωφορεία") == "Νίκος Παπαδάκης"
    assert "Και" not in {q.speaker for q in quotes}


def test_greek_accusative_after_a_preposition_is_shown_in_the_nominative() -> None:
    quotes = extract_quotes(EL, "el")
    assert _speaker_of(quotes, "η αγορά χρειάζεται") == "Αλέξης Μαυρίδης"


def test_greek_titles_of_works_are_not_quotes() -> None:
    quotes = extract_quotes(EL, "el")
    assert not any(q.text == "Οι Όρνιθες" for q in quotes)


def test_greek_quote_that_lost_its_closer_ends_where_the_next_one_opens() -> None:
    paras = [
        "«Δεν θα κλείσει κανένα σχολείο της περιφέρειας φέτος. «Αντίθετα», πρόσθεσε η κ. "
        "Ελένη Ράλλη, «θα ανοίξουν δύο νέα νηπιαγωγεία»."
    ]
    quotes = extract_quotes(paras, "el")
    _assert_verbatim(paras, quotes)
    assert any(q.text.startswith("Δεν θα κλείσει κανένα σχολείο") for q in quotes)
    assert _speaker_of(quotes, "θα ανοίξουν δύο νέα νηπιαγωγεία") == "Ελένη Ράλλη"


def test_greek_quoted_name_inside_the_attribution_does_not_cut_it() -> None:
    # «Αγία Σοφία» is the hospital's name, not the next quotation: the speaker comes after it
    paras = [
        "«Η ασθενής αναπνέει χωρίς βοήθεια και θα πάει σπίτι της την Πέμπτη» είπε ο "
        "διευθυντής της κλινικής «Αγία Σοφία», Πέτρος Αλεξίου στους δημοσιογράφους."
    ]
    quotes = extract_quotes(paras, "el")
    assert _speaker_of(quotes, "Η ασθενής αναπνέει") == "Πέτρος Αλεξίου"
    assert not any(q.text == "Αγία Σοφία" for q in quotes)


def test_greek_article_at_a_sentence_head_is_no_part_of_the_speaker() -> None:
    paras = [
        "Ο ΕΟΔΥ, αναφέρει η ανακοίνωση, «παρακολουθεί στενά την κατάσταση σε όλα τα νησιά».",
        "«Δεν υπάρχει λόγος ανησυχίας για τους επισκέπτες», προσθέτει ο ΕΟΔΥ.",
    ]
    speakers = {q.speaker for q in extract_quotes(paras, "el")}
    assert "Ο ΕΟΔΥ" not in speakers
    assert "ΕΟΔΥ" in speakers


def test_greek_role_with_its_portfolio_names_the_minister_introduced_with_it() -> None:
    paras = [
        "Νέα μέτρα για τα λιμάνια ανακοίνωσε ο υπουργός Ναυτιλίας Σ. Καραλής.",
        "Μιλώντας στο ραδιόφωνο, ο υπουργός Ναυτιλίας ανέφερε ότι «τα πλοία θα δένουν "
        "πλέον μόνο σε ελεγμένες προβλήτες σε όλα τα νησιά».",
        "Ο Γάλλος υπουργός Εξωτερικών δήλωσε ότι «η συνεργασία με την Αθήνα είναι άριστη».",
    ]
    quotes = extract_quotes(paras, "el")
    assert _speaker_of(quotes, "τα πλοία θα δένουν") == "Σ. Καραλής"
    # no one named: the role is the speaker, never the portfolio as if it were a surname
    assert _speaker_of(quotes, "η συνεργασία με την Αθήνα") != "Εξωτερικών"


def test_greek_capital_initial_is_not_the_honorific_k() -> None:
    # "Κ." before a surname is an initial (Kostas); "ο κ." is Mr
    paras = [
        "Τη μελέτη παρουσίασε ο ερευνητής του πανεπιστημίου, Κ. Βλάχος.",
        "«Τα στοιχεία δείχνουν καθαρή βελτίωση σε όλες τις ηλικίες», είπε ο κ. Βλάχος.",
    ]
    assert _speaker_of(extract_quotes(paras, "el"), "Τα στοιχεία δείχνουν") == "Κ. Βλάχος"


# -- Chinese ----------------------------------------------------------------------------------

ZH = [
    "东湖区地铁三号线将于明年六月通车。",
    "市交通局新闻发言人李明华表示，“三号线建成后，从东湖到火车站只需要二十分钟。”",
    "“我们每天要换两次车，太不方便了。”家住东湖的市民王先生告诉记者。",
    "他说：“希望通车以后上班能轻松一点。”",
    "该线路的设计参考了《城市轨道交通规范》，站名“东湖公园”由市民投票选出。",
    "据介绍，「全线共设十二座车站，其中换乘站三座。」",
]


def test_chinese_speaker_before_the_cue_without_title() -> None:
    quotes = extract_quotes(ZH, "zh")
    _assert_verbatim(ZH, quotes)
    assert _speaker_of(quotes, "三号线建成后") == "李明华"  # not 市交通局新闻发言人李明华


def test_chinese_speaker_after_the_quote_and_a_pronoun_after_it() -> None:
    quotes = extract_quotes(ZH, "zh")
    assert _speaker_of(quotes, "我们每天要换两次车") == "王先生"  # a surname alone keeps 先生
    assert _speaker_of(quotes, "希望通车以后") == "王先生"  # 他 → the last speaker


def test_chinese_names_and_titles_in_marks_are_not_quotes() -> None:
    quotes = extract_quotes(ZH, "zh")
    assert not any(q.text in ("东湖公园", "城市轨道交通规范") for q in quotes)


def test_chinese_corner_brackets_are_quote_marks() -> None:
    quotes = extract_quotes(ZH, "zh")
    assert any(q.text.startswith("全线共设十二座车站") for q in quotes)


def test_chinese_full_name_keeps_its_honorific_dropped() -> None:
    paras = [
        "新一轮生肖邮票昨日首发。",
        "收藏了二十年邮票的赵立新先生对记者说：“这套邮票的设计非常大胆。”",
    ]
    assert _speaker_of(extract_quotes(paras, "zh"), "这套邮票") == "赵立新"


def test_chinese_speaker_described_by_a_de_phrase_with_a_manner_adverb() -> None:
    paras = [
        "地铁三号线昨夜举行疏散演练。",
        "“原来消防通道里这么宽，以后坐地铁心里更踏实了。”第一次参加这类活动的一位退休教师"
        "高兴的告诉记者。",
    ]
    assert _speaker_of(extract_quotes(paras, "zh"), "原来消防通道") == "退休教师"


def test_pull_quote_before_a_speaker_label_is_that_speakers() -> None:
    # an interview page: each answer opens with a quoted heading, then the speaker's label
    paras = [
        "两位医生谈医患关系。",
        "“病人的信任，",
        "要靠时间慢慢积累”",
        "刘建华（市第一医院心内科主任）：",
        "我当医生三十年，最深的体会是病人的信任要靠时间积累。",
        "“医院不能只看收入”",
        "周敏（市中医院院长）：",
        "医院首先是治病救人的地方，不能只看收入。",
    ]
    quotes = extract_quotes(paras, "zh")
    assert _speaker_of(quotes, "病人的信任") == "刘建华"
    assert _speaker_of(quotes, "医院不能只看收入") == "周敏"


def test_pull_quote_label_in_a_latin_script_language() -> None:
    paras = [
        "Dwie lekarki o kolejkach do specjalistów.",
        "„Pacjenci czekają po pół roku na wizytę u kardiologa”",
        "Ewa Malinowska (kardiolog, szpital w Lublinie):",
        "W naszej poradni kolejka sięga dziś pół roku i wciąż rośnie.",
    ]
    assert _speaker_of(extract_quotes(paras, "pl"), "Pacjenci czekają") == "Ewa Malinowska"


# -- every language: quotes are verbatim ------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "«",
        "»",
        "„",
        "”",
        "“",
        "「",
        "」",
        "— ",
        " – ",
        "- ",
        ", — сказал Путин. ",
        " – mówi Tusk. ",
        " δήλωσε ο κ. Τσίπρας. ",
        "他说：",
        "表示，",
        "По словам Путина, ",
        "Zdaniem Tuska ",
        "Και συμπλήρωσε: ",
        "。",
        "Мы не уйдём",
        "Nie wiem",
        "Δεν ξέρω",
        "我们不走",
        "\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=30),
    st.sampled_from(["ru", "pl", "el", "zh", "uk", None]),
)
def test_every_quote_in_every_language_is_verbatim(pieces: list[str], language: str | None):
    paras = [line for line in re.split(r"\n", "".join(pieces)) if line.strip()]
    quotes = extract_quotes(paras, language)
    _assert_verbatim(paras, quotes)
    assert all(q.text for q in quotes)
