"""A transparent capacity model built on the operational laws (see docs/capacity-model.md).

- Little's law for a closed loop, N = X (R + Z): concurrent users and requests/s convert through
  the requests each user makes per second, measured at today's peak when the team gives it.
- Utilisation law: U = X * D per tier, so a tier at utilisation U today carries X / U at U = 1.
- Universal Scalability Law: n units give C1 * n / (1 + sigma (n-1) + kappa n (n-1)),
  never a free linear claim; a hot row is its contention term, which no hardware removes.

The model is calibrated on what the team told us: today's peak throughput and how busy each
tier is at that peak. Every number the engine prints is derived here or in the catalogue, and
every assumption is recorded with its origin (measured, stated by the team, or a default).
This module holds the laws, the defaults and the states; calibration.py (with peak.py) builds
today's Baseline from the answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.i18n import N_, Language
from bot.roadmap.rounding import sig2, users2
from bot.roadmap.schema import MODEL_TIERS, CapacityPoint, Range, Tier
from bot.roadmap.traffic import Traffic
from bot.roadmap.wording import origin as origin_name

# Defaults, each stated in docs/capacity-model.md and repeated in a roadmap's assumptions.
THINK_TIME_S = 10.0
RESPONSE_TIME_S = 0.3  # mean response time when nothing is measured
P95_PER_MEAN = 3.0  # exponential response times: p95 = ln(20) x mean = 3.0 x mean
SAFE_UTILISATION = 0.7
SATURATED_UTILISATION = 1.0  # the tier that gives way, when the team reports failures and no figure explains them
BUSY_UTILISATION = 0.7  # a tier the symptoms name, when nothing fails and no figure is quoted: no headroom assumed
STRAINED_UTILISATION = 0.6  # a tier the symptoms name, when another tier's figure explains the failures
IDLE_UTILISATION = 0.5  # a tier nobody mentioned
ORIGIN_LINK_BPS = 1e9  # an origin's link when nobody names one (a default: cloud VMs get 1 to 10 Gbit/s and more)
EXPLAINED_UTILISATION = 0.85  # a quoted figure at or above this explains failures at peak
MIN_UTILISATION = 0.05  # below this a quoted figure says little about capacity; never extrapolate past 20x
# USL coefficients of today's deployment, before any pattern changes them.
CURRENT_USL: dict[Tier, tuple[float, float]] = {
    "app": (0.03, 0.0005),
    "database": (0.2, 0.005),
    "network": (0.0, 0.0),
    "contention": (0.0, 0.0),
}
SHARDED_USL = (0.01, 0.0001)  # a database already split into shards: little cross-shard work (default)
BINDING_PREFERENCE: tuple[Tier, ...] = ("contention", "database", "app", "network")

MEASURED, STATED, DEFAULT, DERIVED = "measured", "you said", "default", "derived"

# What replaces an assumed utilisation with a measured one, per tier (printed beside its figure).
MEASURE_TO_REPLACE: dict[Tier, str] = {
    "database": N_("DB CPU at peak and the p95 of the slowest query"),
    "app": N_("the app servers' CPU (or busy workers) at peak"),
    "network": N_("origin egress at peak against the link's bandwidth"),
    "contention": N_("lock wait time per request at peak"),
}


def note(origin: str, text: str, lang: Language = "en") -> str:
    """An assumption as printed: its origin first, so a reader knows which ones to correct."""
    return f"[{origin_name(origin, lang)}] {text}"


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
    unit_rps: float  # one unit's throughput at the tier's planning ceiling with today's demand per request
    units: int
    sigma: float
    kappa: float
    demand: float = 1.0  # cumulative demand factor from the patterns applied so far
    partitions: int = 1  # independent copies of the tier's layout (shards)
    part_sigma: float = 0.0
    part_kappa: float = 0.0
    counted: bool = True  # False: today's unit count was not stated, so one unit stands for today's fleet
    # demand factor already applied per mechanism (bot/roadmap/overlap.py): a later cut by the same
    # mechanism only adds what it removes beyond this
    cuts: tuple[tuple[str, float], ...] = ()
    size_steps: int = 0  # instance sizes grown since today (each doubles vCPU and memory)
    size_room: int = 0  # sizes the tier's nodes can still grow from today's (see size_room below)

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
        return min(self.tier_rps(t) for t in self.tiers)

    def binding(self) -> Tier:
        return min((t for t in BINDING_PREFERENCE if t in self.tiers), key=self.tier_rps)

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
        if scenario == "optimistic":
            return self.optimistic
        if scenario == "conservative":
            return self.conservative
        return self.expected

    def map(self, change: Callable[[CapacityState, Scenario], CapacityState]) -> Projection:
        return Projection(*(change(self.get(s), s) for s in SCENARIOS))


@dataclass(frozen=True)
class Baseline:
    """Today's system as the laws see it, calibrated on the answers.

    Tier capacities are held at each tier's planning ceiling (usually 70% busy), so a capacity
    in requests/s converts to users by Little's law alone: users = capacity / requests per user.
    """

    per_user_rps: float  # requests each concurrent user makes per second at peak (N = X (R + Z))
    think_time_s: float
    response_time_s: float  # today's mean response time (from p95 with a stated factor, or a default)
    current_users: int
    target_users: int
    current_rps: float
    utilisation: dict[Tier, float]  # today, at the peak
    ceilings: dict[Tier, float]  # the utilisation each tier is planned to run at
    binding_now: Tier
    state: CapacityState
    failing: bool  # the team reports failures at today's peak
    open_workload: bool
    traffic: Traffic = field(default_factory=Traffic)
    assumptions: list[str] = field(default_factory=list)
    measure: list[str] = field(default_factory=list)  # what to measure to replace the defaults
    # tiers whose capacity rests on a default utilisation, not a figure the team gave: what to measure
    assumed: dict[Tier, str] = field(default_factory=dict)

    @property
    def planned_response_s(self) -> float:
        return self.response_time_s

    @property
    def target_rps(self) -> float:
        return self.target_users * self.per_user_rps

    @property
    def required_rps(self) -> float:
        """Capacity (at the planning ceilings) that carries the target."""
        return self.target_rps

    @property
    def tiers(self) -> tuple[Tier, ...]:
        return tuple(t for t in MODEL_TIERS if t in self.state.tiers)

    def users_at(self, rps: float) -> int:
        """Concurrent users a capacity of `rps` carries at the planning ceilings (Little's law)."""
        return math.floor(rps / self.per_user_rps + 1e-6)

    @property
    def capacity_now_users(self) -> int:
        return self.users_at(self.state.system_rps())

    @property
    def over_capacity_now(self) -> bool:
        return self.capacity_now_users < self.current_users

    def point(self, label: str, projection: Projection, monthly_cost: Range) -> CapacityPoint:
        expected = projection.expected
        users = self.users_at(expected.system_rps())
        return CapacityPoint(  # figures to two significant figures, rounded down: what the estimate supports
            label=label,
            users=users2(users),
            rps=sig2(expected.system_rps()),
            binding_tier=expected.binding(),
            tier_users={t: users2(self.users_at(expected.tier_rps(t))) for t in self.tiers},
            meets_target=users >= self.target_users,
            monthly_cost=monthly_cost,
        )
