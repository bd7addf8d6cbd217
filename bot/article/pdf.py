"""A text PDF (press release, court filing, report) → `Article`, with pypdf.

Why pypdf: pure Python (nothing to compile on the bot's machine), permissively licensed, kept up
to date, and its plain text extraction follows the content order, which keeps the columns of a
report apart. A PDF has no paragraphs, only lines, so they are rebuilt here: a line that ends a
sentence well short of the text's width ends its paragraph, a word hyphenated at a line's end is
joined again, page numbers and the running header or footer every page repeats are dropped.

Bounded like a page: only the first `max_pages` pages are read (a 300-page report is briefed from
its opening, which is where a report's summary is), at most `MAX_TEXT_CHARS` of text are kept,
and this runs in a worker process whose time limit covers the rest. A scan (pages that are
pictures) has no text to read, and says so. Pure and CPU-bound.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from typing import Any

from bot.article.extract import opening_language
from bot.errors import PipelineError
from bot.messages import say
from bot.models import Article, ErrorKind, TextSource
from bot.text import word_count

MAX_TEXT_CHARS = 400_000  # a long report's opening pages; the briefing reads the first part
MIN_TEXT_CHARS = 40  # less is a scan with a stray caption, not a document
END_OF_LINE_SHARE = 0.8  # a line shorter than this share of the text width may end a paragraph
HEADING_SHARE = 0.7
HEADING_WORDS = 15
REPEATED_PAGES = 2  # a line on this many pages (and on half of them) is a header or footer
RUNNING_WORDS = 15  # headers and footers are short; a long line on every page is text
COLUMN_SHARE = 0.3  # more lines than this with a wide gap inside: columns side by side

_TERMINAL = tuple('.!?:;"”’»)。！？」』')
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:page|seite|página|pagina|p\.)\s*)?\d{1,4}"
    r"(?:\s*(?:of|von|de|sur|/)\s*\d{1,4})?(?:\s*[-–—])?$",
    re.IGNORECASE,
)
_JUNK_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint) - |untitled|document\d*$|\S+\.(?:docx?|pdf|indd|odt|rtf)$)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_COLUMN_GAP = re.compile(r"\S {4,}\S")


def extract_pdf(data: bytes, max_pages: int) -> tuple[Article, int]:
    """The article in a PDF and its page count; raises `PipelineError` when there is none."""
    from pypdf import PdfReader  # deferred: only PDFs pay for it
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # "incorrect startxref" is routine
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PipelineError(ErrorKind.NOT_ARTICLE, say("pdf.encrypted"))
        pages = len(reader.pages)
        texts: list[str] = []
        size = 0
        for page in reader.pages[:max_pages]:
            text = _page_text(page)
            texts.append(text)
            size += len(text)
            if size > MAX_TEXT_CHARS:
                break
        title = _title(reader)
    except PipelineError:
        raise
    except FileNotDecryptedError as error:
        raise PipelineError(ErrorKind.NOT_ARTICLE, say("pdf.encrypted")) from error
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise PipelineError(ErrorKind.EXTRACTION, say("pdf.broken")) from error
    except RecursionError as error:  # deliberately nested objects
        raise PipelineError(ErrorKind.EXTRACTION, say("pdf.broken")) from error
    paragraphs = pdf_paragraphs(texts)
    if sum(len(p) for p in paragraphs) < MIN_TEXT_CHARS:
        raise PipelineError(ErrorKind.NOT_ARTICLE, say("pdf.no_text"))
    if title is None and _heading(paragraphs[0]) and len(paragraphs) > 1:
        title = paragraphs[0]
    if title is not None and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    article = Article(
        paragraphs=paragraphs,
        headline=title,
        language=opening_language(paragraphs),
        text_source=TextSource.PDF,
    )
    return article, pages


def _page_text(page: Any) -> str:
    """The page laid out as it looks (blank lines where paragraphs part, indents kept), or in
    content order when the layout has columns side by side, which a line would cut across."""
    try:
        laid_out = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # pypdf's layout mode is younger than its plain mode
        laid_out = ""
    lines = [line.strip() for line in laid_out.splitlines() if line.strip()]
    columns = sum(1 for line in lines if _COLUMN_GAP.search(line))
    if lines and columns <= len(lines) * COLUMN_SHARE:
        return str(laid_out)
    return str(page.extract_text() or "")


def pdf_paragraphs(pages: list[str]) -> list[str]:
    """Paragraphs rebuilt from the lines of each page's text: a blank line, an indented first
    line, or a sentence's end well short of the text's width ends one."""
    page_lines = [[line.rstrip() for line in text.splitlines()] for text in pages]
    repeated = _running_lines(page_lines)
    lines = [
        line
        for page in page_lines
        for line in page
        if not line.strip()
        or (not _PAGE_NUMBER.match(line.strip()) and _shape(line) not in repeated)
    ]
    widths = sorted(len(line.strip()) for line in lines if len(line.strip()) >= 20)
    width = widths[int(len(widths) * 0.9)] if widths else 80
    indents = [len(line) - len(line.lstrip()) for line in lines if len(line.strip()) >= 20]
    margin = min(indents, default=0)
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            current = _flush(paragraphs, current)
            continue
        indented = len(raw) - len(raw.lstrip()) > margin + 1
        if current and indented and current.endswith(_TERMINAL):
            current = _flush(paragraphs, current)
        if not current and _heading(line) and len(line) < width * HEADING_SHARE:
            paragraphs.append(line)
            continue
        current = _join(current, line)
        if len(line) < width * END_OF_LINE_SHARE and line.endswith(_TERMINAL):
            current = _flush(paragraphs, current)
    _flush(paragraphs, current)
    return paragraphs


def _join(current: str, line: str) -> str:
    """Append a line; "govern-" + "ment" is one word again, "well-" + "known" keeps its hyphen
    only when the next part starts with a capital (a name), which is rare at a line's start."""
    if not current:
        return line
    if current.endswith("-") and current[-2:-1].isalpha() and line[:1].islower():
        return current[:-1] + line
    return f"{current} {line}"


def _flush(paragraphs: list[str], current: str) -> str:
    if current:
        paragraphs.append(current)
    return ""


def _heading(line: str) -> bool:
    return (
        0 < word_count(line) <= HEADING_WORDS
        and not line.endswith((*_TERMINAL, ","))
        and line[:1].isupper()
    )


def _shape(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.casefold().split()))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines every page repeats (a running header, "Press release – embargoed until …")."""
    if len(pages) < REPEATED_PAGES:
        return set()
    counts = Counter(
        shape
        for page in pages
        for shape in {_shape(line) for line in page if 0 < len(line.split()) <= RUNNING_WORDS}
    )
    need = max(REPEATED_PAGES, len(pages) // 2)
    return {shape for shape, count in counts.items() if count >= need}


def _title(reader: object) -> str | None:
    """The document's own title, unless it is a file name or a word processor's default."""
    metadata = getattr(reader, "metadata", None)
    raw = getattr(metadata, "title", None) if metadata is not None else None
    if not isinstance(raw, str):
        return None
    title = " ".join(raw.split())
    if len(title.split()) < 2 or _JUNK_TITLE.match(title):
        return None
    return title
