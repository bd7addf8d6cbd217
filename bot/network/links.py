"""Find the news links in a chat message, as canonical URLs.

Only links a reporter means to share count: Discord's `<…>` (don't preview) suppresses a link,
code spans are quoted text, and media files or Discord/GIF links are never articles. Canonical
URLs drop what does not change the page (case of scheme and host, default ports, fragments,
tracking parameters) so the cache and dedupe see one URL per story.

Why not courlan (installed with trafilatura): measured, it sorts query parameters (we keep the
publisher's order), keeps fragments, keeps `ocid`/`cmpid`, and costs ~75 ms to import; the
standard library does the job in a few lines and imports for free.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_SPOILER = re.compile(r"\|\|.+?\|\|", re.DOTALL)  # Discord's ||hidden until clicked||
# A link starts at http(s):// not glued to a word, and runs to whitespace or a character that
# cannot be in a pasted URL (angle brackets, quotes, backticks, Discord's spoiler bars).
_LINK = re.compile(r"(?<![\w@.+-])https?://[^\s<>\"`|\\]+", re.IGNORECASE)

# Markdown's masked link `[text](target)`: Discord opens the target, and `(<target>)` is a
# suppressed one. The text (often the same URL pasted again) is only a label.
_MASKED = re.compile(
    r"\[[^\]\n]*\]\(\s*(<?https?://[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*>?)"
    r"(?:\s+\"[^\"\n]*\")?\s*\)",
    re.IGNORECASE,
)

# Sentence punctuation (Latin and CJK full-width), markdown emphasis and closing quotation marks
# (straight or typographic, as phones type them) that end a message's sentence, not the URL.
_TRAILING = ".,!?;:'\"*_~>”’»›…。，、！？：；」』】）"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MEDIA_EXTENSIONS = _words(
    """
    .jpg .jpeg .png .gif .webp .bmp .svg .avif .heic .heif .tif .tiff .ico
    .mp4 .m4v .webm .mov .avi .mkv .wmv .flv .mpg .mpeg .3gp
    .mp3 .m4a .wav .ogg .oga .opus .flac .aac .wma
    """
)
_SKIPPED_DOMAINS = (
    "discord.com",
    "discord.gg",
    "discordapp.com",
    "discordapp.net",
    "discord.media",
    "tenor.com",
    "giphy.com",
    "gph.is",
)
_TRACKING_PARAMS = _words(
    """
    fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id igshid
    mc_cid mc_eid ref_src ref_url _ga _gl _hsenc _hsmi hsctatracking mkt_tok ocid cmpid
    ncid icid s_cid sr_share smid smtyp vero_id oly_enc_id oly_anon_id rb_clickid wt.mc_id
    __twitter_impression at_medium at_campaign at_custom1 at_custom2 at_custom3 at_custom4
    cvid xtor
    """
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def find_links(content: str, limit: int | None = None, *, spoilers: bool = False) -> list[str]:
    """Canonical http(s) links in `content`, in order of appearance, without duplicates.

    Links inside a `||spoiler||` are left out unless `spoilers`: the poster hid them, and a
    briefing posted for everyone (an embed cannot be hidden) would give away what they hid.
    Someone who asks for one explicitly (a command, a private answer) passes `spoilers=True`.
    """
    text = _INLINE_CODE.sub(" ", _CODE_BLOCK.sub(" ", content))
    if not spoilers:
        text = _SPOILER.sub(" ", text)
    text = _MASKED.sub(lambda m: f" {m.group(1)} ", text)
    found: list[str] = []
    seen: set[str] = set()
    for match in _LINK.finditer(text):
        if limit is not None and len(found) >= limit:
            break
        raw = _strip_trailing(match.group())
        if _is_suppressed(text, match.start(), match.start() + len(raw)):
            continue
        try:
            url = canonicalize(raw)
        except ValueError:
            continue
        if _is_skipped(url) or url in seen:
            continue
        seen.add(url)
        found.append(url)
    return found


def canonicalize(url: str) -> str:
    """One spelling per page; raises ValueError for something that is not an http(s) URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname  # lower-cased, brackets removed
    if not host:
        raise ValueError(f"URL without a host: {url!r}")
    port = parts.port  # raises ValueError for a bad port
    if ":" in host:
        host = f"[{host}]"
    netloc = host.rstrip(".") if not host.startswith("[") else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:  # kept (not hidden) so the address policy can see and refuse it
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def _clean_query(query: str) -> str:
    """Drop tracking parameters; keep the others byte for byte and in their order."""
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        key = unquote_plus(piece.split("=", 1)[0]).strip().lower()
        if key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES):
            continue
        kept.append(piece)
    return "&".join(kept)


def _strip_trailing(url: str) -> str:
    """Remove sentence punctuation and closing brackets that belong to the message, not the URL."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)):
            url = url[:-1]
        else:
            break
    return url


def _is_suppressed(text: str, start: int, end: int) -> bool:
    """Discord does not preview `<https://…>`; we honour the same wish."""
    return start > 0 and text[start - 1] == "<" and text[end : end + 1] == ">"


def _is_skipped(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if any(host == d or host.endswith("." + d) for d in _SKIPPED_DOMAINS):
        return True
    path = parts.path.lower()
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:] in MEDIA_EXTENSIONS
