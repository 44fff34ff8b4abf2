"""Weekly times across time zones and daylight-saving changes, ISO weeks, and thread commands."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.services.schedule import (
    NudgeCommand,
    ScheduleError,
    WeeklyTime,
    local_label,
    parse_nudge_command,
    parse_time,
    week_key,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_monday_ten_in_seoul() -> None:
    when = WeeklyTime(0, time(10, 0), "Asia/Seoul")  # UTC+9, no DST
    # Thursday 26 Nov 2026 12:00 UTC -> Monday 30 Nov 10:00 KST = 01:00 UTC
    assert when.next_after(utc(2026, 11, 26, 12)) == utc(2026, 11, 30, 1)
    # exactly at the time: strictly after, so next week
    assert when.next_after(utc(2026, 11, 30, 1)) == utc(2026, 12, 7, 1)
    assert when.next_after(utc(2026, 11, 30, 0, 59)) == utc(2026, 11, 30, 1)
    assert when.describe() == "Mondays at 10:00 (Asia/Seoul)"
    assert local_label(utc(2026, 11, 30, 1), "Asia/Seoul") == "Mon 30 Nov 10:00 KST"


def test_stays_ten_local_across_spring_forward_and_fall_back() -> None:
    berlin = WeeklyTime(0, time(10, 0), "Europe/Berlin")
    # Europe switches to summer time on Sunday 29 March 2026 and back on Sunday 25 October 2026.
    assert berlin.next_after(utc(2026, 3, 23, 9, 30)) == utc(2026, 3, 30, 8)  # CEST, UTC+2
    assert berlin.next_after(utc(2026, 3, 22, 12)) == utc(2026, 3, 23, 9)  # CET, UTC+1
    assert berlin.next_after(utc(2026, 10, 19, 9)) == utc(2026, 10, 26, 9)  # back to CET
    new_york = WeeklyTime(6, time(9, 0), "America/New_York")  # Sundays; DST starts Sunday 8 March 2026
    assert new_york.next_after(utc(2026, 3, 1, 15)) == utc(2026, 3, 8, 13)  # 09:00 EDT
    assert new_york.next_after(utc(2026, 2, 28)) == utc(2026, 3, 1, 14)  # 09:00 EST


def test_times_in_a_skipped_or_repeated_hour() -> None:
    gap = WeeklyTime(6, time(2, 30), "Europe/Berlin")  # 02:30 does not exist on 29 March 2026
    assert gap.next_after(utc(2026, 3, 28)) == utc(2026, 3, 29, 1, 30)  # read with the winter offset
    twice = WeeklyTime(6, time(2, 30), "Europe/Berlin")  # 02:30 happens twice on 25 October 2026
    assert twice.next_after(utc(2026, 10, 24)) == utc(2026, 10, 25, 0, 30)  # the first of the two


def test_iso_week_in_the_schedule_zone() -> None:
    # Sunday 29 Nov 2026 23:30 UTC is already Monday 30 Nov in Seoul: a new ISO week there
    assert week_key(utc(2026, 11, 29, 23, 30), "Asia/Seoul") == "2026-W49"
    assert week_key(utc(2026, 11, 29, 23, 30), "UTC") == "2026-W48"
    assert week_key(utc(2027, 1, 1), "UTC") == "2026-W53"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nudge pause", NudgeCommand("pause")),
        ("nudges off", NudgeCommand("pause")),
        ("<@U0BOT> nudge resume", NudgeCommand("resume")),
        ("nudge friday 09:00", NudgeCommand("change", weekday=4, at=time(9))),
        ("nudge Fri 9:30pm", NudgeCommand("change", weekday=4, at=time(21, 30))),
        ("nudge 8", NudgeCommand("change", at=time(8))),
        ("nudge wednesdays", NudgeCommand("change", weekday=2)),
        ("nudge tz Europe/Berlin", NudgeCommand("change", timezone="Europe/Berlin")),
        ("알림 금요일 10:00", NudgeCommand("change", weekday=4, at=time(10))),
        ("알림 중지", NudgeCommand("pause")),
        ("done 1.2", None),
        ("we should nudge the vendor", None),
    ],
)
def test_thread_commands(text: str, expected: NudgeCommand | None) -> None:
    assert parse_nudge_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nudge tz Mars/Olympus", "not a time zone"),
        ("nudge someday", "not a weekday"),
        ("nudge friday 25:00", "not a time"),
        ("nudge", "nudge pause"),
    ],
)
def test_unusable_commands_say_why(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_nudge_command(text)


def test_parse_time_forms() -> None:
    assert parse_time("9") == time(9) and parse_time("09:05") == time(9, 5) and parse_time("12am") == time(0)
    with pytest.raises(ScheduleError):
        parse_time("13pm")
