"""A profile change stated in a roadmap's thread is confirmed in one click (Revise / Cancel) and made into the next
version with the diff; over the fake Slack, HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.roadmap import dates
from bot.roadmap.profile_io import load_profile
from bot.roadmap.reading.facts import Fact
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.traffic import read_traffic
from bot.services.amendments import message_day
from bot.slack import ids
from storage import Database
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import TOKEN, Harness, running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAAS = load_profile(EXAMPLES / "saas-api.yaml")
SHOP_KO = load_profile(EXAMPLES / "shop-ko.yaml")


# --- through Slack ------------------------------------------------------------------------------------------------


async def _say(h: Harness, text: str, *, user: str = sr.USER_ID, retry: bool = False) -> str:
    parent_ts = h.thread()[0]["ts"]
    ts = h.fake.add_message(sr.CHANNEL_ID, text, user=user, thread_ts=parent_ts)
    body = sr.event_callback(sr.message_event(text, user=user, ts=ts, thread_ts=parent_ts))
    assert (await h.send(body))[0] == 200
    if retry:
        assert (await h.send(body, headers=sr.retry_headers(1)))[0] == 200
    await h.idle()
    return ts


def _questions(h: Harness) -> list[dict[str, Any]]:
    return [m for m in h.thread() if any(b.get("block_id") == "profile_update" for b in m.get("blocks") or [])]


async def _profile_and_versions(database: Database, h: Harness) -> tuple[Any, int]:
    async with database.unit_of_work(readonly=True) as repos:
        roadmap = await repos.roadmaps.by_thread(sr.CHANNEL_ID, h.thread()[0]["ts"])
        assert roadmap is not None
        review = await repos.reviews.get(roadmap.review_id)
        latest = await repos.roadmaps.latest_version(roadmap.id, ready_only=False)
        assert review is not None and latest is not None
        return review.profile_model, latest.version


def _stage_messages(thread: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in thread[1:] if any(b.get("block_id", "").startswith("item:") for b in m.get("blocks") or [])]


async def test_revise_makes_the_next_version_once_with_statuses_carried(database: Database) -> None:
    async with running_bot(database) as h:
        assert (await h.submit(SAAS))[0] == 200
        await h.idle()
        first = _stage_messages(h.thread())[0]
        assert (await h.click(first, "item_status:done", i="1.1"))[0] == 200
        await h.idle()

        await _say(h, "Heads up: the budget is now $2k/month.", retry=True)
        (question,) = _questions(h)  # Slack's retry does not ask twice
        assert "budget $3,000 -> $2,000 / month" in question["text"]
        assert "Update the profile" in question["text"]

        assert (await h.click(question, ids.ACTION_REVISE_PROFILE))[0] == 200
        await h.idle()
        profile, version = await _profile_and_versions(database, h)
        assert profile.budget.monthly_amount == 2000 and version == 2
        thread = h.thread()
        assert any("What changed in v2" in json.dumps(m.get("blocks")) for m in thread)
        updated = h.fake.message(sr.CHANNEL_ID, question["ts"])
        assert "Profile updated" in json.dumps(updated["blocks"]) and "actions" not in json.dumps(updated["blocks"])
        blocks_11 = [b for m in _stage_messages(thread) for b in m["blocks"] if b.get("block_id") == "item:1.1"]
        newest = max(blocks_11, key=lambda b: max(json.loads(e.get("value") or '{"v": 0}')["v"] for e in b["elements"]))
        labels = [e["text"]["text"] for e in newest["elements"] if e["type"] == "button"]
        assert "Reopen" in labels  # done in v1, still done in v2: never proposed again as new work

        # a second click (the stale button is still in a client's cache) changes nothing and says so
        assert (await h.click(question, ids.ACTION_REVISE_PROFILE))[0] == 200
        await h.idle()
        assert (await _profile_and_versions(database, h))[1] == 2
        note = h.fake.calls("response_url")[-1].args
        assert note["response_type"] == "ephemeral" and "already decided" in note["text"]
        h.fake.assert_clean()


async def test_cancel_in_korean_changes_nothing_and_only_the_thread_decides(database: Database) -> None:
    async with running_bot(database) as h:
        assert (await h.submit(SHOP_KO))[0] == 200
        await h.idle()
        before, version = await _profile_and_versions(database, h)
        await _say(h, "예산이 월 200만 원으로 줄었어요")
        (question,) = _questions(h)
        assert "프로필" in question["text"] and "예산 월 ₩6,000,000 -> 월 ₩2,000,000" in question["text"]

        assert (await h.click(question, ids.ACTION_CANCEL_REVISION, user_id="U0000BOB"))[0] == 200
        await h.idle()
        assert "profile_update" in json.dumps(h.fake.message(sr.CHANNEL_ID, question["ts"])["blocks"])  # still open
        assert h.fake.calls("response_url")[-1].args["response_type"] == "ephemeral"

        assert (await h.click(question, ids.ACTION_CANCEL_REVISION))[0] == 200
        await h.idle()
        assert await _profile_and_versions(database, h) == (before, version)
        assert "<@" in json.dumps(h.fake.message(sr.CHANNEL_ID, question["ts"])["blocks"])
        h.fake.assert_clean()


async def test_a_proposal_survives_a_restart_and_a_newer_version_makes_it_stale(database: Database) -> None:
    fake = FakeSlack(token=TOKEN).start()
    try:
        async with running_bot(database, fake=fake) as h:
            assert (await h.submit(SAAS))[0] == 200
            await h.idle()
            await _say(h, "we already run Redis for sessions")
            await _say(h, "target is 200k by next year")
            older, newer = _questions(h)
        async with running_bot(database, fake=fake) as h:  # a new process: the proposals are in the database
            assert (await h.click(newer, ids.ACTION_REVISE_PROFILE))[0] == 200
            await h.idle()
            profile, version = await _profile_and_versions(database, h)
            assert profile.target_users == 200_000 and version == 2
            assert (await h.click(older, ids.ACTION_REVISE_PROFILE))[0] == 200
            await h.idle()
            profile, version = await _profile_and_versions(database, h)
            assert version == 2 and not extract_facts(profile).has(Fact.HAS_CACHE)
            assert "newer version" in json.dumps(fake.message(sr.CHANNEL_ID, older["ts"])["blocks"])
            fake.assert_clean()
    finally:
        fake.stop()


async def test_a_mention_stating_a_change_is_proposed_not_answered(database: Database) -> None:
    async with running_bot(database) as h:
        assert (await h.submit(SAAS))[0] == 200
        await h.idle()
        parent_ts = h.thread()[0]["ts"]
        text = f"<@{sr.BOT_USER_ID}> we're down to 3 engineers"
        ts = h.fake.add_message(sr.CHANNEL_ID, text, user=sr.USER_ID, thread_ts=parent_ts)
        assert (await h.send(sr.event_callback(sr.app_mention_event(text, ts=ts, thread_ts=parent_ts))))[0] == 200
        assert (await h.send(sr.event_callback(sr.message_event(text, ts=ts, thread_ts=parent_ts))))[0] == 200
        await h.idle()
        replies = [m for m in h.thread() if m.get("user") != sr.USER_ID and m["ts"] > ts]
        assert len(replies) == 1 and "team: not stated -> 3 engineers" in replies[0]["text"]
        h.fake.assert_clean()


@pytest.mark.parametrize(("lang", "text"), [("en", "target is 500k by June"), ("ko", "3월 3일 출시")])
async def test_a_date_in_the_thread_becomes_the_deadline_once_confirmed(
    database: Database, lang: str, text: str
) -> None:
    """'target is 500k by June' (and '3월 3일 출시' in Korean) is read against the message's day, asked about with
    the day and its weeks, and once revised the profile's reader finds the deadline in weeks."""
    profile = SAAS if lang == "en" else SHOP_KO
    async with running_bot(database) as h:
        assert (await h.submit(profile))[0] == 200
        await h.idle()
        ts = await _say(h, text)
        async with database.unit_of_work(readonly=True) as repos:  # the day is the roadmap owner's
            roadmap = await repos.roadmaps.by_thread(sr.CHANNEL_ID, h.thread()[0]["ts"])
            assert roadmap is not None
        day = message_day(ts, roadmap.owner_tz)
        stated = dates.deadline_on(text, day)
        assert stated is not None
        weeks = stated.weeks_from(day)
        (question,) = _questions(h)
        if lang == "en":
            assert "target 80k -> 500k concurrent users" in question["text"]
            assert f"deadline: none -> {dates.label(stated.day, 'en')} (in {weeks} weeks)" in question["text"]
        else:
            assert f"마감 12.9주 -> {dates.label(stated.day, 'ko')} ({weeks}주 안에)" in question["text"]

        assert (await h.click(question, ids.ACTION_REVISE_PROFILE))[0] == 200
        await h.idle()
        revised, version = await _profile_and_versions(database, h)
        assert version == 2 and read_traffic(revised).deadline_weeks == weeks
        assert revised.target_users == (500_000 if lang == "en" else profile.target_users)
        h.fake.assert_clean()
