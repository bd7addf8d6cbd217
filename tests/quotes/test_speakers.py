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
