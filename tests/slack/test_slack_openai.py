"""The OpenAI engine through the whole Slack path: live progress in the thread, accounting, fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engines.factory import openai_client
from bot.engines.openai_engine import OpenAIEngine
from bot.roadmap.pricing import KNOWN_PRICES
from bot.roadmap.profile_io import load_profile
from bot.slack import ids
from storage import Database
from tests.fakes import slack_requests as sr
from tests.fakes.openai_api import FakeOpenAI
from tests.llm_drafts import answer_for, answering_server
from tests.slack_harness import running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
MODEL = "gpt-5.4-mini"


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with answering_server(chunk_size=48) as server:
        yield server


def engine(fake: FakeOpenAI) -> OpenAIEngine:
    client = openai_client(fake.api_key or "sk-any", base_url=fake.base_url, timeout=10, max_retries=1)
    return OpenAIEngine(client, MODEL, deadline_s=20, price=KNOWN_PRICES[MODEL])


def item_messages(thread: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in thread if any(b.get("block_id", "").startswith("item:") for b in m.get("blocks", []))]


@SQLITE
async def test_ai_roadmap_streams_progress_then_posts_with_accounting(
    database: Database, openai_fake: FakeOpenAI
) -> None:
    openai_fake.respond_with(answer_for, usage=(20_000, 4_000, 0))
    async with running_bot(database, engine=engine(openai_fake)) as h:
        await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        await h.idle()
        start = h.fake.last("chat.startStream").args
        assert start["recipient_user_id"] == sr.USER_ID and start["recipient_team_id"] == h.fake.team_id
        assert h.fake.calls("chat.stopStream")  # a fast answer: the rest of the progress comes with the stop
        thread = h.thread()
        progress = next(m for m in thread if "Writing the roadmap with AI" in m.get("text", ""))
        assert "• 1.1 " in progress["text"] and "the roadmap follows" in progress["text"]
        assert len(item_messages(thread)) >= 3
        assert "20,000 prompt + 4,000 completion tokens" in json.dumps([m.get("blocks") for m in thread])
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1)
            assert version is not None and version.engine == "openai" and version.model == MODEL
            assert (version.prompt_tokens, version.completion_tokens) == (20_000, 4_000)
            assert float(version.cost_usd or 0) == pytest.approx((20_000 * 0.75 + 4_000 * 4.50) / 1e6)
        h.fake.assert_clean()


@SQLITE
async def test_the_model_is_asked_while_slack_is_still_answering(database: Database, openai_fake: FakeOpenAI) -> None:
    """Neither the owner's time zone nor the progress message holds up the model call; both still land."""
    async with running_bot(database, engine=engine(openai_fake)) as h:
        h.fake.delay("chat.startStream", 1.0)
        h.fake.delay("users.info", 1.0)
        await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        await h.idle()
        asked = openai_fake.requests()[0].at
        assert asked < h.fake.last("chat.startStream").at + 1.0
        assert asked < h.fake.last("users.info").at + 1.0
        progress = next(m for m in h.thread() if "Writing the roadmap with AI" in m.get("text", ""))
        assert "the roadmap follows" in progress["text"]
        assert len(item_messages(h.thread())) >= 3
        async with database.unit_of_work() as repos:
            roadmap = await repos.roadmaps.get(1)
            assert roadmap is not None and roadmap.owner_tz == "Asia/Seoul"
            schedule = await repos.nudges.get_schedule(1)
            assert schedule is not None and schedule.timezone == "Asia/Seoul"  # the zone was stored first
        h.fake.assert_clean()


@SQLITE
async def test_without_streaming_the_progress_message_is_updated(database: Database, openai_fake: FakeOpenAI) -> None:
    async with running_bot(database, engine=engine(openai_fake)) as h:
        h.fake.fail_next("chat.startStream", "not_allowed_token_type")
        await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        await h.idle()
        progress = next(m for m in h.thread() if "Writing the roadmap with AI" in m.get("text", ""))
        assert "the roadmap follows" in progress["text"]
        assert any(c.args.get("ts") == progress["ts"] for c in h.fake.calls("chat.update"))
        assert len(item_messages(h.thread())) >= 3
        h.fake.assert_clean()


@SQLITE
async def test_ai_failure_posts_the_rules_roadmap_and_offers_to_regenerate(
    database: Database, openai_fake: FakeOpenAI
) -> None:
    openai_fake.malformed()
    async with running_bot(database, engine=engine(openai_fake)) as h:
        await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        await h.idle()
        thread = h.thread()
        summary = next(m for m in thread if "summary:regenerate" in json.dumps(m.get("blocks", [])))
        text = json.dumps(summary["blocks"])
        assert "The openai engine failed (the answer was not valid JSON for the roadmap schema)" in text
        async with database.unit_of_work() as repos:
            first = await repos.roadmaps.latest_version(1)
            assert first is not None and first.engine == "rules" and first.version == 1
        await h.click(summary, ids.ACTION_REGENERATE)
        await h.idle()
        async with database.unit_of_work() as repos:
            latest = await repos.roadmaps.latest_version(1)
            assert latest is not None and latest.version == 2 and latest.engine == "openai"
        parent = h.fake.message(sr.CHANNEL_ID, thread[0]["ts"])
        assert parent is not None and "v2" in json.dumps(parent)
        h.fake.assert_clean()


@SQLITE
async def test_a_thread_question_gets_the_ai_answer_then_the_roadmaps_figures(
    database: Database, openai_fake: FakeOpenAI
) -> None:
    async with running_bot(database, engine=engine(openai_fake)) as h:
        await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        await h.idle()
        parent_ts = h.thread()[0]["ts"]
        items = {b["block_id"][5:] for m in item_messages(h.thread()) for b in m["blocks"] if "block_id" in b}
        first, dependant = next((i, d) for i in sorted(items) for d in sorted(items) if i < d)

        async def ask(question: str) -> dict:  # type: ignore[type-arg]
            before = len(h.fake.messages(sr.CHANNEL_ID, parent_ts))
            event = sr.app_mention_event(question, thread_ts=parent_ts)
            assert (await h.send(sr.event_callback(event)))[0] == 200
            await h.idle()
            replies = h.fake.messages(sr.CHANNEL_ID, parent_ts)
            assert len(replies) == before + 1
            return replies[-1]

        openai_fake.respond_with(f"Do {first} first; {dependant} pays off once it is in place.")
        reply = await ask(f"why {dependant} after {first}?")
        assert (
            reply["blocks"][0]["text"]["text"]
            == f":speech_balloon: Do {first} first; {dependant} pays off once it is in place."
        )
        assert f"*{first} comes before {dependant}*" in json.dumps(reply["blocks"], ensure_ascii=False)
        question = openai_fake.last().messages[1]["content"].split("<question>")[1].split("</question>")[0]
        assert json.loads(question) == f"why {dependant} after {first}?"  # the mention itself is stripped
        openai_fake.fail(500, times=2)
        fallback = await ask(f"why {dependant} after {first}?")
        assert ":speech_balloon:" not in json.dumps(fallback) and f"*{first} comes before {dependant}*" in json.dumps(
            fallback["blocks"], ensure_ascii=False
        )
        assert "No AI answer this time (the AI provider answered HTTP 500)" in json.dumps(fallback["blocks"])
        h.fake.assert_clean()
