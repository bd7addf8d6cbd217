"""Who said it: turning an attribution phrase into the speaker's full name.

News copy introduces a person once with a title ("Russian Deputy Foreign Minister Sergei
Ryabkov") and then says "Mr Ryabkov", "Ryabkov" or "he". `SpeakerRegistry` reads the article once,
remembers every person named in full (and where), and resolves later short forms and pronouns to
that full name, so the reader sees one consistent speaker per person. Rules and two small data
files only (a first-name/gender table and a title list): no models, cheap enough per article.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from bot.quotes.grammar import Grammar, grammar
from bot.text import (
    abbreviated_titles,
    declines,
    first_name_of,
    first_names,
    honorifics,
    name_forms,
    name_particles,
    nominative,
    nominatives,
    org_words,
    title_words,
    upper_letters,
)


def _words(text: str) -> frozenset[str]:
    """A word set from a space-separated literal (keeps long word lists readable)."""
    return frozenset(text.split())


PRONOUNS_M = frozenset({"he", "him", "his"})
PRONOUNS_F = frozenset({"she", "her", "hers"})
PRONOUNS_PL = frozenset({"they", "them", "their"})
PRONOUNS = PRONOUNS_M | PRONOUNS_F | PRONOUNS_PL | {"i", "we", "you", "it", "who", "this", "that"}
# Words that start a common-noun speaker ("the spokesman", "a senior official").
DETERMINERS = _words(
    "the a an one two three several many some most his her their its our other another both all few"
)
# What follows a person's name (not an organisation's) when they are introduced speaking.
_SPEAKS_NEXT = re.compile(
    r"(?:\s*\([^)]{1,20}\))?(?:,\s*\d{1,3},)?\s*(?:said|says|told|tells|added|wrote|asked|"
    r"explained|recalled|recounted|insisted)\b|,\s+(?:a|an)\s+[a-z]"
)
_FALLBACK_NEXT = re.compile(r",?\s+[a-z]")
_TOKEN = re.compile(r"[^\s]+")


@cache
def _cap_run() -> re.Pattern[str]:
    """A run of capitalised words and name particles ("Ursula von der Leyen")."""
    particles = "|".join(sorted(name_particles(), key=lambda w: (-len(w), w)))
    word = rf"(?:[{upper_letters()}][\w’'.\-]*|(?:{particles})\b)"
    return re.compile(rf"(?<![\w’']){word}(?:[ \t]+{word})*")


_POSSESSIVE = re.compile(r"[’']s?$")
_SENTENCE_END_IN_RUN = re.compile(r"(?<=\w\w\.)[ \t]+")  # "Ау. В": a word of 2+ letters, a stop


def _cap_runs(text: str, split: bool) -> Iterator[re.Match[str]]:
    """The runs of capitalised words in `text`; with `split`, a run is cut where a sentence
    ends inside it ("доктор Рода Ау. В то же время": "Рода Ау", then "В"), so the name before
    the stop is read as the one it is (initials "Γ. Κουτρουμάνης" and titles stay joined)."""
    pattern = _cap_run()
    for match in pattern.finditer(text):
        if not split or "." not in match.group(0):
            yield match
            continue
        start = match.start()
        for stop in _SENTENCE_END_IN_RUN.finditer(text, match.start(), match.end()):
            word = text[start : stop.start()].split()[-1].rstrip(".").lower()
            if word in abbreviated_titles():
                continue
            piece = pattern.fullmatch(text, start, stop.start())
            if piece is not None:
                yield piece
            start = stop.end()
        piece = pattern.fullmatch(text, start, match.end())
        if piece is not None:
            yield piece


@cache
def titles() -> tuple[frozenset[str], dict[str, str]]:
    """(title words, honorific → gender), from every registered language."""
    return title_words(), honorifics()


def _initial_letter(bare: str) -> bool:
    """A capital letter alone ("Κ" of "Κ. Αθανασάκη") is an initial, even where the same letter
    in lower case is an honorific (Greek "ο κ. Αθανασάκης": Mr Athanasakis)."""
    return len(bare.rstrip(".")) == 1 and bare.isupper()


@lru_cache(maxsize=8192)  # the same names and words come back all through an article
def _bare(token: str) -> str:
    """A token without edge punctuation and possessive: "Ryabkov’s," → "Ryabkov"."""
    token = token.replace("\xad", "").strip('.,;:!?()[]{}"“”‘«»„—–')
    if len(token) > 2:
        token = _POSSESSIVE.sub("", token)
    return token.strip("’'")


def _initial(token: str) -> bool:
    """ "Γ.", "D.", "К.": one capital letter and a full stop, standing for a first name."""
    return len(token) == 2 and token[0].isupper() and token[1] == "."


def _same_role(word: str, title: str, language: str | None) -> bool:
    """Do two spellings name one role ("prof" and "profesor", "ordynatora" and "ordynator")?"""
    if word == title:
        return True
    if min(len(word), len(title)) >= 4 and (word.startswith(title) or title.startswith(word)):
        return True
    return title in name_forms(word, language)


def _caseless(phrase: str) -> bool:
    """A phrase in a script without capitals (Chinese): no capital tells its names."""
    return all(ch.isalpha() and not ch.isupper() and not ch.islower() for ch in phrase)


def _sentence_start(text: str, at: int) -> bool:
    """Does the word at `at` open its sentence (or paragraph)?"""
    i = at
    while i > 0 and (text[i - 1].isspace() or text[i - 1] in '"“„«»—–-(*'):
        i -= 1
    return i == 0 or text[i - 1] in ".!?…:;"


def _key(token: str) -> str:
    return _bare(token).lower().rstrip(".")


@dataclass(slots=True)
class Person:
    """One person the article names in full; `gender` is "m", "f" or "u" (unknown)."""

    name: str
    gender: str = "u"


@dataclass(slots=True)
class Resolved:
    """A resolved speaker and how sure we are of it (named > noun phrase > pronoun)."""

    speaker: str | None
    kind: str  # "name", "org", "noun", "pronoun", "none"
    person: Person | None = None


@dataclass
class SpeakerRegistry:
    """People named in an article, in reading order, for resolving short names and pronouns."""

    people: list[Person] = field(default_factory=list)
    by_last: dict[str, Person] = field(default_factory=dict)
    by_first: dict[str, Person] = field(default_factory=dict)
    mention_pos: list[tuple[int, int]] = field(default_factory=list)
    mention_who: list[Person | str] = field(default_factory=list)
    # Capitalised pairs opening a sentence (`Rakeyia Scott can be heard …`): people we cannot
    # confirm, used only when a "he"/"she" finds nobody else.
    fallback_pos: list[tuple[int, int]] = field(default_factory=list)
    fallback_who: list[Person] = field(default_factory=list)
    # The article's language: its pronouns and function words, and whether its names decline
    # ("Donalda Tuska" is Donald Tusk; "Tusk" and "Tuska" are one person).
    language: str | None = None
    # Capitalised words seen inside a sentence (name forms): proper nouns, not a sentence's
    # first word such as "Напомним", which the strict languages never take for a speaker.
    proper: set[str] = field(default_factory=set)
    speaks: re.Pattern[str] | None = None  # the language's speech cues (`X сказал`)
    # Titles a person is introduced with ("ordynator", "υπουργός") → that person, so that a
    # later "mówi ordynator" names them (strict languages, where roles are written bare).
    roles: dict[str, tuple[Person, tuple[int, int]]] = field(default_factory=dict)
    _strict: bool = field(default=False, init=False, repr=False)
    _declining: bool = field(default=False, init=False, repr=False)

    @classmethod
    def from_paragraphs(
        cls,
        paragraphs: list[str],
        language: str | None = None,
        speaks: re.Pattern[str] | None = None,
    ) -> SpeakerRegistry:
        registry = cls(language=language, speaks=speaks)
        strict = registry._strict
        for index, text in enumerate(paragraphs):
            for match in _cap_runs(text, strict):
                run = match.group(0)
                if not strict and " " not in run and "\t" not in run:
                    # One word, four runs in five (a sentence's first word, a name said again):
                    # it can only be a person already known, and is no fallback pair. This is
                    # all `_scan_run` and `_maybe_fallback` do with it, minus their set-up,
                    # which cost a third of the registry's time.
                    person = registry.lookup(_bare(run))
                    if person is not None:
                        registry._mention(person, (index, match.start()))
                    continue
                after = text[match.end() : match.end() + 60]
                if strict:
                    registry._note_proper(text, match)
                    if registry._spoken_of(text, match):
                        after = " said"  # "powiedział … generał Ataollah Salehi": speaking
                known = len(registry.mention_pos)
                registry._scan_run(run, (index, match.start()), after)
                if len(registry.mention_pos) == known:
                    registry._maybe_fallback(text, match, index)
                elif strict:
                    who = registry.mention_who[
                        bisect_left(registry.mention_pos, (index, match.start()))
                    ]
                    if isinstance(who, Person):
                        registry._note_roles(text, match, who, (index, match.start()))
        return registry

    def _note_roles(
        self, text: str, match: re.Match[str], who: Person, pos: tuple[int, int]
    ) -> None:
        """Remember the titles around a person's name: "ordynator" in "Wacław Bentkowski,
        ordynator oddziału", "υπουργός" in "ο υπουργός Εργασίας Γ. Κουτρουμάνης"."""
        title_words, _ = titles()
        before = text[max(0, match.start() - 60) : match.start()].split()[-4:]
        after = text[match.end() : match.end() + 40]
        found = [w.strip(",.;:").lower() for w in before]
        if after.startswith(","):
            found += [w.strip(",.;:").lower() for w in after[1:].split()[:1]]
        for word in found:
            if word in title_words:
                self.roles[word] = (who, pos)

    def role(self, phrase: str, pos: tuple[int, int]) -> Person | None:
        """The person a role phrase names ("ordynator", "профессор"), if the article gave
        someone that title before `pos`."""
        for word in phrase.lower().split()[:3]:
            word = word.strip(",.;:")
            for title, (who, at) in self.roles.items():
                if at < pos and _same_role(word, title, self.language):
                    return who
        return None

    @property
    def grammar(self) -> Grammar:
        return grammar(self.language)

    def __post_init__(self) -> None:
        words = grammar(self.language)
        self._strict = words.strict_names
        self._declining = words.declines

    def _note_proper(self, text: str, match: re.Match[str]) -> None:
        """Record the run's words that stand inside a sentence: capitalised there, they are
        proper nouns (a sentence's first word may be any word)."""
        tokens = match.group(0).split()
        for tok in tokens[1 if _sentence_start(text, match.start()) else 0 :]:
            self.proper.update(name_forms(_bare(tok), self.language))

    def _spoken_of(self, text: str, match: re.Match[str]) -> bool:
        """In a language that puts the speaker after the cue ("powiedział minister X",
        "— сказал глава МЧС Иван Петров"), is this two- or three-word run named right after a
        cue, in the same clause?"""
        if self.speaks is None or not self.grammar.strict_names:
            return False
        tokens = match.group(0).split()
        if any(t.endswith(".") and len(_bare(t)) > 1 for t in tokens[:-1]):
            return False  # "Ау. Предыдущие": a sentence ends inside the run
        if not 2 <= len(tokens) <= 3 or any(
            _bare(t).isupper() or _key(t) in org_words() for t in tokens
        ):
            return False  # "ГУМЧС РФ", "Ministerstwo Pracy": not a person
        before = text[max(0, match.start() - 80) : match.start()]
        before = re.split(r"[.!?;:,]\s", before)[-1]
        return self.speaks.search(before) is not None

    def _maybe_fallback(self, text: str, match: re.Match[str], index: int) -> None:
        if " " not in match.group(0) and "\t" not in match.group(0):
            return  # one word: no pair of names
        tokens = match.group(0).split()
        # The character before the run, skipping spaces and opening quotes: read in place,
        # since copying the text before every run made long paragraphs quadratic.
        at = match.start()
        while at and text[at - 1] in ' “"':
            at -= 1
        if len(tokens) not in (2, 3) or (at and text[at - 1] not in ".!?"):
            return
        if not _FALLBACK_NEXT.match(text, match.end()):
            return
        title_words, honorifics = titles()
        for tok in tokens:
            key = _key(tok)
            if not tok[:1].isupper() or tok.isupper() or key in title_words or key in honorifics:
                return
            if key in org_words() or not _bare(tok).replace("-", "").isalpha():
                return
        self.fallback_pos.append((index, match.start()))
        self.fallback_who.append(Person(" ".join(_bare(t) for t in tokens)))

    # -- building -----------------------------------------------------------------------------

    def _scan_run(self, run: str, pos: tuple[int, int], after: str = "") -> None:
        if " " not in run and "\t" not in run:
            # One word (most runs: a sentence's first word, a name said again): neither a first
            # name nor an honorific can start a name there, so it can only be a known person.
            person = self.lookup(_bare(run))
            if person is not None:
                self._mention(person, pos)
            return
        tokens = run.split()
        names = first_names()
        title_words, honorifics = titles()
        for i, tok in enumerate(tokens):
            bare = _bare(tok)
            low = bare.lower().rstrip(".")
            if (
                (bare in names or (self._declining_token(bare) and self._first_name(bare)))
                and i + 1 < len(tokens)
                and _bare(tokens[i + 1])[:1].isupper()
                and _key(tokens[i + 1]) not in title_words  # "Virginia Gov. Terry McAuliffe"
            ):
                end = i + 1
                while (
                    end + 1 < len(tokens) and end - i < 3 and _bare(tokens[end + 1])[:1].isupper()
                ):
                    if _key(tokens[end + 1]) in title_words and _key(tokens[end + 1]) != "jr":
                        break
                    if tokens[end].endswith((".", ",")) and len(_bare(tokens[end])) > 2:
                        break  # "… Netanyahu. Adelson" is two sentences, not one name
                    end += 1
                full, gender = self._nominative([_bare(t) for t in tokens[i : end + 1]])
                self._mention(self.introduce(full, gender), pos)
                return
            if low in honorifics and i + 1 < len(tokens) and not _initial_letter(bare):
                person = self.lookup(_bare(tokens[-1]))
                if person is None:
                    person = self.introduce(_bare(tokens[-1]), honorifics[low])
                elif person.gender == "u":
                    person.gender = honorifics[low]
                self._mention(person, pos)
                return
        if len(tokens) == 1:
            person = self.lookup(_bare(tokens[0]))
            if person is not None:
                self._mention(person, pos)
            return
        initial = [i for i in range(len(tokens) - 1) if _initial(tokens[i])]
        if initial and self.grammar.strict_names and not _initial(tokens[initial[0] + 1]):
            # "Γ. Κουτρουμάνης", "D. Gibała": an initial stands for a first name
            i = initial[0]
            self._mention(self.introduce(f"{_bare(tokens[i])}. {_bare(tokens[i + 1])}"), pos)
            return
        if _SPEAKS_NEXT.match(after) or (
            self.speaks is not None and self.speaks.match(after.lstrip(" ,"))
        ):
            # "Zeynep Akar told CNN …", "Ivo Marsh, 54, said": a person whatever the first name
            resolved = self._name(tokens)
            if resolved.person is not None:
                self._mention(resolved.person, pos)

    def _first_name(self, token: str) -> tuple[str, str, bool] | None:
        """(nominative, gender, was oblique) when `token` is a first name in some case."""
        names = first_names()
        if token in names:
            return token, names[token], False
        if not token[:1].isupper() or not self._declines(token):
            return None
        return first_name_of(token, self.language)

    def _declining_token(self, token: str) -> bool:
        """Could `token` be a first name in an oblique case (a declining language's)?"""
        return self._declining or (self.language is None and not token.isascii())

    def _declines(self, token: str) -> bool:
        """Does this name decline (the article's language says; else the token's script)?"""
        if self.language is not None:
            return self._declining
        return not token.isascii() and declines(None, token)

    def _nominative(self, parts: list[str]) -> tuple[str, str]:
        """A name whose first word is a first name, in the nominative, and its gender:
        "Donalda Tuska" → ("Donald Tusk", "m"), "Анны Ивановой" → ("Анна Иванова", "f")."""
        found = self._first_name(parts[0])
        if found is None:
            return " ".join(parts), "u"
        first, gender, oblique = found
        if not oblique:
            return " ".join(parts), gender
        rest = [nominative(p, gender, self.language) for p in parts[1:]]
        return " ".join([first, *rest]), gender

    def introduce(self, full: str, gender: str = "u") -> Person:
        """Register a full name (or return the person already known by that surname)."""
        parts = full.split()
        known = self.lookup(parts[-1])
        if known is not None and (len(parts) == 1 or known.name.split()[0] == parts[0]):
            if len(parts) > len(known.name.split()):
                known.name = full
            if known.gender == "u":
                known.gender = gender
            return known
        person = Person(full, gender)
        self.people.append(person)
        for form in name_forms(parts[-1], self.language):
            self.by_last.setdefault(form, person)
        self.by_last[parts[-1].lower()] = person
        if len(parts) > 1:
            for form in name_forms(parts[0], self.language):
                self.by_first.setdefault(form, person)
        return person

    def _mention(self, who: Person | str, pos: tuple[int, int]) -> None:
        at = bisect_left(self.mention_pos, pos)
        self.mention_pos.insert(at, pos)
        self.mention_who.insert(at, who)

    def note_speaker(self, who: Person | str, pos: tuple[int, int]) -> None:
        """Record that `who` speaks at `pos`, so a later "they"/"he" can point back to it."""
        self._mention(who, pos)

    def lookup(self, token: str) -> Person | None:
        low = token.lower()
        found = self.by_last.get(low) or self.by_first.get(low)
        if found is not None or not self._declines(token):
            return found
        for form in name_forms(token, self.language)[1:]:
            found = self.by_last.get(form) or self.by_first.get(form)
            if found is not None:
                return found
        return None

    # -- resolving ----------------------------------------------------------------------------

    def resolve(self, phrase: str, pos: tuple[int, int], oblique: str | None = None) -> Resolved:
        """The speaker named by `phrase` (text of the attribution's subject) at `pos`.

        `oblique` ("m", "f", "u"): the phrase is in a case other than the nominative, as after
        "по словам", "zdaniem", "σύμφωνα με"; a name is then shown in the nominative."""
        phrase = phrase.strip(" ,;:—–-\t")
        words = self.grammar
        tokens = phrase.split()
        # "Και ο κ. Κουτρουμάνης", "τον Τσίπρα": words that are never the name, and an
        # article that tells the case and gender of the name after it
        while tokens and _bare(tokens[0]).lower() in words.fillers:
            tokens.pop(0)
        low = " ".join(tokens).lower()
        if low in words.pronouns:
            kind = words.pronouns[low]
            english = {"m": "he", "f": "she", "p": "they"}.get(kind)
            return self._pronoun(english, pos) if english else Resolved(None, "pronoun")
        title_words = titles()[0]
        while tokens:
            low = _bare(tokens[0]).lower()
            if low in words.oblique:
                oblique = words.oblique[low] if oblique in (None, "u") else oblique
            elif (low not in words.not_names and low not in words.fillers) or (
                low in title_words and len(tokens) > 1
            ):
                break  # "ο υπουργός Εργασίας": the role stays, to name whoever holds it
            tokens.pop(0)
        if not tokens:
            return Resolved(None, "none")
        phrase = " ".join(tokens)
        low = phrase.lower()
        if low in PRONOUNS:
            return self._pronoun(low, pos)
        if tokens[0][:1].islower() and tokens[0].lower() in DETERMINERS:
            # "the Kremlin", "a spokeswoman for the State Department, Jane Doe", "officials"
            named = self._name_inside(phrase)
            if named is not None:
                return named
            rest = tokens[1:]
            if rest and all(_bare(t)[:1].isupper() for t in rest):
                return Resolved(phrase, "org")
            return Resolved(phrase, "noun")
        if _caseless(phrase):
            # Chinese: the attribution rules already cut the name out ("华春莹", "张先生")
            person = self.introduce(phrase)
            return Resolved(person.name, "name", person)
        if not _bare(tokens[0])[:1].isupper():
            named = self._name_inside(phrase)
            if named is None and self.grammar.strict_names:
                who = self.role(phrase, pos)
                if who is not None:
                    return Resolved(who.name, "name", who)  # "mówi ordynator"
            return named if named is not None else Resolved(phrase, "noun")
        return self._name(tokens, oblique)

    def implicit(self, pos: tuple[int, int]) -> Resolved:
        """The speaker of a cue without a subject ("Dodał:", "Και συμπλήρωσε:"): whoever was
        last named or quoted, within the last two paragraphs."""
        at = bisect_left(self.mention_pos, pos)
        if at and pos[0] - self.mention_pos[at - 1][0] <= 2:
            who = self.mention_who[at - 1]
            if isinstance(who, Person):
                return Resolved(who.name, "pronoun", who)
            return Resolved(who, "org")
        return Resolved(None, "pronoun")

    def _name_inside(self, phrase: str) -> Resolved | None:
        for match in _cap_run().finditer(phrase):
            tokens = match.group(0).split()
            if (
                any(_bare(t) in first_names() for t in tokens)
                or (len(tokens) == 1 and self.lookup(_bare(tokens[0])))
                or (match.end() == len(phrase.rstrip(" ,")) and self._plain_name(tokens))
            ):
                resolved = self._name(tokens)
                if resolved.kind == "name":
                    return resolved
        return None

    @staticmethod
    def _plain_name(tokens: list[str]) -> bool:
        """ "her colleague Tomas Reyes": two or three capitalised words closing a noun phrase,
        none an organisation or title word, are a person whose first name we don't list."""
        title_words, honorifics = titles()
        keys = [_key(t) for t in tokens]
        return 2 <= len(tokens) <= 3 and not any(
            k in org_words() or k in title_words or k in honorifics or not k.isalpha() for k in keys
        )

    def _name(self, tokens: list[str], oblique: str | None = None) -> Resolved:
        title_words, honorifics = titles()
        names = first_names()
        gender = "u"
        bare = [_bare(t) for t in tokens if _bare(t)]
        # "Το ΚΕΕΛΠΝΟ", "Ο Δημήτρης …": an article capitalised at a sentence's head is no part
        # of the name (the language's own articles only: "The Hague" keeps its "The")
        while len(bare) > 1 and bare[0].lower() in self.grammar.determiners:
            bare = bare[1:]
        # Strip titles and honorifics from the front, keeping at least one token.
        start = 0
        while start < len(bare) - 1:
            low = bare[start].lower().rstrip(".")
            is_name = self._first_name(bare[start]) is not None
            if low in honorifics and not _initial_letter(bare[start]):
                gender = honorifics[low]
            elif (low not in title_words and not is_name) or (
                is_name and bare[start + 1][:1].isupper()
            ):
                break
            start += 1
        core = bare[start:]
        if not core:
            return Resolved(None, "none")
        titled = [i for i, t in enumerate(core[:-1]) if t.lower().rstrip(".") in title_words]
        if titled and not any(t.lower().rstrip(".") in org_words() for t in core):
            # "Energy Minister Tomas Berg": the name is what follows the last title word
            rest = core[titled[-1] + 1 :]
            if rest and rest[0][:1].isupper():
                core, start = rest, start + titled[-1] + 1
        inner = [
            i
            for i in range(1, len(core) - 1 if self._strict else 1)
            if (self._first_name(core[i]) is not None or len(core[i]) == 1)
            and core[i + 1][:1].isupper()
        ]
        if inner:
            # "Federacji … Diabetologii Alicja Szewczyk": the person starts at the first name
            core, start = core[inner[0] :], start + inner[0]
        if all(t.lower().rstrip(".") in title_words for t in bare):
            return Resolved(" ".join(bare), "org")
        if len(core) == 1:
            person = self.lookup(core[0])
            if person is not None:
                if person.gender == "u":
                    person.gender = gender
                if oblique is None:
                    self._prefer_form(person, core[0])
                return Resolved(person.name, "name", person)
            if oblique is not None and declines(self.language, core[0]):
                core = [nominative(core[0], gender if gender != "u" else oblique, self.language)]
            if start == 0 and core[0] not in names and gender == "u" and len(bare) == 1:
                if self._stray_word(core[0]):
                    return Resolved(None, "none")  # "Напомним", "Czyli": not a name at all
                return Resolved(core[0], "org")
            person = self.introduce(core[0], gender)
            return Resolved(person.name, "name", person)
        first = self._first_name(core[0])
        if oblique is not None and declines(self.language, core[-1]):
            if first is not None and first[2]:
                full, gender = self._nominative(core)
                core = full.split()
            elif first is None or gender == "u":
                hint = gender if gender != "u" else (first[1] if first else oblique)
                core = [nominative(t, hint, self.language) for t in core]
        if first is not None or gender != "u" or start > 0:
            full, told = self._nominative(core)
            person = self.introduce(full, gender if gender != "u" else told)
            return Resolved(person.name, "name", person)
        # Several capitalised words, none a known first name: an organisation or an unknown name.
        known = self.lookup(core[-1])
        if known is not None:
            return Resolved(known.name, "name", known)
        orgs = org_words()
        if len(core) <= 3 and not any(t.lower().rstrip(".") in orgs for t in core):
            person = self.introduce(" ".join(core), "u")  # "Zeynep Akar": a name we don't know
            return Resolved(person.name, "name", person)
        return Resolved(" ".join(core), "org")

    def _prefer_form(self, person: Person, form: str) -> None:
        """A surname seen as a speaker's subject is in the nominative: when the person was
        introduced in another case ("από τον … Κ. Αθανασάκη") and the form seen here is the
        nominative of it ("ο κ. Αθανασάκης"), the person's name takes this form."""
        parts = person.name.split()
        old = parts[-1]
        if old == form or not declines(self.language, form):
            return
        if form in nominatives(old, person.gender, self.language)[:-1]:
            person.name = " ".join([*parts[:-1], form])
            for key in name_forms(form, self.language):
                self.by_last.setdefault(key, person)

    def _stray_word(self, word: str) -> bool:
        """In a language that lists its sentence openers (`strict_names`), a lone capitalised
        word is a name only if the article also writes it capitalised inside a sentence, or in
        capitals (an acronym: "ТАСС", "PAP"): "Источник", "Czyli", "Ανάλογη" are not."""
        if not self.grammar.strict_names or word.isupper():
            return False
        return not any(form in self.proper for form in name_forms(word, self.language))

    def _pronoun(self, low: str, pos: tuple[int, int]) -> Resolved:
        if low in PRONOUNS_M or low in PRONOUNS_F:
            want = "m" if low in PRONOUNS_M else "f"
            at = bisect_left(self.mention_pos, pos)
            unknown: Person | None = None  # the nearest person of unknown gender
            unknown_at = -1  # and the paragraph naming them
            for i in range(at - 1, -1, -1):
                who = self.mention_who[i]
                if not isinstance(who, Person) or who.gender not in (want, "u"):
                    continue
                paragraph = self.mention_pos[i][0]
                if who.gender == want and (unknown is None or paragraph == unknown_at):
                    # "… said Priya Shah, while Moore said …" then "“…,” she told": a known
                    # "she" in the same paragraph beats a nearer name of unknown gender.
                    return Resolved(who.name, "pronoun", who)
                if unknown is None:
                    unknown, unknown_at = who, paragraph
                elif paragraph != unknown_at:
                    break
            if unknown is not None:
                if " " in unknown.name:
                    unknown.gender = want
                return Resolved(unknown.name, "pronoun", unknown)
            at = bisect_left(self.fallback_pos, pos)
            if at and pos[0] - self.fallback_pos[at - 1][0] <= 2:
                who = self.fallback_who[at - 1]
                return Resolved(who.name, "pronoun", who)
            return Resolved(None, "pronoun")
        if low in PRONOUNS_PL or low == "it":
            at = bisect_left(self.mention_pos, pos)
            for i in range(at - 1, -1, -1):
                who = self.mention_who[i]
                if isinstance(who, str):
                    return Resolved(who, "pronoun")
            return Resolved(None, "pronoun")
        return Resolved(None, "pronoun")
