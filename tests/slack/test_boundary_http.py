"""The Slack boundary over real HTTP: the bot served by uvicorn against the fake Slack, attacked as a clumsy client
and as an attacker would. Every answer is below 500 and quick, nothing unsigned is acted on, no listener crashes,
and the stored roadmaps do not change."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.listeners import actions, commands, errors
from bot.slack import boundary, ids, values
from bot.slack.ids import ACTION_ITEM_DETAILS, ACTION_NUDGE_SNOOZE, NUDGE_SETTINGS_CALLBACK
from storage import Database
from tests.builders import sample_profile
from tests.fakes import slack_requests as sr
from tests.slack_harness import SECRET, Harness, running_bot

RESPONSE_LIMIT_S = 1.0  # the issue's bar; Slack itself allows 3 s


# --- a bot served in a thread of its own, so hypothesis (synchronous) can drive it over HTTP ----------------------


class LiveBot:
    def __init__(self, database_path: Path) -> None:
        self._path = database_path
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.harness: Harness | None = None
        self.errors: list[logging.LogRecord] = []
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        database = Database(f"sqlite:///{self._path}")
        await database.upgrade()
        try:
            async with running_bot(database) as harness:
                self.harness = harness
                status, _ = await harness.submit(sample_profile())
                assert status == 200
                await harness.idle()
                self._ready.set()
                await self._stop.wait()
                await harness.idle()
        finally:
            await database.dispose()

    def __enter__(self) -> LiveBot:
        collector = _Collector(self.errors)
        self._handler = collector
        logging.getLogger().addHandler(collector)
        self._thread.start()
        assert self._ready.wait(60), "the bot did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        logging.getLogger().removeHandler(self._handler)

    def run(self, make: Callable[[], Any]) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(make(), self._loop).result(30)

    def post(self, raw: bytes, headers: dict[str, str]) -> tuple[int, float]:
        assert self.harness is not None
        address = urlparse(self.harness.base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        started = time.monotonic()
        try:
            connection.request("POST", "/slack/events", body=raw, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, time.monotonic() - started
        finally:
            connection.close()

    def snapshot(self) -> list[tuple[Any, ...]]:
        """Every stored review, roadmap, version and item row, in order."""
        assert self.harness is not None
        database = self.harness.bot.database

        async def read() -> list[tuple[Any, ...]]:
            rows: list[tuple[Any, ...]] = []
            async with database.engine.connect() as connection:
                for table in ("reviews", "roadmaps", "roadmap_versions", "roadmap_items"):
                    result = await connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
                    rows.extend((table, *row) for row in result)
            return rows

        return self.run(read)


class _Collector(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    with LiveBot(tmp_path_factory.mktemp("boundary") / "bot.db") as bot:
        assert bot.harness is not None
        REPLY_TO["url"] = bot.harness.fake.response_url("fuzz")
        yield bot


def _headers(raw: bytes, content_type: str | None, *, signed: bool) -> dict[str, str]:
    headers = sr.sign(raw, SECRET if signed else "not-the-secret")
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


# --- the real payloads the bot handles, to mutate -------------------------------------------------------------------


def _interaction(body: sr.Body) -> dict[str, Any]:
    return json.loads(dict(parse_qsl(body[0].decode()))["payload"])


def _real_payloads() -> list[tuple[str, Any]]:
    """(form | payload | json, the parsed body) for each kind: command, submission, button, each event."""
    thread = sr.new_ts()
    snooze = sr.block_actions_message(ACTION_NUDGE_SNOOZE, values.for_roadmap(999))
    details = sr.block_actions_message(ACTION_ITEM_DETAILS, values.for_item(999, "1.1"))
    settings_view = sr.view_submission(
        callback_id=NUDGE_SETTINGS_CALLBACK,
        values={"n_weekday": {"answer": sr.state_value("static_select", "²")}},
        private_metadata=values.for_roadmap(999),
    )
    return [
        ("form", dict(parse_qsl(sr.slash_command(text="list")[0].decode()))),
        ("form", dict(parse_qsl(sr.slash_command(text="Payments API")[0].decode()))),
        ("payload", _interaction(snooze)),
        ("payload", _interaction(details)),
        ("payload", _interaction(settings_view)),
        ("json", json.loads(sr.event_callback(sr.message_event("done 1.1", thread_ts=thread))[0])),
        ("json", json.loads(sr.event_callback(sr.message_event("nudge friday 09:00", thread_ts=thread))[0])),
        ("json", json.loads(sr.event_callback(sr.app_mention_event("why 1.2?", thread_ts=thread))[0])),
        ("json", json.loads(sr.event_callback(sr.app_home_opened_event())[0])),
    ]


REAL = _real_payloads()
REPLY_TO = {"url": "http://127.0.0.1:9/unset"}  # the live bot's fake Slack, once it runs

_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["\ud800", "x\udfffy", "²", "١", "1.1", "Infinity", "<@U1>", "done 1.1" + " ," * 200])
)
json_values = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A real payload with one to three of its fields replaced by arbitrary JSON, retyped or removed."""
    form, body = draw(st.sampled_from(REAL))
    body = json.loads(json.dumps(body))
    if "response_url" in body:  # answers go to the fake, as a real response_url would reach Slack
        body["response_url"] = REPLY_TO["url"]
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(body)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        target = body
        for step in parents:
            target = target[step]
        if form == "form":
            replacement = draw(st.text(max_size=60) | st.sampled_from(["", "\ud800", "9" * 30]))
        else:
            replacement = draw(json_values)
        if draw(st.booleans()) and isinstance(target, dict):
            del target[last]
        else:
            target[last] = replacement
    if isinstance(body, dict) and "response_url" in body:  # Slack signs only its own response URLs
        body["response_url"] = REPLY_TO["url"]
    if form == "form":
        return urlencode({k: str(v) for k, v in body.items()}, errors="surrogatepass").encode(), sr.FORM
    raw_json = json.dumps(body)
    if form == "payload":
        return urlencode({"payload": raw_json}).encode(), sr.FORM
    return raw_json.encode(), "application/json"


_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(live: LiveBot, raw: bytes, content_type: str | None, signed: bool) -> None:
    status, took = live.post(raw, _headers(raw, content_type, signed=signed))
    assert status < 500, f"{status} for {raw[:200]!r}"
    assert took < RESPONSE_LIMIT_S, f"{took:.2f} s for {raw[:200]!r}"
    if not signed:
        assert status == 401


@_FUZZ
@given(raw=st.binary(max_size=3000), content_type=st.sampled_from([sr.FORM, "application/json", None, "text/plain"]))
def test_arbitrary_bytes(live: LiveBot, raw: bytes, content_type: str | None) -> None:
    for signed in (True, False):
        _check(live, raw, content_type, signed)


@_FUZZ
@given(value=json_values, as_form=st.booleans())
def test_arbitrary_json(live: LiveBot, value: Any, as_form: bool) -> None:
    encoded = json.dumps(value)
    raw, content_type = (
        (urlencode({"payload": encoded}).encode(), sr.FORM) if as_form else (encoded.encode(), "application/json")
    )
    for signed in (True, False):
        _check(live, raw, content_type, signed)


@_FUZZ
@given(request=mutated())
def test_mutated_real_payloads(live: LiveBot, request: tuple[bytes, str]) -> None:
    raw, content_type = request
    for signed in (True, False):
        _check(live, raw, content_type, signed)


def test_pathological_thread_messages_are_answered_at_once(live: LiveBot) -> None:
    thread = sr.new_ts()
    for text_ in ("done" + " ," * 3000 + " 1.2x", "nudge" + " " * 5000 + "x", "1." * 3000, "<@U1>" * 2000):
        for event in (sr.message_event(text_, thread_ts=thread), sr.app_mention_event(text_, thread_ts=thread)):
            raw, content_type = sr.event_callback(event)
            _check(live, raw, content_type, True)


def test_z_after_the_storm_nothing_crashed_and_the_roadmaps_are_unchanged(live: LiveBot) -> None:
    """Runs last in this module (by name): the fuzzing above must have left no error and no changed roadmap."""
    before = live.snapshot()
    assert any(row[0] == "roadmap_items" for row in before), "the seeded roadmap is missing"
    live.run(lambda: live.harness.idle())  # type: ignore[union-attr]
    assert live.snapshot() == before
    crashes = [r.getMessage() for r in live.errors]
    assert not crashes, crashes


# --- nothing is done for an unsigned request ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "abc"},
        {"X-Slack-Request-Timestamp": ""},
        {"X-Slack-Request-Timestamp": "1700000000.5"},
        {"X-Slack-Request-Timestamp": "1700000000"},  # stale
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Signature": "garbage"},
    ],
)
async def test_a_bad_signature_triggers_no_outgoing_call(database: Database, headers: dict[str, str]) -> None:
    async with running_bot(database) as harness:
        response_url = harness.fake.response_url("attacker")
        bodies = [
            sr.slash_command(text="list", response_url=response_url, trigger_id=harness.fake.issue_trigger_id()),
            sr.block_actions_message(ACTION_NUDGE_SNOOZE, "not json", response_url=response_url),
            sr.view_submission(callback_id="questionnaire", values={"x": {"y": {"type": "plain_text_input"}}}),
            sr.event_callback(sr.app_home_opened_event()),
            sr.event_callback(sr.app_mention_event("hello")),
        ]
        for raw, content_type in bodies:
            status, text_ = await sr.post_signed(harness.events_url, raw, content_type, SECRET, headers=headers)
            assert status == 401, text_
        await asyncio.sleep(0.3)
        await harness.idle()
        assert harness.fake.calls() == []


# --- a listener that crashes: one log line, and the person is told where Slack gives a way to ------------------------


async def test_a_crashing_submission_is_logged_once_and_the_person_gets_a_direct_message(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(database) as harness:

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("storage is on fire")

        monkeypatch.setattr(harness.bot.services.reviews, "submit", broken)
        with caplog.at_level(logging.WARNING):
            status, _ = await harness.submit(sample_profile())
        assert status == 500  # an internal fault, told honestly; the modal shows Slack's error
        await harness.fake.wait_for_calls_async("chat.postMessage", 1)
        sent = harness.fake.last("chat.postMessage")
        assert sent.args["channel"] == sr.USER_ID and sent.args["text"] == errors.SORRY  # English: the default
        crashes = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(crashes) == 1 and "view submission" in crashes[0].getMessage()
        assert not [r for r in caplog.records if "could not tell" in r.getMessage()]


async def test_a_crashing_command_answers_on_its_response_url(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(database) as harness:

        def broken() -> None:
            raise RuntimeError("help text is on fire")

        monkeypatch.setattr(commands.render, "help_message", broken)
        with caplog.at_level(logging.WARNING):
            await harness.command("help")
        await harness.fake.wait_for_calls_async("response_url", 1)
        assert harness.fake.last("response_url").args["text"] == errors.SORRY
        assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


def test_the_apology_goes_where_each_kind_allows() -> None:
    command = boundary.read_inbound(
        dict(parse_qsl(sr.slash_command(response_url="https://hooks.slack.com/x")[0].decode()))
    )
    assert errors.apology_for(command) == errors.Apology(response_url="https://hooks.slack.com/x")
    mention = boundary.read_inbound(json.loads(sr.event_callback(sr.app_mention_event("hi"))[0]))
    assert errors.apology_for(mention) == errors.Apology(channel=sr.CHANNEL_ID, user=sr.USER_ID)
    home = boundary.read_inbound(json.loads(sr.event_callback(sr.app_home_opened_event())[0]))
    assert errors.apology_for(home) is None  # nowhere to say it: logged only
    assert errors.apology_for(None) is None


@pytest.mark.parametrize(
    ("action_id", "value", "expected"),
    [
        (ACTION_NUDGE_SNOOZE, values.for_roadmap(999), actions.STALE_BUTTON),
        (ACTION_NUDGE_SNOOZE, '{"r": 99999999999}', actions.STALE_BUTTON),
        (ACTION_NUDGE_SNOOZE, '{"r": Infinity}', actions.STALE_BUTTON),
        (ACTION_ITEM_DETAILS, values.for_item(999, "1.1"), actions.STALE_BUTTON),
        ("item_status:done", '{"v": 999, "i": "1.1", "s": "done"}', "That item no longer exists."),
        ("item_status:done", '{"v": 1, "i": "9.9", "s": "done"}', actions.STALE_BUTTON),
    ],
)
async def test_a_stale_or_forged_button_gets_a_polite_ephemeral(
    database: Database, action_id: str, value: str, expected: str
) -> None:
    async with running_bot(database) as harness:
        reply_to = harness.fake.response_url()
        body = sr.block_actions_message(
            action_id, value, response_url=reply_to, trigger_id=harness.fake.issue_trigger_id()
        )
        status, _ = await harness.send(body)
        assert status == 200
        (answer,) = await harness.fake.wait_for_calls_async("response_url", 1)
        assert answer.args["text"] == expected and answer.args["response_type"] == "ephemeral"
        await harness.idle()


async def test_a_lone_surrogate_typed_in_the_questionnaire_is_kept_as_a_replacement_character(
    database: Database,
) -> None:
    """On SQLite and PostgreSQL: the person's text is stored and posted, not refused, with U+FFFD for the half pair."""
    async with running_bot(database) as harness:
        status, _ = await harness.submit(sample_profile(), edits={ids.Q_SYSTEM_NAME: "Pay\ud800ments"})
        assert status == 200
        await harness.idle()
        parent = harness.thread()[0]
        assert "Pay\ufffdments" in json.dumps(parent, ensure_ascii=False)


async def test_an_event_is_acknowledged_before_any_database_work(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack retries an event not acknowledged within 3 s: the acknowledgement must not wait for de-duplication
    (a database write) or for a listener; the event is handled once, after."""
    async with running_bot(database) as harness:
        gate = asyncio.Event()
        seen: list[str] = []
        first_time = harness.bot.services.events.first_time

        async def slow_first_time(event_id: str) -> bool:
            seen.append(event_id)
            await gate.wait()
            return await first_time(event_id)

        monkeypatch.setattr(harness.bot.services.events, "first_time", slow_first_time)
        body = sr.event_callback(sr.app_mention_event("hello"))
        started = time.monotonic()
        status, _ = await harness.send(body)
        assert status == 200 and time.monotonic() - started < 1.0
        await harness.fake.wait_until(lambda: seen, 5, "the event to be handled after its acknowledgement")
        assert harness.fake.calls("chat.postMessage") == []  # nothing done yet: de-duplication is still waiting
        gate.set()
        await harness.idle()
        (reply,) = harness.fake.calls("chat.postMessage")
        assert "/scale-review" in reply.args["text"]


async def test_log_lines_name_the_request_and_the_workspace(database: Database) -> None:
    """Every line a request causes, in its listener or in the background work it starts, carries its ids."""
    import io

    from bot.logs import FORMAT, RedactingFormatter, RequestContext

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContext())
    handler.setFormatter(RedactingFormatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with running_bot(database) as harness:
            for _ in range(2):
                body = sr.block_actions_message(
                    ACTION_ITEM_DETAILS, values.for_item(999, "1.1"), response_url=harness.fake.response_url()
                )
                assert (await harness.send(body))[0] == 200
            await harness.idle()
    finally:
        root.removeHandler(handler)
    lines = [line for line in stream.getvalue().splitlines() if "details button for an unknown item" in line]
    assert len(lines) == 2
    ids = {re.search(r"req=([0-9a-f]{12}) team=T0000FAKE:", line).group(1) for line in lines}  # type: ignore[union-attr]
    assert len(ids) == 2  # one id per request


async def test_a_response_url_that_refuses_is_a_warning_not_a_failed_task(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A click whose response_url no longer answers (expired, used up, unreachable): nothing crashes."""
    async with running_bot(database) as harness:
        refused = "http://127.0.0.1:9/expired"  # nothing listens there
        for value in (values.for_roadmap(999), "not json"):
            with caplog.at_level(logging.WARNING):
                click = sr.block_actions_message(ACTION_NUDGE_SNOOZE, value, response_url=refused)
                status, _ = await harness.send(click)
                assert status == 200
                await harness.idle()
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("could not answer on the response_url" in r.getMessage() for r in caplog.records)
