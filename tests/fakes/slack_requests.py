"""Requests shaped and signed the way Slack sends them to an app (slash commands, interactivity, Events API).

Why: listener tests should feed the app the bytes Slack really sends, through the app's real signature check,
not hand-made dicts that skip encoding. Shapes follow Slack's reference pages (docs.slack.dev):
"Implementing slash commands" (form fields), "Interaction payloads" (block_actions, view_submission), and
"Events API" (event_callback envelope, url_verification, retry headers). Builders return
``(body_bytes, content_type)``; ``sign`` adds the v0 signature headers; ``post_signed`` sends them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import aiohttp

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

TEAM_ID = "T0000FAKE"  # the same defaults as FakeSlack, so payloads and the fake describe one workspace
TEAM_DOMAIN = "fake-team"
APP_ID = "A0000APP"
BOT_USER_ID = "U0000BOT"
BOT_ID = "B0000BOT"
USER_ID = "U0000USER"
USER_NAME = "alice"
CHANNEL_ID = "C0000CHAN"
CHANNEL_NAME = "general"
VERIFICATION_TOKEN = "fake-verification-token"  # deprecated by Slack, still sent in every payload

_counter = itertools.count(1)

Body = tuple[bytes, str]


# ---------------------------------------------------------------------------------------------- signing


def sign(body: bytes | str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = b"v0:" + str(ts).encode("ascii") + b":" + raw
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def retry_headers(num: int, reason: str = "http_timeout") -> dict[str, str]:
    """Headers Slack adds when it redelivers an event (reasons: http_timeout, http_error, too_many_requests...)."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


def signed_headers(
    body: bytes,
    content_type: str,
    secret: str,
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Content-Type + signature (+ retry) headers for one request, as Slack sends them."""
    headers = {"Content-Type": content_type, **sign(body, secret, timestamp)}
    if retry_num is not None:
        headers.update(retry_headers(retry_num, retry_reason))
    return headers


async def post_signed(
    url: str,
    body: bytes,
    content_type: str,
    secret: str,
    *,
    headers: Mapping[str, str] | None = None,
    timestamp: int | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - passed to aiohttp.ClientTimeout, like Slack's own 3 s budget
) -> tuple[int, str]:
    """POST a signed request to an app server like Slack does; returns (status, response text)."""
    all_headers = signed_headers(body, content_type, secret, timestamp=timestamp)
    all_headers.update(headers or {})
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with (
        aiohttp.ClientSession(timeout=client_timeout) as session,
        session.post(url, data=body, headers=all_headers) as response,
    ):
        return response.status, await response.text()


# ---------------------------------------------------------------------------------------------- ids


def new_ts() -> str:
    """A message ts (``seconds.micro``), unique and increasing within this process."""
    n = next(_counter)
    return f"{int(time.time())}.{n % 1_000_000:06d}"


def new_trigger_id() -> str:
    """A trigger id in Slack's format (``digits.digits.hex``)."""
    return f"{10_000_000_000 + next(_counter)}.{int(time.time())}.{secrets.token_hex(16)}"


def new_event_id() -> str:
    return "Ev" + secrets.token_hex(5).upper()


def new_view_id() -> str:
    return "V" + secrets.token_hex(5).upper()


def response_url_for(kind: str = "commands", team_id: str = TEAM_ID) -> str:
    """A response_url like Slack's (hooks.slack.com); pass FakeSlack.response_url() to capture replies."""
    return f"https://hooks.slack.com/{kind}/{team_id}/{next(_counter)}/{secrets.token_hex(12)}"


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _form(fields: Mapping[str, Any]) -> Body:
    return urlencode({k: v for k, v in fields.items() if v is not None}).encode("utf-8"), FORM


def _payload_form(payload: Mapping[str, Any]) -> Body:
    """Interactivity: ``payload=<JSON>`` form-encoded, which is how Slack posts interactions."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode("utf-8"), FORM


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


# ---------------------------------------------------------------------------------------------- slash commands


def slash_command(
    command: str = "/scale-review",
    text: str = "",
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    trigger_id: str | None = None,
    response_url: str | None = None,
    token: str = VERIFICATION_TOKEN,
    enterprise_id: str | None = None,
    enterprise_name: str | None = None,
    is_enterprise_install: bool = False,
) -> Body:
    """A slash command invocation: form-encoded fields as listed in Slack's slash command docs."""
    return _form(
        {
            "token": token,
            "team_id": team_id,
            "team_domain": team_domain,
            "enterprise_id": enterprise_id,
            "enterprise_name": enterprise_name,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "true" if is_enterprise_install else "false",
            "response_url": response_url or response_url_for("commands", team_id),
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


# ---------------------------------------------------------------------------------------------- view state


_STATE_KEYS = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
    "rich_text_input": "rich_text_value",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "users_select": "selected_user",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
    "multi_users_select": "selected_users",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    """An option object as it appears in a selected_option(s) state."""
    return {"text": plain_text(text if text is not None else value), "value": value}


def state_value(element_type: str, value: Any) -> dict[str, Any]:
    """One element's entry in ``view.state.values[block_id][action_id]``, keyed as Slack does per type.

    For selects pass an ``option(...)`` (or a list of them); for text inputs a string (None: left empty).
    """
    key = _STATE_KEYS.get(element_type)
    if key is None:
        raise ValueError(f"unknown input element type {element_type!r}; known: {sorted(_STATE_KEYS)}")
    if key in ("selected_option", "selected_options") and value is not None:
        if key == "selected_option" and isinstance(value, str):
            value = option(value)
        if key == "selected_options":
            value = [option(v) if isinstance(v, str) else v for v in value]
    return {"type": element_type, key: value}


def view_state(values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None) -> dict[str, Any]:
    """``{"values": {block_id: {action_id: state_value(...)}}}``."""
    return {"values": {b: {a: dict(v) for a, v in actions.items()} for b, actions in (values or {}).items()}}


def submitted_view(
    *,
    callback_id: str,
    values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    view_type: str = "modal",
    view_id: str | None = None,
    private_metadata: str = "",
    blocks: Sequence[Mapping[str, Any]] | None = None,
    title: str = "Scale review",
    submit: str | None = "Generate",
    close: str | None = "Cancel",
    external_id: str = "",
    hash: str | None = None,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
    team_id: str = TEAM_ID,
    app_id: str = APP_ID,
    bot_id: str = BOT_ID,
) -> dict[str, Any]:
    """A view object as Slack includes it in interaction payloads (with id, hash, state and ownership)."""
    vid = view_id or new_view_id()
    view: dict[str, Any] = {
        "id": vid,
        "team_id": team_id,
        "type": view_type,
        "blocks": [dict(b) for b in blocks or []],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": view_state(values),
        "hash": hash or f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": plain_text(title),
        "clear_on_close": False,
        "notify_on_close": False,
        "close": plain_text(close) if close else None,
        "submit": plain_text(submit) if submit else None,
        "previous_view_id": previous_view_id,
        "root_view_id": root_view_id or vid,
        "app_id": app_id,
        "external_id": external_id,
        "app_installed_team_id": team_id,
        "bot_id": bot_id,
    }
    if view_type == "home":
        for key in ("title", "close", "submit"):
            view.pop(key)
    return view


def state_from_view(view: Mapping[str, Any], *, channel: str | None = "C123") -> dict[str, dict[str, Any]]:
    """What Slack sends back in view.state.values when someone submits the view without touching it."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind == "plain_text_input":
            state: dict[str, Any] = {"type": kind, "value": element.get("initial_value")}
        elif kind == "number_input":
            state = {"type": kind, "value": element.get("initial_value")}
        elif kind == "static_select":
            state = {"type": kind, "selected_option": element.get("initial_option")}
        elif kind == "conversations_select":
            state = {"type": kind, "selected_conversation": element.get("initial_conversation", channel)}
        elif kind == "timepicker":
            state = {"type": kind, "selected_time": element.get("initial_time")}
        elif kind == "checkboxes":
            state = {"type": kind, "selected_options": element.get("initial_options", [])}
        else:
            raise AssertionError(f"unexpected element {kind}")
        values[block["block_id"]] = {element["action_id"]: state}
    return values


# ---------------------------------------------------------------------------------------------- interactivity


def view_submission(
    *,
    callback_id: str,
    values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    private_metadata: str = "",
    view: Mapping[str, Any] | None = None,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    trigger_id: str | None = None,
    response_urls: Sequence[Mapping[str, str]] | None = None,
    token: str = VERIFICATION_TOKEN,
    **view_fields: Any,
) -> Body:
    """A ``view_submission`` interaction (the user pressed Submit in a modal).

    ``values``: ``{block_id: {action_id: state_value(type, value)}}``. ``response_urls`` is filled by Slack
    only for conversation/channel selects with ``response_url_enabled``: ``[{block_id, action_id,
    channel_id, response_url}]``. ``view`` overrides the generated view object; other keyword arguments go
    to ``submitted_view``.
    """
    the_view = (
        dict(view)
        if view is not None
        else submitted_view(
            callback_id=callback_id,
            values=values,
            private_metadata=private_metadata,
            team_id=team_id,
            app_id=api_app_id,
            **view_fields,
        )
    )
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_domain},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": the_view,
        "response_urls": [dict(r) for r in response_urls or []],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload_form(payload)


def button_action(
    action_id: str,
    value: str | None = None,
    *,
    block_id: str = "actions",
    text: str = "Button",
    style: str | None = None,
) -> dict[str, Any]:
    """One entry of ``actions`` for a button click."""
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "text": plain_text(text),
        "type": "button",
        "action_ts": f"{time.time():.6f}",
    }
    if value is not None:
        action["value"] = value
    if style is not None:
        action["style"] = style
    return action


def _block_actions_base(
    actions: Sequence[Mapping[str, Any]],
    *,
    user_id: str,
    user_name: str,
    team_id: str,
    team_domain: str,
    api_app_id: str,
    trigger_id: str | None,
    token: str,
    state_values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None,
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": view_state(state_values),
        "actions": [dict(a) for a in actions],
    }


def block_actions_message(
    action_id: str,
    value: str | None = None,
    *,
    block_id: str = "actions",
    actions: Sequence[Mapping[str, Any]] | None = None,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    message_ts: str | None = None,
    thread_ts: str | None = None,
    message_text: str = "",
    message_blocks: Sequence[Mapping[str, Any]] | None = None,
    is_ephemeral: bool = False,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
    bot_id: str = BOT_ID,
    trigger_id: str | None = None,
    response_url: str | None = None,
    token: str = VERIFICATION_TOKEN,
    state_values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> Body:
    """A ``block_actions`` interaction from a button in a message the bot posted (container type message)."""
    ts = message_ts or new_ts()
    payload = _block_actions_base(
        actions or [button_action(action_id, value, block_id=block_id)],
        user_id=user_id,
        user_name=user_name,
        team_id=team_id,
        team_domain=team_domain,
        api_app_id=api_app_id,
        trigger_id=trigger_id,
        token=token,
        state_values=state_values,
    )
    # A reply's thread is only certain to appear as message.thread_ts (which slack_bolt reads), so the
    # container carries just the documented four keys.
    payload["container"] = {
        "type": "message",
        "message_ts": ts,
        "channel_id": channel_id,
        "is_ephemeral": is_ephemeral,
    }
    payload["channel"] = {"id": channel_id, "name": channel_name}
    if not is_ephemeral:  # Slack omits the message body for ephemeral messages
        message: dict[str, Any] = {
            "type": "message",
            "user": bot_user_id,
            "bot_id": bot_id,
            "app_id": api_app_id,
            "text": message_text,
            "ts": ts,
            "team": team_id,
            "blocks": [dict(b) for b in message_blocks or []],
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        payload["message"] = message
    payload["response_url"] = response_url or response_url_for("actions", team_id)
    return _payload_form(payload)


def block_actions_view(
    action_id: str,
    value: str | None = None,
    *,
    block_id: str = "actions",
    actions: Sequence[Mapping[str, Any]] | None = None,
    view: Mapping[str, Any] | None = None,
    callback_id: str = "",
    view_type: str = "modal",
    view_id: str | None = None,
    private_metadata: str = "",
    state_values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    trigger_id: str | None = None,
    token: str = VERIFICATION_TOKEN,
) -> Body:
    """A ``block_actions`` interaction from a modal (``view_type="modal"``) or the App Home (``"home"``).

    The container is ``{"type": "view", "view_id"}`` and the full view (with state) is included; there is no
    channel, message or response_url.
    """
    the_view = (
        dict(view)
        if view is not None
        else submitted_view(
            callback_id=callback_id,
            values=state_values,
            view_type=view_type,
            view_id=view_id,
            private_metadata=private_metadata,
            team_id=team_id,
            app_id=api_app_id,
        )
    )
    payload = _block_actions_base(
        actions or [button_action(action_id, value, block_id=block_id)],
        user_id=user_id,
        user_name=user_name,
        team_id=team_id,
        team_domain=team_domain,
        api_app_id=api_app_id,
        trigger_id=trigger_id,
        token=token,
        state_values=state_values,
    )
    payload.pop("state")  # from a view, the state travels inside view.state
    payload["container"] = {"type": "view", "view_id": the_view["id"]}
    payload["view"] = the_view
    return _payload_form(payload)


def block_actions_home(action_id: str, value: str | None = None, **kwargs: Any) -> Body:
    """A ``block_actions`` interaction from a button in the App Home tab."""
    kwargs.setdefault("view_type", "home")
    return block_actions_view(action_id, value, **kwargs)


# ---------------------------------------------------------------------------------------------- Events API


def _rich_text(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(3),
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }
    ]


def event_callback(
    event: Mapping[str, Any],
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    token: str = VERIFICATION_TOKEN,
    authorizations: Sequence[Mapping[str, Any]] | None = None,
) -> Body:
    """The Events API envelope (JSON) around one event, as delivered to the Request URL."""
    envelope = {
        "token": token,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [dict(a) for a in authorizations]
        if authorizations is not None
        else [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_hex(16),
    }
    return json.dumps(envelope).encode("utf-8"), JSON


def url_verification(challenge: str | None = None, token: str = VERIFICATION_TOKEN) -> Body:
    """The handshake Slack sends when the Request URL is saved; the app must echo ``challenge``."""
    body = {"token": token, "challenge": challenge or secrets.token_urlsafe(24), "type": "url_verification"}
    return json.dumps(body).encode("utf-8"), JSON


def app_mention_event(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
    bot_user_id: str = BOT_USER_ID,
) -> dict[str, Any]:
    """``app_mention``: ``text`` gets a leading ``<@bot>`` unless it already mentions the bot."""
    ts = ts or new_ts()
    full = text if f"<@{bot_user_id}>" in text else f"<@{bot_user_id}> {text}"
    event: dict[str, Any] = {
        "type": "app_mention",
        "client_msg_id": secrets.token_hex(16),
        "user": user,
        "text": full,
        "ts": ts,
        "team": team,
        "blocks": _rich_text(full),
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message_event(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    parent_user_id: str | None = None,
    team: str = TEAM_ID,
    bot_id: str | None = None,
    app_id: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event (``channel_type``: channel, group, im, mpim); a thread reply with ``thread_ts``.

    With ``bot_id`` it is what an app's own chat.postMessage looks like to other apps (no subtype, with
    bot_id/app_id/bot_profile); legacy bot integrations use ``bot_message_event`` instead.
    """
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "blocks": _rich_text(text),
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if bot_id is None:
        event["client_msg_id"] = secrets.token_hex(16)
    else:
        event["bot_id"] = bot_id
        event["app_id"] = app_id or APP_ID
        event["bot_profile"] = {"id": bot_id, "app_id": event["app_id"], "name": "bot", "team_id": team}
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = parent_user_id or BOT_USER_ID
    return event


def message_changed_event(
    text: str,
    previous_text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    channel_type: str = "channel",
    message_ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """``message`` with ``subtype: message_changed`` (an edit): the new and previous message are nested."""
    original = message_ts or new_ts()
    edit_ts = new_ts()
    message: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": original,
        "edited": {"user": user, "ts": edit_ts},
        "blocks": _rich_text(text),
    }
    previous: dict[str, Any] = {"type": "message", "user": user, "text": previous_text, "ts": original}
    if thread_ts:
        for m in (message, previous):
            m["thread_ts"] = thread_ts
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "message": message,
        "previous_message": previous,
        "channel": channel,
        "channel_type": channel_type,
        "ts": edit_ts,
        "event_ts": edit_ts,
    }


def bot_message_event(
    text: str,
    *,
    bot_id: str = "B0000OTHER",
    username: str = "other-bot",
    channel: str = CHANNEL_ID,
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """``message`` with ``subtype: bot_message`` (a legacy bot / incoming webhook posted)."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "bot_message",
        "text": text,
        "ts": ts,
        "username": username,
        "bot_id": bot_id,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened_event(
    user: str = USER_ID,
    *,
    tab: str = "home",
    channel: str | None = None,
    view: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``app_home_opened``: ``view`` is present only once the app has published a Home view for the user."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel or "D" + user[1:],
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = dict(view)
    return event
