"""What the wall tests share: our wall fixtures and the words no reply may carry from a wall."""

from __future__ import annotations

from bot.models import Briefing
from tests.helpers.paths import PAGES

WALLS = PAGES / "walls"

# Words a wall says and an article about a ferry, a bridge or a library never does: none of
# them may reach the text, the briefing, the quotes, the headline or the byline of a reply.
WALL_WORDS = (
    "cookie",
    "partners",
    "partner",
    "consent",
    "accept all",
    "reject all",
    "akzeptieren",
    "einwilligung",
    "partenaires",
    "consentement",
    "socios",
    "consentimiento",
    "robot",
    "human",
    "captcha",
    "javascript",
    "subscribe",
    "subscriber",
    "sign in",
    "log in",
    "password",
    "abonn",
    "member",
)


def wall_words_in(briefing: Briefing) -> list[str]:
    """Every wall word found in what a reader of this briefing would see."""
    shown = [
        briefing.text,
        *briefing.briefing,
        *(q.text for q in briefing.quotes),
        *(q.speaker or "" for q in briefing.quotes),
        briefing.headline or "",
        briefing.byline or "",
    ]
    seen = "\n".join(shown).casefold()
    return [word for word in WALL_WORDS if word in seen]


def page(name: str) -> bytes:
    return (WALLS / name).read_bytes()
