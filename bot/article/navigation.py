"""Site navigation that extraction took for part of the article.

On portal sites with short stories (one or two paragraphs), trafilatura sometimes keeps the
whole column: the section menu above the story, the service menu below it and the "more news"
list at its foot. On the zh/ru/pl/el dev pages those lines were up to two thirds of the text
of such a page. A menu prints as a run of short lines that end no sentence and hold no figure;
a story's own lists do not look like that (a fact box carries figures or "Label:" lines, and a
list marked up as one prints with "- "), and neither do its headings, which come one at a time.

So a run of at least `MENU_RUN` such lines is dropped, and a run after the story's prose that
only short lines and list items follow is the page's foot: it goes with everything after it.
On extraction-zyte (English news) no page changes; on extraction-daniel-multi body F1 rises in
el, ru and zh and pl is unchanged (bench/score_languages.py).
"""

from __future__ import annotations

from bot.wordcount import CJK

MENU_ITEM_CHARS = 25  # "Ouvidoria", "Galeria de Fotos": menu entries, not paragraphs
CJK_MENU_ITEM_CHARS = 60  # a Chinese story's link title, without a sentence's final mark
MENU_RUN = 5  # fewer short lines in a row are a story's subheadings or a signature block
PROSE_CHARS = 50  # shorter lines after a menu are more menu, a label or a signature
MIN_KEPT_CHARS = 200  # below this, the page was a brief all along: keep it whole

# What a line of prose ends with: a sentence's final mark, or a closing quote or bracket.
ENDS_PROSE = tuple('.!?…。！？;:：」』”"»)）')
# A line that continues on the next one, or labels the value printed there.
_CONTINUES = (",", "、", "，", "-", "–", ":", "：")
_LIST_ITEM = ("- ", "• ", "* ")


def menu_line(paragraph: str) -> bool:
    """A menu entry or a link to another story. In Latin, Cyrillic or Greek one is short; a
    Chinese link title runs to 30-50 characters (each character a word), so there it is a
    line that ends no sentence: prose in Chinese ends with 。！？ or a closing quote."""
    if len(paragraph) < MENU_ITEM_CHARS:
        return True
    if len(paragraph) >= CJK_MENU_ITEM_CHARS or 2 * len(CJK.findall(paragraph)) <= len(paragraph):
        return False
    return not paragraph.rstrip().endswith(ENDS_PROSE)


def _navigation_line(paragraph: str) -> bool:
    line = paragraph.strip()
    return (
        bool(line)
        and menu_line(line)
        and not line.startswith(_LIST_ITEM)
        and not line.endswith(_CONTINUES)
        and not any(char.isdigit() for char in line)
    )


def _prose(paragraph: str) -> bool:
    """A paragraph of the story: long, ending a sentence, and no list item (a copyright line
    or a "more news" teaser is not what a reader came for)."""
    line = paragraph.rstrip()
    return (
        len(line) >= PROSE_CHARS and line.endswith(ENDS_PROSE) and not line.startswith(_LIST_ITEM)
    )


def without_navigation(paragraphs: list[str]) -> list[str]:
    """The paragraphs without menu runs, and without the page's foot after the story."""
    navigation = [_navigation_line(p) for p in paragraphs]
    keep = [True] * len(paragraphs)
    end = len(paragraphs)
    seen_prose = False
    i = 0
    while i < end:
        if not navigation[i]:
            seen_prose = True
            i += 1
            continue
        j = i
        while j < len(paragraphs) and navigation[j]:
            j += 1
        if j - i >= MENU_RUN:
            keep[i:j] = [False] * (j - i)
            if seen_prose and not any(map(_prose, paragraphs[j:])):
                end = i  # the page's foot: menus, "more news" items, a copyright line
        i = j
    kept = [p for p, k in zip(paragraphs[:end], keep[:end], strict=True) if k]
    if kept == paragraphs or sum(map(len, kept)) < MIN_KEPT_CHARS:
        return paragraphs
    return kept
