"""The Slack app end to end: signed requests over HTTP in, real slack_sdk calls out to the fake Web API.

Every test ends with `fake.assert_clean()`: each call matched Slack's API description and every
block or view rebuilt with slack_sdk's models within Slack's limits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.listeners import commands
from bot.roadmap.profile_io import load_profile
from bot.roadmap.schema import ItemStatus, SystemProfile
from bot.services.generation import INTERRUPTED
from bot.slack import ids
from storage import Database
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import OUTSIDE, SECRET, GatedEngine, Harness, find_element, get_json, running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def profile() -> SystemProfile:
    return load_profile(EXAMPLES / "saas-api.yaml")


async def submit_and_wait(h: Harness, p: SystemProfile | None = None) -> list[dict]:  # type: ignore[type-arg]
    status, body = await h.submit(p or profile())
    assert status == 200 and body in ("", "{}"), body
    await h.idle()
    return h.thread()


def stage_messages(thread: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in thread[1:] if any(b.get("block_id", "").startswith("item:") for b in m.get("blocks", []))]


@SQLITE
async def test_bad_or_missing_signature_is_rejected(database: Database) -> None:
    async with running_bot(database) as h:
        assert (await h.send(sr.slash_command(), secret="wrong-secret"))[0] == 401
        content, content_type = sr.slash_command()
        assert (await sr.post_signed(h.events_url, content, content_type, SECRET, timestamp=int(time.time()) - 3600))[
            0
        ] == 401  # replayed: too old
        assert h.fake.calls("views.open") == []
        h.fake.assert_clean()


@SQLITE
async def test_url_verification_and_healthz(database: Database) -> None:
    async with running_bot(database) as h:
        status, body = await h.send(sr.url_verification("abc123"))
        assert status == 200 and json.loads(body)["challenge"] == "abc123"
        status, health = await get_json(f"{h.base}/healthz")
        assert status == 200 and health["ok"] is True
        status, ready = await get_json(f"{h.base}/readyz")
        assert status == 200 and ready["ok"] is True and ready["revision"]


@SQLITE
async def test_command_opens_the_questionnaire_at_once(database: Database) -> None:
    async with running_bot(database) as h:
        trigger = h.fake.issue_trigger_id()
        started = time.perf_counter()
        status, body = await h.command(trigger_id=trigger)
        assert status == 200 and body == ""
        assert time.perf_counter() - started < 1.5
        call = await h.fake.wait_for_calls_async("views.open", 1, timeout=5)
        assert call[0].args["trigger_id"] == trigger
        view = call[0].args["view"]
        assert view["callback_id"] == ids.QUESTIONNAIRE_CALLBACK
        assert json.loads(view["private_metadata"]) == {"channel": sr.CHANNEL_ID, "lang": "en", "ui": "en"}
        h.fake.assert_clean()


@SQLITE
async def test_help_answers_ephemerally_and_opens_nothing(database: Database) -> None:
    async with running_bot(database) as h:
        status, body = await h.command("help")
        payload = json.loads(body)
        assert status == 200 and "/scale-review list" in json.dumps(payload)
        assert payload.get("response_type", "ephemeral") == "ephemeral"
        await asyncio.sleep(0.2)
        assert h.fake.calls("views.open") == [] and h.fake.calls("chat.postMessage") == []


@SQLITE
async def test_invalid_answers_go_back_to_the_modal(database: Database) -> None:
    async with running_bot(database) as h:
        status, body = await h.submit(
            profile(), edits={ids.Q_TARGET_USERS: "100", ids.Q_CURRENT_USERS: "lots", ids.Q_SYSTEM_NAME: "x" * 81}
        )
        payload = json.loads(body)
        assert status == 200 and payload["response_action"] == "errors"
        assert set(payload["errors"]) == {ids.Q_CURRENT_USERS, ids.Q_SYSTEM_NAME}
        assert "not a number of users" in payload["errors"][ids.Q_CURRENT_USERS]
        status, body = await h.submit(profile(), edits={ids.Q_TARGET_USERS: "100"})
        assert ids.Q_TARGET_USERS in json.loads(body)["errors"]
        await asyncio.sleep(0.2)
        assert h.fake.calls("chat.postMessage") == []
        async with database.unit_of_work() as repos:
            assert await repos.reviews.latest_for_user(None, sr.USER_ID) is None


async def test_the_owner_zone_is_looked_up_once_the_parent_message_is_out(database: Database) -> None:
    """The modal waits for the parent message; the zone lookup (only the nudges need it) must not compete."""
    async with running_bot(database) as h:
        h.fake.delay("chat.postMessage", 0.3)
        status, _ = await h.submit(profile())
        assert status == 200
        h.fake.delay("chat.postMessage", 0)
        await h.idle()
        parent = next(c for c in h.fake.calls("chat.postMessage") if "thread_ts" not in c.args)
        lookups = [c for c in h.fake.calls("users.info") if c.args.get("user") == sr.USER_ID]
        assert len(lookups) == 1 and lookups[0].at >= parent.at + 0.3
        async with database.unit_of_work() as repos:
            roadmap = await repos.roadmaps.by_thread(sr.CHANNEL_ID, h.thread()[0]["ts"])
            assert roadmap is not None and roadmap.owner_tz == "Asia/Seoul"


async def test_submission_posts_the_roadmap_in_a_thread(database: Database) -> None:
    """The whole flow, on SQLite and on PostgreSQL."""
    async with running_bot(database) as h:
        started = time.perf_counter()
        status, body = await h.submit(profile())
        assert status == 200 and body in ("", "{}")
        assert time.perf_counter() - started < 3
        await h.idle()
        thread = h.thread()
        parent, replies = thread[0], thread[1:]
        assert "Ledgerly API" in parent["text"]
        assert all(m["thread_ts"] == parent["ts"] for m in replies)
        stages = stage_messages(thread)
        assert len(replies) >= 4 and len(stages) >= 3  # a summary, then every stage (maybe in parts)
        posted_items = [
            b["block_id"][5:] for m in stages for b in m["blocks"] if b.get("block_id", "").startswith("item:")
        ]
        async with database.unit_of_work() as repos:
            roadmap = await repos.roadmaps.by_thread(sr.CHANNEL_ID, parent["ts"])
            assert roadmap is not None and roadmap.owner_user_id == sr.USER_ID and roadmap.owner_tz == "Asia/Seoul"
            review = await repos.reviews.get(roadmap.review_id)
            assert review is not None and review.profile_model == profile().model_copy(
                update={"language": "en"}
            )  # chosen at submission
            version = await repos.roadmaps.latest_version(roadmap.id)
            assert version is not None and version.status == "ready"
            items = await repos.items.list(version.id)
            refs = await repos.messages.list(version.id)
        assert posted_items == [i.item_key for i in items]  # every item posted, in order
        # every message ts stored; the capacity chart (a file shared under the roadmap) is stored by its file id
        posted = [m for m in replies if not m.get("files")]
        assert {r.ts for r in refs if r.kind != "chart"} == {m["ts"] for m in posted}
        charts = [m for m in replies if m.get("files")]
        assert len(charts) == 1 and charts[0]["ts"] > max(m["ts"] for m in posted)  # after the roadmap
        (chart_file,) = charts[0]["files"]
        assert chart_file["mimetype"] == "image/png" and "Capacity chart for Ledgerly API." in chart_file["alt_txt"]
        assert [r.ts for r in refs if r.kind == "chart"] == [chart_file["id"]]
        updates = [c for c in h.fake.calls("chat.update") if c.args["ts"] == parent["ts"]]
        assert updates and "in the thread" in json.dumps(h.fake.message(sr.CHANNEL_ID, parent["ts"]))

        h.fake.assert_clean()


@SQLITE
async def test_slow_slack_does_not_hold_the_modal_open(database: Database) -> None:
    """The parent post is still in flight when the modal is acknowledged; the thread opens later, once."""
    async with running_bot(database) as h:
        h.fake.delay("chat.postMessage", 2.5)
        status, body = await h.submit(profile())
        assert status == 200 and body in ("", "{}"), body
        assert h.fake.messages(sr.CHANNEL_ID) == []  # acknowledged before the parent message exists
        h.fake.delay("chat.postMessage", 0)
        await h.idle()
        thread = h.thread()
        assert len(stage_messages(thread)) >= 3
        parents = [m for m in h.fake.messages(sr.CHANNEL_ID) if "thread_ts" not in m or m["thread_ts"] == m["ts"]]
        assert len(parents) == 1
        h.fake.assert_clean()


@SQLITE
async def test_questionnaire_is_prefilled_from_previous_answers(database: Database) -> None:
    async with running_bot(database) as h:
        await submit_and_wait(h)
        await h.command()
        view = (await h.fake.wait_for_calls_async("views.open", 1))[0].args["view"]
        text = json.dumps(view)
        assert "Ledgerly API" in text and "Prefilled from your review" in text
        h.fake.reset_calls()
        await h.command("Another System")
        view = (await h.fake.wait_for_calls_async("views.open", 1))[0].args["view"]
        assert "Prefilled" not in json.dumps(view)
        h.fake.assert_clean()


@SQLITE
async def test_a_slow_prefill_lookup_opens_an_empty_questionnaire_in_time(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The trigger id dies 3 s after the command: a lookup past the deadline costs the prefill, not the modal."""
    monkeypatch.setattr(commands, "PREFILL_DEADLINE_S", 0.3)
    async with running_bot(database) as h:
        await submit_and_wait(h)
        stalled = asyncio.Event()

        async def stuck_lookup(*args: object) -> None:
            stalled.set()
            await asyncio.sleep(30)

        monkeypatch.setattr(h.bot.services.reviews, "previous_answers", stuck_lookup)
        sent = time.monotonic()
        await h.command()
        (opened,) = await h.fake.wait_for_calls_async("views.open", 1, timeout=5)
        assert stalled.is_set() and 0.3 <= opened.at - sent < 1.5
        assert "Prefilled" not in json.dumps(opened.args["view"])
        assert "opening an empty questionnaire" in caplog.text
        h.fake.assert_clean()


@SQLITE
async def test_list_shows_the_users_roadmaps_with_links(database: Database) -> None:
    async with running_bot(database) as h:
        await submit_and_wait(h)
        await h.command("list")
        reply = (await h.fake.wait_for_calls_async("response_url", 1))[0].args
        assert "Ledgerly API" in json.dumps(reply) and "archives" in json.dumps(reply)
        assert reply.get("response_type") == "ephemeral"
        h.fake.assert_clean()


@SQLITE
async def test_item_buttons_change_status_and_update_the_message(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await submit_and_wait(h)
        first_stage = stage_messages(thread)[0]
        status, _ = await h.click(first_stage, "item_status", i="1.1", s="in_progress")
        assert status == 200
        await h.idle()
        update = next(c for c in h.fake.calls("chat.update") if c.args["ts"] == first_stage["ts"])
        assert update.args["channel"] == sr.CHANNEL_ID
        refreshed = h.fake.message(sr.CHANNEL_ID, first_stage["ts"])
        assert refreshed is not None
        element, _ = find_element(refreshed, "item_status", i="1.1", s="done")
        assert json.loads(element["value"])["f"] == "in_progress"  # the message now shows the new status
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1)
            item = await repos.items.get(version.id, "1.1")  # type: ignore[union-attr]
            assert item is not None and item.status == ItemStatus.IN_PROGRESS
            assert item.status_changed_by == sr.USER_ID and item.status_changed_at is not None
            history = await repos.items.history(item.id)
            assert [(e.from_status, e.to_status) for e in history] == [(ItemStatus.TODO, ItemStatus.IN_PROGRESS)]
        h.fake.assert_clean()


@SQLITE
async def test_a_stale_click_does_not_undo_a_newer_change(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await submit_and_wait(h)
        stale = stage_messages(thread)[0]  # Bob keeps this old copy on screen
        await h.click(stale, "item_status", i="1.1", s="done")  # Alice marks 1.1 done
        await h.idle()
        status, _ = await h.click(stale, "item_status", i="1.1", s="in_progress", user_id="U0000BOB")
        assert status == 200
        await h.idle()
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1)
            item = await repos.items.get(version.id, "1.1")  # type: ignore[union-attr]
            assert item is not None and item.status == ItemStatus.DONE and item.status_changed_by == sr.USER_ID
        note = h.fake.calls("response_url")[-1].args
        assert "already set 1.1 to *Done*" in note["text"] and note["response_type"] == "ephemeral"
        h.fake.assert_clean()


@SQLITE
async def test_details_button_opens_the_item_modal(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await submit_and_wait(h)
        await h.click(stage_messages(thread)[0], ids.ACTION_ITEM_DETAILS, i="1.1")
        view = (await h.fake.wait_for_calls_async("views.open", 1))[0].args["view"]
        assert view["title"]["text"] == "Item 1.1" and "How to verify" in json.dumps(view)
        h.fake.assert_clean()


@SQLITE
async def test_details_with_a_trigger_slack_refuses_is_said_not_crashed(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A click whose trigger expired (Slack's 3 s) gets a note asking to press again, and no error is logged."""
    async with running_bot(database) as h:
        thread = await submit_and_wait(h)
        h.fake.fail_next("views.open", "expired_trigger_id")
        await h.click(stage_messages(thread)[0], ids.ACTION_ITEM_DETAILS, i="1.1")
        await h.idle()
        note = h.fake.calls("response_url")[-1].args
        assert note["response_type"] == "ephemeral" and "expired_trigger_id" in note["text"]
        assert "press the button again" in note["text"]
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
        await h.click(stage_messages(thread)[0], ids.ACTION_ITEM_DETAILS, i="1.1")  # the second press opens it
        view = (await h.fake.wait_for_calls_async("views.open", 2))[-1].args["view"]
        assert view["title"]["text"] == "Item 1.1"


@SQLITE
async def test_bot_not_in_the_chosen_channel_is_a_field_error(database: Database) -> None:
    async with running_bot(database) as h:
        _, body = await h.submit(profile().model_copy(), channel=OUTSIDE)
        payload = json.loads(body)
        assert payload["response_action"] == "errors"
        assert "/invite @scale-review" in payload["errors"][ids.Q_CHANNEL]
        async with database.unit_of_work() as repos:  # the answers are kept all the same
            review = await repos.reviews.latest_for_user(1, sr.USER_ID)
            assert review is not None and review.channel_id == OUTSIDE
        await h.idle()
        async with database.unit_of_work() as repos:  # ...but that submission is never generated, now or later
            version = await repos.roadmaps.latest_version(1, ready_only=False)
            assert version is not None and version.status == "failed" and version.error == "not started: not_in_channel"
        assert await h.bot.services.reviews.resume_interrupted(now=datetime.now(UTC) + timedelta(hours=1)) == 0
        assert h.fake.ephemerals(OUTSIDE) == [] and h.fake.calls("chat.postEphemeral") == []  # told in the modal only
        h.fake.assert_clean()


@SQLITE
async def test_the_engine_starts_before_the_parent_message_is_up(database: Database) -> None:
    engine = GatedEngine()
    async with running_bot(database, engine=engine) as h:
        h.fake.delay("chat.postMessage", 1.0)
        submitted = asyncio.ensure_future(h.submit(profile()))
        await asyncio.wait_for(engine.entered.wait(), 5)
        assert h.fake.messages(sr.CHANNEL_ID) == []  # generating while Slack is still posting the parent
        status, _ = await submitted
        assert status == 200
        h.fake.delay("chat.postMessage", 0)
        engine.gate.set()
        await h.idle()
        assert len(stage_messages(h.thread())) >= 3
        h.fake.assert_clean()


@SQLITE
async def test_a_channel_lost_after_the_modal_closed_is_told_to_the_person(database: Database) -> None:
    async with running_bot(database) as h:
        h.fake.delay("chat.postMessage", 2.2)  # past the modal's wait
        h.fake.fail_next("chat.postMessage", "channel_not_found")
        status, body = await h.submit(profile())
        assert status == 200 and body in ("", "{}"), body
        await h.idle()
        told = [c.args for c in h.fake.calls("chat.postEphemeral")] + [
            c.args for c in h.fake.calls("chat.postMessage") if c.args.get("channel") == sr.USER_ID
        ]
        assert len(told) == 1 and "/invite @scale-review" in json.dumps(told[0]), told
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1, ready_only=False)
            assert version is not None and version.error == "not started: channel_not_found"


@SQLITE
async def test_a_parent_post_failing_in_the_modal_is_posted_again_by_the_run(database: Database) -> None:
    async with running_bot(database) as h:
        h.fake.fail_next("chat.postMessage", "internal_error")
        status, body = await h.submit(profile())
        assert status == 200 and body in ("", "{}"), body
        await h.idle()
        assert len(stage_messages(h.thread())) >= 3
        parents = [m for m in h.fake.messages(sr.CHANNEL_ID) if m.get("thread_ts", m["ts"]) == m["ts"]]
        assert len(parents) == 1


@SQLITE
async def test_a_crash_right_after_submitting_is_resumed_at_the_next_start(database: Database) -> None:
    """The first version is stored with the answers, so a bot killed before generating still has it to resume."""
    fake = FakeSlack(token="xoxb-test-token").start()
    try:
        async with running_bot(database, fake=fake) as h:
            submission = await h.bot.services.reviews.submit(fake.team_id, sr.USER_ID, sr.CHANNEL_ID, profile())
        async with running_bot(database, fake=fake) as h2:
            reviews = h2.bot.services.reviews
            assert await reviews.resume_interrupted() == 0  # it could still be generating elsewhere
            assert await reviews.resume_interrupted(now=datetime.now(UTC) + timedelta(minutes=16)) == 1
            await h2.idle()
            assert len(stage_messages(h2.thread())) >= 3
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(submission.roadmap_id)
            assert version is not None and version.version == 2 and version.status == "ready"
        fake.assert_clean()
    finally:
        fake.stop()


@SQLITE
async def test_losing_the_channel_midway_keeps_the_roadmap_and_offers_to_post_again(database: Database) -> None:
    engine = GatedEngine()
    async with running_bot(database, engine=engine) as h:
        await h.submit(profile())
        await asyncio.wait_for(engine.entered.wait(), 5)
        h.fake.fail_next("chat.postMessage", "not_in_channel")  # the summary post fails
        engine.gate.set()
        await h.idle()
        notice = h.fake.ephemerals(sr.CHANNEL_ID)[-1]
        assert "/invite @scale-review" in json.dumps(notice["blocks"])
        before = len(h.thread())
        notice_message = {"ts": notice.get("ts", "1.1"), "blocks": notice["blocks"]}
        await h.click(notice_message, ids.ACTION_REPOST)
        await h.idle()
        thread = h.thread()
        assert before == 1 and len(stage_messages(thread)) >= 3
        texts = [m["text"] for m in thread]
        assert len(texts) == len({m["ts"] for m in thread})
        h.fake.assert_clean()


@SQLITE
async def test_rate_limited_posts_are_retried_after_retry_after(database: Database) -> None:
    engine = GatedEngine()
    async with running_bot(database, engine=engine) as h:
        await h.submit(profile())
        await asyncio.wait_for(engine.entered.wait(), 5)
        h.fake.rate_limit_next("chat.postMessage", retry_after=1)
        engine.gate.set()
        await h.idle()
        calls = h.fake.calls("chat.postMessage")
        limited = [c for c in calls if c.status == 429]
        assert len(limited) == 1
        after = [c for c in calls if c.at > limited[0].at]
        assert after and after[0].at - limited[0].at >= 0.9  # waited for Retry-After
        assert len(stage_messages(h.thread())) >= 3
        h.fake.assert_clean()


@SQLITE
async def test_thread_command_and_slack_retries_are_handled_once(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await submit_and_wait(h)
        parent_ts = thread[0]["ts"]
        reply_ts = h.fake.add_message(sr.CHANNEL_ID, "done 1.1", user=sr.USER_ID, thread_ts=parent_ts)
        event = sr.message_event("done 1.1", ts=reply_ts, thread_ts=parent_ts)
        envelope = sr.event_callback(event, event_id="Ev0000RETRY")
        assert (await h.send(envelope))[0] == 200
        assert (await h.send(envelope, headers=sr.retry_headers(1)))[0] == 200
        await h.idle()
        notes = [m for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if "marked 1.1" in m.get("text", "")]
        assert len(notes) == 1
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1)
            item = await repos.items.get(version.id, "1.1")  # type: ignore[union-attr]
            assert item is not None and item.status == ItemStatus.DONE
        h.fake.assert_clean()


async def test_a_question_in_the_thread_is_answered_from_the_roadmap(database: Database) -> None:
    """On SQLite and PostgreSQL: "@scale-review why 2.3 after 2.2?" gets the plan's reason and both items."""
    from bot.roadmap.rules.generate import generate_rules_roadmap

    plan = generate_rules_roadmap(profile())  # which items depend on which is the plan's business
    first, then = next((d, i.id) for i in plan.items() for d in i.depends_on if d.split(".")[0] == str(i.stage))
    async with running_bot(database) as h:
        parent_ts = (await submit_and_wait(h))[0]["ts"]
        question = f"<@{sr.BOT_USER_ID}> why is {then} after {first}?"
        asked_ts = h.fake.add_message(sr.CHANNEL_ID, question, user=sr.USER_ID, thread_ts=parent_ts)
        for event in (
            sr.app_mention_event(question, ts=asked_ts, thread_ts=parent_ts),
            sr.message_event(question, ts=asked_ts, thread_ts=parent_ts),  # Slack sends both; one answer
        ):
            assert (await h.send(sr.event_callback(event)))[0] == 200
        await h.idle()
        answers = [m for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if ":scales:" in json.dumps(m)]
        assert len(answers) == 1
        text = json.dumps(answers[0]["blocks"], ensure_ascii=False)
        assert f"*{first} comes before {then}* — {then} builds on {first}" in text
        assert f"*{then} " in text and f"*{first} " in text
        # outside a roadmap's thread, a mention gets what the bot does
        assert (await h.send(sr.event_callback(sr.app_mention_event("why 2.3 after 2.2?"))))[0] == 200
        await h.idle()
        top_level = [c for c in h.fake.calls("chat.postMessage") if "mention me with a question" in json.dumps(c.args)]
        assert len(top_level) == 1 and top_level[0].args.get("thread_ts") != parent_ts
        h.fake.assert_clean()


@SQLITE
async def test_app_home_lists_roadmaps(database: Database) -> None:
    async with running_bot(database) as h:
        await submit_and_wait(h)
        await h.send(sr.event_callback(sr.app_home_opened_event(user=sr.USER_ID)))
        await h.fake.wait_for_calls_async("views.publish", 1)
        home = h.fake.home_view(sr.USER_ID)
        assert home is not None and "Ledgerly API" in json.dumps(home)
        h.fake.assert_clean()


@SQLITE
async def test_generation_failure_is_said_in_slack_and_retry_works(database: Database) -> None:
    engine = GatedEngine(fail=RuntimeError("engine exploded"))
    async with running_bot(database, engine=engine) as h:
        engine.gate.set()
        await h.submit(profile())
        await h.idle()
        parent = h.thread()[0]
        assert "engine exploded" in json.dumps(h.fake.message(sr.CHANNEL_ID, parent["ts"]))
        notice = h.fake.ephemerals(sr.CHANNEL_ID)[-1]
        engine.fail = None
        await h.click({"ts": "1.1", "blocks": notice["blocks"]}, ids.ACTION_RETRY)
        await h.idle()
        assert len(stage_messages(h.thread())) >= 3
        async with database.unit_of_work() as repos:
            failed = await repos.roadmaps.get_version(1)
            assert failed is not None and failed.status == "failed" and "engine exploded" in (failed.error or "")
            latest = await repos.roadmaps.latest_version(1)
            assert latest is not None and latest.version == 2
        h.fake.assert_clean()


@SQLITE
async def test_shutdown_records_unfinished_work_and_the_next_start_resumes_it(database: Database) -> None:
    engine = GatedEngine()
    fake = FakeSlack(token="xoxb-test-token").start()
    try:
        async with running_bot(database, engine=engine, fake=fake) as h:
            await h.submit(profile())
            await asyncio.wait_for(engine.entered.wait(), 5)
            unfinished = await h.bot.services.tasks.drain(0.2)
            assert unfinished == ["review:1"]
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.get_version(1)
            assert version is not None and version.status == "failed" and version.error == INTERRUPTED
        async with running_bot(database, fake=fake) as h2:
            assert await h2.bot.services.reviews.resume_interrupted() == 1
            await h2.idle()
            assert len(stage_messages(h2.thread())) >= 3
            parents = [m for m in fake.messages(sr.CHANNEL_ID) if m.get("thread_ts", m["ts"]) == m["ts"]]
            assert len(parents) == 1  # one parent only
        fake.assert_clean()
    finally:
        fake.stop()
