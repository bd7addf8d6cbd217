"""The corpora READMEs' CJK rule for token-based metrics: "a token holding CJK characters counts
each character as a token" (Chinese has no spaces, so `\\w+` would make a whole clause one token).

Kept in one place so the body F1 (extraction-daniel-multi) and the quote F1 (quotes-multi) count
Chinese the same way. CJK here = Han ideographs (with extensions and compatibility forms), kana and
bopomofo; Hangul is left out on purpose: Korean separates words with spaces.
"""

from __future__ import annotations

import re

CJK_CHAR = re.compile(
    "[\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f]"
)
WORD = re.compile(r"\w+")


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def split_cjk(tokens: list[str]) -> list[str]:
    """Every token that holds a CJK character becomes its characters (all of them, as the README
    says: "2012年" is five tokens); other tokens stay whole."""
    out: list[str] = []
    for token in tokens:
        if CJK_CHAR.search(token):
            out.extend(token)
        else:
            out.append(token)
    return out


def word_tokens(text: str, *, cjk: bool) -> list[str]:
    """`re.findall(r"\\w+")`, with the CJK rule when `cjk` is set."""
    tokens = WORD.findall(text)
    return split_cjk(tokens) if cjk else tokens
