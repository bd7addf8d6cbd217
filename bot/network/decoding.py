"""Bytes to text, for fetched pages and for saved files: one set of rules for both.

Why one module: a page fetched from a site and the same words saved in a file (`newsdesk brief
--text`) must read the same. The rules, in order:

1. A byte-order mark decides (UTF-8, UTF-16 LE/BE), whatever a label says.
2. For a page, a declared charset (the Content-Type header, else a `<meta>` in the first 4 KB)
   is trusted, unless it says UTF-8 or windows-1252: old CMSs declare one and send the other.
3. Between UTF-8 and windows-1252 the bytes decide: UTF-8 when they read as UTF-8 (a stray bad
   byte aside), else windows-1252, which is what a Windows editor saves. Windows-1252 prose is
   practically never valid UTF-8, so this never puts "�" in place of every accent and curly
   quote, nor "Ã©" in place of "é".

Decoding never fails: bytes that mean nothing in the chosen encoding become "�".
"""

from __future__ import annotations

import codecs
import re
from typing import Final

META_SCAN_BYTES: Final = 4096
BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_:.\-]+)", re.IGNORECASE)
# WHATWG Encoding: these labels mean windows-1252 on the web, which is a superset.
_WEB_ALIASES: Final = {"latin_1": "cp1252", "ascii": "cp1252", "iso8859_1": "cp1252"}


def decode_html(body: bytes, header_charset: str | None) -> str:
    """A page's text: BOM, then the header's charset, then <meta>, then UTF-8 (rules above)."""
    text = _by_bom(body)
    if text is not None:
        return text
    encoding = _codec(header_charset) or _codec(_meta_charset(body)) or "utf-8"
    if encoding in ("utf-8", "cp1252"):
        return utf8_or_cp1252(body)
    return body.decode(encoding, errors="replace")


def decode_text(data: bytes) -> str:
    """A saved text file's words: BOM, else UTF-8 or windows-1252 as the bytes say (no labels:
    a text file has none, and a `<meta>` inside one is just words)."""
    text = _by_bom(data)
    return text if text is not None else utf8_or_cp1252(data)


def utf8_or_cp1252(data: bytes) -> str:
    """UTF-8 when the bytes read as UTF-8 (a stray bad byte aside), else windows-1252.

    "Bad" counts only bytes that are not UTF-8: a "�" the text itself contains (valid UTF-8)
    is a character like any other, so valid UTF-8 is always read as UTF-8.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII, C speed
    return text if good > bad else data.decode("cp1252", errors="replace")


def _by_bom(data: bytes) -> str | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    return None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:META_SCAN_BYTES])
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace")
    # A <meta> can't truthfully declare UTF-16: the bytes it's written in would not be ASCII.
    return "utf-8" if label.lower().startswith("utf-16") else label


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return _WEB_ALIASES.get(name.replace("-", "_"), name)
