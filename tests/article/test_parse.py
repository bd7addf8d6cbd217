"""The page parser: trafilatura's parsing, with lxml.html's element classes found in C."""

import copy

import pytest
from lxml import etree
from lxml.html import FormElement, HtmlElement, InputElement, TextareaElement
from trafilatura.utils import load_html

from bot.article.parse import load_page
from tests.helpers.paths import FIXTURES

PAGES = sorted((FIXTURES / "pages").glob("*.html")) + sorted(
    (FIXTURES / "pages" / "walls").glob("*.html")
)


def serialised(tree: HtmlElement | None) -> bytes | None:
    return None if tree is None else etree.tostring(tree, encoding="utf-8")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_fixture_page_parses_exactly_as_trafilatura_parses_it(path):
    data = path.read_bytes()
    assert serialised(load_page(data)) == serialised(load_html(data))
    text = data.decode("utf-8", "replace")
    assert serialised(load_page(text)) == serialised(load_html(text))


@pytest.mark.parametrize(
    "page",
    [
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>Declared in a str.</p></body></html>',
        "just a line of text, not a page",
        "<p>a lone fragment</p>",
        b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",
        "",
    ],
)
def test_odd_input_gets_trafilaturas_answer(page):
    assert serialised(load_page(page)) == serialised(load_html(page))


def test_elements_keep_lxml_htmls_classes_in_the_tree_and_in_copies():
    tree = load_page(
        "<html><body><form><input name='q'><textarea></textarea></form><p>Text</p></body></html>"
    )
    assert tree is not None
    for root in (tree, copy.deepcopy(tree)):
        assert isinstance(root.find(".//form"), FormElement)
        assert isinstance(root.find(".//input"), InputElement)
        assert isinstance(root.find(".//textarea"), TextareaElement)
        paragraph = root.find(".//p")
        assert type(paragraph) is HtmlElement and paragraph.text_content() == "Text"


def test_each_thread_parses_with_a_parser_of_its_own():
    """lxml parsers must not be shared between threads."""
    import threading

    from bot.article.parse import _parser

    seen = []
    thread = threading.Thread(target=lambda: seen.append(_parser()))
    thread.start()
    thread.join()
    assert seen[0] is not _parser() and _parser() is _parser()
