"""How long a text is, in words, in every script: the one count behind every length rule.

Chinese and Japanese put no spaces between words, so `len(text.split())` makes a paragraph of
Chinese one "word": the briefing's sentence filter rejected whole articles, a long article looked
like a teaser and its reading time was a minute. Here a CJK character counts as one word (the
corpora's READMEs count it as one token; Chinese words are one or two characters). Hangul is not
counted this way: Korean separates its words with spaces.

A kernel module (it imports nothing of bot) because `bot.models.Briefing.word_count` needs it;
the text layer re-exports it as `bot.text.word_count`.
"""

from __future__ import annotations

import re

__all__ = ["CJK", "has_cjk", "word_count"]

# Han ideographs (with extensions and compatibility forms), kana and bopomofo.
CJK = re.compile(
    "[\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f]"
)


def has_cjk(text: str) -> bool:
    # isascii() reads a flag of the string: no scan for the common case of English copy.
    return not text.isascii() and CJK.search(text) is not None


def word_count(text: str) -> int:
    """Space-separated words, each CJK character counted as one ("东湖新区 3号线" → 7)."""
    if not has_cjk(text):
        return len(text.split())
    characters = len(CJK.findall(text))
    return characters + len(CJK.sub(" ", text).split())
