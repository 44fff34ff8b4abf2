"""The pattern catalogue: scaling patterns kept as data (``patterns.yaml``), validated on load.

Every figure the rules engine prints about a pattern comes from here, and each entry names
the source of its figures so a reader can check them.
"""

from __future__ import annotations

from functools import cache, cached_property
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.roadmap.reading.facts import Fact
from bot.roadmap.schema import Confidence, Difficulty, Range, Tier

PatternId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Keywords(_Model):
    en: list[Text] = Field(default_factory=list)
    ko: list[Text] = Field(default_factory=list)


# Workload kinds a pattern may name (bot/roadmap/workload/ reads them from the answers).
WORKLOAD_KINDS = frozenset(
    {
        "read-heavy",
        "write-heavy",
        "strong-consistency",
        "inventory",
        "multi-tenant",
        "realtime",
        "media",
        "analytics",
        "spiky-reads",
        "api-only",
        "tiny-team",
        "known-event",
    }
)
Severity = Literal["correctness", "data-loss", "availability", "capacity", "latency", "cost"]


class Condition(_Model):
    """When a contraindication or a stack variant applies: every field given must hold (any value within one)."""

    kinds: list[str] = Field(default_factory=list, description="Any of these workload kinds is read")
    not_kinds: list[str] = Field(default_factory=list, description="None of these workload kinds is read")
    facts: list[Fact] = Field(default_factory=list, description="Any of these facts holds")
    database: list[Literal["mysql", "postgresql", "mongodb"]] = Field(default_factory=list)
    runtime: list[Literal["jvm", "python", "ruby", "node", "php", "go"]] = Field(default_factory=list)
    managed_db: bool | None = None
    self_managed_db: bool | None = None
    small_host: bool | None = None
    spike: bool | None = Field(default=None, description="A spike multiplier was stated")
    contention: bool | None = Field(default=None, description="Lock waits, deadlocks or hot rows were named")
    at_largest_size: bool | None = Field(default=None, description="The team says the database is the largest size")
    managed_lb: bool | None = Field(default=None, description="A managed load balancer (ALB, NLB, cloud) is in place")
    target_below: int | None = Field(default=None, ge=1, description="Target concurrent users below this")
    team_below: int | None = Field(default=None, ge=1, description="The team says how many engineers, fewer than this")
    said: Keywords | None = Field(default=None, description="Any of these words appears in the answers")
    db_busy_below: float | None = Field(
        default=None, gt=0, le=1, description="The team quoted database utilisation at peak, and it is below this"
    )

    @model_validator(mode="after")
    def _known_kinds(self) -> Condition:
        unknown = set(self.kinds + self.not_kinds) - WORKLOAD_KINDS
        if unknown:
            raise ValueError(f"unknown workload kinds {sorted(unknown)}")
        return self


class Contraindication(_Model):
    """When the pattern must not be recommended, and the reason the roadmap prints."""

    when: Condition
    reason: Text
    reason_ko: Text | None = Field(default=None, description="The same reason in Korean, for a Korean roadmap")
    unless_named: bool = Field(
        default=False, description="Waived when the team's own words name the pattern (a keyword or a named problem)"
    )


class Variant(_Model):
    """Steps (and optionally title and checks) written for one stack: MySQL vs PostgreSQL, a droplet vs RDS."""

    when: Condition
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    steps: Annotated[list[Text], Field(min_length=2, max_length=5)] | None = None
    verify: Annotated[list[Text], Field(min_length=1, max_length=3)] | None = None
    effects: list[Effect] | None = Field(
        default=None, description="What it does to the tiers on this stack (one box resized lifts app and database)"
    )


class Answers(_Model):
    """Phrases of a named problem (bottlenecks answer) that this pattern addresses, with a rank among answers."""

    en: list[Text] = Field(default_factory=list)
    ko: list[Text] = Field(default_factory=list)
    rank: int = Field(default=5, ge=1, le=9, description="1 = the first answer to reach for")


class Triggers(_Model):
    """When the engine picks a pattern. Any positive trigger suffices; exclusions win."""

    keywords: Keywords = Keywords()
    workloads: list[str] = Field(default_factory=list, description="Picked when one of these kinds is read")
    binding_tiers: list[Tier] = Field(
        default_factory=list, description="Picked when one of these tiers binds at the stage's start"
    )
    when_target_unmet: bool = Field(
        default=False, description="Picked when the projection before this stage misses the target"
    )
    always: bool = False
    min_scale_factor: float = Field(default=1.0, ge=1.0, description="Only when target/current >= this")
    requires_facts: list[Fact] = Field(default_factory=list, description="All must hold")
    excluded_by_facts: list[Fact] = Field(
        default_factory=list, description="Skipped when any holds (the team already has it)"
    )

    @model_validator(mode="after")
    def _known_workloads(self) -> Triggers:
        unknown = set(self.workloads) - WORKLOAD_KINDS
        if unknown:
            raise ValueError(f"unknown workload kinds {sorted(unknown)}")
        return self


class Effect(_Model):
    """Multiplies one tier's service demand per request (D in U = X * D)."""

    tier: Tier
    demand_factor: Range = Field(description="low = best case; 0 < low <= high <= 1")

    @model_validator(mode="after")
    def _bounds(self) -> Effect:
        if not (0 < self.demand_factor.low <= self.demand_factor.high <= 1):
            raise ValueError("demand_factor must satisfy 0 < low <= high <= 1")
        return self


class Scaling(_Model):
    """Adds units to a tier (or whole-stack cells); throughput follows the USL, never linear.

    `units` grows the tier's node count (its USL coefficients replaced by these); `partitions`
    splits the tier into independent copies of its current layout (shards, each with its own
    replicas), priced per node; `cells` copies the whole stack.
    """

    tier: Tier | Literal["cells"]
    mode: Literal["units", "partitions"] = "units"
    units_label: Annotated[str, StringConstraints(min_length=1, max_length=40)] = "units"
    sigma: Range = Field(description="USL contention coefficient after the change (low = best case)")
    kappa: Range = Field(description="USL coherency coefficient after the change (low = best case)")
    max_units: int = Field(ge=2, le=10_000)
    min_units: int = Field(default=2, ge=1)
    unit_cost_monthly_usd: Range

    @model_validator(mode="after")
    def _bounds(self) -> Scaling:
        if not (self.sigma.low >= 0 and self.sigma.high < 1 and self.kappa.low >= 0 and self.kappa.high < 1):
            raise ValueError("USL coefficients must satisfy 0 <= sigma < 1 and 0 <= kappa < 1")
        if self.tier == "cells" and self.mode != "units":
            raise ValueError("cells scale in units only")
        return self


class PatternImpact(_Model):
    metric: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    change_pct: Range
    confidence: Confidence


class PatternEffort(_Model):
    person_days: Range
    weeks: Range


class PatternCost(_Model):
    one_off_usd: Range = Range(low=0, high=0)
    monthly_usd: Range = Range(low=0, high=0)


class Sources(_Model):
    """Where each kind of figure comes from: a case study, a vendor document or a law."""

    impact: Text
    effort: Text
    cost: Text
    effects: Text | None = None
    scaling: Text | None = None


class Pattern(_Model):
    id: PatternId
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    stage: Literal[1, 2, 3]
    category: Literal[
        "database", "caching", "delivery", "scaling", "async", "resilience", "observability", "architecture"
    ]
    why: Text = Field(description="Why it helps; may use {tier_label}, {units}, {units_from}")
    triggers: Triggers
    effects: list[Effect] = Field(default_factory=list)
    scaling: Scaling | None = None
    impact: PatternImpact
    resilience: int = Field(ge=0, le=3, description="Benefit beyond capacity: isolation, visibility, safety")
    difficulty: Difficulty
    effort: PatternEffort
    cost: PatternCost = PatternCost()
    requires: list[PatternId] = Field(default_factory=list)
    steps: Annotated[list[Text], Field(min_length=2)]
    verify: Annotated[list[Text], Field(min_length=1)]
    sources: Sources
    prerequisites: list[Text] = Field(default_factory=list, description="What must be true before starting")
    contraindications: list[Contraindication] = Field(default_factory=list)
    answers: Answers = Answers()
    event_lever: bool = Field(default=False, description="Pulled into stage 1 when a known event is near")
    variants: list[Variant] = Field(default_factory=list, description="First matching variant replaces the text")

    @model_validator(mode="after")
    def _figures_have_sources(self) -> Pattern:
        if self.effects and not self.sources.effects:
            raise ValueError(f"{self.id}: effects need sources.effects")
        if self.scaling and not self.sources.scaling:
            raise ValueError(f"{self.id}: scaling needs sources.scaling")
        return self

    @property
    def tiers(self) -> list[Tier]:
        tiers: list[Tier] = [e.tier for e in self.effects]
        if self.scaling and self.scaling.tier != "cells":
            tiers.append(self.scaling.tier)
        return list(dict.fromkeys(tiers))


class Catalogue(_Model):
    patterns: Annotated[list[Pattern], Field(min_length=1)]

    @model_validator(mode="after")
    def _links(self) -> Catalogue:
        by_id: dict[str, Pattern] = {}
        for pattern in self.patterns:
            if pattern.id in by_id:
                raise ValueError(f"pattern id {pattern.id} is used twice")
            by_id[pattern.id] = pattern
        for pattern in self.patterns:
            for dep in pattern.requires:
                if dep not in by_id:
                    raise ValueError(f"{pattern.id} requires unknown pattern {dep}")
                if by_id[dep].stage > pattern.stage:
                    raise ValueError(f"{pattern.id} (stage {pattern.stage}) requires {dep} from a later stage")
        for stage in (1, 2, 3):
            if not any(p.stage == stage and p.triggers.always for p in self.patterns):
                raise ValueError(f"stage {stage} needs at least one 'always' pattern so it is never empty")
        return self

    @cached_property
    def _by_id(self) -> dict[str, Pattern]:
        return {p.id: p for p in self.patterns}

    def get(self, pattern_id: str) -> Pattern:
        return self._by_id[pattern_id]

    def tailored(self, patterns: dict[str, Pattern]) -> Catalogue:
        """The same catalogue with some patterns replaced by this system's variants (same ids, same order)."""
        if not patterns:
            return self
        return Catalogue.model_construct(patterns=[patterns.get(p.id, p) for p in self.patterns])


def parse_catalogue(text: str) -> Catalogue:
    return Catalogue.model_validate(yaml.safe_load(text))


@cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue, parsed once per process."""
    text = resources.files("bot.roadmap").joinpath("patterns.yaml").read_text(encoding="utf-8")
    return parse_catalogue(text)
