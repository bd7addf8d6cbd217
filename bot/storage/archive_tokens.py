"""The archive's words as FTS5 sees them, and FTS5's own bm25 computed from them.

Why this exists (issue 16): FTS5's `bm25()` counts, for every word of a query, how many rows
of the whole table hold it — a walk over the word's entire doclist on every search, 150 ms for
"said" at a million briefings — and it can only score rows of the table it is called on. A
search that should cost what the asking server's matches cost cannot use it. So we keep what
bm25 needs beside the index, maintained on every write, and compute FTS5's formula ourselves:

- each article's tokens, per column, exactly as the archive's tokenizer makes them
  (`archive_tokens`, JSON arrays; `length` is the document length bm25 uses);
- for each token, how many articles hold it (`archive_terms`, kept by triggers on
  `archive_tokens`);
- the table's row count and total length, which FTS5 itself keeps in its averages record.

The tokens come from FTS5: an in-memory FTS5 table with the archive's tokenizer (one per
thread) and its `fts5vocab` instance view, so stemming, case and diacritic folding are FTS5's
own and can never drift from the index. `bm25()` below follows FTS5's code operation by
operation, so a score is the very float FTS5 would return (tests/storage/test_archive_rank.py
compares them bit for bit).
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

# The tokenizer `archive_fts` was created with (migration 5). The helper below must use the
# very same one, or the tokens would not be the index's.
TOKENIZER: Final = "porter unicode61 remove_diacritics 2"
COLUMNS: Final = ("headline", "briefing", "quotes", "speakers")
WEIGHTS: Final = (4.0, 1.0, 2.0, 3.0)  # bm25 column weights, in COLUMNS order
K1: Final = 1.2  # FTS5's bm25 constants (fts5_aux.c)
B: Final = 0.75
MAX_PHRASES: Final = 16  # as many chunks as a query may have (archive_fts.fts_query)
SQL_FUNCTION: Final = "newsdesk_fts_tokens"


class _Tokenizer:
    """An in-memory, contentless FTS5 table with the archive's tokenizer: insert one row,
    read its tokens back in order from `fts5vocab`, empty it again."""

    def __init__(self, columns: int) -> None:
        self._columns = columns
        self._db = sqlite3.connect(":memory:", isolation_level=None)
        names = ", ".join(f"c{i}" for i in range(columns))
        self._db.execute(
            f"CREATE VIRTUAL TABLE t USING fts5({names}, content='', tokenize='{TOKENIZER}')"
        )
        self._db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        self._insert = f"INSERT INTO t (rowid, {names}) VALUES (1, {', '.join('?' * columns)})"
        self._last: tuple[tuple[str, ...], list[list[str]]] | None = None

    def tokens(self, texts: Sequence[str | None]) -> list[list[str]]:
        key = tuple(t or "" for t in texts)
        if self._last is not None and self._last[0] == key:  # SQL asks once per column
            return self._last[1]
        if len(key) > self._columns:
            raise ValueError(f"at most {self._columns} texts at once")
        padded = key + ("",) * (self._columns - len(key))
        self._db.execute(self._insert, padded)
        try:
            found = self._db.execute("SELECT col, offset, term FROM v").fetchall()
        finally:
            self._db.execute("INSERT INTO t (t) VALUES ('delete-all')")
        columns: list[list[tuple[int, str]]] = [[] for _ in key]
        for col, offset, term in found:
            columns[int(col[1:])].append((offset, term))
        result = [[term for _, term in sorted(column)] for column in columns]
        self._last = (key, result)
        return result


_local = threading.local()


def tokenize(texts: Sequence[str | None]) -> list[list[str]]:
    """Each text's tokens, in order, exactly as the archive's FTS5 index holds them."""
    columns = len(COLUMNS) if len(texts) <= len(COLUMNS) else MAX_PHRASES
    helpers: dict[int, _Tokenizer] = _local.__dict__.setdefault("helpers", {})
    helper = helpers.get(columns)
    if helper is None:
        helper = helpers[columns] = _Tokenizer(columns)
    return helper.tokens(texts)


def _sql_tokens(
    headline: str | None, briefing: str | None, quotes: str | None, speakers: str | None, part: int
) -> str | int:
    """`newsdesk_fts_tokens(headline, briefing, quotes, speakers, part)`: column `part`'s tokens
    as a JSON array, or with part -1 the document's length in tokens."""
    columns = tokenize((headline, briefing, quotes, speakers))
    if part == -1:
        return sum(len(c) for c in columns)
    return json.dumps(columns[part], ensure_ascii=False, separators=(",", ":"))


def register(db: sqlite3.Connection) -> None:
    """Give a connection the SQL function the archive's writes and migration 8 call."""
    db.create_function(SQL_FUNCTION, 5, _sql_tokens, deterministic=True)


@dataclass(frozen=True, slots=True)
class Phrase:
    """One phrase of a query (one chunk the user typed), as tokens; `prefix`: the last token
    matches any token it begins."""

    tokens: tuple[str, ...]
    prefix: bool

    @property
    def simple(self) -> bool:
        """One whole token: its article count is kept in `archive_terms`."""
        return len(self.tokens) == 1 and not self.prefix

    def pattern(self) -> str:
        """The phrase as it appears inside a JSON array of tokens (`"e","bike"`)."""
        text = '"' + '","'.join(self.tokens)
        return text if self.prefix else text + '"'

    def count_in(self, column: str) -> int:
        """Instances of the phrase in one column's JSON tokens, overlapping ones included, as
        FTS5 counts them. A match can only start at a token's opening quote: a closing quote
        is followed by "," or "]", which no token begins with."""
        pattern = self.pattern()
        if len(self.tokens) == 1:
            return column.count(pattern)  # a quote starts each match: they cannot overlap
        found, at = 0, column.find(pattern)
        while at >= 0:
            found += 1
            at = column.find(pattern, at + 1)
        return found


def phrases(chunks: Sequence[tuple[str, bool]]) -> list[Phrase]:
    """The query's chunks (their words joined by spaces, and whether they end in `*`) as
    FTS5 tokenizes them in a MATCH."""
    tokens = tokenize([words for words, _ in chunks])
    return [Phrase(tuple(t), prefix) for t, (_, prefix) in zip(tokens, chunks, strict=True)]


# -- bm25 as FTS5 computes it ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Totals:
    """FTS5's averages record: rows in the table and tokens in each column."""

    rows: int
    tokens: int

    @classmethod
    def decode(cls, record: bytes | None) -> Totals:
        """The record FTS5 keeps at id 1 of `<table>_data`: SQLite varints, the row count
        then one total per column (fts5_index.c, sqlite3Fts5IndexGetAverages)."""
        values = _varints(record or b"")
        return cls(rows=values[0] if values else 0, tokens=sum(values[1:]))


def _varints(data: bytes) -> list[int]:
    values, at = [], 0
    while at < len(data):
        value = 0
        for n in range(9):
            byte = data[at]
            at += 1
            if n == 8:  # the ninth byte carries eight bits
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        values.append(value)
    return values


def idf(rows: int, hits: int) -> float:
    """FTS5's inverse document frequency, floored at 1e-6 for words in half the rows or more."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return 1e-6 if value <= 0.0 else value


def bm25(frequencies: Sequence[float], length: int, idfs: Sequence[float], totals: Totals) -> float:
    """FTS5's `bm25()` for one row: `frequencies[i]` is phrase i's weighted instance count."""
    avgdl = float(totals.tokens) / float(totals.rows)
    D = float(length)
    score = 0.0
    for frequency, weight in zip(frequencies, idfs, strict=True):
        score += weight * ((frequency * (K1 + 1.0)) / (frequency + K1 * (1 - B + B * D / avgdl)))
    return -1.0 * score


def frequencies(columns: Sequence[str], query: Sequence[Phrase]) -> list[float]:
    """Each phrase's instances in an article's JSON token columns, weighted by column."""
    result = []
    for phrase in query:
        frequency = 0.0
        for weight, column in zip(WEIGHTS, columns, strict=True):
            frequency += weight * phrase.count_in(column)
        result.append(frequency)
    return result


__all__ = [
    "COLUMNS",
    "SQL_FUNCTION",
    "TOKENIZER",
    "WEIGHTS",
    "Phrase",
    "Totals",
    "bm25",
    "frequencies",
    "idf",
    "phrases",
    "register",
    "tokenize",
]
