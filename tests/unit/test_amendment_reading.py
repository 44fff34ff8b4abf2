"""A thread message that changes a fact of the profile is read with the questionnaire's readers (facts, traffic,
numbers), in English and Korean, and the readers read the change back from the amended profile."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.roadmap import amendment, amendment_words
from bot.roadmap.discussion import roadmap_figures, unknown_figures
from bot.roadmap.profile_io import load_profile
from bot.roadmap.reading.facts import Fact
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.traffic import read_traffic

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAAS = load_profile(EXAMPLES / "saas-api.yaml")


# --- reading a message (pure) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "kind", "check"),
    [
        ("the budget is now $2k/month", "budget", lambda p: p.budget.monthly_amount == 2000),
        (
            "예산이 월 200만 원으로 줄었어요",
            "budget",
            lambda p: (p.budget.monthly_amount, p.budget.currency) == (2_000_000, "KRW"),
        ),
        ("target is 500k", "target", lambda p: p.target_users == 500_000),  # "by June": tests/unit/test_dates.py
        ("목표 50만 명으로 올렸어요", "target", lambda p: p.target_users == 500_000),
        ("the deadline is now in 6 weeks", "deadline", lambda p: read_traffic(p).deadline_weeks == 6),
        ("3개월 안에 끝내야 해요", "deadline", lambda p: read_traffic(p).deadline_weeks == pytest.approx(12.9)),
        ("we're down to 3 engineers", "team", lambda p: read_traffic(p).team_size == 3),
        ("팀이 개발자 2명으로 줄었어요", "team", lambda p: read_traffic(p).team_size == 2),
        ("we already run Redis", "component", lambda p: extract_facts(p).has(Fact.HAS_CACHE)),
        ("이미 Redis 써요", "component", lambda p: extract_facts(p).has(Fact.HAS_CACHE)),
        ("DB CPU is 40% at peak now", "utilisation", lambda p: extract_facts(p).quoted_utilisation["database"] < 0.5),
        (
            "DB CPU 사용률이 피크에 40%예요",
            "utilisation",
            lambda p: extract_facts(p).quoted_utilisation["database"] == 0.4,
        ),
        ("the report export timeouts are fixed", "resolved", lambda p: "Report exports" not in p.bottlenecks),
        ("we now have 3,000 concurrent users", "current", lambda p: p.current_users == 3000),
    ],
)
def test_a_fact_is_read_and_the_engine_reads_it_back(message: str, kind: str, check: Any) -> None:
    read = amendment.read_change(message, SAAS)
    assert read is not None and [c.kind for c in read.changes] == [kind], read
    assert check(read.profile), read.profile
    assert read.profile.system_name == SAAS.system_name and not read.refused
    assert amendment_words.describe(read.changes[0], "en") != amendment_words.describe(read.changes[0], "ko")


@pytest.mark.parametrize(
    "message",
    [
        "what if the budget were $2k?",
        "should we add Redis?",
        "예산을 200만 원으로 줄이면 어떻게 되나요?",
        "done 1.2",
        "why 2.3 after 2.2",
        "thanks, looks good",
        "the budget is fine",  # no amount
        "we already run an ALB" + " and so on" * 200,  # past what a correction is read for
    ],
)
def test_questions_commands_and_chat_are_not_changes(message: str) -> None:
    assert amendment.read_change(message, SAAS) is None


def test_a_target_below_today_is_refused_with_the_reason() -> None:
    read = amendment.read_change("our target is 500 users", SAAS)
    assert read is not None and not read.changes and read.profile == SAAS
    assert "not above today's 8k" in amendment_words.refusal(read.refused[0], "en")
    korean = amendment_words.refusal(read.refused[0], "ko")
    assert "8,000" in korean or "8천" in korean


def test_the_budget_line_reads_as_the_issue_says() -> None:
    read = amendment.read_change("the budget is now $2k/month", SAAS.model_copy(update={"budget": SAAS.budget}))
    assert read is not None
    assert amendment_words.describe(read.changes[0], "en") == "budget $3,000 -> $2,000 / month"
    plan = generate_rules_roadmap(read.profile)
    assert plan.summary.target_users == SAAS.target_users  # a valid profile the engine plans from


@pytest.mark.parametrize(
    ("text", "any_claim"),
    [
        ("the budget is now " + "$1," * 13_000 + "000", True),
        ("target is 500k" + " by" * 13_000, True),
        ("이미 " * 13_000 + "Redis 써요", False),  # past the cap: the component is not read
        ("DB CPU " + "%" * 40_000, False),
        ("fixed " + "a" * 40_000, True),
        ("we already run " + "-" * 40_000 + " Redis", False),
    ],
)
def test_a_slack_long_message_is_read_in_bounded_time(text: str, any_claim: bool) -> None:
    """Only the first MAX_MESSAGE_CHARS are read, by readers linear in their input: no message stalls the bot."""
    start = time.process_time()
    read = amendment.read_change(text, SAAS)
    claims = amendment.read_claims(text)
    assert time.process_time() - start < 0.2
    assert claims.any is any_claim and (read is None or read.profile is not None)


def test_an_answer_of_slacks_longest_length_is_checked_in_bounded_time() -> None:
    known = roadmap_figures(generate_rules_roadmap(SAAS))
    start = time.process_time()
    unknown = unknown_figures("$9,999 " + "1" * 40_000, known)
    assert time.process_time() - start < 0.2 and unknown[0] == "9,999"
