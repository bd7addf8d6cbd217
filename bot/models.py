"""The data that flows through the pipeline.

Plain dataclasses so every step can be tested without the network or Discord, and so a
`Briefing` can cross the worker-process boundary (everything here pickles).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, cast

from bot.wordcount import word_count


class TextSource(StrEnum):
    """Where an article's text was found: the page as shown, or where a page hides it."""

    PAGE = "page"  # the visible page (fetched, or an attached/saved HTML file)
    STRUCTURED_DATA = "structured_data"  # the page's JSON-LD articleBody
    AMP = "amp"  # the page's AMP version (<link rel="amphtml">)
    PDF = "pdf"
    TEXT = "text"  # plain text: a .txt file or a pasted message


class ErrorKind(StrEnum):
    """The failure kinds of the JSON contract; each maps to one plain-words message."""

    FETCH = "fetch"
    HTTP_STATUS = "http_status"
    NOT_HTML = "not_html"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    BLOCKED = "blocked"
    NOT_ARTICLE = "not_article"
    EXTRACTION = "extraction"


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a source produced no briefing, in words a journalist can act on."""

    kind: ErrorKind
    message: str
    # Caused by Newsdesk itself stopping (a restart), not by the page: never cached, so the
    # same link after the restart is fetched afresh. Not part of the JSON contract.
    transient: bool = False

    def to_json(self) -> dict[str, str]:
        return {"kind": str(self.kind), "message": self.message}


@dataclass(slots=True)
class FetchedPage:
    """An HTML page as the fetch step hands it on: decoded text and where it really came from."""

    requested_url: str
    url: str  # final URL after redirects
    html: str
    status: int = 200
    content_type: str = "text/html"
    chain: tuple[str, ...] = ()  # every URL requested on the way, the final one included


@dataclass(slots=True)
class Article:
    """What extraction found on a page (or in a text file), before and after cleaning."""

    paragraphs: list[str]
    url: str | None = None
    headline: str | None = None
    byline: str | None = None
    site: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    language: str | None = None
    image: str | None = None
    description: str | None = None
    text_source: TextSource = TextSource.PAGE
    amp_url: str | None = None  # the page's AMP version, when it links one

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(slots=True)
class Quote:
    """A direct quotation as printed (marks removed; parts split by attribution joined by " … ")."""

    text: str
    speaker: str | None
    paragraph: int
    score: float = 0.0

    @property
    def display_text(self) -> str:
        """For readers: the comma that led into "…,” she said" is the article's, not the quote's
        (also before the " … " where an attribution split the quote)."""
        parts = (part.rstrip().rstrip(",;:").rstrip() for part in self.text.split(" … "))
        return " … ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "speaker": self.speaker, "paragraph": self.paragraph}


@dataclass(slots=True)
class Briefing:
    """Everything one source yields: the JSON contract of `newsdesk brief --json`."""

    source: str
    url: str | None = None
    headline: str | None = None
    byline: str | None = None
    site: str | None = None
    published: str | None = None
    language: str | None = None
    image: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    briefing: list[str] = field(default_factory=list)
    error: Failure | None = None
    briefing_method: str = "extractive"
    text_source: TextSource | None = None  # None when there is no text (a failure)
    # Where the page really came from (after redirects). Storage keys are made from this and
    # from the link asked for, never from `url`, which may be the page's own claim.
    fetched_url: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        """Words in the text, a CJK character counted as one (see `bot.wordcount`)."""
        return sum(word_count(p) for p in self.paragraphs)

    @classmethod
    def failed(cls, source: str, failure: Failure, url: str | None = None) -> Briefing:
        return cls(source=source, url=url, error=failure)

    @classmethod
    def from_article(
        cls, source: str, article: Article, quotes: list[Quote], briefing: list[str]
    ) -> Briefing:
        return cls(
            source=source,
            url=article.url,
            headline=article.headline,
            byline=article.byline,
            site=article.site,
            published=article.published,
            language=article.language,
            image=article.image,
            paragraphs=list(article.paragraphs),
            quotes=list(quotes),
            briefing=list(briefing),
            text_source=article.text_source,
        )

    def to_json(self) -> dict[str, object]:
        """The exact `--json` line; field order is part of the contract."""
        return {
            "source": self.source,
            "url": self.url,
            "headline": self.headline,
            "byline": self.byline,
            "site": self.site,
            "published": self.published,
            "language": self.language,
            "image": self.image,
            "text": self.text,
            "quotes": [q.to_json() for q in self.quotes],
            "briefing": list(self.briefing),
            "error": self.error.to_json() if self.error else None,
            "text_source": str(self.text_source) if self.text_source else None,
        }

    def to_record(self) -> dict[str, object]:
        """A lossless dict for storage (the cache), restored by `from_record`."""
        data = asdict(self)
        data["error"] = self.error.to_json() if self.error else None
        return data

    @classmethod
    def from_record(cls, data: dict[str, object]) -> Briefing:
        data = dict(data)
        quotes = [Quote(**q) for q in cast("list[dict[str, Any]]", data.pop("quotes", []))]
        error = cast("dict[str, str] | None", data.pop("error", None))
        failure = Failure(ErrorKind(error["kind"]), error["message"]) if error else None
        source = data.pop("text_source", None)  # records from before it existed have none
        text_source = TextSource(str(source)) if source else None
        return cls(quotes=quotes, error=failure, text_source=text_source, **data)  # type: ignore[arg-type]
