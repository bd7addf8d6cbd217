"""Our author search answers exactly what trafilatura's `extract_author` answers."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from bot.article.author_search import find_author
from tests.helpers.article_server import PAGES
from tests.helpers.paths import CORPORA, needs_shared

# Each page exercises one rule of trafilatura's expressions (our own markup).
CASES = [
    '<html><body><p class="author">By Nadia Okoro</p></body></html>',
    '<html><body><span rel="author">Tomas Brandvik</span></body></html>',
    '<html><body><div class="article-author-name">Mira Talvik</div></body></html>',
    "<html><body><author>Ines Caldwell</author></body></html>",
    "<html><body><p><rel>me</rel>Lena Novak</p></body></html>",
    '<html><body><h4 class="posted-by">Posted by Karl Brandt</h4></body></html>',
    '<html><body><li data-component="Byline">Aisha Okafor</li></body></html>',
    '<html><body><li id="xiaobian">王小明</li></body></html>',
    # pruned sections: the byline of a comment, a byline inside a figure, a time inside a byline
    '<html><body><div id="comments"><p class="author">Troll</p></div>'
    '<p class="byline">Omar Haddad</p></body></html>',
    '<html><body><figure><span class="author">Photo Agency</span></figure>'
    '<span class="writer">Dana Ruiz</span></body></html>',
    '<html><body><span class="author">Ruth<time>3 May</time>Kimani</span></body></html>',
    '<html><body><span class="author">Ben <span class="date">today</span> Ade, '
    '<div class="sidebar">menu</div>staff</span></body></html>',
    '<html><body><p class="author">x</p><p class="byline">Sam Rivera</p></body></html>',
    "<html><body><p>No byline on this page.</p></body></html>",
    # the class prefilter: a class value holding a newline (the separator of its list), one
    # that holds a hint only mid-word, the same value twice, non-Latin names
    '<html><body><span class="meta\nauthor">Ирина Соколова</span>'
    '<p class="x">не автор</p></body></html>',
    '<html><body><div class="post-writer-box"><span>Γιώργος Παπαδόπουλος</span></div>'
    '<div class="post-writer-box">Second</div></body></html>',
    '<html><body><p class="c1">一</p>'
    '<span class="article-byline-zh">编辑：李华</span></body></html>',
    # a candidate whose ancestor is pruned, and one beside a pruned block it does not contain
    '<html><body><section class="sidebar"><span class="author">Menu Name</span></section>'
    '<span class="date">1 May</span><span class="byline">Ada Lind</span></body></html>',
]


@pytest.mark.parametrize("html", CASES)
def test_the_same_answer_as_trafilatura(html: str) -> None:
    assert find_author(load_html(html)) == extract_author(load_html(html))


def test_our_fixture_pages_agree() -> None:
    for page in sorted(PAGES.glob("*.html")):
        tree = load_html(page.read_bytes())
        assert find_author(tree) == extract_author(tree), page.name


@needs_shared
def test_every_corpus_page_agrees() -> None:
    pages = sorted(CORPORA.glob("*/html/*.html"))
    assert pages
    for page in pages[::4]:  # a quarter keeps the test quick (all 938 agreed when written)
        tree = load_html(page.read_bytes())
        if tree is not None:
            assert find_author(tree) == extract_author(tree), page.name
