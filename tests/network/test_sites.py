"""Same site or not: the registrable domain from the public suffix list, offline."""

from __future__ import annotations

import pytest

from bot.network.sites import same_site, site_of, trusted_canonical


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("www.bbc.co.uk", "bbc.co.uk"),
        ("News.Example.CO.UK.", "example.co.uk"),
        ("a.b.harbourpost.com", "harbourpost.com"),
        ("ana.github.io", "ana.github.io"),  # a private suffix: every user is a site of their own
        ("127.0.0.1", "127.0.0.1"),  # not in the list: the host is its own site
        ("localhost", "localhost"),
        ("café.example", "xn--caf-dma.example"),
    ],
)
def test_site_of(host: str, site: str) -> None:
    assert site_of(host) == site


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("https://www.bbc.co.uk/news/1", "http://amp.bbc.co.uk/2", True),
        ("https://bbc.co.uk/", "https://bbc.com/", False),
        ("https://ana.github.io/a", "https://bob.github.io/a", False),
        ("http://127.0.0.1:8000/evil", "http://127.0.0.1:9000/real", True),
        ("http://127.0.0.1/evil", "http://localhost/real", False),
        ("https://news.example.com/a", "ftp://news.example.com/a", False),
        ("https://news.example.com/a", "/relative/path", False),
        ("https://news.example.com/a", "http://[::1/", False),
    ],
)
def test_same_site(first: str, second: str, expected: bool) -> None:
    assert same_site(first, second) is expected


def test_trusted_canonical() -> None:
    fetched = "https://short.example/x1"
    other = "https://www.bbc.co.uk/news/uk-1"
    assert trusted_canonical(other, fetched) == fetched  # another site's address: refused
    assert trusted_canonical(None, fetched) == fetched
    same = "https://www.harbourpost.com/ferry"
    assert trusted_canonical(same, "https://m.harbourpost.com/ferry?amp=1") == same
    # On the chain the fetch really followed (tracking parameters aside): believed.
    chain = [fetched, "https://www.bbc.co.uk/news/uk-1?utm_source=share", "https://cdn.example/"]
    assert trusted_canonical(other, "https://cdn.example/", chain) == other
