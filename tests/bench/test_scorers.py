"""The bench scorers implement the corpora READMEs' metrics: check the rules on tiny texts we
wrote, so a scorer change that would silently move a table shows up here first.

bench/ is a folder of scripts, not a package: its modules import each other by bare name, so the
folder goes on sys.path (as when a script runs).
"""

from __future__ import annotations

import importlib
import sys

from tests.helpers.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

cjk = importlib.import_module("cjk")
score_extraction = importlib.import_module("score_extraction")
score_quotes = importlib.import_module("score_quotes")
score_languages = importlib.import_module("score_languages")
score_dangling = importlib.import_module("score_dangling")
segmenters = importlib.import_module("segmenters")
quality = importlib.import_module("quality")


def test_cjk_tokens_count_each_character_of_a_token_holding_one() -> None:
    text = "新华社 2012年 report"
    assert cjk.word_tokens(text, cjk=False) == ["新华社", "2012年", "report"]
    assert cjk.word_tokens(text, cjk=True) == ["新", "华", "社", "2", "0", "1", "2", "年", "report"]


def test_body_f1_sees_overlap_in_chinese_only_with_the_cjk_rule() -> None:
    gold = "今天北京天气很好我们去公园散步"
    pred = "今天北京天气很好我们去公园"
    assert score_extraction.score_page(pred, gold).tp == 0  # one "word" each, and they differ
    page = score_extraction.score_page(pred, gold, cjk=True)
    assert page.tp > 0.8 and page.fp == 0


def test_quote_tokens_and_cjk_speakers() -> None:
    assert score_quotes.tokens("“我们去。”", cjk=True) == ["我", "们", "去"]
    assert score_quotes.speaker_correct("国家主席习近平", "习近平", cjk=True)
    assert not score_quotes.speaker_correct("国家主席习近平", "习近平")
    assert not score_quotes.speaker_correct("李克强", "习近平", cjk=True)
    assert not score_quotes.speaker_correct(None, "习近平", cjk=True)
    # Latin names keep the last-token rule with the CJK additions on
    assert score_quotes.speaker_correct("Donald Tusk", "Tusk", cjk=True)


def test_multi_sentence_items() -> None:
    is_multi = score_languages.is_multi
    assert is_multi("他说。然后走了。", "zh")
    assert not is_multi("他说：“我们明天去。”", "zh")  # the closing quote is not more text
    assert is_multi("Rząd przyjął projekt. Minister był zadowolony.", "pl")
    assert not is_multi("Spotkanie na ul. Marszałkowskiej trwało długo.", "pl")  # 2-letter word
    assert is_multi("Τι έγινε χθες; Κανείς δεν ξέρει.", "el")  # the Greek question mark
    assert not is_multi("Что было вчера; Никто не знает.", "ru")


def test_cut_items() -> None:
    is_cut = score_languages.is_cut
    assert is_cut("Он сказал, что", "ru")
    assert not is_cut("Он ушёл.»", "ru")  # closing mark after the full stop
    assert not is_cut("他走了。”", "zh")
    assert not is_cut("Τι έγινε;", "el")
    assert is_cut("Co się stało;", "pl")
    assert is_cut("περιλαμβάνονται:", "el")


def test_dangling_items() -> None:
    text = "A storm hit the coast.\nHe said it was bad. Roads closed.\nBut schools stayed open."
    check = score_dangling.check_briefing
    ok = check(["A storm hit the coast.", "He said it was bad."], text)
    assert [c.dangles for c in ok] == [False, False]  # right after the sentence it leans on
    late = check(["A storm hit the coast.", "But schools stayed open."], text)
    assert [c.dangles for c in late] == [False, True]  # the sentences in between are left out
    first = check(["He said it was bad."], text)
    assert first[0].dangles  # a first item that leans on a sentence the briefing lacks
    quoted = check(['"But we will rebuild," she said.'], '"But we will rebuild," she said.')
    assert not quoted[0].leans  # a quotation is its own voice
    missing = check(
        ["A storm hit the coast.", "Not in the text.", "But schools stayed open."], text
    )
    assert [c.located for c in missing] == [True, False, True]
    assert not missing[2].dangles  # its neighbour is unknown: not judged


def test_boundary_scores_count_non_space_offsets() -> None:
    text, gold = "A b. C d. E f.", ["A b.", "C d.", "E f."]
    merged = segmenters.score_run(["A b. C d.", "E f."], gold, text)
    assert (merged.tp, merged.predicted, merged.gold, merged.exact) == (1, 1, 2, 1)
    perfect = segmenters.score_run(["A b. ", "C d. ", "E f."], gold, text)
    assert perfect.f1 == 1.0 and perfect.exact == 3
    zh = segmenters.score_run(["你好。", "我是。"], ["你好。", "我是。"], "你好。我是。")
    assert zh.f1 == 1.0 and zh.unaligned == 0
    rewritten = segmenters.score_run(["A b.", "X y."], gold, text)
    assert rewritten.unaligned == 1


def test_every_quality_section_has_a_scorer_and_known_inputs() -> None:
    for key, (folders, _title) in quality.SOURCES.items():
        assert (REPO / "bench" / f"score_{key}.py").is_file(), key
        assert all(folder in quality.INPUTS for folder in folders), key
