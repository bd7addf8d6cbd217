"""Every sentence a user reads, in one catalogue, keyed by what it is for.

Why one place: an editor who wants a message worded differently changes it here and nowhere
else, the same sentence is never written twice in two wordings, and the bot's own words can be
translated later by swapping this table. Keys are dotted (`area.what`); `{fields}` are filled
by `say`. A test checks that every key the code asks for exists and every entry is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

CATALOGUE: Final[Mapping[str, str]] = MappingProxyType(
    {
        # The pipeline, when something other than the page itself went wrong.
        "pipeline.unexpected": "Something went wrong while reading this page.",
        "pipeline.shutting_down": "Newsdesk is restarting. Please try again in a moment.",
        # Walls: what the site showed instead of the article, then what the reporter can do.
        "walls.consent": (
            "The site showed a cookie-consent page instead of the article, and Newsdesk does "
            "not accept cookies on anyone's behalf."
        ),
        "walls.challenge_status": (
            "The site blocks automated readers: it answered {status} with an “are you a "
            "robot?” check instead of the article."
        ),
        "walls.challenge_page": (
            "The site showed an “are you a robot?” check instead of the article, so automated "
            "readers like Newsdesk cannot get in."
        ),
        "walls.login": "The site asks readers to log in before it shows this article.",
        "walls.paywall": (
            "Only a teaser of this article is public; the rest is behind the site's paywall."
        ),
        "walls.remedy": (
            "To brief it anyway, open it in your browser and paste the article's text into a "
            "message (or attach the saved page) and use “Brief this message”; an archived "
            "copy of the page may also work."
        ),
        "walls.remedy_account": (
            "If you have access, open it in your browser and paste the article's text into a "
            "message (or attach the saved page) and use “Brief this message”; an archived "
            "copy of the page may also work."
        ),
        # Where a briefing's text came from, when not from the page as shown (footers).
        "source.structured_data": "text from the page's structured data",
        "source.amp": "text from the page's AMP version",
        "source.pdf": "text from the PDF",
        "source.text": "from plain text",
        # Files: attachments and local files.
        "files.too_large": "The file is too large to read (over {size}).",
        "files.unsupported": (
            "Newsdesk reads web pages (.html), text files (.txt) and PDFs; {name} is none of these."
        ),
        "pdf.no_text": (
            "This PDF has no text layer (it looks like a scan or a picture of pages), so there "
            "is nothing to brief. Paste its text into a message instead."
        ),
        "pdf.encrypted": "This PDF is password-protected, so its text could not be read.",
        "pdf.broken": "This PDF could not be read; it may be damaged.",
    }
)


def say(key: str, /, **fields: object) -> str:
    """The sentence stored under `key`, with its `{placeholders}` filled from `fields`."""
    return CATALOGUE[key].format(**fields) if fields else CATALOGUE[key]


def text_source_note(source: str | None) -> str | None:
    """Where a briefing's text came from, for a footer; None for the page as it is shown."""
    notes = {
        "structured_data": say("source.structured_data"),
        "amp": say("source.amp"),
        "pdf": say("source.pdf"),
        "text": say("source.text"),
    }
    return notes.get(str(source)) if source else None
