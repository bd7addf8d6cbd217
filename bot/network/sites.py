"""Which URLs belong to the same site, and which canonical address a fetched page may claim.

Why: a page's `<link rel="canonical">` (or og:url) is the page's own claim about its address.
Shown as the embed's link it is helpful (no tracking parameters, no AMP path); believed blindly,
a page at `evil.example/x` could say it is `www.bbc.co.uk/news/…` and have its text shown under
the BBC's link. So a canonical is trusted only when it names the same site as the URL actually
fetched — the same registrable domain (`news.example.co.uk` and `www.example.co.uk` are one
site, `a.github.io` and `b.github.io` are two) — or a URL the redirect chain really passed
through. Storage keys never come from it at all (see `Briefing.fetched_url`).

The registrable domain comes from the Public Suffix List as bundled by `tld` (already installed
with trafilatura's URL library, courlan; it reads its own copy of the list, never the network).
A host the list does not know (an IP address, `localhost`, `.test`) is its own site.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from tld import get_fld

from bot.network.links import canonicalize


@lru_cache(maxsize=4096)
def site_of(host: str) -> str:
    """The registrable domain of `host` ("www.bbc.co.uk" → "bbc.co.uk"), else the host itself."""
    host = host.strip().lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host
    domain = get_fld(host, fix_protocol=True, fail_silently=True)
    return domain.lower() if isinstance(domain, str) else host


def same_site(first: str, second: str) -> bool:
    """True when both URLs are http(s) on the same registrable domain (or the same unknown host)."""
    hosts = []
    for url in (first, second):
        try:
            parts = urlsplit(url.strip())
            host = parts.hostname
        except ValueError:
            return False
        if parts.scheme.lower() not in ("http", "https") or not host:
            return False
        hosts.append(site_of(host))
    return hosts[0] == hosts[1]


def trusted_canonical(claimed: str | None, fetched: str, chain: Iterable[str] = ()) -> str:
    """The address to show for a page fetched from `fetched`: its `claimed` canonical when that
    is on the same site or on the redirect `chain` that was followed, else `fetched` itself."""
    if not claimed:
        return fetched

    def key(url: str) -> str:
        try:
            return canonicalize(url)
        except ValueError:
            return url

    if key(claimed) in {key(url) for url in (fetched, *chain)}:
        return claimed
    return claimed if same_site(claimed, fetched) else fetched


__all__ = ["same_site", "site_of", "trusted_canonical"]
