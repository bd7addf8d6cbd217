"""Finding readers' comment sections by their names in the markup (bot/article/comments.py)."""

from trafilatura.utils import load_html

from bot.article.comments import comment_sections, drop_counters

PAGE = """<html><body><div class="page">
<div id="main"><h1>Bridge reopens</h1><p>The bridge reopened on Monday.</p></div>
<section class="CommentList thread"><p>First!</p></section>
<div id="Kommentare-7"><p>Endlich.</p></div>
<div class="commentary-column"><p>An op-ed about bridges.</p></div>
<aside class="opinion-box"><p>Our view: more bridges.</p></aside>
<div class="has-comments"><article><p>The story itself.</p></article></div>
<div id="disqus_thread"><div class="comment"><p>Nested: not a section of its own.</p></div></div>
</div></body></html>"""


def names(sections: list) -> list[str]:
    return [s.get("id") or s.get("class") for s in sections]


def test_sections_are_found_in_any_letter_case_by_id_or_class_outermost_only():
    found = names(comment_sections(load_html(PAGE)))
    assert found == ["CommentList thread", "Kommentare-7", "disqus_thread"]


def test_commentary_opinion_pieces_and_the_articles_own_block_are_not_comments():
    found = names(comment_sections(load_html(PAGE)))
    assert not {"commentary-column", "opinion-box", "has-comments"} & set(found)


def test_a_page_without_comment_names_has_no_sections():
    assert comment_sections(load_html("<html><body><p class='lede'>Text.</p></body></html>")) == []


def test_only_numeric_comment_links_are_dropped_as_counters():
    tree = load_html(
        '<html><body><p><a class="comments_count">12</a>Rain fell.</p>'
        '<p><a id="comment-link">Comment on this</a></p></body></html>'
    )
    drop_counters(tree)
    texts = [p.text_content() for p in tree.iter("p")]
    assert texts == ["Rain fell.", "Comment on this"]
