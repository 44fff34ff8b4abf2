"""The capacity model against hand-computed cases (figures worked out in the comments)."""

from __future__ import annotations

import math

import pytest

from bot.roadmap.capacity import (
    BUSY_UTILISATION,
    CURRENT_USL,
    OUTAGE_UTILISATION,
    SAFE_UTILISATION,
    THINK_TIME_S,
    CapacityState,
    TierState,
    build_baseline,
    units_for,
    usl,
    usl_peak,
)
from bot.roadmap.facts import extract_facts
from bot.roadmap.schema import SystemProfile


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
    assert usl(31, 0.05, 0.001) < usl(30, 0.05, 0.001) + 1e-9 or usl(32, 0.05, 0.001) < usl(31, 0.05, 0.001)
    assert usl_peak(0.05, 0.0, 64) == 64  # no coherency cost: only the catalogue's ceiling limits it


def test_units_for_finds_the_smallest_count() -> None:
    # per unit 100 rps, sigma 0.1, kappa 0: need 500 rps -> n/(1+0.1(n-1)) >= 5 -> n >= 9 (n=9: 9/1.8 = 5.0)
    assert units_for(500, 100, 0.1, 0.0, 1, 50) == 9
    assert units_for(500, 100, 0.1, 0.0, 10, 50) == 10  # never below the lower bound
    assert units_for(5000, 100, 0.1, 0.0, 1, 50) is None  # 50 units give 50/5.9 = 8.5x only


def test_state_binding_and_cells() -> None:
    state = CapacityState(
        tiers={
            "app": TierState(unit_rps=100, units=4, sigma=0, kappa=0),
            "database": TierState(unit_rps=300, units=1, sigma=0, kappa=0),
            "network": TierState(unit_rps=1000, units=1, sigma=0, kappa=0),
        }
    )
    assert state.system_rps() == 300 and state.binding() == "database"
    halved = state.with_demand("database", 0.5)  # demand halves -> capacity doubles
    assert halved.tier_rps("database") == 600 and halved.binding() == "app"
    two_cells = halved.with_cells(2, 0.0, 0.0)
    assert two_cells.system_rps() == 800


def test_baseline_from_measured_peak() -> None:
    # Z = N/X - R = 1000/200 - 0.5 = 4.5 s; at the target R = min(0.5, 0.3) = 0.3 s, so
    # target X = 10000 / (0.3 + 4.5) = 2083.3 req/s
    base = build_baseline(
        p := make_profile(
            measurements={"peak_rps": 200, "p95_latency_ms": 500},
            bottlenecks="Database CPU 80% at lunch; checkout queries are slow.",
        ),
        extract_facts(p),
    )
    assert base.think_time_s == pytest.approx(4.5)
    assert base.planned_response_s == pytest.approx(0.3)
    assert base.target_rps == pytest.approx(10000 / 4.8)
    assert base.binding_now == "database"
    assert base.utilisation["database"] == pytest.approx(0.8)
    # database: 200 req/s at U = 0.8 -> saturates at 250 req/s; safe users = 250 * 0.7 * 4.8 s = 840
    assert base.state.tier_rps("database") == pytest.approx(250)
    assert base.users_at(base.state.system_rps()) == 840
    # app: no symptom -> default U 0.5 (below 0.8 * 0.8) -> 400 req/s over 4 servers with today's USL
    sigma, kappa = CURRENT_USL["app"]
    assert base.state.tier_rps("app") == pytest.approx(400)
    assert base.state.tiers["app"].unit_rps == pytest.approx(400 / usl(4, sigma, kappa))
    # required capacity at U = 1 so the target runs at the safe utilisation: 2083.3 / 0.7
    assert base.required_rps == pytest.approx(10000 / 4.8 / SAFE_UTILISATION)


def test_baseline_defaults_and_outage() -> None:
    p = make_profile(bottlenecks="The site goes down every evening; queries pile up")
    base = build_baseline(p, extract_facts(p))
    # X = N / (R + Z) with defaults R = 0.3 s, Z = 10 s
    assert base.current_rps == pytest.approx(1000 / (0.3 + THINK_TIME_S))
    assert base.utilisation["database"] == OUTAGE_UTILISATION
    assert base.users_at(base.state.system_rps()) == math.floor(1000 * SAFE_UTILISATION / OUTAGE_UTILISATION)
    assert any("Think time Z = 10 s" in a for a in base.assumptions)


def test_symptoms_choose_the_binding_tier() -> None:
    p = make_profile(bottlenecks="Gunicorn workers are all busy and server memory is tight.")
    base = build_baseline(p, extract_facts(p))
    assert base.binding_now == "app" and base.utilisation["app"] == BUSY_UTILISATION
    p = make_profile(bottlenecks="Images load slowly for users abroad; bandwidth bill is huge.")
    assert build_baseline(p, extract_facts(p)).binding_now == "network"
    p = make_profile(bottlenecks="It is slow sometimes.")
    base = build_baseline(p, extract_facts(p))
    assert base.binding_now == "database" and "most common case" in " ".join(base.assumptions)


def test_inconsistent_peak_clamps_think_time() -> None:
    p = make_profile(measurements={"peak_rps": 5000, "p95_latency_ms": 400})
    base = build_baseline(p, extract_facts(p))
    assert base.think_time_s == 0 and any("think time Z set to 0" in a for a in base.assumptions)


def test_worked_example_in_the_docs_matches_the_model() -> None:
    """docs/capacity-model.md section 5: each figure it prints is what the code computes."""
    from pathlib import Path

    from bot.roadmap.catalogue import load_catalogue

    doc = (Path(__file__).resolve().parent.parent / "docs" / "capacity-model.md").read_text(encoding="utf-8")
    example = doc.split("## 5. Worked example", 1)[1]
    p = make_profile(
        measurements={"peak_rps": 200, "p95_latency_ms": 500},
        bottlenecks="Database CPU 80% at lunch; checkout queries are slow.",
        architecture={"database": "PostgreSQL 15, one node", "servers": "4 app servers", "network": "ALB"},
    )
    base = build_baseline(p, extract_facts(p))
    users = {t: base.users_at(base.state.tier_rps(t)) for t in ("database", "app", "network")}
    assert users == {"database": 840, "app": 1344, "network": 2688}
    assert "**840**" in example and "1,344" in example and "2,688" in example
    assert f"{base.required_rps:.1f}" == "2976.2" and "2976.2" in example

    catalogue = load_catalogue()
    factor = catalogue.get("slow-query-indexes").effects[0].demand_factor.mid
    after = base.state.with_demand("database", factor)
    assert f"{after.tier_rps('database'):.1f}" == "555.6" and "555.6" in example
    assert base.users_at(after.tier_rps("database")) == 1866 and "**1,866**" in example

    scaling = catalogue.get("horizontal-app-scaling").scaling
    assert scaling is not None
    sigma, kappa = scaling.sigma.mid, scaling.kappa.mid
    assert sigma == pytest.approx(0.006) and kappa == pytest.approx(0.0000055)
    unit = base.state.tiers["app"].unit_rps
    assert f"{unit:.1f}" == "109.6" and usl_peak(sigma, kappa, 10**6) == 425
    servers = units_for(base.required_rps, unit, sigma, kappa, 5, 425)
    assert servers == 33 and "**33** servers" in example
    assert round(unit * usl(servers, sigma, kappa)) == 3020 and "3020" in example
    assert math.ceil(base.required_rps / unit) == 28 and "not the 28" in example
