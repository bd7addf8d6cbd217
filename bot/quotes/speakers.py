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
from dataclasses import dataclass, field
from functools import cache, lru_cache

from bot.text import first_names, honorifics, name_particles, org_words, title_words


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
    word = rf"(?:[A-Z][\w’'.\-]*|(?:{particles})\b)"
    return re.compile(rf"(?<![\w’']){word}(?:[ \t]+{word})*")


_POSSESSIVE = re.compile(r"[’']s?$")


@cache
def titles() -> tuple[frozenset[str], dict[str, str]]:
    """(title words, honorific → gender), from every registered language."""
    return title_words(), honorifics()


@lru_cache(maxsize=8192)  # the same names and words come back all through an article
def _bare(token: str) -> str:
    """A token without edge punctuation and possessive: "Ryabkov’s," → "Ryabkov"."""
    token = token.replace("\xad", "").strip('.,;:!?()[]{}"“”‘«»—–')
    if len(token) > 2:
        token = _POSSESSIVE.sub("", token)
    return token.strip("’'")


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

    @classmethod
    def from_paragraphs(cls, paragraphs: list[str]) -> SpeakerRegistry:
        registry = cls()
        for index, text in enumerate(paragraphs):
            for match in _cap_run().finditer(text):
                after = text[match.end() : match.end() + 60]
                known = len(registry.mention_pos)
                registry._scan_run(match.group(0), (index, match.start()), after)
                if len(registry.mention_pos) == known:
                    registry._maybe_fallback(text, match, index)
        return registry

    def _maybe_fallback(self, text: str, match: re.Match[str], index: int) -> None:
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
        tokens = run.split()
        names = first_names()
        title_words, honorifics = titles()
        for i, tok in enumerate(tokens):
            bare = _bare(tok)
            low = bare.lower().rstrip(".")
            if (
                bare in names
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
                full = " ".join(_bare(t) for t in tokens[i : end + 1])
                self._mention(self.introduce(full, names.get(bare, "u")), pos)
                return
            if low in honorifics and i + 1 < len(tokens):
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
        if _SPEAKS_NEXT.match(after):
            # "Zeynep Akar told CNN …", "Ivo Marsh, 54, said": a person whatever the first name
            resolved = self._name(tokens)
            if resolved.person is not None:
                self._mention(resolved.person, pos)

    def introduce(self, full: str, gender: str = "u") -> Person:
        """Register a full name (or return the person already known by that surname)."""
        parts = full.split()
        last = parts[-1].lower()
        known = self.by_last.get(last)
        if known is not None and (len(parts) == 1 or known.name.split()[0] == parts[0]):
            if len(parts) > len(known.name.split()):
                known.name = full
            if known.gender == "u":
                known.gender = gender
            return known
        person = Person(full, gender)
        self.people.append(person)
        self.by_last[last] = person
        if len(parts) > 1:
            self.by_first.setdefault(parts[0].lower(), person)
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
        return self.by_last.get(low) or self.by_first.get(low)

    # -- resolving ----------------------------------------------------------------------------

    def resolve(self, phrase: str, pos: tuple[int, int]) -> Resolved:
        """The speaker named by `phrase` (text of the attribution's subject) at `pos`."""
        phrase = phrase.strip(" ,;:—–-\t")
        if not phrase:
            return Resolved(None, "none")
        low = phrase.lower()
        if low in PRONOUNS:
            return self._pronoun(low, pos)
        tokens = phrase.split()
        if tokens[0][:1].islower() and tokens[0].lower() in DETERMINERS:
            # "the Kremlin", "a spokeswoman for the State Department, Jane Doe", "officials"
            named = self._name_inside(phrase)
            if named is not None:
                return named
            rest = tokens[1:]
            if rest and all(_bare(t)[:1].isupper() for t in rest):
                return Resolved(phrase, "org")
            return Resolved(phrase, "noun")
        if not _bare(tokens[0])[:1].isupper():
            named = self._name_inside(phrase)
            return named if named is not None else Resolved(phrase, "noun")
        return self._name(tokens)

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

    def _name(self, tokens: list[str]) -> Resolved:
        title_words, honorifics = titles()
        names = first_names()
        gender = "u"
        bare = [_bare(t) for t in tokens if _bare(t)]
        # Strip titles and honorifics from the front, keeping at least one token.
        start = 0
        while start < len(bare) - 1:
            low = bare[start].lower().rstrip(".")
            is_name = bare[start] in names
            if low in honorifics:
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
        if all(t.lower().rstrip(".") in title_words for t in bare):
            return Resolved(" ".join(bare), "org")
        if len(core) == 1:
            person = self.lookup(core[0])
            if person is not None:
                if person.gender == "u":
                    person.gender = gender
                return Resolved(person.name, "name", person)
            if start == 0 and core[0] not in names and gender == "u" and len(bare) == 1:
                return Resolved(core[0], "org")
            person = self.introduce(core[0], gender)
            return Resolved(person.name, "name", person)
        if core[0] in names or gender != "u" or start > 0:
            person = self.introduce(
                " ".join(core), gender if gender != "u" else names.get(core[0], "u")
            )
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
