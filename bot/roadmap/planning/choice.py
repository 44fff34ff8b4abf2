"""A pattern chosen for a stage: what the planner learns about it, and the levers that size by instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.roadmap.capacity import SCENARIOS, pick
from bot.roadmap.catalogue import Pattern
from bot.roadmap.overlap import mechanism, shared_mechanisms
from bot.roadmap.schema import Range, Tier

if TYPE_CHECKING:
    from bot.roadmap.planning.prices import Pricing

ZERO = Range(low=0, high=0)


@dataclass(eq=False)
class Choice:
    """A pattern chosen for a stage, and everything the planner learns about it."""

    pattern: Pattern
    reasons: list[str]
    prerequisite: bool = False  # pulled in only because another choice needs it first
    units: int | None = None  # scaling patterns: the size chosen; None = not (or not usefully) sized
    units_from: int | None = None
    notes: list[str] = field(default_factory=list)
    doublings: float = 0.0  # capacity doublings toward the target on its tiers: part of the benefit
    system_gain: float = 0.0  # doublings of system capacity it adds at its turn: the main benefit
    capacity_gain: float = 1.0  # its share of the stage's system capacity gain, for display
    score: float = 0.0
    one_off: Range = ZERO
    monthly: Range = ZERO
    impact_change: Range | None = None  # scaling patterns: the modelled tier change, in percent
    deferred: str | None = None
    budget_limited: bool = False
    item_id: str = ""
    resize_of: Choice | None = None  # a later stage growing what an earlier item scaled out
    base_monthly: Range = ZERO  # the lever's own monthly cost, before units
    unit_monthly: Range = ZERO  # one more unit (scaling levers), in the roadmap's currency
    pricing: Pricing | None = None
    effect: str | None = None  # what the model computes for it: its tiers' change and the binding tier after it
    relative: bool = False  # today's count was not stated: units are multiples of today's fleet
    steps: int = 1  # a size lever's instance sizes above today's, in total: its factor to this power
    steps_from: int = 0  # a size lever's sizes before this item (a later stage growing it further)
    size_factor: float = 1.0  # database nodes added at a grown size cost this many times today's node
    goal: float = 0.0  # scaling levers: the capacity (req/s) the last planning sizing aimed at
    full_goal: float = 0.0  # ... and the largest one this stage aimed at: lower means money cut it down
    full_units: int | None = None  # units at the largest goal
    _effects_cache: tuple[tuple[Tier, tuple[float, float, float], str], ...] | None = field(default=None, repr=False)
    _usl_cache: tuple[tuple[float, float], ...] | None = field(default=None, repr=False)

    def picked_effects(self) -> tuple[tuple[Tier, tuple[float, float, float], str], ...]:
        """Each effect's demand factor in the three scenarios and its mechanism, computed once per choice."""
        if self._effects_cache is None:
            effects = []
            for e in self.pattern.effects:
                low, mid, high = (pick(e.demand_factor, s) ** self.steps for s in SCENARIOS)
                effects.append((e.tier, (low, mid, high), mechanism(self.pattern.id, e.tier)))
            self._effects_cache = tuple(effects)
        return self._effects_cache

    def set_steps(self, steps: int) -> None:
        self.steps = steps
        self._effects_cache = None

    def picked_usl(self) -> tuple[tuple[float, float], ...]:
        scaling = self.pattern.scaling
        assert scaling is not None
        if self._usl_cache is None:
            self._usl_cache = tuple((pick(scaling.sigma, s), pick(scaling.kappa, s)) for s in SCENARIOS)
        return self._usl_cache

    @property
    def first(self) -> Choice:
        """The item that introduced this lever (itself, unless this is a re-size)."""
        return self.resize_of.first if self.resize_of is not None else self

    @property
    def is_scaling(self) -> bool:
        return self.pattern.scaling is not None

    @property
    def is_size(self) -> bool:
        """A vertical lever: each step one instance size up for every node of its tier."""
        return self.pattern.id in SIZE_LEVERS

    @property
    def active(self) -> bool:
        if self.pattern.scaling is not None:
            return self.units is not None
        if self.resize_of is not None and self.pattern.id in SIZE_LEVERS:
            return self.steps > self.steps_from  # growing a size lever further, or nothing
        return True


# Levers that grow a tier's nodes by instance sizes (each doubles vCPU, memory and price).
SIZE_LEVERS: dict[str, Tier] = {"database-scale-up": "database"}
# Mechanisms the model takes the strongest of: those several patterns share, and a size lever's own
# (a later stage's further sizes are counted beyond the earlier ones). The rest simply multiply.
SHARED_MECHANISMS = shared_mechanisms() | {mechanism(p, t) for p, t in SIZE_LEVERS.items()}
