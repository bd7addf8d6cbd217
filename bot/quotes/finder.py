"""The quotes step: every quotation an article attributes to someone, with who said it.

Journalists want the quotes verbatim and the right name beside each, so this is rules only, built
from how news copy is written: quote marks are paired per paragraph (curly, straight, guillemets,
German „…“, British ‘…’ when a paragraph has no double marks; nested quotes stay inside), a
quote broken by its attribution (“A,” she said. “B.”) or running over paragraphs becomes one
quote, and the speaker comes from the attribution clause next to it ("X said", "said X",
"according to X", "X: …"), else from the quote before it. Names are resolved through
`bot.quotes.speakers.SpeakerRegistry`. Output is ranked: full sentences by named, central speakers
first; fragments lifted out of a paraphrase and short attributed fragments last.

Marks are paired by the text layer (`bot.text.scan_spans`), attribution clauses read in
`bot.quotes.attribution`; this module groups spans into quotations, picks speakers, filters and
ranks.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from bot.models import Quote
from bot.quotes.attribution import (
    Attribution,
    attribution_after,
    attribution_before,
    clause_subject,
    cue_pattern,
    lead_in_words,
)
from bot.quotes.cjk import is_cjk
from bot.quotes.speakers import Person, Resolved, SpeakerRegistry
from bot.text import (
    Span,
    end_of_first_sentence,
    guess_language,
    language_code,
    quote_marks,
    scan_spans,
    sentence_starts,
    start_of_last_sentence,
    tokens,
)

__all__ = ["extract_quotes"]

# Quoted fragments shorter than this are left out unless they are the point of their sentence
# (`_compact`: cue, at most as many words as the quote, the quote, full stop — `Weaver called that
# “beyond all reason.”`). On PolNeAR train all 2-5 word attributed fragments would be 812 more
# quotes of which 22 % are real (P direct+mixed .90 → .79); compact ones of 3+ words are ~70 %
# real. Most short fragments are scare quotes, names or a word of a longer paraphrase.
MAX_QUOTES = 100  # more than any story quotes; bounds the ranking work on hostile pages
MIN_FRAGMENT_WORDS = 6
_DASH_CREDIT = re.compile(r"[―—–]\s*[^\W\d_][^―—–\n]{0,60}$")  # a credit ending the paragraph
_DASH_SIGNATURE = re.compile(r"[―—–]\s*([^―—–]{1,60}?)\W*$")  # a closing "― Name"
SHORT_CLAUSE_WORDS = 4  # `an angry Hollande retaliated.`: a name, a verb, little else
_TAG = re.compile(r"<[^<>\n]{0,300}>")
_CJK_WORD = 2  # CJK characters per word when a length in words is asked of Chinese text
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ENDS = ".!?。！？"  # sentence-ending punctuation, Latin and full-width
_BEFORE_WHOLE = ":.!?;：。！？；"  # before a mark, these make the quote a sentence of its own


def _length(text: str) -> int:
    """Words in `text`, a CJK character counting as half a word (Chinese has no spaces: a
    run of characters is one token, yet a ten-character quote is about five words)."""
    if not _CJK.search(text):
        return len(tokens(text))
    count = 0
    for token in tokens(text):
        cjk = sum(1 for ch in token if is_cjk(ch))
        count += (cjk + _CJK_WORD - 1) // _CJK_WORD + (1 if cjk < len(token) else 0)
    return count


def _blank(match: re.Match[str]) -> str:
    """A tag's place kept, blank: offsets stay those of the paragraph as given."""
    return " " * len(match.group(0))


def _caseless(ch: str) -> bool:
    """A letter of a script without capitals (CJK): it may open a sentence."""
    return ch.isalpha() and not ch.isupper() and not ch.islower()


# -- units: one quotation, possibly in several parts --------------------------------------------


@dataclass
class Unit:
    """One quotation: its parts (paragraph, span) in reading order, and what we learn of it."""

    parts: list[tuple[int, Span]] = field(default_factory=list)
    resolved: Resolved | None = None
    own: bool = False  # attribution found next to this quote (not inherited)
    fragment: bool = False
    lead_in: int = 0  # words of paraphrase before a fragment in its sentence
    ends_sentence: bool = False
    words: int = 0
    text: str = ""


def _masked(text: str, spans: list[Span]) -> str:
    """`text` with every quote's content blanked, so cues inside quotes are never matched.

    A full stop (or ?/!) ending a closed quote is kept: `“… smart.” Trump was …` still ends a
    sentence there, so the next sentence's attribution is not read from the one before."""
    if not spans:
        return text  # most paragraphs quote nobody
    chars = list(text)
    for s in spans:
        for k in range(s.start, s.end):
            if not chars[k].isspace():
                chars[k] = "_"
        if s.closed and s.end > s.start and text[s.end - 1] in _ENDS:
            chars[s.end - 1] = text[s.end - 1]
    return "".join(chars)


def _is_fragment(text: str, span: Span) -> bool:
    """A quote embedded mid-sentence (`called it a “red line” for Moscow`)."""
    if not span.opened or span.dash:
        return False
    before = text[: span.open_at].rstrip()
    if not before or before[-1] in _BEFORE_WHOLE or before[-1] in quote_marks().all:
        return False
    content = text[span.start : span.end].strip()
    capital = content[:1].isupper() or _caseless(content[:1])
    if before.endswith((",", "，")) and capital:
        return False
    ends_sentence = content.rstrip("\"”’' 」』")[-1:] in _ENDS or text[
        span.close_at : span.close_at + 1
    ] in (".", "。")
    return not (capital and ends_sentence and _length(content) >= 4)


class _Clauses:
    """The attribution clause after a quote, read once per article.

    Grouping asks whether the clause between two quotes joins them and whether a paragraph
    ends with one; attributing then asks for the same clauses again: each was read two or three
    times (10,691 readings of 4,476 clauses on PolNeAR), and reading one is the dearest rule of
    the quotes step. Keyed by paragraph and offsets, not by text, so a paragraph of thousands of
    quotes keeps no copies of itself."""

    def __init__(self, masked: list[str], language: str | None) -> None:
        self.masked = masked
        self.language = language
        self._found: dict[tuple[int, int, int], Attribution | None] = {}

    def after(self, pi: int, start: int, end: int | None = None) -> Attribution | None:
        """`attribution_after` of `masked[pi][start:end]`."""
        text = self.masked[pi]
        key = (pi, start, len(text) if end is None else min(end, len(text)))
        if key not in self._found:
            self._found[key] = attribution_after(text[start:end], self.language)
        return self._found[key]


def _join_within(
    text: str, masked: str, a: Span, b: Span, language: str | None, clauses: _Clauses, pi: int
) -> bool:
    """Do two quotes of one paragraph form one quotation broken by its attribution?"""
    if not a.closed or not b.opened or a.dash != b.dash:
        return False  # `Iran "…". - Rakieta …`: a quote and dialogue are not one quotation
    gap = text[a.close_at : b.open_at]
    core = gap.strip()
    # `“A,” — the mayor said — “and b.”`: dashes wrap the attribution as commas do
    if _is_fragment(text, b) and not core.endswith((",", ":", "—", "–")):
        return False
    if core in {"", ",", ".", ";", "…", "...", "—", "–"}:
        return True
    gap_body = masked[a.close_at : b.open_at].strip()
    if len(core.split()) > 40 or sentence_starts(gap_body, language):
        return False
    if _is_fragment(text, a):
        return False
    if clauses.after(pi, a.close_at, b.open_at) is None:
        return False
    # `“A,” said X. “B,” added Y.` — B has its own speaker: two quotes
    if not b.closed or clauses.after(pi, b.close_at) is None:
        return True
    after = masked[b.close_at :].lstrip(" ,")
    ends = text[b.start : b.end].rstrip(" \"”’'")[-1:]
    return ends == "." and after[:1].isupper()  # `“B.” Reid said …` starts a new sentence


def _ends_with_attribution(
    text: str, masked: str, par_spans: list[Span], language: str | None, clauses: _Clauses, pi: int
) -> bool:
    """`“A,” X said.` — a paragraph that opens with a quote and ends with just its attribution."""
    if len(par_spans) != 1 or text[: par_spans[0].open_at].strip() or not par_spans[0].closed:
        return False
    tail = masked[par_spans[0].close_at :]
    return clauses.after(pi, par_spans[0].close_at) is not None and not sentence_starts(
        tail.strip(), language
    )


def _headline_like(text: str, language: str | None) -> bool:
    """A first line that is a headline (short, one sentence): its quotes are labels, not quotes."""
    return len(text.split()) <= 20 and not sentence_starts(text.rstrip(". "), language)


def extract_quotes(
    paragraphs: list[str], language: str | None = None, *, headline_first: bool = True
) -> list[Quote]:
    """Every attributed quotation in the article, most important first (see module doc).

    `headline_first`: plain text may open with its headline, whose quotes are labels; pages
    whose headline was extracted apart pass False so a short quoted lede is never lost.
    """
    if not paragraphs:
        return []
    # The cue lists for plain text come from its first paragraphs; None: English and the rest.
    lang = language_code(language) or guess_language(" ".join(paragraphs[:6]))
    texts = [_TAG.sub(_blank, p) if "<" in p else p for p in paragraphs]
    spans = [scan_spans(t, lang) for t in texts]
    masked = [_masked(t, s) for t, s in zip(texts, spans, strict=True)]
    clauses = _Clauses(masked, lang)
    units = _group(paragraphs, texts, masked, spans, lang, clauses)
    if not units:
        # A story that quotes nobody (a fifth of PolNeAR, two thirds of CNN/DM's) needs no
        # speaker registry: reading every capitalised run was most of its cost.
        return []
    registry = SpeakerRegistry.from_paragraphs(masked, lang, cue_pattern(lang))
    _attribute(units, texts, masked, spans, registry, lang, clauses)
    kept = [u for u in units if _keep(u, texts, headline_first, lang)]
    return _rank(kept, registry)


def _group(
    originals: list[str],
    texts: list[str],
    masked: list[str],
    spans: list[list[Span]],
    language: str | None,
    clauses: _Clauses,
) -> list[Unit]:
    units: list[Unit] = []
    carry: Unit | None = None  # a quote still open at the end of the previous paragraph
    for pi, (text, par_spans) in enumerate(zip(texts, spans, strict=True)):
        current: Unit | None = None
        lead = len(text) - len(text.lstrip())
        last: Span | None = None  # the last span of `current`
        for si, span in enumerate(par_spans):
            if (
                si == 0
                and carry is not None
                and span.open_at <= lead
                and _same_style(carry, text, span, texts)
            ):
                carry.parts.append((pi, span))
                current, last = carry, span
            elif last is not None and _join_within(
                text, masked[pi], last, span, language, clauses, pi
            ):
                current.parts.append((pi, span))  # type: ignore[union-attr]
                last = span
            else:
                units.append(Unit(parts=[(pi, span)]))
                if _is_title(text, span) and current is not None:
                    continue  # a title inside an attribution ("told CNN’s “New Day”")
                current, last = units[-1], span
        carry = current if par_spans and not par_spans[-1].closed else None
        ends = _ends_with_attribution(text, masked[pi], par_spans, language, clauses, pi)
        soft = current if ends else None
        if carry is None and soft is not None and pi + 1 < len(texts):
            nxt = spans[pi + 1]
            following = texts[pi + 1]
            if (
                len(nxt) == 1
                and nxt[0].opened
                and not following[: nxt[0].open_at].strip()
                and not following[nxt[0].close_at :].strip(" .,")
            ):
                carry = soft  # `“A,” X said.` then a paragraph that is only `“B.”`: one quote
    for unit in units:
        # Text comes from the paragraphs as given (not the tag-masked copy), so it is verbatim;
        # a quote that spans markup is markup, not speech.
        pieces = [_clean(originals[pi][s.start : s.end]) for pi, s in unit.parts]
        unit.text = " … ".join(p for p in pieces if p)
        unit.words = _length(unit.text)
        pi, first = unit.parts[0]
        unit.fragment = _is_fragment(texts[pi], first)
        if unit.fragment:
            unit.lead_in = lead_in_words(masked[pi][: first.open_at], language)
            last_pi, last = unit.parts[-1]
            tail = texts[last_pi][last.start : last.end].rstrip(" " + quote_marks().all)
            after = texts[last_pi][last.close_at :].lstrip(quote_marks().all)
            unit.ends_sentence = tail[-1:] in _ENDS or after[:1] in _ENDS or not after.strip()
    return [u for u in units if u.text and not _TAG.search(u.text)]


def _same_style(carry: Unit, text: str, span: Span, texts: list[str]) -> bool:
    """A quote running on reopens the next paragraph with its own kind of mark: a straight quote
    left open (often an excerpt's wrapper holding curly quotes) is not continued by a paragraph
    that opens with a curly mark. Quotes that closed (`“A,” X said.` + `“B.”`) are not judged."""
    pi, last = carry.parts[-1]
    if last.closed:
        return True
    was = texts[pi][carry.parts[0][1].open_at : carry.parts[0][1].open_at + 1] == '"'
    return not was or text[span.open_at : span.open_at + 1] == '"'


def _clean(part: str) -> str:
    """A part's text, trimmed of spaces and of stray marks left at its edges."""
    return " ".join(part.split()).strip(" " + quote_marks().double)


def _attribute(
    units: list[Unit],
    texts: list[str],
    masked: list[str],
    spans: list[list[Span]],
    registry: SpeakerRegistry,
    language: str | None,
    clauses: _Clauses,
) -> None:
    previous: Unit | None = None
    for unit in units:
        found: Attribution | None = None
        at = (unit.parts[0][0], unit.parts[0][1].open_at)
        for pi, span in unit.parts:
            if span.closed:
                nxt = _next_open(pi, span, spans[pi], texts)
                after = masked[pi][span.close_at : nxt]
                found = clauses.after(pi, span.close_at, nxt)
                if (
                    found
                    and nxt < len(texts[pi])
                    and _leads_into_next(after, texts[pi], span, language)
                ):
                    found = None
                if found and _new_sentence_after(after, texts[pi], span, language):
                    found = None
                if found:
                    at = (pi, span.close_at)
                    break
        if found is None:
            pi, first = unit.parts[0]
            found = attribution_before(masked[pi][: first.open_at], language)
            if found is None and pi > 0 and not masked[pi][: first.open_at].strip():
                found = _colon_intro(masked[pi - 1], language)
            if found is None:
                found = _label_after(unit, texts)
        if found is not None and found.implicit:
            unit.resolved = registry.implicit(at)
            unit.own = unit.resolved.speaker is not None
        elif found is not None:
            unit.resolved = registry.resolve(found.phrase, at, found.oblique)
            if unit.resolved.speaker is None and found.phrase.lower() in {"it", "they"}:
                thing = _thing_before(masked, at, found.phrase.lower() == "they", language)
                unit.resolved = Resolved(thing, "noun") if thing else unit.resolved
            unit.own = unit.resolved.speaker is not None
        if unit.resolved is None or unit.resolved.speaker is None:
            inherited = _inherit(
                unit, previous, texts, registry if found is None else None, language
            )
            if inherited is not None:
                unit.resolved = inherited
        if unit.resolved is not None and unit.resolved.speaker is not None:
            who = unit.resolved.person or unit.resolved.speaker
            registry.note_speaker(who, (unit.parts[-1][0], unit.parts[-1][1].close_at))
        previous = unit


_THING_START = re.compile(r"(?:The|This|That|These|Those|Its|An?)\s+")


def _thing_before(
    masked: list[str], at: tuple[int, int], plural: bool, language: str | None
) -> str | None:
    """What a bare "it" (or "they") that quotes refers to when no organisation was quoted before:
    the subject of a recent sentence that opens with a determiner (`The email, released by …`
    then `“…,” it reads.`). Looks back three sentences at most, in this paragraph and the last."""
    pi, offset = at
    sentences: list[str] = []
    for index, text in ((pi, masked[pi][:offset]), (pi - 1, masked[pi - 1] if pi else "")):
        if index < 0 or not text.strip():
            continue
        starts = [0, *sentence_starts(text, language)]
        ends = [*starts[1:], len(text)]
        sentences += [text[a:b] for a, b in reversed(list(zip(starts, ends, strict=True)))]
    for sentence in sentences[:3]:
        sentence = sentence.lstrip(" \"“”‘’'(")
        opener = _THING_START.match(sentence)
        if opener is None:
            continue
        words = sentence[opener.end() :].split()[:4]
        caps = []
        for word in words:
            if not word[:1].isupper() or "_" in word:
                break
            caps.append(word.strip(",;:."))
            if word.endswith((",", ";", ":", ".")):
                break
        noun = caps or ([words[0].strip(",;:.")] if words else [])
        if not noun or "_" in noun[-1] or not noun[-1].isalpha():
            continue
        if plural and not caps and not noun[-1].endswith("s"):
            continue
        return " ".join([sentence[: opener.end()].strip(), *noun])
    return None


def _colon_intro(previous: str, language: str | None) -> Attribution | None:
    """`The foundation describes itself this way:` ending the paragraph before a quote."""
    previous = previous.rstrip()
    if not previous.endswith(":"):
        return None
    found = attribution_before(previous, language)
    if found is None:
        sentence = previous[start_of_last_sentence(previous, language) :]
        phrase = clause_subject(sentence[sentence.rfind(",") + 1 :], language)
        found = Attribution(phrase, ":") if phrase else None
    return found


_LABEL_ROLE = re.compile(r"\s*[（(][^（）()]{0,60}[）)]\s*")


def _label_after(unit: Unit, texts: list[str]) -> Attribution | None:
    """A quotation standing as its own paragraph, followed by a paragraph that is only a
    speaker's label ("王麗英（北京市昌平區醫院兒科主任）：", "Anna Nowak (lekarka):"): a
    pull quote heading that person's answer, so the label names its speaker."""
    pi, first = unit.parts[0]
    last_pi, last = unit.parts[-1]
    if last_pi + 1 >= len(texts) or texts[pi][: first.open_at].strip():
        return None
    if texts[last_pi][last.close_at :].strip(" .。"):
        return None
    label = texts[last_pi + 1].strip()
    if not label.endswith((":", "：")):
        return None
    name = _LABEL_ROLE.sub(" ", label[:-1]).strip()
    words = name.split()
    if not name or len(name) > 40 or not 1 <= len(words) <= 4:
        return None
    if _caseless(name[:1]):
        return Attribution(name, ":") if len(name) <= 6 else None
    return Attribution(name, ":") if all(w[:1].isupper() for w in words) else None


def _new_sentence_after(after: str, text: str, span: Span, language: str | None) -> bool:
    """`“… overlook.” The star then recalled …`: a full stop ends the quote's sentence, so a
    longer clause after it is a new sentence, not this quote's attribution (`Smith said.` is)."""
    content = text[span.start : span.end].rstrip(" \"”’'")
    body = after.strip()
    if body.startswith(".") and not body.startswith(".."):
        body = body[1:].strip()  # `„…”. Agencja AFP pisze, że …`: the stop after the mark
    elif not content.endswith("."):
        return False
    if not body[:1].isupper():
        return False
    clause = body[: end_of_first_sentence(body, language)]
    return len(clause.split()) > 5


def _next_open(pi: int, span: Span, par_spans: list[Span], texts: list[str]) -> int:
    """Where the next quotation after `span` opens: the attribution clause ends there. A name
    or title in marks is part of the clause ("δήλωσε ο διευθυντής του νοσοκομείου «Λουζ»,
    Ζοσέ Ροκέτε"), not the next quotation."""
    for other in par_spans:
        if other.open_at > span.open_at and not _is_title(texts[pi], other):
            return other.open_at
    return len(texts[pi])


def _leads_into_next(after: str, text: str, span: Span, language: str | None) -> bool:
    """`“Why now?” Mills writes back, “You…”`: the clause introduces the next quote instead."""
    body = after.strip()
    if sentence_starts(body, language) or not body.endswith((",", ":")):
        return False
    content = text[span.start : span.end].rstrip(" \"”’'")
    return content.endswith((".", "?", "!")) and body[:1].isupper()


def _inherit(
    unit: Unit,
    previous: Unit | None,
    texts: list[str],
    registry: SpeakerRegistry | None,
    language: str | None,
) -> Resolved | None:
    """A quote with no attribution of its own continues the previous speaker, if close by.

    `registry` (given when the quote has no attribution clause at all) lets a person named
    right after the quote veto the inheritance (see `_someone_else_next`)."""
    if previous is None or previous.resolved is None or previous.resolved.speaker is None:
        return None
    pi, first = unit.parts[0]
    last_pi = previous.parts[-1][0]
    if last_pi == pi:
        return previous.resolved
    starts_paragraph = not texts[pi][: first.open_at].strip()
    if starts_paragraph and pi - last_pi <= 1 and not unit.fragment:
        named = (
            None
            if registry is None
            else _someone_else_next(unit, previous.resolved, texts[pi], registry, language)
        )
        if named is not None:
            return named if named.speaker is not None else None
        return previous.resolved
    return None


def _someone_else_next(
    unit: Unit, previous: Resolved, text: str, registry: SpeakerRegistry, language: str | None
) -> Resolved | None:
    """`“It will cost us the winter.” That was the verdict of Declan Moore, …`: a paragraph that
    opens with an unattributed quote and then names a new person in its next sentence may be
    that person's words, so the last paragraph's speaker is only a guess, and a wrong name is
    worse than none: the answer is then an unknown speaker. When that sentence is just the
    name and a verb our cue lists lack (`“…?” Beck questioned.`, `an angry Hollande
    retaliated`), the name is the speaker. None: nobody else is named, inherit as usual."""
    pi, last = unit.parts[0]  # `“A,” an angry Hollande retaliated. “B.”`: after the first part
    if any(other_pi != pi for other_pi, _ in unit.parts):
        return None  # a quote running over paragraphs: its own shape, not this one
    end = last.close_at + end_of_first_sentence(text[last.close_at :], language)
    credit = _DASH_CREDIT.match(text, end)
    if credit is not None:
        end = credit.end()  # `“…” ― Christina Lastra.`: the credit belongs to the sentence
    if len(unit.parts) > 1:
        end = min(end, unit.parts[1][1].open_at)
    start = bisect_left(registry.mention_pos, (pi, last.close_at))
    stop = bisect_left(registry.mention_pos, (pi, end))
    others = {
        id(who): who
        for who in registry.mention_who[start:stop]
        if isinstance(who, Person) and who is not previous.person
    }
    if not others:
        return None
    clause = text[last.close_at : end].strip(" ,\n")
    words = clause.rstrip(".!").split()
    if len(others) == 1:
        [who] = others.values()
        signed = _DASH_SIGNATURE.search(clause)  # `… evil.” ― Christina Lastra.`
        if signed and who.name.split()[-1] in signed.group(1):
            return Resolved(who.name, "name", who)
        if (
            clause.endswith((".", "!"))
            and len(words) <= SHORT_CLAUSE_WORDS
            and words[-1].isalpha()
            and words[-1].islower()
        ):
            return Resolved(who.name, "name", who)
    said = text[last.start : last.end].rstrip(" " + quote_marks().all)
    if not said.endswith((".", "!", "?")):
        return None  # the quote runs on into the clause: no new sentence, no new speaker
    return Resolved(None, "none")


def _keep(unit: Unit, texts: list[str], headline_first: bool, language: str | None) -> bool:
    pi = unit.parts[0][0]
    if pi == 0 and headline_first and _headline_like(texts[0], language):
        return False
    if unit.words == 0 or unit.text.startswith(("@", "#", "http")):
        return False
    if unit.words < 3 and is_cjk(unit.text[0]) and unit.text[-1] not in _ENDS:
        return False  # “圆仔”和“欢欢”: a name or a label in Chinese, not a quotation
    if not unit.own and (unit.words < 4 or (unit.words <= 6 and _title_case(unit.text))):
        return False  # "Related:", a show's title opening a paragraph
    speaker = unit.resolved.speaker if unit.resolved else None
    if speaker is None:
        pi, first = unit.parts[0]
        before = texts[pi][: first.open_at].rstrip()
        embedded = bool(before) and before[-1].isalnum()
        return not (unit.fragment or embedded or _title_case(unit.text)) and unit.words >= 4
    if unit.fragment and unit.words <= 8 and _title_case(unit.text):
        return False
    if not unit.fragment or unit.words >= MIN_FRAGMENT_WORDS:
        return True
    return unit.own and _compact(unit) and unit.words >= 3


def _compact(unit: Unit) -> bool:
    """A fragment that is most of its sentence's content: cue, a few words, the quote, full stop
    (`Weaver called that “beyond preposterous.”`), not a phrase lifted out of a paraphrase."""
    return unit.ends_sentence and unit.lead_in <= unit.words


def _is_title(text: str, span: Span) -> bool:
    content = text[span.start : span.end]
    return len(content.split()) <= 8 and _title_case(content) and _is_fragment(text, span)


def _title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isupper() or w[:1].islower()]  # cased letters
    small = {"of", "the", "a", "an", "and", "in", "on", "for", "to", "with", "at", "by"}
    return bool(words) and all(w[:1].isupper() or w in small for w in words)


def _rank(units: list[Unit], registry: SpeakerRegistry) -> list[Quote]:
    counts: dict[str, int] = {}
    for unit in units:
        if unit.resolved and unit.resolved.speaker:
            counts[unit.resolved.speaker] = counts.get(unit.resolved.speaker, 0) + 1
    top = max(counts.values(), default=1)
    scored: list[tuple[float, Unit]] = []
    for unit in units:
        resolved = unit.resolved
        kind = resolved.kind if resolved and resolved.speaker else "none"
        score = _tier(unit) + {"name": 0.3, "org": 0.2, "pronoun": 0.15, "noun": 0.1}.get(kind, 0)
        # Longer quotes, and quotes broken by their attribution (“A,” she said. “B.”), are the
        # unmistakable ones: on PolNeAR train ~99 % of those are real, short single ones ~85 %.
        score += 1.0 * min(unit.words, 25) / 25 + (0.6 if len(unit.parts) > 1 else 0.0)
        if resolved and resolved.speaker:
            score += 0.3 * counts[resolved.speaker] / top
        score -= 0.002 * unit.parts[0][0]
        scored.append((round(score, 4), unit))
    scored.sort(key=lambda item: -item[0])
    out: list[Quote] = []
    seen: list[tuple[int, Counter[str]]] = []
    for score, unit in scored:
        bag = Counter(tokens(unit.text.casefold()))
        size = bag.total()
        if any(_near_duplicate(size, bag, n, other) for n, other in seen):
            continue
        seen.append((size, bag))
        speaker = unit.resolved.speaker if unit.resolved else None
        out.append(Quote(unit.text, speaker, unit.parts[0][0], score))
        if len(out) == MAX_QUOTES:
            break  # a page of thousands of quotes is an attack or a transcript, not a story
    return out


def _near_duplicate(size: int, bag: Counter[str], other_size: int, other: Counter[str]) -> bool:
    """Token F1 ≥ 0.8; sizes too far apart can't reach it, so most pairs cost one comparison."""
    total = size + other_size
    if not size or not other_size or 2 * min(size, other_size) < 0.8 * total:
        return False
    if len(other) < len(bag):
        bag, other = other, bag  # walk the smaller bag; `bag & other` built a third Counter
    shared = sum(min(n, other[word]) for word, n in bag.items() if word in other)
    return 2 * shared >= 0.8 * total


def _tier(unit: Unit) -> float:
    """How likely the unit is a real, rightly attributed quote (measured on PolNeAR train):
    full quotes with their own attribution ~97 %, long attributed fragments ~85 %, quotes that
    inherit a speaker ~70 %, short fragments ~40 %."""
    long = unit.words >= 8
    if unit.own and not unit.fragment:
        return 3.0 if long else 2.0
    if unit.own and 2 * unit.lead_in >= 3 * unit.words:
        return 0.4  # a phrase lifted out of a long paraphrase: the paraphrase is the point
    if unit.own:
        return 2.0 if long else (0.5 if unit.words >= MIN_FRAGMENT_WORDS else 0.2)
    named = unit.resolved is not None and unit.resolved.speaker is not None
    if not unit.fragment:
        return (1.5 if named else 1.2) if long else 0.8
    return 0.3
