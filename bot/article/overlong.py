"""Paragraphs longer than any real one are cut into sentence-aligned pieces before analysis.

Why: the quote, speaker and sentence steps look back over "the text before this point" of a
paragraph, which is cheap for a paragraph (news paragraphs are under 3,000 characters; 6 of
15,755 in the evaluation corpora exceed 4,000) and quadratic or worse for a page that puts
megabytes in one `<p>` or one line of a text file — one such page could hold a worker for
minutes. Capping the piece length makes every later step linear in the page size, whatever it
does inside a piece.

Cuts fall at a sentence end outside quotation marks when there is one in the second half of
the window, else at any sentence end, else at a space, so a quote and its attribution stay in
one piece in every case a reader would call a paragraph.
"""

from __future__ import annotations

import re

MAX_PARAGRAPH_CHARS = 4000

# A sentence end (Latin: punctuation, closing marks, a space; CJK: no space needed) or a
# double quotation mark, whose balance tells whether a sentence end is inside a quote.
_TOKENS = re.compile(
    r"(?P<end>[.!?…]+[\"”’»)]*\s+|[。！？]+[」』”’)]*)|(?P<mark>[“”\"])",
)
_SPACE = re.compile(r"\s")


def split_overlong(paragraphs: list[str], limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """`paragraphs` with every one longer than `limit` cut into pieces of at most `limit`."""
    if all(len(p) <= limit for p in paragraphs):
        return paragraphs
    out: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= limit:
            out.append(paragraph)
            continue
        start = 0
        while len(paragraph) - start > limit:
            cut = _cut(paragraph, start, start + limit)
            piece = paragraph[start:cut].strip()
            if piece:
                out.append(piece)
            start = cut
        rest = paragraph[start:].strip()
        if rest:
            out.append(rest)
    return out


def _cut(text: str, start: int, end: int) -> int:
    """Where to end the piece `text[start:end]`: one pass over the window, so linear overall."""
    half = start + (end - start) // 2
    outside = anywhere = -1
    curly = 0  # “ opened and not yet closed
    straight = False  # an odd number of " so far
    for token in _TOKENS.finditer(text, start, end):
        if token.lastgroup == "mark":
            mark = token.group()
            if mark == "“":
                curly += 1
            elif mark == "”":
                curly = max(0, curly - 1)
            else:
                straight = not straight
            continue
        closing = token.group()
        curly = max(0, curly - closing.count("”"))
        straight ^= closing.count('"') % 2 == 1
        if token.end() >= half:
            anywhere = token.end()
            if not curly and not straight:
                outside = token.end()
    if outside > 0:
        return outside
    if anywhere > 0:
        return anywhere
    space = -1
    for found in _SPACE.finditer(text, half, end):
        space = found.end()
    return space if space > 0 else end
