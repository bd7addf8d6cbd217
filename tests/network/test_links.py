"""Which links in a chat message the bot acts on, and the one spelling each one gets."""

from __future__ import annotations

import pytest

from bot.network.links import canonicalize, find_links


def test_finds_links_in_order_and_canonical() -> None:
    message = (
        "Council story is up: https://News.Example.COM/local/budget-vote?utm_source=slack "
        "and the follow-up http://example.org/a/b"
    )
    assert find_links(message) == [
        "https://news.example.com/local/budget-vote",
        "http://example.org/a/b",
    ]


def test_no_links() -> None:
    assert find_links("no links here, just www.example.com and ftp://files.example") == []


def test_suppressed_links_in_angle_brackets_are_skipped() -> None:
    message = "see <https://example.com/quiet> but https://example.com/loud please"
    assert find_links(message) == ["https://example.com/loud"]


def test_masked_link_with_suppression_is_skipped_and_without_is_found() -> None:
    message = "[quiet](<https://example.com/q>) and [loud](https://example.com/l)"
    assert find_links(message) == ["https://example.com/l"]


def test_links_in_inline_code_and_code_blocks_are_skipped() -> None:
    message = (
        "try `curl https://example.com/inline` first\n"
        "```\nhttps://example.com/in-block\n```\n"
        "then read https://example.com/real"
    )
    assert find_links(message) == ["https://example.com/real"]


def test_unclosed_code_block_hides_the_rest() -> None:
    assert find_links("```py\nrequests.get('https://example.com/x')") == []


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/photo.jpg",
        "https://example.com/photo.JPEG",
        "https://example.com/a/b/chart.png?w=600",
        "https://example.com/anim.gif",
        "https://example.com/pic.webp",
        "https://example.com/clip.mp4",
        "https://example.com/podcast.mp3",
        "https://example.com/raw.mov",
        "https://cdn.discordapp.com/attachments/1/2/report",
        "https://media.discordapp.net/attachments/1/2/x",
        "https://discord.com/channels/1/2/3",
        "https://discord.gg/invite",
        "https://tenor.com/view/cat-gif-123",
        "https://media.tenor.com/abc/cat",
        "https://giphy.com/gifs/abc",
        "https://media.giphy.com/media/abc/giphy",
    ],
)
def test_media_and_chat_links_are_skipped(url: str) -> None:
    assert find_links(f"look {url} now") == []


def test_a_dot_in_a_directory_is_not_an_extension() -> None:
    assert find_links("https://example.com/v1.png/story") == ["https://example.com/v1.png/story"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Read https://example.com/story.", "https://example.com/story"),
        ("Read https://example.com/story, then", "https://example.com/story"),
        ("Really? https://example.com/story?!", "https://example.com/story"),
        ("(see https://example.com/story)", "https://example.com/story"),
        ("(see https://example.com/story).", "https://example.com/story"),
        ("**https://example.com/story**", "https://example.com/story"),
        ('"https://example.com/story"', "https://example.com/story"),
        (
            "https://en.example.org/wiki/Mercury_(planet)",
            "https://en.example.org/wiki/Mercury_(planet)",
        ),
        (
            "(https://en.example.org/wiki/Mercury_(planet))",
            "https://en.example.org/wiki/Mercury_(planet)",
        ),
        ("[story](https://example.com/story)", "https://example.com/story"),
        ("https://example.com/story>", "https://example.com/story"),
        ("https://example.com/a?q=1;", "https://example.com/a?q=1"),
    ],
)
def test_trailing_punctuation_is_not_part_of_the_url(message: str, expected: str) -> None:
    assert find_links(message) == [expected]


def test_dedupe_after_canonicalising() -> None:
    message = (
        "https://example.com/story?utm_campaign=a "
        "HTTPS://EXAMPLE.com:443/story#comments "
        "https://example.com/story?fbclid=xyz "
        "https://example.com/other"
    )
    assert find_links(message) == ["https://example.com/story", "https://example.com/other"]


def test_limit_caps_a_message_with_forty_links() -> None:
    message = " ".join(f"https://site{i}.example/story-{i}" for i in range(40))
    assert find_links(message, limit=3) == [
        "https://site0.example/story-0",
        "https://site1.example/story-1",
        "https://site2.example/story-2",
    ]
    assert len(find_links(message)) == 40


def test_limit_counts_only_links_that_are_kept() -> None:
    message = (
        "<https://a.example/1> https://a.example/pic.png https://a.example/2 "
        "https://a.example/2 https://a.example/3 https://a.example/4"
    )
    assert find_links(message, limit=2) == ["https://a.example/2", "https://a.example/3"]


def test_link_glued_to_a_word_is_not_a_link() -> None:
    assert find_links("xhttps://example.com/a") == []


def test_invalid_urls_are_skipped() -> None:
    assert find_links("https://example.com:99999/a https:// http://[::1/x") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        (
            "https://example.com/a?utm_source=x&utm_medium=y&UTM_Campaign=z",
            "https://example.com/a",
        ),
        (
            "https://example.com/a?z=1&fbclid=f&a=2&gclid=g&mc_cid=1&mc_eid=2&igshid=i"
            "&ref_src=twsrc&_ga=1&ocid=o&cmpid=c&msclkid=m&b=3",
            "https://example.com/a?z=1&a=2&b=3",
        ),
        (
            "https://example.com/a?q=caf%C3%A9+au+lait&page=2",
            "https://example.com/a?q=caf%C3%A9+au+lait&page=2",
        ),
        ("https://example.com/a?id=", "https://example.com/a?id="),
        ("https://example.com/a?&&id=1&", "https://example.com/a?id=1"),
        ("https://example.com/a?ref=homepage", "https://example.com/a?ref=homepage"),
        ("https://user@example.com/a", "https://user@example.com/a"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize("url", ["ftp://example.com/a", "mailto:x@example.com", "https:///a"])
def test_canonicalize_refuses_non_web_urls(url: str) -> None:
    with pytest.raises(ValueError):
        canonicalize(url)


def test_canonicalize_is_idempotent() -> None:
    url = "HTTPS://Example.com:443/a/b?x=1&utm_source=q&y=2#frag"
    once = canonicalize(url)
    assert canonicalize(once) == once == "https://example.com/a/b?x=1&y=2"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # A masked link whose label is the URL again: one link, not "…/a](https://…/a)".
        ("[https://news.example/a](https://news.example/a)", ["https://news.example/a"]),
        # Discord opens the target, whatever the label says.
        ("[https://label.example/x](https://news.example/real)", ["https://news.example/real"]),
        ("read [the story](https://news.example/b) now", ["https://news.example/b"]),
        ('[story](https://news.example/c "tooltip")', ["https://news.example/c"]),
        ("[wiki](https://w.example/wiki/Foo_(bar))", ["https://w.example/wiki/Foo_(bar)"]),
        ("[quiet](<https://news.example/d>)", []),  # suppressed inside markdown too
        # Typographic closing quotes from a phone keyboard end the sentence, not the URL.
        ("“https://news.example/e”", ["https://news.example/e"]),
        ("see ‘https://news.example/f’…", ["https://news.example/f"]),
        ("«https://news.example/g»", ["https://news.example/g"]),
        ("请看 https://news.example/h。", ["https://news.example/h"]),
        ("（https://news.example/i）", ["https://news.example/i"]),
    ],
)
def test_markdown_links_and_typographic_quotes(message: str, expected: list[str]) -> None:
    assert find_links(message) == expected


def test_spoilered_links_are_left_out_unless_asked_for() -> None:
    # An embed cannot be hidden: briefing a spoilered link for everyone gives away what the
    # poster hid. Asked for explicitly (a command, a private answer), they count.
    message = "||https://news.example/a|| and ||<https://news.example/b>|| https://news.example/c"
    assert find_links(message) == ["https://news.example/c"]
    assert find_links("||the ending:\nhttps://news.example/a||") == []
    assert find_links(message, spoilers=True) == [
        "https://news.example/a",
        "https://news.example/c",
    ]
    assert find_links("a || b https://news.example/d") == ["https://news.example/d"]
