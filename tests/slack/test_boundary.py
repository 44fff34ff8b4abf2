"""The Slack boundary on its own: signature, body parsing and typed reading (bot.slack.boundary, bot.slack.inbound),
and the button-value codec (bot.slack.values). The HTTP-level tests are in test_boundary_http.py."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

import pytest

from bot.roadmap.schema import ItemStatus
from bot.slack import boundary, values
from bot.slack.boundary import Rejected
from bot.slack.inbound import AppMention, BlockActions, EventCallback, MessageEvent, OtherEvent, SlashCommand
from tests.fakes import slack_requests as sr

SECRET = "boundary-secret"


def _headers(raw: bytes, **override: str) -> dict[str, str]:
    headers = {k.lower(): v for k, v in sr.sign(raw, SECRET).items()}
    headers.update(override)
    return headers


def _parsed(body: sr.Body) -> dict:
    raw, content_type = body
    return boundary.parse_body(raw, content_type)


# --- signature -------------------------------------------------------------------------------------------------


def test_a_correct_signature_passes() -> None:
    raw, _ = sr.slash_command(text="help")
    boundary.verify_signature(SECRET, _headers(raw), raw)


@pytest.mark.parametrize(
    "timestamp", ["abc", "", "1700000000.5", " 1700000000", "-1700000000", "١٧٠٠٠٠٠٠٠٠", "9" * 40, "0x1F"]
)
def test_a_malformed_timestamp_is_a_401_not_an_exception(timestamp: str) -> None:
    raw = b"command=%2Fscale-review"
    with pytest.raises(Rejected) as caught:
        boundary.verify_signature(SECRET, _headers(raw, **{"x-slack-request-timestamp": timestamp}), raw)
    assert caught.value.status == 401
    assert "Timestamp" in caught.value.reason


def test_a_stale_timestamp_is_refused_even_when_signed_correctly() -> None:
    raw = b"command=%2Fscale-review"
    old = int(time.time()) - boundary.TIMESTAMP_WINDOW_S - 5
    headers = {k.lower(): v for k, v in sr.sign(raw, SECRET, timestamp=old).items()}
    with pytest.raises(Rejected, match="five-minute"):
        boundary.verify_signature(SECRET, headers, raw)


@pytest.mark.parametrize("signature", ["", "v0=", "v1=" + "0" * 64, "v0=" + "G" * 64, "v0=" + "0" * 64])
def test_a_malformed_or_wrong_signature_is_a_401(signature: str) -> None:
    raw = b"command=%2Fscale-review"
    with pytest.raises(Rejected) as caught:
        boundary.verify_signature(SECRET, _headers(raw, **{"x-slack-signature": signature}), raw)
    assert caught.value.status == 401


def test_a_body_that_is_not_utf8_is_checked_on_its_bytes() -> None:
    raw = b"\xff\xfe payload"
    boundary.verify_signature(SECRET, _headers(raw), raw)  # signed: verification works on bytes
    with pytest.raises(Rejected, match="401"):
        boundary.verify_signature("other-secret", _headers(raw), raw)
    with pytest.raises(Rejected, match="not UTF-8"):
        boundary.parse_body(raw, sr.FORM)


# --- body --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type", "reason"),
    [
        (b"[1, 2]", "application/json", "not a JSON object"),
        (b'"x"', "application/json", "not a JSON object"),
        (b"{not json", "application/json", "not valid JSON"),
        (b'{"a": Infinity}', "application/json", "not valid JSON"),
        (b'{"a": NaN}', "application/json", "not valid JSON"),
        (b"command=%2Fscale-review&text=hi", "application/json", "not valid JSON"),  # a form sent as JSON
        (b"payload=%5B1%5D", sr.FORM, "payload is not a JSON object"),
        (b"payload=%7Bbroken", sr.FORM, "payload is not valid JSON"),
        (b"{}", "text/xml", "unexpected content type"),
        (b'{"a": ' + b"9" * 5000 + b"}", "application/json", "not valid JSON"),
    ],
)
def test_bodies_slack_never_sends_are_a_400(raw: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(Rejected, match=reason) as caught:
        boundary.parse_body(raw, content_type)
    assert caught.value.status == 400


def test_deep_nesting_is_refused_without_recursion() -> None:
    for depth in (boundary.MAX_DEPTH + 1, 5_000, 200_000):
        raw = b'{"a":' + b"[" * depth + b"]" * depth + b"}"
        with pytest.raises(Rejected) as caught:
            boundary.parse_body(raw, "application/json")
        assert caught.value.status == 400


def test_an_oversized_body_is_a_413() -> None:
    with pytest.raises(Rejected) as caught:
        boundary.parse_body(b"x" * (boundary.MAX_BODY_BYTES + 1), sr.FORM)
    assert caught.value.status == 413


def test_lone_surrogates_are_replaced_so_the_text_is_kept() -> None:
    raw = b'{"type": "x", "text": "before \\ud800 after \\ud83d\\ude00", "\\udfff": 1}'
    body = boundary.parse_body(raw, "application/json")
    assert body["text"] == "before \ufffd after \U0001f600"
    assert body["\ufffd"] == 1
    json.dumps(body).encode("utf-8")  # storable: no surrogate left


def test_a_slash_command_that_mentions_payload_is_still_a_command() -> None:
    body = _parsed(sr.slash_command(text="Payload gateway"))
    inbound = boundary.read_inbound(body)
    assert isinstance(inbound, SlashCommand)
    assert inbound.text == "Payload gateway"


def test_form_fields_are_capped() -> None:
    raw = "&".join(f"f{i}=x" for i in range(boundary.MAX_FORM_FIELDS + 1)).encode()
    with pytest.raises(Rejected, match="too many fields"):
        boundary.parse_body(raw, sr.FORM)


# --- typed reading ---------------------------------------------------------------------------------------------


def _interaction(body: sr.Body) -> dict:
    return json.loads(dict(parse_qsl(body[0].decode()))["payload"])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(user=123),
        lambda p: p.pop("user"),
        lambda p: p.update(actions={}),
        lambda p: p.update(actions=[]),
        lambda p: p.update(actions=[{"action_id": 5}]),
        lambda p: p["user"].update(id="u1; drop table"),
        lambda p: p.update(response_url="javascript:alert(1)"),
    ],
)
def test_a_block_action_with_wrong_fields_is_a_400(mutate) -> None:  # type: ignore[no-untyped-def]
    payload = _interaction(sr.block_actions_message("item_status:done", '{"v":1,"i":"1.1","s":"done"}'))
    assert isinstance(boundary.read_inbound(dict(payload)), BlockActions)
    mutate(payload)
    with pytest.raises(Rejected) as caught:
        boundary.read_inbound(payload)
    assert caught.value.status == 400
    assert caught.value.reason.startswith("BlockActions")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(view="x"),
        lambda p: p["view"].pop("state"),
        lambda p: p["view"].update(state={"values": []}),
        lambda p: p["view"].update(private_metadata="x" * 3001),
        lambda p: p.update(user={"name": "no id"}),
    ],
)
def test_a_view_submission_with_wrong_fields_is_a_400(mutate) -> None:  # type: ignore[no-untyped-def]
    payload = _interaction(sr.view_submission(callback_id="questionnaire", values={}))
    boundary.read_inbound(json.loads(json.dumps(payload)))
    mutate(payload)
    with pytest.raises(Rejected, match="ViewSubmission"):
        boundary.read_inbound(payload)


def _event_body(event: dict) -> dict:
    return json.loads(sr.event_callback(event)[0])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.update(event=None),
        lambda b: b["event"].pop("channel"),
        lambda b: b["event"].update(user=123),
        lambda b: b["event"].update(ts="soon"),
        lambda b: b.pop("team_id"),
        lambda b: b.update(event_id=""),
    ],
)
def test_an_event_with_wrong_fields_is_a_400(mutate) -> None:  # type: ignore[no-untyped-def]
    body = _event_body(sr.message_event("done 1.1", thread_ts=sr.new_ts()))
    assert isinstance(boundary.read_inbound(json.loads(json.dumps(body))).event, MessageEvent)  # type: ignore[union-attr]
    mutate(body)
    with pytest.raises(Rejected, match="EventCallback"):
        boundary.read_inbound(body)


def test_events_are_told_apart_and_others_are_not_dispatched() -> None:
    mention = boundary.read_inbound(_event_body(sr.app_mention_event("why 1.2?")))
    assert isinstance(mention, EventCallback) and isinstance(mention.event, AppMention)
    other = boundary.read_inbound(_event_body({"type": "reaction_added", "user": "U1"}))
    assert isinstance(other, EventCallback) and isinstance(other.event, OtherEvent)


def test_bolt_gets_only_the_validated_fields() -> None:
    payload = _interaction(sr.block_actions_message("item_status:done", "x"))
    payload["enterprise"] = {"id": 5}  # a field the bot does not read, of a type Bolt would choke on
    body = boundary.bolt_body(boundary.read_inbound(payload))
    assert "enterprise" not in body
    assert body["actions"][0]["action_id"] == "item_status:done"
    assert body["user"]["id"] == sr.USER_ID


@pytest.mark.parametrize("body", [{}, {"type": "shortcut"}, {"type": None}, {"type": ["block_actions"]}])
def test_payload_kinds_the_bot_does_not_handle_are_a_400(body: dict) -> None:
    with pytest.raises(Rejected, match="unsupported payload type"):
        boundary.read_inbound(body)


# --- button values ---------------------------------------------------------------------------------------------


def test_button_values_round_trip() -> None:
    raw = values.for_status(12, "2.3", ItemStatus.DONE, ItemStatus.TODO)
    assert values.decode(values.StatusChange, raw) == values.StatusChange(
        v=12, i="2.3", s=ItemStatus.DONE, f=ItemStatus.TODO
    )
    assert values.decode(values.RoadmapRef, values.for_roadmap(7)) == values.RoadmapRef(r=7)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "5",
        "[]",
        '{"r": "5"}',
        '{"r": 5.0}',
        '{"r": true}',
        '{"r": Infinity}',
        '{"r": 0}',
        '{"r": -1}',
        '{"r": 2147483648}',
        '{"r": 1e400}',
        '{"r": {"x": 1}}',
        '{"r": 1, "extra": 2}',
        "{" * 10_000,
    ],
)
def test_button_values_out_of_range_or_of_the_wrong_type_read_as_none(raw: str | None) -> None:
    assert values.decode(values.RoadmapRef, raw) is None


def test_the_questionnaire_context_round_trips_and_reads_foreign_metadata_as_empty() -> None:
    """The modal's private_metadata goes through the same codec as button values: what the command wrote comes back,
    and metadata that is not ours (not JSON, a list, an edit id out of range) reads as no context at all."""
    raw = values.encode(values.FormContext(channel="C1", lang=None, ui="ko", edit=9))
    assert json.loads(raw) == {"channel": "C1", "ui": "ko", "edit": 9}
    assert values.form_context(raw) == values.FormContext(channel="C1", ui="ko", edit=9)
    for foreign in (None, "", "{", "[]", '{"edit": true}', '{"edit": 0}', '{"channel": 5}', '{"x": 1}'):
        assert values.form_context(foreign) == values.FormContext()


@pytest.mark.parametrize("key", ["0.1", "4.1", "1.0", "1.1000", "1.²", "1.١", "1.1 ", "", "11"])
def test_item_keys_outside_the_schema_read_as_none(key: str) -> None:
    raw = json.dumps({"v": 1, "i": key, "s": "done"})
    assert values.decode(values.StatusChange, raw) is None
