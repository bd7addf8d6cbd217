"""Text as people write and paste it (a .txt file, a long chat message) → `Article`.

Pasted articles come in two shapes: one paragraph per line (copied from a browser), or lines
wrapped at a fixed width with blank lines between paragraphs (mail, text editors). A line that
stops mid-sentence is joined to the next, so both shapes give the article's paragraphs. A short
first line without final punctuation is the headline, as in every pasted article. Pure.
"""

from __future__ import annotations

from bot.article.clean import clean_paragraphs
from bot.article.extract import opening_language
from bot.models import Article, TextSource
from bot.text import has_cjk, word_count

TITLE_WORDS = 20
HEADING_WORDS = 12
HEADING_SHARE = 0.6
_TERMINAL = tuple('.!?:;"”’»)…。！？」』')


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs: blank lines separate them, and so does a line that ends a sentence."""
    paragraphs: list[str] = []
    current = ""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    for index, line in enumerate(lines):
        if not line:
            current = _flush(paragraphs, current)
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # A heading (or the title) stands alone: before a blank line or a much longer line,
        # where the first line of a wrapped paragraph is as long as the next.
        alone = not following or len(line) < len(following) * HEADING_SHARE
        if not current and alone and _heading(line, HEADING_WORDS):
            paragraphs.append(line)
            continue
        if current.endswith("-") and current[-2:-1].isalpha() and line[:1].islower():
            current = current[:-1] + line
        elif has_cjk(current[-1:]) and has_cjk(line[:1]):
            current += line  # Chinese wraps without a space between the lines
        else:
            current = f"{current} {line}" if current else line
        if line.endswith(_TERMINAL):
            current = _flush(paragraphs, current)
    _flush(paragraphs, current)
    return paragraphs


def text_article(text: str, language: str | None = None) -> Article:
    """The article in a pasted or attached text, its first line as headline if it is one."""
    paragraphs = text_paragraphs(text)
    headline = None
    if len(paragraphs) > 1 and _heading(paragraphs[0], TITLE_WORDS):
        headline, paragraphs = paragraphs[0], paragraphs[1:]
    language = language or opening_language(paragraphs)
    kept, byline = clean_paragraphs(paragraphs, headline, None, language)
    return Article(
        paragraphs=kept,
        headline=headline,
        byline=byline,
        language=language,
        text_source=TextSource.TEXT,
    )


def _heading(line: str, words: int) -> bool:
    return 0 < word_count(line) <= words and not line.endswith((*_TERMINAL, ",", "-", "，"))


def _flush(paragraphs: list[str], current: str) -> str:
    if current:
        paragraphs.append(current)
    return ""
