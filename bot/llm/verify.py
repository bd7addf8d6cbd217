"""Checks that an LLM's briefing says only what the article says, before anyone sees it.

A model can paraphrase well and still misquote, rename or renumber. Journalists cannot check
every bullet by hand, so every bullet must pass cheap, conservative text checks against the
article: quoted words verbatim, every name present, every number present. A bullet that fails
any check is dropped; the caller falls back to the extractive briefing when too few survive.

The checks are deliberately strict: dropping a correct bullet costs a little quality, showing
a wrong one costs trust.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from bot.errors import AnswerError
from bot.text import courtesy_titles, guess_words, language_info, sentence_starts

# ---------------------------------------------------------------------------------------------
# Parsing the answer
# ---------------------------------------------------------------------------------------------

MIN_BULLETS = 3
MAX_BULLETS = 5
MAX_BULLET_CHARS = 400

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_BULLET_MARK = re.compile(r"^(?:[-*•–]\s+|\d+[.)]\s+)")


@dataclass(slots=True)
class Answer:
    """A parsed reply: candidate bullets and the quote ids the model called key."""

    bullets: list[str]
    key_quote_ids: list[int]
    problems: list[str] = field(default_factory=list)


def parse_answer(content: str | None, quote_ids: set[int]) -> Answer:
    """Parse the model's JSON reply (bare, fenced in ```json, or with prose around it).

    Unknown quote ids are dropped (and noted in `problems`) rather than failing the whole answer:
    the bullets can still be good, the quote order just stays as extracted.
    """
    text = _THINK.sub("", content or "").strip()
    if not text:
        raise AnswerError("empty answer")
    data = _load_json_object(text)
    if not isinstance(data, dict):
        raise AnswerError("answer is not a JSON object")
    raw_bullets = data.get("bullets")
    if isinstance(raw_bullets, str):  # some small models send one string, a bullet per line
        raw_bullets = raw_bullets.splitlines()
    if not isinstance(raw_bullets, list):
        raise AnswerError("answer has no 'bullets' list")
    bullets = []
    problems = []
    for item in raw_bullets:
        if not isinstance(item, str):
            problems.append("a bullet is not a string")
            continue
        bullet = _BULLET_MARK.sub("", " ".join(item.split()))
        if bullet:
            bullets.append(bullet)
    if not bullets:
        raise AnswerError("answer has no bullets")
    key_ids: list[int] = []
    raw_keys = data.get("key_quotes", data.get("key_quote_ids", []))
    for item in raw_keys if isinstance(raw_keys, list) else []:
        quote_id = _as_int(item)
        if quote_id is None or quote_id not in quote_ids:
            problems.append(f"unknown quote id {item!r}")
        elif quote_id not in key_ids:
            key_ids.append(quote_id)
    return Answer(bullets=bullets, key_quote_ids=key_ids[:3], problems=problems)


def _load_json_object(text: str) -> object:
    candidates = [m.group(1).strip() for m in _FENCE.finditer(text)]
    candidates.append(text)
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate, strict=False)  # tolerate raw newlines in strings
        except ValueError:
            continue
    raise AnswerError("answer is not valid JSON")


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("#Qq").isdigit():
        return int(value.strip().lstrip("#Qq"))
    return None


# ---------------------------------------------------------------------------------------------
# Normalisation shared by the checks
# ---------------------------------------------------------------------------------------------

_DOUBLE_MARKS = "“”„‟«»″〝〞＂"
_SINGLE_MARKS = "‘’‚‛′`´"
_DASHES = "‐‑‒–—―"
_SPACES = re.compile(r"\s+")
_NORMALISE = str.maketrans(
    {
        **dict.fromkeys(_DOUBLE_MARKS, '"'),
        **dict.fromkeys(_SINGLE_MARKS, "'"),
        **dict.fromkeys(_DASHES, "-"),
        "…": "...",
    }
)


def normalise_text(text: str) -> str:
    """One spelling for quote marks, apostrophes, dashes, ellipses and whitespace."""
    return _SPACES.sub(" ", text.translate(_NORMALISE)).strip()


# ---------------------------------------------------------------------------------------------
# Quoted text must be verbatim
# ---------------------------------------------------------------------------------------------

# Double quotes of any style; curly single quotes; straight single quotes only when they cannot
# be apostrophes (not preceded or followed by a letter).
_QUOTED = re.compile(
    r"[\"“”„‟«»]\s*(?P<d>[^\"“”„‟«»]+?)\s*[\"“”„‟«»]"
    r"|(?<!\w)‘(?P<c>.+?)’(?!\w)"
    r"|(?<!\w)'(?P<s>[^']+?)'(?!\w)"
)
_DOUBLE_ANY = re.compile(r"[\"“”„‟«»]")
_ELLIPSIS = re.compile(r"\.\.\.|…|\[[^\]]*\]")
_EDGE_PUNCT = " ,.;:!?-'\""


def quoted_spans(bullet: str) -> list[str]:
    """The texts a bullet puts inside quotation marks."""
    return [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(bullet)]


def _without_quotes(bullet: str) -> str:
    return _QUOTED.sub(" \x00 ", bullet)


def _quote_is_verbatim(span: str, article_norm: str) -> bool:
    """Each part of the span (split at ellipses and [editorial inserts]) occurs in the article.

    Only the first letter may differ in case (a quote fragment can start a bullet sentence), and
    punctuation at the edges is ignored (a quoted clause may end in "," in the article).
    """
    for part in _ELLIPSIS.split(normalise_text(span)):
        part = part.strip(_EDGE_PUNCT)
        if not part:
            continue
        head, rest = part[0], re.escape(part[1:])
        pattern = f"(?:{re.escape(head.lower())}|{re.escape(head.upper())}){rest}"
        if not re.search(pattern, article_norm):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Names must appear in the article
# ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
_CLAUSE_END = re.compile(r"[:;][\s\"'(\x00]*$")  # "Update: The council …" starts afresh
STEM_MIN = 5  # "experts" ~ "expert": a shared stem of at least this many letters
NEAR_CHARS = 80  # how close a title must be to a name in the article to count as its title


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)]
    return word


def _sentence_first_words(text: str, language: str | None) -> set[int]:
    """Offsets of the first word of each sentence (the splitter knows "Mr." from an end)."""
    firsts = set()
    for start in (0, *sentence_starts(text, language)):
        word = _WORD.search(text, start)
        if word is not None:
            firsts.add(word.start())
    return firsts


def _capitalised_runs(text: str, language: str | None = None) -> list[list[str]]:
    """Runs of adjacent capitalised words, each run prefixed by a sentence-start flag word.

    Returns lists whose first element is "^" when the run starts a sentence, else "". A
    possessive ends its run: "Okafor's Riverside" is two names, not one.
    """
    runs: list[list[str]] = []
    current: list[str] = []
    last_end = 0
    firsts = _sentence_first_words(text, language)
    for match in _WORD.finditer(text):
        word = match.group()
        between = text[last_end : match.start()]
        stripped = _strip_possessive(word)
        if word[0].isupper():
            if current and between == " ":
                current.append(stripped)
            else:
                if current:
                    runs.append(current)
                preceding = text[: match.start()]
                at_start = match.start() in firsts or bool(_CLAUSE_END.search(preceding))
                current = ["^" if at_start else "", stripped]
            if stripped != word:
                runs.append(current)
                current = []
        elif current:
            runs.append(current)
            current = []
        last_end = match.end()
    if current:
        runs.append(current)
    return runs


def _phrase_in(phrase: str, article_norm: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", article_norm) is not None


def _name_problem(bullet_free: str, index: ArticleIndex) -> str:
    """The first capitalised word or name missing from the article, or "" if there is none.

    A capitalised word is fine when the article has it (as a phrase with its neighbours), or when
    it is an ordinary word capitalised by position or style: the article uses it (or a form of
    it) in lowercase ("Council" for "council", "Historians" for "historian"), or it starts a
    sentence and is a function word ("The", "Many"). "Mr"/"Ms" are house style, not names.
    An ordinary word attached to a name ("Mayor Lopez") must be near that name in the article:
    a title is a claim about the person, and "mayor" elsewhere in the story doesn't back it.
    """
    article_norm = index.norm
    # Languages that capitalise every noun: a capitalised word there is not evidence of a name.
    known = language_info(index.language)
    capitalises_nouns = known is not None and known.capitalises_nouns
    for run in _capitalised_runs(bullet_free, index.language):
        at_start, words = run[0] == "^", run[1:]
        if _phrase_in(" ".join(words), article_norm):
            continue
        core = list(words)
        if at_start and core and _is_starter(core[0]):
            core = core[1:]
        written = list(core)
        attached: list[str] = []
        courtesy = courtesy_titles()  # "Mr", "Ms": house style; "Dr", "Sir" are claims
        while core and (index.is_ordinary(core[0]) or core[0].lower() in courtesy):
            if core[0].lower() not in courtesy:
                attached.append(core[0])
            core = core[1:]
        while core and index.is_ordinary(core[-1]):
            attached.append(core.pop())
        if not core:
            continue
        # Every noun is capitalised in German: one word is no evidence of a name, and a run of
        # nouns ("Kilometer Radwege") is fine when each word (or a form of it) is in the article.
        if capitalises_nouns and (len(core) == 1 or all(index.has_form_of(w) for w in core)):
            continue
        name = " ".join(core)
        if not _phrase_in(name, article_norm):
            return name
        if any(not index.near(w, name) for w in attached):
            return " ".join(written)
    return ""


# Words that often open an English sentence without being names (beyond the stopword lists).
_STARTER_TEXT = """a an all also although another any as because before both but during each even
    every few here however if it its many meanwhile more most much no nor now oh once only other
    our over several she he since so some still such than then there these they this those
    though thus today under until we what when where while who why yesterday yet you"""
_STARTERS = frozenset(_STARTER_TEXT.split())


def _is_starter(word: str) -> bool:
    lower = word.lower()
    return lower in _STARTERS or lower in _any_function_word() or _is_number_word(word)


@cache
def _any_function_word() -> frozenset[str]:
    """Every registered language's function words: "Der", "Les" open sentences, not names."""
    return frozenset().union(*guess_words().values())


def _is_number_word(word: str) -> bool:
    """Number words are the number check's business, not the name check's."""
    return word.lower() in _NUMBER_WORDS or word.lower() in _ARTICLE_ONLY_WORDS


# ---------------------------------------------------------------------------------------------
# Numbers must appear in the article
# ---------------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:([,.'\u00a0\u202f\u2009])\d{3})(?:\1\d{3})*(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?:\s*(million|billion|trillion|thousand|bn|m|k)\b)?",
    re.IGNORECASE,
)
_MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}
_NUMBER_WORDS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
# Article-side only: "one" and the ordinals are too common as plain words to check in bullets,
# but a bullet's "1" or "1st" may rightly come from them.
_ARTICLE_ONLY_WORDS = {
    "one": 1, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "half": 0.5, "once": 1, "twice": 2,
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_ARTICLE_WORD = re.compile(
    r"\b(" + "|".join([*_NUMBER_WORDS, *_ARTICLE_ONLY_WORDS]) + r")\b", re.IGNORECASE
)


def _values(match: re.Match[str]) -> set[float]:
    """Every value a written number may mean: "1,000" is 1000 (or 1.0 where "," is decimal)."""
    token, multiplier = match.group(0), match.group(2)
    if multiplier:
        token = token[: token.lower().rfind(multiplier.lower())].strip()
    token = token.strip()
    values: set[float] = set()
    separator = match.group(1)
    if separator:
        grouped = token.split(separator)
        tail = grouped[-1]
        decimal = ""
        if len(tail) > 3:  # "1,234.5" — the last group carries a decimal part
            tail, decimal = tail[:3], tail[4:]
        whole = "".join([*grouped[:-1], tail])
        values.add(float(f"{whole}.{decimal}" if decimal else whole))
        if separator in ",." and len(grouped) == 2 and not decimal:
            values.add(float(token.replace(",", ".")))
    else:
        values.add(float(token.replace(",", ".")))
    if multiplier:
        factor = _MULTIPLIERS[multiplier.lower()]
        values |= {round(v * factor, 6) for v in values}
    return {round(v, 6) for v in values}


def article_numbers(article_norm: str) -> set[float]:
    """All values the article writes, in digits or (English) words."""
    values: set[float] = set()
    for match in _NUMBER.finditer(article_norm):
        values |= _values(match)
    for match in _ARTICLE_WORD.finditer(article_norm):
        word = match.group(1).lower()
        values.add(float(_NUMBER_WORDS.get(word, _ARTICLE_ONLY_WORDS.get(word, 0))))
    return values


def _number_problem(bullet_free: str, known: set[float]) -> str:
    for match in _NUMBER.finditer(bullet_free):
        if not _values(match) & known:
            return match.group(0).strip()
    for match in _NUMBER_WORD.finditer(bullet_free):
        if float(_NUMBER_WORDS[match.group(1).lower()]) not in known:
            return match.group(1)
    return ""


# ---------------------------------------------------------------------------------------------
# Verifying bullets
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ArticleIndex:
    """The article, prepared once for checking several bullets against it."""

    norm: str
    lower_words: set[str]
    lower_prefixes: set[str]
    numbers: set[float]
    language: str | None

    @classmethod
    def build(cls, article_text: str, language: str | None = None) -> ArticleIndex:
        norm = normalise_text(article_text)
        lower_words = {_strip_possessive(w) for w in _WORD.findall(norm) if w == w.lower()}
        prefixes = {w[:k] for w in lower_words for k in range(STEM_MIN, len(w) + 1)}
        return cls(norm, lower_words, prefixes, article_numbers(norm), language)

    def is_ordinary(self, word: str) -> bool:
        """The article uses this word, or a form of it, in lowercase: it is not a name here."""
        lower = word.lower()
        if lower in self.lower_words:
            return True
        return (
            len(lower) >= STEM_MIN and lower[: max(STEM_MIN, len(lower) - 3)] in self.lower_prefixes
        )

    def near(self, word: str, phrase: str, window: int = NEAR_CHARS) -> bool:
        """`word` (or a form of it, any case) occurs within `window` characters of `phrase`."""
        lower = word.lower()
        stem = lower if len(lower) < STEM_MIN else lower[: max(STEM_MIN, len(lower) - 3)]
        pattern = re.compile(rf"(?<!\w){re.escape(stem)}")
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", self.norm):
            start, end = max(match.start() - window, 0), match.end() + window
            if pattern.search(self.norm[start:end].lower()):
                return True
        return False

    def has_form_of(self, word: str) -> bool:
        """The article has this word, or one sharing its stem, in any case."""
        stem = word if len(word) < STEM_MIN else word[: max(STEM_MIN, len(word) - 3)]
        return re.search(rf"(?<!\w){re.escape(stem)}", self.norm) is not None


def check_bullet(bullet: str, index: ArticleIndex) -> str:
    """Why the bullet may not be shown ("" when it passes every check)."""
    if len(bullet) > MAX_BULLET_CHARS:
        return "bullet is too long"
    if len(_DOUBLE_ANY.findall(bullet)) % 2:
        return "unbalanced quotation marks"
    for span in quoted_spans(bullet):
        if not _quote_is_verbatim(span, index.norm):
            return f"quote not in the article: {span!r}"
    free = normalise_text(_without_quotes(bullet))
    name = _name_problem(free, index)
    if name:
        return f"name not in the article: {name!r}"
    number = _number_problem(free, index.numbers)
    if number:
        return f"number not in the article: {number!r}"
    return ""


def verify_bullets(
    bullets: list[str], article_text: str, *, language: str | None = None
) -> tuple[list[str], list[str]]:
    """Split bullets into those that pass every check and the reasons the others failed.

    `article_text` should include the headline: the model saw it and may use its names.
    """
    index = ArticleIndex.build(article_text, language)
    kept: list[str] = []
    reasons: list[str] = []
    for bullet in bullets:
        problem = check_bullet(bullet, index)
        if problem:
            reasons.append(problem)
        else:
            kept.append(bullet)
    return kept, reasons
