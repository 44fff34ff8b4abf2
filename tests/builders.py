"""Valid domain objects built by hand, so storage tests do not depend on an engine's output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    CapacityPoint,
    Confidence,
    Cost,
    Difficulty,
    Effort,
    Impact,
    Range,
    Roadmap,
    RoadmapItem,
    Stage,
    Summary,
    SystemProfile,
)

_PROFILE: dict[str, Any] = {
    "system_name": "Checkout API",
    "current_users": 1200,
    "target_users": 1_000_000,
    "core_features": ["browse catalogue", "checkout", "order history"],
    "architecture": {
        "database": "PostgreSQL 14, one 4 vCPU primary, no replicas",
        "servers": "2 x 2 vCPU VMs running Django under gunicorn",
        "network": "single region, no CDN",
    },
    "bottlenecks": "The database CPU hits 100% at peak; p95 latency goes above 3 s.",
    "budget": {"monthly_amount": "2000", "currency": "USD", "constraints": "no managed Kubernetes"},
    "measurements": {"peak_rps": 350, "p95_latency_ms": 3200, "error_rate_pct": 2.5},
}

# (item id, pattern id, title): two items per stage, each later stage building on the one before.
DEFAULT_ITEMS: tuple[tuple[str, str | None, str], ...] = (
    ("1.1", "slow-query-indexes", "Index the slow queries"),
    ("1.2", "load-test-baseline", "Measure a load-test baseline"),
    ("2.1", "read-replicas", "Add read replicas"),
    ("2.2", "timeouts-circuit-breakers", "Add timeouts and circuit breakers"),
    ("3.1", "cell-architecture", "Split into cells"),
    ("3.2", None, "Quarterly capacity review"),
)


def sample_profile(**overrides: Any) -> SystemProfile:
    """The sample questionnaire; top-level fields can be replaced, e.g. ``sample_profile(system_name="Search")``."""
    return SystemProfile.model_validate({**_PROFILE, **overrides})


def sample_item(
    item_id: str, title: str | None = None, *, pattern_id: str | None = None, depends_on: Sequence[str] = ()
) -> RoadmapItem:
    return RoadmapItem(
        id=item_id,
        pattern_id=pattern_id,
        title=title or f"Item {item_id}",
        why="The database is the binding tier at peak.",
        steps=["Do the work", "Roll it out behind a flag"],
        impact=Impact(metric="p95 latency", change_pct=Range(low=-60, high=-30), confidence=Confidence.MEDIUM),
        capacity_gain=1.5,
        tiers=["database"],
        difficulty=Difficulty.MEDIUM,
        effort=Effort(person_days=Range(low=2, high=5), weeks=Range(low=0.5, high=1)),
        cost=Cost(currency="USD", one_off=Range(low=0, high=500), monthly=Range(low=0, high=200)),
        score=2.0,
        depends_on=list(depends_on),
        verify=["p95 latency under 800 ms in the load test"],
    )


def sample_roadmap(
    items: Sequence[tuple[str, str | None, str]] = DEFAULT_ITEMS, *, system_name: str = "Checkout API"
) -> Roadmap:
    """A valid three-stage roadmap from (item id, pattern id, title) triples; every stage needs at least one item.

    The first item of stages 2 and 3 depends on the first item of the stage before.
    """
    stages: list[Stage] = []
    for number in (1, 2, 3):
        stage_items: list[RoadmapItem] = []
        for item_id, pattern_id, title in (entry for entry in items if entry[0].startswith(f"{number}.")):
            depends_on = [stages[-1].items[0].id] if stages and not stage_items else []
            stage_items.append(sample_item(item_id, title, pattern_id=pattern_id, depends_on=depends_on))
        stages.append(
            Stage(
                number=number,
                name=STAGE_NAMES[number],
                horizon=STAGE_HORIZONS[number],
                items=stage_items,
                capacity_after=_capacity(f"after stage {number}", 10_000 * 10**number, meets=number == 3),
            )
        )
    return Roadmap(
        engine="rules",
        system_name=system_name,
        summary=Summary(
            headline=f"{system_name}: 1.2k -> 1M concurrent users",
            current_users=1200,
            target_users=1_000_000,
            scale_factor=1_000_000 / 1200,
            capacity_now=_capacity("now", 1500, meets=False),
            binding_bottleneck="database CPU",
            target_reachable=True,
            verdict="The target is reached after stage 3, within the budget.",
            budget_note="Within USD 2,000 a month.",
        ),
        stages=stages,
    )


def _capacity(label: str, users: int, *, meets: bool) -> CapacityPoint:
    return CapacityPoint(
        label=label,
        users=users,
        rps=users * 0.3,
        binding_tier="database",
        tier_users={"app": users * 2, "database": users, "network": users * 4},
        meets_target=meets,
        monthly_cost=Range(low=0, high=1000),
    )
