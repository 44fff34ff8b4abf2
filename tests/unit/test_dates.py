"""Calendar deadlines in thread messages ("by June", "3월 3일 출시") are read against the message's own day, in
English and Korean, with the year rolling over; the amended profile says them in weeks its reader reads back."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from bot.roadmap import amendment, amendment_words, dates
from bot.roadmap.profile_io import load_profile
from bot.roadmap.traffic import read_traffic

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAAS = load_profile(EXAMPLES / "saas-api.yaml")
SHOP_KO = load_profile(EXAMPLES / "shop-ko.yaml").model_copy(update={"language": "ko"})
DEC_7 = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("target is 500k by June", DEC_7, date(2027, 6, 1)),
        ("the launch is on March 3", DEC_7, date(2027, 3, 3)),
        ("6월까지 50만", DEC_7, date(2027, 6, 1)),
        ("3월 3일 출시", DEC_7, date(2027, 3, 3)),
        ("by January", DEC_7, date(2027, 1, 1)),  # December's "by January" is next January
        ("by January", date(2026, 11, 2), date(2027, 1, 1)),
        ("by June", date(2026, 3, 10), date(2026, 6, 1)),  # this year's while it is ahead
        ("the launch is on March 3", date(2026, 3, 3), date(2027, 3, 3)),  # today's date is a year away
        ("by December", DEC_7, date(2026, 12, 31)),  # the month it is: its end
        ("we need it ready by the end of June", DEC_7, date(2027, 6, 30)),
        ("we go live mid-April", DEC_7, date(2027, 4, 15)),
        ("the deadline is June 30th, 2027", DEC_7, date(2027, 6, 30)),
        ("launch on 5 May", DEC_7, date(2027, 5, 5)),
        ("6월 말까지 끝내야 해요", DEC_7, date(2027, 6, 30)),
        ("2027년 3월 3일 출시", DEC_7, date(2027, 3, 3)),
        ("내년 12월 오픈", DEC_7, date(2027, 12, 1)),
        ("by March 2026", DEC_7, date(2026, 3, 1)),  # in the past: returned as written, refused by the caller
    ],
)
def test_a_calendar_deadline_is_read_against_the_message_day(text: str, today: date, day: date) -> None:
    stated = dates.deadline_on(text, today)
    assert stated is not None and stated.day == day, stated
    assert stated.phrase in text


@pytest.mark.parametrize(
    "text",
    [
        "we may need Redis",  # the verb, not the month
        "in March we moved the sessions to Redis",  # a past month with no deadline in view
        "3월에 Redis 도입했어요",
        "3월에 출시했어요",  # the past tense: what happened, not a deadline (출시 is a deadline word)
        "작년 3월에 오픈했는데 느려요",
        "예산이 월 200만 원으로 줄었어요",  # 월: monthly, not a month
        "3개월 안에 끝내야 해요",  # a duration: traffic.deadline_in reads it
        "DB CPU is 40% at peak now",
        "by June 31",  # no such day
    ],
)
def test_words_that_are_not_a_deadline_date(text: str) -> None:
    assert dates.deadline_on(text, DEC_7) is None


def test_weeks_and_reach() -> None:
    june = dates.StatedDate(date(2027, 6, 1), "by June")
    assert june.weeks_from(DEC_7) == 25 and june.in_reach(DEC_7)
    assert dates.StatedDate(date(2026, 12, 9), "on Dec 9").weeks_from(DEC_7) == 1  # days away: a week to plan
    assert not dates.StatedDate(date(2029, 1, 1), "by 2029").in_reach(DEC_7)  # more than 99 weeks
    assert not dates.StatedDate(date(2026, 3, 1), "by March 2026").in_reach(DEC_7)
    assert dates.label(date(2027, 6, 1), "en") == "June 1, 2027"
    assert dates.label(date(2027, 6, 1), "ko") == "2027년 6월 1일"


@pytest.mark.parametrize(
    ("profile", "text", "kinds", "weeks", "said"),
    [
        (SAAS, "target is 500k by June", ["target", "deadline"], 25, "deadline: none -> June 1, 2027 (in 25 weeks)"),
        (SAAS, "the launch is on March 3", ["deadline"], 12, "deadline: none -> March 3, 2027 (in 12 weeks)"),
        (SHOP_KO, "6월까지 50만", ["target", "deadline"], 25, "마감 12.9주 -> 2027년 6월 1일 (25주 안에)"),
        (SHOP_KO, "3월 3일 출시", ["deadline"], 12, "마감 12.9주 -> 2027년 3월 3일 (12주 안에)"),
    ],
)
def test_the_profile_takes_the_date_as_weeks_its_reader_reads_back(
    profile: object, text: str, kinds: list[str], weeks: int, said: str
) -> None:
    assert isinstance(profile, type(SAAS))
    read = amendment.amend(profile, amendment.read_claims(text, DEC_7))
    assert [c.kind for c in read.changes] == kinds and not read.refused
    assert read_traffic(read.profile).deadline_weeks == weeks
    assert amendment_words.describe(read.changes[-1], profile.language or "en") == said
    if "target" in kinds:
        assert read.profile.target_users == 500_000
    again = amendment.amend(read.profile, amendment.read_claims(text, DEC_7))
    assert not again.changes  # the same date again changes nothing


def test_without_the_message_day_no_date_is_read() -> None:
    assert not amendment.read_claims("the launch is on March 3").any


def test_a_date_gone_by_is_refused_with_the_reason() -> None:
    read = amendment.read_change("the launch was moved; it is on March 3, 2026 now", SAAS)
    assert read is None  # no day given: not read
    read = amendment.amend(SAAS, amendment.read_claims("launch by March 2026", DEC_7))
    assert not read.changes and read.profile == SAAS
    assert (
        amendment_words.refusal(read.refused[0], "en")
        == "March 1, 2026 has already passed, so I left the deadline as it is."
    )
    assert "2026년 3월 1일" in amendment_words.refusal(read.refused[0], "ko")


def test_a_slack_long_message_is_read_in_bounded_time() -> None:
    for text in ("by " * 13_000 + "June", "3월 " * 13_000 + "출시", "launch on March " + "3 " * 20_000):
        start = time.process_time()
        dates.deadline_on(text, DEC_7)
        amendment.read_claims(text, DEC_7)
        assert time.process_time() - start < 0.2
