"""Properties of the capacity model and the plan over generated profiles (hypothesis).

What an experienced reader expects of any plan, whatever the profile: today's capacity is not
below what is served unless the team says it fails; more budget never reaches less; a higher
target never gets less scale-out; the same answers give the same roadmap; capacity never falls
from one stage to the next. Plus the sanity gates and the usage-based costs.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.roadmap.calibration import build_baseline
from bot.roadmap.costs import read_costs
from bot.roadmap.profile_io import load_profile
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.sanity import check_profile, field_errors
from bot.roadmap.schema import Roadmap, SystemProfile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UNITS = re.compile(r"(\d+) -> (\d+)")
SIZES = re.compile(r"by \d+ more instance sizes? \(\d+x today's")
TIER = re.compile(r"(app servers|database|network / static delivery) capacity x")

DATABASES = [
    "MySQL 8 on one 8 vCPU VM, no replicas",
    "PostgreSQL 15 on RDS db.r6g.xlarge with 1 read replica and PgBouncer",
    "Aurora MySQL db.r6g.2xlarge, 3 read replicas",
    "PostgreSQL on a $24 droplet",
    "MySQL 마스터 1대 (RDS db.m5.2xlarge), 레플리카 없음",
]
SERVERS = [
    "1 VM running everything",
    "2 app servers (Django + Gunicorn, 4 vCPU each) on EC2",
    "6 containers on ECS behind an ALB",
    "Spring Boot 웹 서버 3대 (EC2)",
    "12 m6i.large instances in eu-west-1",
]
SYMPTOMS = [
    "DB CPU 95% at peak and slow queries",
    "The site goes down when traffic spikes",
    "Connection pool exhausted at month end",
    "Images load slowly; bandwidth costs",
    "App CPU 90%, workers saturated",
    "Lock waits and deadlocks on the stock row at checkout",
    "Queries are slow although DB CPU is 20%",
    "It is fine, we just expect growth",
    "슬로우 쿼리가 많고 서비스가 다운됩니다",
]


@st.composite
def profiles(draw: st.DrawFn, max_factor: int = 100) -> SystemProfile:
    current = draw(st.integers(min_value=10, max_value=500_000))
    factor = draw(st.sampled_from([1.5, 3, 10, 30, 100]).filter(lambda f: f <= max_factor))
    measurements: dict[str, object] = {}
    if draw(st.booleans()):
        measurements["peak_rps"] = round(current * draw(st.sampled_from([0.02, 0.1, 0.2, 1.0])), 1) or 1.0
    if draw(st.booleans()):
        measurements["p95_latency_ms"] = draw(st.sampled_from([80, 400, 1500, 4000]))
    if draw(st.booleans()):
        measurements["error_rate_pct"] = draw(st.sampled_from([0.1, 2.0, 8.0]))
    return SystemProfile.model_validate(
        {
            "system_name": "Prop",
            "current_users": current,
            "target_users": max(current + 1, int(current * factor)),
            "core_features": draw(
                st.lists(st.sampled_from(["feed", "payments", "search", "uploads"]), min_size=1, max_size=4)
            ),
            "architecture": {
                "database": draw(st.sampled_from(DATABASES)),
                "servers": draw(st.sampled_from(SERVERS)),
                "network": draw(st.sampled_from([None, "nginx, no CDN", "ALB + CloudFront"])),
            },
            "bottlenecks": ". ".join(draw(st.lists(st.sampled_from(SYMPTOMS), min_size=1, max_size=2))),
            "budget": {"monthly_amount": None, "currency": "USD"},
            "measurements": measurements,
        }
    )


def with_budget(profile: SystemProfile, amount: float | None) -> SystemProfile:
    budget = profile.budget.model_copy(update={"monthly_amount": None if amount is None else Decimal(str(amount))})
    return profile.model_copy(update={"budget": budget})


def final_rps(roadmap: Roadmap) -> float:
    return roadmap.stages[-1].capacity_after.rps


def scale_out_steps(roadmap: Roadmap) -> int:
    """Tiers the plan scales, each counted once ("Run 12 app servers", "Grow the database nodes from 2 to 8",
    "Grow the database by 2 more instance sizes").

    Counted by tier, not by item: at a higher target one lever (cells) can rightly replace two (more app
    servers and shards), while scaling out every tier they covered.
    """
    tiers: set[str] = set()
    for item in roadmap.items():
        if item.deferred is None and UNITS.search(item.model_effect or ""):
            tiers |= set(TIER.findall(item.model_effect or ""))
        elif item.deferred is None and SIZES.search(item.title):  # bigger database nodes scale that tier too
            tiers.add("database")
    return len(tiers)


SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(profiles())
def test_capacity_now_is_not_below_what_is_served_unless_it_fails(profile: SystemProfile) -> None:
    base = build_baseline(profile, extract_facts(profile))
    assert base.capacity_now_users >= profile.current_users or base.failing
    assert base.over_capacity_now == (base.capacity_now_users < profile.current_users)
    # every assumption says where it comes from, so a reader knows which to correct
    assert all(a.startswith(("[measured]", "[you said]", "[derived]", "[default]")) for a in base.assumptions)


@SETTINGS
@given(profiles(), st.sampled_from([0, 300, 2_000, 8_000, 40_000]))
def test_more_budget_never_reaches_less(profile: SystemProfile, amount: int) -> None:
    small = generate_rules_roadmap(with_budget(profile, amount))
    large = generate_rules_roadmap(with_budget(profile, amount * 4 + 500))
    free = generate_rules_roadmap(with_budget(profile, None))
    # "reaches": capacity up to the target (past it, a plan rightly stops buying)
    need = profile.target_users

    def reached(roadmap: Roadmap) -> float:
        return min(final_rps(roadmap) / roadmap.summary.capacity_now.rps * profile.current_users, need)

    # Funding is greedy (stage by stage, in plan order), so a larger budget can buy a different mix that reaches
    # a few percent less than a cheaper one; more than 5% less is a defect (a cheap binding cut starved).
    assert reached(large) >= reached(small) * 0.95 or large.summary.target_reachable
    assert reached(free) >= reached(large) * (1 - 1e-9) or free.summary.target_reachable


@SETTINGS
@given(profiles(max_factor=30), st.sampled_from([2, 3, 10]))
def test_a_higher_target_never_gets_less_scale_out(profile: SystemProfile, more: int) -> None:
    near = generate_rules_roadmap(profile)
    far = generate_rules_roadmap(profile.model_copy(update={"target_users": profile.target_users * more}))
    assert scale_out_steps(far) >= scale_out_steps(near)
    # the higher target's plan carries at least as much, unless it stops at its own target: the lower one may
    # overshoot by a whole server in stage 1, where the higher one is sized for 2x today's peak first
    reached = far.stages[-1].capacity_after.meets_target
    assert final_rps(far) >= final_rps(near) * (1 - 1e-9) or reached


@SETTINGS
@given(profiles())
def test_same_answers_same_roadmap_and_capacity_never_falls(profile: SystemProfile) -> None:
    roadmap = generate_rules_roadmap(profile)
    assert generate_rules_roadmap(profile).model_dump() == roadmap.model_dump()
    points = [roadmap.summary.capacity_now, *(s.capacity_after for s in roadmap.stages)]
    assert [p.rps for p in points] == sorted(p.rps for p in points)
    assert [p.users for p in points] == sorted(p.users for p in points)
    costs = [s.capacity_after.monthly_cost.high for s in roadmap.stages]
    assert costs == sorted(costs)
    # every scale-out item the plan prints has its counts (none left unsized)
    for item in roadmap.items():
        assert "None" not in item.title, item.title
        if item.title.startswith("Grow the database by ") and item.deferred is None:
            assert SIZES.search(item.title), item  # bigger nodes: the sizes are in the title
        elif item.title.startswith("Grow the ") and item.deferred is None:
            assert UNITS.search(item.model_effect or ""), item


@SETTINGS
@given(profiles(max_factor=100))
def test_without_a_budget_up_to_100x_is_reached_or_the_wall_is_named(profile: SystemProfile) -> None:
    roadmap = generate_rules_roadmap(profile)
    summary = roadmap.summary
    assert summary.target_reachable or "limited by" in summary.verdict, summary.verdict


def test_the_examples_read_right() -> None:
    """Figures a capacity engineer computes by hand for the examples (docs/capacity-model.md, section 0)."""
    community = generate_rules_roadmap(load_profile(EXAMPLES / "community.yaml"))
    assert community.summary.capacity_now.users == 880  # 1,200 x 0.7 / 0.95 = 884, two significant figures
    assert community.summary.verdict.startswith("Over capacity at peak now")
    saas = generate_rules_roadmap(load_profile(EXAMPLES / "saas-api.yaml"))
    assert saas.summary.capacity_now.users == 8000  # healthy: carries what it serves
    assert set(saas.summary.capacity_now.tier_users) == {"app", "database"}  # no invented network tier
    shop = generate_rules_roadmap(load_profile(EXAMPLES / "shop-ko.yaml"))
    assert shop.summary.capacity_now.users == 2100  # 270 req/s at DB 100%, 70% ceiling: 2,100 users
    free = generate_rules_roadmap(with_budget(load_profile(EXAMPLES / "shop-ko.yaml"), None))
    assert free.summary.target_reachable  # 33x is reachable without a budget limit
    far = generate_rules_roadmap(with_budget(load_profile(EXAMPLES / "community.yaml"), None))
    grows = [i for i in far.stages[2].items if i.title.startswith("Grow the ")]
    assert grows, "stage 3 re-sizes the scale-out that stage 2 built"
    # with the counts: "app servers 19 -> 200", or the sizes: "Grow the database by 2 more instance sizes (8x ..."
    assert all(UNITS.search(i.model_effect or "") or SIZES.search(i.title) for i in grows)
    assert far.summary.target_reachable or "limited by" in far.summary.verdict


def test_costs_start_from_what_the_team_runs() -> None:
    shop = load_profile(EXAMPLES / "shop-ko.yaml")
    costs = read_costs(shop, facts=extract_facts(shop))
    assert round(costs.database.monthly_usd) == round(0.171 * 4 * 730)  # db.m5.2xlarge: 4x the .large price
    droplet = shop.model_copy(
        update={"architecture": shop.architecture.model_copy(update={"database": "PostgreSQL on a $24 droplet"})}
    )
    cheap = read_costs(droplet, facts=extract_facts(droplet))
    assert cheap.database.monthly_usd < 100
    seoul = load_profile(EXAMPLES / "community.yaml")
    assert read_costs(seoul, facts=extract_facts(seoul)).region_factor > 1  # Seoul costs more than us-east-1
    # a CDN's bill grows with the traffic it carries
    assert costs.cdn_monthly(10_000).high > 10 * costs.cdn_monthly(100).high * 0.99


def test_sanity_gates_refuse_the_absurd_and_warn_on_the_doubtful() -> None:
    absurd = SystemProfile.model_validate(
        {
            "system_name": "x",
            "current_users": 1,
            "target_users": 10**10,
            "core_features": ["a"],
            "architecture": {"database": "db", "servers": "cloud"},
            "bottlenecks": "-",
        }
    )
    refusals = [f for f in check_profile(absurd) if f.refuse]
    assert {f.field for f in refusals} == {"target_users", "bottlenecks"}
    errors = field_errors(
        {"current_users": "100", "target_users": "50", "measurements.peak_rps": "-3", "bottlenecks": "없음"}
    )
    assert set(errors) == {"target_users", "measurements.peak_rps", "bottlenecks"}
    assert field_errors({"current_users": "1.2k", "target_users": "100만", "bottlenecks": "DB CPU 95%"}) == {}
    fine = load_profile(EXAMPLES / "saas-api.yaml")
    assert not [f for f in check_profile(fine) if f.refuse]


def test_a_stated_burst_is_planned_as_a_peak_rate_with_its_duration() -> None:
    golden = EXAMPLES.parent / "tests" / "golden"
    roadmap = generate_rules_roadmap(load_profile(golden / "flash-sale-shop.yaml"))
    burst = next(n for n in roadmap.notes if n.startswith("Burst:"))
    # "from ~400 req/s to ~24,000 req/s within a minute (about 60x)": the measured peak is the burst
    assert "your measured peak, ~24k req/s for 60 s" in burst
    assert "waiting room" in burst or "carries it from stage" in burst


def test_the_team_and_its_deadline_bound_the_stages() -> None:
    community = generate_rules_roadmap(load_profile(EXAMPLES / "community.yaml"))  # "Two backend engineers"
    assert any("2 engineers at half their time" in n for n in community.notes)
    shop = generate_rules_roadmap(load_profile(EXAMPLES / "shop-ko.yaml"))  # "3개월 안에 블랙프라이데이 대비 필요"
    assert any(n.startswith("Deadline in about 13 weeks") and "3개월 안에" in n for n in shop.notes)
    korean = load_profile(EXAMPLES / "shop-ko.yaml").model_copy(update={"language": "ko"})
    notes = generate_rules_roadmap(korean).notes
    assert any(
        n.startswith("마감까지 약 13주") and ("1단계로 앞당기세요" in n or "그 전에 끝낼 것" in n) for n in notes
    )


def test_what_the_team_spends_today_comes_out_of_the_budget() -> None:
    profile = SystemProfile.model_validate(
        {
            "system_name": "Spend",
            "current_users": 1000,
            "target_users": 10000,
            "core_features": ["catalogue"],
            "architecture": {"database": "PostgreSQL on RDS db.r6g.large", "servers": "2 EC2 m6i.large"},
            "bottlenecks": "DB CPU 90% at peak",
            "budget": {
                "monthly_amount": 3000,
                "currency": "USD",
                "constraints": "We spend about $1,800 a month today.",
            },
            "measurements": {"peak_rps": 100},
        }
    )
    roadmap = generate_rules_roadmap(profile)
    assert "of which you spend about $1,800 today: $1,200 for the plan" in roadmap.summary.budget_note
    kept = [i for i in roadmap.items() if i.deferred is None]
    assert sum(i.cost.monthly.high for i in kept) <= 1200
