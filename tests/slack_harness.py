"""The bot served over real HTTP (uvicorn + Bolt's Starlette adapter) against the fake Slack Web API.

Tests send correctly signed requests in Slack's shapes and assert on what the bot called.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp
import uvicorn

from bot.app import Bot, build_bot
from bot.config import Settings
from bot.engines.protocol import EngineResult, Progress, RoadmapEngine
from bot.engines.rules import RulesEngine
from bot.roadmap.schema import SystemProfile
from bot.server import http_app
from bot.slack import publisher as publisher_module
from bot.slack.ids import QUESTIONNAIRE_CALLBACK
from bot.slack.modal.questionnaire import questionnaire_view
from storage import Database
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
OUTSIDE = "C0OUTSIDE"  # a channel the bot is not in


class GatedEngine:
    """The rules engine behind a gate, so a test can act while generation is 'in progress'."""

    name = "rules"
    streams_progress = False

    def __init__(self, *, fail: Exception | None = None) -> None:
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.fail = fail
        self.calls = 0

    async def aclose(self) -> None:
        pass

    async def generate(self, profile: SystemProfile, progress: Progress | None = None) -> EngineResult:
        self.calls += 1
        self.entered.set()
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return await RulesEngine().generate(profile)


@dataclass
class Harness:
    fake: FakeSlack
    bot: Bot
    base: str  # http://127.0.0.1:PORT

    @property
    def events_url(self) -> str:
        return f"{self.base}/slack/events"

    async def send(
        self, body: sr.Body, *, secret: str = SECRET, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        content, content_type = body
        return await sr.post_signed(self.events_url, content, content_type, secret, headers=headers)

    async def idle(self, limit: float = 20) -> None:
        assert await self.bot.services.tasks.wait_idle(limit), "background work did not finish"

    async def command(self, text: str = "", **fields: Any) -> tuple[int, str]:
        fields.setdefault("response_url", self.fake.response_url())
        fields.setdefault("trigger_id", self.fake.issue_trigger_id())
        return await self.send(sr.slash_command(text=text, **fields))

    async def submit(
        self,
        profile: SystemProfile,
        *,
        channel: str = sr.CHANNEL_ID,
        edits: dict[str, str | None] | None = None,
        team_id: str = sr.TEAM_ID,
    ) -> tuple[int, str]:
        """Submit the questionnaire filled with `profile` (and typed `edits`), as Slack would send it."""
        view = questionnaire_view(private_metadata=json.dumps({"channel": sr.CHANNEL_ID}), prefill=profile).to_dict()
        values = sr.state_from_view(view, channel=channel)
        for block_id, typed in (edits or {}).items():
            values[block_id][next(iter(values[block_id]))]["value"] = typed
        return await self.send(
            sr.view_submission(
                callback_id=QUESTIONNAIRE_CALLBACK,
                values=values,
                private_metadata=json.dumps({"channel": sr.CHANNEL_ID}),
                team_id=team_id,
            )
        )

    def thread(self, channel: str = sr.CHANNEL_ID) -> list[dict[str, Any]]:
        """The bot's first top-level message in the channel and its replies."""
        parents = [m for m in self.fake.messages(channel) if "thread_ts" not in m or m["thread_ts"] == m["ts"]]
        assert parents, f"no message in {channel}"
        return self.fake.messages(channel, parents[0]["ts"])

    async def click(self, message: dict[str, Any], action_id_prefix: str, **match: Any) -> tuple[int, str]:
        """Click a button or overflow option found in a posted message, with the exact value it carries."""
        element, block_id = find_element(message, action_id_prefix, **match)
        action = {
            "action_id": element["action_id"],
            "block_id": block_id,
            "type": element["type"],
            "action_ts": "1700000000.000001",
        }
        if element["type"] == "overflow":
            action["selected_option"] = match["option"]
        else:
            action["value"] = element.get("value")
            action["text"] = element.get("text")
        body = sr.block_actions_message(
            element["action_id"],
            actions=[action],
            message_ts=message["ts"],
            thread_ts=message.get("thread_ts"),
            message_blocks=message.get("blocks"),
            trigger_id=self.fake.issue_trigger_id(),
            response_url=self.fake.response_url(),
            user_id=match.get("user_id", sr.USER_ID),
        )
        return await self.send(body)


def find_element(message: dict[str, Any], action_id_prefix: str, **match: Any) -> tuple[dict[str, Any], str]:
    """The first interactive element whose action_id starts with the prefix (and value fields match)."""
    for block in message.get("blocks") or []:
        elements = block.get("elements") if block.get("type") == "actions" else [block.get("accessory")]
        for element in elements or []:
            if not element or not str(element.get("action_id", "")).startswith(action_id_prefix):
                continue
            value = json.loads(element["value"]) if element.get("value") else {}
            if all(value.get(k) == v for k, v in match.items() if k in ("i", "s", "r")):
                return element, block.get("block_id", "")
    raise AssertionError(f"no {action_id_prefix} element matching {match} in message {message.get('ts')}")


@asynccontextmanager
async def running_bot(
    database: Database,
    *,
    engine: RoadmapEngine | None = None,
    fake: FakeSlack | None = None,
    setup: Callable[[FakeSlack], None] | None = None,
    settings: dict[str, Any] | None = None,
) -> AsyncIterator[Harness]:
    """Fake Slack + the bot over HTTP on a free port, in this event loop. `settings` overrides the defaults (e.g.
    OAuth's instead of the bot token)."""
    own_fake = fake is None
    fake = fake or FakeSlack(token=TOKEN).start()
    fake.add_channel(sr.CHANNEL_ID, sr.CHANNEL_NAME)
    fake.add_channel(OUTSIDE, "outside", member=False)
    fake.add_user(sr.USER_ID, name=sr.USER_NAME, tz="Asia/Seoul")
    fake.add_user("U0000BOB", name="bob", tz="Europe/Berlin")
    if setup:
        setup(fake)
    values: dict[str, Any] = {
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.base_url,
        "database_url": database.url,
    }
    # The fake Slack has no per-channel limit: the bot's pacer runs at 50 messages a second here instead of Slack's
    # one (its own tests check the real pace), so tests that post several roadmaps to a channel do not wait on it.
    real = publisher_module.ChannelPacer
    publisher_module.ChannelPacer = partial(real, per_second=50.0, burst=50)  # type: ignore[misc]
    try:
        bot = build_bot(Settings(_env_file=None, **values | (settings or {})), database, engine=engine)  # type: ignore[call-arg]
    finally:
        publisher_module.ChannelPacer = real  # type: ignore[misc]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(http_app(bot), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield Harness(fake, bot, f"http://127.0.0.1:{port}")
    finally:
        await bot.close(5)
        server.should_exit = True
        await task
        sock.close()
        if own_fake:
            fake.stop()


async def get_json(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()
