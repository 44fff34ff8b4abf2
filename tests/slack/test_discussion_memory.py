"""The thread's conversation is remembered from the events received and given to the AI's answers within a token
budget; bot messages, other threads and retried events are not kept twice. Over the fake Slack and fake OpenAI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engines.prompting import estimate_tokens, fit_history
from bot.roadmap.profile_io import load_profile
from storage import Database
from tests.fakes import slack_requests as sr
from tests.fakes.openai_api import FakeOpenAI
from tests.slack.test_slack_openai import engine, openai_fake  # noqa: F401 - the fixture
from tests.slack_harness import running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_history_keeps_the_newest_messages_within_the_budget() -> None:
    history = [("U1", f"message {n} " + "words " * 40) for n in range(100)]
    lines = fit_history(history, budget=300)
    assert lines[0].startswith("(") and "earlier messages left out" in lines[0]
    assert lines[-1].startswith("U1: message 99 ")  # the newest is always kept
    assert sum(estimate_tokens(line) for line in lines[1:]) <= 300
    assert fit_history([]) == []
    assert estimate_tokens("가" * 100) > estimate_tokens("a" * 100)  # Hangul costs more tokens a character


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
async def test_the_conversation_reaches_the_ai_answer(database: Database, openai_fake: FakeOpenAI) -> None:  # noqa: F811
    async with running_bot(database, engine=engine(openai_fake)) as h:
        await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        await h.idle()
        parent_ts = h.thread()[0]["ts"]

        async def say(text: str, *, thread: str = parent_ts, bot: bool = False) -> str:
            ts = h.fake.add_message(sr.CHANNEL_ID, text, user=sr.USER_ID, thread_ts=thread)
            event = sr.message_event(text, ts=ts, thread_ts=thread, bot_id="B0000BOT" if bot else None)
            body = sr.event_callback(event)
            assert (await h.send(body))[0] == 200
            assert (await h.send(body, headers=sr.retry_headers(1)))[0] == 200  # Slack's retry: kept once
            await h.idle()
            return ts

        await say("We already run Redis for sessions, by the way.")
        await say("The budget is tight this quarter.")
        await say("a bot's own message is not discussion", bot=True)
        await say("another thread entirely", thread=sr.new_ts())
        openai_fake.respond_with("Given Redis is there, reuse it for the cache first.")
        question = "so what should we cache first?"
        ts = h.fake.add_message(sr.CHANNEL_ID, question, user=sr.USER_ID, thread_ts=parent_ts)
        mention = sr.event_callback(sr.app_mention_event(question, ts=ts, thread_ts=parent_ts))
        assert (await h.send(mention))[0] == 200
        await h.idle()
        content = openai_fake.last().messages[1]["content"]
        discussion = json.loads(content.split("<discussion>")[1].split("</discussion>")[0])
        assert discussion[-2:] == [
            f"{sr.USER_ID}: We already run Redis for sessions, by the way.",
            f"{sr.USER_ID}: The budget is tight this quarter.",
        ]  # oldest first, without the question itself, bot messages or other threads
        assert "another thread" not in content and "bot's own" not in content
        h.fake.assert_clean()
