"""Every sentence a user reads, in one catalogue, keyed by what it is for.

Why one place: an editor who wants a message worded differently changes it here and nowhere
else, the same sentence is never written twice in two wordings, and the bot's own words can be
translated later by swapping this table. Keys are dotted (`area.what`); `{fields}` are filled
by `say`. A test checks that every key the code asks for exists and every entry is used.

What is here: failures and refusals, confirmations, fixed labels of embeds and buttons, slash
command and option descriptions, the command line's help and messages, and the bot's exit
lines. What is not: log lines (for the operator, in English), identifiers (command names, mode
names, JSON keys), and layout (bullets, separators, Discord mentions around a field).

Counts: a sentence that depends on a number has one entry per form (`…_one`, `…_many`); the
code picks the form, so a language with other plural rules needs a code change, not only data.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

CATALOGUE: Final[Mapping[str, str]] = MappingProxyType(
    {
        # --- Failures of one page: the `error.message` of a briefing (JSON, CLI, Discord) ---
        # The pipeline, when something other than the page itself went wrong.
        "pipeline.unexpected": "Something went wrong while reading this page.",
        "pipeline.shutting_down": "Newsdesk is restarting. Please try again in a moment.",
        "pipeline.timeout": "The page took too long to process.",
        "pipeline.failed": "The page could not be processed.",
        # The link itself, before anything is fetched (bot.network.guard).
        "link.not_web": "Only web links (http or https) can be opened.",
        "link.invalid": "This is not a valid web link.",
        "link.private_address": (
            "This link points to a private or internal network address, so it was not opened."
        ),
        "link.userinfo": (
            "This link hides its real destination behind a user name, so it was not opened."
        ),
        "link.numeric_host": (
            "This link gives the site as a bare number instead of a name, so it was not opened."
        ),
        "link.port": "This link uses port {port}, which Newsdesk does not open.",
        # Fetching (bot.network.fetch); {host} is the site's name as in the link.
        "fetch.the_site": "the site",
        "fetch.unknown_host": "Could not find the site {host}.",
        "fetch.unreachable": "Could not reach {host}.",
        "fetch.local_socket": "Local sockets are never opened.",
        "fetch.slow_answer": "{host} took too long to answer.",
        "fetch.slow_page": "{host} took too long to send the page.",
        "fetch.bad_certificate": (
            "{host} has an invalid security certificate, so it was not opened."
        ),
        "fetch.unreadable": "{host} sent an answer that could not be read.",
        "fetch.broken_connection": "The connection to {host} broke before the page arrived.",
        "fetch.too_many_redirects": (
            "The site sent too many redirects, so the page was not reached."
        ),
        "fetch.redirect_nowhere": "The site redirected to nowhere.",
        "fetch.redirect_invalid": "The site redirected to an invalid address.",
        "fetch.status": "The site answered {status} {phrase}.",
        "fetch.status_unknown": "The site answered with error {status}.",
        "fetch.not_html": "This link is {what}, not a web page.",
        "fetch.empty": "The page is empty.",
        "fetch.too_large": "The page is too large to read (over {size}).",
        "fetch.unknown_encoding": "The site sent the page in a form that could not be read.",
        "fetch.damaged": "The page arrived damaged.",
        "fetch.incomplete": "The page arrived incomplete.",
        # What a link that is not a web page is ("This link is a PDF, not a web page.").
        "filetype.pdf": "a PDF",
        "filetype.json": "JSON data",
        "filetype.text": "a plain text file",
        "filetype.csv": "a spreadsheet (CSV)",
        "filetype.zip": "a ZIP archive",
        "filetype.feed": "a news feed",
        "filetype.xml": "an XML file",
        "filetype.word": "a Word document",
        "filetype.image": "an image",
        "filetype.video": "a video",
        "filetype.audio": "an audio file",
        "filetype.office": "an office document",
        "filetype.other": "a file",
        # Extraction (bot.article.extract, bot.runtime.analysis).
        "article.no_text": "No article text was found on this page.",
        "article.teaser": (
            "Only a teaser of this article is available; the rest is behind a login or paywall."
        ),
        "article.not_html": "The page could not be read as HTML.",
        "article.too_large": "The page is too large to read ({size:.0f} MB).",
        # Walls: what the site showed instead of the article, then what the reporter can do.
        "walls.consent": (
            "The site showed a cookie-consent page instead of the article, and Newsdesk does "
            "not accept cookies on anyone's behalf."
        ),
        "walls.challenge_status": (
            "The site blocks automated readers: it answered {status} with an “are you a "
            "robot?” check instead of the article."
        ),
        "walls.challenge_page": (
            "The site showed an “are you a robot?” check instead of the article, so automated "
            "readers like Newsdesk cannot get in."
        ),
        "walls.login": "The site asks readers to log in before it shows this article.",
        "walls.paywall": (
            "Only a teaser of this article is public; the rest is behind the site's paywall."
        ),
        "walls.remedy": (
            "To brief it anyway, open it in your browser and paste the article's text into a "
            "message (or attach the saved page) and use “Brief this message”; an archived "
            "copy of the page may also work."
        ),
        "walls.remedy_account": (
            "If you have access, open it in your browser and paste the article's text into a "
            "message (or attach the saved page) and use “Brief this message”; an archived "
            "copy of the page may also work."
        ),
        # Files: attachments and local files.
        "files.too_large": "The file is too large to read (over {size}).",
        "files.unsupported": (
            "Newsdesk reads web pages (.html), text files (.txt) and PDFs; {name} is none of these."
        ),
        "files.slow": "{name} took too long to download from Discord.",
        "files.unreachable": "Could not download {name} from Discord.",
        "material.pasted_text": "the pasted text",
        "pdf.no_text": (
            "This PDF has no text layer (it looks like a scan or a picture of pages), so there "
            "is nothing to brief. Paste its text into a message instead."
        ),
        "pdf.encrypted": "This PDF is password-protected, so its text could not be read.",
        "pdf.broken": "This PDF could not be read; it may be damaged.",
        # A failure without its own message, by kind (bot.discord_app.render).
        "failure.fetch": "I could not reach that site.",
        "failure.http_status": "The site answered with an error instead of the article.",
        "failure.not_html": "That link is not a web page I can read.",
        "failure.too_large": "That page is too large for me to read.",
        "failure.timeout": "The site took too long to answer.",
        "failure.blocked": "That address is not allowed.",
        "failure.not_article": "That page does not look like an article.",
        "failure.extraction": "I could not read the article on that page.",
        # A failed briefing as a chat message.
        "failure.of_link": "I couldn't brief <{link}>: {reason}",
        "failure.of_source": "I couldn't brief that link: {reason}",
        "failure.of_file": "I couldn't brief {name}: {reason}",
        # --- A briefing as people see it (embed, CLI) ---
        "briefing.untitled": "Article",
        "briefing.key_quotes": "Key quotes",
        "briefing.unattributed": "unattributed",
        "briefing.reading_time": "{minutes} min read",
        "briefing.method": "briefing: {method}",
        "briefing.llm_method": "{model}, checked",
        "quotes.title": "Quotes: {headline}",
        "quotes.shown": "{shown} of {total} quotes shown",
        "delete.label": "Delete",
        "delete.not_allowed": "Only the person who shared the link or a moderator can delete this.",
        "preview.label": (
            "The site's own preview, as Discord shows it, not a briefing: Newsdesk could not "
            "read the article."
        ),
        # Where a briefing's text came from, when not from the page as shown (footers).
        "source.structured_data": "text from the page's structured data",
        "source.amp": "text from the page's AMP version",
        "source.pdf": "text from the PDF",
        "source.text": "from plain text",
        # --- Load: the work queue and the rate limits ---
        "queue.busy": "Newsdesk is busy right now. Please try again in a minute.",
        "delivery.failed": (
            "I couldn't post the answer: Discord is having trouble right now. "
            "Please try again in a minute."
        ),
        "throttle.try_again_one": (
            "You've asked for a lot of briefings in the last minute. Try again in {wait} second."
        ),
        "throttle.try_again_many": (
            "You've asked for a lot of briefings in the last minute. Try again in {wait} seconds."
        ),
        # --- Any slash command (the error handler, cogs.errors) ---
        "command.need_permission": "You need the {permission} permission to do this.",
        "command.server_only": "This works only in a server.",
        "command.cooldown": "Slow down a little: try again in {seconds:.0f} seconds.",
        "command.not_here": "You can't use this command here.",
        "command.bad_option": (
            "I couldn't understand one of the options. Please check it and try again."
        ),
        "command.failed": "Something went wrong on my side. Please try again in a moment.",
        "option.channel": "Another channel (default: this one)",
        # --- /brief, /quotes, "Brief this message" ---
        "brief.description": "Brief one article: headline, quotes, summary",
        "brief.option.url": "The article's address",
        "brief.option.public": "Show the briefing to everyone",
        "brief.option.refresh": (
            "Fetch the article again instead of using the stored briefing (Manage Messages)"
        ),
        "brief.context_menu": "Brief this message",
        "brief.quotes_description": "Every direct quote in an article, with speaker",
        "brief.not_a_link": (
            "That doesn't look like a web address. Paste a full link starting with https://."
        ),
        "brief.no_links": (
            "I found nothing to brief in that message: no article link, no attached page, "
            "text or PDF, and no pasted article."
        ),
        "brief.no_quotes": "I found no direct quotes in that article.",
        "brief.shared": "Shared with the channel below.",
        "brief.refresh_refused": (
            "Only members with the Manage Messages permission can refresh a briefing. "
            "Leave out `refresh` to get the stored one."
        ),
        # --- /newsdesk (cogs.admin) ---
        "admin.description": "Settings for this server's channels.",
        "admin.mode_description": "Choose what Newsdesk does with links here",
        "admin.option.mode": "auto, react or off",
        "admin.mode.auto": "I reply to every article link with a briefing.",
        "admin.mode.react": "I mark article links with 📰; add 📰 yourself to get the briefing.",
        "admin.mode.off": "I stay silent here; /brief still works.",
        "admin.mode.idle": (
            "Idle for now: this bot runs without Discord's Message Content intent, so it cannot "
            "read the links people post. Mention the bot in a message with the link, or use "
            "/brief or “Brief this message”."
        ),
        "admin.mode_set": "Newsdesk mode for <#{channel}> is now **{mode}**. {help}",
        "admin.status_description": "Show Newsdesk's mode here and its version",
        "admin.status": (
            "Newsdesk {version} · mode in <#{channel}>: **{mode}**{origin}. {help} {llm}"
        ),
        "admin.origin_parent": " (from <#{parent}>)",
        "admin.origin_default": " (the default)",
        "admin.llm_description": "Turn checked LLM briefings on or off here",
        "admin.option.llm_state": "on: checked LLM bullets when they pass; off: extractive only",
        "admin.forget_description": "Remove an article from this server's archive",
        "admin.option.forget_url": "The article's address (as shared, or its canonical address)",
        "admin.forgotten_one": (
            "Forgotten: <{link}> ({count} share) no longer shows up in search or digests."
        ),
        "admin.forgotten_many": (
            "Forgotten: <{link}> ({count} shares) no longer shows up in search or digests."
        ),
        "admin.not_archived": (
            "<{link}> is not in this server's archive, so there was nothing to forget."
        ),
        "admin.schedule_description": "Post a daily digest, or stop it",
        "admin.option.time": "24-hour HH:MM (e.g. 18:00), or off to stop",
        "admin.option.timezone": "Area/City, e.g. Europe/Berlin",
        "admin.schedule_off": "The daily digest for <#{channel}> is off.",
        "admin.schedule_was_off": "<#{channel}> had no daily digest; nothing changed.",
        "admin.schedule_needs_timezone": (
            "Add a time zone too, for example `timezone: Europe/Berlin`, so the digest comes at "
            "your local time."
        ),
        "admin.schedule_set": (
            "Every day at **{time}** I'll post a digest of the last 24 hours in <#{channel}> "
            "(skipped on days nothing was shared). "
            "Turn it off with `/newsdesk digest-schedule time: off`."
        ),
        # Times and zones typed by a person (bot.newsroom.schedule).
        "schedule.not_a_time": "“{text}” is not a time; use 24-hour HH:MM, for example 18:00.",
        "schedule.not_a_time_of_day": "“{text}” is not a time of day; use 00:00 to 23:59.",
        "schedule.time_range": "The time must be between 00:00 and 23:59.",
        "schedule.unknown_timezone": (
            "“{name}” is not a time zone I know; use an Area/City name such as Europe/Berlin."
        ),
        # --- Optional LLM briefings (/newsdesk llm, /newsdesk status) ---
        "llm.not_configured": (
            "No LLM backend is configured for this bot, so briefings stay extractive (sentences "
            "taken from the article). The bot's operator can set one up with "
            "NEWSDESK_LLM_BASE_URL and NEWSDESK_LLM_MODEL."
        ),
        "llm.switched_on": (
            "LLM briefings are now **on** for this server (model: {model}). Every bullet is "
            "checked against the article (quotes word for word, names and numbers present); "
            "when the checks fail, you get the extractive briefing instead. The footer of each "
            "briefing says which one it is."
        ),
        "llm.switched_off": (
            "LLM briefings are now **off** for this server: briefings are extractive, made of "
            "sentences taken from the article."
        ),
        "llm.status_unconfigured": "LLM briefings: not configured.",
        "llm.status_on": "LLM briefings: **on** ({model}, checked).",
        "llm.status_off": "LLM briefings: **off** (`/newsdesk llm on` to use them).",
        # --- /digest and scheduled digests ---
        "digest.description": "What this channel shared, by story",
        "digest.option.hours": "How far back to look (default 24)",
        "digest.option.public": "Show the digest to everyone",
        "digest.cannot_see": "You can't see that channel, so I can't show its digest to you.",
        "digest.this_channel": "this channel",
        "digest.empty": (
            "Nothing was shared in {where} in the last {window}, so there is no digest."
        ),
        "digest.header": (
            "**Digest for {where}**, last {window}: {articles} shared {times}, {stories}."
        ),
        "digest.showing_top": " Showing the top {count}.",
        "digest.posts": "Shared here",
        "digest.more": "+{count} more",
        "digest.outlets": "{count} outlets: {names}",
        "count.article_one": "{count} article",
        "count.article_many": "{count} articles",
        "count.time_one": "{count} time",
        "count.time_many": "{count} times",
        "count.story_one": "{count} story",
        "count.story_many": "{count} stories",
        "count.hour_one": "{count} hour",
        "count.hour_many": "{count} hours",
        "count.hours_fraction": "{hours:g} hours",
        "count.days": "{count} days",
        # --- /search ---
        "search.description": "Search the articles shared in this server",
        "search.option.query": "Words from the headline, summary or a quote, or a speaker's name",
        "search.option.channel": "Only this channel",
        "search.option.days": "Only shares from the last N days",
        "search.no_words": "Type a few words to search for, such as a name or a word from a quote.",
        "search.too_common": (
            "Words like “the” and single letters are in nearly every article, so they are not "
            "searched on their own. Add a name or a rarer word to “{query}”."
        ),
        "search.no_results": (
            "I found nothing matching “{query}” in the articles shared in channels you can see."
        ),
        "search.title": "Search: {query}",
        "search.showing": "Showing {shown} of {total} matches.",
        "search.published": "published {date}",
        "search.shared": "shared {when} in <#{channel}>",
        "search.jump": "jump to the post",
        # --- The command line ---
        "cli.description": "Article briefings for newsrooms, on Discord and here.",
        "cli.help.brief": "brief articles from URLs or saved files",
        "cli.help.sources": "http(s) URL or file path",
        "cli.help.json": "JSON Lines, one object per SOURCE",
        "cli.help.text": "SOURCEs are UTF-8 text files, one paragraph per line",
        "cli.help.extractive": "never use the configured LLM backend: extractive briefings only",
        "cli.help.workers": "extract in N worker processes (default 0: in this process)",
        "cli.help.run": "run the Discord bot (token from DISCORD_TOKEN or .env)",
        "cli.workers_not_a_number": "not a whole number: {value!r}",
        "cli.workers_negative": "must be 0 (in this process) or more",
        "cli.not_regular_file": "not a regular file",
        "cli.cannot_read": "Could not read {source}: {reason}.",
        "cli.unreadable": "cannot be read",
        "cli.no_headline": "(no headline)",
        "cli.help.migrate": (
            "apply the database migrations (NEWSDESK_DATABASE) and exit; the bot also does "
            "this when it starts"
        ),
        "cli.help.migrate_from": (
            "first copy this SQLite database into the PostgreSQL database NEWSDESK_DATABASE "
            "names (which must be empty); the file itself is not changed"
        ),
        # --- `newsdesk migrate`, for the operator ---
        "migrate.done": "{target} is at schema version {version}.",
        "migrate.copied": "Copied {source} into {target} (schema version {version}): {tables}.",
        "migrate.from_needs_postgres": (
            "--from copies a SQLite database into PostgreSQL: set NEWSDESK_DATABASE to a "
            "postgresql:// URL (it is {target})."
        ),
        "migrate.source_missing": "There is no SQLite database at {source}.",
        "migrate.target_not_empty": (
            "{target} already holds data ({tables}); --from copies only into an empty "
            "database. Nothing was changed."
        ),
        "migrate.failed": "Could not migrate {target}: {error}",
        # --- Starting without the Message Content intent: one line in the log ---
        "run.message_content_missing": (
            "Discord has not switched on the Message Content intent for this application, so "
            "Newsdesk runs without it: links posted in auto and react channels are not briefed; "
            "/brief, /quotes, /search, /digest, “Brief this message” and messages that mention "
            "the bot work. Switch it on in the Developer Portal (Bot tab) and restart to brief "
            "posted links."
        ),
        "run.message_content_off": (
            "NEWSDESK_MESSAGE_CONTENT=off: Newsdesk runs without the Message Content intent, so "
            "links posted in auto and react channels are not briefed; /brief, /quotes, /search, "
            "/digest, “Brief this message” and messages that mention the bot work."
        ),
        "run.message_content_refused": (
            "Discord refused the Message Content intent (gateway close code 4014); starting "
            "again without it."
        ),
        # --- Settings an operator got wrong (config.settings): one line each on stderr ---
        "settings.invalid": "setting {name}: {problem}",
        "settings.invalid_together": "settings: {problem}",
        "settings.shard_ids_empty": "no shard numbers given; write them like 0-3 or 4,5",
        "settings.shard_ids_syntax": (
            "“{part}” is not a shard number or range; write them like 0-3 or 4,5"
        ),
        "settings.shard_ids_backwards": (
            "the range “{part}” runs backwards; write the smaller number first"
        ),
        "settings.shard_ids_need_count": (
            "NEWSDESK_SHARD_IDS needs NEWSDESK_SHARD_COUNT too: the number of shards across "
            "all processes"
        ),
        "settings.shard_out_of_range": (
            "NEWSDESK_SHARD_IDS names shards that do not exist ({ids}): with "
            "NEWSDESK_SHARD_COUNT={count}, shards are numbered 0 to {last}"
        ),
        "settings.bad_address": "“{text}” is not a host and port; write it like 127.0.0.1:9108",
        # --- Why the bot stopped: one line on stderr (`newsdesk run`) ---
        "exit.no_token": "no Discord bot token: set DISCORD_TOKEN in the environment or in .env.",
        "exit.token_rejected": (
            "Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN."
        ),
        "exit.gateway_closed": "the Discord gateway closed the connection (code {code}).",
        "exit.discord_status": "Discord answered {status} at {base}.",
        "exit.unreachable": "could not reach Discord at {base}: {error}",
        "exit.endpoint_unavailable": (
            "could not serve metrics and health on {address} (NEWSDESK_METRICS_ADDR): {error}"
        ),
        "exit.intent_refused": (
            "Discord refused the Message Content intent: enable it for the bot in the "
            "Developer Portal (Bot tab, Privileged Gateway Intents)."
        ),
        # --- Storage, for the operator starting the bot ---
        "storage.schema_too_new": (
            "the database's schema version {version} is newer than this Newsdesk ({latest}); "
            "use a newer Newsdesk or another database file"
        ),
    }
)


def say(key: str, /, **fields: object) -> str:
    """The sentence stored under `key`, with its `{placeholders}` filled from `fields`."""
    return CATALOGUE[key].format(**fields) if fields else CATALOGUE[key]


def text_source_note(source: str | None) -> str | None:
    """Where a briefing's text came from, for a footer; None for the page as it is shown."""
    notes = {
        "structured_data": say("source.structured_data"),
        "amp": say("source.amp"),
        "pdf": say("source.pdf"),
        "text": say("source.text"),
    }
    return notes.get(str(source)) if source else None
