"""`scale-review serve` as an operator runs it: Socket Mode over a real WebSocket, HTTP behind uvicorn.

In process, the real `bot.server.serve(settings)` runs in the test's event loop (database opened and migrated,
Socket Mode connection to FakeSlack) and is stopped with SIGTERM, which it handles on that loop. In a subprocess,
`python -m bot serve` gets environment variables only and is stopped with SIGTERM as a container runtime would.
FakeSlack serves the Web API and the Socket Mode WebSocket (its Socket Mode is checked first, with slack_sdk's own
client); every test ends with `fake.assert_clean()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AbstractAsyncContextManager as AsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

import bot.server
from bot.app import Bot
from bot.config import Settings
from bot.roadmap.profile_io import load_profile
from bot.slack import render
from bot.slack.ids import QUESTIONNAIRE_CALLBACK
from bot.slack.modal.questionnaire import questionnaire_view
from tests.conftest import require_shared
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack, socket_payload
from tests.fakes.slack_spec import JAVA_FILE, SlackApiSpec

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "saas-api.yaml"
TOKEN = "xoxb-serve-test"
APP_TOKEN = "xapp-1-A0000APP-1-serve-test"
SECRET = "serve-signing-secret"
START_TIMEOUT = 20.0  # a cold interpreter imports slack_bolt, sqlalchemy and alembic and migrates SQLite
ACK_BUDGET = 1.5  # Slack allows 3 s; the bot acknowledges before doing any slow work


class SigtermExitStatus(AssertionError):
    """The process shut down gracefully on SIGTERM but did not exit with status 0."""


class RetriesForever(AssertionError):
    """Slack rejected the app-level token, and the process kept retrying instead of exiting with status 2."""


class LostSubmission(AssertionError):
    """An envelope being handled when SIGTERM arrived was never acknowledged, and its work was lost."""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN, app_token=APP_TOKEN, enforce_fresh_trigger_ids=True) as server:
        server.add_channel(sr.CHANNEL_ID, sr.CHANNEL_NAME)
        server.add_user(sr.USER_ID, name=sr.USER_NAME, tz="Asia/Seoul")
        yield server


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'serve.db'}"


async def until_done(work: Any, server: asyncio.Future[Any], what: str) -> Any:
    """Await `work` unless the server ends first (then surface its exception or say it stopped)."""
    waiter = asyncio.ensure_future(work)
    await asyncio.wait({waiter, server}, return_when=asyncio.FIRST_COMPLETED)
    if waiter.done():
        return waiter.result()
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    server.result()  # raises what stopped the server, if anything
    raise AssertionError(f"the server stopped while waiting for {what}")


async def command(fake: FakeSlack, text: str = "") -> tuple[str, str, float]:
    """Send `/scale-review <text>` over Socket Mode; returns (envelope_id, trigger_id, seconds to the ack)."""
    trigger = fake.issue_trigger_id()
    kind, payload = socket_payload(sr.slash_command(text=text, trigger_id=trigger, response_url=fake.response_url()))
    assert kind == "slash_commands"
    started = time.perf_counter()
    envelope_id = await fake.socket_send(kind, payload)
    await fake.socket_ack(envelope_id, timeout=5)
    return envelope_id, trigger, time.perf_counter() - started


def top_level(fake: FakeSlack, channel: str = sr.CHANNEL_ID) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


def settings_for(fake: FakeSlack, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=fake.base_url,
        database_url=sqlite_url(tmp_path),
        log_level="WARNING",
    )


def submission_payload() -> tuple[str, dict[str, Any]]:
    metadata = json.dumps({"channel": sr.CHANNEL_ID})
    view = questionnaire_view(private_metadata=metadata, prefill=load_profile(EXAMPLE)).to_dict()
    return socket_payload(
        sr.view_submission(
            callback_id=QUESTIONNAIRE_CALLBACK,
            values=sr.state_from_view(view, channel=sr.CHANNEL_ID),
            private_metadata=metadata,
        )
    )


def count_rows(tmp_path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(tmp_path / "serve.db")) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# ---------------------------------------------------------------------------------------------- the fake's Socket Mode


async def test_fake_socket_mode_tokens_and_urls(fake: FakeSlack) -> None:
    """apps.connections.open takes the app-level token only, as Slack does; its URL is a live WebSocket."""
    async with aiohttp.ClientSession() as session, session.post(fake.base_url + "apps.connections.open") as resp:
        assert (await resp.json())["error"] == "not_authed"
    for token, error in [(TOKEN, "not_allowed_token_type"), ("xapp-1-someone-else", "invalid_auth")]:
        with pytest.raises(SlackApiError) as info:
            await AsyncWebClient(base_url=fake.base_url).apps_connections_open(app_token=token)
        assert info.value.response["error"] == error
    with pytest.raises(SlackApiError) as info:
        await AsyncWebClient(token=APP_TOKEN, base_url=fake.base_url).auth_test()
    assert info.value.response["error"] == "not_allowed_token_type"  # an app token only opens connections

    opened = await AsyncWebClient(base_url=fake.base_url).apps_connections_open(app_token=APP_TOKEN)
    assert opened["url"].startswith(f"ws://127.0.0.1:{fake.port}/socket-mode/")
    assert fake.last("apps.connections.open").args == {}  # the token travelled as `Authorization: Bearer`
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"ws://127.0.0.1:{fake.port}/socket-mode/not-issued")
        assert refused.value.status == 404
        async with session.ws_connect(opened["url"]) as ws:
            hello = await ws.receive_json(timeout=5)
            assert hello == {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {
                    "host": f"fake-applink-{fake.port}",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": fake.app_id},
            }
            connection = await fake.socket_wait_connected()
            kind, payload = socket_payload(sr.event_callback(sr.app_mention_event("hi")))
            envelope_id = await fake.socket_send(kind, payload)
            envelope = await ws.receive_json(timeout=5)
            assert envelope == {
                "envelope_id": envelope_id,
                "payload": payload,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
            }
            await ws.send_json({"envelope_id": envelope_id})
            assert await fake.socket_ack(envelope_id) == {"envelope_id": envelope_id}
            (ack,) = fake.socket_acks()
            assert ack.connection_id == connection.id and 0 <= ack.latency < 3 and ack.payload is None
        (closed,) = await fake.socket_wait_closed()
        assert (closed.closed_by, closed.close_code) == ("client", 1000) and not closed.open
    fake.assert_clean()


def test_apps_connections_open_is_in_slacks_api_description() -> None:
    """The contract check knows the method, and what slack_sdk sends (no arguments; the token as Bearer) passes."""
    spec = SlackApiSpec.load(require_shared(f"slack-api/{JAVA_FILE}").parent)
    assert spec.knows("apps.connections.open")
    assert spec.problems("apps.connections.open", {}) == []
    assert spec.problems("apps.connections.open", {"team_id": sr.TEAM_ID}) == []


async def test_fake_socket_mode_checks_acknowledgements(fake: FakeSlack) -> None:
    """What Slack would drop or reject in an acknowledgement is a violation, like a bad Web API call."""
    opened = await AsyncWebClient(base_url=fake.base_url).apps_connections_open(app_token=APP_TOKEN)
    async with aiohttp.ClientSession() as session, session.ws_connect(opened["url"]) as ws:
        await ws.receive_json(timeout=5)  # hello
        await fake.socket_wait_connected()
        command_id = await fake.socket_send(*socket_payload(sr.slash_command()))
        event_id = await fake.socket_send(*socket_payload(sr.event_callback(sr.app_mention_event("hi"))))
        kind, payload = socket_payload(sr.view_submission(callback_id="questionnaire"))
        view_id = await fake.socket_send(kind, payload)
        assert [e.envelope["accepts_response_payload"] for e in fake.socket_envelopes()] == [True, False, True]
        await ws.send_json({"envelope_id": command_id, "payload": {"blocks": [{"type": "section"}]}})
        await ws.send_json({"envelope_id": command_id})
        await ws.send_json({"envelope_id": event_id, "payload": {"text": "nobody will see this"}})
        await ws.send_json({"envelope_id": view_id, "payload": {"response_action": "errors", "errors": {}}})
        await ws.send_json({"envelope_id": "never-sent"})
        await ws.send_str("not json")
        await fake.wait_until(lambda: len(fake.violations) >= 6, 5, "six violations")
    problems = "\n".join(fake.violations)
    for expected in (
        f"slash_commands {command_id}: [invalid_blocks]",
        f"slash_commands {command_id}: [no_text]",
        f"envelope {command_id} acknowledged twice",
        f"events_api {event_id}: [payload_ignored]",
        f"interactive {view_id}: [invalid_arguments] response_action errors",
        "acknowledged envelope never-sent, which was never sent",
        "not an acknowledgement",
    ):
        assert expected in problems, problems
    with pytest.raises(AssertionError, match="violation"):
        fake.assert_clean()
    fake.reset_calls()
    fake.assert_clean()


async def test_fake_socket_mode_with_slack_sdks_client(fake: FakeSlack) -> None:
    """slack_sdk's own Socket Mode client: requests arrive, acks come back, and it follows disconnects."""
    received: list[SocketModeRequest] = []

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        reply = {"text": "got it"} if request.accepts_response_payload else None
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id, reply))

    web = AsyncWebClient(base_url=fake.base_url)
    client = SocketModeClient(app_token=APP_TOKEN, web_client=web, ping_interval=1)
    client.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
    try:
        await client.connect()
        first = await fake.socket_wait_connected()
        envelope_id = await fake.socket_send(*socket_payload(sr.slash_command(text="help")))
        assert await fake.socket_ack(envelope_id) == {"envelope_id": envelope_id, "payload": {"text": "got it"}}
        assert received[0].type == "slash_commands" and received[0].payload["text"] == "help"

        await fake.socket_disconnect("refresh_requested")  # Slack asks for a new connection
        second = await fake.socket_wait_connected(count=2)
        await fake.wait_until(lambda: not fake.socket_connections()[0].open, 5, "the old connection to close")
        await fake.socket_close()  # Slack drops the connection without a word
        third = await fake.socket_wait_connected(count=3)
        assert len({first.id, second.id, third.id}) == 3 and len(fake.calls("apps.connections.open")) == 3
        envelope_id = await fake.socket_send(*socket_payload(sr.block_actions_message("act")), retry_attempt=1)
        await fake.socket_ack(envelope_id)
        assert received[-1].retry_attempt == 1 and fake.socket_acks()[-1].connection_id == third.id
    finally:
        await client.close()
    closed = await fake.socket_wait_closed()
    assert [(c.closed_by, c.close_code) for c in closed] == [
        ("client", 1000),
        ("slack", WSCloseCode.GOING_AWAY),
        ("client", 1000),
    ]
    fake.assert_clean()


def test_socket_payload_is_the_http_request_as_json() -> None:
    kind, command = socket_payload(sr.slash_command(text="help", trigger_id="1.2.3"))
    assert kind == "slash_commands" and command["text"] == "help" and command["trigger_id"] == "1.2.3"
    assert command["is_enterprise_install"] == "false"  # the form's strings, as Slack sends them
    kind, action = socket_payload(sr.block_actions_message("act"))
    assert kind == "interactive" and action["type"] == "block_actions"
    kind, event = socket_payload(sr.event_callback(sr.app_mention_event("hi")))
    assert kind == "events_api" and event["event"]["type"] == "app_mention"
    with pytest.raises(ValueError, match="url_verification"):
        socket_payload(sr.url_verification())


# ---------------------------------------------------------------------------------------------- in process


async def test_socket_mode_serve_end_to_end(fake: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Bot] = []
    real_build_bot = bot.server.build_bot

    def spy(*args: Any, **kwargs: Any) -> Bot:  # only to wait for background work; serve() itself is untouched
        built.append(real_build_bot(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(bot.server, "build_bot", spy)
    server = asyncio.ensure_future(bot.server.serve(settings_for(fake, tmp_path)))
    try:
        first = await until_done(fake.socket_wait_connected(timeout=10), server, "the Socket Mode connection")
        opened = fake.last("apps.connections.open")
        assert opened.ok and dict(opened.args).keys() <= {"team_id"}  # the xapp- token travels as Bearer only

        # /scale-review: acknowledged at once with an empty body, then the modal opens with that trigger id
        envelope_id, trigger, took = await command(fake)
        assert took < ACK_BUDGET, f"ack took {took:.2f} s"
        assert fake.socket_acks()[-1].message == {"envelope_id": envelope_id}
        (views_open,) = await until_done(fake.wait_for_calls_async("views.open", 1), server, "views.open")
        assert views_open.ok and views_open.args["trigger_id"] == trigger
        assert views_open.args["view"]["callback_id"] == QUESTIONNAIRE_CALLBACK
        assert json.loads(views_open.args["view"]["private_metadata"]) == {
            "channel": sr.CHANNEL_ID,
            "lang": "en",
            "ui": "en",
        }

        # /scale-review help: the ephemeral usage travels in the acknowledgement itself
        envelope_id, _, took = await command(fake, "help")
        ack = await fake.socket_ack(envelope_id)
        assert took < ACK_BUDGET
        assert ack == {"envelope_id": envelope_id, "payload": render.help_message().to_args()}

        # a malformed envelope (a field of the wrong type) is acknowledged, so Slack does not redeliver it, and
        # reaches no listener: nothing is called
        calls_before = len(fake.calls())
        kind, payload = socket_payload(sr.block_actions_message("item_status:done", '{"v":1,"i":"1.1","s":"done"}'))
        envelope_id = await fake.socket_send(kind, {**payload, "user": 123, "response_url": fake.response_url()})
        assert await fake.socket_ack(envelope_id, timeout=5) == {"envelope_id": envelope_id}
        await asyncio.sleep(0.2)
        assert len(fake.calls()) == calls_before

        # the questionnaire submitted: the modal closes (empty ack) and the roadmap thread is posted
        kind, payload = submission_payload()
        assert kind == "interactive" and payload["type"] == "view_submission"
        envelope_id = await fake.socket_send(kind, payload)
        assert fake.socket_envelopes()[-1].envelope["accepts_response_payload"] is True
        assert await fake.socket_ack(envelope_id, timeout=5) == {"envelope_id": envelope_id}
        (app,) = built
        assert await until_done(app.services.tasks.wait_idle(20), server, "the review"), "the review did not finish"
        (parent,) = top_level(fake)
        thread = fake.messages(sr.CHANNEL_ID, parent["ts"])
        replies = thread[1:]
        assert replies and all(m["thread_ts"] == parent["ts"] for m in replies)
        assert load_profile(EXAMPLE).system_name in json.dumps(parent)

        # Slack refreshes the connection: the bot asks for a new URL, moves over and keeps working
        await fake.socket_disconnect("refresh_requested")
        second = await until_done(fake.socket_wait_connected(count=2), server, "the reconnection")
        await fake.wait_until(lambda: not fake.socket_connections()[0].open, 5, "the old connection to close")
        assert second.id != first.id and len(fake.calls("apps.connections.open")) == 2
        envelope_id, trigger, took = await command(fake)
        assert fake.socket_acks()[-1].connection_id == second.id and took < ACK_BUDGET
        calls = await fake.wait_for_calls_async("views.open", 2)
        assert calls[-1].ok and calls[-1].args["trigger_id"] == trigger

        # SIGTERM, as an operator or a container runtime stops it (serve() handles it on this loop)
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None), "no SIGTERM handler"
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(server, 10)
        closed = await fake.socket_wait_closed()
        assert [(c.closed_by, c.close_code) for c in closed] == [("client", 1000)] * 2  # closed normally
    finally:
        if not server.done():
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
    fake.assert_clean()


async def test_sigterm_lets_an_envelope_in_flight_finish(fake: FakeSlack, tmp_path: Path) -> None:
    # Slack is slow to post the thread's parent, so the listener is still within its 1.5 s thread budget,
    # before its acknowledgement, when SIGTERM arrives.
    fake.delay("chat.postMessage", 2.0)
    server = asyncio.ensure_future(bot.server.serve(settings_for(fake, tmp_path)))
    try:
        await until_done(fake.socket_wait_connected(timeout=10), server, "the Socket Mode connection")
        envelope_id = await fake.socket_send(*submission_payload())
        # the answers are stored and the listener is waiting for the parent message: mid-flight, not acknowledged
        posting = fake.wait_until(lambda: fake.in_flight("chat.postMessage"), 5, "the thread's parent message")
        await until_done(posting, server, "the thread's parent message")
        assert count_rows(tmp_path, "roadmaps") == 1 and fake.socket_acks() == []
        fake.delay("chat.postMessage", 0)  # only the call already in flight stays slow
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(server, 30)
        acked = [a for a in fake.socket_acks() if a.envelope_id == envelope_id]
        versions = count_rows(tmp_path, "roadmap_versions")  # run, or recorded as interrupted for the next start
        if not acked or not versions:
            raise LostSubmission(f"acknowledged: {bool(acked)}; roadmap versions stored: {versions}")
    finally:
        if not server.done():
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
    fake.assert_clean()


# ---------------------------------------------------------------------------------------------- subprocess


@dataclass
class Process:
    proc: asyncio.subprocess.Process
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def exited(self, timeout: float) -> int:  # noqa: ASYNC109 - a deadline for the child, not for us
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"the process did not exit within {timeout} s; its log:\n{self.log}") from None

    async def until(self, work: Any, what: str) -> Any:
        """Await `work`, failing with the process log if the process exits first."""
        try:
            return await until_done(work, asyncio.ensure_future(self.proc.wait()), what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; exit status {self.proc.returncode}; log:\n{self.log}") from None

    async def sigterm(self, timeout: float = bot.server.SHUTDOWN_GRACE_S / 2) -> int:  # noqa: ASYNC109
        self.proc.send_signal(signal.SIGTERM)
        return await self.exited(timeout)


def serve_env(**values: str) -> dict[str, str]:
    """The current environment without any setting the bot reads, plus `values` (names as the operator types)."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in ours}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update(values)
    return env


@contextlib.asynccontextmanager
async def scale_review_serve(tmp_path: Path, **env: str) -> AsyncIterator[Process]:
    """`python -m bot serve` in `tmp_path` (so no .env is read); killed at the end if it is still running."""
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", cwd=tmp_path, env=serve_env(**env), stdout=log, stderr=log
        )
    process = Process(proc, log_path)
    try:
        yield process
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def http_serve(tmp_path: Path, fake: FakeSlack, port: int, **extra: str) -> AsyncContextManager[Process]:
    """`scale-review serve` in HTTP mode on `port`, against `fake`, on a SQLite file in `tmp_path`."""
    return scale_review_serve(
        tmp_path,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        PORT=str(port),
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=sqlite_url(tmp_path),
        **extra,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_healthy(base: str, process: Process) -> Mapping[str, Any]:
    """Poll GET /healthz until it answers (the port opens only once the app started; with HTTP workers the parent
    listens first, and a request waits in the queue until a worker is up)."""

    async def poll() -> Mapping[str, Any]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while True:
                try:
                    async with session.get(f"{base}/healthz") as response:
                        assert response.status == 200, await response.text()
                        return dict(await response.json())
                except (aiohttp.ClientConnectionError, TimeoutError):
                    await asyncio.sleep(0.05)  # not listening, or not accepting, yet

    return await process.until(asyncio.wait_for(poll(), START_TIMEOUT), "GET /healthz")


async def test_socket_mode_cli_serves_and_stops_on_sigterm(fake: FakeSlack, tmp_path: Path) -> None:
    async with scale_review_serve(
        tmp_path,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=sqlite_url(tmp_path),
    ) as process:
        await process.until(fake.socket_wait_connected(timeout=START_TIMEOUT), "the Socket Mode connection")
        _, trigger, took = await process.until(command(fake), "the acknowledgement")
        assert took < ACK_BUDGET, f"ack took {took:.2f} s"
        (views_open,) = await process.until(fake.wait_for_calls_async("views.open", 1), "views.open")
        assert views_open.ok and views_open.args["trigger_id"] == trigger

        status = await process.sigterm()
        log = process.log
        assert status == 0, f"exit status {status}; log:\n{log}"
        assert "shutting down" in log and "Traceback" not in log, log
        (closed,) = await fake.socket_wait_closed()
        assert (closed.closed_by, closed.close_code) == ("client", 1000)
        assert APP_TOKEN not in log and TOKEN not in log  # tokens are redacted from every log line
    fake.assert_clean()


async def test_http_cli_serves_and_stops_on_sigterm(fake: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with http_serve(tmp_path, fake, port) as process:
        health = await wait_healthy(base, process)
        assert health["ok"] is True
        async with aiohttp.ClientSession() as session, session.get(f"{base}/readyz") as response:
            ready = await response.json()
        assert response.status == 200 and ready["database"] == "ok" and ready["revision"]

        trigger = fake.issue_trigger_id()
        content, content_type = sr.slash_command(trigger_id=trigger, response_url=fake.response_url())
        started = time.perf_counter()
        status, body = await sr.post_signed(f"{base}/slack/events", content, content_type, SECRET)
        assert status == 200 and body == "" and time.perf_counter() - started < ACK_BUDGET
        (views_open,) = await process.until(fake.wait_for_calls_async("views.open", 1), "views.open")
        assert views_open.ok and views_open.args["trigger_id"] == trigger
        status, _ = await sr.post_signed(f"{base}/slack/events", content, content_type, "wrong-secret")
        assert status == 401

        exit_status = await process.sigterm()
        log = process.log
        assert "Application shutdown complete" in log and "Traceback" not in log, log  # the graceful path ran
        if exit_status != 0:
            raise SigtermExitStatus(f"exit status {exit_status} after a graceful shutdown; log:\n{log}")
    fake.assert_clean()


async def test_socket_mode_with_a_rejected_app_token_exits_2(tmp_path: Path) -> None:
    with FakeSlack(token=TOKEN, app_token="xapp-1-A0000APP-1-the-right-one") as fake:
        async with scale_review_serve(
            tmp_path,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,  # well formed, but not the app's (revoked, or from another app)
            SLACK_API_URL=fake.base_url,
            DATABASE_URL=sqlite_url(tmp_path),
        ) as process:
            calls = await process.until(
                fake.wait_for_calls_async("apps.connections.open", 1, timeout=START_TIMEOUT), "apps.connections.open"
            )
            assert calls[0].error == "invalid_auth"
            try:
                status = await asyncio.wait_for(process.proc.wait(), 3)
            except TimeoutError:
                process.proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.proc.wait(), 2)
                    how = "stopped on SIGTERM"
                except TimeoutError:
                    how = "ignored SIGTERM for 2 s"
                raise RetriesForever(f"still running 3 s after invalid_auth; {how}; log:\n{process.log}") from None
            last = process.log.splitlines()[-1]
            assert status == 2 and "SLACK_APP_TOKEN" in last and "invalid_auth" in last, process.log
            assert APP_TOKEN not in process.log
        fake.assert_clean()


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, ["SLACK_BOT_TOKEN"]),
        ({"SLACK_BOT_TOKEN": TOKEN}, ["SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"]),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, ["SLACK_APP_TOKEN"]),
    ],
    ids=["no-bot-token", "neither-mode", "app-token-of-wrong-kind"],
)
async def test_serve_without_the_settings_it_needs_exits_2(
    fake: FakeSlack, tmp_path: Path, env: dict[str, str], names: list[str]
) -> None:
    async with scale_review_serve(
        tmp_path, SLACK_API_URL=fake.base_url, DATABASE_URL=sqlite_url(tmp_path), **env
    ) as process:
        status = await process.exited(START_TIMEOUT)
        lines = process.log.splitlines()
        assert status == 2, process.log
        assert len(lines) == 1 and all(name in lines[0] for name in names), lines
        assert "xoxb-not-an-app-token" not in lines[0]  # a secret value is never echoed
    assert fake.calls() == []  # nothing reached Slack
    fake.assert_clean()


def _spawned_workers(pid: int) -> set[int]:
    """The process's children that multiprocessing spawned to run code (not its resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            for child in (task / "children").read_text().split():
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.add(int(child))
    return found


def _any_alive(pids: set[int]) -> bool:
    return any(Path(f"/proc/{pid}").exists() for pid in pids)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see the worker processes")
async def test_http_workers_share_the_port_and_stop_together(fake: FakeSlack, tmp_path: Path) -> None:
    """WEB_CONCURRENCY=2: two worker processes on one port, each a whole bot; SIGTERM stops both, status 0."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    channels = [f"C0WORKER{n:02d}" for n in range(6)]
    for channel in channels:
        fake.add_channel(channel, channel.lower())
    # each of the two HTTP workers plans and renders in a process of its own
    async with http_serve(tmp_path, fake, port, WEB_CONCURRENCY="2", ROADMAP_WORKERS="1") as process:
        await wait_healthy(base, process)
        workers = _spawned_workers(process.proc.pid)
        assert len(workers) == 2, workers
        planners: set[int] = set()
        for _ in range(int(START_TIMEOUT * 10)):  # the second worker may still be starting its planner
            planners = set().union(*(_spawned_workers(pid) for pid in workers))
            if len(planners) == 2:
                break
            await asyncio.sleep(0.1)
        assert len(planners) == 2, planners
        view = questionnaire_view(private_metadata="{}", prefill=load_profile(EXAMPLE)).to_dict()

        async def submit(channel: str) -> int:
            body = sr.view_submission(
                callback_id=QUESTIONNAIRE_CALLBACK,
                values=sr.state_from_view(view, channel=channel),
                private_metadata="{}",
            )
            status, _ = await sr.post_signed(f"{base}/slack/events", *body, SECRET)
            return status

        assert await asyncio.gather(*(submit(c) for c in channels)) == [200] * len(channels)

        # every roadmap ends with its parent message updated to "ready"
        await process.until(fake.wait_for_calls_async("chat.update", len(channels), timeout=30), "six roadmaps posted")
        assert count_rows(tmp_path, "roadmap_versions WHERE status = 'ready'") == len(channels)
        assert count_rows(tmp_path, "roadmaps") == len(channels)  # each submission stored once, by one worker

        exit_status = await process.sigterm(bot.server.SHUTDOWN_GRACE_S + 15)
        log = process.log
        assert exit_status == 0, f"exit status {exit_status}; log:\n{log}"
        assert "2 HTTP workers serving port" in log and "Traceback" not in log, log
        assert not _any_alive(workers | planners)  # no worker left behind
