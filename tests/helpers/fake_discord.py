"""A fake Discord on 127.0.0.1: enough gateway and REST for the real discord.py client.

Why a fake server rather than mocks: the bot's behaviour that matters (what it posts, with
which `allowed_mentions`, reply reference, embeds, components, ephemeral flags) is exactly the
REST payloads discord.py builds, so tests drive the real client over real sockets and assert on
the recorded requests.

- Gateway (aiohttp websocket at `/`): HELLO, IDENTIFY → READY (the shard's guilds listed as
  unavailable, `resume_gateway_url` pointing back here) then a GUILD_CREATE per guild at once;
  heartbeats are ACKed; tests inject MESSAGE_CREATE, MESSAGE_REACTION_ADD and
  INTERACTION_CREATE as JSON text frames.
- Several guilds and sharding as Discord does it: `GET /gateway/bot` recommends `shard_count`
  shards; each IDENTIFY says `[shard_id, shard_count]`, and a guild's events go only to the
  connection whose shard is `(guild_id >> 22) % shard_count`, events without a guild (DMs) only
  to shard 0. `add_guild(shard=k)` makes a guild that lands on shard k. Events no connected
  shard should get are kept in `undelivered`.
- Intents as Discord applies them: DMs only with DIRECT_MESSAGES; without MESSAGE_CONTENT a
  message's content, embeds, attachments and components arrive empty unless it mentions the
  bot, is the bot's own or is a DM (REST reads too, by `message_content_allowed`); an IDENTIFY
  asking for MESSAGE_CONTENT when the application may not have it is closed with 4014. The
  application's flags say whether it may (or `application_flags` says something else).
- REST under `/api/v10`: the routes the bot uses, channel history included
  (`GET /channels/{id}/messages` with `after`/`before`/`limit`); every request is recorded
  (method, path, JSON, time) and unknown routes answer 404 JSON so a missing route fails a
  test, not hangs it.
- `wait_for(...)` awaits a matching recorded request on an asyncio.Condition (no sleeps).

discord.py is pointed here with `discord.http.Route.BASE` and
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` (`NewsdeskBot` sets both from settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from aiohttp import WSMsgType, web

from config import Settings

BOT_TOKEN = "fake-bot-token.for.tests"
API_PREFIX = "/api/v10"

# Discord permission bits used here.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_HISTORY = 1 << 16
ADD_REACTIONS = 1 << 6
MANAGE_CHANNELS = 1 << 4
MANAGE_MESSAGES = 1 << 13
USE_APP_COMMANDS = 1 << 31
MEMBER_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_HISTORY | ADD_REACTIONS | USE_APP_COMMANDS
)
MODERATOR_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_CHANNELS | MANAGE_MESSAGES

EPHEMERAL = 1 << 6
# Gateway intents and application flags the fake looks at.
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
APP_FLAG_MESSAGE_CONTENT_LIMITED = 1 << 19  # the Bot tab's switch, for unverified apps
CLOSE_INVALID_SHARD = 4010
CLOSE_DISALLOWED_INTENTS = 4014
CONTENT_FIELDS = ("content", "embeds", "attachments", "components")

DISCORD_EPOCH_MS = 1_420_070_400_000  # 2015-01-01, where Discord's ids count from
_last_snowflake = 0
# Guild ids are made in a range of their own, shaped to land on a chosen shard (the shard is
# `(id >> 22) % count`, so the part above the low 22 bits is picked; the low bits stay 0).
_guild_epochs = itertools.count(1_100_000_000_000_000_000 >> 22)


def snowflake() -> int:
    """A fresh id shaped like Discord's: the moment it was made (ms since 2015) above the low
    22 bits, so ids sort by time and `discord.utils.snowflake_time` reads it back (the bot's
    history read-back bounds itself by that time)."""
    global _last_snowflake
    made = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
    _last_snowflake = max(_last_snowflake + 1, made)
    return _last_snowflake


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: the shard a guild's events go to."""
    return (guild_id >> 22) % shard_count


def guild_snowflake(shard: int = 0, shard_count: int = 1) -> int:
    """A fresh guild id on `shard` of `shard_count`."""
    while True:
        epoch = next(_guild_epochs)
        if epoch % shard_count == shard:
            return epoch << 22


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _no_content() -> web.Response:
    return web.Response(status=204)


def _error(status: int, message: str, code: int = 0) -> web.Response:
    return _json_response({"message": message, "code": code}, status=status)


@dataclass
class Recorded:
    """One REST request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix, percent-decoded
    query: dict[str, str]
    json: Any
    time: float
    index: int

    def __repr__(self) -> str:
        body = json.dumps(self.json)[:300] if self.json is not None else ""
        return f"<{self.method} {self.path} {body}>"


@dataclass
class Scripted:
    """A canned answer for the next request matching `method` and `path` (see `script`)."""

    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    roles: list[int] = field(default_factory=list)
    permissions: int = MEMBER_PERMISSIONS

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.username.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
        }

    def member(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        if with_user:
            data["user"] = self.payload()
        return data


@dataclass
class FakeGuild:
    """A guild the bot is in: its channels (a pool handed out one at a time)."""

    id: int
    name: str
    channel_ids: list[int]
    mod_role_id: int
    free: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.free = list(self.channel_ids)


@dataclass(frozen=True)
class Delivery:
    """An event the fake sent: to which shard, for which guild (None: none), as sent."""

    shard: tuple[int, int]
    event: str
    guild_id: int | None
    data: Any


@dataclass
class GatewaySession:
    """One gateway connection: which shard it identified as, and with which intents."""

    ws: web.WebSocketResponse
    shard: tuple[int, int] | None = None  # (shard_id, shard_count); None until IDENTIFY
    intents: int = 0
    session_id: str | None = None

    @property
    def live(self) -> bool:
        return self.shard is not None and not self.ws.closed

    def gets(self, guild_id: int | None) -> bool:
        """Whether Discord sends this connection an event of `guild_id` (None: no guild)."""
        if self.shard is None:
            return False
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else shard_of(guild_id, count) == shard_id


class FakeDiscord:
    """A primary guild with a pool of text channels, a thread, a forum, a few people, a
    moderator and another bot; more guilds with `add_guild`; DMs with `post_dm`/`dm_slash`.

    `shard_count` is what `GET /gateway/bot` recommends; the primary guild is on shard 0.
    """

    CHANNELS = 60
    CHANNELS_PER_EXTRA_GUILD = 12

    def __init__(self, *, token: str = BOT_TOKEN, shard_count: int = 1) -> None:
        self.token = token
        self.shard_count = shard_count
        self.app_id = snowflake()
        self.guild_id = guild_snowflake(0, shard_count)
        self.mod_role_id = snowflake()
        self.bot_user = FakeUser(self.app_id, "newsdesk", bot=True)
        self.users = {
            "alice": FakeUser(snowflake(), "alice"),
            "bob": FakeUser(snowflake(), "bob"),
            "mod": FakeUser(
                snowflake(), "mod", roles=[self.mod_role_id], permissions=MODERATOR_PERMISSIONS
            ),
            "otherbot": FakeUser(snowflake(), "otherbot", bot=True),
            "newsdesk": self.bot_user,
        }
        self.channel_ids = [snowflake() for _ in range(self.CHANNELS)]
        # One thread, under a channel of its own (outside the pool handed out by `channel()`).
        self.thread_parent_id = snowflake()
        self.thread_id = snowflake()
        # A forum channel with one post (a thread whose parent is the forum).
        self.forum_id = snowflake()
        self.forum_post_id = snowflake()
        # Archived threads (id -> parent id): not in GUILD_CREATE, only fetched by id.
        self.archived_threads: dict[int, int] = {}
        # A private thread alice started under the thread parent (only she and mods see it).
        self.private_thread_id = snowflake()
        self.guilds: dict[int, FakeGuild] = {
            self.guild_id: FakeGuild(self.guild_id, "Newsroom", self.channel_ids, self.mod_role_id)
        }
        self._guild_of: dict[int, int] = {c: self.guild_id for c in self.channel_ids}
        for special in (self.thread_parent_id, self.thread_id, self.forum_id, self.forum_post_id):
            self._guild_of[special] = self.guild_id
        self._guild_of[self.private_thread_id] = self.guild_id
        self.dm_channels: dict[str, int] = {}  # user name -> their DM channel with the bot
        # What the application may do: the Message Content intent (the Bot tab's switch), and
        # the flags `GET /oauth2/applications/@me` reports (None: what the switch implies).
        self.message_content_allowed = True
        self.application_flags: int | None = None
        self.heartbeat_interval_ms = 41250
        self.undelivered: list[tuple[str, Any]] = []  # events no connected shard was due
        self.delivered: list[Delivery] = []  # events sent, and to which shard
        self.requests: list[Recorded] = []
        self.gateway_frames: list[dict[str, Any]] = []  # what the bot sent on the gateway
        self.messages: dict[int, dict[str, Any]] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None = global)
        self.interactions: dict[str, dict[str, Any]] = {}  # token -> interaction payload
        self.overwrites: dict[int, list[dict[str, Any]]] = {}  # channel id -> overwrites
        self.identify_close_code: int | None = None  # close the gateway instead of READY
        self.scripted: list[Scripted] = []  # answers to give instead of the normal ones
        self.files: dict[str, tuple[bytes, str]] = {}  # attachment path -> (bytes, type)
        self.sessions: list[GatewaySession] = []
        self._resumable: dict[str, tuple[tuple[int, int], int]] = {}  # session id -> shard, intents
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{tail:.*}", self._attachment)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def channel(self, guild: int | None = None) -> int:
        """A text channel (of the primary guild, or `guild`) no other test has used, so state
        such as modes never leaks between tests."""
        return self.guilds[guild or self.guild_id].free.pop(0)

    def add_guild(self, shard: int = 0, name: str | None = None) -> int:
        """A new guild whose events go to `shard` (of `shard_count`); its id.

        Add guilds before the bot connects: READY and GUILD_CREATE list them. A guild added
        later reaches connected shards as a GUILD_CREATE of its own (the bot joined it) when
        `join()` is awaited.
        """
        if not 0 <= shard < self.shard_count:
            raise ValueError(f"shard {shard} is not one of {self.shard_count}")
        guild_id = guild_snowflake(shard, self.shard_count)
        channels = [snowflake() for _ in range(self.CHANNELS_PER_EXTRA_GUILD)]
        name = name or f"Newsroom {len(self.guilds) + 1}"
        self.guilds[guild_id] = FakeGuild(guild_id, name, channels, snowflake())
        self._guild_of.update(dict.fromkeys(channels, guild_id))
        return guild_id

    async def join(self, guild_id: int) -> None:
        """The bot is added to `guild_id` while connected: GUILD_CREATE to its shard."""
        await self.dispatch("GUILD_CREATE", self._guild_payload(guild_id))

    def guild_of(self, channel_id: int | str) -> int | None:
        """The guild a channel belongs to; None for a DM channel. Channels the fake does not
        know (archived threads added by a test, made-up ids) are the primary guild's."""
        channel_id = int(channel_id)
        if channel_id in self.dm_channels.values():
            return None
        return self._guild_of.get(channel_id, self.guild_id)

    def dm_channel(self, user: str = "alice") -> int:
        """The DM channel between `user` and the bot (made on first use)."""
        if user not in self.dm_channels:
            self.dm_channels[user] = snowflake()
        return self.dm_channels[user]

    def hide_channel(self, channel_id: int) -> None:
        """Make the channel Editors-only (@everyone loses View Channel). Call before the bot
        connects: GUILD_CREATE carries the overwrites."""
        self.overwrites[channel_id] = [
            {"id": str(self.guild_id), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
            {"id": str(self.mod_role_id), "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"},
        ]

    def user(self, name: str) -> FakeUser:
        return self.users[name]

    # --- recording -------------------------------------------------------------------------

    async def _record(self, request: web.Request, path: str) -> Recorded:
        raw = await request.read()
        body: Any = None
        if raw and request.content_type == "application/json":
            body = json.loads(raw)
        elif raw and request.content_type.startswith("multipart/"):
            match = re.search(rb'name="payload_json".*?\r\n\r\n(.*?)\r\n--', raw, re.DOTALL)
            body = json.loads(match.group(1)) if match else None
        entry = Recorded(
            request.method, path, dict(request.query), body, time.monotonic(), len(self.requests)
        )
        self.requests.append(entry)
        async with self._changed:
            self._changed.notify_all()
        return entry

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 60.0) -> None:
        """Wait until `predicate()` is true; re-checked whenever a request or frame arrives."""
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
        except TimeoutError:
            raise AssertionError(f"condition not met within {timeout}s") from None

    async def wait_identified(self, count: int = 1, timeout: float = 60.0) -> None:
        """Wait until `count` IDENTIFYs arrived (READY and GUILD_CREATE are sent right after)."""
        await self.wait_until(
            lambda: sum(f.get("op") == 2 for f in self.gateway_frames) >= count, timeout
        )

    def script(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next request matching `method` and the `path` regex gets this answer instead.

        Each scripted answer is used once, in the order scripted, so a test can make Discord
        say 429 and then 500 to the same route before it answers normally again.
        """
        self.scripted.append(Scripted(method, re.compile(path), status, body, headers or {}))

    def rate_limited(self, retry_after: float) -> tuple[Any, dict[str, str]]:
        """Body and headers of a per-route 429 that discord.py honours (it needs `Via`)."""
        body = {"message": "You are being rate limited.", "retry_after": retry_after}
        body["global"] = False
        headers = {"Via": "1.1 google", "Retry-After": str(retry_after)}
        return body, headers

    def _scripted_answer(self, method: str, path: str) -> web.Response | None:
        for scripted in self.scripted:
            if scripted.method == method and scripted.path.fullmatch(path):
                self.scripted.remove(scripted)
                data = json.dumps(scripted.body if scripted.body is not None else {})
                headers = {"Content-Type": "application/json", **scripted.headers}
                return web.Response(body=data.encode(), status=scripted.status, headers=headers)
        return None

    def mark(self) -> int:
        """A position in the request log; pass as `since` to look only at later requests."""
        return len(self.requests)

    def find(
        self,
        method: str,
        path: str,
        *,
        since: int = 0,
        where: Callable[[Recorded], bool] | None = None,
    ) -> list[Recorded]:
        pattern = re.compile(path)
        return [
            r
            for r in self.requests[since:]
            if r.method == method and pattern.fullmatch(r.path) and (where is None or where(r))
        ]

    async def wait_for(
        self,
        method: str,
        path: str,
        *,
        since: int = 0,
        where: Callable[[Recorded], bool] | None = None,
        timeout: float = 30.0,
    ) -> Recorded:
        """The first request (at or after `since`) matching `method` and the `path` regex."""

        def found() -> list[Recorded]:
            return self.find(method, path, since=since, where=where)

        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(found), timeout)
        except TimeoutError:
            seen = "\n  ".join(repr(r) for r in self.requests[since:]) or "(none)"
            raise AssertionError(
                f"no {method} {path} within {timeout}s; requests since:\n  {seen}"
            ) from None
        return found()[0]

    # --- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return _error(404, "Unknown")
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        session = GatewaySession(ws)
        self.sessions.append(session)
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms}
            await ws.send_str(json.dumps({"op": 10, "d": hello}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.gateway_frames.append(frame)
                await self._on_frame(session, frame)
        finally:
            with contextlib.suppress(ValueError):
                self.sessions.remove(session)
            async with self._changed:
                self._changed.notify_all()
        return ws

    async def _on_frame(self, session: GatewaySession, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        ws = session.ws
        if op == 1:  # heartbeat
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2 and self.identify_close_code is not None:  # e.g. 4004, 4014
            await ws.close(code=self.identify_close_code)
        elif op == 2:  # identify
            await self._identify(session, frame.get("d") or {})
        elif op == 6:  # resume: the session's shard and intents carry over
            known = self._resumable.get((frame.get("d") or {}).get("session_id", ""))
            if known is not None:
                session.shard, session.intents = known
                session.session_id = frame["d"]["session_id"]
            await self._send(ws, "RESUMED", {})
        async with self._changed:
            self._changed.notify_all()

    async def _identify(self, session: GatewaySession, data: dict[str, Any]) -> None:
        shard_id, count = data.get("shard") or (0, 1)
        intents = int(data.get("intents") or 0)
        if not 0 <= shard_id < count:
            await session.ws.close(code=CLOSE_INVALID_SHARD)
            return
        if intents & INTENT_MESSAGE_CONTENT and not self.message_content_allowed:
            await session.ws.close(code=CLOSE_DISALLOWED_INTENTS)
            return
        session.shard, session.intents = (shard_id, count), intents
        session.session_id = f"session-{snowflake()}"
        self._resumable[session.session_id] = (session.shard, intents)
        guilds = [g for g in self.guilds if session.gets(g)]
        await self._send(session.ws, "READY", self._ready_payload(session, guilds))
        for guild in guilds:
            await self._send(session.ws, "GUILD_CREATE", self._guild_payload(guild))

    async def _send(self, ws: web.WebSocketResponse, event: str, data: Any) -> None:
        frame = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        await ws.send_str(json.dumps(frame))

    @property
    def identified(self) -> bool:
        return any(f.get("op") == 2 for f in self.gateway_frames)

    def identify_shards(self) -> list[tuple[int, int] | None]:
        """The `[shard_id, shard_count]` of every IDENTIFY so far (None: it sent none)."""
        return [
            tuple(f["d"]["shard"]) if (f.get("d") or {}).get("shard") else None
            for f in self.gateway_frames
            if f.get("op") == 2
        ]

    def identify_intents(self) -> list[int]:
        """The intents of every IDENTIFY so far."""
        return [int(f["d"].get("intents") or 0) for f in self.gateway_frames if f.get("op") == 2]

    async def dispatch(self, event: str, data: Any) -> None:
        """Send a gateway event to the connection(s) Discord would send it to: a guild's to
        its shard, one without a guild to shard 0; what no connection is due goes to
        `undelivered`. Intents apply: DMs need DIRECT_MESSAGES, message text MESSAGE_CONTENT."""
        if not any(not session.ws.closed for session in self.sessions):
            raise AssertionError("no bot is connected to the fake gateway")
        guild = data.get("guild_id") if isinstance(data, dict) else None
        guild_id = int(guild) if guild is not None else None
        delivered = False
        for session in [s for s in self.sessions if s.live and s.gets(guild_id)]:
            seen = self._as_seen_by(session.intents, event, data, guild_id)
            if seen is None:
                continue
            with contextlib.suppress(ConnectionError):
                await self._send(session.ws, event, seen)
                delivered = True
                self.delivered.append(Delivery(session.shard or (0, 1), event, guild_id, seen))
        if not delivered:
            self.undelivered.append((event, data))

    def _as_seen_by(self, intents: int, event: str, data: Any, guild_id: int | None) -> Any:
        """The event as a connection with `intents` gets it; None when it gets none."""
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            return data
        if guild_id is None and not intents & INTENT_DIRECT_MESSAGES:
            return None
        if guild_id is not None and not intents & INTENT_GUILD_MESSAGES:
            return None
        if intents & INTENT_MESSAGE_CONTENT:
            return data
        return self._without_content(data)

    def _without_content(self, message: dict[str, Any]) -> dict[str, Any]:
        """What an app without the Message Content intent reads of `message`: no text, embeds,
        attachments or components, unless it mentions the bot, is the bot's or is a DM."""
        author = (message.get("author") or {}).get("id")
        mentioned = any(str(u.get("id")) == str(self.app_id) for u in message.get("mentions", []))
        if mentioned or author == str(self.app_id) or message.get("guild_id") is None:
            return message
        blank = {**message, **{f: "" if f == "content" else [] for f in CONTENT_FIELDS}}
        blank.pop("poll", None)
        return blank

    def _readable(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as REST answers it: text only if the application may read it."""
        return message if self.message_content_allowed else self._without_content(message)

    def _ready_payload(self, session: GatewaySession, guilds: list[int]) -> dict[str, Any]:
        return {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": list(session.shard or (0, 1)),
            "application": {"id": str(self.app_id), "flags": self._app_flags()},
            "private_channels": [],
            "relationships": [],
        }

    def _app_flags(self) -> int:
        if self.application_flags is not None:
            return self.application_flags
        return APP_FLAG_MESSAGE_CONTENT_LIMITED if self.message_content_allowed else 0

    def _thread_payload(self, thread_id: int | None = None) -> dict[str, Any]:
        thread_id = self.thread_id if thread_id is None else thread_id
        parent = self.forum_id if thread_id == self.forum_post_id else self.thread_parent_id
        parent = self.archived_threads.get(thread_id, parent)
        archived = thread_id in self.archived_threads
        return {
            "id": str(thread_id),
            "type": 12 if thread_id == self.private_thread_id else 11,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent),
            "owner_id": str(self.users["alice"].id),
            "name": "budget-night",
            "last_message_id": self._last_message_id(thread_id),
            "message_count": 0,
            "member_count": 2,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": archived,
                "auto_archive_duration": 1440,
                "archive_timestamp": _now(),
                "locked": False,
            },
        }

    def _channel_payload(self, channel_id: int) -> dict[str, Any]:
        threads = (self.thread_id, self.forum_post_id, self.private_thread_id)
        if channel_id in (*threads, *self.archived_threads):
            return self._thread_payload(channel_id)
        if channel_id == self.forum_id:
            return {
                "id": str(channel_id),
                "type": 15,
                "guild_id": str(self.guild_id),
                "name": "tips-forum",
                "position": self.CHANNELS + 1,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "available_tags": [],
                "default_reaction_emoji": None,
                "default_sort_order": None,
                "default_forum_layout": 0,
                "flags": 0,
            }
        guild = self.guild_of(channel_id)
        if guild is None:
            user = next(n for n, c in self.dm_channels.items() if c == channel_id)
            return {
                "id": str(channel_id),
                "type": 1,
                "recipients": [self.users[user].payload()],
                "last_message_id": None,
                "flags": 0,
            }
        pool = self.guilds[guild].channel_ids
        position = pool.index(channel_id) if channel_id in pool else self.CHANNELS
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild),
            "name": f"news-{position}",
            "position": position,
            "permission_overwrites": self.overwrites.get(channel_id, []),
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": self._last_message_id(channel_id),
            "rate_limit_per_user": 0,
        }

    def _last_message_id(self, channel_id: int) -> str | None:
        """The channel's newest message, as Discord reports it in a channel object (the bot
        reads it on connect to see which channels had activity while it was away)."""
        ids = [
            int(m["id"])
            for m in self.messages.values()
            if m["channel_id"] == str(channel_id) and not m.get("flags", 0) & EPHEMERAL
        ]
        return str(max(ids)) if ids else None

    def _role(self, role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "permissions": str(permissions),
            "position": position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def _guild_payload(self, guild_id: int | None = None) -> dict[str, Any]:
        guild = self.guilds[guild_id or self.guild_id]
        primary = guild.id == self.guild_id
        channels = list(guild.channel_ids)
        threads: tuple[int, ...] = ()
        if primary:
            channels += [self.thread_parent_id, self.forum_id]
            threads = (self.thread_id, self.forum_post_id, self.private_thread_id)
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(self.users["mod"].id),
            "roles": [
                self._role(guild.id, "@everyone", MEMBER_PERMISSIONS, 0),
                self._role(guild.mod_role_id, "Editors", MODERATOR_PERMISSIONS, 1),
            ],
            "channels": [self._channel_payload(c) for c in channels],
            "members": [self.bot_user.member()],
            "member_count": 5,
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [self._thread_payload(t) for t in threads],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "nsfw_level": 0,
        }

    # --- injecting events ------------------------------------------------------------------

    def _message(
        self, channel_id: int, content: str, author: FakeUser, **extra: Any
    ) -> dict[str, Any]:
        guild = self.guild_of(channel_id)
        data: dict[str, Any] = {
            "id": str(snowflake()),
            "channel_id": str(channel_id),
            **({"guild_id": str(guild)} if guild is not None else {}),
            "author": author.payload(),
            **({"member": author.member(with_user=False)} if guild is not None else {}),
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        data.update(extra)
        return data

    async def post_message(
        self, channel_id: int, content: str, author: str = "alice", **extra: Any
    ) -> dict[str, Any]:
        """Someone posts `content` in the channel; returns the message payload."""
        message = self._message(channel_id, content, self.users[author], **extra)
        self.messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    def post_while_down(
        self, channel_id: int, content: str, author: str = "alice", **extra: Any
    ) -> dict[str, Any]:
        """Someone posts while no bot connection gets the channel's events: the message is in
        the channel's history (and `undelivered`), as on Discord, which never replays it."""
        message = self._message(channel_id, content, self.users[author], **extra)
        self.messages[int(message["id"])] = message
        self.undelivered.append(("MESSAGE_CREATE", message))
        return message

    async def mention_bot(
        self, channel_id: int, text: str, author: str = "alice", **extra: Any
    ) -> dict[str, Any]:
        """Someone posts `@Newsdesk text`: the mention is in the content and in `mentions`."""
        content = f"<@{self.app_id}> {text}"
        mentions = [self.bot_user.payload()]
        return await self.post_message(channel_id, content, author, mentions=mentions, **extra)

    async def post_dm(self, content: str, author: str = "alice") -> dict[str, Any]:
        """`author` writes to the bot in a DM (no guild: Discord sends it to shard 0 only, and
        only to a connection with the DIRECT_MESSAGES intent)."""
        return await self.post_message(self.dm_channel(author), content, author)

    async def edit_message(self, message: dict[str, Any], content: str) -> dict[str, Any]:
        """The author edits `message` to say `content` (Discord sends MESSAGE_UPDATE)."""
        message.update(content=content, edited_timestamp=_now())
        await self.dispatch("MESSAGE_UPDATE", message)
        return message

    async def delete_message(self, message: dict[str, Any]) -> None:
        """Its author deletes `message` (Discord sends MESSAGE_DELETE)."""
        self.messages.pop(int(message["id"]), None)
        data = {k: message[k] for k in ("id", "channel_id", "guild_id") if k in message}
        await self.dispatch("MESSAGE_DELETE", data)

    def attachment(
        self,
        channel_id: int,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        *,
        size: int | None = None,
    ) -> dict[str, Any]:
        """A file someone attached, served like Discord's CDN (a signed link on this server);
        pass it in `post_message(..., attachments=[...])`. `size` is what Discord reports."""
        attachment_id = snowflake()
        path = f"/attachments/{channel_id}/{attachment_id}/{filename}"
        self.files[path] = (data, content_type or "application/octet-stream")
        link = f"http://127.0.0.1:{self.port}{path}?ex=6650f1a2&is=664fa022&hm=0f1e2d3c4b5a"
        payload: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": link,
            "proxy_url": link.replace("/attachments/", "/attachments/proxy/", 1),
        }
        if content_type is not None:
            payload["content_type"] = content_type
        return payload

    def downloads(self, attachment: dict[str, Any]) -> int:
        """How often the bot fetched this attachment."""
        path = attachment["url"].split("?", 1)[0].split(str(self.port), 1)[1]
        return len(self.find("GET", re.escape(path)))

    async def _attachment(self, request: web.Request) -> web.Response:
        await self._record(request, request.path)
        found = self.files.get(request.path)
        if found is None:
            return _error(404, "Unknown")
        data, content_type = found
        return web.Response(body=data, headers={"Content-Type": content_type})

    async def post_webhook_message(self, channel_id: int, content: str) -> dict[str, Any]:
        hook = FakeUser(snowflake(), "newswire-hook", bot=True)
        message = self._message(channel_id, content, hook, webhook_id=str(hook.id))
        message.pop("member", None)
        self.messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def add_reaction(
        self, channel_id: int, message_id: int | str, emoji: str, user: str = "bob"
    ) -> None:
        who = self.users[user]
        await self.dispatch(
            "MESSAGE_REACTION_ADD",
            {
                "user_id": str(who.id),
                "channel_id": str(channel_id),
                "message_id": str(message_id),
                "guild_id": str(self.guild_of(channel_id)),
                "member": who.member(),
                "emoji": {"id": None, "name": emoji},
                "type": 0,
                "burst": False,
            },
        )

    def _interaction(
        self, kind: int, channel_id: int, user: str, data: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        who = self.users[user]
        token = f"itoken-{snowflake()}"
        guild = self.guild_of(channel_id)
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(self.app_id),
            "type": kind,
            "token": token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": self._channel_payload(channel_id),
            "data": data,
            "locale": "en-US",
            "app_permissions": str(MODERATOR_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if guild is None:  # in a DM with the bot: the person is a user, not a member
            payload.update(user=who.payload(), context=1, authorizing_integration_owners={"0": "0"})
        else:
            member = who.member()
            member["permissions"] = str(who.permissions)
            payload.update(
                guild_id=str(guild),
                member=member,
                guild_locale="en-US",
                context=0,
                authorizing_integration_owners={"0": str(guild)},
            )
        payload.update(extra)
        self.interactions[token] = payload
        return payload

    def command_id(self, name: str, kind: int = 1) -> tuple[str, int | None]:
        """The id the bot's registered command got, and its guild (None when global)."""
        for guild, commands in self.commands.items():
            for command in commands:
                if command["name"] == name and command.get("type", 1) == kind:
                    return command["id"], guild
        raise AssertionError(f"the bot registered no command {name!r} (type {kind})")

    async def slash(
        self,
        name: str,
        channel_id: int,
        user: str = "alice",
        options: Iterable[dict[str, Any]] = (),
        channels: Iterable[int] = (),
    ) -> dict[str, Any]:
        """Someone runs `/name`; `options` are Discord option objects (subcommands nest).

        `channels` are the ids of channel options, sent in `resolved` as Discord does.
        """
        command_id, guild = self.command_id(name)
        data: dict[str, Any] = {"id": command_id, "name": name, "type": 1, "options": list(options)}
        resolved = {
            str(c): {**self._channel_payload(c), "permissions": str(MODERATOR_PERMISSIONS)}
            for c in channels
        }
        if resolved:
            data["resolved"] = {"channels": resolved}
        if guild is not None:
            data["guild_id"] = str(guild)
        interaction = self._interaction(2, channel_id, user, data)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def dm_slash(
        self, name: str, user: str = "alice", options: Iterable[dict[str, Any]] = ()
    ) -> dict[str, Any]:
        """Someone runs the global command `/name` in their DM with the bot (shard 0 gets it)."""
        command_id, _ = self.command_id(name)
        data = {"id": command_id, "name": name, "type": 1, "options": list(options)}
        interaction = self._interaction(2, self.dm_channel(user), user, data)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def message_command(
        self, name: str, message: dict[str, Any], user: str = "alice"
    ) -> dict[str, Any]:
        """Someone picks the message context-menu command `name` on `message`."""
        command_id, guild = self.command_id(name, kind=3)
        data: dict[str, Any] = {
            "id": command_id,
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        if guild is not None:
            data["guild_id"] = str(guild)
        channel_id = int(message["channel_id"])
        interaction = self._interaction(2, channel_id, user, data)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def click(
        self, message: dict[str, Any], custom_id: str, user: str = "alice"
    ) -> dict[str, Any]:
        """Someone clicks the button `custom_id` on a message the bot posted."""
        data = {"custom_id": custom_id, "component_type": 2}
        channel_id = int(message["channel_id"])
        interaction = self._interaction(3, channel_id, user, data, message=message)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    def callback_path(self, interaction: dict[str, Any]) -> str:
        return rf"/interactions/{interaction['id']}/{re.escape(interaction['token'])}/callback"

    def followup_path(self, interaction: dict[str, Any]) -> str:
        return rf"/webhooks/{self.app_id}/{re.escape(interaction['token'])}"

    # --- REST ------------------------------------------------------------------------------

    async def _unknown(self, request: web.Request) -> web.Response:
        await self._record(request, request.path)
        return _error(404, "Unknown")

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        entry = await self._record(request, path)
        needs_token = not path.startswith(("/interactions/", "/webhooks/"))
        if needs_token and request.headers.get("Authorization") != f"Bot {self.token}":
            return _error(401, "401: Unauthorized")
        scripted = self._scripted_answer(request.method, path)
        if scripted is not None:
            return scripted
        for method, pattern, handler in self._routes():
            if request.method != method:
                continue
            match = re.fullmatch(pattern, path)
            if match:
                return await handler(entry, **match.groupdict())
        return _error(404, "Unknown")

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        app = str(self.app_id)
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/gateway(?:/bot)?", self._gateway_info),
            ("PUT", rf"/applications/{app}/commands", self._put_commands),
            ("PUT", rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", self._put_commands),
            ("GET", rf"/applications/{app}/commands", self._get_commands),
            ("GET", rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", self._get_commands),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._create_message),
            ("GET", r"/channels/(?P<channel>\d+)", self._get_channel),
            ("GET", r"/channels/(?P<channel>\d+)/messages", self._history),
            ("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._get_message),
            ("DELETE", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._delete),
            ("POST", r"/channels/(?P<channel>\d+)/typing", self._empty),
            ("PUT", r"/channels/\d+/messages/\d+/reactions/[^/]+/@me", self._empty),
            ("DELETE", r"/channels/\d+/messages/\d+/reactions/[^/]+/[^/]+", self._empty),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", rf"/webhooks/{app}/(?P<token>[^/]+)", self._followup),
            ("PATCH", rf"/webhooks/{app}/(?P<token>[^/]+)/messages/(?P<mid>[^/]+)", self._edit),
            ("GET", rf"/webhooks/{app}/(?P<token>[^/]+)/messages/(?P<mid>[^/]+)", self._original),
            ("DELETE", rf"/webhooks/{app}/(?P<token>[^/]+)/messages/[^/]+", self._empty),
        ]

    async def _me(self, entry: Recorded) -> web.Response:
        return _json_response({**self.bot_user.payload(), "verified": True, "flags": 0})

    async def _application(self, entry: Recorded) -> web.Response:
        return _json_response(
            {
                "id": str(self.app_id),
                "name": "Newsdesk",
                "icon": None,
                "description": "Article briefings",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.users["mod"].payload(),
                "verify_key": "0" * 64,
                "flags": self._app_flags(),
                "team": None,
                "interactions_endpoint_url": None,
            }
        )

    async def _gateway_info(self, entry: Recorded) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        if entry.path == "/gateway":
            return _json_response({"url": self.gateway_url})
        return _json_response(
            {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit}
        )

    async def _put_commands(self, entry: Recorded, guild: str | None = None) -> web.Response:
        key = int(guild) if guild else None
        registered = []
        for command in entry.json or []:
            registered.append(
                {
                    "description": "",
                    "options": [],
                    **command,
                    "id": str(snowflake()),
                    "application_id": str(self.app_id),
                    "version": str(snowflake()),
                    **({"guild_id": guild} if guild else {}),
                }
            )
        self.commands[key] = registered
        return _json_response(registered)

    async def _get_commands(self, entry: Recorded, guild: str | None = None) -> web.Response:
        return _json_response(self.commands.get(int(guild) if guild else None, []))

    def _bot_message(self, channel_id: int | str, body: dict[str, Any]) -> dict[str, Any]:
        message = self._message(int(channel_id), body.get("content") or "", self.bot_user)
        message.pop("member", None)
        message["embeds"] = body.get("embeds") or []
        message["components"] = body.get("components") or []
        message["flags"] = body.get("flags") or 0
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
            message["type"] = 19
        self.messages[int(message["id"])] = message
        return message

    async def _create_message(self, entry: Recorded, channel: str) -> web.Response:
        body = entry.json or {}
        reference = body.get("message_reference") or {}
        replied = reference.get("message_id")
        # What Discord answers to a reply whose message was deleted meanwhile.
        gone = replied is not None and int(replied) not in self.messages
        if gone and reference.get("fail_if_not_exists", True):
            unknown = {"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}
            errors = {"message_reference": {"_errors": [unknown]}}
            answer = {"code": 50035, "message": "Invalid Form Body", "errors": errors}
            return _json_response(answer, status=400)
        return _json_response(self._bot_message(channel, body))

    async def _get_channel(self, entry: Recorded, channel: str) -> web.Response:
        known = {*self._guild_of, *self.dm_channels.values(), *self.archived_threads}
        if int(channel) not in known:
            return _error(404, "Unknown Channel", 10003)
        return _json_response(self._channel_payload(int(channel)))

    async def _get_message(self, entry: Recorded, channel: str, message: str) -> web.Response:
        found = self.messages.get(int(message))
        if found is None or found["channel_id"] != channel:
            return _error(404, "Unknown Message", 10008)
        return _json_response(self._readable(found))

    async def _history(self, entry: Recorded, channel: str) -> web.Response:
        """Discord's channel history: the `limit` (≤ 100, default 50) messages right after
        `after`, right before `before`, or the latest; newest first, as Discord answers."""
        if int(channel) not in {*self._guild_of, *self.dm_channels.values()}:
            return _error(404, "Unknown Channel", 10003)
        limit = max(1, min(100, int(entry.query.get("limit", 50))))
        ordered = sorted(
            (m for m in self.messages.values() if m["channel_id"] == channel),
            key=lambda m: int(m["id"]),
        )
        ordered = [m for m in ordered if not m.get("flags", 0) & EPHEMERAL]
        if "after" in entry.query:
            page = [m for m in ordered if int(m["id"]) > int(entry.query["after"])][:limit]
        elif "before" in entry.query:
            page = [m for m in ordered if int(m["id"]) < int(entry.query["before"])][-limit:]
        else:
            page = ordered[-limit:]
        return _json_response([self._readable(m) for m in reversed(page)])

    async def _delete(self, entry: Recorded, channel: str, message: str) -> web.Response:
        if self.messages.pop(int(message), None) is None:
            return _error(404, "Unknown Message", 10008)
        return _no_content()

    async def _empty(self, entry: Recorded, **_: str) -> web.Response:
        return _no_content()

    async def _callback(self, entry: Recorded, iid: str, token: str) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None or interaction["id"] != iid:
            return _error(404, "Unknown interaction", 10062)
        body = entry.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        flags = data.get("flags") or 0
        resource: dict[str, Any] = {"type": kind}
        if kind == 5:  # "thinking…": whatever resolves it inherits this visibility
            interaction["deferred_flags"] = flags & EPHEMERAL
        if kind in (4, 7):
            message = self._bot_message(interaction["channel_id"], data)
            interaction["original"] = message
            resource["message"] = message
        return _json_response(
            {
                "interaction": {
                    "id": iid,
                    "type": interaction["type"],
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                },
                "resource": resource,
            }
        )

    async def _followup(self, entry: Recorded, token: str) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None:
            return _error(404, "Unknown Webhook", 10015)
        message = self._bot_message(interaction["channel_id"], entry.json or {})
        message["webhook_id"] = str(self.app_id)
        if "deferred_flags" in interaction:
            # Discord: the first followup after a defer replaces the "thinking…" placeholder and
            # keeps the defer's visibility, whatever flags it asks for; later ones are their own.
            message["flags"] = (message["flags"] & ~EPHEMERAL) | interaction.pop("deferred_flags")
            interaction["original"] = message
        return _json_response(message)

    async def _edit(self, entry: Recorded, token: str, mid: str) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None:
            return _error(404, "Unknown Webhook", 10015)
        message = self._bot_message(interaction["channel_id"], entry.json or {})
        message["webhook_id"] = str(self.app_id)
        if mid == "@original" and "deferred_flags" in interaction:
            message["flags"] = (message["flags"] & ~EPHEMERAL) | interaction.pop("deferred_flags")
        interaction["original"] = message
        return _json_response(message)

    async def _original(self, entry: Recorded, token: str, mid: str) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None or "original" not in interaction:
            return _error(404, "Unknown Message", 10008)
        return _json_response(interaction["original"])


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fresh fake Discord for one test."""
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def bot_settings(
    fake: FakeDiscord, database: Path | str, article_port: int, **overrides: Any
) -> Settings:
    """Settings for a bot talking to `fake`, allowed to fetch from the loopback article server."""
    values: dict[str, Any] = {
        "DISCORD_TOKEN": fake.token,
        "discord_api_base": fake.api_base,
        "discord_gateway": fake.gateway_url,
        "database": database,
        "allowed_networks": ["127.0.0.0/8"],
        "allowed_ports": [80, 443, article_port],
        "workers": 1,
        "default_mode": "auto",
        # Tests post many links as the same few people within a minute; the rate limits are
        # tested where a test sets them (tests/test_bot_faults.py), not tripped by accident.
        "user_links_per_minute": 1000,
        "channel_links_per_minute": 1000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord, settings: Settings, **options: Any) -> AsyncIterator[Any]:
    """A real `NewsdeskBot` logged in to `fake` and past on_ready; closed on exit.

    READY lists the shard's guilds and their GUILD_CREATEs follow at once, so a short
    `guild_ready_timeout` makes on_ready fire promptly instead of after discord.py's 2 s.
    """
    from bot.discord_app.client import NewsdeskBot

    options.setdefault("guild_ready_timeout", 0.05)
    bot = NewsdeskBot(settings, **options)
    try:
        await bot.login(fake.token)
    except BaseException:
        await bot.close()
        raise
    connection = asyncio.create_task(bot.connect(reconnect=True))
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {connection, ready}, timeout=60, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            if connection.done():
                connection.result()  # re-raise why the connection ended
            raise AssertionError("the bot did not become ready")
        yield bot
    finally:
        ready.cancel()
        await bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(connection, 10)
