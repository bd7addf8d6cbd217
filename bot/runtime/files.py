"""Files reporters hand over (a Discord attachment, a path on the command line): which kind they
are, and how their bytes become text.

The kind comes from what the bytes are first (a PDF starts with "%PDF-"), then from the name,
then from the type the uploader declared, then from sniffing: a saved page called "story" is
still HTML, and a PDF called "notes.txt" is still a PDF.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePath

from bot.network.mediatype import parse_content_type, sniff


class FileKind(StrEnum):
    HTML = "html"
    TEXT = "text"
    PDF = "pdf"


SUFFIXES = {
    ".html": FileKind.HTML,
    ".htm": FileKind.HTML,
    ".xhtml": FileKind.HTML,
    ".shtml": FileKind.HTML,
    ".txt": FileKind.TEXT,
    ".text": FileKind.TEXT,
    ".pdf": FileKind.PDF,
}
TYPES = {
    "text/html": FileKind.HTML,
    "application/xhtml+xml": FileKind.HTML,
    "text/plain": FileKind.TEXT,
    "application/pdf": FileKind.PDF,
}
# Names we never read, whatever their bytes look like: office files, images, archives, media.
UNREAD_SUFFIXES = frozenset(
    {
        ".doc",
        ".docx",
        ".odt",
        ".rtf",
        ".xls",
        ".xlsx",
        ".ods",
        ".csv",
        ".ppt",
        ".pptx",
        ".zip",
        ".gz",
        ".7z",
        ".rar",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".svg",
        ".mp3",
        ".mp4",
        ".mov",
        ".wav",
        ".json",
        ".xml",
        ".epub",
    }
)


def declared_kind(name: str, content_type: str | None = None) -> FileKind | None:
    """What a file says it is by name or declared type, before any byte is read (an
    attachment is only downloaded when it says it is one of ours)."""
    suffix = PurePath(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix in UNREAD_SUFFIXES:
        return None
    return TYPES.get(parse_content_type(content_type or "")[0])


def file_kind(name: str, head: bytes, content_type: str | None = None) -> FileKind | None:
    """What this file is, from its first bytes, name and declared type; None: not for us."""
    if head.lstrip()[:5] == b"%PDF-":
        return FileKind.PDF
    declared = declared_kind(name, content_type)
    if declared is not None or PurePath(name).suffix.lower() in UNREAD_SUFFIXES:
        return declared
    return {"text/html": FileKind.HTML, "text/plain": FileKind.TEXT}.get(sniff(head))


def size_words(limit: int) -> str:
    """ "5 MB", "300 KB": a size limit as a reporter reads it."""
    megabytes = limit / 1_000_000
    return f"{megabytes:.0f} MB" if megabytes >= 1 else f"{limit // 1000} KB"
