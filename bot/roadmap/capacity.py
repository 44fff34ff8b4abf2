"""A transparent capacity model built on the operational laws (see docs/capacity-model.md).

- Interactive response-time law: X = N / (R + Z) turns concurrent users into requests/s.
- Utilisation law: U = X * D per tier, so a tier saturates at X = 1 / D per unit.
- Universal Scalability Law: n units give C1 * n / (1 + sigma (n-1) + kappa n (n-1)),
  never a free linear claim.

The model is calibrated on what the team told us: today's peak throughput and how busy each
tier is at that peak. Every number the engine prints is derived here or in the catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.roadmap.facts import ArchitectureFacts, Fact
from bot.roadmap.schema import TIER_LABELS, TIERS, CapacityPoint, Range, SystemProfile, Tier

# Defaults, each stated in docs/capacity-model.md and repeated in a roadmap's assumptions.
THINK_TIME_S = 10.0
RESPONSE_TIME_S = 0.3
SAFE_UTILISATION = 0.7
BUSY_UTILISATION = 0.9  # binding tier at today's peak when the team reports trouble
OUTAGE_UTILISATION = 1.0  # binding tier when they report outages or errors >= 1%
OTHER_UTILISATION: dict[Tier, float] = {"app": 0.5, "database": 0.5, "network": 0.25}
EVIDENCED_SHARE = 0.8  # a tier with symptoms but not the worst: this share of the binding tier's U
# USL coefficients of today's deployment, before any pattern changes them.
CURRENT_USL: dict[Tier, tuple[float, float]] = {
    "app": (0.03, 0.0005),
    "database": (0.2, 0.005),
    "network": (0.0, 0.0),
}
BINDING_PREFERENCE: tuple[Tier, ...] = ("database", "app", "network")

Scenario = Literal["optimistic", "expected", "conservative"]
SCENARIOS: tuple[Scenario, ...] = ("optimistic", "expected", "conservative")


def pick(value: Range, scenario: Scenario) -> float:
    """Ranges hold (best case, worst case) for factors that shrink demand or contention."""
    if scenario == "optimistic":
        return value.low
    if scenario == "conservative":
        return value.high
    return value.mid


def usl(n: float, sigma: float, kappa: float) -> float:
    """Relative capacity of n units under the Universal Scalability Law."""
    return n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def usl_peak(sigma: float, kappa: float, ceiling: int) -> int:
    """Units beyond sqrt((1 - sigma) / kappa) lower throughput; never plan past that."""
    if kappa <= 0:
        return ceiling
    return max(1, min(ceiling, math.floor(math.sqrt((1 - sigma) / kappa))))


def units_for(required: float, per_unit: float, sigma: float, kappa: float, lo: int, hi: int) -> int | None:
    """Smallest unit count in [lo, hi] reaching `required`; None when even hi falls short."""
    if per_unit * usl(hi, sigma, kappa) < required:
        return None
    while lo < hi:  # usl is increasing up to its peak, and hi never exceeds the peak
        mid = (lo + hi) // 2
        if per_unit * usl(mid, sigma, kappa) >= required:
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(frozen=True, slots=True)
class TierState:
    unit_rps: float  # one unit's throughput at U = 1 with today's demand per request
    units: int
    sigma: float
    kappa: float
    demand: float = 1.0  # cumulative demand factor from the patterns applied so far
    partitions: int = 1  # independent copies of the tier's layout (shards)
    part_sigma: float = 0.0
    part_kappa: float = 0.0

    @property
    def per_unit_rps(self) -> float:
        return self.unit_rps / self.demand

    def capacity_rps(self) -> float:
        return (
            self.per_unit_rps
            * usl(self.units, self.sigma, self.kappa)
            * usl(self.partitions, self.part_sigma, self.part_kappa)
        )


@dataclass(frozen=True, slots=True)
class CapacityState:
    tiers: dict[Tier, TierState]
    cells: int = 1
    cell_sigma: float = 0.0
    cell_kappa: float = 0.0

    def cell_factor(self) -> float:
        return usl(self.cells, self.cell_sigma, self.cell_kappa)

    def tier_rps(self, tier: Tier) -> float:
        return self.tiers[tier].capacity_rps() * self.cell_factor()

    def system_rps(self) -> float:
        return min(self.tier_rps(t) for t in TIERS)

    def binding(self) -> Tier:
        return min(BINDING_PREFERENCE, key=self.tier_rps)

    def with_demand(self, tier: Tier, factor: float) -> CapacityState:
        current = self.tiers[tier]
        return replace(self, tiers={**self.tiers, tier: replace(current, demand=current.demand * factor)})

    def with_units(self, tier: Tier, units: int, sigma: float, kappa: float) -> CapacityState:
        current = self.tiers[tier]
        updated = replace(current, units=units, sigma=sigma, kappa=kappa)
        return replace(self, tiers={**self.tiers, tier: updated})

    def with_partitions(self, tier: Tier, partitions: int, sigma: float, kappa: float) -> CapacityState:
        current = self.tiers[tier]
        updated = replace(current, partitions=partitions, part_sigma=sigma, part_kappa=kappa)
        return replace(self, tiers={**self.tiers, tier: updated})

    def with_cells(self, cells: int, sigma: float, kappa: float) -> CapacityState:
        return replace(self, cells=cells, cell_sigma=sigma, cell_kappa=kappa)


@dataclass(frozen=True, slots=True)
class Projection:
    """The same plan under best-case, expected and worst-case figures from the ranges."""

    optimistic: CapacityState
    expected: CapacityState
    conservative: CapacityState

    def get(self, scenario: Scenario) -> CapacityState:
        return getattr(self, scenario)  # type: ignore[no-any-return]

    def map(self, change: Callable[[CapacityState, Scenario], CapacityState]) -> Projection:
        return Projection(*(change(self.get(s), s) for s in SCENARIOS))


@dataclass(frozen=True)
class Baseline:
    """Today's system as the laws see it, calibrated on the answers."""

    think_time_s: float
    response_time_s: float  # today's, used to read the think time off today's peak
    planned_response_s: float  # at the design point: never slower than a healthy default
    current_users: int
    target_users: int
    current_rps: float
    target_rps: float
    utilisation: dict[Tier, float]
    binding_now: Tier
    state: CapacityState
    assumptions: list[str] = field(default_factory=list)
    safe_utilisation: float = SAFE_UTILISATION

    @property
    def seconds_per_request_cycle(self) -> float:
        return self.planned_response_s + self.think_time_s

    @property
    def required_rps(self) -> float:
        """Capacity at U = 1 that keeps the target at the safe utilisation."""
        return self.target_rps / self.safe_utilisation

    def users_at(self, rps: float) -> int:
        """Sustainable concurrent users when a capacity of `rps` (at U = 1) is run at the safe U."""
        return math.floor(rps * self.safe_utilisation * self.seconds_per_request_cycle + 1e-6)

    def point(self, label: str, projection: Projection, monthly_cost: Range) -> CapacityPoint:
        expected = projection.expected
        users = self.users_at(expected.system_rps())
        return CapacityPoint(
            label=label,
            users=users,
            rps=round(expected.system_rps() * self.safe_utilisation, 1),
            binding_tier=expected.binding(),
            tier_users={t: self.users_at(expected.tier_rps(t)) for t in TIERS},
            meets_target=users >= self.target_users,
            monthly_cost=monthly_cost,
        )


def _binding_tier(facts: ArchitectureFacts) -> tuple[Tier, str]:
    quoted = facts.quoted_utilisation
    if quoted:
        tier = max(BINDING_PREFERENCE, key=lambda t: quoted.get(t, 0.0))
        return tier, f"you quoted {TIER_LABELS[tier]} at {quoted[tier]:.0%}"
    scores = {t: len(facts.tier_evidence.get(t, [])) for t in TIERS}
    if max(scores.values()) == 0:
        return "database", "no symptom named a tier, so the database is assumed to bind (the most common case)"
    tier = max(BINDING_PREFERENCE, key=lambda t: scores[t])
    words = ", ".join(dict.fromkeys(facts.tier_evidence[tier]))[:120]
    return tier, f"your symptoms point at the {TIER_LABELS[tier]} ({words})"


def build_baseline(profile: SystemProfile, facts: ArchitectureFacts) -> Baseline:
    notes: list[str] = []
    measured = profile.measurements
    if measured.p95_latency_ms:
        response = measured.p95_latency_ms / 1000
        notes.append(f"Response time R = your p95 of {measured.p95_latency_ms:g} ms (an upper bound on the mean).")
    else:
        response = RESPONSE_TIME_S
        notes.append(f"Response time R = {RESPONSE_TIME_S:g} s (default; give p95 latency to replace it).")
    if measured.peak_rps:
        current_rps = measured.peak_rps
        think = profile.current_users / current_rps - response
        if think < 0:
            notes.append(
                f"Your {measured.peak_rps:g} req/s from {profile.current_users:,} users means more than one request "
                "in flight per user; think time Z set to 0."
            )
            think = 0.0
        else:
            notes.append(f"Think time Z = {think:.1f} s, derived from your peak of {measured.peak_rps:g} req/s.")
    else:
        think = THINK_TIME_S
        current_rps = profile.current_users / (response + think)
        notes.append(
            f"Think time Z = {THINK_TIME_S:g} s between a user's requests (default; give peak req/s to replace it)."
        )
    planned = min(response, RESPONSE_TIME_S)
    if planned < response:
        notes.append(
            f"At the target, R = {planned:g} s: a healthy system answers fast, and faster answers mean more "
            "requests per user (the conservative choice for capacity)."
        )
    cycle = planned + think
    target_rps = profile.target_users / cycle

    binding, reason = _binding_tier(facts)
    quoted = facts.quoted_utilisation
    if binding in quoted:
        busy = quoted[binding]
    elif facts.has(Fact.OUTAGES):
        busy = OUTAGE_UTILISATION
    else:
        busy = BUSY_UTILISATION
    utilisation: dict[Tier, float] = {}
    for tier in TIERS:
        if tier == binding:
            utilisation[tier] = busy
        elif tier in quoted:
            utilisation[tier] = min(quoted[tier], busy)
        elif facts.tier_evidence.get(tier):
            utilisation[tier] = EVIDENCED_SHARE * busy
        else:
            utilisation[tier] = min(OTHER_UTILISATION[tier], EVIDENCED_SHARE * busy)
    notes.append(
        f"Binding tier today: {TIER_LABELS[binding]}, because {reason}; taken as {busy:.0%} busy at today's peak."
    )
    units: dict[Tier, int] = {"app": facts.app_servers, "database": 1 + facts.db_replicas, "network": 1}
    tiers: dict[Tier, TierState] = {}
    for tier in TIERS:
        sigma, kappa = CURRENT_USL[tier]
        tier_rps = current_rps / utilisation[tier]
        tiers[tier] = TierState(
            unit_rps=tier_rps / usl(units[tier], sigma, kappa), units=units[tier], sigma=sigma, kappa=kappa
        )
    notes.append(
        "Today's units: "
        f"{units['app']} app server(s), {units['database']} database node(s); "
        f"a tier is planned to run at no more than {SAFE_UTILISATION:.0%} utilisation."
    )
    return Baseline(
        think_time_s=think,
        response_time_s=response,
        planned_response_s=planned,
        current_users=profile.current_users,
        target_users=profile.target_users,
        current_rps=current_rps,
        target_rps=target_rps,
        utilisation=utilisation,
        binding_now=binding,
        state=CapacityState(tiers=tiers),
        assumptions=notes,
    )
