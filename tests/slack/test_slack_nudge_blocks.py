"""Weekly nudges in Block Kit: the check-in message, the completion message, the settings modal, and the nudge parts
of the parent message and the Home tab. Everything is rebuilt with slack_sdk.models, run through the repo's Block Kit
checker and held to the budgets Slack enforces in practice (the checks are test_slack_blocks.py's)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from bot.roadmap.schema import ItemStatus
from bot.services.ports import NudgeDigest, NudgeItem, RoadmapListing, StageProgress
from bot.services.schedule import ScheduleView, WeeklyTime
from bot.slack import ids
from bot.slack.modal.nudge_settings import nudge_settings_errors, nudge_settings_view, read_nudge_settings
from bot.slack.render import (
    FALLBACK_MAX,
    completion_message,
    escape_mrkdwn,
    home_view,
    item_id_from_block_id,
    nudge_message,
    parent_message,
    status_action_id,
)
from tests.builders import sample_profile
from tests.fakes import slack_requests as sr
from tests.slack.test_slack_blocks import _walk, check_message, check_view, section_texts

MONDAYS_10_SEOUL = WeeklyTime(0, time(10, 0), "Asia/Seoul")
MONDAY_10_KST = datetime(2025, 12, 8, 1, 0, tzinfo=UTC)  # Mon 8 Dec 10:00 in Seoul
VERSION_ID = 2_000_000_123  # a long id (ten digits) within the 32-bit keys the database has
ROADMAP_ID = 77
STAGE_NAMES = ("Immediate fixes", "Mid-term architecture", "Long-term scalability")


# --- builders ---------------------------------------------------------------------------------------------------


def _stages(*counts: tuple[int, int]) -> tuple[StageProgress, ...]:
    return tuple(
        StageProgress(number=n, name=STAGE_NAMES[n - 1], closed=closed, total=total)
        for n, (closed, total) in enumerate(counts, 1)
    )


def _item(
    item_id: str, *, status: ItemStatus = ItemStatus.TODO, owner: str | None = "U0OWNER1", title: str = ""
) -> NudgeItem:
    return NudgeItem(
        item_id=item_id,
        title=title or f"Fix the thing {item_id}",
        status=status,
        owner_user_id=owner,
        stage=int(item_id.split(".")[0]),
    )


def _digest(
    items: Sequence[NudgeItem] | None = None,
    *,
    stages: tuple[StageProgress, ...] | None = None,
    current: int | None = 1,
    catch_up: bool = False,
    system_name: str = "Checkout API",
    next_due: datetime | None = MONDAY_10_KST,
) -> NudgeDigest:
    if items is None:
        items = [
            _item("1.1", status=ItemStatus.IN_PROGRESS, owner="U0OWNER1"),
            _item("1.3", owner=None),
            _item("1.4", owner="W0GRID99"),
            _item("2.1"),
            _item("2.2", owner=None),
            _item("3.1"),
        ]
    return NudgeDigest(
        roadmap_id=ROADMAP_ID,
        version_id=VERSION_ID,
        system_name=system_name,
        current_stage=current,
        stages=stages if stages is not None else _stages((2, 5), (0, 2), (0, 1)),
        open_items=tuple(items),
        schedule=MONDAYS_10_SEOUL,
        next_due=next_due,
        catch_up=catch_up,
    )


def _texts(args: Mapping[str, Any]) -> str:
    return "\n".join(section_texts(args["blocks"], contexts=True))


def _actions(args: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [b for b in args["blocks"] if b["type"] == "actions"]


def _item_actions(args: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        item_id_from_block_id(b.get("block_id")) or "": b for b in _actions(args) if b["block_id"].startswith("item:")
    }


def _controls(args: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {e["action_id"]: e for b in _actions(args) if b["block_id"] == "nudge:controls" for e in b["elements"]}


def _assert_done_button(block: Mapping[str, Any], item: NudgeItem) -> None:
    assert block["block_id"] == f"{ids.ITEM_BLOCK_PREFIX}{item.item_id}"
    [button] = block["elements"]
    assert button["type"] == "button" and button["text"]["text"] == "Done"
    assert ids.ACTION_ITEM_STATUS_PATTERN.match(button["action_id"])
    assert button["action_id"] == status_action_id(ItemStatus.DONE) == "item_status:done"
    value = json.loads(button["value"])
    assert value == {"v": VERSION_ID, "i": item.item_id, "s": "done", "f": item.status.value}
    assert button["value"] == json.dumps(value, separators=(",", ":"))  # the stage messages' exact JSON


# --- the weekly check-in ----------------------------------------------------------------------------------------


def test_nudge_message_shows_progress_open_items_and_controls() -> None:
    digest = _digest()
    args = check_message(nudge_message(digest))
    blocks = args["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "Weekly check-in · Checkout API"
    assert args["text"] == "Weekly check-in for Checkout API: 3 open items in stage 1"
    text = _texts(args)

    assert "*Progress:* 2/8 items closed" in text
    assert ":point_right: ▰▰▰▰▱▱▱▱▱▱ 2/5 · Stage 1 · Immediate fixes · *current*" in text
    assert ":white_small_square: ▱▱▱▱▱▱▱▱▱▱ 0/2 · Stage 2 · Mid-term architecture" in text
    assert text.count("*current*") == 1
    assert "*Open in stage 1* · Immediate fixes (3)" in text

    assert "*1.1* Fix the thing 1.1\n:hourglass_flowing_sand: In progress · <@U0OWNER1>" in text
    assert "*1.3* Fix the thing 1.3\n:white_circle: To do · no owner yet" in text
    assert "<@W0GRID99>" in text
    assert "Fix the thing 2.1" not in text and "Fix the thing 3.1" not in text  # later stages are only counted
    assert "Still open in later stages: 3 items (stage 2: 2 · stage 3: 1)." in text
    assert "…and" not in text

    buttons = _item_actions(args)
    assert list(buttons) == ["1.1", "1.3", "1.4"]  # roadmap order
    for item in digest.open_items[:3]:
        _assert_done_button(buttons[item.item_id], item)
    assert buttons["1.1"]["elements"][0].get("style") == "primary"  # in progress: Done is the next step

    controls = _controls(args)
    assert list(controls) == [ids.ACTION_NUDGE_SNOOZE, ids.ACTION_NUDGE_PAUSE, ids.ACTION_NUDGE_SETTINGS]
    assert [c["text"]["text"] for c in controls.values()] == ["Snooze a week", "Pause nudges", "Nudge settings"]
    assert all(c["value"] == f'{{"r":{ROADMAP_ID}}}' for c in controls.values())

    last = blocks[-1]
    assert last["type"] == "context"
    assert last["elements"][0]["text"] == (
        ":calendar: Mondays at 10:00 (Asia/Seoul) · next check-in Mon 8 Dec 10:00 KST. To change it, reply "
        "`nudge friday 09:00`, `nudge pause` or `nudge resume` in this thread."
    )


def test_catch_up_line_only_when_catching_up() -> None:
    line = "stands in for the ones missed while I was offline"
    regular = check_message(nudge_message(_digest()))
    assert line not in _texts(regular)
    caught = check_message(nudge_message(_digest(catch_up=True)))
    assert caught["blocks"][1]["type"] == "context" and line in caught["blocks"][1]["elements"][0]["text"]
    assert _texts(caught).count(line) == 1


def test_forty_open_items_fit_and_the_rest_are_counted() -> None:
    hostile = "Shard the <orders> table & move “hot” rows :fire: " + "with a long explanation " * 5
    for title_length in (20, 150):
        items = [_item(f"1.{n}", title=hostile[:title_length] + str(n), owner=f"U{n:08d}") for n in range(1, 41)]
        items += [_item("2.1"), _item("3.1")]
        digest = _digest(items, stages=_stages((3, 43), (0, 1), (0, 1)))
        args = check_message(nudge_message(digest))
        assert len(args["blocks"]) <= 50
        shown = list(_item_actions(args))
        assert 5 < len(shown) < 40
        assert shown == [f"1.{n}" for n in range(1, len(shown) + 1)]  # in order, no gaps
        hidden = 40 - len(shown)
        text = _texts(args)
        assert f"…and {hidden} more open items in stage 1 — see the stage message above." in text
        for item in items[: len(shown)]:
            assert text.count(f"*{item.item_id}* {escape_mrkdwn(item.title)}\n") == 1
            _assert_done_button(_item_actions(args)[item.item_id], item)
        assert f"*1.{len(shown) + 1}* " not in text
        assert "<orders>" not in text and "Shard the &lt;orders&gt;" in text
        assert args["text"] == "Weekly check-in for Checkout API: 40 open items in stage 1"
        assert _controls(args) and args["blocks"][-1]["type"] == "context"  # the controls are never squeezed out


def test_every_count_of_open_items_is_shown_or_counted() -> None:
    """However many are open, shown + counted = open, and "1 more" reads as one."""
    seen_hidden: set[int] = set()
    for title_length, count in itertools.product((10, 150), range(1, 41)):  # short titles: the 50 blocks bind
        items = [_item(f"1.{n}", title="x" * title_length) for n in range(1, count + 1)]
        args = check_message(nudge_message(_digest(items, stages=_stages((0, count), (0, 0), (0, 0)))))
        shown = len(_item_actions(args))
        hidden = count - shown
        seen_hidden.add(hidden)
        text = _texts(args)
        if hidden == 0:
            assert "…and" not in text
        elif hidden == 1:
            assert "…and 1 more open item in stage 1 — see the stage message above." in text
        else:
            assert f"…and {hidden} more open items in stage 1 — see the stage message above." in text
    assert {0, 1}.issubset(seen_hidden) and max(seen_hidden) > 20


def test_odd_digests_stay_valid() -> None:
    items = [
        _item("1.1", owner="<!channel>"),  # not a user id: never rendered as a mention
        _item("1.1"),  # a repeated id would repeat a block_id
        _item("1.2", status=ItemStatus.DONE),  # closed items are not "open"
    ]
    args = check_message(
        nudge_message(_digest(items, system_name="<!here> & " + "long name " * 20, stages=(), next_due=None))
    )
    text = _texts(args)
    assert list(_item_actions(args)) == ["1.1"]
    assert "<!channel>" not in text and "<!here>" not in text and "<!here>" not in args["text"]
    assert "*Progress:*" not in text and "next check-in" not in text
    assert len(args["text"]) <= FALLBACK_MAX

    with pytest.raises(ValueError):
        nudge_message(NudgeDigest(**{**_digest().__dict__, "version_id": -1}))


def test_later_stage_count_falls_back_to_the_listed_items() -> None:
    args = check_message(nudge_message(_digest(stages=())))
    assert "Still open in later stages: 3 items (stage 2: 2 · stage 3: 1)." in _texts(args)


def test_nothing_open_in_the_digest() -> None:
    args = check_message(nudge_message(_digest([], current=None, stages=_stages((5, 5), (2, 2), (1, 1)))))
    text = _texts(args)
    assert "Every item is closed" in text and "Open in stage" not in text and "later stages" not in text
    assert _item_actions(args) == {} and _controls(args)
    assert args["text"] == "Weekly check-in for Checkout API: every item is closed"


# --- completion -------------------------------------------------------------------------------------------------


def test_completion_message() -> None:
    args = check_message(completion_message("Checkout & <API>", _stages((5, 5), (2, 2), (1, 1))))
    text = _texts(args)
    assert args["blocks"][0]["type"] == "header" and "Checkout & <API>" in args["blocks"][0]["text"]["text"]
    assert "*Checkout &amp; &lt;API&gt;* is closed: done, accepted as a risk, or not applicable" in text
    assert "*Progress:* 8/8 items closed" in text
    assert text.count(":white_check_mark: ▰▰▰▰▰▰▰▰▰▰") == 3
    assert "Weekly nudges stop now" in text and "`nudge resume`" in text
    assert _actions(args) == []
    assert "weekly nudges stop now" in args["text"] and "<API>" not in args["text"]
    check_message(completion_message("x" * 200, ()))


# --- settings modal ---------------------------------------------------------------------------------------------


def _settings_view(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "roadmap_id": ROADMAP_ID,
        "weekday": 0,
        "local_time": "10:00",
        "timezone": "Asia/Seoul",
        "paused": False,
    }
    arguments.update(overrides)
    data = check_view(nudge_settings_view(**arguments))
    for block in data["blocks"]:
        if block["type"] == "input":
            assert block["element"]["action_id"] == ids.QUESTION_ACTION
    return data


def test_settings_modal_shape() -> None:
    data = _settings_view()
    assert data["type"] == "modal" and data["callback_id"] == ids.NUDGE_SETTINGS_CALLBACK
    assert (data["title"]["text"], data["submit"]["text"], data["close"]["text"]) == ("Weekly nudges", "Save", "Cancel")
    assert data["private_metadata"] == f'{{"r":{ROADMAP_ID}}}'
    inputs = {b["block_id"]: b for b in data["blocks"] if b["type"] == "input"}
    assert list(inputs) == [ids.N_WEEKDAY, ids.N_TIME, ids.N_TIMEZONE, ids.N_PAUSED]
    assert {k: b["element"]["type"] for k, b in inputs.items()} == {
        ids.N_WEEKDAY: "static_select",
        ids.N_TIME: "timepicker",
        ids.N_TIMEZONE: "plain_text_input",
        ids.N_PAUSED: "checkboxes",
    }
    days = inputs[ids.N_WEEKDAY]["element"]["options"]
    assert [(o["text"]["text"], o["value"]) for o in days][:2] == [("Monday", "0"), ("Tuesday", "1")]
    assert [o["value"] for o in days] == [str(n) for n in range(7)] and days[6]["text"]["text"] == "Sunday"
    assert inputs[ids.N_TIMEZONE]["hint"]["text"] == "An IANA name such as Asia/Seoul or Europe/Berlin"
    assert inputs[ids.N_PAUSED]["element"]["options"][0]["text"]["text"] == "Pause weekly nudges"
    assert inputs[ids.N_PAUSED].get("optional") is True  # an unchecked box must not read as "required"
    assert "initial_options" not in inputs[ids.N_PAUSED]["element"]


@pytest.mark.parametrize(
    ("weekday", "local_time", "timezone", "paused"),
    [(0, "10:00", "Asia/Seoul", False), (4, "09:30", "Europe/Berlin", True), (6, "23:59", "UTC", False)],
)
def test_settings_modal_round_trip(weekday: int, local_time: str, timezone: str, paused: bool) -> None:
    data = _settings_view(weekday=weekday, local_time=local_time, timezone=timezone, paused=paused)
    assert read_nudge_settings(sr.state_from_view(data)) == {
        "weekday": weekday,
        "local_time": local_time,
        "timezone": timezone,
        "paused": paused,
    }


def test_settings_modal_with_values_slack_would_reject() -> None:
    data = _settings_view(weekday=9, local_time="25:00", timezone="  ", paused=True)
    inputs = {b["block_id"]: b["element"] for b in data["blocks"] if b["type"] == "input"}
    assert "initial_option" not in inputs[ids.N_WEEKDAY]
    assert "initial_time" not in inputs[ids.N_TIME] and "initial_value" not in inputs[ids.N_TIMEZONE]
    assert read_nudge_settings(sr.state_from_view(data)) == {
        "weekday": None,
        "local_time": None,
        "timezone": None,
        "paused": True,
    }
    short = _settings_view(local_time="9:05")
    assert next(b for b in short["blocks"] if b.get("block_id") == ids.N_TIME)["element"]["initial_time"] == "09:05"


def test_read_nudge_settings_edited_and_missing() -> None:
    values = sr.state_from_view(_settings_view(paused=True))
    values[ids.N_WEEKDAY][ids.QUESTION_ACTION]["selected_option"] = {
        "text": {"type": "plain_text", "text": "Friday"},
        "value": "4",
    }
    values[ids.N_TIME][ids.QUESTION_ACTION]["selected_time"] = "08:15"
    values[ids.N_TIMEZONE][ids.QUESTION_ACTION]["value"] = "  Europe/Berlin "
    values[ids.N_PAUSED][ids.QUESTION_ACTION]["selected_options"] = []
    assert read_nudge_settings(values) == {
        "weekday": 4,
        "local_time": "08:15",
        "timezone": "Europe/Berlin",
        "paused": False,
    }
    assert read_nudge_settings({}) == {"weekday": None, "local_time": None, "timezone": None, "paused": False}
    values[ids.N_WEEKDAY][ids.QUESTION_ACTION]["selected_option"] = None
    values[ids.N_TIME][ids.QUESTION_ACTION]["selected_time"] = None
    values[ids.N_TIMEZONE][ids.QUESTION_ACTION]["value"] = None
    assert read_nudge_settings(values) == {"weekday": None, "local_time": None, "timezone": None, "paused": False}


def test_nudge_settings_errors() -> None:
    assert nudge_settings_errors(
        {"weekday": "Choose a day", "local_time": "Choose a time", "timezone": "Unknown time zone 'Mars/Base'"}
    ) == {
        ids.N_WEEKDAY: "Choose a day",
        ids.N_TIME: "Choose a time",
        ids.N_TIMEZONE: "Unknown time zone 'Mars/Base'",
    }
    assert nudge_settings_errors({}) == {}
    other = nudge_settings_errors({"timezone": "Unknown.", "roadmap": "gone"})
    assert other == {ids.N_TIMEZONE: "Unknown; roadmap: gone"}  # nothing dropped
    assert len(nudge_settings_errors({"timezone": "x" * 5000})[ids.N_TIMEZONE]) <= 2000


# --- parent message ---------------------------------------------------------------------------------------------


def _parent(**kwargs: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"owner_user_id": "U123", "state": "ready", "version": 1, "item_count": 6}
    arguments.update(kwargs)
    return check_message(parent_message(sample_profile(), **arguments))


def test_parent_message_with_and_without_nudges() -> None:
    plain = _parent()
    assert _actions(plain) == [] and ":bell:" not in _texts(plain)
    assert _parent(roadmap_id=ROADMAP_ID)["blocks"] == plain["blocks"]  # no nudge text: nothing about nudges

    scheduled = ScheduleView(MONDAYS_10_SEOUL, paused=False, next_due=MONDAY_10_KST)
    nudged = _parent(nudges=scheduled, roadmap_id=ROADMAP_ID)
    assert nudged["blocks"][: len(plain["blocks"])] == plain["blocks"]
    line, actions = nudged["blocks"][len(plain["blocks"]) :]
    assert line["type"] == "context"
    assert (
        line["elements"][0]["text"] == ":bell: Weekly nudges: Mondays at 10:00 (Asia/Seoul); next Mon 8 Dec 10:00 KST"
    )
    # Nudge settings, Export (the roadmap's files into the thread), Edit answers (the next version)
    [button, export, edit] = actions["elements"]
    assert edit["action_id"] == ids.ACTION_EDIT_ANSWERS and json.loads(edit["value"]) == {"r": ROADMAP_ID}
    assert button["action_id"] == ids.ACTION_NUDGE_SETTINGS and button["text"]["text"] == "Nudge settings"
    assert json.loads(button["value"]) == {"r": ROADMAP_ID} and button["value"] == f'{{"r":{ROADMAP_ID}}}'
    assert export["action_id"] == ids.ACTION_EXPORT and export["text"]["text"] == "Export"
    assert json.loads(export["value"]) == {"r": ROADMAP_ID}

    paused = ScheduleView(MONDAYS_10_SEOUL, paused=True, next_due=None)
    no_id = _parent(nudges=paused)
    assert _actions(no_id) == [] and ":bell: Weekly nudges paused" in _texts(no_id)

    for state in ("generating", "failed"):
        waiting = _parent(state=state, nudges=paused, roadmap_id=ROADMAP_ID)
        assert ":bell:" not in _texts(waiting) and _actions(waiting) == []


# --- home -------------------------------------------------------------------------------------------------------


def _listing(n: int, *, kind: str) -> RoadmapListing:
    start = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    finished = kind == "finished"
    return RoadmapListing(
        roadmap_id=100 + n,
        system_name=f"System {n} & <co>",
        version=1,
        closed_items=8 if finished else 3,
        total_items=8,
        permalink=f"https://acme.slack.com/archives/C0123/p17000000{n:05d}",
        channel_id="C0123",
        created_at=start + timedelta(days=n),
        stages=_stages((5, 5), (2, 2), (1, 1)) if finished else _stages((3, 5), (0, 2), (0, 1)),
        nudges=(
            ScheduleView(
                MONDAYS_10_SEOUL, paused=kind == "paused", next_due=MONDAY_10_KST if kind == "scheduled" else None
            )
            if kind != "finished"
            else None
        ),
    )


def _home_buttons(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [e for b in data["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_home_view_paused_scheduled_finished() -> None:
    entries = [_listing(0, kind="finished"), _listing(1, kind="paused"), _listing(2, kind="scheduled")]
    data = check_view(home_view(entries, user_id="U42"))
    entry_sections = [b for b in data["blocks"] if b["type"] == "section" and "System" in b["text"]["text"]]
    assert [s["text"]["text"].split("|")[1].split(">")[0] for s in entry_sections] == [
        "System 2 &amp; &lt;co&gt;",
        "System 1 &amp; &lt;co&gt;",
        "System 0 &amp; &lt;co&gt;",
    ]  # newest first
    scheduled, paused, finished = (s["text"]["text"] for s in entry_sections)
    assert "3/8 closed" in scheduled and ":point_right: ▰▰▰▱▱ 3/5 · Stage 1 · Immediate fixes · *current*" in scheduled
    assert "▱▱▱▱▱ 0/2 · Stage 2 · Mid-term architecture" in scheduled
    assert ":bell: Next nudge: Mon 8 Dec 10:00 KST" in scheduled
    assert "Weekly nudges paused" in paused and "Next nudge" not in paused
    assert "8/8 closed" in finished and "no more nudges" in finished and "*current*" not in finished
    assert finished.count(":white_check_mark: ▰▰▰▰▰") == 3

    buttons = _home_buttons(data)
    by_roadmap = [(b["action_id"], b.get("value")) for b in buttons]
    assert by_roadmap == [
        (ids.ACTION_OPEN_THREAD, None),
        (ids.ACTION_NUDGE_PAUSE, '{"r":102}'),
        (ids.ACTION_OPEN_THREAD, None),
        (ids.ACTION_NUDGE_RESUME, '{"r":101}'),
        (ids.ACTION_OPEN_THREAD, None),  # finished: nothing to pause or resume
    ]
    assert [b["text"]["text"] for b in buttons if b["action_id"] != ids.ACTION_OPEN_THREAD] == [
        "Pause nudges",
        "Resume nudges",
    ]
    assert all(
        b["url"].startswith("https://acme.slack.com/") for b in buttons if b["action_id"] == ids.ACTION_OPEN_THREAD
    )


def test_home_view_with_many_roadmaps() -> None:
    kinds = ("scheduled", "paused", "finished")
    entries = [_listing(n, kind=kinds[n % 3]) for n in range(45)]
    data = check_view(home_view(entries, user_id="U42"))
    assert len(data["blocks"]) <= 100
    text = "\n".join(section_texts(data["blocks"], contexts=True))
    assert "System 44 " in text and "System 25 " in text and "System 24 " not in text
    assert "Showing the newest 20 of 45 · …and 25 more" in text
    assert len([b for b in _home_buttons(data) if b["action_id"] == ids.ACTION_OPEN_THREAD]) == 20
    assert all(len(n["text"]) <= 3000 for n in _walk(data["blocks"]) if n.get("type") == "mrkdwn")


def test_home_view_without_nudge_data_is_unchanged_in_shape() -> None:
    entry = RoadmapListing(
        roadmap_id=1,
        system_name="Plain",
        version=None,
        closed_items=0,
        total_items=0,
        permalink=None,
        channel_id=None,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    data = check_view(home_view([entry], user_id="U42"))
    assert _home_buttons(data) == []
    text = "\n".join(section_texts(data["blocks"], contexts=True))
    assert "Stage 1" not in text and "nudge" not in text.lower()
