""" "Edit answers" on a roadmap's parent: the questionnaire opens with the stored answers; submitting posts the next
version in the same thread, statuses carry over, and the summary says what changed. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from bot.roadmap import revision
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.slack import ids
from storage import Database
from tests.fakes import slack_requests as sr
from tests.slack_harness import running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _stage_messages(thread: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in thread[1:] if any(b.get("block_id", "").startswith("item:") for b in m.get("blocks") or [])]


async def test_edit_answers_posts_the_next_version_with_what_changed(database: Database) -> None:
    async with running_bot(database) as h:
        profile = load_profile(EXAMPLES / "saas-api.yaml")
        assert (await h.submit(profile))[0] == 200
        await h.idle()
        parent = h.thread()[0]
        first = _stage_messages(h.thread())[0]
        assert (await h.click(first, "item_status:done", i="1.1"))[0] == 200
        await h.idle()

        assert (await h.click(h.fake.message(sr.CHANNEL_ID, parent["ts"]), ids.ACTION_EDIT_ANSWERS))[0] == 200
        (opened,) = await h.fake.wait_for_calls_async("views.open", 1)
        view = opened.args["view"]
        assert json.loads(view["private_metadata"])["edit"] and "Editing the answers" in json.dumps(view)
        values = sr.state_from_view(view, channel=sr.CHANNEL_ID)
        values[ids.Q_TARGET_USERS][ids.QUESTION_ACTION]["value"] = str(profile.target_users * 3)
        body = sr.view_submission(
            callback_id=ids.QUESTIONNAIRE_CALLBACK, values=values, private_metadata=view["private_metadata"]
        )
        status, text = await h.send(body)
        assert status == 200 and text in ("", "{}"), text
        await h.idle()

        thread = h.thread()
        assert thread[0]["ts"] == parent["ts"]  # the same thread, no second parent
        words = json.dumps(thread[0]["blocks"])
        assert "Roadmap v2 is in the thread" in words
        summaries = [m for m in thread if "What changed in v2" in json.dumps(m.get("blocks"))]
        assert summaries, "the v2 summary says what changed"
        change = json.dumps(summaries[0]["blocks"])
        assert "The target moved from" in change and "Statuses carry over" in change
        blocks_11 = [b for m in _stage_messages(thread) for b in m["blocks"] if b.get("block_id") == "item:1.1"]
        versions = {json.loads(e["value"])["v"] for b in blocks_11 for e in b["elements"] if e.get("value")}
        assert len(versions) == 2, "item 1.1 is in both versions"
        newest = [
            b
            for b in blocks_11
            if any(json.loads(e.get("value") or "{}").get("v") == max(versions) for e in b["elements"])
        ]
        labels = [e["text"]["text"] for e in newest[0]["elements"] if e["type"] == "button"]
        assert "Reopen" in labels and "Start" not in labels  # the finished item stays done in the new version
        h.fake.assert_clean()


def test_the_diff_names_what_was_added_dropped_and_moved() -> None:
    profile = load_profile(EXAMPLES / "saas-api.yaml")
    before = generate_rules_roadmap(profile)
    after = generate_rules_roadmap(profile.model_copy(update={"target_users": profile.target_users * 5}))
    changes = revision.compare(before, after)
    text = revision.describe(changes)
    assert f"target {after.summary.target_users // 1000}k" in text or "target" in text
    assert "The target moved from" in text
    for item in changes.added:
        assert item.title in text or "more" in text
    assert revision.describe(revision.compare(before, before)) == "Nothing changed in the plan or its forecast."
    assert "목표가" in revision.describe(changes, "ko")


async def test_edit_answers_with_a_trigger_slack_refuses_is_said(database: Database) -> None:
    """An expired click on Edit answers asks the person to press again; the next press opens the questionnaire."""
    async with running_bot(database) as h:
        assert (await h.submit(load_profile(EXAMPLES / "saas-api.yaml")))[0] == 200
        await h.idle()
        parent = h.fake.message(sr.CHANNEL_ID, h.thread()[0]["ts"])
        h.fake.fail_next("views.open", "expired_trigger_id")
        assert (await h.click(parent, ids.ACTION_EDIT_ANSWERS))[0] == 200
        await h.idle()
        note = h.fake.calls("response_url")[-1].args
        assert note["response_type"] == "ephemeral" and "expired_trigger_id" in note["text"]
        assert (await h.click(parent, ids.ACTION_EDIT_ANSWERS))[0] == 200
        view = (await h.fake.wait_for_calls_async("views.open", 2))[-1].args["view"]
        assert "Editing the answers" in json.dumps(view)
