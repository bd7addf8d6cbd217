"""Every table the bot keeps, as one numbered list of migrations applied in order on start.

Why one list: a database file must be upgradable from any earlier Newsdesk to this one, so the
schema is the sum of its steps, each applied once and counted in the database itself (SQLite:
`PRAGMA user_version`). A later feature appends a step; an old step is never edited.

Steps 1-3 are the migrations the bot always had. Until steps 4-6, the cache, the archive and
the digest schedules created their tables with `CREATE TABLE IF NOT EXISTS` when they opened,
outside any numbering; those statements became steps 4-6 unchanged, so a file written by that
code (version 3, with those tables already there) upgrades in place: the steps find the tables
and leave them and their rows alone, then count themselves.

Each step has its statements per SQL dialect: `sqlite` and `postgresql` (BIGINT ids, DOUBLE
PRECISION times, `tsvector` instead of FTS5, the version in a table instead of `user_version`),
under the same numbers, so a database copied from one engine to the other knows where it
stands. A new step brings both forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.messages import say
from bot.storage.database import Database, SchemaTooNew


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: `version` is the schema version a database has once it is applied."""

    version: int
    name: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...] = ()

    def statements(self, dialect: str) -> tuple[str, ...]:
        forms = {"sqlite": self.sqlite, "postgresql": self.postgresql}
        statements = forms.get(dialect)
        if not statements:
            raise NotImplementedError(f"migration {self.version} has no {dialect} form")
        return statements


def _json_terms(row: str) -> str:
    """The distinct tokens of an `archive_tokens` row (`new` or `old` in a trigger)."""
    return " UNION ".join(
        f"SELECT value FROM json_each({row}.{column})"
        for column in ("headline", "briefing", "quotes", "speakers")
    )


def _has_pattern(row: str) -> str:
    """A phrase's pattern occurs in one of the row's token arrays (archive_tokens.Phrase)."""
    return " OR ".join(
        f"instr({row}.{column}, pattern) > 0"
        for column in ("headline", "briefing", "quotes", "speakers")
    )


# Step 8 (issue 16; read by bot/storage/archive_fts.py and archive_tokens.py). What an
# archive already holds is indexed from its stored rows: every server's scope rows from the
# shares and `archive_fts`'s text, the tokens by the SQLite backend's `newsdesk_fts_tokens`
# (the archive's own tokenizer), the word counts by `fts5vocab` over `archive_fts`; the
# triggers that keep the counts come last, so the rebuild counts each word once.
_ARCHIVE_SCOPE_SQLITE: Final = (
    """
    CREATE TABLE archive_guild_slots (
        guild_id INTEGER PRIMARY KEY,
        slot     INTEGER NOT NULL UNIQUE
    )
    """,
    """
    CREATE TABLE archive_tokens (
        article_id INTEGER PRIMARY KEY,
        length     INTEGER NOT NULL,
        headline   TEXT NOT NULL,
        briefing   TEXT NOT NULL,
        quotes     TEXT NOT NULL,
        speakers   TEXT NOT NULL
    )
    """,
    "CREATE TABLE archive_terms (term TEXT PRIMARY KEY, articles INTEGER NOT NULL) WITHOUT ROWID",
    # Article counts of the phrases searched lately that are not one whole word ("U.S.",
    # `elect*`), by their pattern in the token arrays; kept by the same triggers. `generation`
    # moves with every change of the index, so a count made by a search is stored only if
    # nothing changed since it was made.
    """
    CREATE TABLE archive_phrases (
        id       INTEGER PRIMARY KEY,
        pattern  TEXT NOT NULL UNIQUE,
        articles INTEGER NOT NULL
    )
    """,
    "CREATE TABLE archive_index_state (generation INTEGER NOT NULL)",
    "INSERT INTO archive_index_state (generation) VALUES (0)",
    # Same columns and tokenizer as archive_fts, so a MATCH means the same on both; no content
    # (it is archive_fts's) and no document sizes (bm25 reads archive_tokens).
    "CREATE VIRTUAL TABLE archive_scope USING fts5("
    "headline, briefing, quotes, speakers, content = '', columnsize = 0, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO archive_guild_slots (guild_id, slot) "
    "SELECT guild_id, row_number() OVER (ORDER BY guild_id) "
    "FROM (SELECT DISTINCT guild_id FROM archive_shares)",
    "INSERT INTO archive_tokens (article_id, length, headline, briefing, quotes, speakers) "
    "SELECT rowid, "
    + ", ".join(
        f"newsdesk_fts_tokens(headline, briefing, quotes, speakers, {part})"
        for part in range(-1, 4)
    )
    + " FROM archive_fts",
    "CREATE VIRTUAL TABLE temp.archive_fts_rows USING fts5vocab(main, archive_fts, row)",
    "INSERT INTO archive_terms (term, articles) SELECT term, doc FROM temp.archive_fts_rows",
    "DROP TABLE temp.archive_fts_rows",
    # archive_fts's text read from its content table (FTS5's documented `_content`, columns
    # c0..c3 in archive_fts's column order): a b-tree lookup per row, not an FTS5 cursor.
    "INSERT INTO archive_scope (rowid, headline, briefing, quotes, speakers) "
    "SELECT (g.slot << 32) | f.id, f.c0, f.c1, f.c2, f.c3 "
    "FROM (SELECT DISTINCT guild_id, article_id FROM archive_shares) p "
    "JOIN archive_guild_slots g ON g.guild_id = p.guild_id "
    "JOIN archive_fts_content f ON f.id = p.article_id",
    f"""
    CREATE TRIGGER archive_tokens_counted AFTER INSERT ON archive_tokens BEGIN
        INSERT INTO archive_terms (term, articles)
        SELECT value, 1 FROM ({_json_terms("new")}) WHERE true
        ON CONFLICT (term) DO UPDATE SET articles = articles + 1;
        UPDATE archive_phrases SET articles = articles + 1 WHERE {_has_pattern("new")};
        UPDATE archive_index_state SET generation = generation + 1;
    END
    """,
    f"""
    CREATE TRIGGER archive_tokens_uncounted AFTER DELETE ON archive_tokens BEGIN
        UPDATE archive_terms SET articles = articles - 1 WHERE term IN ({_json_terms("old")});
        DELETE FROM archive_terms WHERE articles <= 0 AND term IN ({_json_terms("old")});
        UPDATE archive_phrases SET articles = articles - 1 WHERE {_has_pattern("old")};
        UPDATE archive_index_state SET generation = generation + 1;
    END
    """,
)

# Step 5's full-text search on PostgreSQL (read by bot/storage/archive_tsvector.py): the text of
# each article with its weighted `tsvector` once (`archive_fts`), and the vector again for each
# server that shared the article (`archive_search`), under a GIN index on (server, vector) — so
# a search walks only the asking server's matches. The `newsdesk` configuration stems English
# (Snowball, no stop words: like SQLite's porter tokenizer, "and" is a word to search for) and
# folds diacritics (unaccent), so "Jose" finds "José". unaccent and btree_gin ship with
# PostgreSQL and are trusted extensions: the database's owner may create them.
_ARCHIVE_SEARCH_POSTGRESQL: Final = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE TEXT SEARCH DICTIONARY newsdesk_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION newsdesk (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION newsdesk ALTER MAPPING FOR "
    "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, newsdesk_stem",
    """
    CREATE TABLE archive_fts (
        article_id BIGINT PRIMARY KEY,
        headline   TEXT NOT NULL,
        briefing   TEXT NOT NULL,
        quotes     TEXT NOT NULL,
        speakers   TEXT NOT NULL,
        document   TSVECTOR NOT NULL
    )
    """,
    """
    CREATE TABLE archive_search (
        guild_id   BIGINT NOT NULL,
        article_id BIGINT NOT NULL,
        document   TSVECTOR NOT NULL,
        PRIMARY KEY (guild_id, article_id)
    )
    """,
    "CREATE INDEX archive_search_match ON archive_search USING gin (guild_id, document)",
    "CREATE INDEX archive_search_article ON archive_search (article_id)",
)

MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "channel modes",
        sqlite=(
            """
            CREATE TABLE channel_modes (
                channel_id INTEGER PRIMARY KEY,
                guild_id   INTEGER NOT NULL,
                mode       TEXT    NOT NULL CHECK (mode IN ('auto', 'react', 'off')),
                updated_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
            )
            """,
            "CREATE INDEX channel_modes_guild ON channel_modes (guild_id)",
        ),
        # Times kept as text stay text, in the form SQLite's CURRENT_TIMESTAMP writes (UTC).
        postgresql=(
            """
            CREATE TABLE channel_modes (
                channel_id BIGINT PRIMARY KEY,
                guild_id   BIGINT NOT NULL,
                mode       TEXT   NOT NULL CHECK (mode IN ('auto', 'react', 'off')),
                updated_at TEXT   NOT NULL
                    DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            )
            """,
            "CREATE INDEX channel_modes_guild ON channel_modes (guild_id)",
        ),
    ),
    Migration(
        2,
        "per-server LLM switch and the persisted daily LLM budget",
        sqlite=(
            """
            CREATE TABLE guild_settings (
                guild_id    INTEGER PRIMARY KEY,
                llm_enabled INTEGER NOT NULL DEFAULT 0 CHECK (llm_enabled IN (0, 1)),
                updated_at  TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
            )
            """,
            """
            CREATE TABLE llm_budget (
                guild_id INTEGER PRIMARY KEY,
                day      TEXT    NOT NULL,
                used     INTEGER NOT NULL
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE guild_settings (
                guild_id    BIGINT  PRIMARY KEY,
                llm_enabled INTEGER NOT NULL DEFAULT 0 CHECK (llm_enabled IN (0, 1)),
                updated_at  TEXT    NOT NULL
                    DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            )
            """,
            """
            CREATE TABLE llm_budget (
                guild_id BIGINT  PRIMARY KEY,
                day      TEXT    NOT NULL,
                used     INTEGER NOT NULL
            )
            """,
        ),
    ),
    Migration(
        3,
        "answered messages, so a 📰 after a restart does not brief one twice",
        sqlite=(
            """
            CREATE TABLE answered_messages (
                message_id  INTEGER PRIMARY KEY,
                answered_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE answered_messages (
                message_id  BIGINT PRIMARY KEY,
                answered_at TEXT   NOT NULL
                    DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            )
            """,
        ),
    ),
    # Steps 4-6 may find their tables already made by the code before them: IF NOT EXISTS.
    Migration(
        4,
        "briefing cache",
        sqlite=(
            """
            CREATE TABLE IF NOT EXISTS briefing_cache (
                key        TEXT PRIMARY KEY,
                record     TEXT NOT NULL,
                ok         INTEGER NOT NULL,
                fetched_at REAL NOT NULL
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE briefing_cache (
                key        TEXT PRIMARY KEY,
                record     TEXT NOT NULL,
                ok         INTEGER NOT NULL,
                fetched_at DOUBLE PRECISION NOT NULL
            )
            """,
        ),
    ),
    Migration(
        5,
        "archive of shared briefings with full-text search",
        sqlite=(
            """
            CREATE TABLE IF NOT EXISTS archive_articles (
                id         INTEGER PRIMARY KEY,
                url        TEXT NOT NULL UNIQUE,
                headline   TEXT,
                site       TEXT,
                published  TEXT,
                byline     TEXT,
                lede       TEXT NOT NULL DEFAULT '',
                briefing   TEXT NOT NULL DEFAULT '[]',
                quotes     TEXT NOT NULL DEFAULT '[]',
                updated_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS archive_aliases (
                url        TEXT PRIMARY KEY,
                article_id INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS archive_shares (
                id         INTEGER PRIMARY KEY,
                article_id INTEGER NOT NULL,
                guild_id   INTEGER NOT NULL,
                channel_id INTEGER NOT NULL,
                message_id INTEGER NOT NULL,
                jump_url   TEXT NOT NULL,
                poster_id  INTEGER NOT NULL,
                shared_at  REAL NOT NULL,
                UNIQUE (message_id, article_id)
            )
            """,
            "CREATE INDEX IF NOT EXISTS archive_shares_channel "
            "ON archive_shares (guild_id, channel_id, shared_at)",
            "CREATE INDEX IF NOT EXISTS archive_shares_article "
            "ON archive_shares (article_id, guild_id)",
            # Porter stemming so "resigns" finds "resigned"; diacritics folded so "Jose" finds
            # "José". Column order is the bm25 weight order in bot/storage/archive_fts.py.
            "CREATE VIRTUAL TABLE IF NOT EXISTS archive_fts USING fts5("
            "headline, briefing, quotes, speakers, "
            "tokenize = 'porter unicode61 remove_diacritics 2')",
        ),
        postgresql=(
            """
            CREATE TABLE archive_articles (
                id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                url        TEXT NOT NULL UNIQUE,
                headline   TEXT,
                site       TEXT,
                published  TEXT,
                byline     TEXT,
                lede       TEXT NOT NULL DEFAULT '',
                briefing   TEXT NOT NULL DEFAULT '[]',
                quotes     TEXT NOT NULL DEFAULT '[]',
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE archive_aliases (
                url        TEXT PRIMARY KEY,
                article_id BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE archive_shares (
                id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                article_id BIGINT NOT NULL,
                guild_id   BIGINT NOT NULL,
                channel_id BIGINT NOT NULL,
                message_id BIGINT NOT NULL,
                jump_url   TEXT NOT NULL,
                poster_id  BIGINT NOT NULL,
                shared_at  DOUBLE PRECISION NOT NULL,
                UNIQUE (message_id, article_id)
            )
            """,
            "CREATE INDEX archive_shares_channel "
            "ON archive_shares (guild_id, channel_id, shared_at)",
            "CREATE INDEX archive_shares_article ON archive_shares (article_id, guild_id)",
            *_ARCHIVE_SEARCH_POSTGRESQL,
        ),
    ),
    Migration(
        6,
        "daily digest schedules",
        sqlite=(
            """
            CREATE TABLE IF NOT EXISTS digest_schedules (
                guild_id   INTEGER NOT NULL,
                channel_id INTEGER NOT NULL,
                hour       INTEGER NOT NULL,
                minute     INTEGER NOT NULL,
                timezone   TEXT NOT NULL,
                created_at REAL NOT NULL,
                last_run   REAL,
                PRIMARY KEY (guild_id, channel_id)
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE digest_schedules (
                guild_id   BIGINT  NOT NULL,
                channel_id BIGINT  NOT NULL,
                hour       INTEGER NOT NULL,
                minute     INTEGER NOT NULL,
                timezone   TEXT    NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                last_run   DOUBLE PRECISION,
                PRIMARY KEY (guild_id, channel_id)
            )
            """,
        ),
    ),
    Migration(
        7,
        "indexes for the periodic sweep of expired cache rows and old answered messages",
        sqlite=(
            "CREATE INDEX briefing_cache_expiry ON briefing_cache (ok, fetched_at)",
            "CREATE INDEX answered_messages_age ON answered_messages (answered_at)",
        ),
        postgresql=(
            "CREATE INDEX briefing_cache_expiry ON briefing_cache (ok, fetched_at)",
            "CREATE INDEX answered_messages_age ON answered_messages (answered_at)",
        ),
    ),
    Migration(
        8,
        "archive search per server: scope index, stored tokens and word counts for bm25",
        sqlite=_ARCHIVE_SCOPE_SQLITE,
        # PostgreSQL's archive_search is per server since step 5: nothing to build.
        postgresql=("SELECT 1",),
    ),
    Migration(
        9,
        "work across processes: leases, shared rate limits, durable intake, shard watermarks",
        sqlite=(
            """
            CREATE TABLE work_leases (
                key        TEXT PRIMARY KEY,
                holder     TEXT NOT NULL,
                expires_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE rate_windows (
                key        TEXT PRIMARY KEY,
                times      TEXT NOT NULL,
                version    INTEGER NOT NULL,
                updated_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE intake_jobs (
                message_id INTEGER PRIMARY KEY,
                guild_id   INTEGER NOT NULL,
                channel_id INTEGER NOT NULL,
                shard_id   INTEGER NOT NULL,
                author_id  INTEGER NOT NULL,
                items      TEXT    NOT NULL,
                state      TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'done')),
                holder     TEXT    NOT NULL,
                created_at REAL    NOT NULL,
                updated_at REAL    NOT NULL
            )
            """,
            "CREATE INDEX intake_jobs_open ON intake_jobs (state, created_at)",
            """
            CREATE TABLE shard_watermarks (
                shard_count INTEGER NOT NULL,
                shard_id    INTEGER NOT NULL,
                message_id  INTEGER NOT NULL,
                updated_at  REAL    NOT NULL,
                PRIMARY KEY (shard_count, shard_id)
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE work_leases (
                key        TEXT PRIMARY KEY,
                holder     TEXT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE rate_windows (
                key        TEXT PRIMARY KEY,
                times      TEXT NOT NULL,
                version    INTEGER NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE intake_jobs (
                message_id BIGINT  PRIMARY KEY,
                guild_id   BIGINT  NOT NULL,
                channel_id BIGINT  NOT NULL,
                shard_id   INTEGER NOT NULL,
                author_id  BIGINT  NOT NULL,
                items      TEXT    NOT NULL,
                state      TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'done')),
                holder     TEXT    NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX intake_jobs_open ON intake_jobs (state, created_at)",
            """
            CREATE TABLE shard_watermarks (
                shard_count INTEGER NOT NULL,
                shard_id    INTEGER NOT NULL,
                message_id  BIGINT  NOT NULL,
                updated_at  DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (shard_count, shard_id)
            )
            """,
        ),
    ),
)


async def migrate(database: Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the steps this database has not seen yet; returns its version afterwards.

    All pending steps run in one write transaction that first reads the version: a second
    process starting at the same moment waits for the lock, then finds nothing left to do.
    """
    latest = len(migrations)
    for number, step in enumerate(migrations, start=1):
        if step.version != number:
            raise ValueError(f"migration {number} is numbered {step.version}")
    async with database.transaction() as tx:
        version = await tx.schema_version()
        if version > latest:
            raise SchemaTooNew(say("storage.schema_too_new", version=version, latest=latest))
        for step in migrations[version:]:
            for statement in step.statements(database.dialect):
                await tx.execute(statement)
            await tx.set_schema_version(step.version)
    return latest


__all__ = ["MIGRATIONS", "Migration", "migrate"]
