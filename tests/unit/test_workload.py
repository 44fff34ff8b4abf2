"""The workload reading: kinds with the phrases they came from, the stack, known events and named problems.

The lever choice rests on this reading, so each kind is checked on a phrase a team would really write
(English and Korean), and on a near-miss that must not make the kind.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.roadmap.schema import SystemProfile
from bot.roadmap.workload.reader import read_workload
from bot.roadmap.workload.stack import read_stack


def profile(**changes: Any) -> SystemProfile:
    data: dict[str, Any] = {
        "system_name": "Test",
        "current_users": 1000,
        "target_users": 10000,
        "core_features": ["Accounts and settings"],
        "architecture": {"database": "PostgreSQL on RDS", "servers": "3 app servers behind an ALB"},
        "bottlenecks": "Pages are slow at peak.",
    }
    for key, value in changes.items():
        if key in ("database", "servers", "network"):
            data["architecture"] = {**data["architecture"], key: value}
        else:
            data[key] = value
    return SystemProfile.model_validate(data)


@pytest.mark.parametrize(
    ("changes", "kind", "phrase"),
    [
        ({"bottlenecks": "We oversold the last drop: 140 pairs we did not have."}, "inventory", "oversold"),
        (
            {"bottlenecks": "같은 좌석이 두 명에게 팔리는 중복 예매가 있었습니다. 선착순 예매입니다."},
            "inventory",
            "중복 예매",
        ),
        ({"core_features": ["Double-entry ledger with merchant balances"]}, "strong-consistency", "ledger"),
        (
            {"bottlenecks": "Telemetry arrives at 8,000 writes/s and we sit at the IOPS limit."},
            "write-heavy",
            "telemetry",
        ),
        (
            {"bottlenecks": "One tenant's bulk sync slows every other tenant (noisy neighbour)."},
            "multi-tenant",
            "tenant",
        ),
        ({"core_features": ["Channels over WebSockets (socket.io)"]}, "realtime", "socket.io"),
        ({"bottlenecks": "Egress is our biggest bill; 1080p videos buffer abroad."}, "media", "egress"),
        ({"bottlenecks": "Dashboards run GROUP BY over raw events; funnels time out."}, "analytics", "group by"),
        (
            {"bottlenecks": "95% of readers are anonymous; breaking news brings 25x traffic in five minutes."},
            "spiky-reads",
            "anonymous",
        ),
        ({"network": "NLB, no CDN (API only)", "bottlenecks": "Slow."}, "api-only", "api only"),
        ({"budget": {"monthly_amount": 300, "constraints": "Two founders"}}, "tiny-team", "two founders"),
        ({"budget": {"constraints": "The next big drop is in six weeks."}}, "known-event", "in six weeks"),
    ],
)
def test_each_kind_is_read_with_the_phrase_it_came_from(changes: dict[str, Any], kind: str, phrase: str) -> None:
    reading = read_workload(profile(**changes))
    kinds = {k.id: k for k in reading.kinds}
    assert kind in kinds, [k.id for k in reading.kinds]
    assert any(phrase.lower() in e.lower() for e in kinds[kind].evidence), kinds[kind].evidence


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"core_features": ["Login, player profiles and inventory"]}, "inventory"),  # a game's inventory is no stock
        ({"network": "ALB, CloudFront for the dashboard's static files"}, "analytics"),  # a UI is no analytics
        ({"core_features": ["Event ingestion SDK (about 300 events/s)"]}, "write-heavy"),  # 300 events/s is not ingest
        ({"network": "CloudFront for menu images only"}, "media"),  # one image mention is no media platform
        ({"budget": {"constraints": "Three engineers, one of them part-time on infrastructure"}}, "tiny-team"),
        ({"bottlenecks": "95% of readers are anonymous."}, "spiky-reads"),  # anonymous without a spike
    ],
)
def test_a_passing_word_does_not_make_a_kind(changes: dict[str, Any], kind: str) -> None:
    assert kind not in read_workload(profile(**changes)).kind_ids


def test_a_tiny_team_is_read_from_who_the_team_is_never_from_the_budget_alone() -> None:
    """More budget must never change which levers fit (the capacity model's monotonicity property)."""
    assert not read_workload(profile(budget={"monthly_amount": 300})).tiny_team
    assert read_workload(profile(budget={"monthly_amount": 300, "constraints": "One developer, part-time."})).tiny_team
    assert read_workload(profile(budget={"constraints": "창업자 2명, 개발은 한 명이 전담"})).tiny_team
    assert not read_workload(profile(budget={"constraints": "Two backend engineers, no DBA"})).tiny_team


@pytest.mark.parametrize(
    ("architecture", "database", "runtime", "managed", "small"),
    [
        ({"database": "MySQL 8 (RDS db.r5.2xlarge)", "servers": "8 Spring Boot servers"}, "mysql", "jvm", True, False),
        (
            {"database": "Aurora PostgreSQL", "servers": "8 Django (gunicorn) pods on EKS"},
            "postgresql",
            "python",
            True,
            False,
        ),
        (
            {"database": "PostgreSQL on the same droplet", "servers": "One droplet running Rails 7 with Puma"},
            "postgresql",
            "ruby",
            False,
            True,
        ),
        (
            {
                "database": "MySQL 8을 같은 Lightsail 인스턴스에 설치",
                "servers": "Lightsail 1대에서 Express (Node.js) 실행",
            },
            "mysql",
            "node",
            False,
            True,
        ),
        (
            {"database": "MySQL 8 on a self-managed VM", "servers": "3 PHP-FPM (WordPress) VMs"},
            "mysql",
            "php",
            False,
            False,
        ),
    ],
)
def test_the_stack_is_read_from_the_architecture(
    architecture: dict[str, str], database: str, runtime: str, managed: bool, small: bool
) -> None:
    stack = read_stack(profile(**architecture))
    assert (stack.database, stack.runtime, stack.managed_db, stack.small_host) == (database, runtime, managed, small)
    assert stack.self_managed_db == (not managed)


def test_a_stated_spike_and_its_window_are_read_together() -> None:
    reading = read_workload(
        profile(
            bottlenecks="At 10:00 on drop day traffic goes up 60x within a minute. Marketing expects 10x in a year.",
            budget={"constraints": "The next drop is in six weeks."},
        )
    )
    assert reading.event is not None
    assert (reading.event.spike, reading.event.window) == (60, "within a minute")
    assert reading.event.weeks_away == 6
    korean = read_workload(profile(bottlenecks="예매 오픈 시각에 1분 안에 트래픽이 평소의 50배로 몰립니다."))
    assert korean.event is not None and (korean.event.spike, korean.event.window) == (50, "1분 안에")


def test_named_problems_are_sentences_with_a_severity() -> None:
    reading = read_workload(
        profile(
            bottlenecks=(
                "Pages are slow at peak (p95 2 s).\n"
                "We have no backups at all.\n"
                "Customers get charged twice when they retry.\n"
                "Checkout returns 502s during the sale."
            )
        )
    )
    severities = {p.text: p.severity for p in reading.problems}
    assert severities == {
        "Pages are slow at peak (p95 2 s).": "latency",
        "We have no backups at all.": "data-loss",
        "Customers get charged twice when they retry.": "correctness",
        "Checkout returns 502s during the sale.": "availability",
    }
    assert [p.order for p in reading.problems] == [0, 1, 2, 3]


def test_contention_and_the_largest_instance_are_read() -> None:
    reading = read_workload(
        profile(bottlenecks="Lock waits and deadlocks on the fee account. We are on the largest instance size.")
    )
    assert reading.contention and reading.at_largest_size
    assert not read_workload(profile()).contention
