"""The summary message shows what the engine read: the kind of system (with the team's phrases) and where each named
problem is answered; the levers left out, with their reasons, close the thread after the last stage; long readings
flow on, never cut."""

from __future__ import annotations

import json

from bot.roadmap.schema import ProblemAnswer, Rejection, WorkloadKind
from bot.slack.render import stage_messages, summary_message
from tests.builders import sample_roadmap
from tests.slack.test_slack_blocks import check_message


def _reading_roadmap(copies: int = 1):  # type: ignore[no-untyped-def]
    roadmap = sample_roadmap()
    first = next(roadmap.items()).id
    return roadmap.model_copy(
        update={
            "workload": [
                WorkloadKind(id="inventory", label="Inventory under a flash sale", evidence=["재고보다 더 많이 팔림"])
            ]
            * copies,
            "problems": [
                ProblemAnswer(
                    said="We sometimes sell more than we have in stock", severity="correctness", item_ids=[first]
                ),
                ProblemAnswer(
                    said="The CEO wants it faster", severity="latency", note="Measure p95 per endpoint first."
                ),
            ]
            * copies,
            "not_recommended": [
                Rejection(pattern_id="read-replicas", title="Read replicas", reason="Stock must never be read stale.")
            ]
            * copies,
        }
    )


def test_the_reading_is_in_the_summary() -> None:
    roadmap = _reading_roadmap()
    (message,) = summary_message(roadmap, version=1)
    text = json.dumps(check_message(message)["blocks"], ensure_ascii=False)
    first = next(roadmap.items()).id
    assert "What kind of system I read" in text and "Inventory under a flash sale" in text and "재고보다" in text
    assert f"We sometimes sell more than we have in stock” → {first}" in text
    assert "The CEO wants it faster” → Measure p95 per endpoint first." in text
    assert "Not recommended for this system" not in text  # the summary stays a short read
    closing = json.dumps([check_message(m)["blocks"] for m in _last_stage(roadmap)], ensure_ascii=False)
    assert (
        "Not recommended for this system" in closing and "*Read replicas*: Stock must never be read stale." in closing
    )


def _last_stage(roadmap):  # type: ignore[no-untyped-def]
    return stage_messages(roadmap, 3, {}, version_id=1)


def test_a_long_reading_flows_on_into_more_messages() -> None:
    roadmap = _reading_roadmap(copies=40)
    messages = summary_message(roadmap, version=2)
    assert len(messages) > 1
    for message in messages:
        check_message(message)
    text = json.dumps([m.to_args()["blocks"] for m in messages], ensure_ascii=False)
    assert text.count("We sometimes sell more than we have in stock") == 40
    closing = [check_message(m)["blocks"] for m in _last_stage(roadmap)]
    assert json.dumps(closing, ensure_ascii=False).count("Stock must never be read stale.") == 40


def test_a_roadmap_without_a_reading_shows_no_empty_headings() -> None:
    (message,) = summary_message(sample_roadmap(), version=1)
    text = json.dumps(message.to_args()["blocks"])
    assert "What kind of system" not in text and "Not recommended" not in text and "You said" not in text


def test_the_parent_says_what_to_do_this_week() -> None:
    from bot.services.roadmap_threads import first_things
    from bot.slack.render import parent_message
    from tests.builders import sample_profile

    roadmap = sample_roadmap()
    week = first_things(roadmap)
    assert [i for i, _ in week] == [i.id for i in roadmap.stages[0].items if not i.deferred][:3]
    message = parent_message(
        sample_profile(), owner_user_id="U1", state="ready", summary=roadmap.summary, version=1, this_week=week
    )
    text = json.dumps(check_message(message)["blocks"], ensure_ascii=False)
    assert "*This week:* " + " · ".join(f"{i} {title}" for i, title in week) in text
    korean = parent_message(
        sample_profile(language="ko"), owner_user_id="U1", state="ready", summary=roadmap.summary, this_week=week
    )
    assert "*이번 주에 할 일:* " in json.dumps(korean.to_args()["blocks"], ensure_ascii=False)
