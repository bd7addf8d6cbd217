"""Attribution clauses: who a quote is credited to, as the words beside it say.

Reads the text right after a closing mark (`, Smith said`, `said Sen. Ann Lee, R-Ohio`,
`― Carla Sanchez`) or the sentence leading up to an opening mark (`Smith said:`, `According to
X,`, `X told reporters that …`) and returns the speaker phrase as written;
`bot.quotes.speakers` turns it into a name. Cue words come from each language's cues.txt in the
registry (`bot.text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from bot.quotes import cjk
from bot.quotes.grammar import grammar
from bot.quotes.speakers import DETERMINERS, PRONOUNS
from bot.text import (
    BASE_LANGUAGE,
    Language,
    abbreviated_titles,
    end_of_first_sentence,
    language_info,
    languages,
    name_joiners,
    name_particles,
    start_of_last_sentence,
    title_words,
    upper_letters,
)


def _words(text: str) -> frozenset[str]:
    """A word set from a space-separated literal (keeps long word lists readable)."""
    return frozenset(text.split())


_SKIP_BEFORE_CUE = _words(
    "also later then has had have would will once previously recently repeatedly often just "
    "further reportedly publicly privately again earlier simply flatly bluntly famously quickly "
    "angrily still never did does do is was were are has not had been being told could might "
    "may should must can shall already frequently even only first initially finally subsequently "
    "separately yesterday today tonight"
)
_RIGHT_STOP = _words(
    "in on at to that during while after before when as of about for from with by this last "
    "who which because and but if than"
)


@cache
def cue_language(language: str | None) -> str | None:
    """The key the cue lists are chosen by: a registered language with cues of its own other
    than English; English (`BASE_LANGUAGE`) for English and languages without cues; None for
    an unknown language."""
    lang = language_info(language)
    if lang is None:
        return None
    if lang.code == BASE_LANGUAGE or not lang.cue_verbs:
        return BASE_LANGUAGE
    return lang.code


@cache
def _cue_lists(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(verb cues, preposition cues) for a language; English = English plus the unambiguous
    rest of every language (long verbs, multi-word prepositions: "dijo", "selon" stay out,
    since they are English words or names too); None (unknown) = that, and every cue written
    in another script than Latin ("сказал", "δήλωσε", "表示": no English word)."""
    base = language_info(BASE_LANGUAGE)
    own = language_info(language)
    langs: list[Language]
    merged = language is None or language == BASE_LANGUAGE
    if merged:
        langs = [lang for lang in languages() if lang.cue_verbs or lang.cue_prepositions]
    else:
        langs = [lang for lang in (base, own) if lang is not None]
    verbs: set[str] = set()
    preps: set[str] = set()
    for lang in langs:
        everything = not merged or lang is base
        preps.update(
            p
            for p in lang.cue_prepositions
            if everything or " " in p or (language is None and not _latin(p))
        )
        verbs.update(
            v
            for v in lang.cue_verbs
            if everything or (len(v) > 4 and _latin(v)) or (language is None and not _latin(v))
        )
    by_length = sorted(verbs, key=len, reverse=True)
    return tuple(by_length), tuple(sorted(preps, key=len, reverse=True))


_SENTENCE_INITIAL = ("said", "says", "added", "asked", "wrote", "explained", "adding")


_Trie = dict[str, "_Trie"]  # a character → the words' continuations; "" marks a word's end


def longest_first(words: Iterable[str]) -> str:
    """A regex alternation of `words` (a space standing for any run of spaces) that prefers the
    longest word where several match, written as a trie: `said(?:\\s+in\\s+a\\s+statement)?`.

    Why not `"|".join(words)`: Python's `re` tries every alternative at every position of the
    text, so the 500-odd cue verbs of a language cost ~270 ns per character searched, most of
    the quotes step's time; the trie tries one branch per character matched (~5x faster). It
    matches exactly what the flat alternation sorted longest first matches: words that can match
    at one position are prefixes of each other, and the trie tries the longer continuation before
    ending a shorter word (the pattern's own lookaround still decides, with backtracking)."""
    root: _Trie = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: _Trie) -> str:
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + render(child)
            for ch, child in node.items()
            if ch
        ]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return render(root)


def _cue_verbs(language: str | None) -> tuple[str, ...]:
    """The verb cues a language's regex matches, with the capitalised ones opening a sentence."""
    verbs = _cue_lists(language)[0]
    verbs = verbs + tuple(v.capitalize() for v in _SENTENCE_INITIAL if v in verbs)
    own = language_info(language)
    if own is not None and own.pro_drop:
        # "Dodał:", "Τονίζει ότι": in a language that drops the subject a cue opens sentences
        verbs = verbs + tuple(v.capitalize() for v in own.cue_verbs)
    return verbs


@cache
def _cue_regexes(language: str | None) -> tuple[re.Pattern[str], re.Pattern[str]]:
    verbs, preps = _cue_verbs(language), _cue_lists(language)[1]
    alt = longest_first(verbs)
    prep_alt = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in preps)
    verb_re = re.compile(rf"(?<![\w’'-])(?:{alt})(?![\w’'-])")
    prep_re = re.compile(rf"(?<![\w’'-])(?:{prep_alt})(?![\w’'-])", re.IGNORECASE)
    return verb_re, prep_re


def cue_pattern(language: str | None) -> re.Pattern[str]:
    """The language's speech cue verbs, for telling that a name is followed by speech."""
    return _cue_regexes(cue_language(language))[0]


def _latin(word: str) -> bool:
    """Written in the Latin script ("erklärte", "powiedział"), as English words are."""
    return all(ch < "\u0250" for ch in word)


def _strip_paren(text: str) -> str:
    """Drop a trailing parenthetical such as "(R-Ky.)" so the name before it is found."""
    text = text.rstrip()
    while text.endswith(")"):
        at = text.rfind("(")
        if at < 0:
            break
        text = text[:at].rstrip()
    return text


def np_left(text: str, anchored: bool, language: str | None = None) -> str | None:
    """The subject phrase that ends `text` (the words just before a cue verb).

    `anchored` asks that the phrase fill `text` (after a quote: `, Smith, 54, said`)."""
    text = text.rstrip()
    comma = text.endswith(",")
    text = _strip_paren(text.rstrip(","))
    tokens = text.split()
    words = grammar(language)
    while tokens and (
        tokens[-1].strip(",") in _SKIP_BEFORE_CUE  # lower case only: "Will wrote" is a name
        or tokens[-1].strip(",").lower() in words.fillers
        or (tokens[-1].endswith("ly") and tokens[-1].islower() and len(tokens) > 1)
    ):
        tokens.pop()
    if not tokens:
        return None
    if tokens[-1].strip(",").lower() in words.pronouns:
        return tokens[-1].strip(",")  # "Он добавил", "а она сказала"
    if all(t.strip(",.").lower() in words.not_names for t in tokens):
        return None  # "Και συμπλήρωσε", "Czyli mówi": no subject here
    if comma and not tokens[-1].endswith(","):
        tokens[-1] += ","
    found = _np_from_tokens(tokens, anchored)
    if found and words.strict_names and found[:1].isupper():
        # "ο υπουργός Εργασίας ανέφερε": the role belongs to the phrase (it names the person)
        k = len(tokens) - len(found.split())
        if k > 0 and tokens[k - 1].lower() in title_words():
            k -= 1
            if k > 0 and tokens[k - 1].lower() in words.determiners:
                k -= 1
            found = " ".join(tokens[k:]).strip(",.;:")
    return found


def _np_before_comma(tokens: list[str], anchored: bool) -> str | None:
    """`…, Smith, 54,` / `…, a spokesman for X,` / `the campaign manager, Jeff Weaver,`."""
    for w in range(len(tokens) - 2, max(0, len(tokens) - 30), -1):
        if tokens[w] in ("who", "which") and tokens[w - 1].endswith(","):
            # "Swanson, who is a pastor in Elizabeth, Colorado, slammed": skip the whole clause
            return _np_from_tokens([*tokens[: w - 1], tokens[w - 1].rstrip(",")], anchored)
    for j in range(len(tokens) - 2, max(-1, len(tokens) - 30), -1):
        if tokens[j].endswith(","):
            chunk = tokens[j + 1 :]
            if chunk[0][:1].islower() or chunk[0][:1].isdigit() or _PARTY.match(chunk[0]):
                return _np_from_tokens(tokens[: j + 1], anchored)
            before = _np_from_tokens(tokens[: j + 1], anchored)
            if before and before[:1].isupper() and any(t[:1].islower() for t in chunk):
                return before  # "Jeff Weaver, Sanders' campaign manager,"
            return _np_from_tokens(chunk, anchored=False)
    return None


class _Pass:
    """A step of `_np_from_tokens` that does not apply: the next step decides."""


_PASS = _Pass()
_Step = str | None | _Pass


def _np_from_tokens(tokens: list[str], anchored: bool) -> str | None:
    """The subject phrase that ends `tokens` (the words before a cue), or None.

    Tried in order, the first step that applies decides: a comma-set name (`…, Smith, 54,`),
    a relative clause, a pronoun, an owner's office, a capitalised name, a common noun."""
    tokens = [t for t in tokens if t]
    if not tokens:
        return None
    if tokens[-1].endswith(",") and len(tokens) > 1:
        found = _np_before_comma(tokens, anchored)
        if found:
            return found
    tokens[-1] = tokens[-1].rstrip(",")
    last = tokens[-1].strip(',.;:—–-"“”')
    for step in (_relative_clause, _pronoun, _owner, _capitalised_name, _common_noun):
        decided = step(tokens, last, anchored)
        if not isinstance(decided, _Pass):
            return decided
    return None


def _relative_clause(tokens: list[str], last: str, anchored: bool) -> _Step:
    """`Loretta Lynch, who told`: the name before the clause; `a report, which notes`: the noun
    the clause hangs on."""
    if last.lower() == "who" and len(tokens) > 1 and tokens[-2].endswith(","):
        return _np_from_tokens([*tokens[:-2], tokens[-2].rstrip(",")], anchored=False)
    if last.lower() in _RELATIVE and len(tokens) > 1 and not anchored:
        return _antecedent(tokens[:-1]) or _PASS
    return _PASS


def _pronoun(tokens: list[str], last: str, anchored: bool) -> _Step:
    """`he said`: the pronoun itself (the registry resolves it), when it is the whole subject."""
    if last.lower() in PRONOUNS:
        return last if (not anchored or len(tokens) == 1) else None
    return _PASS


def _owner(tokens: list[str], last: str, anchored: bool) -> _Step:
    """ "Powell’s office", "Sanders’ campaign manager": an owner's office speaks."""
    for k in range(len(tokens) - 2, max(-1, len(tokens) - 5), -1):
        tok = tokens[k]
        if tok[:1].isupper() and tok.endswith(("’s", "'s", "s’", "s'")):
            if all(t.islower() and t.isalpha() for t in tokens[k + 1 :]):
                return " ".join(tokens[k:]).strip(",.;:")
            break
        if not tok.islower():
            break
    return _PASS


def _capitalised_name(tokens: list[str], last: str, anchored: bool) -> _Step:
    """The run of capitalised words (and name particles) that ends the tokens: "Ann Lee",
    "the White House", "Ursula von der Leyen"; not a name that follows a preposition."""
    start = _name_run_start(tokens)
    if start == len(tokens):
        return _PASS
    if start > 0 and tokens[start - 1].lower() == "the":
        start -= 1
    elif start > 0 and tokens[start - 1].lower() in _PREPOSITIONS:
        return _noun_before_preposition(tokens, start - 1)
    if anchored and start != 0 and (len(tokens) > 10 or _has_clause(tokens[:start])):
        return None
    return " ".join(tokens[start:]).strip(",.;:")


def _name_run_start(tokens: list[str]) -> int:
    """Where the capitalised run ending `tokens` begins (`len(tokens)` when there is none);
    particles join capitalised words but neither start nor end a run."""
    particles = _name_words()
    i = len(tokens)
    while i > 0:
        tok = tokens[i - 1].strip('"“”')
        capital = tok[:1].isupper() and not tok.endswith((",", ";", ":"))
        particle = tok in particles and i < len(tokens) and i > 1 and tokens[i - 2][:1].isupper()
        if not (capital or particle):
            break
        i -= 1
    while i < len(tokens) and tokens[i] in particles:
        i += 1
    return i


@cache
def _name_words() -> frozenset[str]:
    """Lower-case words a capitalised name may hold: particles ("von") and joiners ("of")."""
    return name_particles() | name_joiners()


def _noun_before_preposition(tokens: list[str], preposition: int) -> str | None:
    """ "a source speaking to Fox News said": Fox News is not the subject, "a source" is."""
    for d, tok in enumerate(tokens[:preposition]):
        if tok.lower() in DETERMINERS:
            end = d + 1
            while end < preposition and tokens[end].lower() not in _RIGHT_STOP:
                if tokens[end].endswith("ing"):
                    break
                end += 1
            return " ".join(tokens[d:end]).strip(",.;:")
    return None


def _common_noun(tokens: list[str], last: str, anchored: bool) -> _Step:
    """A common-noun subject: "the spokesman", "a senior official", "federal prosecutors"."""
    if last.lower() in _RIGHT_STOP or "_" in last:
        return None
    for j in range(len(tokens) - 1, max(-1, len(tokens) - 11), -1):
        low = tokens[j].lower()
        if low in DETERMINERS or (low in _DEMONSTRATIVES and low != "that"):
            if anchored and j != 0:
                return None
            return " ".join(tokens[j:]).strip(",.;:")
    plural = last.endswith("s") and last.islower() and len(last) > 3
    if plural and len(tokens) == 1:
        return last
    # "federal prosecutors wrote": an adjective and a plural noun
    adjective = tokens[0].isalpha() and tokens[0].islower()
    if plural and len(tokens) == 2 and adjective and tokens[0] not in _RIGHT_STOP | _CLAUSE_WORDS:
        return " ".join(tokens)
    return None


def _antecedent(tokens: list[str]) -> str | None:
    """The noun phrase just before a relative pronoun: a capitalised run, else `the/a … noun`."""
    words = [t.strip(",;:") for t in tokens[-8:]]
    if not words or not words[-1] or "_" in words[-1]:
        return None
    if words[-1][:1].isupper():
        i = len(words) - 1
        while i > 0 and (words[i - 1][:1].isupper() or words[i - 1] in name_particles()) and i > 1:
            i -= 1
        if words[i] in name_particles():
            i += 1
        if i > 0 and words[i - 1].lower() in {"the", "a", "an"}:
            i -= 1
        return " ".join(words[i:])
    if words[-1].lower() in _RIGHT_STOP or words[-1].lower() in _CLAUSE_WORDS:
        return None
    for j in range(len(words) - 2, max(-1, len(words) - 5), -1):
        if words[j].lower() in DETERMINERS or words[j].lower() in _DEMONSTRATIVES:
            if all(w.lower() not in _RIGHT_STOP and "_" not in w for w in words[j + 1 :]):
                return " ".join(words[j:])
            return None
    return None


_RELATIVE = _words("who which that")
_DEMONSTRATIVES = _words("this these those that")


def _has_clause(tokens: list[str]) -> bool:
    """Do these words (before a name) hold more than a title: a verb, a clause break?"""
    return any(t.endswith((";", ":")) or "_" in t or t.lower() in _CLAUSE_WORDS for t in tokens)


_PARTY = re.compile(r"[RDI]-[A-Z]")  # "Rep. Glenn Thompson, R-Pa., said"
_PREPOSITIONS = _words("to with for of at on in from by about")
_CLAUSE_WORDS = _words(
    "that which who when while because and but if is was are were has have had be been "
    "said says told"
)


def clause_subject(sentence: str, language: str | None = None) -> str | None:
    """The sentence's subject, for `X did Y, saying …` (the first name not after a preposition)."""
    tokens = sentence.split()
    skip = grammar(language).not_names
    if tokens and tokens[0].lower() in DETERMINERS and tokens[0].lower() not in {"his", "her"}:
        # "The spokesman refused …, adding:" — a common-noun subject
        out = [tokens[0]]
        for tok in tokens[1:5]:
            low = tok.lower().strip(",")
            if low in _RIGHT_STOP or low in _CLAUSE_WORDS or "_" in tok:
                break
            if tok[:1].islower() and (low.endswith("ed") or len(out) >= 3):
                break
            out.append(tok.strip(","))
            if tok.endswith(","):
                break
        if len(out) > 1:
            return " ".join(out)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in {"he", "she", "they"} and (not i or tokens[i - 1].lower() not in _RIGHT_STOP):
            return tok  # "When he returned he began by saying"
        if tok[:1].isupper() and "_" not in tok:
            prev = tokens[i - 1].lower() if i else ""
            j = i
            while (
                j + 1 < len(tokens) and tokens[j + 1][:1].isupper() and not tokens[j].endswith(",")
            ):
                j += 1
            run = tokens[i : j + 1]
            first = run[0].lower().rstrip(",")
            if prev not in _RIGHT_STOP and first not in _NOT_SUBJECT and first not in skip:
                return " ".join(run).strip(",.;:")
            i = j + 1
            continue
        i += 1
    return None


_NOT_SUBJECT = _words(
    "on in at after before during when while but and as the a an this that it monday tuesday "
    "wednesday thursday friday saturday sunday last earlier later meanwhile still yet however "
    "since so then there from for with to of by according here even now also instead indeed "
    "thus if although though once"
)


_PARENTHESIS = re.compile(r"\s*\([^()]{0,80}\)")


def _np_right(text: str, language: str | None = None) -> str | None:
    """The subject phrase that starts `text` (just after an inverted cue: `said Smith`)."""
    words = grammar(language)
    if words.strict_names:
        # "Томас Опперман (Thomas Oppermann)": the name as the article's language writes it
        text = _PARENTHESIS.sub("", text)
    tokens = text.lstrip(" ,:").split()[:14]
    if not tokens:
        return None
    first = tokens[0].strip(",.;:")
    if first.lower() in PRONOUNS or first.lower() in words.pronouns:
        return first
    if first.lower() in _RIGHT_STOP or "_" in tokens[0]:
        return None
    stops = _RIGHT_STOP | words.prepositions | words.relatives
    determiners = DETERMINERS | words.determiners
    out: list[str] = []
    last_cap = -1
    for k, tok in enumerate(tokens):
        bare = tok.strip('"“”')
        low = bare.lower().strip(",.;:")
        if "_" in bare and bare.endswith(","):
            named = _apposed_name([*out, bare], tokens[k + 1 :])
            if named:
                return named  # "ο διευθυντής του νοσοκομείου «Λουζ», Ζοσέ Ροκέτε"
        if "_" in bare or (
            last_cap >= 0
            and bare[:1].islower()
            and low not in name_particles()
            and not _name_goes_on(tokens, k, words.strict_names, words.prepositions)
        ):
            break  # the name ended: "said Olaf Brandt am Montag"
        out.append(bare)
        if bare[:1].isupper():
            last_cap = len(out) - 1
        if bare.endswith(","):
            named = _apposed_name(out, tokens[k + 1 :])
            if named:
                return named  # "ο πρόεδρος της ΕΛΟΔΙ, Δημήτρης Συκιώτης": the name
        if bare.endswith((",", ";", ":")) or (
            bare.endswith(".") and low.rstrip(".") not in abbreviated_titles() and len(low) > 1
        ):
            break
    if words.strict_names and out and out[0][:1].islower():
        named = _last_name_in(text)
        if named:
            return named  # "считает заместитель … Левой партии Ульрих Маурер": the person
    if last_cap >= 0:
        # "former secretary of state Hillary Clinton, who …" → up to the last capitalised word
        return " ".join(out[: last_cap + 1]).strip(",.;:") or None
    cut = [t for t in out if t.lower().strip(",.;:") not in stops]
    if out and out[0].lower() in determiners and len(out) <= 8 and cut == out:
        return " ".join(out).strip(",.;:")
    if out and out[0].lower() in determiners:
        at = [i for i, t in enumerate(out) if t.lower().strip(",.;:") in stops]
        k = at[0] if at else 0
        return " ".join(out[:k]).strip(",.;:") if 1 < k <= 8 else None
    if words.strict_names and not words.determiners and out:
        # a language without articles names a role bare: "zaznaczył szef dyplomacji"
        at = [i for i, t in enumerate(out) if t.lower().strip(",.;:") in stops]
        k = at[0] if at else len(out)
        return " ".join(out[:k]).strip(",.;:") if 0 < k <= 5 else None
    return None


def _name_goes_on(tokens: list[str], k: int, strict: bool, prepositions: frozenset[str]) -> bool:
    """Is the lower-case preposition at `k` inside a longer name, capitals on both sides?
    ("prezes Federacji Edukacji w Diabetologii Alicja Szewczyk"; strict languages only.)"""
    if not strict or not k or tokens[k - 1].endswith((",", ";", ":", ".")):
        return False
    ahead = tokens[k + 1 : k + 2]
    return tokens[k].lower() in prepositions and bool(ahead) and ahead[0][:1].isupper()


def _last_name_in(text: str) -> str | None:
    """The last run of two to four capitalised words in the clause that starts `text`."""
    clause = re.split(r"[.!?;:](?:\s|$)", text, maxsplit=1)[0]
    found = None
    run: list[str] = []
    for tok in [*clause.split(), ""]:
        bare = tok.strip('",“”«»()')
        if bare[:1].isupper() and bare.replace("-", "").isalpha() and not bare.isupper():
            run.append(bare)
            if not tok.endswith(","):
                continue
        if 2 <= len(run) <= 4:
            found = " ".join(run)
        run = []
    return found


def _apposed_name(role: list[str], rest: list[str]) -> str | None:
    """`the campaign manager, Jeff Weaver,` — a role then, after its comma, the person's name
    (two or three capitalised words ending there): the name is the speaker."""
    if not any(t[:1].islower() for t in role):
        return None
    name: list[str] = []
    for tok in rest[:4]:
        bare = tok.strip('"“”,.;:')
        if not bare[:1].isupper() or not bare.replace("-", "").isalpha():
            break
        name.append(bare)
        if tok.endswith((",", ".", ";", ":")):
            break
    ended = len(name) == len(rest) or (len(name) < len(rest) and not rest[len(name)][:1].isupper())
    return " ".join(name) if 2 <= len(name) <= 3 and ended else None


@cache
def _dash_credit() -> re.Pattern[str]:
    """A vox-pop credit after a quote: `“…” ― Carla Sanchez` (capitals of any script)."""
    cap = rf"[{upper_letters()}][\w’'.-]*"
    return re.compile(rf"\s*[—―–-]{{1,2}}\s*({cap}(?:[ \t]+{cap}){{0,4}})")


@dataclass(frozen=True, slots=True)
class Attribution:
    """The speaker phrase as written ("Deputy Foreign Minister Sergei Ryabkov") and its cue.

    `oblique`: the phrase follows a preposition ("по словам Путина", "zdaniem Tuska"), so a
    name in it is in an oblique case ("u": gender unknown). `implicit`: a cue with no subject
    in a language that drops it ("Dodał:"), meaning the person last spoken of."""

    phrase: str
    cue: str
    oblique: str | None = None
    implicit: bool = False


def attribution_after(text: str, language: str | None) -> Attribution | None:
    """An attribution clause starting `text` (the words right after a closing mark)."""
    if cjk.starts_cjk(text):
        return _from_cjk(cjk.attribution_after(text, language))
    verb_re, prep_re = _cue_regexes(cue_language(language))
    credit = _dash_credit().match(text)
    if credit:
        return Attribution(credit.group(1), "—")  # a vox-pop credit: “…” ― Carla Sanchez
    body = text.lstrip(" ,.;:!?—–-")
    clause = body[: end_of_first_sentence(body, language)]
    match = verb_re.search(clause)
    if match is not None and len(clause[: match.start()].split()) > 14:
        named = np_left(clause[: match.start()], anchored=True)
        if named and named[:1].isupper():
            return Attribution(named, match.group(0))  # "Bill Eastland, wearing a hat …, said"
        # `“A” by the shooting, which drew scrutiny, Nefzi said.`: the subject after the last comma
        comma = clause.rfind(",", 0, match.start())
        left = clause[comma + 1 : match.start()] if comma >= 0 else ""
        phrase = np_left(left, anchored=True) if left.strip() else None
        if phrase and clause[match.end() :].strip(" .") == "":
            return Attribution(phrase, match.group(0))
        match = None
    if match is None:
        prep = prep_re.match(clause)
        if prep:
            phrase = _np_right(clause[prep.end() :], language)
            return Attribution(phrase, prep.group(0), oblique="u") if phrase else None
        return None
    left = clause[: match.start()]
    # `, Smith said` names the speaker before the cue; `, said Smith` after it
    if _only_fillers(left, language):
        phrase = _np_right(clause[match.end() :], language)  # "– miał powiedzieć Salehi"
    else:
        phrase = np_left(left, True, language)
    if phrase:
        return Attribution(phrase, match.group(0))
    if _unsaid_subject(left, clause[match.end() :], language):
        return Attribution("", match.group(0), implicit=True)  # "– mówi.", "— добавил он"
    return None


def _only_fillers(text: str, language: str | None) -> bool:
    """Is `text` empty, or only words that stand between a speaker and the cue ("miał")?"""
    fillers = grammar(language).fillers
    if not fillers:
        return not text.strip()
    return all(w.strip(",.;:").lower() in fillers for w in text.split())


def _unsaid_subject(left: str, right: str, language: str | None) -> bool:
    """Does a cue stand without a subject ("– mówi.", "Και συμπλήρωσε:") in a language that
    drops it? Only fillers and conjunctions before it, and no words of a clause after it."""
    words = grammar(language)
    if not words.pro_drop:
        return False
    before = [w.strip(",.;:").lower() for w in left.split()]
    if any(w not in words.fillers and w not in words.not_names for w in before if w):
        return False
    after = right.strip()
    if not after or after[0] in ",.:;!?…" or after.split()[0].lower() in words.fillers:
        return True
    # "ανέφερε χαρακτηριστικά.", "dodał krótko.": one adverb, then the sentence ends
    first = after.split()[0]
    return first[:1].islower() and first.endswith((".", "!", "?", ",", ";")) and "_" not in first


def _from_cjk(found: tuple[str, str, bool] | None) -> Attribution | None:
    if found is None:
        return None
    phrase, cue, implicit = found
    return Attribution(phrase, cue, implicit=implicit)


def attribution_before(text: str, language: str | None) -> Attribution | None:
    """An attribution in the sentence leading up to an opening mark (`Smith said: “…`)."""
    if cjk.ends_cjk(text):
        return _from_cjk(cjk.attribution_before(text, language))
    verb_re, prep_re = _cue_regexes(cue_language(language))
    sentence = text[start_of_last_sentence(text, language) :]
    for prep in reversed(list(prep_re.finditer(sentence))):
        phrase = _np_right(sentence[prep.end() :], language)
        if phrase:
            return Attribution(phrase, prep.group(0), oblique="u")
    matches = list(verb_re.finditer(sentence))
    for k in range(len(matches) - 1, -1, -1):
        match = matches[k]
        left = sentence[: match.start()]
        cue = match.group(0)
        if cue.endswith("ing") and any(
            not m.group(0).endswith("ing") and not _after_relative(sentence, m.start())
            for m in matches[:k]
        ):
            continue  # "Spicer said, adding, …": the earlier cue names the speaker
        core = " ".join(
            t for t in left.split() if t.lower() not in _SKIP_BEFORE_CUE or t.lower() == "and"
        )
        if core.endswith((" and", " but")):
            phrase = clause_subject(left)  # "Trump leaned in and boomed:"
            if phrase:
                return Attribution(phrase, cue)
        if cue.endswith("ing"):
            # "Warren endorsed Clinton, saying …": the speaker is the clause's subject
            phrase = np_left(left, anchored=False) if left.rstrip().endswith(" as") else None
            phrase = phrase or clause_subject(left)
        elif sentence[match.end() :].startswith(" by "):
            phrase = _np_right(sentence[match.end() + 4 :])
        else:
            phrase = np_left(left, anchored=False, language=language) if left.strip() else None
            if phrase is None:
                phrase = _np_right(sentence[match.end() :], language)
        if phrase:
            return Attribution(phrase, cue)
        if _unsaid_subject(left, sentence[match.end() :], language):
            return Attribution("", cue, implicit=True)
    stripped = sentence.rstrip()
    if stripped.endswith(":"):
        phrase = np_left(stripped[:-1], anchored=True)
        if phrase is None and len(stripped.split()) <= 8:
            phrase = clause_subject(stripped[:-1])
        if phrase is None:
            # "… doesn't surprise Republican pollster Daron Shaw:" — a name just before the colon
            phrase = np_left(stripped[:-1], anchored=False)
            if phrase and not phrase[:1].isupper():
                phrase = None
        if phrase is None:
            # "In city after city, Perez lobbies for a higher wage:" — the clause's subject
            clause = stripped[stripped.rfind(",") + 1 : -1]
            phrase = clause_subject(clause) if len(clause.split()) <= 14 else None
        if phrase:
            phrase = _without_trailing_verb(phrase)
        if phrase and len(phrase.split()) <= 6:
            return Attribution(phrase, ":")
    return None


def _without_trailing_verb(phrase: str) -> str:
    """ "Her colleague Tomas Reyes disagreed:" names Tomas Reyes, not "… Reyes disagreed": a
    past-tense verb our cue lists lack (disagreed, countered, tweeted) ends the subject."""
    tokens = phrase.split()
    last = tokens[-1]
    if (
        len(tokens) > 1
        and last.isalpha()
        and last.islower()
        and last.endswith("ed")
        and len(last) >= 6  # "agreed", "warned"; not "seed", "speed", "bed"
        and any(t[:1].isupper() for t in tokens[:-1])
    ):
        return " ".join(tokens[:-1]).rstrip(",")
    return phrase


def _after_relative(sentence: str, at: int) -> bool:
    """Is the cue at `at` inside a relative clause (`an architect who said he was stiffed`)?"""
    before = sentence[:at].split()
    return bool(before) and before[-1].lower() in _RELATIVE


def lead_in_words(before: str, language: str | None) -> int:
    """Words of paraphrase between the sentence's last speech cue (or its start) and a quote.

    `Weaver called that “beyond preposterous.”` has 1; `Rhodes noted that officials … and “we're
    in discussions …”` has many: there the quoted words are a small part of a paraphrase."""
    verb_re, _ = _cue_regexes(cue_language(language))
    sentence = before[start_of_last_sentence(before, language) :]
    cues = list(verb_re.finditer(sentence))
    if cues:
        sentence = sentence[cues[-1].end() :]
    return len(sentence.split())
