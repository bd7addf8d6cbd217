"""Attribution in Chinese: a speaker written against its cue, with no spaces and no capitals.

"外交部发言人华春莹表示，“…”", "他说：“…”", "“…”张先生告诉记者。" The English rules find a name
by its capitals and the words around it; Chinese has neither, so these rules read the clause
next to the quote mark: a cue word of the registry (`cues.txt` of a language written in CJK
characters) ends the clause before an opening mark or follows the speaker after a closing one,
and the speaker is what stands before the cue, trimmed by the language's `[grammar]` words: an
adverb or preposition ends the name ("于谦也在微博表示" → 于谦), a title before it is dropped
("外交部发言人华春莹" → 华春莹), an honorific after a full name too ("关铁钢先生" → 关铁钢), and
"X的Y" names Y ("交易中心的张友昆" → 张友昆). The script decides, not the declared language, so a
Chinese quote in a page without a language is read all the same.
"""

from __future__ import annotations

import re
from functools import cache

from bot.quotes.grammar import grammar
from bot.text import family_names, honorifics, languages, title_words

__all__ = ["attribution_after", "attribution_before", "ends_cjk", "is_cjk", "starts_cjk"]

_SENTENCE_END = "。！？!?\n"
_CLAUSE_END = "，,；;、"
_COLONS = "：:"
_MAX_SUBJECT = 14  # characters: longer is a clause, not a speaker
_MIN_NAME = 2  # a Chinese name has two characters or more (a surname alone takes 先生)
_HEAD = "长"  # 园长, 校长, 市长: the character that ends most Chinese titles of office
_MAX_NAME = 6  # a speaker found without a cue: a name or a short role, no more


def is_cjk(ch: str) -> bool:
    """A CJK ideograph (the Chinese characters; kana and hangul are other scripts)."""
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def starts_cjk(text: str) -> bool:
    """Does `text` (after a closing mark) go on in Chinese?"""
    body = text.lstrip(" \u3000,，:：")
    return bool(body) and is_cjk(body[0])


def ends_cjk(text: str) -> bool:
    """Does `text` (before an opening mark) end in Chinese, or in Chinese punctuation?"""
    body = text.rstrip(" \u3000")
    return bool(body) and (is_cjk(body[-1]) or body[-1] in "：，；（")


@cache
def _cues() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(verb cues, preposition cues) written in CJK characters, longest first."""
    verbs: set[str] = set()
    preps: set[str] = set()
    for lang in languages():
        verbs.update(v for v in lang.cue_verbs if v and all(is_cjk(c) for c in v))
        preps.update(p for p in lang.cue_prepositions if p and all(is_cjk(c) for c in p))
    return (
        tuple(sorted(verbs, key=len, reverse=True)),
        tuple(sorted(preps, key=len, reverse=True)),
    )


@cache
def _titles() -> tuple[str, ...]:
    return tuple(sorted((t for t in title_words() if t and is_cjk(t[0])), key=len, reverse=True))


@cache
def _after_names() -> tuple[str, ...]:
    return tuple(h for h in honorifics() if h and is_cjk(h[0]))


def _cue_ending(clause: str, language: str | None) -> tuple[str, str] | None:
    """(subject, cue) when a cue ends `clause` ("…华春莹表示" → "…华春莹", "表示")."""
    verbs, _ = _cues()
    not_cues = grammar(language).not_cues
    for cue in verbs:
        if clause.endswith(cue):
            subject = clause[: len(clause) - len(cue)]
            if any((subject + cue).endswith(word) for word in not_cues):
                continue
            return subject, cue
    return None


def _cue_inside(clause: str, language: str | None) -> tuple[str, str] | None:
    """(subject, cue) for the first cue in `clause` with a short subject before it."""
    verbs, _ = _cues()
    not_cues = grammar(language).not_cues
    best: tuple[int, str] | None = None
    for cue in verbs:
        at = clause.find(cue)
        # a subject may be longer when a 的-phrase describes the speaker ("参加此次演练的一名
        # 观摩人员"): subject_name keeps only what follows it
        while at >= 0 and (at <= _MAX_SUBJECT or (at <= 2 * _MAX_SUBJECT and "的" in clause[:at])):
            if not _inside_word(clause, at, cue, not_cues):
                if best is None or at < best[0]:
                    best = (at, cue)
                break
            at = clause.find(cue, at + 1)
    if best is None:
        return None
    at, cue = best
    return clause[:at], cue


def _inside_word(clause: str, at: int, cue: str, not_cues: frozenset[str]) -> bool:
    """Is the cue at `at` part of a longer word that is no cue ("这部小说", "这种说法")?"""
    for word in not_cues:
        offset = word.find(cue)
        if offset >= 0 and clause[at - offset : at - offset + len(word)] == word:
            return True
    return False


def subject_name(subject: str, language: str | None) -> str | None:
    """The speaker in a subject written against its cue, as the reader should see it."""
    words = grammar(language)
    subject = subject.strip(" \u3000,，:：、")
    for prep in _cues()[1]:
        if subject.startswith(prep):
            subject = subject[len(prep) :]
    if subject.endswith(("地", "的")) and len(subject) > _MIN_NAME + 2:
        # "德洛尔兴奋地说", "…观摩人员兴奋的告诉记者": a manner adverb before the cue (的 is
        # often written for 地 there); a name never ends in either
        subject = subject[: len(subject) - 3]
    if "的" in subject and len(subject.rsplit("的", 1)[1]) >= _MIN_NAME:
        subject = subject.rsplit("的", 1)[1]  # "交易中心的张友昆" → 张友昆
    for word in sorted(words.determiners, key=len, reverse=True):
        if subject.startswith(word) and len(subject) - len(word) >= _MIN_NAME:
            subject = subject[len(word) :]
            break
    if subject in words.pronouns:
        return subject
    subject = _before_filler(subject, words.fillers)
    if not subject or len(subject) > _MAX_SUBJECT or not all(is_cjk(c) for c in subject):
        return None
    for title in _titles():
        at = subject.rfind(title)
        rest = subject[at + len(title) :] if at >= 0 else ""
        if at >= 0 and _MIN_NAME <= len(rest) <= 5:
            subject = rest  # "外交部发言人华春莹" → 华春莹, "市民王先生" → 王先生
            break
    else:
        head = subject.rfind(_HEAD)
        if head > 0 and _MIN_NAME <= len(subject) - head - 1 <= 3:
            subject = subject[head + 1 :]  # "动物园园长德洛尔": a title in -长 before a name
    for honorific in _after_names():
        if subject.endswith(honorific) and len(subject) - len(honorific) >= _MIN_NAME:
            subject = subject[: len(subject) - len(honorific)]  # "关铁钢先生" → 关铁钢
    return subject


def _before_filler(subject: str, fillers: frozenset[str]) -> str:
    """`subject` up to the first adverb or preposition after its first two characters
    ("卓伟不敢认同" → 卓伟). A character that is also a family name (于, 曾) begins a name
    instead when another such word follows the name ("搭档于谦也在微博" → …于谦)."""
    plain = fillers - family_names()
    cut = len(subject)
    for at in range(_MIN_NAME, len(subject)):
        word = next((w for w in fillers if subject.startswith(w, at)), None)
        if word is None:
            continue
        name_here = len(subject) - at in (2, 3) or any(
            subject.startswith(w, at + k) for k in (2, 3) for w in plain
        )
        if word in plain or not name_here:
            cut = at
            break
    return subject[:cut]


def attribution_before(text: str, language: str | None) -> tuple[str, str, bool] | None:
    """(speaker phrase, cue, implicit) from the Chinese text before an opening mark."""
    cut = max(text.rfind(ch) for ch in _SENTENCE_END)
    sentence = text[cut + 1 :].strip(" \u3000")
    clause = sentence.rstrip(" \u3000" + _COLONS + _CLAUSE_END)
    if not clause:
        return None
    last = re.split(f"[{_CLAUSE_END}]", clause)[-1]
    found = _cue_ending(last, language)
    if found is None:
        # "据伤者描述，…，…：“…”", "他坦言龙票的成名连自己都有些意外：“…”": a cue near the
        # start of the sentence introduces all of it
        first = re.split(f"[{_CLAUSE_END}]", clause)[0]
        found = _cue_ending(first, language) or _cue_inside(first, language)
    if found is not None:
        subject, cue = found
        if not subject.strip():
            return ("", cue, True) if grammar(language).pro_drop or language is None else None
        name = subject_name(subject, language)
        return (name, cue, False) if name else None
    head = _before_filler(last, grammar(language).fillers)
    if len(head) == len(last):
        return None
    name = subject_name(head, language)
    if not name:
        return None
    if sentence.endswith(tuple(_COLONS)) and len(name) <= _MAX_NAME:
        # "同来的司机也受到了牵连：“…”": no cue, but a colon after a clause whose subject is
        # short and ended by an adverb (a verb follows): that subject speaks
        return name, ":", False
    person = _name_at_end(name)
    if person:
        # "郭德纲的搭档于谦也在微博力挺，“…”": a person's name as the clause's subject
        return person, "，", False
    return None


def _name_at_end(text: str) -> str | None:
    """The Chinese personal name that ends `text` (a family name and one or two more
    characters: "搭档于谦" → 于谦), or None."""
    names = family_names()
    for size in (3, 2):
        tail = text[-size:]
        if len(tail) == size and (tail[0] in names or (size == 3 and tail[:2] in names)):
            return tail
    return None


def attribution_after(text: str, language: str | None) -> tuple[str, str, bool] | None:
    """(speaker phrase, cue, implicit) from the Chinese text after a closing mark."""
    body = text.lstrip(" \u3000,，")
    if not body or body[0] in _SENTENCE_END:
        return None
    clause = re.split(f"[{_CLAUSE_END}{_SENTENCE_END}{_COLONS}]", body, maxsplit=1)[0]
    found = _cue_inside(clause, language)
    if found is None:
        return None
    subject, cue = found
    if not subject:
        return None
    name = subject_name(subject, language)
    return (name, cue, False) if name else None
