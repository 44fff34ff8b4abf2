"""Every parser of text a person types in Slack runs in time linear in the text, so no message can stall the bot.

Each adversarial input below is the kind of text that made the previous patterns backtrack catastrophically
("done" and twelve "   1.2" took 13 s to be rejected; "nudge x", a few thousand spaces and "x" took minutes). The
bound is generous (0.2 s of CPU for up to 40,000 characters, where these parsers need well under a millisecond), so
a slow machine does not fail it, while exponential, cubic or quadratic backtracking exceeds it by orders of
magnitude. CPU time, not wall time, is measured, so other work on the machine does not count against a parser.
Each case also checks the answer, so a parser cannot pass by giving up. The caps on input length are lifted
where the point is the grammar's own running time, and tested on their own.
"""

from __future__ import annotations

import contextlib
import gc
import re
import time
from collections.abc import Callable, Iterator
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.roadmap import discussion, schema
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.rules.selection import quote_answer
from bot.roadmap.schema import ItemStatus, Roadmap, parse_count
from bot.services import items, schedule
from bot.services.items import parse_status_command
from bot.services.schedule import (
    MAX_COMMAND_CHARS,
    NudgeCommand,
    ScheduleError,
    parse_nudge_command,
    parse_time,
    parse_weekday,
)
from bot.slack.modal.errors import friendly_error
from bot.slack.modal.nudge_settings import _hh_mm
from storage.repositories.nudges import _LOCAL_TIME

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BOUND = 0.2  # seconds of CPU for one parse of up to 40,000 characters
SLACK_MAX = 40_000  # the longest text a Slack message can carry
DONE, STARTED, SKIPPED = ItemStatus.DONE, ItemStatus.IN_PROGRESS, ItemStatus.NOT_APPLICABLE


def timed(parse: Callable[[str], Any], text: str) -> tuple[Any, float]:
    """What `parse` returns (or the ValueError it raises, ScheduleError included) and the CPU seconds it took, with
    the collector paused (a full collection of the session's heap is not the parser's cost)."""
    gc.collect()
    gc.disable()
    start = time.process_time()
    try:
        result = parse(text)
    except ValueError as exc:
        result = exc
    finally:
        gc.enable()
    return result, time.process_time() - start


def is_error(result: object, kind: type[Exception], words: str) -> bool:
    return isinstance(result, kind) and words in str(result)


@pytest.fixture
def uncapped(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lift every length cap, so the grammars themselves meet texts as long as Slack allows."""
    for module, name in (
        (items, "MAX_COMMAND_CHARS"),
        (schedule, "MAX_COMMAND_CHARS"),
        (schedule, "MAX_TIME_CHARS"),
        (schema, "MAX_COUNT_CHARS"),
        (discussion, "MAX_QUESTION_CHARS"),
    ):
        monkeypatch.setattr(module, name, 10 * SLACK_MAX)
    yield


# --- status commands: "done 1.2" --------------------------------------------------------------------------------------

_MANY_IDS = [f"{stage}.{n}" for stage in (1, 2, 3) for n in range(1, 170)]
STATUS_CASES: list[tuple[str, str, tuple[ItemStatus, list[str]] | None]] = [
    ("the 77-character regression", "done" + "   1.2" * 12 + "x", None),
    ("spaces between ids, then a stray word", "done" + "   1.2" * 12 + "   x", None),
    ("commas and spaces, no id after them", "done" + " ," * 1900 + " 1.2x", None),
    ("many ids, then a letter", "done" + " 1.2" * 990 + "x", None),
    ("ids without separators, then a letter", "done " + "1.21.3" * 600 + "x", None),
    ("a run of '1.'", "1." * 1999, None),
    ("'1.' after the verb", "done " + "1." * 1990, None),
    ("a long run of digits", "done 1." + "1" * 3990, None),
    ("trailing spaces, then a letter", "done 1.2" + " " * 3980 + "x", None),
    ("unfinished mentions", "<@U" * 1300 + "done 1.2", None),
    ("a Korean sentence after the ids", "완료" + " 2.1" * 990 + "요", None),
    ("the same id many times", "done " + "1.2, " * 790 + "1.2", (DONE, ["1.2"])),
    ("trailing spaces and a full stop", "done 1.2" + " " * 3980 + "!", (DONE, ["1.2"])),
    ("a mention, then a long gap", "<@U0BOT>" + " " * 3980 + "완료 2.1", (DONE, ["2.1"])),
    (
        "a colon and a comma before the ids",
        "start:" + " " * 1000 + "," + " " * 1000 + "1.3 1.4",
        (STARTED, ["1.3", "1.4"]),
    ),
    ("many distinct ids", "skip " + " ,".join(_MANY_IDS) + " ,  " + " , ".join(_MANY_IDS[:90]), (SKIPPED, _MANY_IDS)),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in STATUS_CASES], ids=[c[0] for c in STATUS_CASES])
def test_status_commands_are_parsed_in_linear_time(text: str, expected: object) -> None:
    assert len(text) <= MAX_COMMAND_CHARS  # under the cap: the grammar itself does the work
    result, seconds = timed(parse_status_command, text)
    assert result == expected
    assert seconds < BOUND


@pytest.mark.usefixtures("uncapped")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("done" + "   1.2" * 6600 + "x", None),
        ("done " + "1.21.3 " * 5700, (DONE, ["1.21"])),  # the grammar splits "1.21.3"; the ids are read greedily
        ("done 1.2" + " " * SLACK_MAX + "x", None),
        ("done" + " 1.2" * 9990 + " .", (DONE, ["1.2"])),
        ("<@U" * 13_300 + "done 1.2", None),
    ],
    ids=["spaces between ids", "ids without separators", "spaces before a letter", "many ids", "mentions"],
)
def test_the_status_grammar_is_linear_at_slacks_longest_message(text: str, expected: object) -> None:
    result, seconds = timed(parse_status_command, text)
    assert result == expected
    assert seconds < BOUND


def test_a_status_command_longer_than_the_cap_is_discussion() -> None:
    text = "done 1.2" + " " * MAX_COMMAND_CHARS
    assert parse_status_command(text[:MAX_COMMAND_CHARS]) == (DONE, ["1.2"])
    assert parse_status_command(text) is None


def test_a_verb_that_only_unicode_case_folding_matches_is_still_read() -> None:
    # "ſ" (long s) matches "s" case-insensitively; the previous lookup raised KeyError for it
    assert parse_status_command("ſkip 1.2") == (SKIPPED, ["1.2"])
    assert parse_status_command("DONE: 1.2, 1.3.") == (DONE, ["1.2", "1.3"])


# --- nudge commands: "nudge friday 09:00" -----------------------------------------------------------------------------

NUDGE_CASES: list[tuple[str, str, object]] = [
    ("the regression: spaces between two words", "nudge x" + " " * 3980 + "x", "not a weekday and a time"),
    ("spaces after the command word", "nudge" + " " * 3980 + "x", "not a weekday"),
    ("spaces after a time", "nudge 9" + " " * 3980 + "x", "not a weekday"),
    ("spaces and a closing full stop", "nudge friday 09:00" + " " * 3970 + ".", NudgeCommand("change", 4, clock(9))),
    ("a time zone after a gap", "nudge tz" + " " * 3980 + "Asia/Seoul", NudgeCommand("change", timezone="Asia/Seoul")),
    ("many times", "nudge " + "1 " * 1990 + "x", "not a weekday and a time"),
    ("many times with am", "nudge " + "9 am " * 790, "not a weekday and a time"),
    ("a long number", "nudge " + "9" * 3990, "not a weekday"),
    ("colons", "nudge " + ":" * 3990 + "x", "not a weekday"),
    ("full stops and exclamation marks", "nudge pause" + ".!" * 1990, "not a weekday"),
    ("Korean weekdays", "알림" + " 금요일" * 990, "not a weekday and a time"),
    ("unfinished mentions", "<@U" * 1300 + "nudge pause", None),
    ("a mention and a long gap", "<@U0BOT>" + " " * 3980 + "nudge resume", NudgeCommand("resume")),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in NUDGE_CASES], ids=[c[0] for c in NUDGE_CASES])
def test_nudge_commands_are_parsed_in_linear_time(text: str, expected: object) -> None:
    assert len(text) <= MAX_COMMAND_CHARS
    result, seconds = timed(parse_nudge_command, text)
    if isinstance(expected, str):
        assert is_error(result, ScheduleError, expected), result
    else:
        assert result == expected
    assert seconds < BOUND


@pytest.mark.usefixtures("uncapped")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nudge x" + " " * SLACK_MAX + "x", "not a weekday and a time"),
        ("nudge friday 9" + " " * SLACK_MAX + "!", NudgeCommand("change", 4, clock(9))),
        ("nudge " + "1 " * (SLACK_MAX // 2) + "x", "not a weekday and a time"),
        ("nudge " + "9" * SLACK_MAX, "not a weekday"),
    ],
    ids=["spaces between words", "spaces before a mark", "many times", "a long number"],
)
def test_the_nudge_grammar_is_linear_at_slacks_longest_message(text: str, expected: object) -> None:
    result, seconds = timed(parse_nudge_command, text)
    if isinstance(expected, str):
        assert is_error(result, ScheduleError, expected), result
    else:
        assert result == expected
    assert seconds < BOUND


def test_a_nudge_command_longer_than_the_cap_is_discussion() -> None:
    text = "nudge pause" + " " * MAX_COMMAND_CHARS
    assert parse_nudge_command(text[:MAX_COMMAND_CHARS]) == NudgeCommand("pause")
    assert parse_nudge_command(text) is None


def test_an_error_quotes_a_long_value_shortened() -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_nudge_command("nudge " + "x" * 3000)
    assert len(str(raised.value)) < 120 and "…" in str(raised.value)


# --- times, weekdays and user counts ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("uncapped")
@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (parse_time, "9" + " " * SLACK_MAX + "x", "not a time"),
        (parse_time, " " * SLACK_MAX + "9" + " " * SLACK_MAX + "pm" + " " * SLACK_MAX, clock(21)),
        (parse_time, "1" * SLACK_MAX, "not a time"),
        (parse_weekday, "friday" + "." * SLACK_MAX, 4),
        (parse_weekday, "s" * SLACK_MAX, "not a weekday"),
        (parse_count, "1" + "\t" * SLACK_MAX + "x", "number of users"),
        (parse_count, "1" + "\t" * SLACK_MAX + "k" + "\t" * SLACK_MAX + "users", 1000),
        (parse_count, "1" * SLACK_MAX + "." + "1" * SLACK_MAX + "x", "number of users"),
    ],
    ids=[
        "time: gap then letter",
        "time: gaps",
        "time: digits",
        "weekday: dots",
        "weekday: s",
        "count: tabs",
        "count: gaps",
        "count: digits",
    ],
)
def test_values_are_parsed_in_linear_time(parse: Callable[[str], Any], text: str, expected: object) -> None:
    result, seconds = timed(parse, text)
    if isinstance(expected, str):
        assert is_error(result, ValueError, expected), result
    else:
        assert result == expected
    assert seconds < BOUND


def test_values_longer_than_their_cap_are_refused() -> None:
    assert parse_time(" 9:30 pm ") == clock(21, 30)
    with pytest.raises(ScheduleError, match="not a time"):
        parse_time("9" + " " * schedule.MAX_TIME_CHARS + "pm")  # the grammar alone would read 21:00
    assert parse_count("1.2k users") == 1200
    with pytest.raises(ValueError, match="number of users"):
        parse_count("1" + "\t" * schema.MAX_COUNT_CHARS + "k")  # the grammar alone would read 1000


# --- questions in a roadmap's thread, quoted sentences, modal values --------------------------------------------------


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return generate_rules_roadmap(load_profile(EXAMPLES / "saas-api.yaml"))


@pytest.mark.usefixtures("uncapped")
@pytest.mark.parametrize(
    "filler",
    [
        "1." * (SLACK_MAX // 2),
        "1" * SLACK_MAX,
        " " * SLACK_MAX,
        "a" * SLACK_MAX,
        "<@U" * (SLACK_MAX // 3),
        "가" * SLACK_MAX,
    ],
    ids=["dots", "digits", "spaces", "letters", "mentions", "Korean"],
)
def test_questions_are_read_in_linear_time(roadmap: Roadmap, filler: str) -> None:
    reading, seconds = timed(lambda text: discussion.answer(roadmap, {}, text), "why 2.1 before 1.2? " + filler)
    assert seconds < BOUND
    assert [i.id for i in reading.items] == ["2.1", "1.2"] and reading.ordering is not None


def test_a_question_is_read_up_to_its_cap(roadmap: Roadmap) -> None:
    padding = " " * discussion.MAX_QUESTION_CHARS
    assert [i.id for i in discussion.referenced_items(roadmap, "why 2.1?" + padding)] == ["2.1"]
    assert discussion.referenced_items(roadmap, padding + "why 2.1?") == []


@pytest.mark.parametrize(
    "text",
    ["a" * SLACK_MAX, "." * SLACK_MAX, "\n" * SLACK_MAX, "a." * (SLACK_MAX // 2)],
    ids=["letters", "dots", "newlines", "short sentences"],
)
def test_the_sentence_quoted_for_an_item_is_found_in_linear_time(text: str) -> None:
    result, seconds = timed(lambda t: quote_answer(t + "\nWe need a cache now. Then more.", "cache"), text)
    assert result == "We need a cache now." and seconds < BOUND


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (
            friendly_error,
            "List should have at least 1 item" + "\n" * SLACK_MAX + "x",
            "List should have at least 1 item",
        ),
        (friendly_error, "Input should be greater than " + "a" * SLACK_MAX + " x", "Input should be greater than"),
        (friendly_error, "target_users (" + "1," * (SLACK_MAX // 2) + "x", "Target_users (1,1"),
        (_hh_mm, " " * SLACK_MAX + "9:00", "09:00"),
        (_hh_mm, "9:00" + " " * SLACK_MAX + "x", None),
        (lambda t: bool(_LOCAL_TIME.match(t)), "1" * SLACK_MAX, False),
    ],
    ids=[
        "rewrite: newlines",
        "rewrite: long value",
        "rewrite: counts",
        "time: gap",
        "time: gap then letter",
        "stored time",
    ],
)
def test_modal_values_are_read_in_linear_time(parse: Callable[[str], Any], text: str, expected: object) -> None:
    result, seconds = timed(parse, text)
    assert (result.startswith(expected) if isinstance(expected, str) else result == expected) and seconds < BOUND


# --- properties: any text at all --------------------------------------------------------------------------------------

# Text that looks like commands often enough to reach every branch, and arbitrary Unicode besides.
_FRAGMENTS = st.sampled_from(
    [
        " ",
        "   ",
        "\t",
        "\n",
        "\u3000",
        ",",
        ":",
        ".",
        "!",
        "1.2",
        "1.21",
        "2.",
        "3",
        "9",
        "09:30",
        "am",
        "PM",
        "x",
        "done",
        "완료",
        "won't do",
        "n/a",
        "na",
        "started",
        "ſkip",
        "nudge",
        "알림",
        "reminders",
        "pause",
        "resume",
        "friday",
        "금요일",
        "tz",
        "time zone",
        "Asia/Seoul",
        "Mars/Olympus",
        "at",
        "<@U0BOT>",
        "<@U",
        "k",
        "만",
        "users",
    ]
)
_TEXTS = st.one_of(st.text(max_size=200), st.lists(_FRAGMENTS, max_size=12).map("".join))
_PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(_TEXTS)
def test_a_status_command_is_read_the_same_way_every_time(text: str) -> None:
    parsed = parse_status_command(text)  # never raises
    assert parsed == parse_status_command(text)
    if parsed is not None:
        _, ids = parsed
        assert ids and len(ids) == len(set(ids)) and all(re.fullmatch(r"[1-3]\.\d{1,3}", i) for i in ids)
        assert parse_status_command(text + " \n") == parsed
        if not text[:1].isspace() and not text.startswith("<"):
            assert parse_status_command("<@U0BOT> " + text) == parsed


@_PROPERTY
@given(_TEXTS)
def test_a_nudge_command_is_a_command_an_error_or_nothing(text: str) -> None:
    outcomes = []
    for _ in range(2):
        try:
            outcomes.append(parse_nudge_command(text))
        except ScheduleError as exc:  # the only error a nudge command may raise
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] is None or isinstance(outcomes[0], (NudgeCommand, str))


@_PROPERTY
@given(_TEXTS)
def test_values_raise_only_their_documented_error(text: str) -> None:
    for parse in (parse_time, parse_weekday):
        with contextlib.suppress(ScheduleError):
            parse(text)
    with contextlib.suppress(ValueError):
        assert parse_count(text) >= 0


# The grammars as they were before this rewrite, kept as an oracle: on short texts (where their backtracking is
# still cheap) the new grammars must accept exactly what they accepted, and read the same values from it.
_PREVIOUS_STATUS = re.compile(
    r"^\s*(?:<@[A-Z0-9]+>\s*)?("
    + "|".join(sorted(map(re.escape, items._VERBS), key=len, reverse=True))
    + r")\s*:?((?:\s*,?\s*[1-3]\.\d{1,3})+)\s*[.!]?\s*$",
    re.IGNORECASE,
)
_PREVIOUS_NUDGE = re.compile(
    r"^\s*(?:<@[A-Z0-9]+>\s*)?(?:nudges?|reminders?|넛지|알림)\b[:\s]*(.*?)\s*[.!]?\s*$", re.I | re.S
)
_PREVIOUS_TIME = re.compile(r"\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*", re.IGNORECASE)
_PREVIOUS_COUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*(k|m|b|천|만|억)?\s*(?:명|users?)?$", re.IGNORECASE)
_SHORT = st.lists(_FRAGMENTS, max_size=8).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_SHORT)
def test_the_grammars_accept_what_they_accepted_before(text: str) -> None:
    before = _PREVIOUS_STATUS.match(text)
    parsed = parse_status_command(text)
    if before is not None:
        assert parsed is not None  # everything accepted before still is
    elif parsed is not None:  # the one form added since: Korean order, the ids first and the verb last
        assert re.fullmatch(r"\s*(?:<@[A-Z0-9]+>\s*)?[1-3]\.\d.*", text, re.S), text
    if before and parsed:
        assert parsed[1] == list(dict.fromkeys(re.findall(r"[1-3]\.\d{1,3}", before.group(2))))
    before = _PREVIOUS_NUDGE.match(text)
    assert schedule._command_rest(text) == (before.group(1).strip() if before else None)
    before, now = _PREVIOUS_TIME.fullmatch(text), schedule._TIME.fullmatch(text)
    assert (before and before.groups()) == (now and now.groups())
    count = text.strip()  # as parse_count strips it (so `$` never meets a closing newline)
    before, now = _PREVIOUS_COUNT.match(count), schema._COUNT_RE.fullmatch(count)
    assert (before and before.groups()) == (now and now.groups())
