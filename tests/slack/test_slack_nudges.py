"""Nudges through Slack: the parent's settings, thread commands, the nudge's buttons and the App Home."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.roadmap.profile_io import load_profile
from bot.roadmap.schema import ItemStatus
from bot.slack import ids
from storage import Database
from tests.fakes import slack_requests as sr
from tests.slack_harness import Harness, find_element, running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


async def posted(h: Harness) -> list[dict]:  # type: ignore[type-arg]
    await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
    await h.idle()
    return h.thread()


async def schedule(h: Harness):  # type: ignore[no-untyped-def]
    async with h.bot.database.unit_of_work() as repos:
        return await repos.nudges.get_schedule(1)


async def reply(h: Harness, thread_ts: str, text: str, event_id: str) -> None:
    ts = h.fake.add_message(sr.CHANNEL_ID, text, user=sr.USER_ID, thread_ts=thread_ts)
    await h.send(sr.event_callback(sr.message_event(text, ts=ts, thread_ts=thread_ts), event_id=event_id))
    await h.idle()


@SQLITE
async def test_a_posted_roadmap_is_scheduled_in_the_owners_zone(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await posted(h)
        s = await schedule(h)
        assert s is not None and (s.weekday, s.local_time, s.timezone, s.paused) == (0, "10:00", "Asia/Seoul", False)
        parent = h.fake.message(sr.CHANNEL_ID, thread[0]["ts"])
        assert parent is not None and "Weekly nudges: Mondays at 10:00 (Asia/Seoul)" in json.dumps(parent["blocks"])
        find_element(parent, ids.ACTION_NUDGE_SETTINGS, r=1)
        h.fake.assert_clean()


@SQLITE
async def test_thread_commands_change_pause_and_resume(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await posted(h)
        parent_ts = thread[0]["ts"]
        await reply(h, parent_ts, "nudge friday 09:30", "Ev0NUDGE1")
        s = await schedule(h)
        assert (s.weekday, s.local_time) == (4, "09:30")
        answers = [m["text"] for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if m.get("bot_id")]
        assert any("Fridays at 09:30 (Asia/Seoul)" in t for t in answers)
        assert "Fridays at 09:30" in json.dumps(h.fake.message(sr.CHANNEL_ID, parent_ts)["blocks"])  # type: ignore[index]
        await reply(h, parent_ts, "nudge pause", "Ev0NUDGE2")
        assert (await schedule(h)).paused
        await reply(h, parent_ts, "nudge tz Mars/Olympus", "Ev0NUDGE3")
        bot_replies = [m["text"] for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if m.get("bot_id")]
        assert "I could not change the nudges: 'Mars/Olympus' is not a time zone" in bot_replies[-1]
        await reply(h, parent_ts, "nudge resume", "Ev0NUDGE4")
        assert not (await schedule(h)).paused
        h.fake.assert_clean()


@SQLITE
async def test_settings_modal_validates_and_saves(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await posted(h)
        parent = h.fake.message(sr.CHANNEL_ID, thread[0]["ts"])
        await h.click(parent, ids.ACTION_NUDGE_SETTINGS, r=1)  # type: ignore[arg-type]
        await h.idle()
        view = h.fake.last("views.open").args["view"]
        assert view["callback_id"] == ids.NUDGE_SETTINGS_CALLBACK

        def values(tz: str) -> dict:  # type: ignore[type-arg]
            return {
                ids.N_WEEKDAY: {ids.QUESTION_ACTION: sr.state_value("static_select", sr.option("2", "Wednesday"))},
                ids.N_TIME: {ids.QUESTION_ACTION: {"type": "timepicker", "selected_time": "08:15"}},
                ids.N_TIMEZONE: {ids.QUESTION_ACTION: sr.state_value("plain_text_input", tz)},
                ids.N_PAUSED: {ids.QUESTION_ACTION: {"type": "checkboxes", "selected_options": []}},
            }

        meta = view["private_metadata"]
        status, body = await h.send(
            sr.view_submission(
                callback_id=ids.NUDGE_SETTINGS_CALLBACK, values=values("Nowhere/City"), private_metadata=meta
            )
        )
        assert json.loads(body)["errors"][ids.N_TIMEZONE].startswith("'Nowhere/City' is not a time zone")
        status, body = await h.send(
            sr.view_submission(
                callback_id=ids.NUDGE_SETTINGS_CALLBACK, values=values("Europe/Berlin"), private_metadata=meta
            )
        )
        assert status == 200 and body in ("", "{}")
        await h.idle()
        s = await schedule(h)
        assert (s.weekday, s.local_time, s.timezone, s.paused) == (2, "08:15", "Europe/Berlin", False)
        h.fake.assert_clean()


@SQLITE
async def test_the_nudge_and_its_buttons(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await posted(h)
        report = await h.bot.services.nudges.sweep(datetime(2026, 12, 28, 1, tzinfo=UTC))
        assert len(report.sent) == 1
        nudge = h.fake.message(sr.CHANNEL_ID, report.sent[0].ts)
        assert nudge is not None and nudge["thread_ts"] == thread[0]["ts"]
        await h.click(nudge, "item_status", i="1.1", s="done")
        await h.idle()
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1)
            item = await repos.items.get(version.id, "1.1")  # type: ignore[union-attr]
            assert item is not None and item.status == ItemStatus.DONE
        due_before = (await schedule(h)).next_due_at
        await h.click(nudge, ids.ACTION_NUDGE_SNOOZE, r=1)
        await h.idle()
        assert (await schedule(h)).next_due_at > due_before
        await h.click(nudge, ids.ACTION_NUDGE_PAUSE, r=1)
        await h.idle()
        assert (await schedule(h)).paused
        note = h.fake.calls("response_url")[-1].args
        assert note["text"].startswith("Weekly nudges paused") and note["response_type"] == "ephemeral"
        h.fake.assert_clean()


@SQLITE
async def test_app_home_shows_the_next_nudge_and_pauses_it(database: Database) -> None:
    async with running_bot(database) as h:
        await posted(h)
        await h.send(sr.event_callback(sr.app_home_opened_event(user=sr.USER_ID)))
        await h.idle()
        home = h.fake.home_view(sr.USER_ID)
        assert home is not None and "Next nudge" in json.dumps(home)
        button = next(
            e
            for b in home["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == ids.ACTION_NUDGE_PAUSE
        )
        await h.send(sr.block_actions_home(ids.ACTION_NUDGE_PAUSE, button["value"], view=home))
        await h.idle()
        assert (await schedule(h)).paused
        assert "Resume nudges" in json.dumps(h.fake.home_view(sr.USER_ID))
        h.fake.assert_clean()


@SQLITE
async def test_closing_the_last_item_congratulates_in_the_thread(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await posted(h)
        parent_ts = thread[0]["ts"]
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1)
            keys = [i.item_key for i in await repos.items.list(version.id)]  # type: ignore[union-attr]
        await reply(h, parent_ts, f"done {' '.join(keys)}", "Ev0DONEALL")
        congrats = [
            m for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if "Every item" in json.dumps(m.get("blocks", []))
        ]
        assert len(congrats) == 1
        assert (await schedule(h)).next_due_at is None
        h.fake.assert_clean()
