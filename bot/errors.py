"""Every exception Newsdesk raises on purpose, in one hierarchy under `NewsdeskError`.

Why one module: a reader sees in one place what can go wrong, who raises it and who is meant to
catch it, and a caller can catch "anything of ours" (`NewsdeskError`) apart from bugs. Anything
that is not a `NewsdeskError` is a bug: it is logged with its traceback and the user hears a
generic sentence (`pipeline.unexpected`, `command.failed`). Messages a user may read come from
the catalogue (`bot.messages`); `LLMUnavailable` and `AnswerError` carry reasons for the log only.

    NewsdeskError
    ├── PipelineError        a page cannot be briefed (its kind and plain-words message)
    │   └── NoArticle        the page's own text is no article (a wall, a teaser, a shell)
    ├── BadInput             a value someone typed is not one we can use (plain words)
    ├── QueueFull            a command arrived while the work queue was full
    ├── Dropped              an auto-reply was pushed out of the full work queue
    ├── DeliveryFailed       Discord kept refusing one of our messages until the deadline
    ├── PoolClosed           the worker pool closed before the task ran
    ├── StorageError         a read or write of the database failed
    │   ├── SchemaTooNew     the database was written by a newer Newsdesk
    │   ├── SourceMissing    `migrate --from` names no SQLite file
    │   └── TargetNotEmpty   `migrate --from` would copy into a database that holds rows
    ├── StorageUnavailable   the database could not be opened at start
    ├── EndpointUnavailable  the metrics and health endpoint could not listen at start
    ├── LLMUnavailable       the LLM server gave no usable reply
    ├── AnswerError          the LLM's reply cannot be used at all
    └── LanguageDataError    a language folder of the text layer cannot be read
"""

from __future__ import annotations

from bot.messages import say
from bot.models import ErrorKind, Failure


class NewsdeskError(Exception):
    """Base of every exception raised on purpose; anything else reaching a handler is a bug."""


class PipelineError(NewsdeskError):
    """A step of the pipeline cannot go on with this page.

    Raised by: the fetch (`bot.network.fetch`, `bot.network.guard`), extraction
    (`bot.article.extract`) and the worker pool (`bot.runtime.workers`, for a timeout or a
    crashed worker). Caught by: `bot.runtime.pipeline.Pipeline`, which turns it into a
    `Failure` on the `Briefing` (so the cogs and the CLI never see it), and by the worker
    process, which sends kind and message over its pipe (exceptions are not pickled).
    """

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = ErrorKind(kind)
        self.message = message

    @property
    def failure(self) -> Failure:
        return Failure(self.kind, self.message)


class NoArticle(PipelineError):
    """The page's own text is no article: a wall, a teaser or an empty script shell.

    `amp_url` is the page's AMP version where it links one, which may hold the article.
    Raised by: `bot.article.extract.extract_article`. Caught by:
    `bot.runtime.analysis.analyse_page`, which hands `amp_url` to the pipeline (one more fetch,
    `bot.runtime.amp`) and answers the failure if the AMP version holds no better article.
    """

    def __init__(self, message: str, amp_url: str | None) -> None:
        super().__init__(ErrorKind.NOT_ARTICLE, message)
        self.amp_url = amp_url


class BadInput(NewsdeskError, ValueError):
    """A value a person typed (a time, a time zone) cannot be used; the message says why.

    Raised by: `bot.newsroom.schedule` (`parse_time`, `parse_timezone`) and
    `bot.storage.schedules.ScheduleStore.set`.
    Caught by: the `/newsdesk digest-schedule` command (`cogs.admin`), which shows the message
    privately. A `ValueError` too, so code that validates values can catch it as one.
    """


class QueueFull(NewsdeskError):
    """A slash command arrived while the work queue's waiting line was full.

    Raised by: `bot.runtime.workqueue.WorkQueue.run` for work that may not be dropped
    (commands). Caught by: the command error handler (`cogs.errors`, which shows `message`
    privately) and the link watcher (`cogs.watch`, which marks the message with ⏳).
    """

    def __init__(self, message: str | None = None) -> None:
        self.message = message or say("queue.busy")
        super().__init__(self.message)


class Dropped(NewsdeskError):
    """A waiting auto-reply was dropped to make room for a newer one (or had no room at all).

    Raised by: `bot.runtime.workqueue.WorkQueue.run` for droppable work (auto-replies).
    Caught by: `bot.runtime.service.BriefingService.brief_many` and, for attachments and pasted
    texts, `bot.discord_app.material.brief_wanted`: the item is counted and listed in
    `Batch.dropped`, so the link watcher (`cogs.watch`) can log it and mark the message with ⏳
    like a rate-limited one.
    """


class DeliveryFailed(NewsdeskError):
    """Discord kept failing (5xx, 429, connection trouble) until the retry deadline passed.

    Raised by: `bot.discord_app.delivery.deliver` (the last failure is its `__cause__`, and
    `last`; None when the last try was cut off at the deadline). Caught by: the link watcher
    (`cogs.watch`, ⚠️ on the message and a warning in the log) and the interaction helpers in
    `bot.discord_app.delivery`, which resolve the interaction with a short failure.
    """

    def __init__(self, deadline: float, last: BaseException | None) -> None:
        self.last = last
        reason = f"last: {last}" if last is not None else "the last try was cut off"
        super().__init__(f"Discord did not take the message within {deadline:g} s ({reason})")


class PoolClosed(NewsdeskError, RuntimeError):
    """The worker pool was closed before (or while) the task ran; nothing will run it.

    Raised by: `bot.runtime.workers.WorkerPool.run` during shutdown. Caught by:
    `bot.runtime.pipeline.Pipeline`, which answers `pipeline.shutting_down` without a
    traceback in the log (a restart is expected, not a bug).
    """

    def __init__(self) -> None:
        super().__init__("The worker pool is closed.")


class StorageError(NewsdeskError):
    """A read or write of the database failed: locked by another process past the busy
    timeout, disk full, a corrupt file, the database already closed. Every engine error reaches
    callers as this, so no driver's exception type leaks out of `bot.storage`.

    Raised by: every `bot.storage` database call (`bot.storage.sqlite`, `bot.storage.postgres`,
    and `bot.storage.placeholders` for a statement that ends inside a literal). Caught by: the
    stores
    that can do without the data — the cache (a miss; an unstored briefing), the answered-mark
    (`Store.mark_answered`), the sweep (`bot.storage.maintenance`) — and by
    `bot.discord_app.shares` (a share not archived), `bot.llm.switch` (the LLM switch reads as
    off, a budget count unsaved) and `NewsdeskBot.setup_hook` (→ `StorageUnavailable`).
    """


class SchemaTooNew(StorageError):
    """The database's schema version is newer than this Newsdesk's migrations: refusing beats
    half-understanding it.

    Raised by: `bot.storage.migrations.migrate` when the database opens. Caught by:
    `NewsdeskBot.setup_hook`, as a `StorageError` (→ `StorageUnavailable`, exit status 2).
    """


class SourceMissing(StorageError):
    """The SQLite file `newsdesk migrate --from` should copy does not exist (nothing is created
    in its place).

    Raised by: `bot.storage.transfer.copy_sqlite_to_postgres`. Caught by: `bot.cli.main`
    (`migrate`), which says so in one line and exits with status 2.
    """


class TargetNotEmpty(StorageError):
    """The PostgreSQL database `newsdesk migrate --from` should copy into already holds rows;
    `tables` says where (table → rows). Nothing is changed.

    Raised by: `bot.storage.transfer.copy_sqlite_to_postgres`. Caught by: `bot.cli.main`
    (`migrate`), which names the tables and exits with status 2.
    """

    def __init__(self, tables: dict[str, int]) -> None:
        self.tables = tables
        super().__init__(", ".join(f"{name} {count}" for name, count in tables.items()))


class StorageUnavailable(NewsdeskError):
    """The database could not be opened when the bot started.

    Raised by: `bot.discord_app.client.NewsdeskBot.setup_hook`. Caught by: `run_bot`, which
    prints its message and exits with status 2, so the operator hears "database", not
    "Discord unreachable".
    """


class EndpointUnavailable(NewsdeskError):
    """The operators' endpoint (`NEWSDESK_METRICS_ADDR`) could not listen: port taken, bad host.

    Raised by: `bot.ops.server.OpsServer.start`, from `NewsdeskBot.setup_hook`. Caught by:
    `run_bot`, which prints its message and exits with status 2 (a setting to fix, not a
    Discord problem).
    """


class LLMUnavailable(NewsdeskError):
    """The LLM server gave no usable reply; `reason` says why, in words safe to log.

    Raised by: `bot.llm.client.ChatClient`. Caught by: `bot.llm.briefer.LLMBriefer`, which
    falls back to the extractive briefing (users never see the reason).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AnswerError(NewsdeskError, ValueError):
    """The LLM's answer cannot be used at all; the message is the fallback reason for the log.

    Raised by: `bot.llm.verify.parse_answer`. Caught by: `bot.llm.briefer.LLMBriefer`, which
    falls back to the extractive briefing.
    """


class LanguageDataError(NewsdeskError, ValueError):
    """A folder of the language registry (`bot/text/data/languages/`) cannot be read; the
    message names the file and the field, for whoever edited it (never shown to users).

    Raised by: `bot.text.languages` when the registry loads (on the first step that reads
    prose) and by `load_language`.
    Caught by: nothing on purpose: broken data shipped with the bot is a bug, not a page to
    skip; `tests/text/test_languages.py` loads every folder so it cannot ship.
    """


class NotRegularFile(NewsdeskError, OSError):
    """A FIFO, a device or a socket was named as a saved page: reading it could wait forever
    for a writer.

    Raised by `bot.cli.main` (checked on the open descriptor). Caught by the CLI's reader, which
    reports that file and goes on with the batch.
    """


class TimeLimitExceeded(NewsdeskError):
    """A block ran past its CPU-time limit (raised once the block has been left).

    Raised by `bot.timelimit.time_limit`. Caught by the pipeline's per-page limit, which turns
    it into a clear failure for that page.
    """
