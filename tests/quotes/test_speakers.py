"""The speaker registry: full names from titles, short forms, pronouns and organisations."""

from __future__ import annotations

from bot.quotes.speakers import SpeakerRegistry, first_names


def _registry(*paragraphs: str) -> SpeakerRegistry:
    return SpeakerRegistry.from_paragraphs(list(paragraphs))


def test_first_name_table_has_genders():
    names = first_names()
    assert len(names) > 500
    assert names["Wendy"] == "f"
    assert names["Sergei"] == "m"


def test_title_is_stripped_and_short_forms_resolve_to_full_name():
    reg = _registry("Senate Majority Leader Mitch McConnell (R-Ky.) spoke on Tuesday.")
    assert (
        reg.resolve("Senate Majority Leader Mitch McConnell", (0, 0)).speaker == "Mitch McConnell"
    )
    assert reg.resolve("Mr. McConnell", (1, 0)).speaker == "Mitch McConnell"
    assert reg.resolve("McConnell", (1, 0)).speaker == "Mitch McConnell"
    assert reg.resolve("Mitch", (1, 0)).speaker == "Mitch McConnell"


def test_pronoun_picks_most_recent_person_of_matching_gender():
    reg = _registry(
        "Deputy Minister Sergei Ryabkov met Wendy Sherman in Geneva.",
        "Later, the two sides spoke to reporters.",
    )
    assert reg.resolve("she", (1, 0)).speaker == "Wendy Sherman"
    assert reg.resolve("he", (1, 0)).speaker == "Sergei Ryabkov"


def test_honorific_gives_gender_to_unknown_first_name():
    reg = _registry("Ms. Okonkwo-Brandt chaired the hearing; Peter Lane testified.")
    assert reg.resolve("she", (1, 0)).speaker == "Okonkwo-Brandt"


def test_pronoun_does_not_look_ahead():
    reg = _registry("The hearing opened late.", "Then Paul Novak arrived.")
    assert reg.resolve("he", (0, 5)).speaker is None


def test_organisations_and_common_nouns():
    reg = _registry("The Kremlin and the White House traded statements.")
    assert reg.resolve("the Kremlin", (0, 60)).kind == "org"
    assert reg.resolve("the White House", (0, 60)).speaker == "the White House"
    assert reg.resolve("a senior official", (0, 60)).kind == "noun"
    reg.note_speaker("the Kremlin", (0, 70))
    assert reg.resolve("they", (1, 0)).speaker == "the Kremlin"


def test_name_inside_a_descriptive_phrase():
    reg = _registry("A spokeswoman for the State Department, Jane Doe, declined to comment.")
    resolved = reg.resolve("A spokeswoman for the State Department, Jane Doe", (0, 80))
    assert resolved.speaker == "Jane Doe"
    assert resolved.kind == "name"


def test_first_name_before_a_title_is_a_place_not_a_person():
    reg = _registry("Virginia Gov. Terry Mallon signed the order on Friday.")
    assert reg.resolve("he", (1, 0)).speaker == "Terry Mallon"
    assert all(p.name != "Virginia Gov" for p in reg.people)


def test_unconfirmed_name_is_only_a_fallback_for_pronouns():
    reg = _registry("Odalys Brenn can be heard on the tape.", "Peter Lane arrived later.")
    assert reg.resolve("she", (0, 99)).speaker == "Odalys Brenn"
    assert reg.resolve("he", (2, 0)).speaker == "Peter Lane"
    assert reg.lookup("Brenn") is None  # not a confirmed person: short forms do not match it


def test_pronoun_prefers_a_known_gender_over_a_nearer_unknown_one_in_that_paragraph():
    # "Declan" is not in the first-name table: his gender is unknown, hers is known.
    reg = _registry(
        "The council met on Monday.",
        "Wendy Sherman backed the plan, while Declan Moore told reporters it came too late.",
    )
    assert reg.resolve("she", (2, 0)).speaker == "Wendy Sherman"
    # With nobody of the right gender in that paragraph, the unknown one is still the answer.
    reg = _registry("Declan Moore spoke first.", "Wendy Sherman spoke later.")
    assert reg.resolve("he", (2, 0)).speaker == "Declan Moore"


class _CountingText(str):
    """A paragraph that counts the characters every slice of it copies."""

    copied = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        piece = super().__getitem__(key)
        _CountingText.copied += len(piece)
        return piece


def _chars_copied(paragraph: str) -> int:
    _CountingText.copied = 0
    SpeakerRegistry.from_paragraphs([_CountingText(paragraph)])
    return _CountingText.copied


def test_reading_a_paragraph_copies_linear_not_quadratic_text():
    # One huge paragraph full of capitalised runs (a hostile page puts megabytes in one <p>):
    # copying "the text before this run" for every run made this quadratic.
    sentence = "Odalys Brenn met Peter Lane at Harbour Road. “It is late,” said Dana Ruiz. "
    small, large = sentence * 200, sentence * 800
    per_char_small = _chars_copied(small) / len(small)
    per_char_large = _chars_copied(large) / len(large)
    assert per_char_large <= per_char_small * 1.05  # the same cost per character at 4× size
    assert per_char_large < 10


def test_the_fallback_still_needs_a_sentence_start_before_the_name():
    reg = _registry("Records show “Odalys Brenn can be heard”; later Peter Lane arrived.")
    assert reg.resolve("she", (1, 0)).speaker is None  # mid-sentence: not a fallback person
    reg = _registry("Nobody else spoke. “Odalys Brenn can be heard on the tape.")
    assert reg.resolve("she", (1, 0)).speaker == "Odalys Brenn"
