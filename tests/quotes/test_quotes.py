"""The quotes step: marks, attribution forms, speakers, filtering and ranking.

Every synthetic article here is written for these tests; each case is a trap seen in real news
copy (split quotes, lost opening marks, straight quotes beside apostrophes, titles in quotes…).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Quote
from bot.quotes.finder import extract_quotes
from tests.helpers.paths import CORPORA, SEED, needs_shared

SEED_TEXT = SEED / "article.txt"

_MARKS = str.maketrans({c: '"' for c in "“”„‟«»〝〞＂"} | {c: "'" for c in "‘’‚‛"})


def _norm(text: str) -> str:
    """Quote marks unified and whitespace collapsed, as the verbatim check compares."""
    text = unicodedata.normalize("NFKC", text).translate(_MARKS)
    return " ".join(text.split())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _by_text(quotes: list[Quote], needle: str) -> Quote:
    found = [q for q in quotes if needle in q.text]
    assert found, f"no quote containing {needle!r} in {[q.text for q in quotes]}"
    return found[0]


def _assert_verbatim(paragraphs: list[str], quotes: list[Quote]) -> None:
    article = _norm("\n".join(paragraphs))
    for quote in quotes:
        assert 0 <= quote.paragraph < len(paragraphs)
        for part in quote.text.split(" … "):
            assert _norm(part) in article, f"not verbatim: {part!r}"


# -- attribution forms -------------------------------------------------------------------------


def test_speaker_after_quote_with_title_stripped():
    paras = [
        "Harbour plan approved.",
        "The council approved the new harbour plan on Tuesday after a long debate.",
        "“This is the best day for the harbour in forty years,” Port Commissioner Ana Ortiz said.",
    ]
    quote = _by_text(extract_quotes(paras), "best day for the harbour")
    assert quote.speaker == "Ana Ortiz"
    assert quote.text == "This is the best day for the harbour in forty years,"
    assert quote.paragraph == 2


def test_split_quote_is_one_quote_and_pronoun_resolves():
    paras = [
        "Budget talks stall.",
        "Finance Minister Helen Marsh met union leaders on Monday.",
        "“We are not there yet,” she said. “But nobody is leaving the table tonight.”",
    ]
    quotes = extract_quotes(paras)
    assert len(quotes) == 1
    assert quotes[0].text == "We are not there yet, … But nobody is leaving the table tonight."
    assert quotes[0].speaker == "Helen Marsh"


def test_inverted_said_with_party_tag_and_age_appositive():
    paras = [
        "Senate vote delayed.",
        "“We will not be rushed on a bill this size,” said Sen. John Carter, R-Texas.",
        "“My neighbours are scared of the water bills,” Maria Lopez, 54, said after the meeting.",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "We will not be rushed").speaker == "John Carter"
    assert _by_text(quotes, "neighbours are scared").speaker == "Maria Lopez"


def test_according_to_colon_and_told_forms():
    paras = [
        "Storm response questioned.",
        "According to Fire Chief Daniel Reyes, “the crews were in place hours before the storm.”",
        "Governor Laura Finch told reporters: “We learned a lot from last winter.”",
        "Mr. Reyes added that the review “will be published in full, every single page of it.”",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "crews were in place").speaker == "Daniel Reyes"
    assert _by_text(quotes, "learned a lot").speaker == "Laura Finch"
    assert _by_text(quotes, "every single page of it").speaker == "Daniel Reyes"


def test_two_speakers_in_one_paragraph_stay_two_quotes():
    paras = [
        "Mayor faces critics.",
        "“The plan will cost more than it saves,” said Paul Grant. “It always does,” added "
        "Rachel Stone, a former city auditor.",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "cost more than it saves").speaker == "Paul Grant"
    assert _by_text(quotes, "It always does").speaker == "Rachel Stone"
    assert len(quotes) == 2


def test_organisation_speaks():
    paras = [
        "Kremlin rejects report.",
        "“These claims have nothing to do with reality,” the Kremlin said in a statement.",
        "The White House said: “We stand by every word of the assessment.”",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "nothing to do with reality").speaker in {"Kremlin", "the Kremlin"}
    assert _by_text(quotes, "stand by every word").speaker in {"White House", "The White House"}


def test_spokeswoman_introduced_before_her_name():
    paras = [
        "Embassy closes early.",
        "A spokeswoman for the State Department, Jane Doe, said: “The embassy will reopen once "
        "the area is secure.”",
        "“We have told every citizen in the region to stay indoors,” Ms. Doe said.",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "embassy will reopen").speaker == "Jane Doe"
    assert _by_text(quotes, "stay indoors").speaker == "Jane Doe"


def test_comma_split_quote_tweet_and_adding_fragment():
    paras = [
        "Ferry fares rise.",
        "“If the fares go up again,” Captain Ivo Petrov said, “the islanders will simply stop "
        "coming to the mainland.”",
        "Transport Secretary Nadia Ruiz tweeted: “Fares are frozen for residents until spring.”",
        "Ruiz defended the plan, adding that the operator “has lost money on every single crossing "
        "this year”.",
    ]
    quotes = extract_quotes(paras)
    split = _by_text(quotes, "If the fares go up again")
    assert split.text == (
        "If the fares go up again, … the islanders will simply stop coming to the mainland."
    )
    assert split.speaker == "Ivo Petrov"
    assert _by_text(quotes, "Fares are frozen").speaker == "Nadia Ruiz"
    assert _by_text(quotes, "lost money on every single crossing").speaker == "Nadia Ruiz"


def test_later_quote_in_same_paragraph_inherits_speaker():
    paras = [
        "Farmers protest.",
        "“We cannot sell below cost for another season,” said Hugo Lind, who farms near the "
        "river. Later he pointed at the silos. “Those are full and nobody is buying any of it.”",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "Those are full").speaker == "Hugo Lind"


def test_dash_credit_under_a_vox_pop_quote():
    paras = [
        "Voters speak.",
        "“I have never seen the town this divided about anything at all.” ― Teodora Vance",
    ]
    assert extract_quotes(paras)[0].speaker == "Teodora Vance"


# -- marks -------------------------------------------------------------------------------------


def test_quote_running_over_paragraphs_is_one_quote():
    paras = [
        "Coach explains exit.",
        "Coach Brian Mills said: “I gave this club eleven years of my life and I do not regret a "
        "single day of it.",
        "“But it is time for somebody younger to lead the team into the new stadium.”",
        "The club thanked him.",
    ]
    quotes = extract_quotes(paras)
    assert len(quotes) == 1
    assert "eleven years" in quotes[0].text and "somebody younger" in quotes[0].text
    assert quotes[0].speaker == "Brian Mills"


def test_lost_opening_mark_and_quote_paragraph_continue_previous_speaker():
    paras = [
        "Minister warns on prices.",
        "“Prices will keep rising through the winter,” Energy Minister Tomas Berg said.",
        "As the prime minister told parliament, ‘we cannot promise miracles. We can promise "
        "honesty’.”",
        "“Nobody should expect relief before March,” he added.",
        "“The grid is fragile and the reserves are thin this year.”",
    ]
    quotes = extract_quotes(paras)
    lost = _by_text(quotes, "cannot promise miracles")
    assert lost.text.startswith("As the prime minister told parliament")
    assert lost.speaker == "Tomas Berg"
    assert _by_text(quotes, "grid is fragile").speaker == "Tomas Berg"


def test_straight_quotes_and_apostrophes():
    paras = [
        "Club's '90s glory recalled.",
        "The club's fans don't forget the '90s, and Nato's summit won't change that.",
        '"We\'re going to win it back, I promise you that," captain Leo Hart said.',
    ]
    quotes = extract_quotes(paras)
    assert len(quotes) == 1
    assert quotes[0].text == "We're going to win it back, I promise you that,"
    assert quotes[0].speaker == "Leo Hart"


def test_nested_single_quotes_stay_inside():
    paras = [
        "Judge rebukes lawyer.",
        "“He kept saying ‘trust me’ and then he lied to the court,” Judge Amy Walsh said.",
    ]
    quote = extract_quotes(paras)[0]
    assert quote.text == "He kept saying ‘trust me’ and then he lied to the court,"
    assert quote.speaker == "Amy Walsh"


def test_tweet_placeholder_attributes_are_not_quotes():
    paras = [
        "Senator tweets.",
        'Senator Kim Lee posted this: <tweet tweet-id="12345"><tweet/>',
        "The post was later deleted.",
    ]
    assert extract_quotes(paras) == []


def test_double_quote_nested_in_double_quote_does_not_end_it_early():
    paras = [
        "Court hears appeal.",
        "“The ruling says “no further delay” and we intend to respect that,” said counsel "
        "Ruth Imre.",
        '"This office is not about “winning at all costs” any more. It never was," Ada Holm said.',
        '“He called the plan "a blank cheque" in front of everyone,” Ivo Stan said.',
    ]
    quotes = extract_quotes(paras)
    first = _by_text(quotes, "no further delay")
    assert first.text == "The ruling says “no further delay” and we intend to respect that,"
    assert first.speaker == "Ruth Imre"
    second = _by_text(quotes, "winning at all costs")
    assert second.text.endswith("It never was,") and second.speaker == "Ada Holm"
    assert _by_text(quotes, "a blank cheque").text.endswith("in front of everyone,")
    _assert_verbatim(paras, quotes)


def test_lone_straight_closer_ending_an_excerpt_is_not_a_quote():
    paras = [
        "Press briefing.",
        "The spokesman was asked again about the shooting on Thursday.",
        "“We will not discuss an open investigation from this podium,” Press Secretary Dan Ebb "
        'said."',
    ]
    quotes = extract_quotes(paras)
    assert [(q.text, q.speaker) for q in quotes] == [
        ("We will not discuss an open investigation from this podium,", "Dan Ebb")
    ]


def test_british_single_quotes_at_top_level():
    paras = [
        "Rail strike called off.",
        "‘We have a deal the members can accept,’ union chief Moira Kell said. ‘The drivers’ "
        "pay rise is finally on paper.’",
        "Kell said the ‘90s were the last time talks went this well, and Nato’s example helped.",
    ]
    quotes = extract_quotes(paras)
    assert len(quotes) == 1
    assert quotes[0].text == (
        "We have a deal the members can accept, … The drivers’ pay rise is finally on paper."
    )
    assert quotes[0].speaker == "Moira Kell"
    _assert_verbatim(paras, quotes)


def test_it_resolves_to_the_document_when_no_organisation_spoke():
    paras = [
        "Memo surfaces.",
        "The memo, obtained by reporters on Friday, was written two days before the flood.",
        "“Evacuate the lower district before the river crests tonight,” it reads.",
    ]
    quote = _by_text(extract_quotes(paras), "Evacuate the lower district")
    assert quote.speaker == "The memo"


def test_relative_clause_speakers():
    paras = [
        "Posts draw anger.",
        "Among the replies was one from Mara Quill who wrote, “The council has ignored this "
        "street for a decade and everybody here knows it.”",
        "Councillor Bo Lane was defensive about the unpaid builder who said he was owed money, "
        "saying, “Maybe the work was not finished and I was not happy with it.”",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "ignored this street").speaker == "Mara Quill"
    assert _by_text(quotes, "work was not finished").speaker == "Bo Lane"


def test_quote_full_stop_still_ends_the_sentence_before_the_next_attribution():
    paras = [
        "Ruling appealed.",
        "Ann Cole noted, “That question is settled.” Bob Dale was less calm, saying, “We will "
        "appeal this ruling next week in the higher court.”",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "appeal this ruling").speaker == "Bob Dale"


def test_name_that_looks_like_a_skip_word_and_plural_noun_speakers():
    paras = [
        "Columnist weighs in.",
        "Columnist George Will has long opposed the plan.",
        "“The plan fails every test a serious country should set for itself,” Will wrote.",
        "“The harm done by this scheme to the victims is beyond measure,” federal prosecutors "
        "wrote.",
        "“The board never saw the second report at all before the vote,” this source told us.",
    ]
    quotes = extract_quotes(paras)
    assert _by_text(quotes, "fails every test").speaker == "George Will"
    assert _by_text(quotes, "beyond measure").speaker == "federal prosecutors"
    assert _by_text(quotes, "second report").speaker == "this source"


def test_unknown_first_name_opening_a_sentence_answers_a_later_she():
    paras = [
        "Video released.",
        "Odalys Brenn can be heard calling to the officers from across the road.",
        "“Please put the gun down, he has nothing in his hands,” she says.",
    ]
    assert _by_text(extract_quotes(paras), "put the gun down").speaker == "Odalys Brenn"


def test_short_fragment_kept_last_only_when_it_is_the_sentence_point():
    paras = [
        "Talks collapse.",
        "“We walked in with a fair offer and we walked out with nothing,” said Jan Ruiz.",
        "Campaign manager Lea Ford called the offer “beyond all reason.”",
        "Ford noted that the two sides had met four times since the spring in three cities and "
        "that “talks were hard” at every stage.",
    ]
    quotes = extract_quotes(paras)
    assert quotes[-1].text == "beyond all reason." and quotes[-1].speaker == "Lea Ford"
    assert not any("talks were hard" in q.text for q in quotes)


def test_fragment_lifted_from_a_long_paraphrase_ranks_below_full_quotes():
    paras = [
        "Budget passes.",
        "Treasurer Nia Voss said that after months of talks with the unions, the mayor and the "
        "county the city “has finally closed the gap in the budget for next year”.",
        "“This is a budget that pays for itself,” said Omar Pike.",
    ]
    quotes = extract_quotes(paras)
    assert [q.speaker for q in quotes] == ["Omar Pike", "Nia Voss"]


def test_open_straight_wrapper_is_not_continued_by_a_curly_quote():
    paras = [
        "Rally recap.",
        '"The senator walked onto the stage as the crowd chanted “Four more years!”',
        "“That is right, we are back,” Ella Moss said to the television.",
    ]
    quotes = extract_quotes(paras)
    back = _by_text(quotes, "we are back")
    assert back.text == "That is right, we are back," and back.speaker == "Ella Moss"


# -- other languages ---------------------------------------------------------------------------


def test_german_french_spanish_cues():
    de = ["Streit um Haushalt.", "„Wir werden das nicht akzeptieren“, sagte Olaf Brandt am Montag."]
    fr = ["Grève nationale.", "« Nous ne reculerons pas », a déclaré Sophie Martin mardi."]
    es = ["Elecciones.", "“Vamos a ganar en todas las provincias”, dijo Carlos Ruiz."]
    assert extract_quotes(de, "de")[0].speaker == "Olaf Brandt"
    assert extract_quotes(fr, "fr")[0].speaker == "Sophie Martin"
    assert extract_quotes(es, "es")[0].speaker == "Carlos Ruiz"
    selon = [
        "Grève.",
        "Selon Marc Petit, « la grève durera encore toute la semaine prochaine, au moins ».",
    ]
    assert extract_quotes(selon, "fr")[0].speaker == "Marc Petit"


# -- not quotes --------------------------------------------------------------------------------


def test_scare_quotes_titles_headline_and_handles_are_dropped():
    paras = [
        "“Total failure”: critics round on plan.",
        "The so-called “reform” bill was debated while the film “The Long Night Over Town” "
        "played downtown.",
        "Fans replied to “@cityhall” all day.",
        "“It is a total failure of leadership and everyone here knows it,” Ruth Kaye said.",
    ]
    quotes = extract_quotes(paras)
    assert [q.text for q in quotes] == [
        "It is a total failure of leadership and everyone here knows it,"
    ]


# -- ranking -----------------------------------------------------------------------------------


def test_ranking_puts_named_full_quotes_first_and_drops_duplicates():
    paras = [
        "Strike ends.",
        "Union leader Marta Quinn said the deal was “good enough for now, but only for now and "
        "only for this year”.",
        "“We won every point we asked for, and the members know it,” Quinn said.",
        "“We won every point we asked for, and the members know it.”",
        "“This is how you end a strike without losers,” Mayor Dan Cole said.",
    ]
    quotes = extract_quotes(paras)
    assert [q.score for q in quotes] == sorted((q.score for q in quotes), reverse=True)
    assert sum("won every point" in q.text for q in quotes) == 1
    assert quotes[0].speaker in {"Marta Quinn", "Dan Cole"}
    assert "good enough for now" in quotes[-1].text  # the fragment comes last


# -- the seed story and the benchmark corpora ---------------------------------------------------


@needs_shared
def test_seed_story_quotes_and_speakers():
    paras = _lines(SEED_TEXT.read_text(encoding="utf-8"))
    quotes = extract_quotes(paras)
    expected = {
        "We have no intention to invade Ukraine.": "Sergei Ryabkov",
        "It was not what you would call a negotiation": "Wendy Sherman",
        "ready to set down texts": "Wendy Sherman",
        "We were firm, however": "Wendy Sherman",
        "will not forgo bilateral cooperation": "Wendy Sherman",
        "The situation now is so dangerous": "Sergei Ryabkov",
        "we cannot backpedal": "Sergei Ryabkov",
    }
    for needle, speaker in expected.items():
        assert _by_text(quotes, needle).speaker == speaker, needle
    negotiation = _by_text(quotes, "It was not what you would call a negotiation")
    assert " … We’re not to a point" in negotiation.text
    assert all(q.paragraph > 0 for q in quotes)  # nothing from the headline
    _assert_verbatim(paras, quotes)


def _benchmark_texts() -> list[Path]:
    paths = sorted((CORPORA / "quotes-polnear" / "text").glob("*.txt"))
    paths += sorted(CORPORA.glob("*/text/*.txt"))
    if SEED_TEXT.exists():
        paths.append(SEED_TEXT)
    return list(dict.fromkeys(paths))


@needs_shared
def test_every_benchmark_quote_is_verbatim():
    paths = _benchmark_texts()
    assert paths
    for path in paths:
        paras = _lines(path.read_text(encoding="utf-8", errors="replace"))
        _assert_verbatim(paras, extract_quotes(paras))


_PIECES = st.sampled_from(
    [
        "“",
        "”",
        '"',
        "‘",
        "’",
        "'",
        "«",
        "»",
        "„",
        " said ",
        " she said. ",
        "Mr. ",
        "Ms Ann Lee",
        ", ",
        ". ",
        "\n",
        " according to ",
        ":",
        "—",
        "<tweet/>",
        "he",
        " the Kremlin ",
        "word",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40))
def test_never_crashes_and_never_invents_text(pieces):
    paras = [line for line in re.split(r"\n", "".join(pieces)) if line.strip()]
    quotes = extract_quotes(paras)
    _assert_verbatim(paras, quotes)
    assert all(isinstance(q, Quote) and q.text for q in quotes)


def test_a_person_named_right_after_an_unattributed_quote_vetoes_the_last_speaker():
    paras = [
        "The harbour authority will close the north pier for repairs from January.",
        "“We have waited and waited for this,” said Alma Ferreira, who chairs the fishermen’s "
        "association.",
        "“Nobody asked us about the timing at all.” The association will meet on Friday.",
        "“It will cost us the whole winter season.” That was the verdict of Declan Moore, a "
        "trawler owner who has fished from the pier for thirty years.",
    ]
    by_text = {q.text: q.speaker for q in extract_quotes(paras)}
    assert by_text["We have waited and waited for this,"] == "Alma Ferreira"
    # Nobody else named after it: the usual continuation of the last speaker.
    assert by_text["Nobody asked us about the timing at all."] == "Alma Ferreira"
    # Not Ferreira's: a wrong name is worse than none.
    assert by_text["It will cost us the whole winter season."] is None


def test_a_name_and_an_uncatalogued_verb_after_the_quote_is_its_speaker():
    paras = [
        "Donald Trump said on Monday that France had lost its way; President François Hollande "
        "and the radio host Glenn Beck both answered him.",
        "“France is no longer France,” Trump said.",
        "“France will always be France,” an angry Hollande retaliated. “It never gives up.”",
        "“What was the pivot point that made him change?” Beck questioned.",
    ]
    speakers = {q.text: q.speaker for q in extract_quotes(paras)}
    assert speakers["France will always be France,"] == "François Hollande"  # not Trump
    assert speakers["It never gives up."] == "François Hollande"
    assert speakers["What was the pivot point that made him change?"] == "Glenn Beck"


def test_she_resolves_to_the_woman_named_beside_a_man_of_unknown_gender():
    paras = [
        "The harbour works will start in January, the council said.",
        "“The money is there,” said Alma Ferreira, while Declan Moore said the timing was poor.",
        "“We are sorry for the disruption,” she told The Harbour Times.",
    ]
    [sorry] = [q for q in extract_quotes(paras) if q.text.startswith("We are sorry")]
    assert sorry.speaker == "Alma Ferreira"


def test_a_dash_signature_after_the_next_sentence_names_the_speaker():
    paras = [
        "Readers sent us their thoughts on the harbour plan; Tomas Reyes wrote first.",
        "“The plan ignores the fishermen entirely,” said Tomas Reyes.",
        # Marks mismatched as readers type them: the quote closes early, the signature is
        # left in the sentence after it.
        "“Nobody has asked the people who use the pier. As my gran said ‘Some folk are so "
        "poor all they have is money.” And that’s all he has “the root of it’.” ― Christina "
        "Lastra.",
    ]
    [quote] = [q for q in extract_quotes(paras) if q.text.startswith("Nobody has asked")]
    assert quote.speaker == "Christina Lastra"


def test_a_verb_missing_from_the_cue_lists_is_not_part_of_the_name():
    paras = [
        "The council met on Monday to discuss the pier.",
        "The mayor, Jonas Whitfield, disagreed: “We have the money and the plan for this.”",
    ]
    [quote] = extract_quotes(paras)
    assert quote.speaker == "Jonas Whitfield"


def test_an_unlisted_first_name_after_a_job_title_is_still_a_person():
    paras = [
        "The council met on Monday to discuss the pier.",
        "“We have the money and the plan for this,” said the harbour master Tomas Reyes.",
    ]
    [quote] = extract_quotes(paras)
    assert quote.speaker == "Tomas Reyes"


def test_a_quote_broken_by_an_attribution_between_dashes_is_one_quote():
    paras = [
        "The council met on Monday to discuss the storm-damaged pier.",
        "“We will rebuild it,” — the mayor, Jonas Whitfield, said — “and quickly, before the "
        "summer season starts.”",
    ]
    [quote] = extract_quotes(paras)
    assert quote.text == "We will rebuild it, … and quickly, before the summer season starts."
    assert quote.speaker == "Jonas Whitfield"
