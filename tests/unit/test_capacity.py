"""The capacity model against hand-computed cases (figures worked out in the comments)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bot.roadmap.calibration import build_baseline
from bot.roadmap.capacity import (
    CURRENT_USL,
    IDLE_UTILISATION,
    P95_PER_MEAN,
    SAFE_UTILISATION,
    THINK_TIME_S,
    CapacityState,
    TierState,
    units_for,
    usl,
    usl_peak,
)
from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.schema import SystemProfile
from bot.roadmap.traffic import read_traffic


def make_profile(**changes: object) -> SystemProfile:
    data: dict[str, object] = {
        "system_name": "Shop",
        "current_users": 1000,
        "target_users": 10000,
        "core_features": ["catalogue", "checkout"],
        "architecture": {"database": "PostgreSQL 15, one node", "servers": "4 app servers", "network": "ALB"},
        "bottlenecks": "Checkout gets slow at lunchtime.",
    }
    data.update(changes)
    return SystemProfile.model_validate(data)


def baseline(**changes: object):  # type: ignore[no-untyped-def]
    profile = make_profile(**changes)
    return build_baseline(profile, extract_facts(profile))


def test_usl_hand_values() -> None:
    assert usl(1, 0.3, 0.01) == 1
    assert usl(10, 0, 0) == 10  # no contention, no coherency: linear
    # 8 / (1 + 0.1*7 + 0.001*8*7) = 8 / 1.756
    assert usl(8, 0.1, 0.001) == pytest.approx(4.5558, abs=1e-4)
    # Amdahl only (kappa = 0): 16 / (1 + 0.05*15) = 9.142857
    assert usl(16, 0.05, 0) == pytest.approx(9.142857, abs=1e-6)


def test_usl_peak_is_where_more_units_stop_helping() -> None:
    # sqrt((1 - 0.05) / 0.001) = 30.82 -> 30
    assert usl_peak(0.05, 0.001, 1000) == 30
    assert usl(30, 0.05, 0.001) > usl(29, 0.05, 0.001)
    assert usl(32, 0.05, 0.001) < usl(31, 0.05, 0.001)
    assert usl_peak(0.05, 0.0, 64) == 64  # no coherency cost: only the catalogue's ceiling limits it


def test_units_for_finds_the_smallest_count() -> None:
    # per unit 100 rps, sigma 0.1, kappa 0: need 500 rps -> n/(1+0.1(n-1)) >= 5 -> n >= 9 (n=9: 9/1.8 = 5.0)
    assert units_for(500, 100, 0.1, 0.0, 1, 50) == 9
    assert units_for(500, 100, 0.1, 0.0, 10, 50) == 10  # never below the lower bound
    assert units_for(5000, 100, 0.1, 0.0, 1, 50) is None  # 50 units give 50/5.9 = 8.5x only


def test_state_binding_only_over_the_tiers_it_has() -> None:
    state = CapacityState(
        tiers={
            "app": TierState(unit_rps=100, units=4, sigma=0, kappa=0),
            "database": TierState(unit_rps=300, units=1, sigma=0, kappa=0),
        }
    )
    assert state.system_rps() == 300 and state.binding() == "database"
    halved = state.with_demand("database", 0.5)  # demand halves -> capacity doubles
    assert halved.tier_rps("database") == 600 and halved.binding() == "app"
    assert halved.with_cells(2, 0.0, 0.0).system_rps() == 800


def test_healthy_system_carries_what_it_serves_today() -> None:
    # 10,000 users at 970 req/s with DB CPU 80% and no failure: the database demonstrably runs at 80%,
    # so that is its ceiling and capacity now is exactly today's 10,000 (not 10,000 * 0.7 / 0.8 = 8,750).
    base = baseline(
        current_users=10_000, target_users=100_000, measurements={"peak_rps": 970}, bottlenecks="DB CPU 80% at peak."
    )
    assert base.per_user_rps == pytest.approx(0.097)
    assert base.ceilings["database"] == pytest.approx(0.8) and not base.failing
    assert base.capacity_now_users == 10_000 and not base.over_capacity_now
    # app servers: nothing said -> 50% busy by default, planned at 70%: 970 * 0.7 / 0.5 = 1358 req/s = 14,000 users
    assert base.users_at(base.state.tier_rps("app")) == 14_000
    assert base.target_rps == pytest.approx(100_000 * 0.097)


def test_measured_peak_sets_requests_per_user_and_p95_converts_to_a_mean() -> None:
    base = baseline(
        measurements={"peak_rps": 200, "p95_latency_ms": 500},
        bottlenecks="Database CPU 80% at lunch; checkout queries are slow.",
    )
    # Little's law: 200 req/s from 1,000 users is 0.2 req/s per user, R + Z = 5 s
    assert base.per_user_rps == pytest.approx(0.2)
    assert base.response_time_s == pytest.approx(0.5 / P95_PER_MEAN)
    assert base.think_time_s == pytest.approx(5 - 0.5 / 3)
    assert base.tiers == ("app", "database")  # no network tier: nothing names one
    assert base.binding_now == "database" and base.capacity_now_users == 1000
    assert base.users_at(base.state.tier_rps("app")) == 1400  # 200 * 0.7 / 0.5 = 280 req/s
    assert any(a.startswith("[measured] 0.20 req/s per user") for a in base.assumptions)
    assert any(a.startswith("[you said] database 80% busy") for a in base.assumptions)


def test_failing_today_means_over_capacity_now() -> None:
    base = baseline(bottlenecks="The site goes down every evening; queries pile up")
    # X = N / (R + Z) with defaults R = 0.3 s, Z = 10 s
    assert base.current_rps == pytest.approx(1000 / (0.3 + THINK_TIME_S))
    assert base.failing and base.utilisation["database"] == 1.0  # named and failing: saturated
    assert base.capacity_now_users == math.floor(1000 * SAFE_UTILISATION)  # 1000 * 0.7 / 1.0
    assert base.over_capacity_now
    assert any("[default] Think time 10 s" in a for a in base.assumptions)
    assert "peak requests/s" in base.measure


def test_slow_but_idle_is_latency_work_not_the_binding_tier() -> None:
    base = baseline(
        measurements={"peak_rps": 200},
        bottlenecks="Queries are slow although DB CPU is 15%; the site goes down at peak.",
    )
    # the database is measured nearly idle, so the failure must come from the tier without a figure
    assert base.utilisation["database"] == pytest.approx(0.15)
    assert base.binding_now == "app" and base.utilisation["app"] == 1.0
    assert any("latency work" in a for a in base.assumptions)


def test_healthy_profile_without_figures_keeps_headroom_by_default() -> None:
    base = baseline(bottlenecks="It is fine, we just expect growth.")
    assert base.utilisation == {"app": IDLE_UTILISATION, "database": IDLE_UTILISATION}
    assert base.capacity_now_users == 1400  # 1000 * 0.7 / 0.5
    assert not base.over_capacity_now


def test_lock_contention_is_its_own_tier() -> None:
    base = baseline(
        measurements={"peak_rps": 200},
        bottlenecks="Lock waits and deadlocks on the stock row; checkout goes down at the sale.",
    )
    assert "contention" in base.tiers and base.binding_now == "contention"
    assert base.utilisation["contention"] == 1.0
    assert base.state.tiers["contention"].units == 1
    # more database nodes do not move it: cells and replicas act on other tiers
    assert base.state.with_units("database", 8, 0.1, 0.001).tier_rps("contention") == base.state.tier_rps("contention")


def test_open_workloads_and_spikes_are_read() -> None:
    profile = make_profile(
        core_features=["card payments", "refunds"],
        bottlenecks="When the sale opens traffic goes x60 in the first minute and checkout times out.",
        budget={"constraints": "two backend engineers; the sale is in 8 weeks"},
    )
    traffic = read_traffic(profile)
    assert traffic.open and "payments" in traffic.open_phrases
    assert traffic.spike is not None and traffic.spike.factor == 60 and traffic.spike.seconds == 60
    assert traffic.team_size == 2 and traffic.deadline_weeks == 8
    korean = make_profile(
        bottlenecks="타임세일 오픈 1분 만에 트래픽이 60배로 급증합니다.",
        budget={"constraints": "개발자 3명, 2개월 안에 대비"},
    )
    traffic = read_traffic(korean)
    assert traffic.spike is not None and traffic.spike.factor == 60 and traffic.spike.seconds == 60
    assert traffic.team_size == 3 and traffic.deadline_weeks == pytest.approx(8.6)


def test_inconsistent_peak_means_no_think_time() -> None:
    base = baseline(measurements={"peak_rps": 5000, "p95_latency_ms": 900})  # N / X = 0.2 s < R = 0.3 s
    assert base.think_time_s == 0 and base.per_user_rps == pytest.approx(5)
    assert any("Over one request in flight" in a for a in base.assumptions)


def test_worked_example_in_the_docs_matches_the_model() -> None:
    """docs/capacity-model.md section 6: each figure it prints is what the code computes."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "capacity-model.md").read_text(encoding="utf-8")
    example = doc.split("## 6. Worked example", 1)[1]
    base = baseline(
        measurements={"peak_rps": 200, "p95_latency_ms": 500},
        bottlenecks="Database CPU 80% at lunch; checkout queries are slow.",
    )
    users = {t: base.users_at(base.state.tier_rps(t)) for t in base.tiers}
    assert users == {"database": 1000, "app": 1400}
    assert "**1,000**" in example and "1,400" in example
    assert f"{base.required_rps:.0f}" == "2000" and "2,000 req/s" in example

    catalogue = load_catalogue()
    factor = catalogue.get("slow-query-indexes").effects[0].demand_factor.mid
    after = base.state.with_demand("database", factor)
    assert f"{after.tier_rps('database'):.1f}" == "444.4" and "444.4" in example
    assert base.users_at(after.tier_rps("database")) == 2222 and "**2,222**" in example

    scaling = catalogue.get("horizontal-app-scaling").scaling
    assert scaling is not None
    sigma, kappa = scaling.sigma.mid, scaling.kappa.mid
    unit = base.state.tiers["app"].unit_rps
    assert unit == pytest.approx(280 / usl(4, *CURRENT_USL["app"]))
    assert f"{unit:.1f}" == "76.7" and "76.7" in example
    servers = units_for(base.required_rps, unit, sigma, kappa, 5, usl_peak(sigma, kappa, 10**6))
    assert servers == 31 and "**31** servers" in example
    assert math.ceil(base.required_rps / unit) == 27 and "not the 27" in example


def test_slow_pages_far_away_are_latency_work_not_a_network_tier() -> None:
    """'A page load is 14 queries', 'slow for users abroad': distance and page speed, not origin bandwidth."""
    far = baseline(
        bottlenecks="A page load is 14 heavy queries and users abroad find it slow; DB CPU 85%.",
        architecture={"database": "MySQL 8", "servers": "4 app servers", "network": "ALB plus CloudFront"},
    )
    assert "network" not in far.state.tiers
    bytes_ = baseline(
        bottlenecks="Our egress bandwidth bill is huge and downloads saturate the uplink at peak.",
        architecture={"database": "MySQL 8", "servers": "4 app servers", "network": "ALB"},
    )
    assert "network" in bytes_.state.tiers


def test_a_tier_resting_on_a_default_utilisation_says_so_and_what_to_measure() -> None:
    quoted = baseline(bottlenecks="DB CPU 80% at lunch; checkout is slow.", measurements={"peak_rps": 200})
    assert "database" not in quoted.assumed and "app" in quoted.assumed
    lines = [a for a in quoted.assumptions if "assumed figure" in a]
    assert len(lines) == 1 and lines[0].startswith("[default] app servers: 1.4k users")  # 280 req/s at 0.2 req/s a user
    assert "CPU (or busy workers) at peak" in lines[0]
    korean = baseline(bottlenecks="DB CPU 80% at lunch.", measurements={"peak_rps": 200}, language="ko")
    text = next(a for a in korean.assumptions if "가정한 수치" in a)
    assert "앱 서버" in text and "바쁜 워커" in text
    nothing = baseline(bottlenecks="It is fine, we expect growth.")
    assert set(nothing.assumed) == set(nothing.state.tiers)  # every figure rests on a default


def test_registered_or_daily_counts_are_converted_to_concurrent_with_a_stated_ratio() -> None:
    """50k registered users are not 50k people clicking at once: a stated share of them is, and the roadmap says so."""
    concurrent = baseline(current_users=50_000, target_users=500_000, bottlenecks="DB CPU 80% at lunch.")
    registered = baseline(
        current_users=50_000, target_users=500_000, bottlenecks="We have 50,000 registered users; DB CPU 80% at lunch."
    )
    assert registered.per_user_rps == pytest.approx(concurrent.per_user_rps * 0.005)
    assert registered.current_rps == pytest.approx(concurrent.current_rps * 0.005)
    note_ = next(a for a in registered.assumptions if "read as registered users" in a)
    assert note_.startswith("[default]") and "about 250 concurrent users" in note_
    daily = baseline(current_users=20_000, target_users=100_000, bottlenecks="DAU 20,000; the feed is slow.")
    assert any("read as daily active users" in a and "5%" in a for a in daily.assumptions)
    measured = baseline(
        current_users=50_000,
        target_users=500_000,
        bottlenecks="We have 50,000 registered users.",
        measurements={"peak_rps": 400},
    )
    assert measured.per_user_rps == pytest.approx(400 / 50_000)  # a measured rate is per listed user as it is
    korean = baseline(
        current_users=50_000, target_users=500_000, bottlenecks="가입자 5만 명, 피크 때 DB CPU 80%.", language="ko"
    )
    assert any("가입 사용자 수로 읽었습니다" in a for a in korean.assumptions)
