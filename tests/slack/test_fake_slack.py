"""The fake Slack Web API and the request builders, exercised with the real slack_sdk / slack_bolt clients.

These tests pin down that the fakes speak Slack's protocol (so tests of the bot built on them mean something)
and that their checks catch what Slack would reject.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import (
    is_action,
    is_block_actions,
    is_event,
    is_slash_command,
    is_view_submission,
    to_action,
    to_event,
    to_view,
)
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.conftest import require_shared
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_spec import JAVA_FILE, OPENAPI_FILE, SUPPLEMENT, SlackApiSpec

TOKEN = "xoxb-test-token"
SECRET = "fake-signing-secret"
CHANNEL = sr.CHANNEL_ID
USER = sr.USER_ID
TS_RE = re.compile(r"^\d{10}\.\d{6}$")


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str, action_id: str = "act", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": value}


GOOD_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": plain("Scale review: shop-api")},
    section("*1.2k -> 1M* concurrent users", fields=[{"type": "mrkdwn", "text": f"*k{i}*\nv"} for i in range(4)]),
    {"type": "divider"},
    {
        "type": "actions",
        "block_id": "item-1.2",
        "elements": [button("In progress", "item_progress", "1.2"), button("Done", "item_done", "1.2")],
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "rules engine"}]},
]

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "questionnaire",
    "title": plain("Scale review"),
    "submit": plain("Generate"),
    "close": plain("Cancel"),
    "private_metadata": json.dumps({"channel": CHANNEL}),
    "blocks": [
        {
            "type": "input",
            "block_id": "system_name",
            "label": plain("System name"),
            "element": {"type": "plain_text_input", "action_id": "value", "max_length": 80},
        },
        {
            "type": "input",
            "block_id": "channel",
            "label": plain("Post in"),
            "element": {
                "type": "conversations_select",
                "action_id": "value",
                "default_to_current_conversation": True,
                "response_url_enabled": True,
            },
        },
    ],
}


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def spec_dir() -> str:
    """Slack's reference files; skip (a failure in CI) where ../shared is absent."""
    require_shared(f"slack-api/{OPENAPI_FILE}")
    return str(require_shared(f"slack-api/{JAVA_FILE}").parent)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A running fake with one public channel the bot is in and one user (no contract check required)."""
    with FakeSlack() as server:
        server.add_channel(CHANNEL, "general")
        server.add_user(USER, name="alice", real_name="Alice Kim", tz="Asia/Seoul")
        yield server


@pytest.fixture
def checked(spec_dir: str) -> Iterator[FakeSlack]:
    """Like ``fake`` but with the contract check guaranteed on."""
    with FakeSlack(spec_dir=spec_dir, require_spec=True) as server:
        server.add_channel(CHANNEL, "general")
        server.add_user(USER, name="alice")
        yield server


def client_for(fake: FakeSlack, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=fake.base_url, **kwargs)


async def slack_error(coro: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        await coro
    return info.value


# ---------------------------------------------------------------------------------------------- basics


async def test_post_message_is_recorded_stored_and_answered_like_slack(fake: FakeSlack) -> None:
    client = client_for(fake)
    first = await client.chat_postMessage(channel=CHANNEL, text="Scale review for shop-api", blocks=GOOD_BLOCKS)
    reply = await client.chat_postMessage(channel=CHANNEL, text="Stage 1", thread_ts=first["ts"])

    assert first["ok"] and first["channel"] == CHANNEL
    assert TS_RE.match(first["ts"]) and TS_RE.match(reply["ts"])
    assert float(reply["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == GOOD_BLOCKS and first["message"]["bot_id"] == fake.bot_id

    call = fake.calls("chat.postMessage")[0]
    assert call.args == {"channel": CHANNEL, "text": "Scale review for shop-api", "blocks": GOOD_BLOCKS}
    assert fake.last("chat.postMessage").args["thread_ts"] == first["ts"]
    assert "token" not in call.args
    assert json.loads(json.dumps(call.args))["blocks"] == GOOD_BLOCKS
    with pytest.raises(TypeError):
        call.args["text"] = "changed"  # type: ignore[index]

    thread = fake.messages(CHANNEL, thread_ts=first["ts"])
    assert [m["ts"] for m in thread] == [first["ts"], reply["ts"]]
    assert thread[0]["reply_count"] == 1 and thread[1]["thread_ts"] == first["ts"]
    assert fake.message(CHANNEL, first["ts"])["blocks"] == GOOD_BLOCKS  # type: ignore[index]
    fake.assert_clean()


async def test_auth_test_and_identity(fake: FakeSlack) -> None:
    me = await client_for(fake).auth_test()
    assert (me["team_id"], me["user_id"], me["bot_id"]) == (fake.team_id, fake.bot_user_id, fake.bot_id)
    assert me["url"].startswith("https://") and me["team"] and me["user"]


async def test_wrong_or_missing_token(fake: FakeSlack) -> None:
    err = await slack_error(AsyncWebClient(token="xoxp-user", base_url=fake.base_url).auth_test())
    assert err.response["error"] == "invalid_auth"
    async with aiohttp.ClientSession() as session, session.post(fake.base_url + "auth.test") as resp:
        assert (await resp.json())["error"] == "not_authed"
    with FakeSlack(token="xoxb-right") as strict:
        err = await slack_error(AsyncWebClient(token="xoxb-wrong", base_url=strict.base_url).auth_test())
        assert err.response["error"] == "invalid_auth"
        assert (await AsyncWebClient(token="xoxb-right", base_url=strict.base_url).auth_test())["ok"]


async def test_form_and_query_bodies_are_decoded(fake: FakeSlack) -> None:
    """slack_sdk sends some methods as JSON, others as query params; form bodies carry JSON strings."""
    client = client_for(fake)
    posted = await client.api_call(
        "chat.postMessage", data={"channel": CHANNEL, "text": "form", "blocks": json.dumps(GOOD_BLOCKS)}
    )
    assert fake.last("chat.postMessage").args["blocks"] == GOOD_BLOCKS
    await client.chat_delete(channel=CHANNEL, ts=posted["ts"])  # sent as query parameters
    assert fake.last("chat.delete").args == {"channel": CHANNEL, "ts": posted["ts"]}
    assert fake.message(CHANNEL, posted["ts"]) is None
    async with aiohttp.ClientSession() as session:
        form = {"token": TOKEN, "channel": CHANNEL, "text": "token in body", "blocks": "not json"}
        async with session.post(fake.base_url + "chat.postMessage", data=form) as resp:
            assert (await resp.json())["error"] == "invalid_blocks_format"
    assert any("invalid_blocks_format" in v for v in fake.violations)


# ---------------------------------------------------------------------------------------------- contract


async def test_unknown_method_is_a_violation(checked: FakeSlack) -> None:
    err = await slack_error(client_for(checked).api_call("chat.postMesage", json={"channel": CHANNEL, "text": "x"}))
    assert err.response["error"] == "fake_contract_violation"
    assert any("chat.postMesage: unknown Web API method" in v for v in checked.violations)
    with pytest.raises(AssertionError, match=r"chat\.postMesage"):
        checked.assert_clean()


async def test_unknown_argument_is_a_violation(checked: FakeSlack) -> None:
    err = await slack_error(client_for(checked).chat_postMessage(channel=CHANNEL, text="x", colour="red"))
    assert err.response["error"] == "fake_contract_violation"
    assert "colour" in err.response["detail"]
    assert checked.messages(CHANNEL) == []


async def test_missing_required_argument_is_a_violation(checked: FakeSlack) -> None:
    client = client_for(checked)
    err = await slack_error(client.api_call("chat.postMessage", json={"text": "no channel"}))
    assert "missing required argument(s) channel" in err.response["detail"]
    err = await slack_error(client.api_call("views.open", json={"view": MODAL}))
    assert "trigger_id" in err.response["detail"]
    assert len(checked.violations) == 2


async def test_methods_the_bot_uses_pass_the_contract(checked: FakeSlack) -> None:
    client = client_for(checked)
    posted = await client.chat_postMessage(channel=CHANNEL, text="t", blocks=GOOD_BLOCKS, unfurl_links=False)
    await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="t2", blocks=GOOD_BLOCKS)
    await client.chat_postEphemeral(channel=CHANNEL, user=USER, text="only you")
    link = await client.chat_getPermalink(channel=CHANNEL, message_ts=posted["ts"])
    assert link["permalink"].endswith("/archives/" + CHANNEL + "/p" + posted["ts"].replace(".", ""))
    await client.reactions_add(channel=CHANNEL, timestamp=posted["ts"], name="white_check_mark")
    await client.users_info(user=USER)
    await client.conversations_info(channel=CHANNEL)
    opened = await client.views_open(trigger_id=checked.issue_trigger_id(), view=MODAL)
    await client.views_update(view_id=opened["view"]["id"], view=MODAL, hash=opened["view"]["hash"])
    await client.views_push(trigger_id=checked.issue_trigger_id(), view=MODAL)
    await client.views_publish(user_id=USER, view={"type": "home", "blocks": GOOD_BLOCKS})
    await client.assistant_threads_setStatus(channel_id=CHANNEL, thread_ts=posted["ts"], status="is thinking...")
    await client.chat_delete(channel=CHANNEL, ts=posted["ts"])
    checked.assert_clean()
    assert all(c.ok for c in checked.calls()), [(c.method, c.error) for c in checked.calls() if not c.ok]


async def test_streaming_helper_is_accepted_by_the_contract(checked: FakeSlack) -> None:
    client = client_for(checked)
    parent = await client.chat_postMessage(channel=CHANNEL, text="Scale review for shop-api")
    stream = await client.chat_stream(
        channel=CHANNEL,
        thread_ts=parent["ts"],
        recipient_team_id=checked.team_id,
        recipient_user_id=USER,
        buffer_size=16,
    )
    await stream.append(markdown_text="## Stage 1\n")
    await stream.append(markdown_text="- add an index on orders.user_id\n")
    await stream.append(markdown_text="- cache the catalogue\n")
    done = await stream.stop(blocks=[section("Was this useful?")])

    assert [c.method for c in checked.calls()][1:] == ["chat.startStream", "chat.appendStream", "chat.stopStream"]
    message = checked.message(CHANNEL, done["ts"])
    assert message is not None
    assert message["text"] == "## Stage 1\n- add an index on orders.user_id\n- cache the catalogue\n"
    assert message["streaming_state"] == "completed" and message["thread_ts"] == parent["ts"]
    checked.assert_clean()

    err = await slack_error(client.chat_appendStream(channel=CHANNEL, ts=done["ts"], markdown_text="late"))
    assert err.response["error"] == "message_not_in_streaming_state"
    err = await slack_error(client.chat_startStream(channel=CHANNEL, thread_ts=parent["ts"], markdown_text="x"))
    assert err.response["error"] == "invalid_arguments"  # in a channel Slack needs the recipient
    assert any("recipient_team_id" in v for v in checked.violations)


def test_supplement_covers_what_slack_sdk_sends(spec_dir: str) -> None:
    spec = SlackApiSpec.load(spec_dir)
    for method in SUPPLEMENT:
        assert spec.knows(method)
    assert spec.methods["chat.startStream"].required == {"channel"}
    assert {"chunks", "task_display_mode"} <= spec.methods["chat.startStream"].args  # type: ignore[operator]
    assert spec.problems("chat.stopStream", {"channel": "C1", "ts": "1.2", "chunks": [], "session_status": "x"}) == []
    assert spec.problems("users.info", {}) == ["users.info: missing required argument(s) user"]
    # slack_bolt gives every listener a client with team_id as a default parameter of every call
    assert spec.problems("chat.postMessage", {"channel": "C1", "text": "t", "team_id": "T1"}) == []


# ---------------------------------------------------------------------------------------------- Block Kit


def _many_fields(n: int) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": f"f{i}"} for i in range(n)]}


BAD_MESSAGES: dict[str, tuple[dict[str, Any], str, str]] = {
    # case: (chat.postMessage kwargs besides channel, Slack error, text expected in the violation)
    "11 fields": ({"text": "t", "blocks": [_many_fields(11)]}, "invalid_blocks", "fields"),
    "field over 2000": (
        {"text": "t", "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}]},
        "invalid_blocks",
        "2000",
    ),
    "section text over 3000": ({"text": "t", "blocks": [section("x" * 3001)]}, "invalid_blocks", "3000"),
    "header over 150": (
        {"text": "t", "blocks": [{"type": "header", "text": plain("h" * 151)}]},
        "invalid_blocks",
        "150",
    ),
    "button text over 75": (
        {"text": "t", "blocks": [{"type": "actions", "elements": [button("b" * 76)]}]},
        "invalid_blocks",
        "75",
    ),
    "button value over 2000": (
        {"text": "t", "blocks": [{"type": "actions", "elements": [button("ok", value="v" * 2001)]}]},
        "invalid_blocks",
        "2000",
    ),
    "blocks without text": ({"blocks": [section("hi")]}, "no_text", "text"),
    "51 blocks": ({"text": "t", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks", "51 blocks"),
    "unknown block type": (
        {"text": "t", "blocks": [{"type": "sektion", "text": plain("x")}]},
        "invalid_blocks",
        "unknown block type",
    ),
    "unknown key": ({"text": "t", "blocks": [section("x", colour="red")]}, "invalid_blocks", "colour"),
    "unknown element": (
        {"text": "t", "blocks": [{"type": "actions", "elements": [{"type": "buton", "action_id": "a"}]}]},
        "invalid_blocks",
        "not understood",
    ),
    "duplicate block_id": (
        {"text": "t", "blocks": [section("a", block_id="x"), section("b", block_id="x")]},
        "invalid_blocks",
        "repeats block_id",
    ),
    "text over 4000": ({"text": "x" * 4001}, "msg_too_long", "4000"),
    "blocks JSON over 12000": (
        {"text": "t", "blocks": [section("y" * 2900) for _ in range(5)]},
        "msg_blocks_too_long",
        "12000",
    ),
}


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize("case", sorted(BAD_MESSAGES))
async def test_invalid_messages_are_flagged(fake: FakeSlack, case: str) -> None:
    kwargs, error, fragment = BAD_MESSAGES[case]
    err = await slack_error(client_for(fake).chat_postMessage(channel=CHANNEL, **kwargs))
    assert err.response["error"] == error
    assert any(fragment in v for v in fake.violations), fake.violations
    assert fake.messages(CHANNEL) == []
    with pytest.raises(AssertionError):
        fake.assert_clean()


async def test_update_and_ephemeral_are_checked_too(fake: FakeSlack) -> None:
    client = client_for(fake)
    posted = await client.chat_postMessage(channel=CHANNEL, text="t")
    err = await slack_error(client.chat_update(channel=CHANNEL, ts=posted["ts"], text="t", blocks=[_many_fields(11)]))
    assert err.response["error"] == "invalid_blocks"
    err = await slack_error(client.chat_postEphemeral(channel=CHANNEL, user=USER, text="x" * 4001))
    assert err.response["error"] == "msg_too_long"
    assert {v.split(":")[0] for v in fake.violations} == {"chat.update", "chat.postEphemeral"}


BAD_VIEWS: dict[str, tuple[dict[str, Any], str]] = {
    "title over 24": ({**MODAL, "title": plain("T" * 25)}, "title"),
    "submit over 24": ({**MODAL, "submit": plain("S" * 25)}, "submit"),
    "private_metadata over 3000": ({**MODAL, "private_metadata": "m" * 3001}, "private_metadata"),
    "101 blocks": ({**MODAL, "blocks": [{"type": "divider"}] * 101}, "101 blocks"),
    "input without submit": ({k: v for k, v in MODAL.items() if k != "submit"}, "submit"),
    "unknown view key": ({**MODAL, "submit_disabled": True}, "submit_disabled"),
    "bad block in view": ({**MODAL, "blocks": [{"type": "header", "text": plain("h" * 151)}]}, "150"),
}


@pytest.mark.parametrize("case", sorted(BAD_VIEWS))
async def test_invalid_views_are_flagged(fake: FakeSlack, case: str) -> None:
    view, fragment = BAD_VIEWS[case]
    err = await slack_error(client_for(fake).views_open(trigger_id=fake.issue_trigger_id(), view=view))
    assert err.response["error"] == "invalid_arguments"
    assert any(fragment in v for v in fake.violations), fake.violations


async def test_home_view_allows_100_blocks_and_is_kept_per_user(fake: FakeSlack) -> None:
    client = client_for(fake)
    home = {"type": "home", "blocks": [section(f"roadmap {i}") for i in range(100)]}
    first = await client.views_publish(user_id=USER, view=home)
    again = await client.views_publish(user_id=USER, view=home, hash=first["view"]["hash"])
    assert first["view"]["id"] == again["view"]["id"] and first["view"]["hash"] != again["view"]["hash"]
    assert len(fake.home_view(USER)["blocks"]) == 100  # type: ignore[index]
    err = await slack_error(client.views_publish(user_id=USER, view=home, hash=first["view"]["hash"]))
    assert err.response["error"] == "hash_conflict"
    fake.assert_clean()


# ---------------------------------------------------------------------------------------------- world model


async def test_channel_membership_like_slack(fake: FakeSlack) -> None:
    client = client_for(fake)
    fake.add_channel("C0000OUT", "outside", member=False)
    fake.add_channel("G0000SECRET", "secret", member=False, private=True)

    err = await slack_error(client.chat_postMessage(channel="C0000OUT", text="hi"))
    assert err.response["error"] == "not_in_channel"
    err = await slack_error(client.chat_postMessage(channel="C0000NONE", text="hi"))
    assert err.response["error"] == "channel_not_found"
    err = await slack_error(client.chat_postMessage(channel="G0000SECRET", text="hi"))
    assert err.response["error"] == "channel_not_found"  # private channels the bot is not in are invisible
    err = await slack_error(client.chat_postEphemeral(channel="C0000OUT", user=USER, text="hi"))
    assert err.response["error"] == "not_in_channel"
    err = await slack_error(
        client.chat_startStream(channel="C0000NONE", thread_ts="1.2", recipient_team_id="T", recipient_user_id=USER)
    )
    assert err.response["error"] == "channel_not_found"

    info = await client.conversations_info(channel="C0000OUT")
    assert info["channel"]["is_member"] is False and info["channel"]["is_private"] is False
    await client.conversations_join(channel="C0000OUT")
    assert (await client.chat_postMessage(channel="C0000OUT", text="hi"))["ok"]
    fake.assert_clean()  # Slack errors about the world are not contract violations


async def test_users_info(fake: FakeSlack) -> None:
    client = client_for(fake)
    user = (await client.users_info(user=USER))["user"]
    assert user["id"] == USER and user["name"] == "alice" and user["real_name"] == "Alice Kim"
    assert user["tz"] == "Asia/Seoul" and user["tz_offset"] == 9 * 3600 and user["tz_label"] == "Korea Standard Time"
    err = await slack_error(client.users_info(user="U0000GHOST"))
    assert err.response["error"] == "user_not_found"


async def test_chat_update_changes_the_stored_message(fake: FakeSlack) -> None:
    client = client_for(fake)
    posted = await client.chat_postMessage(channel=CHANNEL, text="generating...", blocks=[section("generating...")])
    updated = await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="ready", blocks=GOOD_BLOCKS)
    assert (updated["channel"], updated["ts"], updated["text"]) == (CHANNEL, posted["ts"], "ready")
    stored = fake.message(CHANNEL, posted["ts"])
    assert stored is not None and stored["text"] == "ready" and stored["blocks"] == GOOD_BLOCKS
    assert "edited" in stored and len(fake.messages(CHANNEL)) == 1
    err = await slack_error(client.chat_update(channel=CHANNEL, ts="1600000000.000001", text="x"))
    assert err.response["error"] == "message_not_found"
    user_ts = fake.add_message(CHANNEL, "done 1.2", user=USER, thread_ts=posted["ts"])
    err = await slack_error(client.chat_update(channel=CHANNEL, ts=user_ts, text="x"))
    assert err.response["error"] == "cant_update_message"
    fake.assert_clean()


async def test_views_update_and_trigger_ids(fake: FakeSlack) -> None:
    client = client_for(fake)
    err = await slack_error(client.views_update(view_id="V0NEVER", view=MODAL))
    assert err.response["error"] == "not_found"
    opened = await client.views_open(trigger_id="12345.98765.abcdef", view=MODAL)
    view_id = opened["view"]["id"]
    assert view_id.startswith("V") and opened["view"]["callback_id"] == "questionnaire"
    updated = await client.views_update(view_id=view_id, view={**MODAL, "private_metadata": "v2"})
    assert updated["view"]["id"] == view_id and fake.view(view_id)["private_metadata"] == "v2"  # type: ignore[index]
    err = await slack_error(client.views_update(view_id=view_id, view=MODAL, hash=opened["view"]["hash"]))
    assert err.response["error"] == "hash_conflict"
    fake.assert_clean()


async def test_fresh_trigger_ids_can_be_enforced() -> None:
    with FakeSlack(enforce_fresh_trigger_ids=True, trigger_ttl=0.2) as fake:
        client = client_for(fake)
        trigger = fake.issue_trigger_id()
        assert (await client.views_open(trigger_id=trigger, view=MODAL))["ok"]
        err = await slack_error(client.views_open(trigger_id=trigger, view=MODAL))
        assert err.response["error"] == "exchanged_trigger_id"
        err = await slack_error(client.views_open(trigger_id="1.2.made-up", view=MODAL))
        assert err.response["error"] == "expired_trigger_id"
        stale = fake.issue_trigger_id()
        await asyncio.sleep(0.3)
        err = await slack_error(client.views_open(trigger_id=stale, view=MODAL))
        assert err.response["error"] == "expired_trigger_id"


# ---------------------------------------------------------------------------------------------- faults


async def test_rate_limit_is_honoured_by_the_retry_handler(fake: FakeSlack) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=1)
    client = client_for(fake, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    posted = await client.chat_postMessage(channel=CHANNEL, text="after the wait")
    assert posted["ok"]
    first, second = fake.calls("chat.postMessage")
    assert (first.status, first.error, second.status, second.ok) == (429, "ratelimited", 200, True)
    assert second.at - first.at >= 1.0
    assert len(fake.messages(CHANNEL)) == 1


async def test_rate_limit_without_handler_raises_429(fake: FakeSlack) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=7)
    err = await slack_error(client_for(fake, retry_handlers=[]).chat_postMessage(channel=CHANNEL, text="x"))
    assert err.response.status_code == 429
    assert err.response["error"] == "ratelimited" and err.response.headers["Retry-After"] == "7"
    assert (await client_for(fake).chat_postMessage(channel=CHANNEL, text="x"))["ok"]  # only the next one


async def test_fail_next_and_delay(fake: FakeSlack) -> None:
    client = client_for(fake)
    fake.fail_next("views.open", "expired_trigger_id", times=2, warning="fake")
    for _ in range(2):
        err = await slack_error(client.views_open(trigger_id="1.2.3", view=MODAL))
        assert err.response["error"] == "expired_trigger_id" and err.response["warning"] == "fake"
    assert (await client.views_open(trigger_id="1.2.3", view=MODAL))["ok"]

    fake.delay("users.info", 0.3)
    started = time.monotonic()
    await client.users_info(user=USER)
    assert time.monotonic() - started >= 0.3
    fake.delay("users.info", 0)
    fake.assert_clean()


async def test_channel_pacing(fake: FakeSlack) -> None:
    fake.enforce_channel_rate(per_second=1, burst=3)
    client = client_for(fake, retry_handlers=[])
    for i in range(3):
        await client.chat_postMessage(channel=CHANNEL, text=f"stage {i}")
    err = await slack_error(client.chat_postMessage(channel=CHANNEL, text="one too many"))
    assert err.response.status_code == 429 and int(err.response.headers["Retry-After"]) >= 1
    times = fake.post_times(CHANNEL)
    assert len(times) == 3 and times == sorted(times)
    fake.add_channel("C0000OTHER", "other")
    assert (await client.chat_postMessage(channel="C0000OTHER", text="separate bucket"))["ok"]


# ---------------------------------------------------------------------------------------------- waiting


async def test_wait_for_calls_async_wakes_on_background_work(fake: FakeSlack) -> None:
    client = client_for(fake)

    async def background() -> None:
        await asyncio.sleep(0.05)
        for i in range(3):
            await client.chat_postMessage(channel=CHANNEL, text=f"part {i}")

    task = asyncio.create_task(background())
    calls = await fake.wait_for_calls_async("chat.postMessage", 3, timeout=5)
    assert [c.args["text"] for c in calls] == ["part 0", "part 1", "part 2"]
    await task
    with pytest.raises(AssertionError, match="saw 0"):
        await fake.wait_for_calls_async("views.open", 1, timeout=0.1)
    with pytest.raises(RuntimeError, match="wait_for_calls_async"):
        fake.wait_for_calls("chat.postMessage", 1, timeout=0.1)


def test_sync_use_and_wait_for_calls() -> None:
    with FakeSlack() as fake:
        fake.add_channel(CHANNEL, "general")
        client = WebClient(token=TOKEN, base_url=fake.base_url)
        worker = threading.Thread(target=lambda: client.chat_postMessage(channel=CHANNEL, text="from a thread"))
        worker.start()
        (call,) = fake.wait_for_calls("chat.postMessage", 1, timeout=5)
        worker.join()
        assert call.args["text"] == "from a thread" and fake.messages(CHANNEL)[0]["text"] == "from a thread"
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.base_url


async def test_views_open_is_fast_enough_for_benchmarks(fake: FakeSlack) -> None:
    """500 views.open at concurrency 50: the fake must not be what a benchmark measures."""
    client = client_for(fake)
    gate = asyncio.Semaphore(50)

    async def open_one() -> None:
        async with gate:
            await client.views_open(trigger_id="1.2.3", view=MODAL)

    started = time.perf_counter()
    await asyncio.gather(*(open_one() for _ in range(500)))
    elapsed = time.perf_counter() - started
    assert len(fake.calls("views.open")) == 500
    assert elapsed < 15, f"500 views.open took {elapsed:.1f}s"  # ~1-2 s here; generous for a loaded CI machine
    fake.assert_clean()


# ---------------------------------------------------------------------------------------------- signing


def test_sign_matches_slack_signature_verifier() -> None:
    body, _ = sr.slash_command(text="help")
    headers = sr.sign(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert (
        verifier.generate_signature(timestamp=headers["X-Slack-Request-Timestamp"], body=body)
        == headers["X-Slack-Signature"]
    )
    assert not verifier.is_valid_request(body + b"x", headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body, sr.sign(body, SECRET, timestamp=int(time.time()) - 600))


def test_sign_reproduces_slacks_documented_example() -> None:
    """The worked example on Slack's "Verifying requests from Slack" page."""
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sr.sign(body.encode(), "8f742231b10e8888abcd99yyyzzz85a5", timestamp=1531420618)
    assert headers["X-Slack-Signature"] == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


# ---------------------------------------------------------------------------------------------- builders


def bolt_request(built: tuple[bytes, str], **headers: str) -> AsyncBoltRequest:
    body, content_type = built
    return AsyncBoltRequest(body=body.decode("utf-8"), headers={"content-type": content_type, **headers})


def test_slash_command_parses_like_slack() -> None:
    req = bolt_request(sr.slash_command("/scale-review", "list", trigger_id="9.9.abc"))
    assert is_slash_command(req.body)
    assert req.body["command"] == "/scale-review" and req.body["text"] == "list"
    assert req.body["trigger_id"] == "9.9.abc" and req.body["response_url"].startswith("https://hooks.slack.com/")
    assert (req.context.team_id, req.context.user_id, req.context.channel_id) == (sr.TEAM_ID, USER, CHANNEL)


def test_view_submission_parses_like_slack() -> None:
    values = {
        "system_name": {"value": sr.state_value("plain_text_input", "shop-api")},
        "channel": {"value": sr.state_value("conversations_select", CHANNEL)},
        "stage": {"value": sr.state_value("static_select", "mid")},
    }
    urls = [{"block_id": "channel", "action_id": "value", "channel_id": CHANNEL, "response_url": "https://x"}]
    req = bolt_request(
        sr.view_submission(callback_id="questionnaire", values=values, private_metadata="{}", response_urls=urls)
    )
    assert is_view_submission(req.body) and req.body["type"] == "view_submission"
    view = to_view(req.body)
    assert view is not None and view["type"] == "modal" and view["callback_id"] == "questionnaire"
    state = view["state"]["values"]
    assert state["system_name"]["value"] == {"type": "plain_text_input", "value": "shop-api"}
    assert state["channel"]["value"]["selected_conversation"] == CHANNEL
    assert state["stage"]["value"]["selected_option"]["value"] == "mid"
    assert req.body["response_urls"] == urls and view["hash"] and view["private_metadata"] == "{}"
    assert req.context.user_id == USER and req.context.team_id == sr.TEAM_ID


def test_block_actions_from_message_view_and_home() -> None:
    req = bolt_request(
        sr.block_actions_message(
            "item_done",
            "1.2",
            block_id="item-1.2",
            message_ts="1700000000.000100",
            message_text="Stage 1",
            message_blocks=GOOD_BLOCKS,
        )
    )
    assert is_block_actions(req.body) and is_action(req.body)
    action = to_action(req.body)
    assert action is not None
    assert (action["action_id"], action["value"], action["type"]) == ("item_done", "1.2", "button")
    assert req.body["container"] == {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": CHANNEL,
        "is_ephemeral": False,
    }
    assert req.body["message"]["blocks"] == GOOD_BLOCKS and req.context.channel_id == CHANNEL
    assert req.body["response_url"] and req.body["trigger_id"]

    modal = bolt_request(sr.block_actions_view("add_item", callback_id="questionnaire", private_metadata="m"))
    assert modal.body["container"]["type"] == "view"
    assert modal.body["view"]["id"] == modal.body["container"]["view_id"] and modal.body["view"]["type"] == "modal"
    assert "channel" not in modal.body and "response_url" not in modal.body

    home = bolt_request(sr.block_actions_home("open_roadmap", "r-1"))
    assert home.body["view"]["type"] == "home" and "title" not in home.body["view"]
    assert to_action(home.body)["value"] == "r-1"  # type: ignore[index]


def test_events_parse_like_slack() -> None:
    mention = bolt_request(sr.event_callback(sr.app_mention_event("why Redis first?", thread_ts="1.000100")))
    assert is_event(mention.body) and mention.body["type"] == "event_callback"
    event = to_event(mention.body)
    assert event is not None and event["type"] == "app_mention" and event["text"].startswith(f"<@{sr.BOT_USER_ID}>")
    assert mention.body["authorizations"][0]["user_id"] == sr.BOT_USER_ID and mention.body["event_id"].startswith("Ev")
    assert mention.context.channel_id == CHANNEL and mention.context.user_id == USER

    reply = to_event(bolt_request(sr.event_callback(sr.message_event("done 1.2", thread_ts="1.000100"))).body)
    assert reply is not None and reply["thread_ts"] == "1.000100" and "subtype" not in reply
    group = to_event(bolt_request(sr.event_callback(sr.message_event("hi", channel="G1", channel_type="group"))).body)
    assert group is not None and group["channel_type"] == "group"
    changed = to_event(bolt_request(sr.event_callback(sr.message_changed_event("new", "old"))).body)
    assert changed is not None and changed["subtype"] == "message_changed"
    assert changed["message"]["text"] == "new" and changed["previous_message"]["text"] == "old"
    bot = to_event(bolt_request(sr.event_callback(sr.bot_message_event("beep"))).body)
    assert bot is not None and bot["subtype"] == "bot_message" and bot["bot_id"]
    home = to_event(bolt_request(sr.event_callback(sr.app_home_opened_event(USER))).body)
    assert home is not None and home["type"] == "app_home_opened" and home["tab"] == "home"

    verification = bolt_request(sr.url_verification("c-123"))
    assert verification.body == {"token": sr.VERIFICATION_TOKEN, "challenge": "c-123", "type": "url_verification"}

    retried = bolt_request(sr.event_callback(sr.app_mention_event("hi")), **sr.retry_headers(2))
    assert retried.headers["x-slack-retry-num"] == ["2"] and retried.headers["x-slack-retry-reason"] == ["http_timeout"]


# ---------------------------------------------------------------------------------------------- end to end


async def test_signed_requests_reach_a_bolt_app_that_calls_the_fake(fake: FakeSlack) -> None:
    """Builder -> sign -> HTTP -> Bolt's signature check -> listener -> AsyncWebClient -> FakeSlack."""
    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=fake.base_url))
    seen: dict[str, Any] = {}

    @app.command("/scale-review")
    async def command(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("questionnaire")
    async def submitted(ack: Any, view: dict[str, Any]) -> None:
        seen["name"] = view["state"]["values"]["system_name"]["value"]["value"]
        await ack()

    @app.event("app_mention")
    async def mention(event: dict[str, Any], say: Any, request: AsyncBoltRequest) -> None:
        seen["retry"] = request.headers.get("x-slack-retry-num")
        await say(text="On it", thread_ts=event["ts"])

    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        status, _ = await sr.post_signed(url, *sr.slash_command("/scale-review"), SECRET)
        assert status == 200
        (opened,) = await fake.wait_for_calls_async("views.open", 1)
        assert opened.ok and opened.args["view"]["callback_id"] == "questionnaire"

        values = {"system_name": {"value": sr.state_value("plain_text_input", "shop-api")}}
        status, _ = await sr.post_signed(url, *sr.view_submission(callback_id="questionnaire", values=values), SECRET)
        assert status == 200 and seen["name"] == "shop-api"

        event = sr.event_callback(sr.app_mention_event("review please"))
        status, _ = await sr.post_signed(url, *event, SECRET, headers=sr.retry_headers(1))
        assert status == 200
        (said,) = await fake.wait_for_calls_async("chat.postMessage", 1)
        assert said.args["channel"] == CHANNEL and seen["retry"] == ["1"]

        status, text = await sr.post_signed(url, *sr.url_verification("challenge-42"), SECRET)
        assert status == 200 and "challenge-42" in text

        status, _ = await sr.post_signed(url, *sr.slash_command(), "wrong-secret")
        assert status == 401
    finally:
        await runner.cleanup()
    fake.assert_clean()


async def test_response_url_is_captured_and_checked(fake: FakeSlack) -> None:
    url = fake.response_url("cmd-1")
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"text": "Your roadmaps", "blocks": GOOD_BLOCKS}) as resp:
            assert resp.status == 200 and await resp.text() == "ok"
        async with session.post(url, json={"blocks": [_many_fields(11)]}) as resp:
            assert resp.status == 400
    good, bad = fake.calls("response_url")
    assert good.target == "cmd-1" and good.args["text"] == "Your roadmaps" and not bad.ok
    assert any("[invalid_blocks]" in v for v in fake.violations)
    assert any("[no_text]" in v for v in fake.violations)
