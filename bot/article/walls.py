"""Pages that stand between a reader and the article: consent forms, bot checks, login walls and
paywalls, recognised in any of the languages we brief.

Why here, after extraction: a wall is only a wall when the page has no article besides it. A
consent banner laid over a full article (the common case) must cost the article nothing but the
banner's own lines, while a consent interstitial, whose only text is the form, must never be
briefed — trafilatura happily returns its paragraphs as if they were the story. So two steps:

- `wall_lines` marks paragraphs that are wall text (cheap: one regex per kind, run only on the
  extracted paragraphs), and the article goes on without them;
- `find_wall`, only when too little article text is left, weighs the whole page — visible
  text, <title>, markup left by the consent and anti-bot platforms, the URL it ended on (a
  redirect to a consent host) and the schema.org paywall flag — and names the wall.

Each cue carries a weight: a phrase that only a wall uses ("we and our partners store and/or
access information on a device") counts 3, a telling one ("accept all", "already a
subscriber") 2, a word that articles use too ("cookies", "captcha") 1. Pure and CPU-bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.messages import say

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from bot.article.metadata import PageMeta


class WallKind(StrEnum):
    CHALLENGE = "challenge"  # "are you a robot?": Cloudflare, PerimeterX/HUMAN, DataDome, …
    CONSENT = "consent"  # a cookie-consent interstitial (TCF platforms, "pay or OK")
    LOGIN = "login"  # "sign in to keep reading"
    PAYWALL = "paywall"  # subscribers only


# When two kinds score alike, the first named wins: a bot check says "cookies" too, and a
# paywall box says "log in".
PRIORITY = (WallKind.CHALLENGE, WallKind.CONSENT, WallKind.PAYWALL, WallKind.LOGIN)

WALL_SCORE = 4  # a page whose cues of one kind add up to this is that wall
# A paragraph is wall text at these scores: a short line ("This article is for subscribers
# only.") at a wall phrase and one more cue; longer ones need the cues to pile up, so a quote
# like "I'm not a robot," she joked stays in the article.
SHORT_LINE_WORDS = 25
SHORT_LINE_SCORE = 4
LINE_SCORE = 5
LONG_LINE_WORDS = 150
LONG_LINE_SCORE = 7
STRONG = 3  # the weight of a phrase only walls use
PAGE_TEXT_CHARS = 30_000  # walls say what they are at the top; the rest is footer

_Cues = tuple[tuple[int, str], ...]

_TEXT_CUES: dict[WallKind, _Cues] = {
    WallKind.CONSENT: (
        # The IAB framework's purpose texts and the platforms' buttons, as each language words them.
        (
            3,
            r"(?:we|wir|nous|nosotros|noi|wij|nós) (?:and|und|et|y|e|en) (?:our|unsere|nos|"
            r"nuestros|i nostri|onze|os nossos|nossos) (?:\d+ )?(?:partners?|vendors|partenaires|"
            r"socios|partner|parceiros)",
        ),
        (
            3,
            r"(?:stor|speicher|stock|almacen|archivi|opsla|armazen)\w*\W+(?:\w+\W+){0,3}"
            r"(?:and|und|et|y|e|en)/(?:or|oder|ou|o|of)|"
            r"almacena(?:r|mos) (?:y/)?o accede(?:r|mos) a (?:la )?información",
        ),
        (3, r"continuer sans accepter|mit werbung (?:weiter)?lesen|pur[- ]abo|werbefrei lesen"),
        (
            2,
            r"(?:accept|reject|refuse|decline) all|alle (?:akzeptieren|ablehnen|annehmen)|"
            r"tout (?:accepter|refuser)|accepter et (?:fermer|continuer)|"
            r"(?:aceptar|rechazar) todo|aceptar y (?:cerrar|continuar)|(?:accetta|rifiuta) tutto|"
            r"alles (?:accepteren|weigeren)|(?:aceitar|rejeitar) tudo",
        ),
        (
            2,
            r"legitimate interest|berechtigte[sn]? interesse|intérêt légitime|interés legítimo|"
            r"interesse legittimo|gerechtvaardigd belang|interesse legítimo",
        ),
        (
            2,
            r"(?:manage|customi[sz]e) (?:your )?(?:privacy |cookie )?(?:settings|preferences|"
            r"options|choices)|einstellungen (?:verwalten|anpassen)|cookie-einstellungen|"
            r"(?:gérer|paramétrer) (?:mes |les |vos )?(?:choix|préférences|paramètres|cookies)|"
            r"(?:configurar|gestionar|personalizar) (?:las |mis )?"
            r"(?:preferencias|cookies|opciones)",
        ),
        (
            2,
            r"personali[sz]ed (?:ads|advertising|content)|personalisierte (?:anzeigen|werbung|"
            r"inhalte)|publicités? personnalisées?|(?:anuncios|publicidad) personalizad[ao]s?",
        ),
        (1, r"\bcookies?\b|\btraceurs\b"),
        (
            1,
            r"\bconsent\b|einwilligung|zustimmung|consentement|consentimiento|consenso|"
            r"toestemming|consentimento",
        ),
        (
            1,
            r"privacy polic|datenschutzerklärung|politique de confidentialité|"
            r"política de privacidad",
        ),
    ),
    WallKind.CHALLENGE: (
        (
            3,
            r"(?:verify|confirm|prove) (?:that )?you(?:'re| are) (?:a )?(?:human|not a (?:ro)?bot)|"
            r"are you (?:a )?(?:human|robot)\b|i'?m not a robot|not a robot",
        ),
        (
            3,
            r"checking (?:if the site connection is secure|your browser)|"
            r"enable javascript and cookies to continue|press (?:&|and) hold",
        ),
        (
            3,
            r"(?:looked|looks|seems?|appears?) (?:to be )?automated|unusual (?:traffic|activity)|"
            r"automated (?:access|requests|queries|traffic)",
        ),
        (
            3,
            r"bestätigen sie,? dass sie (?:ein mensch|kein roboter) sind|kein roboter|"
            r"ungewöhnliche[nr]? (?:aktivität|datenverkehr|zugriffe)",
        ),
        (
            3,
            r"(?:vérifier|confirmer|prouver) que vous (?:êtes (?:un )?humain|n'êtes pas un robot)|"
            r"activité inhabituelle|je ne suis pas un robot",
        ),
        (
            3,
            r"(?:verificar|confirmar|demostrar) que (?:eres|es|usted es) (?:un )?humano|"
            r"no soy un robot|(?:actividad|tráfico) inusual",
        ),
        (
            2,
            r"just a moment\.{0,3}|attention required|pardon our interruption|"
            r"one more step|security check(?:point)?|bot (?:protection|detection|check)|"
            r"sicherheitsüberprüfung|vérification de sécurité|verificación de seguridad",
        ),
        (
            1,
            r"\bcaptcha\b|\bray id\b|access (?:to this page )?(?:has been )?denied|"
            r"zugriff verweigert|accès refusé|acceso denegado|reference #",
        ),
    ),
    WallKind.LOGIN: (
        (
            3,
            r"(?:sign|log) ?in to (?:continue|keep) reading|(?:sign|log) ?in to read|"
            r"(?:create|register for) (?:a )?(?:free )?account to (?:continue|keep|read)|"
            r"register (?:for free )?to (?:continue|keep|read)",
        ),
        (
            3,
            r"(?:melden sie sich|registrieren sie sich)\W+(?:\w+\W+){0,3}an,? um "
            r"(?:weiter)?zulesen|(?:anmelden|einloggen|registrieren),? um weiterzulesen|"
            r"connectez-vous pour (?:lire|continuer)|identifiez-vous pour (?:lire|continuer)|"
            r"inicia sesión para (?:seguir|continuar|leer)|"
            r"regístrate (?:gratis )?para (?:seguir|continuar|leer)",
        ),
        (
            2,
            r"already have an account|forgot (?:your )?password|"
            r"passwort vergessen|mot de passe oublié|¿?olvidaste (?:tu )?contraseña",
        ),
        (1, r"\b(?:sign|log) ?in\b|\banmelden\b|\bse connecter\b|iniciar sesión"),
    ),
    WallKind.PAYWALL: (
        (2, r"(?:for|to) subscribers only|subscribers? only|subscriber[- ]exclusive"),
        (
            3,
            r"(?:subscribe|subscription) (?:now |today )?to (?:continue|keep) reading|"
            r"this (?:article|story|content) is (?:only )?(?:reserved |available )?(?:for|to) "
            r"(?:paying )?(?:subscribers|members)|subscription required",
        ),
        (
            3,
            r"nur für abonnenten|exklusiv für abonnenten|(?:artikel|beitrag) ist abonnenten "
            r"vorbehalten|weiterlesen mit (?:\w+ ?){1,3}(?:plus|abo)|réservée? aux abonnés|"
            r"la suite (?:de cet article )?est réservée|exclusivo para (?:suscriptores|socios)|"
            r"contenido (?:exclusivo )?para suscriptores",
        ),
        (
            2,
            r"already a (?:subscriber|member)|become a (?:subscriber|member)|"
            r"(?:bereits|schon) abonnent|déjà abonné|ya (?:eres|soy) (?:suscriptor|socio)",
        ),
        (
            2,
            r"subscribe (?:now|today)|jetzt abonnieren|abonnez-vous|suscríbete|"
            r"unlock (?:this|the full) (?:article|story)",
        ),
        (1, r"\bsubscri(?:be|ber|bers|ption)\b|\babonn|\bsuscri"),
    ),
}

# Attribute values (id, class, src, action, name) left by the platforms that serve each wall.
_MARKUP: dict[WallKind, str] = {
    WallKind.CONSENT: (
        r"onetrust|optanon|qc-cmp|sp_message|sourcepoint|didomi|usercentrics|cookiebot|"
        r"fc-consent|trustarc|truste-|iubenda|cmpbox|consentmanager|cookie-?consent|"
        r"cookie-?wall|cookie-?banner|consent-?(?:wall|form|page|banner)|gdpr|collectconsent"
    ),
    WallKind.CHALLENGE: (
        r"challenge-platform|challenges\.cloudflare|cf-chl|cf_chl|cf-turnstile|px-captcha|"
        r"pxcaptcha|px-cdn|captcha-delivery|datadome|g-recaptcha|h-captcha|hcaptcha|"
        r"challenge-(?:form|running|body)|_incapsula_|distil_|geo\.captcha"
    ),
    WallKind.LOGIN: r"regwall|login-?wall|signin-?wall|registration-?wall|sign-?in-?gate",
    WallKind.PAYWALL: (
        r"paywall|tp-modal|piano-|premium-?(?:gate|wall|content)|subscriber-?only|"
        r"subscription-?wall|plus-?(?:artikel|article)|meter-?(?:wall|gate)"
    ),
}
_FORM_LOGIN = re.compile(r"log-?in|sign-?in|anmeld|connexion|iniciar|session", re.IGNORECASE)
_CONSENT_HOST = re.compile(r"^(?:consent|guce|cmp|myprivacy|privacy-?gate|cookies?)\.")
_CONSENT_PATH = re.compile(
    r"/(?:collect-?consent|consent|cookie-?(?:consent|wall)|privacy-?gate|gdpr)(?:/|$|\?|\.)",
    re.IGNORECASE,
)
_VISIBLE = "//body//text()[not(ancestor::script or ancestor::style or ancestor::template)]"
_SIGNAL_WEIGHT = 3  # markup, <title>, consent URL, password field, schema.org paywall flag


# A paragraph is wall text only with a cue of weight 2 or more (the weak cues of a kind add up to
# less than SHORT_LINE_SCORE), and every such cue's match contains one of these stems. So a
# paragraph holding none of them is article text without running a regular expression:
# substring search is fast, and nearly every paragraph of nearly every article is one.
# tests/article/test_walls.py holds a wall sentence for each cue, and fails if a stem is missing.
_STEMS = (
    # consent
    "and our ", "und unsere ", "et nos ", "y nuestros ", "e i nostri ", "en onze ",
    "e os nossos ", "e nossos ", "/o", "o accede", "sans accepter", "mit werbung", "pur-abo",
    "pur abo", "werbefrei", "accept all", "reject all", "refuse all", "decline all",
    "alle akzeptieren", "alle ablehnen", "alle annehmen", "tout accepter", "tout refuser",
    "accepter et", "aceptar todo", "rechazar todo", "aceptar y", "accetta tutto",
    "rifiuta tutto", "alles accepteren", "alles weigeren", "aceitar tudo", "rejeitar tudo",
    "legitimate interest", "berechtigte", "intérêt légitime", "interés legítimo",
    "interesse legittimo", "gerechtvaardigd belang", "interesse legítimo", "manage your",
    "manage privacy", "manage cookie", "manage setting", "manage preference", "manage option",
    "manage choice", "customi", "einstellungen", "gérer", "paramétrer", "configurar",
    "gestionar", "personalizar", "personalised", "personalized", "personalisierte",
    "personnalisé", "personalizad",
    # challenge
    "you are human", "you are a human", "you're human", "you're a human", "are you human",
    "are you a human", "robot", "not a bot", "ein mensch", "humain", "humano", "checking your",
    "checking if the site", "enable javascript", "press & hold", "press and hold", "automated",
    "unusual", "ungewöhnlich", "inhabituel", "inusual", "just a moment", "attention required",
    "pardon our", "one more step", "security check", "bot protection", "bot detection",
    "bot check", "sicherheitsüberpr", "vérification de sécurité", "verificación de seguridad",
    # login
    "in to continue", "in to keep", "in to read", "account to", "register to",
    "register for free to", "zulesen", "connectez-vous pour", "identifiez-vous pour",
    "inicia sesión para", "regístrate", "have an account", "password", "passwort vergessen",
    "mot de passe oublié", "olvidaste",
    # paywall
    "subscribers only", "subscriber only", "subscriber-exclusive", "subscriber exclusive",
    "to continue reading", "to keep reading", "this article is", "this story is",
    "this content is", "subscription required", "abonnent", "weiterlesen mit", "réservé",
    "exclusivo para", "para suscriptores", "already a", "become a subscriber",
    "become a member", "déjà abonné", "ya eres", "ya soy", "subscribe now", "subscribe today",
    "jetzt abonnieren", "abonnez-vous", "suscríbete", "unlock this", "unlock the full",
)  # fmt: skip


# Cues are written in lower case and matched against lower-cased text: Python's `re` runs these
# patterns about three times faster without IGNORECASE, and every article pays for the check.
def _compile(cues: _Cues) -> tuple[tuple[int, re.Pattern[str]], ...]:
    return tuple((weight, re.compile(pattern)) for weight, pattern in cues)


_TEXT = {kind: _compile(cues) for kind, cues in _TEXT_CUES.items()}
# One pass that says "no wall word here", which is the answer for nearly every paragraph.
_ANY_CUE = re.compile(
    "|".join(f"(?:{pattern})" for cues in _TEXT_CUES.values() for _, pattern in cues)
)
_MARKUP_RE = {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in _MARKUP.items()}


@dataclass(frozen=True, slots=True)
class Wall:
    """What stood in the way, and the message a reporter reads about it."""

    kind: WallKind

    @property
    def message(self) -> str:
        if self.kind is WallKind.CONSENT:
            return f"{say('walls.consent')} {say('walls.remedy')}"
        if self.kind is WallKind.CHALLENGE:
            return f"{say('walls.challenge_page')} {say('walls.remedy')}"
        if self.kind is WallKind.LOGIN:
            return f"{say('walls.login')} {say('walls.remedy_account')}"
        return f"{say('walls.paywall')} {say('walls.remedy_account')}"


def text_scores(text: str) -> dict[WallKind, int]:
    """Each kind's cue weights found in `text` (each cue counted once)."""
    text = text.lower()
    return {
        kind: sum(weight for weight, cue in cues if cue.search(text))
        for kind, cues in _TEXT.items()
    }


def wall_kind_of_line(paragraph: str) -> WallKind | None:
    """The wall this paragraph belongs to, if it is wall text rather than article text."""
    low = paragraph.lower()
    if not any(stem in low for stem in _STEMS):
        return None
    return _line_kind(low)


def wall_lines(paragraphs: list[str]) -> dict[int, WallKind]:
    """Index → kind of every paragraph that is wall text.

    The stems are looked for once in the whole text; only paragraphs holding one of those
    found run the cues, so an article costs one pass of substring searches.
    """
    lows = [paragraph.lower() for paragraph in paragraphs]
    joined = "\n".join(lows)
    present = [stem for stem in _STEMS if stem in joined]
    found: dict[int, WallKind] = {}
    if not present:
        return found
    for index, low in enumerate(lows):
        if any(stem in low for stem in present):
            kind = _line_kind(low)
            if kind is not None:
                found[index] = kind
    return found


def _line_kind(low: str) -> WallKind | None:
    if not _ANY_CUE.search(low):
        return None
    words = len(low.split())
    need = LINE_SCORE
    if words <= SHORT_LINE_WORDS:
        need = SHORT_LINE_SCORE
    elif words > LONG_LINE_WORDS:
        need = LONG_LINE_SCORE
    return _best(text_scores(low), need)


def find_wall(
    tree: HtmlElement, meta: PageMeta, url: str | None, lines: dict[int, WallKind]
) -> Wall | None:
    """Which wall this page is, judged on everything it shows; None when it shows none.

    Called only when the page's own text is not an article, so a cue that a real page
    carries too (a reCAPTCHA on a comment form) cannot turn an article into a wall.
    """
    text = _visible_text(tree).lower()
    # A wall says what it is, in a phrase only walls use. Site chrome is full of weaker cues (a
    # login box with "Forgot password?", "Manage preferences" in the footer, a reCAPTCHA on the
    # comment form), and those pages are articles that happen to be short.
    telling = any(stem in text for stem in _STEMS)  # no telling cue without one of these
    scores = text_scores(text) if telling else dict.fromkeys(WallKind, 0)
    said = {kind for kind in WallKind if telling and _says(text, kind)}
    for kind in set(lines.values()):  # trafilatura's lines are the page's, seen whole
        scores[kind] = max(scores[kind], WALL_SCORE)
        said.add(kind)
    if meta.title and text_scores(meta.title)[WallKind.CHALLENGE] >= 2:  # "Just a moment..."
        scores[WallKind.CHALLENGE] += _SIGNAL_WEIGHT
        said.add(WallKind.CHALLENGE)
    if url and _consent_url(url):
        scores[WallKind.CONSENT] += _SIGNAL_WEIGHT
        said.add(WallKind.CONSENT)
    if not said:
        return None  # the usual short article: no need to walk its markup
    for kind in _markup_kinds(tree):
        scores[kind] += _SIGNAL_WEIGHT
    if meta.paywalled:
        scores[WallKind.PAYWALL] += _SIGNAL_WEIGHT
    found = _best({kind: score for kind, score in scores.items() if kind in said}, WALL_SCORE)
    return Wall(found) if found is not None else None


def _says(text: str, kind: WallKind) -> bool:
    text = text.lower()
    return any(weight >= STRONG and cue.search(text) for weight, cue in _TEXT[kind])


def _best(scores: dict[WallKind, int], need: int) -> WallKind | None:
    top = max(scores.values(), default=0)
    if top < need:
        return None
    return next(kind for kind in PRIORITY if scores.get(kind) == top)


def _visible_text(tree: HtmlElement) -> str:
    """The words a reader sees (noscript included: "please enable JavaScript" is a cue)."""
    parts: list[str] = []
    size = 0
    for text in tree.xpath(_VISIBLE, smart_strings=False):  # plain strings: no element lookups
        chunk = str(text).strip()
        if not chunk:
            continue
        parts.append(chunk)
        size += len(chunk) + 1
        if size > PAGE_TEXT_CHARS:
            break
    return " ".join(parts)


def _markup_kinds(tree: HtmlElement) -> set[WallKind]:
    """Kinds whose platform markup (ids, classes, script sources, password fields) is there."""
    found: set[WallKind] = set()
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue  # comments, processing instructions
        if node.tag == "input" and (node.get("type") or "").lower() == "password":
            found.add(WallKind.LOGIN)
        if node.tag == "form" and _FORM_LOGIN.search(node.get("action") or ""):
            found.add(WallKind.LOGIN)
        values = " ".join(
            value for key in ("id", "class", "src", "action", "name") if (value := node.get(key))
        )
        if not values:
            continue
        for kind, pattern in _MARKUP_RE.items():
            if kind not in found and pattern.search(values):
                found.add(kind)
        if len(found) == len(_MARKUP_RE):
            break
    return found


def _consent_url(url: str) -> bool:
    """A consent host (consent.example.com, guce.…) or a consent path the page was sent to."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return bool(_CONSENT_HOST.match(host) or _CONSENT_PATH.search(parts.path))
