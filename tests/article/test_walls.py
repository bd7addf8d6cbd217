"""Walls on pages of our own: consent forms of several platforms and languages, bot checks served
with 200, a login wall and hard paywalls are answered `not_article` with a message that says what
the site showed and what to do; a banner over a full article costs the article nothing."""

from __future__ import annotations

import pytest

from bot.article.extract import extract_article
from bot.article.walls import WallKind, find_wall, wall_kind_of_line, wall_lines
from bot.errors import NoArticle
from bot.models import ErrorKind
from bot.runtime.analysis import analyse_html
from tests.helpers.walls import page, wall_words_in

CONSENT = (
    "consent-tcf-en.html",  # an IAB TCF platform's interstitial, under the article's og:title
    "consent-onetrust-de.html",
    "consent-payorok-fr.html",  # "accept or subscribe"
    "consent-didomi-es.html",
    "consent-collect.html",  # the page a redirect to a consent host lands on
)
CHALLENGES = (
    "challenge-cloudflare.html",
    "challenge-pressandhold.html",
    "challenge-captcha-200.html",  # "looked automated", reCAPTCHA, the article's og:title
    "challenge-bot-de.html",
)


def _failure(name: str, url: str | None = None) -> NoArticle:
    with pytest.raises(NoArticle) as caught:
        extract_article(page(name), url)
    assert caught.value.kind is ErrorKind.NOT_ARTICLE
    return caught.value


@pytest.mark.parametrize("name", CONSENT)
def test_consent_interstitials_are_named_not_briefed(name: str) -> None:
    message = _failure(name).message
    assert "cookie-consent page instead of the article" in message
    assert "Brief this message" in message  # what the reporter can do
    briefing = analyse_html(name, page(name), None)
    assert briefing.error is not None and briefing.error.kind is ErrorKind.NOT_ARTICLE
    assert briefing.headline is None and briefing.briefing == [] and briefing.quotes == []


@pytest.mark.parametrize("name", CHALLENGES)
def test_bot_checks_served_as_pages_are_named(name: str) -> None:
    message = _failure(name).message
    assert "“are you a robot?” check" in message
    assert "paste the article's text" in message


def test_a_login_wall_says_log_in() -> None:
    message = _failure("login-wall.html").message
    assert message.startswith("The site asks readers to log in")
    assert "If you have access" in message


@pytest.mark.parametrize("name", ["paywall-hard-de.html", "../paywall-teaser.html"])
def test_hard_paywalls_are_a_teaser_behind_a_paywall(name: str) -> None:
    message = _failure(name).message
    assert "teaser" in message and "paywall" in message
    assert "archived copy" in message


def test_a_consent_banner_over_a_full_article_costs_only_the_banner() -> None:
    briefing = analyse_html("overlay", page("consent-overlay-article.html"), None)
    assert briefing.error is None
    assert briefing.headline == "Allotment waiting list passes 600 as council looks for new land"
    assert briefing.text.startswith("More than 600 people are now waiting for an allotment")
    assert {q.speaker for q in briefing.quotes} >= {"Joanna Whitcombe", "Bernard Osei-Mensah"}
    assert wall_words_in(briefing) == []


def test_a_redirect_to_a_consent_host_is_a_consent_wall_by_its_address_too() -> None:
    # Only the consent host's address and a line of wording: the URL is what tips it.
    html = (
        "<html><head><title>Before you continue</title></head><body><form method='post'>"
        "<p>Tidewater uses cookies on its sites and apps.</p>"
        "<button>Accept</button><button>Reject</button></form></body></html>"
    )
    with pytest.raises(NoArticle):
        extract_article(html, "https://consent.tidewater.example/v2/collect?sessionId=3")
    with pytest.raises(NoArticle) as caught:
        extract_article(html, "https://www.tidewater.example/news/story")
    assert "cookie" not in caught.value.message  # no consent host, too little said: just empty


def test_a_short_article_with_a_captcha_on_its_comment_form_is_an_article() -> None:
    story = (
        "The Eastgate tram line will close for two weekends in June while engineers replace "
        "worn rails at the Market Street junction, Metro Transit said on Monday. Replacement "
        "buses will run every ten minutes between the station and the hospital, and the "
        "operator said tickets would be valid on them without extra charge during the works."
    )
    html = (
        "<html><head><title>Tram line to close for two weekends</title></head><body><article>"
        f"<h1>Tram line to close for two weekends</h1><p>{story}</p></article>"
        "<section id='comments'><form action='/comments'><div class='g-recaptcha'></div>"
        "<p>Complete the captcha to post.</p><button>Post comment</button></form></section>"
        "</body></html>"
    )
    article = extract_article(html, "https://metro.example/news/tram")
    assert story in article.paragraphs


def test_wall_lines_are_told_from_article_lines() -> None:
    lines = [
        "This article is for subscribers only.",
        "Subscribe now to continue reading. Already a subscriber? Log in.",
        "“I'm not a robot,” she joked, as the council voted to close the bridge to cars.",
        "Wir und unsere Partner speichern und/oder rufen Informationen auf einem Gerät ab.",
        "Netflix added 5 million subscribers in the quarter, the company said.",
        "The site uses cookies, the regulator found, without asking for consent first.",
    ]
    assert wall_lines(lines) == {0: WallKind.PAYWALL, 1: WallKind.PAYWALL, 3: WallKind.CONSENT}
    assert wall_kind_of_line("Nous et nos partenaires stockons et/ou accédons à des cookies.") == (
        WallKind.CONSENT
    )


def test_find_wall_needs_words_not_only_markup() -> None:
    from lxml.html import fromstring

    from bot.article.metadata import read_page_meta

    tree = fromstring(
        "<html><body><div id='onetrust-consent-sdk'></div><div class='paywall'></div>"
        "<p>Hello.</p></body></html>"
    )
    assert find_wall(tree, read_page_meta(tree), None, {}) is None


# One wall sentence per telling cue and language, as the platforms word them.
CUE_EXAMPLES = (
    "We and our 842 partners store and/or access information on a device.",
    "Wir und unsere Partner speichern und/oder rufen Informationen auf einem Gerät ab.",
    "Nous et nos partenaires stockons et/ou accédons à des informations sur un appareil.",
    "Nosotros y nuestros socios almacenamos o accedemos a información en un dispositivo.",
    "Noi e i nostri fornitori archiviamo e/o accediamo a informazioni su un dispositivo.",
    "Wij en onze partners slaan informatie op en/of openen deze op een apparaat.",
    "Nós e os nossos parceiros armazenamos e/ou acedemos a informações num dispositivo.",
    "Continuer sans accepter ou s'abonner. Mit Werbung weiterlesen oder Pur-Abo.",
    "Accept all. Reject all. Alle akzeptieren. Tout refuser. Aceptar todo. Rifiuta tutto.",
    "Alles accepteren. Aceitar tudo. Accepter et fermer. Aceptar y cerrar.",
    "Legitimate interest. Berechtigtes Interesse. Intérêt légitime. Interés legítimo.",
    "Interesse legittimo. Gerechtvaardigd belang. Interesse legítimo.",
    "Manage your privacy settings. Einstellungen verwalten. Gérer mes choix.",
    "Configurar preferencias. Customise your choices.",
    "Personalised ads and content. Personalisierte Anzeigen. Publicités personnalisées.",
    "Anuncios personalizados.",
    "Please verify you are a human. Are you a robot? Confirm you're not a bot.",
    "Checking if the site connection is secure. Enable JavaScript and cookies to continue.",
    "Press & Hold to confirm. Your requests looked automated. Unusual traffic.",
    "Bitte bestätigen Sie, dass Sie kein Roboter sind. Ungewöhnliche Aktivität.",
    "Veuillez vérifier que vous êtes un humain. Activité inhabituelle.",
    "Debes confirmar que eres un humano. Tráfico inusual. No soy un robot.",
    "Just a moment... Attention Required! Pardon Our Interruption. Security check.",
    "Sicherheitsüberprüfung. Vérification de sécurité. Verificación de seguridad.",
    "Sign in to keep reading. Log in to read. Create a free account to continue.",
    "Register for free to read the rest.",
    "Melden Sie sich an, um weiterzulesen. Connectez-vous pour lire la suite.",
    "Inicia sesión para seguir leyendo. Regístrate gratis para leer.",
    "Already have an account? Forgot your password? Passwort vergessen?",
    "Mot de passe oublié ? ¿Olvidaste tu contraseña?",
    "For subscribers only. Subscriber-exclusive.",
    "Subscribe to continue reading. This article is reserved for subscribers.",
    "Subscription required. Nur für Abonnenten. Weiterlesen mit Kurier Plus.",
    "Cet article est réservé aux abonnés. Exclusivo para suscriptores.",
    "Already a subscriber? Become a member. Déjà abonné ? Ya eres suscriptor.",
    "Subscribe now. Jetzt abonnieren. Abonnez-vous. Suscríbete. Unlock this article.",
)


def test_every_telling_cue_has_an_example_and_a_stem() -> None:
    from bot.article import walls

    for cues in walls._TEXT.values():
        for weight, cue in cues:
            if weight < 2:
                continue
            matched = [e for e in CUE_EXAMPLES if cue.search(e.lower())]
            assert matched, f"no example for {cue.pattern[:60]}"
            for example in matched:
                assert any(stem in example.lower() for stem in walls._STEMS), example


def test_weak_cues_alone_never_make_a_wall_line() -> None:
    # Why the stems need to cover only the telling cues (see walls._STEMS).
    from bot.article import walls

    for cues in walls._TEXT.values():
        assert sum(weight for weight, _ in cues if weight < 2) < walls.SHORT_LINE_SCORE
