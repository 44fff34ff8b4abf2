"""A fake Slack Web API server: real HTTP, Slack's wire format, Slack's errors, and a contract check.

Why a server and not a mock: the bot talks to Slack through slack_sdk's AsyncWebClient; pointing that client
(``base_url``) at this server exercises the real request encoding (JSON vs form vs query string, the
Authorization header, 429 handling and retry handlers) that a mocked client would skip.

Every call is recorded and checked against Slack's own API description (``shared/slack-api``, see
``slack_spec``) and against Block Kit (``blockkit``); anything Slack would reject, or that the reference
files do not know, lands in ``violations`` and is answered with an error, so a test that forgets to look
still fails when it calls ``assert_clean()``.

The server runs on its own event loop in a background thread, so the same object serves async tests (which
own their loop), synchronous code and benchmarks.

File uploads work the way slack_sdk's ``files_upload_v2`` makes them: ``files.getUploadURLExternal`` answers an upload
URL on this server and a file id; the bytes are POSTed there (their length must be the one announced);
``files.completeUploadExternal`` shares the uploaded files, as one message from the bot (``files`` in the message,
``initial_comment`` as its text) in ``channel_id`` and its ``thread_ts``. ``fake.files()`` returns them with their
bytes.

Socket Mode is served too, over a real WebSocket: ``apps.connections.open`` (app-level ``xapp-`` token) answers
a ``ws://`` URL on this server; a client that connects gets Slack's ``hello``; the test pushes envelopes with
``await fake.socket_send(...)`` and reads the client's acknowledgements with ``await fake.socket_ack(...)``;
``socket_disconnect()`` asks the client to reconnect as Slack does when it refreshes a connection.

Installing the app in several workspaces (OAuth) is served too (``slack_oauth``): ``enable_oauth()``, a consent screen
at ``/oauth/v2/authorize`` that approves at once for the ``team`` asked, ``oauth.v2.access`` (codes and token
rotation's refresh), tokens that belong to one workspace each (``auth.test`` answers for it) and ``uninstall()``,
which revokes them. Every recorded call keeps the token it carried (``RecordedCall.token``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fakes._server import FakeServer
from tests.fakes.blockkit import (
    MARKDOWN_TEXT_MAX,
    MESSAGE_MAX_BLOCKS,
    Problem,
    block_problems,
    chunk_problems,
    message_problems,
    view_problems,
)
from tests.fakes.slack_oauth import OAuthError, OAuthWorld, authorize_handler
from tests.fakes.slack_spec import SlackApiSpec, default_spec_dir

# Arguments that arrive as JSON strings in form-encoded bodies (and sometimes in JSON bodies).
JSON_FIELDS = frozenset(
    {"blocks", "attachments", "view", "metadata", "chunks", "prompts", "unfurls", "user_auth_blocks", "files"}
)
# Where a malformed JSON string in that field is answered with this Slack error.
JSON_FIELD_ERRORS = {"blocks": "invalid_blocks_format", "attachments": "invalid_attachments"}

MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
STREAM_METHODS = frozenset({"chat.startStream", "chat.appendStream", "chat.stopStream"})
# Methods that take the app-level token (xapp-, scope connections:write) and no other kind.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
# Socket Mode envelope types that carry a request for the app (docs.slack.dev/apis/events-api/using-socket-mode).
SOCKET_ENVELOPE_TYPES = frozenset({"events_api", "slash_commands", "interactive"})
# Interaction payload types whose acknowledgement may carry a response (view_submission's response_action,
# block_suggestion's options); Slack sets accepts_response_payload for them and for slash commands.
_INTERACTIVE_WITH_RESPONSE = frozenset({"view_submission", "block_suggestion"})

_T = TypeVar("_T")

_TZ_LABELS = {
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "KST": "Korea Standard Time",
    "JST": "Japan Standard Time",
    "UTC": "Coordinated Universal Time",
}


class FrozenArgs(dict[str, Any]):
    """A read-only dict: recorded arguments must not change under a test, yet stay JSON-serialisable."""

    def _readonly(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("recorded call arguments are read-only; copy with dict(call.args)")

    __setitem__ = __delitem__ = __ior__ = _readonly  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call as the server received it (``args`` without the token, JSON strings decoded).

    ``at`` is ``time.monotonic()`` at arrival, so intervals between calls can be measured.
    """

    method: str
    args: Mapping[str, Any]
    at: float
    ok: bool = True
    error: str | None = None
    status: int = 200
    target: str | None = None  # the response_url key, for calls recorded by the response_url endpoint
    token: str | None = None  # the token the call carried (which workspace's bot made it)


@dataclass(frozen=True)
class SocketConnection:
    """One Socket Mode WebSocket connection as the fake saw it (a snapshot).

    ``opened_at`` is when ``hello`` was sent; ``closed_at`` / ``close_code`` / ``closed_by`` are set once the
    socket closed: the close code of the side that closed it (e.g. 1000 from a client closing normally, 1001
    from ``socket_close()`` or the fake stopping) and that side, ``"client"`` or ``"slack"``.
    """

    id: str
    url: str
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None
    closed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class SocketAck:
    """An acknowledgement the client sent back: ``message`` is the JSON object as received."""

    envelope_id: str
    message: Mapping[str, Any]
    at: float
    connection_id: str
    latency: float  # seconds between sending the envelope and receiving this ack

    @property
    def payload(self) -> Mapping[str, Any] | None:
        payload = self.message.get("payload")
        return payload if isinstance(payload, Mapping) else None


@dataclass(frozen=True)
class SocketEnvelope:
    """An envelope pushed to the client with ``socket_send``."""

    envelope_id: str
    type: str
    envelope: Mapping[str, Any]
    sent_at: float
    connection_id: str


@dataclass
class _Socket:
    id: str
    url: str
    ws: web.WebSocketResponse
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None
    closed_by: str | None = None
    slack_close_code: int | None = None  # set when the fake closes it

    def snapshot(self) -> SocketConnection:
        return SocketConnection(self.id, self.url, self.opened_at, self.closed_at, self.close_code, self.closed_by)


def socket_payload(body: tuple[bytes, str]) -> tuple[str, dict[str, Any]]:
    """(envelope type, payload) for a request built by ``slack_requests``, as Socket Mode delivers it.

    Over HTTP a slash command is a form, an interaction is ``payload=<JSON>`` in a form and an event is a JSON
    body; over Socket Mode each is the same fields as a JSON object in the envelope's ``payload``.
    """
    content, content_type = body
    if content_type.startswith("application/json"):
        data = json.loads(content)
        if data.get("type") != "event_callback":
            raise ValueError(f"only event_callback bodies travel over Socket Mode, not {data.get('type')!r}")
        return "events_api", data
    fields = dict(parse_qsl(content.decode("utf-8"), keep_blank_values=True))
    if set(fields) == {"payload"}:
        return "interactive", json.loads(fields["payload"])
    if "command" in fields:
        return "slash_commands", fields
    raise ValueError(f"not a slash command, interaction or event: {sorted(fields)}")


class SlackError(Exception):
    """Raised inside a method handler: answered as ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *, status: int = 200, headers: Mapping[str, str] | None = None, **extra: Any):
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = dict(headers or {})
        self.extra = extra


@dataclass
class _Fault:
    kind: str  # "error" | "ratelimit"
    remaining: int
    error: str = "ratelimited"
    status: int = 200
    retry_after: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def _ts_key(ts: str) -> tuple[int, int]:
    sec, _, micro = ts.partition(".")
    try:
        return int(sec), int(micro or 0)
    except ValueError:
        return (0, 0)


class FakeSlack(FakeServer):
    """Slack's Web API on 127.0.0.1, with a small world (channels, users, messages, views) and fault injection.

    Use as ``with FakeSlack() as fake:`` or ``async with FakeSlack() as fake:`` and give ``fake.base_url`` to
    ``AsyncWebClient(base_url=...)``. Call ``fake.assert_clean()`` at the end of a test.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        spec_dir: Path | str | None = None,
        require_spec: bool = False,
        team_id: str = "T0000FAKE",
        team_domain: str = "fake-team",
        bot_user_id: str = "U0000BOT",
        bot_id: str = "B0000BOT",
        app_id: str = "A0000APP",
        bot_name: str = "scale-review",
        ts_start: int = 1_700_000_000,
        enforce_fresh_trigger_ids: bool = False,
        trigger_ttl: float = 3.0,
        host: str = "127.0.0.1",
        app_token: str | None = None,
        socket_ack_deadline: float | None = 3.0,
    ) -> None:
        """Create (not start) the fake.

        token: the exact bot token to accept; None accepts any ``xoxb-`` token.
        spec_dir: folder with Slack's reference files (default ``<repo>/../shared/slack-api``); when it is
            missing the method/argument contract check is off (``contract_checked`` is False) unless
            ``require_spec`` makes that an error.
        enforce_fresh_trigger_ids: views.open/push only accept trigger ids from ``issue_trigger_id()`` used
            once within ``trigger_ttl`` seconds, like Slack's 3 s rule.
        app_token: the exact app-level token ``apps.connections.open`` accepts; None accepts any ``xapp-`` token.
        socket_ack_deadline: a Socket Mode envelope acknowledged later than this (Slack: 3 s) is a violation;
            None turns the check off.
        """
        self.expected_token = token
        self.expected_app_token = app_token
        self.socket_ack_deadline = socket_ack_deadline
        self.spec_dir = Path(spec_dir) if spec_dir is not None else default_spec_dir()
        if SlackApiSpec.available(self.spec_dir):
            self.spec: SlackApiSpec | None = SlackApiSpec.load(self.spec_dir)
        elif require_spec:
            raise FileNotFoundError(f"Slack API reference files not found in {self.spec_dir}")
        else:
            self.spec = None
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self.enforce_fresh_trigger_ids = enforce_fresh_trigger_ids
        self.trigger_ttl = trigger_ttl
        super().__init__(host)
        self._calls: list[RecordedCall] = []
        self._pending: dict[str, int] = {}  # method -> calls received and not answered yet

        self._ts_micro = ts_start * 1_000_000
        self._ids = itertools.count(1)
        self._channels: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, dict[str, dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._external_ids: dict[str, str] = {}
        self._home_views: dict[str, str] = {}
        self._files: dict[str, dict[str, Any]] = {}  # file id -> upload state, bytes and where it was shared
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()

        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._pacing: tuple[float, int] | None = None
        self._buckets: dict[str, tuple[float, float]] = {}
        self._post_times: dict[str, list[float]] = {}

        self._socket_tickets: set[str] = set()
        self._sockets: dict[str, _Socket] = {}
        self._envelopes: dict[str, SocketEnvelope] = {}
        self._acks: dict[str, SocketAck] = {}

        self.oauth = OAuthWorld(app_id=app_id, teams={team_id: team_domain})
        self._token: str | None = None  # the token of the call being answered (lock held)
        self._authorization: str | None = None  # oauth.v2.access's Authorization header (lock held)

        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "oauth.v2.access": self._oauth_v2_access,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.startStream": self._chat_start_stream,
            "chat.appendStream": self._chat_append_stream,
            "chat.stopStream": self._chat_stop_stream,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "reactions.add": self._reactions_add,
            "apps.connections.open": self._apps_connections_open,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def contract_checked(self) -> bool:
        """Whether method/argument names are checked (Slack's reference files were found)."""
        return self.spec is not None

    @property
    def base_url(self) -> str:
        """Web API base for ``AsyncWebClient(base_url=...)``: ``http://127.0.0.1:PORT/api/``."""
        return f"{self.url}/api/"

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_get("/socket-mode/{ticket}", self._handle_socket)
        app.router.add_get("/oauth/v2/authorize", authorize_handler(self.oauth, self._lock))
        app.on_shutdown.append(self._close_sockets)
        return app

    # ------------------------------------------------------------------ world model

    def add_channel(
        self,
        id: str,
        name: str | None = None,
        *,
        member: bool = True,
        private: bool = False,
        archived: bool = False,
    ) -> dict[str, Any]:
        """Add a conversation. ``member``: the bot is in it. IDs starting with D are DMs."""
        channel = {
            "id": id,
            "name": name if name is not None else id.lower(),
            "member": member,
            "private": private or id.startswith("G"),
            "archived": archived,
            "im": id.startswith("D"),
            "user": None,
        }
        with self._lock:
            self._channels[id] = channel
            self._messages.setdefault(id, {})
        return dict(channel)

    def add_user(
        self,
        id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "America/Los_Angeles",
        tz_label: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
        team_id: str | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Add a workspace member; ``tz_offset`` and ``tz_label`` follow ``tz`` at the time of the call. ``locale``
        is returned by users.info only when asked with ``include_locale``, as Slack does."""
        zone = ZoneInfo(tz)
        now = datetime.now(zone)
        offset = now.utcoffset()
        abbrev = now.tzname() or tz
        handle = name if name is not None else id.lower()
        user = {
            "id": id,
            "team_id": team_id or self.team_id,
            "name": handle,
            "real_name": real_name if real_name is not None else handle.title(),
            "deleted": deleted,
            "is_bot": is_bot,
            "is_app_user": False,
            "tz": tz,
            "tz_label": tz_label if tz_label is not None else _TZ_LABELS.get(abbrev, abbrev),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "locale": locale,
            "profile": {
                "real_name": real_name if real_name is not None else handle.title(),
                "display_name": handle,
                **({"email": email} if email else {}),
            },
        }
        with self._lock:
            self._users[id] = user
        return copy.deepcopy(user)

    def enable_oauth(
        self,
        client_id: str,
        client_secret: str,
        *,
        rotation: bool = False,
        expires_in: int = 43_200,
        first_expires_in: int | None = None,
    ) -> None:
        """Accept installations of the app with these credentials; ``rotation``: tokens expire (``expires_in``
        seconds; the first one of an installation after ``first_expires_in``) and are refreshed."""
        with self._lock:
            self.oauth.client_id, self.oauth.client_secret = client_id, client_secret
            self.oauth.rotation, self.oauth.expires_in = rotation, expires_in
            self.oauth.first_expires_in = first_expires_in

    def add_team(self, team_id: str, name: str) -> None:
        """A workspace the consent screen can install the app in (``team=`` in the authorize URL picks it)."""
        with self._lock:
            self.oauth.teams[team_id] = name

    def uninstall(self, team_id: str) -> list[str]:
        """Remove the app from a workspace: its tokens are revoked (returned); the test sends app_uninstalled."""
        with self._lock:
            return self.oauth.uninstall(team_id)

    def tokens_of(self, team_id: str) -> list[str]:
        """Every token issued for the workspace so far, oldest first (revoked ones included)."""
        with self._lock:
            return [token for token, team in self.oauth.tokens.items() if team == team_id]

    def add_message(
        self, channel: str, text: str, *, user: str, thread_ts: str | None = None, blocks: list[Any] | None = None
    ) -> str:
        """Put a message from a person into a channel (e.g. the message an event refers to); returns its ts."""
        with self._lock:
            if channel not in self._channels:
                raise KeyError(f"unknown channel {channel}: add_channel() first")
            ts = self._next_ts()
            msg: dict[str, Any] = {"type": "message", "ts": ts, "user": user, "text": text, "team": self.team_id}
            if blocks is not None:
                msg["blocks"] = blocks
            self._store_message(channel, msg, thread_ts)
            return ts

    def messages(self, channel: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Messages in a channel in ts order (copies); with ``thread_ts``: the thread (parent + replies)."""
        with self._lock:
            msgs = list(self._messages.get(channel, {}).values())
            if thread_ts is not None:
                msgs = [m for m in msgs if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]
            msgs.sort(key=lambda m: _ts_key(m["ts"]))
            return copy.deepcopy(msgs)

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """One stored message (a copy), or None."""
        with self._lock:
            msg = self._messages.get(channel, {}).get(ts)
            return copy.deepcopy(msg) if msg is not None else None

    def ephemerals(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages sent (they are not part of the channel history)."""
        with self._lock:
            return [copy.deepcopy(e) for e in self._ephemerals if channel is None or e["channel"] == channel]

    def files(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Files uploaded so far (copies, ``content`` holding the bytes), optionally those shared in a channel."""
        with self._lock:
            return [copy.deepcopy(f) for f in self._files.values() if channel is None or channel in f["channels"]]

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A view as Slack holds it after views.open/push/update/publish (a copy), or None."""
        with self._lock:
            view = self._views.get(view_id)
            return copy.deepcopy(view) if view is not None else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for a user, or None."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def issue_trigger_id(self) -> str:
        """A trigger id as an interaction would carry; fresh for ``trigger_ttl`` seconds, usable once."""
        trigger = f"{next(self._ids) + 10_000_000_000}.{self.team_id[1:] or '1'}.{secrets.token_hex(16)}"
        with self._lock:
            self._triggers[trigger] = time.monotonic()
        return trigger

    def response_url(self, key: str | None = None) -> str:
        """A ``response_url`` served by this fake; POSTs to it are recorded as method ``response_url``."""
        return f"{self.url}/response/{key or secrets.token_hex(8)}"

    # ------------------------------------------------------------------ fault injection

    def fail_next(self, method: str, error: str, times: int = 1, *, status: int = 200, **extra: Any) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error, **extra}``."""
        with self._lock:
            self._faults.setdefault(method, deque()).append(
                _Fault("error", times, error=error, status=status, extra=dict(extra))
            )

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer HTTP 429 with ``Retry-After`` and ``ratelimited``."""
        with self._lock:
            self._faults.setdefault(method, deque()).append(
                _Fault("ratelimit", times, status=429, retry_after=int(retry_after))
            )

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of ``method`` (``"*"``: all methods) after ``seconds``; 0 removes the delay."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def enforce_channel_rate(self, per_second: float = 1.0, burst: int = 3) -> None:
        """chat.postMessage beyond ``per_second`` per channel (token bucket of ``burst``) answers 429."""
        with self._lock:
            self._pacing = (float(per_second), int(burst))
            self._buckets.clear()

    def post_times(self, channel: str) -> list[float]:
        """``time.monotonic()`` of each accepted chat.postMessage to ``channel``."""
        with self._lock:
            return list(self._post_times.get(channel, []))

    # ------------------------------------------------------------------ recorded calls

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded calls, oldest first, optionally of one method."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def in_flight(self, method: str | None = None) -> int:
        """Calls received but not answered yet (e.g. held by ``delay()``), optionally of one method.

        With ``wait_until`` a test can act while the app is waiting for Slack: ``await fake.wait_until(lambda:
        fake.in_flight("chat.postMessage"))``.
        """
        with self._lock:
            return sum(n for m, n in self._pending.items() if method is None or m == method)

    def last(self, method: str) -> RecordedCall:
        """The latest call of ``method``; AssertionError naming what was called if there is none."""
        with self._lock:
            for call in reversed(self._calls):
                if call.method == method:
                    return call
            called = sorted({c.method for c in self._calls})
        raise AssertionError(f"no {method} call recorded; calls so far: {called or 'none'}")

    def reset_calls(self) -> None:
        """Forget recorded calls and violations (the world model stays)."""
        with self._lock:
            self._calls.clear()
            self.violations.clear()

    def assert_clean(self) -> None:
        """Raise AssertionError listing every contract / Block Kit violation seen so far."""
        with self._lock:
            violations = list(self.violations)
        if violations:
            listing = "\n".join(f"- {v}" for v in violations)
            raise AssertionError(f"{len(violations)} Slack API violation(s):\n{listing}")

    def _matching(self, method: str, ok_only: bool) -> list[RecordedCall]:
        return [c for c in self._calls if c.method == method and (c.ok or not ok_only)]

    def _timeout_message(self, method: str, count: int, found: int) -> str:
        called = sorted({c.method for c in self._calls})
        return (
            f"{count} {method} call(s), saw {found}; calls so far: {called or 'none'};"
            f" violations: {self.violations or 'none'}"
        )

    def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0, *, ok_only: bool = False
    ) -> list[RecordedCall]:
        """Block until ``count`` calls of ``method`` were recorded; returns them. For sync code and threads.

        In an async test use ``await wait_for_calls_async(...)``: blocking the test's loop would also block the
        app's background work that is supposed to make the calls.
        """
        check, explain = self._calls_check(method, count, ok_only)
        return self._wait(check, timeout, explain, name="wait_for_calls")

    async def wait_for_calls_async(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - same signature as wait_for_calls; the deadline is ours
        *,
        ok_only: bool = False,
    ) -> list[RecordedCall]:
        """Await until ``count`` calls of ``method`` were recorded; returns them (woken per call, no polling)."""
        check, explain = self._calls_check(method, count, ok_only)
        return await self._wait_async(check, timeout, explain)

    def _calls_check(
        self, method: str, count: int, ok_only: bool
    ) -> tuple[Callable[[], list[RecordedCall] | None], Callable[[], str]]:
        def check() -> list[RecordedCall] | None:
            found = self._matching(method, ok_only)
            return found if len(found) >= count else None

        def explain() -> str:
            return self._timeout_message(method, count, len(self._matching(method, ok_only)))

        return check, explain

    async def wait_until(
        self,
        condition: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - like wait_for_calls_async: the deadline is ours
        what: str = "a condition",
    ) -> Any:
        """Await until ``condition()`` is truthy; returns its value. It is re-checked whenever a call, connection
        or acknowledgement is recorded (no polling) and may use this fake's accessors (the lock is reentrant)."""

        def check() -> Any:
            value = condition()
            return value if value else None

        return await self._wait_async(check, timeout, lambda: f"{what}; violations: {self.violations or 'none'}")

    def _record(self, call: RecordedCall) -> None:
        with self._changed:
            self._calls.append(call)
        self._notify()

    # ------------------------------------------------------------------ HTTP

    async def _read_args(self, request: web.Request) -> tuple[dict[str, Any], str | None, list[Problem]]:
        """Merge query string, form or JSON body as Slack does; return (args, token, parse problems)."""
        problems: list[Problem] = []
        args: dict[str, Any] = dict(request.query)
        if request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                raw = await request.read()
                try:
                    body = json.loads(raw) if raw.strip() else {}
                except ValueError as exc:
                    body = {}
                    problems.append(Problem("invalid_json", f"body is not valid JSON: {exc}"))
                if isinstance(body, dict):
                    args.update(body)
                else:
                    problems.append(Problem("invalid_json", "JSON body must be an object"))
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    args[key] = value if isinstance(value, str) else f"<file {getattr(value, 'filename', '?')}>"
            else:
                raw = await request.read()
                if raw:
                    problems.append(Problem("invalid_form_data", f"unsupported content type {ctype!r}"))
        token: str | None = None
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer ") :].strip()
        body_token = args.pop("token", None)
        if token is None and isinstance(body_token, str):
            token = body_token
        for key in JSON_FIELDS & args.keys():
            value = args[key]
            if not isinstance(value, str):
                continue
            stripped = value.strip()
            if stripped[:1] in ("[", "{"):
                try:
                    args[key] = json.loads(stripped)
                    continue
                except ValueError:
                    pass
            if key in ("blocks", "attachments", "view"):
                error = JSON_FIELD_ERRORS.get(key, "invalid_arguments")
                problems.append(Problem(error, f"`{key}` is not a JSON array/object: {value[:80]!r}"))
        return {k: v for k, v in args.items() if v is not None}, token, problems

    def _auth_error(self, token: str | None, method: str = "") -> str | None:
        if method == "oauth.v2.access":  # the app's client id and secret authenticate it (see _oauth_v2_access)
            return None
        if not token:
            return "not_authed"
        if token in self.oauth.tokens:  # a workspace's token from an installation
            return self.oauth.token_error(token)
        if method in APP_TOKEN_METHODS:  # Slack: a bot or user token here is `not_allowed_token_type`
            if not token.startswith("xapp-"):
                return "not_allowed_token_type" if token.startswith("xox") else "invalid_auth"
            if self.expected_app_token is not None and token != self.expected_app_token:
                return "invalid_auth"
            return None
        if token.startswith("xapp-"):  # an app-level token only opens connections
            return "not_allowed_token_type"
        if self.expected_token is not None:
            return None if token == self.expected_token else "invalid_auth"
        return None if token.startswith("xoxb-") else "invalid_auth"

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = request.match_info["method"]
        args, token, parse_problems = await self._read_args(request)
        if method == "oauth.v2.access":
            args["authorization"] = request.headers.get("Authorization", "")
        with self._lock:
            self._pending[method] = self._pending.get(method, 0) + 1
        self._notify()
        try:
            pause = self._delays.get(method) or self._delays.get("*")
            if pause:
                await asyncio.sleep(pause)
            with self._lock:
                status, body, headers = self._process(method, args, token, parse_problems, arrived)
        finally:
            with self._lock:
                self._pending[method] -= 1
        self._record(
            RecordedCall(
                method=method,
                args=FrozenArgs({k: v for k, v in args.items() if k not in ("authorization", "client_secret")}),
                at=arrived,
                ok=bool(body.get("ok")),
                error=body.get("error"),
                status=status,
                token=token,
            )
        )
        return web.json_response(body, status=status, headers=headers)

    def _process(
        self, method: str, args: dict[str, Any], token: str | None, parse_problems: list[Problem], arrived: float
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Auth, contract and Block Kit checks, injected faults, then the method itself (under the lock)."""
        auth_error = self._auth_error(token, method)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}
        self._token = token
        authorization = args.pop("authorization", None)
        if method == "oauth.v2.access":
            self._authorization = authorization

        contract = self.spec.problems(method, args) if self.spec is not None else []
        payload = parse_problems + self._payload_problems(method, args)
        for text in contract:
            self.violations.append(text)
        for problem in payload:
            self.violations.append(f"{method}: [{problem.error}] {problem.detail}")

        queue = self._faults.get(method)
        if queue:
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            if fault.kind == "ratelimit":
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.retry_after)}
            return fault.status, {"ok": False, "error": fault.error, **fault.extra}, {}

        if contract:
            return 200, {"ok": False, "error": "fake_contract_violation", "detail": "; ".join(contract)}, {}
        if payload:
            return (
                200,
                {
                    "ok": False,
                    "error": payload[0].error,
                    "detail": "; ".join(p.detail for p in payload),
                    "response_metadata": {"messages": [f"[ERROR] {p.detail}" for p in payload]},
                },
                {},
            )

        if method == "chat.postMessage" and self._pacing is not None:
            with contextlib.suppress(SlackError):  # an unknown channel is answered by the handler
                wait = self._pacing_wait(self._channel(args.get("channel"), post=False)["id"], arrived)
                if wait is not None:
                    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}

        handler = self._handlers.get(method)
        try:
            result = handler(args) if handler is not None else {}
        except SlackError as exc:
            return exc.status, {"ok": False, "error": exc.error, **exc.extra}, exc.headers
        except Exception as exc:  # a bug in the fake must fail the test, not hang it
            self.violations.append(f"{method}: the fake itself failed: {exc!r}")
            return 500, {"ok": False, "error": "fake_internal_error", "detail": repr(exc)}, {}
        if method == "chat.postMessage":
            channel = result["channel"]
            self._post_times.setdefault(channel, []).append(arrived)
            if self._pacing is not None:
                self._take_token(channel)
        return 200, {"ok": True, **result}, {}

    def _payload_problems(self, method: str, args: Mapping[str, Any]) -> list[Problem]:
        """Block Kit and size checks of what a method carries."""
        if method in MESSAGE_METHODS:
            text_needed = method != "chat.update" or "blocks" in args
            return message_problems(args, require_text=text_needed)
        if method in VIEW_METHODS:
            return view_problems(args["view"]) if "view" in args else []
        if method in STREAM_METHODS:
            out: list[Problem] = []
            text = args.get("markdown_text")
            if isinstance(text, str) and len(text) > MARKDOWN_TEXT_MAX:
                out.append(Problem("msg_too_long", f"markdown_text is {len(text)} chars (max {MARKDOWN_TEXT_MAX})"))
            if "chunks" in args:
                out.extend(chunk_problems(args["chunks"]))
            if "blocks" in args:
                out.extend(
                    block_problems(
                        args["blocks"], where="blocks", error="invalid_blocks", max_blocks=MESSAGE_MAX_BLOCKS
                    )
                )
            if method == "chat.startStream":
                channel = str(args.get("channel", ""))
                if not channel.startswith("D"):
                    missing = [k for k in ("recipient_team_id", "recipient_user_id") if not args.get(k)]
                    if missing:
                        out.append(
                            Problem("invalid_arguments", f"streaming to channel {channel} needs {', '.join(missing)}")
                        )
            return out
        return []

    def _pacing_wait(self, channel: str, now: float) -> int | None:
        """Seconds to wait (for Retry-After) if the channel's bucket is empty, else None."""
        assert self._pacing is not None
        rate, burst = self._pacing
        tokens, last = self._buckets.get(channel, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        self._buckets[channel] = (tokens, now)
        if tokens >= 1.0:
            return None
        return max(1, math.ceil((1.0 - tokens) / rate))

    def _take_token(self, channel: str) -> None:
        tokens, last = self._buckets.get(channel, (1.0, time.monotonic()))
        self._buckets[channel] = (tokens - 1.0, last)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL of files.getUploadURLExternal: the file's bytes, raw or as multipart form data."""
        arrived = time.monotonic()
        file_id = request.match_info["file_id"]
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = next((v for v in form.values() if not isinstance(v, str)), None)
            body = part.file.read() if part is not None else b""  # type: ignore[union-attr]
        else:
            body = await request.read()
        with self._lock:
            upload = self._files.get(file_id)
            if upload is None:
                problem, status = f"upload to an unknown file id {file_id}", 404
            elif upload["content"] is not None:
                problem, status = f"file {file_id} uploaded twice", 400
            elif len(body) != upload["length"]:
                problem, status = f"file {file_id}: {len(body)} bytes sent, {upload['length']} announced", 400
            else:
                problem, status = None, 200
                upload["content"] = body
            if problem:
                self.violations.append(f"upload_url: {problem}")
        self._record(
            RecordedCall(
                method="upload_url",
                args=FrozenArgs({"file_id": file_id, "bytes": len(body)}),
                at=arrived,
                ok=status == 200,
                error=problem,
                status=status,
            )
        )
        return web.Response(text=f"OK - {len(body)}" if status == 200 else str(problem), status=status)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        key = request.match_info["key"]
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            problems = [Problem("invalid_payload", "response_url body must be a JSON object")]
            body = {}
        else:
            problems = message_problems(body, require_text="blocks" in body)
        with self._lock:
            for problem in problems:
                self.violations.append(f"response_url: [{problem.error}] {problem.detail}")
        status = 400 if problems else 200
        self._record(
            RecordedCall(
                method="response_url",
                args=FrozenArgs(body),
                at=arrived,
                ok=not problems,
                error=problems[0].error if problems else None,
                status=status,
                target=key,
            )
        )
        return web.Response(text=problems[0].error if problems else "ok", status=status)

    # ------------------------------------------------------------------ Socket Mode

    def socket_connections(self) -> list[SocketConnection]:
        """Every Socket Mode connection so far (open and closed), oldest first."""
        with self._lock:
            return [sock.snapshot() for sock in self._sockets.values()]

    def socket_envelopes(self) -> list[SocketEnvelope]:
        """Envelopes pushed with ``socket_send``, oldest first."""
        with self._lock:
            return list(self._envelopes.values())

    def socket_acks(self) -> list[SocketAck]:
        """Acknowledgements received, in arrival order."""
        with self._lock:
            return list(self._acks.values())

    async def socket_wait_connected(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - like wait_for_calls_async: the deadline is ours
    ) -> SocketConnection:
        """Await until ``count`` connections were opened in all and one is open; returns the newest open one."""

        def check() -> SocketConnection | None:
            newest = self._newest_open_socket()
            return newest.snapshot() if newest is not None and len(self._sockets) >= count else None

        return await self._wait_async(check, timeout, lambda: self._socket_explain(f"{count} connection(s)"))

    async def socket_wait_closed(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - like wait_for_calls_async: the deadline is ours
    ) -> list[SocketConnection]:
        """Await until at least one connection was opened and none is open any more; returns them all."""

        def check() -> list[SocketConnection] | None:
            if not self._sockets or self._newest_open_socket() is not None:
                return None
            return [sock.snapshot() for sock in self._sockets.values()]

        return await self._wait_async(check, timeout, lambda: self._socket_explain("every connection to close"))

    async def socket_send(
        self,
        envelope_type: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        envelope_id: str | None = None,
    ) -> str:
        """Push an envelope to the newest open connection, as Slack delivers a request; returns its envelope_id.

        ``envelope_type``: ``slash_commands``, ``interactive`` or ``events_api``; ``payload``: the request as a
        JSON object (``socket_payload()`` converts what ``slack_requests`` builds). ``accepts_response_payload``
        defaults to Slack's: true for slash commands, view_submission and block_suggestion. Events carry
        ``retry_attempt`` / ``retry_reason`` (0 and "" unless given).
        """
        if envelope_type not in SOCKET_ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {envelope_type!r}; Slack sends {sorted(SOCKET_ENVELOPE_TYPES)}")
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type == "slash_commands" or (
                envelope_type == "interactive" and payload.get("type") in _INTERACTIVE_WITH_RESPONSE
            )
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "payload": copy.deepcopy(dict(payload)),
            "type": envelope_type,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api" or retry_attempt is not None or retry_reason is not None:
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        await self._on_fake_loop(self._socket_deliver(envelope, register=True))
        return str(envelope["envelope_id"])

    async def socket_ack(
        self,
        envelope_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - like wait_for_calls_async: the deadline is ours
    ) -> dict[str, Any]:
        """Await the client's acknowledgement of an envelope: ``{"envelope_id": ..., "payload"?: {...}}``."""

        def check() -> dict[str, Any] | None:
            ack = self._acks.get(envelope_id)
            return copy.deepcopy(dict(ack.message)) if ack is not None else None

        def explain() -> str:
            sent = "sent" if envelope_id in self._envelopes else "never sent"
            return self._socket_explain(f"the acknowledgement of envelope {envelope_id} ({sent})")

        return await self._wait_async(check, timeout, explain)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> str:
        """Send Slack's ``disconnect`` message (reasons: refresh_requested, warning, link_disabled) to the newest
        open connection; returns its id. The client is expected to open a new connection and close this one."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": self._socket_host()}}
        return await self._on_fake_loop(self._socket_deliver(message, register=False))

    async def socket_close(self, code: int = WSCloseCode.GOING_AWAY) -> str:
        """Close the newest open connection from Slack's side without warning; returns its id."""

        async def close() -> str:
            with self._lock:
                sock = self._newest_open_socket()
                if sock is None:
                    raise AssertionError(self._socket_explain("an open connection to close"))
                sock.slack_close_code = code
            await sock.ws.close(code=code, message=b"closed by FakeSlack")
            return sock.id

        return await self._on_fake_loop(close())

    async def _on_fake_loop(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop (the WebSockets live there) and await it from the caller's loop."""
        loop = self._loop
        if loop is None or self._thread is None:
            coro.close()
            raise RuntimeError("FakeSlack is not running: use `with FakeSlack() as fake:` or call start()")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    def _socket_host(self) -> str:
        return f"fake-applink-{self._port}"

    def _newest_open_socket(self) -> _Socket | None:
        return next((s for s in reversed(self._sockets.values()) if s.closed_at is None), None)

    def _socket_explain(self, what: str) -> str:
        opened = len(self._sockets)
        open_now = sum(1 for s in self._sockets.values() if s.closed_at is None)
        issued = [c for c in self._calls if c.method == "apps.connections.open"]
        errors = sorted({str(c.error) for c in issued if not c.ok})
        return (
            f"{what}; Socket Mode connections opened: {opened}, open now: {open_now};"
            f" apps.connections.open calls: {len(issued)}{f' (errors: {errors})' if errors else ''};"
            f" acks: {len(self._acks)}; violations: {self.violations or 'none'}"
        )

    async def _socket_deliver(self, message: dict[str, Any], *, register: bool) -> str:
        """(fake loop) Send one message to the newest open connection; envelopes are registered first so an
        acknowledgement that arrives at once is matched."""
        with self._lock:
            sock = self._newest_open_socket()
            if sock is None:
                raise AssertionError(self._socket_explain("an open connection to send to"))
            if register:
                envelope_id = message["envelope_id"]
                if envelope_id in self._envelopes:
                    raise ValueError(f"envelope_id {envelope_id} was already sent")
                self._envelopes[envelope_id] = SocketEnvelope(
                    envelope_id, message["type"], copy.deepcopy(message), time.monotonic(), sock.id
                )
        await sock.ws.send_str(json.dumps(message))
        return sock.id

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        """(fake loop) One Socket Mode connection: hello, then acknowledgements until the client closes."""
        ticket = request.match_info["ticket"]
        with self._lock:
            known = ticket in self._socket_tickets
        if not known:
            return web.Response(status=404, text="unknown Socket Mode URL: call apps.connections.open for one")
        ws = web.WebSocketResponse(timeout=2.0)  # autoping answers slack_sdk's pings; 2 s for a close handshake
        await ws.prepare(request)
        with self._lock:
            num_connections = 1 + sum(1 for s in self._sockets.values() if s.closed_at is None)
        hello = {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {"host": self._socket_host(), "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        await ws.send_str(json.dumps(hello))
        sock = _Socket(f"{ticket}.{uuid.uuid4().hex[:8]}", str(request.url), ws, time.monotonic())
        with self._lock:
            self._sockets[sock.id] = sock
        self._notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._socket_received(sock, message.data)
                elif message.type == WSMsgType.BINARY:
                    with self._lock:
                        self.violations.append("socket mode: the client sent a binary frame (Slack expects JSON text)")
        finally:
            with self._lock:
                sock.closed_at = time.monotonic()
                by_slack = sock.slack_close_code is not None
                sock.close_code = sock.slack_close_code if by_slack else ws.close_code
                sock.closed_by = "slack" if by_slack else "client"
            self._notify()
        return ws

    def _socket_received(self, sock: _Socket, data: str) -> None:
        """(fake loop) Record an acknowledgement and check it as Slack would."""
        now = time.monotonic()
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        with self._lock:
            if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
                self.violations.append(f"socket mode: not an acknowledgement (JSON with envelope_id): {data[:120]!r}")
                return
            envelope_id = message["envelope_id"]
            envelope = self._envelopes.get(envelope_id)
            if envelope is None:
                self.violations.append(f"socket mode: acknowledged envelope {envelope_id}, which was never sent")
                return
            if envelope_id in self._acks:
                self.violations.append(f"socket mode: envelope {envelope_id} acknowledged twice")
                return
            where = f"socket mode ack of {envelope.type} {envelope_id}"
            extra = sorted(set(message) - {"envelope_id", "payload"})
            if extra:
                self.violations.append(f"{where}: unknown key(s) {', '.join(extra)} (Slack reads envelope_id, payload)")
            payload = message.get("payload")
            if payload is not None:
                for problem in self._ack_payload_problems(envelope, payload):
                    self.violations.append(f"{where}: [{problem.error}] {problem.detail}")
            latency = now - envelope.sent_at
            if self.socket_ack_deadline is not None and latency > self.socket_ack_deadline:
                self.violations.append(
                    f"{where}: acknowledged after {latency:.2f} s (Slack gives up after {self.socket_ack_deadline} s)"
                )
            self._acks[envelope_id] = SocketAck(envelope_id, FrozenArgs(message), now, sock.id, latency)
        self._notify()

    def _ack_payload_problems(self, envelope: SocketEnvelope, payload: Any) -> list[Problem]:
        if not isinstance(payload, Mapping):
            return [Problem("invalid_payload", f"payload must be a JSON object, got {type(payload).__name__}")]
        if not payload:
            return []
        if not envelope.envelope.get("accepts_response_payload"):
            return [Problem("payload_ignored", "this envelope does not accept a response payload; Slack drops it")]
        if envelope.type == "slash_commands":
            return message_problems(payload, require_text="blocks" in payload)
        request = envelope.envelope.get("payload") or {}
        if envelope.type == "interactive" and request.get("type") == "view_submission":
            action = payload.get("response_action")
            if action in ("update", "push"):
                return view_problems(payload.get("view"))
            if action == "errors":
                errors = payload.get("errors")
                if not isinstance(errors, Mapping) or not errors:
                    return [Problem("invalid_arguments", "response_action errors needs a non-empty `errors` object")]
                return []
            if action != "clear":
                return [Problem("invalid_arguments", f"unknown response_action {action!r}")]
        return []

    async def _close_sockets(self, app: web.Application) -> None:
        """(fake loop, on shutdown) Close open connections as Slack does when it goes away."""
        with self._lock:
            open_sockets = [s for s in self._sockets.values() if s.closed_at is None]
            for sock in open_sockets:
                sock.slack_close_code = WSCloseCode.GOING_AWAY
        for sock in open_sockets:
            with contextlib.suppress(Exception):
                await sock.ws.close(code=WSCloseCode.GOING_AWAY, message=b"FakeSlack stopped")

    # ------------------------------------------------------------------ helpers used by handlers (lock held)

    def _next_ts(self) -> str:
        self._ts_micro += 100
        return f"{self._ts_micro // 1_000_000}.{self._ts_micro % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):010X}"

    def _channel(self, ref: Any, *, post: bool) -> dict[str, Any]:
        """Resolve a channel argument like Slack: ID, #name, name, or a user ID (its DM)."""
        if not isinstance(ref, str) or not ref:
            raise SlackError("channel_not_found")
        channel = self._channels.get(ref)
        if channel is None and ref[0] in "UW" and ref in self._users:
            dm = "D" + ref[1:]
            channel = self._channels.get(dm)
            if channel is None:
                self.add_channel(dm, name=dm.lower(), member=True)
                channel = self._channels[dm]
                channel["user"] = ref
        if channel is None:
            name = ref.lstrip("#")
            channel = next((c for c in self._channels.values() if c["name"] == name), None)
        if channel is None or (channel["private"] and not channel["member"]):
            raise SlackError("channel_not_found")  # Slack hides private channels the bot is not in
        if post:
            if channel["archived"]:
                raise SlackError("is_archived")
            if not channel["member"]:
                raise SlackError("not_in_channel")  # chat:write.public is not assumed
        return channel

    def _store_message(self, channel: str, msg: dict[str, Any], thread_ts: Any) -> None:
        store = self._messages.setdefault(channel, {})
        if isinstance(thread_ts, str) and thread_ts and thread_ts != msg["ts"]:
            msg["thread_ts"] = thread_ts
            parent = store.get(thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = msg["ts"]
                users = parent.setdefault("reply_users", [])
                author = msg.get("user")
                if author and author not in users:
                    users.append(author)
        store[msg["ts"]] = msg

    def _stored(self, channel: str, ts: Any) -> dict[str, Any]:
        msg = self._messages.get(channel, {}).get(ts) if isinstance(ts, str) else None
        if msg is None:
            raise SlackError("message_not_found")
        return msg

    def _bot_message(self, ts: str, text: str) -> dict[str, Any]:
        return {
            "type": "message",
            "text": text,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
            "bot_profile": {"id": self.bot_id, "app_id": self.app_id, "name": self.bot_name, "team_id": self.team_id},
        }

    def _public_message(self, msg: Mapping[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in msg.items() if v is not None}

    def _check_trigger(self, args: Mapping[str, Any]) -> None:
        trigger = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger:
            raise SlackError("invalid_arguments", detail="trigger_id is required")
        if not self.enforce_fresh_trigger_ids:
            return
        issued = self._triggers.get(trigger)
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        if issued is None or time.monotonic() - issued > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        self._used_triggers.add(trigger)

    def _new_view(self, view: Any, view_id: str | None = None, root: str | None = None) -> dict[str, Any]:
        if not isinstance(view, Mapping):
            raise SlackError("invalid_arguments", detail="view is required")
        vid = view_id or self._new_id("V")
        stored = {
            "id": vid,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": None,
            "root_view_id": root or vid,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        external = stored["external_id"]
        if external:
            owner = self._external_ids.get(external)
            if owner is not None and owner != vid:
                raise SlackError("duplicate_external_id")
            self._external_ids[external] = vid
        self._views[vid] = stored
        return stored

    # ------------------------------------------------------------------ method handlers (lock held)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        team_id = self.oauth.tokens.get(self._token or "")
        if team_id is not None:  # an installed workspace's token: its own team and bot user
            domain = self.oauth.teams[team_id]
            bot_user, bot_id = self.oauth.bot_users[team_id], f"B{team_id[1:]}"[:11]
        else:
            team_id, domain, bot_user, bot_id = self.team_id, self.team_domain, self.bot_user_id, self.bot_id
        return {
            "url": f"https://{domain}.slack.com/",
            "team": domain,
            "user": self.bot_name,
            "team_id": team_id,
            "user_id": bot_user,
            "bot_id": bot_id,
            "is_enterprise_install": False,
        }

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """A code from the consent screen (or a refresh token) for a workspace's bot token; see slack_oauth."""
        if not args.get("code") and not (args.get("grant_type") == "refresh_token" and args.get("refresh_token")):
            raise SlackError("invalid_arguments")
        try:
            return self.oauth.access(args, self._authorization)
        except OAuthError as exc:
            raise SlackError(exc.error) from None

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=True)
        ts = self._next_ts()
        msg = self._bot_message(ts, str(args.get("text") or args.get("markdown_text") or ""))
        for key in ("blocks", "attachments", "metadata"):
            if key in args:
                msg[key] = copy.deepcopy(args[key])
        self._store_message(channel["id"], msg, args.get("thread_ts"))
        return {"channel": channel["id"], "ts": ts, "message": self._public_message(msg)}

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args.get("length", ""))
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None
        if length < 0:
            raise SlackError("invalid_arguments")
        if length == 0:  # Slack's method page: "missing_argument ... typically only occurs when length is 0"
            raise SlackError("missing_argument")
        if len(str(args.get("alt_txt") or "")) > 1000:  # alt_txt_too_large: "longer than the limit of 1000"
            raise SlackError("alt_txt_too_large")
        file_id = f"F{next(self._ids):010d}"
        self._files[file_id] = {
            "id": file_id,
            "filename": str(args["filename"]),
            "length": length,
            "alt_txt": args.get("alt_txt"),
            "title": None,
            "content": None,
            "completed": False,
            "channels": [],
            "thread_ts": None,
        }
        return {"upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise SlackError("invalid_arguments")
        uploads = []
        for entry in entries:
            upload = self._files.get(entry.get("id"))  # type: ignore[arg-type]
            if upload is None:
                raise SlackError("file_not_found")
            if upload["content"] is None:
                self.violations.append(f"files.completeUploadExternal: {upload['id']} completed before its bytes")
                raise SlackError("file_not_found")
            if upload["completed"]:
                self.violations.append(f"files.completeUploadExternal: {upload['id']} completed twice")
            uploads.append((upload, entry))
        channel_id, thread_ts = args.get("channel_id"), args.get("thread_ts")
        if thread_ts and not channel_id:
            raise SlackError("invalid_arguments")
        channel = self._channel(channel_id, post=True) if channel_id else None
        if channel is not None and thread_ts:
            self._stored(channel["id"], thread_ts)
        shown = []
        for upload, entry in uploads:
            upload["completed"] = True
            upload["title"] = entry.get("title") or upload["filename"]
            mimetype = mimetypes.guess_type(upload["filename"])[0] or "application/octet-stream"
            shown.append(
                {
                    "id": upload["id"],
                    "name": upload["filename"],
                    "title": upload["title"],
                    "mimetype": mimetype,
                    "size": upload["length"],
                    **({"alt_txt": upload["alt_txt"]} if upload["alt_txt"] else {}),
                }
            )
            if channel is not None:
                upload["channels"].append(channel["id"])
                upload["thread_ts"] = thread_ts
        if channel is not None:
            msg = self._bot_message(self._next_ts(), str(args.get("initial_comment") or ""))
            msg["files"] = copy.deepcopy(shown)
            msg["upload"] = True
            self._store_message(channel["id"], msg, thread_ts)
        return {"files": [{"id": f["id"], "title": f["title"]} for f in shown]}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=True)
        if args.get("user") not in self._users and self._users:
            raise SlackError("user_not_found")
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "channel": channel["id"],
                "user": args.get("user"),
                "ts": ts,
                "thread_ts": args.get("thread_ts"),
                "text": args.get("text", ""),
                "blocks": copy.deepcopy(args.get("blocks")),
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=False)
        msg = self._stored(channel["id"], args.get("ts"))
        if msg.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                msg[key] = copy.deepcopy(args[key])
        if "text" not in args and "markdown_text" in args:
            msg["text"] = args["markdown_text"]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel["id"],
            "ts": msg["ts"],
            "text": msg.get("text", ""),
            "message": self._public_message(msg),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=False)
        msg = self._stored(channel["id"], args.get("ts"))
        if msg.get("user") != self.bot_user_id:
            raise SlackError("cant_delete_message")
        del self._messages[channel["id"]][msg["ts"]]
        return {"channel": channel["id"], "ts": msg["ts"]}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=False)
        msg = self._stored(channel["id"], args.get("message_ts"))
        link = f"https://{self.team_domain}.slack.com/archives/{channel['id']}/p{msg['ts'].replace('.', '')}"
        thread = msg.get("thread_ts")
        if thread and thread != msg["ts"]:
            link += f"?thread_ts={thread}&cid={channel['id']}"
        return {"channel": channel["id"], "permalink": link}

    def _stream_text(self, msg: dict[str, Any], args: Mapping[str, Any]) -> None:
        parts: list[str] = []
        if isinstance(args.get("markdown_text"), str):
            parts.append(args["markdown_text"])
        for chunk in args.get("chunks") or []:
            msg.setdefault("chunks", []).append(copy.deepcopy(chunk))
            if isinstance(chunk, Mapping) and chunk.get("type") == "markdown_text":
                parts.append(str(chunk.get("text", "")))
        msg["text"] = msg.get("text", "") + "".join(parts)

    def _streaming(self, args: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        channel = self._channel(args.get("channel"), post=True)
        msg = self._stored(channel["id"], args.get("ts"))
        if msg.get("streaming_state") != "in_progress":
            raise SlackError("message_not_in_streaming_state")
        return channel, msg

    def _chat_start_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=True)
        ts = self._next_ts()
        msg = self._bot_message(ts, "")
        msg["streaming_state"] = "in_progress"
        self._stream_text(msg, args)
        self._store_message(channel["id"], msg, args.get("thread_ts"))
        return {"channel": channel["id"], "ts": ts}

    def _chat_append_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, msg = self._streaming(args)
        self._stream_text(msg, args)
        return {"channel": channel["id"], "ts": msg["ts"]}

    def _chat_stop_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, msg = self._streaming(args)
        self._stream_text(msg, args)
        for key in ("blocks", "metadata"):
            if key in args:
                msg[key] = copy.deepcopy(args[key])
        msg["streaming_state"] = "completed"
        return {"channel": channel["id"], "ts": msg["ts"], "message": self._public_message(msg)}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._check_trigger(args)
        return {"view": copy.deepcopy(self._new_view(args.get("view")))}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._check_trigger(args)
        return {"view": copy.deepcopy(self._new_view(args.get("view")))}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id") or self._external_ids.get(str(args.get("external_id", "")))
        current = self._views.get(view_id) if isinstance(view_id, str) else None
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        updated = self._new_view(args.get("view"), view_id=current["id"], root=current["root_view_id"])
        updated["previous_view_id"] = current["previous_view_id"]
        return {"view": copy.deepcopy(updated)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user_id"))
        existing = self._home_views.get(user)
        if existing and args.get("hash") and args["hash"] != self._views[existing]["hash"]:
            raise SlackError("hash_conflict")
        view = self._new_view(args.get("view"), view_id=existing)
        self._home_views[user] = view["id"]
        return {"view": copy.deepcopy(view)}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(args.get("user"))  # type: ignore[arg-type]
        if user is None:
            raise SlackError("user_not_found")
        shown = copy.deepcopy(user)
        if str(args.get("include_locale", "")).lower() not in ("true", "1"):
            shown.pop("locale", None)
        return {"user": shown}

    def _channel_info(self, channel: Mapping[str, Any]) -> dict[str, Any]:
        if channel["im"]:
            return {"id": channel["id"], "is_im": True, "user": channel["user"], "is_open": True}
        return {
            "id": channel["id"],
            "name": channel["name"],
            "name_normalized": channel["name"],
            "is_channel": not channel["private"],
            "is_group": channel["private"],
            "is_im": False,
            "is_mpim": False,
            "is_private": channel["private"],
            "is_archived": channel["archived"],
            "is_general": False,
            "is_member": channel["member"],
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "created": self._ts_micro // 1_000_000,
        }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._channel_info(self._channel(args.get("channel"), post=False))}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=False)
        if channel["private"] or channel["im"]:
            raise SlackError("method_not_supported_for_channel_type")
        if channel["archived"]:
            raise SlackError("is_archived")
        already = channel["member"]
        channel["member"] = True
        result: dict[str, Any] = {"channel": self._channel_info(channel)}
        if already:
            result["warning"] = "already_in_channel"
            result["response_metadata"] = {"warnings": ["already_in_channel"]}
        return result

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=False)
        top = [m for m in self.messages(channel["id"]) if m.get("thread_ts") in (None, m["ts"])]
        return {"messages": list(reversed(top)), "has_more": False}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=False)
        msgs = self.messages(channel["id"], thread_ts=str(args.get("ts")))
        if not msgs:
            raise SlackError("thread_not_found")
        return {"messages": msgs, "has_more": False}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        self._socket_tickets.add(ticket)
        return {"url": f"ws://{self.host}:{self.port}/socket-mode/{ticket}"}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), post=True)
        msg = self._stored(channel["id"], args.get("timestamp"))
        name = str(args.get("name", "")).strip(":")
        reactions = msg.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if self.bot_user_id in entry["users"]:
            raise SlackError("already_reacted")
        entry["users"].append(self.bot_user_id)
        entry["count"] += 1
        return {}
