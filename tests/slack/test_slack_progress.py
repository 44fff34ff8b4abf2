"""Live progress: Slack's streaming methods, paced; an updated message where streaming is refused."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.progress import UPDATE_EVERY_S, SlackProgress
from bot.slack.publisher import SlackPublisher
from tests.fakes.slack_api import FakeSlack

CHANNEL, USER, TEAM = "C0PROGRESS", "U0PROGRESS", "T0000FAKE"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> FakeSlack:
    server = FakeSlack(token="xoxb-progress").start()
    server.add_channel(CHANNEL)
    yield server  # type: ignore[misc]
    server.assert_clean()
    server.stop()


async def progress_for(fake: FakeSlack, clock: Clock, **recipients: str | None) -> tuple[SlackProgress, str]:
    client = AsyncWebClient(token="xoxb-progress", base_url=fake.base_url)
    parent = (await client.chat_postMessage(channel=CHANNEL, text="parent"))["ts"]
    publisher = SlackPublisher(client)
    progress = SlackProgress(
        client,
        publisher._paced_call,
        CHANNEL,
        parent,
        header="Writing…",
        recipient_user_id=recipients.get("user", USER),
        recipient_team_id=recipients.get("team", TEAM),
        clock=clock,
    )
    await progress.start()
    return progress, parent


async def test_streamed_progress_is_paced(fake: FakeSlack) -> None:
    clock = Clock()
    progress, _ = await progress_for(fake, clock)
    assert fake.last("chat.startStream").args["recipient_user_id"] == USER
    for n in range(1, 7):  # six items, half a second apart
        clock.now += 0.5
        await progress.append(f"• 1.{n} item\n")
    appends = fake.calls("chat.appendStream")
    assert 1 <= len(appends) <= 6 * 0.5 / UPDATE_EVERY_S + 1  # not one call per item
    await progress.finish("Done.")
    stop = fake.last("chat.stopStream").args
    streamed = "".join(json_text(c.args) for c in [*appends]) + json_text(stop)
    assert all(f"• 1.{n} item" in streamed for n in range(1, 7)) and "Done." in streamed


async def test_refused_streaming_falls_back_to_an_updated_message(fake: FakeSlack) -> None:
    clock = Clock()
    fake.fail_next("chat.startStream", "not_allowed_token_type")
    progress, parent = await progress_for(fake, clock)
    message = fake.messages(CHANNEL, parent)[-1]
    assert message["text"] == "Writing…"
    await progress.append("• 1.1 first\n")  # too soon for an update
    assert not fake.calls("chat.update")
    clock.now += UPDATE_EVERY_S
    await progress.append("• 1.2 second\n")
    assert "• 1.2 second" in fake.message(CHANNEL, message["ts"])["text"]  # type: ignore[index]
    await progress.finish("Done.")
    final = fake.message(CHANNEL, message["ts"])["text"]  # type: ignore[index]
    assert final.startswith("Writing…") and "• 1.1 first" in final and final.endswith("Done.")


async def test_without_recipients_it_updates_a_message(fake: FakeSlack) -> None:
    progress, _ = await progress_for(fake, Clock(), user=None)
    await progress.finish("Done.")
    assert not fake.calls("chat.startStream") and fake.calls("chat.update")


def json_text(args: dict) -> str:  # type: ignore[type-arg]
    chunks = args.get("chunks") or []
    return (args.get("markdown_text") or "") + "".join(c.get("text", "") for c in chunks if isinstance(c, dict))
