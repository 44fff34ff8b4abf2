"""The door every Slack request passes before Bolt: signature first, then a defensive parse, then the typed read.

Nothing is read from a request, and nothing is done for it, before its signature checks out: a bad or
missing signature is a 401 whose log line names the reason, never the body. A verified request whose body
is not what Slack sends (not UTF-8, not a JSON object, too deep, too large, a field of the wrong type) is a
400. What passes reaches Bolt as the validated fields only (see ``bot.slack.inbound``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from pydantic import TypeAdapter, ValidationError
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.logs import bind_request
from bot.slack.inbound import (
    BlockActions,
    EventCallback,
    Inbound,
    OtherEvent,
    SlashCommand,
    SslCheck,
    UrlVerification,
    ViewSubmission,
)

Background = Callable[..., Any]  # BackgroundTasks.spawn: (coroutine, *, name) -> task

# Slack's payloads are a few KB; a submitted modal with every answer at its limit stays far below this.
MAX_BODY_BYTES = 512 * 1024
# Slack's own payloads nest about ten levels (view.state.values.<block>.<action>.selected_options[n]).
MAX_DEPTH = 24
MAX_FORM_FIELDS = 64
# Slack's guidance: reject a request whose timestamp is more than five minutes from now (replays).
TIMESTAMP_WINDOW_S = 300

# An event's handling waits until no request has arrived for QUIET_GAP_S (at most MAX_HOLD_S): during a burst the
# loop acknowledges first and works after, instead of interleaving both and making the later acks wait.
QUIET_GAP_S = 0.05
MAX_HOLD_S = 0.5
# Bolt dispatches running at once (Bolt's middleware, de-duplication, a listener's first steps): a burst let through
# all at once would make a later request's acknowledgement wait behind each of their steps in turn.
DISPATCHING_AT_ONCE = 4

_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Rejected(Exception):
    """Why a request was turned away: the HTTP status and a reason safe to log (no body, no secret)."""

    status: int
    reason: str

    def __str__(self) -> str:
        return f"{self.status} {self.reason}"


def verify_signature(secret: str, headers: Mapping[str, str], raw: bytes, *, now: float | None = None) -> None:
    """Slack's v0 signing scheme, checked on the raw bytes, before anything decodes them.

    The HMAC is computed here on bytes (slack_sdk's verifier decodes the body as UTF-8 first, so a body that
    is not UTF-8 would raise instead of failing the check, and so would a timestamp that is not an integer).
    """
    timestamp = headers.get("x-slack-request-timestamp") or ""
    signature = headers.get("x-slack-signature") or ""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Rejected(401, "missing or malformed X-Slack-Request-Timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > TIMESTAMP_WINDOW_S:
        raise Rejected(401, "X-Slack-Request-Timestamp outside the five-minute window")
    if not _SIGNATURE.fullmatch(signature):
        raise Rejected(401, "missing or malformed X-Slack-Signature")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Rejected(401, "signature does not match")


def parse_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as Slack's request forms carry it: JSON (Events API), a form with a JSON ``payload`` (interactions),
    or a plain form (slash commands). Anything else is a 400."""
    if len(raw) > MAX_BODY_BYTES:
        raise Rejected(413, f"body over {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (not media and text.startswith("{")):
        return _json_object(text, "body")
    if media not in ("application/x-www-form-urlencoded", ""):
        raise Rejected(400, f"unexpected content type {media[:40]!r}")
    try:
        fields = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise Rejected(400, "form body with too many fields") from None
    form: dict[str, Any] = {}
    for key, value in fields:
        form.setdefault(key, _clean(value))
    if "payload" in form:
        return _json_object(form["payload"], "payload")
    return form


def read_inbound(body: dict[str, Any]) -> Inbound:
    """The typed payload for a parsed body; Rejected(400) names the kind and the first wrong field."""
    kind: type[Inbound]
    if body.get("type") == "url_verification":
        kind = UrlVerification
    elif "ssl_check" in body:
        kind = SslCheck
    elif "command" in body:
        kind = SlashCommand
    elif body.get("type") == "block_actions":
        kind = BlockActions
    elif body.get("type") == "view_submission":
        kind = ViewSubmission
    elif body.get("type") == "event_callback":
        kind = EventCallback
    else:
        raise Rejected(400, f"unsupported payload type {str(body.get('type'))[:40]!r}")
    try:
        return _ADAPTERS[kind].validate_python(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])[:80]
        raise Rejected(400, f"{kind.__name__}: {where or 'body'}: {first['msg'][:80]}") from None


def team_of(inbound: Inbound) -> str | None:
    """The workspace a request comes from, where the payload says."""
    if isinstance(inbound, SlashCommand | EventCallback):
        return inbound.team_id
    if isinstance(inbound, BlockActions | ViewSubmission):
        return inbound.team_id
    return None


def read_envelope(payload: Any) -> Inbound:
    """A Socket Mode envelope's payload (already parsed by slack_sdk) through the same checks as an HTTP body."""
    if not isinstance(payload, dict):
        raise Rejected(400, "payload is not a JSON object")
    cleaned = _clean(payload)
    return read_inbound(cleaned)


def bolt_body(inbound: Inbound) -> dict[str, Any]:
    """What Bolt gets to match and dispatch on: the validated fields only, in Slack's own shape."""
    return inbound.model_dump(mode="json", exclude_none=True)


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # JSONDecodeError, 4,300-digit integers, NaN/Infinity, very deep nesting
        raise Rejected(400, f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise Rejected(400, f"{what} is not a JSON object")
    cleaned = _clean(value)
    assert isinstance(cleaned, dict)
    return cleaned


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _clean(value: Any) -> Any:
    """Bounded-depth copy with lone surrogates (which no database stores) replaced by U+FFFD, so a person's
    text is kept rather than the request refused. Iterative: the depth limit, not the stack, bounds it."""
    root: list[Any] = [value]
    # (container, key or index, depth): Any, since one stack holds both dicts and lists
    stack: list[tuple[Any, Any, int]] = [(root, 0, 0)]
    while stack:
        parent, key, depth = stack.pop()
        item = parent[key]
        if isinstance(item, str):
            if not item.isascii() and _LONE_SURROGATE.search(item):
                parent[key] = _LONE_SURROGATE.sub("\ufffd", item)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise Rejected(400, f"nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                mapping: dict[str, Any] = {}
                for k, v in item.items():
                    k = _LONE_SURROGATE.sub("\ufffd", k) if not k.isascii() else k
                    mapping[k] = v
                    stack.append((mapping, k, depth + 1))
                parent[key] = mapping
            else:
                items = list(item)
                stack.extend((items, i, depth + 1) for i in range(len(items)))
                parent[key] = items
    return root[0]


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {
    kind: TypeAdapter(kind)
    for kind in (UrlVerification, SslCheck, SlashCommand, BlockActions, ViewSubmission, EventCallback)
}


class _Intake:
    """When the last request came in, so handling can wait for a burst of requests to be acknowledged first. One
    timer and one future serve every waiting event: a burst of 200 does not wake 200 sleepers every few ms."""

    def __init__(self) -> None:
        self._last = 0.0
        self._open: asyncio.Future[None] | None = None
        self._held_until = 0.0
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def slot(self) -> asyncio.Semaphore:
        """The dispatch slots of the running loop (tests run several loops in one process)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(DISPATCHING_AT_ONCE))
        return self._slots[1]

    def arrived(self) -> None:
        self._last = asyncio.get_running_loop().time()

    async def quiet(self) -> None:
        """Return once QUIET_GAP_S has passed with no request, or MAX_HOLD_S after the first of a burst waited."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._last >= QUIET_GAP_S:
            return
        if self._open is None or self._open.done() or self._open.get_loop() is not loop:
            self._open = loop.create_future()
            self._held_until = loop.time() + MAX_HOLD_S
            self._check(self._open)
        await asyncio.wait({self._open})  # a waiter cancelled (shutdown) leaves the others' future alone

    def _check(self, gate: asyncio.Future[None]) -> None:
        if gate.done():
            return
        loop = gate.get_loop()
        due = min(self._last + QUIET_GAP_S, self._held_until)
        if loop.time() >= due:
            gate.set_result(None)
        else:
            loop.call_at(due, self._check, gate)


_INTAKE = _Intake()


async def _handle_after_burst(app: AsyncApp, inbound: EventCallback, headers: dict[str, Any]) -> BoltResponse:
    """An acknowledged event, handled once the requests arriving with it are acknowledged: Bolt's request and
    everything after it (de-duplication, the listener) are built here, not on the acknowledgement path."""
    await _INTAKE.quiet()
    async with _INTAKE.slot():
        request = AsyncBoltRequest(
            body=bolt_body(inbound), headers=headers, context={"inbound": inbound}, mode="socket_mode"
        )
        return await app.async_dispatch(request)


async def after_acknowledgements() -> None:
    """For work an event starts (a listener's background task): wait while requests keep arriving, so it does not
    slow their acknowledgements (returns at once on a quiet bot, at most MAX_HOLD_S later on a busy one)."""
    await _INTAKE.quiet()


async def dispatch(
    app: AsyncApp,
    inbound: Inbound,
    headers: Mapping[str, Any] | None = None,
    *,
    background: Background | None = None,
) -> BoltResponse:
    """Hand a verified, typed request to Bolt (both HTTP and Socket Mode come through here).

    Bolt is given the validated body as a dict, which is its Socket Mode request form: that form skips
    Bolt's own signature check, done here already on the raw bytes. Events the bot does not act on are
    acknowledged without reaching any listener. An event needs nothing in its acknowledgement, so with
    `background` it is acknowledged at once and handled after (de-duplication included): a busy database or
    a slow thread never holds the acknowledgement Slack retries after 3 s.
    """
    _INTAKE.arrived()
    if isinstance(inbound, EventCallback) and isinstance(inbound.event, OtherEvent):
        return BoltResponse(status=200, body="")
    bind_request(team_of(inbound))  # every log line of this request, and of the work it starts, names both
    if background is not None and isinstance(inbound, EventCallback):
        try:
            background(_handle_after_burst(app, inbound, dict(headers or {})), name=f"event:{inbound.event_id}")
        except RuntimeError:  # shutting down: Slack redelivers to an instance that is up
            return BoltResponse(status=503, body="shutting down")
        return BoltResponse(status=200, body="")
    request = AsyncBoltRequest(
        body=bolt_body(inbound), headers=dict(headers or {}), context={"inbound": inbound}, mode="socket_mode"
    )
    return await app.async_dispatch(request)
