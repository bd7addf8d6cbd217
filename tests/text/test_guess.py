"""The one language guess: function words of every registered language, None when unsure."""

from __future__ import annotations

import pytest

from bot.text import guess_language, language_scores

SAMPLES = {
    "en": "The council said on Monday that the bridge will be closed to cars from the summer.",
    "de": "Der Rat hat am Montag die neue Straße für den Verkehr freigegeben, sagte die Stadt.",
    "fr": "Le conseil a voté pour la fermeture du pont et des rues selon le maire de la ville.",
    "es": "El consejo votó por la reforma del mercado y de las calles, dijo el alcalde ayer.",
    "it": "Il consiglio ha votato per la chiusura del ponte e della strada che porta al porto.",
    "nl": "De gemeente heeft het plan voor de brug niet met de bewoners besproken, zei hij.",
    "pt": "O conselho disse que a ponte será fechada para os carros no verão, disse o prefeito.",
}


@pytest.mark.parametrize(("code", "text"), SAMPLES.items())
def test_each_registered_language_is_recognised(code: str, text: str) -> None:
    assert guess_language(text) == code


def test_the_guess_can_start_from_words_already_cut() -> None:
    assert guess_language(SAMPLES["de"].lower().split()) == "de"


def test_no_guess_for_text_too_short_to_tell() -> None:
    assert guess_language("Der Rat") is None
    assert language_scores("Der Rat") == {}
    assert guess_language("12:30 | 3.5 | 2024") is None
    assert guess_language("") is None


# Languages without function-word lists are the identifier's (py3langid) to tell.
OTHER_SAMPLES = {
    "pl": "Rada miasta zdecydowała w poniedziałek o zamknięciu mostu dla samochodów od lata.",
    "ru": "Городской совет в понедельник решил закрыть мост для машин с начала лета.",
    "el": "Το δημοτικό συμβούλιο αποφάσισε τη Δευτέρα να κλείσει τη γέφυρα για τα αυτοκίνητα.",
    "zh": "市议会周一投票决定从夏天起禁止汽车通过磨坊巷大桥。",
    "uk": "Міська рада в понеділок вирішила закрити міст для автомобілів з початку літа.",
}


@pytest.mark.parametrize(("code", "text"), OTHER_SAMPLES.items())
def test_languages_without_a_list_are_identified_from_the_text(code: str, text: str) -> None:
    assert guess_language(text) == code


def test_the_answer_is_an_iso_639_1_code() -> None:
    # py3langid labels Hong Kong Chinese "yue" (Cantonese): the field says "zh".
    assert (
        guess_language("港鐵表示，為方便市民農曆新年期間出行，多條路綫大除夕提供通宵服務。") == "zh"
    )


def test_the_declared_language_only_breaks_ties() -> None:
    greek = OTHER_SAMPLES["el"]
    assert guess_language(greek, hint="en") == "el"  # a template's <html lang="en">
    assert guess_language(SAMPLES["de"], hint="en-US") == "de"
    # too short or unsure: the page's declaration stands
    assert guess_language("Der Rat", hint="de-AT") == "de"
    assert guess_language("12:30 | 3.5 | 2024", hint="fr") == "fr"
    # not a language code: no answer rather than a wrong one
    assert guess_language("12:30 | 3.5 | 2024", hint="x-klingon") is None
