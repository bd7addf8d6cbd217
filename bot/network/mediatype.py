"""What kind of bytes a page or file is: its declared Content-Type, or a guess from its first
bytes.

Apart from `fetch.py` because saved files need the same answers without an HTTP client: the
command line briefing files never loads httpx.
"""

from __future__ import annotations

import re

from bot.network.decoding import BOMS


def parse_content_type(value: str) -> tuple[str, str | None]:
    """(media type in lower case, charset or None) from a Content-Type header."""
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").strip() or None
    return media_type.strip().lower(), charset


def sniff(body: bytes) -> str:
    """A media type guessed from the first bytes, for pages served without a Content-Type."""
    head = body[:1024].lstrip()
    lower = head.lower()
    signatures = (
        (b"%pdf-", "application/pdf"),
        (b"\x89png", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"gif8", "image/gif"),
        (b"id3", "audio/mpeg"),
        (b"\x1a\x45\xdf\xa3", "video/webm"),
    )
    for magic, media_type in signatures:
        if lower.startswith(magic):
            return media_type
    if lower.startswith(b"riff") and lower[8:12] == b"webp":
        return "image/webp"
    if lower[4:8] == b"ftyp":
        return "video/mp4"
    if lower.startswith((b"{", b"[")):
        return "application/json"
    for bom, _ in BOMS:
        if head.startswith(bom):
            return "text/html" if b"<" in head else "text/plain"
    if re.match(rb"<(!doctype\s+html|html|head|body|title|meta|script|div|p|h1|!--|\?xml)", lower):
        return "text/html"
    if b"<html" in body[:4096].lower():
        return "text/html"
    return "text/plain"
