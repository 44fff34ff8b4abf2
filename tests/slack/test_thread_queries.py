"""Plain words in a roadmap's thread, in English and Korean: status commands with the verb first or last,
`status` / `상태`, `versions` / `버전`, `help` / `도움말`. Parsers on their own, then end to end over the fake Slack
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.roadmap.profile_io import load_profile
from bot.roadmap.schema import ItemStatus
from bot.services.items import parse_status_command
from bot.services.thread_queries import parse_query
from storage import Database
from tests.fakes import slack_requests as sr
from tests.slack_harness import Harness, running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2 완료", (ItemStatus.DONE, ["1.2"])),
        ("1.2 완료했어요", (ItemStatus.DONE, ["1.2"])),
        ("2.1, 2.2 시작", (ItemStatus.IN_PROGRESS, ["2.1", "2.2"])),
        ("<@U123> 3.4 해당없음.", (ItemStatus.NOT_APPLICABLE, ["3.4"])),
        ("1.3 안함", (ItemStatus.ACKNOWLEDGED, ["1.3"])),
        ("1.2 done", (ItemStatus.DONE, ["1.2"])),
        ("done 1.2", (ItemStatus.DONE, ["1.2"])),
        ("1.2 완료 그리고 다른 얘기", None),
        ("1.2 is done", None),
    ],
)
def test_status_commands_verb_first_or_last(text: str, expected: object) -> None:
    assert parse_status_command(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status", "status"),
        ("<@U123> 상태", "status"),
        ("Status?", "status"),
        ("버전", "versions"),
        ("versions", "versions"),
        ("도움말", "help"),
        ("help!", "help"),
        ("what is the status", None),
        ("status " * 30, None),
        ("", None),
    ],
)
def test_queries(text: str, expected: object) -> None:
    assert parse_query(text) == expected


async def _reply(h: Harness, parent_ts: str, text: str) -> list[dict]:  # type: ignore[type-arg]
    before = len(h.fake.messages(sr.CHANNEL_ID, parent_ts))
    ts = h.fake.add_message(sr.CHANNEL_ID, text, user=sr.USER_ID, thread_ts=parent_ts)
    assert (await h.send(sr.event_callback(sr.message_event(text, ts=ts, thread_ts=parent_ts))))[0] == 200
    await h.idle()
    return [m for m in h.fake.messages(sr.CHANNEL_ID, parent_ts)[before:] if m.get("ts") != ts]


async def test_thread_queries_in_both_languages(database: Database) -> None:
    async with running_bot(database) as h:
        assert (await h.submit(load_profile(EXAMPLES / "shop-ko.yaml")))[0] == 200
        await h.idle()
        parent_ts = h.thread()[0]["ts"]

        marked = await _reply(h, parent_ts, "1.1 완료")
        assert any("완료" in m.get("text", "") and "1.1" in m.get("text", "") for m in marked)

        (status,) = await _reply(h, parent_ts, "상태")
        words = json.dumps(status["blocks"], ensure_ascii=False)
        assert "지금 진행 상황 · " in words and "한 주 미루기" not in words and "1/" in words

        (versions,) = await _reply(h, parent_ts, "버전")
        assert "*v1*" in json.dumps(versions["blocks"], ensure_ascii=False)

        (helped,) = await _reply(h, parent_ts, "도움말")
        assert "`1.2 완료`" in helped["text"]
        h.fake.assert_clean()


async def test_queries_outside_a_roadmap_thread_are_ordinary_discussion(database: Database) -> None:
    async with running_bot(database) as h:
        assert await _reply(h, sr.new_ts(), "status") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("assign 1.3 <@U0KIM1>", (["1.3"], "U0KIM1")),
        ("assign 1.3, 1.4 to <@U0KIM1|kim>", (["1.3", "1.4"], "U0KIM1")),
        ("1.3 담당 <@U0KIM1>", (["1.3"], "U0KIM1")),
        ("<@UBOT1> 2.1 담당자: <@W0GRID1>", (["2.1"], "W0GRID1")),
        ("assign 1.3 kim", None),
        ("assign <@U0KIM1>", None),
        ("assign 1.3" + " ,1.3" * 700 + " <@U", None),
    ],
)
def test_assign_commands(text: str, expected: object) -> None:
    from bot.services.items import parse_assign

    assert parse_assign(text) == expected


async def test_an_assigned_owner_is_mentioned_in_the_check_in(database: Database) -> None:
    async with running_bot(database) as h:
        assert (await h.submit(load_profile(EXAMPLES / "saas-api.yaml")))[0] == 200
        await h.idle()
        parent_ts = h.thread()[0]["ts"]
        (reply,) = await _reply(h, parent_ts, "assign 1.1, 3.99 to <@U0000BOB>")
        assert "assigned 1.1 to <@U0000BOB>" in reply["text"] and "3.99: not an item" in reply["text"]
        (status,) = await _reply(h, parent_ts, "status")
        assert "<@U0000BOB>" in json.dumps(status["blocks"])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("skip 3.4 because we have no uploads", "we have no uploads"),
        ("n/a 2.2, 2.3 as nobody uploads", "nobody uploads"),
        ("skip 1.1 왜냐하면 업로드가 없어요", "업로드가 없어요"),
        ("skip 3.4", None),
        ("skip 3.4 because", None),
    ],
)
def test_a_reason_travels_with_a_status_command(text: str, reason: str | None) -> None:
    from bot.services.items import status_reason

    assert status_reason(text) == reason
    if reason is not None:
        assert parse_status_command(text) is not None


@pytest.mark.parametrize(
    ("text", "action"),
    [("pause nudges", "pause"), ("Resume the nudges.", "resume"), ("<@U1> stop reminders", "pause"), ("pause", None)],
)
def test_nudges_can_be_paused_verb_first(text: str, action: str | None) -> None:
    from bot.services.schedule import parse_nudge_command

    parsed = parse_nudge_command(text)
    assert (parsed.action if parsed else None) == action


async def test_the_reason_is_kept_with_the_change(database: Database) -> None:
    async with running_bot(database) as h:
        assert (await h.submit(load_profile(EXAMPLES / "saas-api.yaml")))[0] == 200
        await h.idle()
        parent_ts = h.thread()[0]["ts"]
        (reply,) = await _reply(h, parent_ts, "skip 1.1 because the team already did this last month")
        assert "Reason kept with the change: the team already did this last month" in reply["text"]
        async with h.bot.database.unit_of_work(readonly=True) as repos:
            roadmap = await repos.roadmaps.by_thread(sr.CHANNEL_ID, parent_ts)
            version = await repos.roadmaps.latest_version(roadmap.id)  # type: ignore[union-attr]
            item = await repos.items.get(version.id, "1.1")  # type: ignore[union-attr]
            (event,) = await repos.items.history(item.id)  # type: ignore[union-attr]
        assert event.note == "the team already did this last month" and event.to_status == ItemStatus.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("due 2.1 friday", (["2.1"], "2026-12-11")),
        ("due 2.1, 2.2 2026-12-20", (["2.1", "2.2"], "2026-12-20")),
        ("2.1 마감 금요일", (["2.1"], "2026-12-11")),
        ("due 2.1 monday", (["2.1"], "2026-12-07")),  # today is a Monday: today
        ("due 2.1 none", (["2.1"], None)),
        ("done 2.1", None),
    ],
)
def test_due_commands(text: str, expected: object) -> None:
    from datetime import date

    from bot.services.items import parse_due

    parsed = parse_due(text, date(2026, 12, 7))
    assert (None if parsed is None else (parsed[0], parsed[1].isoformat() if parsed[1] else None)) == expected


async def test_a_due_day_shows_in_the_check_in(database: Database) -> None:
    from datetime import UTC, datetime, timedelta

    async with running_bot(database) as h:
        assert (await h.submit(load_profile(EXAMPLES / "saas-api.yaml")))[0] == 200
        await h.idle()
        parent_ts = h.thread()[0]["ts"]
        day = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
        (reply,) = await _reply(h, parent_ts, f"due 1.1 {day}")
        assert "1.1: due " in reply["text"] and "weekly check-in" in reply["text"]
        (status,) = await _reply(h, parent_ts, "status")
        assert "due " in json.dumps(status["blocks"])
        (bad,) = await _reply(h, parent_ts, "due 1.1 someday")
        assert "I could not set the due date: 'someday' is not a weekday" in bad["text"]
        (cleared,) = await _reply(h, parent_ts, "due 1.1 none")
        assert "1.1: no due date any more." in cleared["text"]
