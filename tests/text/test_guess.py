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


def test_no_guess_for_short_text_or_a_language_without_a_list() -> None:
    assert guess_language("Der Rat") is None
    assert language_scores("Der Rat") == {}
    # Polish and Chinese: no list of ours, and a wrong guess would be worse than none.
    assert (
        guess_language("Rada miasta zdecydowała w poniedziałek o zamknięciu mostu dla aut.") is None
    )
    assert guess_language("市议会周一投票决定从夏天起禁止汽车通过磨坊巷大桥。" * 3) is None
