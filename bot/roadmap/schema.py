"""The questionnaire and the roadmap: one model shared by every engine, the CLI and Slack.

The profile validates what a person types (modal or file); the roadmap validates what an
engine produces, so an LLM answer that breaks the rules fails here, not in front of a user.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

MAX_USERS = 10_000_000_000
MAX_TEXT = 3000  # Slack's plain_text_input limit: a modal answer can never be longer
MAX_FEATURES = 30

Tier = Literal["app", "database", "network", "contention"]
TIERS: tuple[Tier, ...] = ("app", "database", "network")  # tiers a symptom can name (see reading/components.py)
# Every tier the capacity model knows; "contention" (hot rows, lock waits) exists only when named.
MODEL_TIERS: tuple[Tier, ...] = ("app", "database", "network", "contention")
TIER_LABELS: dict[str, str] = {
    "app": "app servers",
    "database": "database",
    "network": "network / static delivery",
    "contention": "lock contention (hot rows)",
}


class Difficulty(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ItemStatus(StrEnum):
    """Review-tool statuses: a risk can be accepted (acknowledged) instead of done."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ACKNOWLEDGED = "acknowledged"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in (ItemStatus.TODO, ItemStatus.IN_PROGRESS)


_STATUS_LABELS = {
    ItemStatus.TODO: "To do",
    ItemStatus.IN_PROGRESS: "In progress",
    ItemStatus.DONE: "Done",
    ItemStatus.ACKNOWLEDGED: "Acknowledged (won't do)",
    ItemStatus.NOT_APPLICABLE: "Not applicable",
}

_SUFFIXES = {
    "k": 1_000,
    "m": 1_000_000,
    "b": 1_000_000_000,
    "천": 1_000,
    "만": 10_000,
    "억": 100_000_000,
}
# The whitespace runs are possessive and never side by side (the old `\s*(k|...)?\s*` let a run of tabs be split
# between the two in quadratically many ways), so a count is read in time linear in its length.
_COUNT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*+(?:(k|m|b|천|만|억)\s*+)?(?:명|users?)?", re.IGNORECASE)
MAX_COUNT_CHARS = 100  # "1000000000users" is 15 once cleaned up; a longer answer is not a count and is not matched


def parse_count(value: object) -> object:
    """Accept how people write user counts: 1200, "1,200", "1.2k", "1M", "100만"."""
    if isinstance(value, bool):
        raise ValueError("expected a whole number of users")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected a whole number of users")
        return int(value)
    if not isinstance(value, str):
        return value
    text = value.strip().replace(",", "").replace("_", "").replace(" ", "")
    match = _COUNT_RE.fullmatch(text) if len(text) <= MAX_COUNT_CHARS else None
    if not match:
        raise ValueError(f"'{value.strip()[:40]}' is not a number of users (try 1200, 1.2k or 1M)")
    number = Decimal(match.group(1)) * _SUFFIXES.get((match.group(2) or "").lower(), 1)
    if number != number.to_integral_value():
        raise ValueError(f"'{value.strip()[:40]}' is not a whole number of users")
    return int(number)


def _split_lines(value: object) -> object:
    """A multiline answer arrives as one string; each non-empty line is one feature."""
    if isinstance(value, str):
        return [line.strip(" -*•\t") for line in value.splitlines() if line.strip(" -*•\t")]
    return value


UserCount = Annotated[int, BeforeValidator(parse_count), Field(ge=1, le=MAX_USERS)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
OptionalLongText = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=MAX_TEXT),
    BeforeValidator(lambda v: None if isinstance(v, str) and not v.strip() else v),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Architecture(_Model):
    database: LongText = Field(description="Engine, size, replicas")
    servers: LongText = Field(description="Count, size, runtime, hosting")
    network: OptionalLongText = Field(default=None, description="Load balancer, CDN, regions")


class Budget(_Model):
    monthly_amount: Decimal | None = Field(default=None, ge=0, le=Decimal("1e12"))
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    constraints: OptionalLongText = None

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("monthly_amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> object:
        if isinstance(value, str):
            cleaned = value.strip().replace(",", "").lstrip("$€£₩¥")
            return cleaned or None
        return value


class Measurements(_Model):
    peak_rps: float | None = Field(default=None, gt=0, le=1e9, description="Peak requests per second")
    p95_latency_ms: float | None = Field(default=None, gt=0, le=600_000)
    error_rate_pct: float | None = Field(default=None, ge=0, le=100)


class SystemProfile(_Model):
    """The case study's five questions, structured: scale, features, architecture, bottlenecks, budget."""

    system_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    current_users: UserCount
    target_users: UserCount
    core_features: Annotated[
        list[ShortText], BeforeValidator(_split_lines), Field(min_length=1, max_length=MAX_FEATURES)
    ]
    architecture: Architecture
    bottlenecks: LongText
    budget: Budget = Budget()
    measurements: Measurements = Measurements()
    language: Literal["en", "ko"] | None = Field(
        default=None, description="The language the roadmap is written in; None: chosen when the review starts"
    )

    @model_validator(mode="after")
    def _target_above_current(self) -> SystemProfile:
        if self.target_users <= self.current_users:
            raise ValueError(
                f"target_users ({self.target_users:,}) must be greater than current_users ({self.current_users:,})"
            )
        return self

    @property
    def scale_factor(self) -> float:
        return self.target_users / self.current_users


# --- the roadmap -------------------------------------------------------------------------


class Range(_Model):
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"range low ({self.low}) is above high ({self.high})")
        return self

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


class Impact(_Model):
    """Predicted change of one metric; the percentages come from the catalogue entry."""

    metric: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    change_pct: Range = Field(description="Expected change in percent; negative means a reduction")
    confidence: Confidence


class Effort(_Model):
    person_days: Range
    weeks: Range


class Cost(_Model):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    one_off: Range
    monthly: Range


ItemId = Annotated[str, StringConstraints(pattern=r"^[1-3]\.[1-9]\d{0,2}$")]


class RoadmapItem(_Model):
    id: ItemId
    pattern_id: str | None = None
    title: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    why: Annotated[str, StringConstraints(min_length=1, max_length=1500)]
    steps: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=600)]], Field(min_length=1)]
    impact: Impact
    capacity_gain: float = Field(ge=0, description="System capacity multiplier this item adds in the model")
    tiers: list[Tier] = Field(default_factory=list)
    difficulty: Difficulty
    effort: Effort
    cost: Cost
    score: float = Field(ge=0, description="Benefit/cost score; higher first within a stage")
    depends_on: list[ItemId] = Field(default_factory=list)
    verify: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=600)]], Field(min_length=1)]
    deferred: str | None = Field(default=None, description="Why the item waits (e.g. over budget)")
    sources: list[str] = Field(default_factory=list)
    model_effect: str | None = Field(
        default=None, max_length=400, description="What the capacity model computes: tiers moved, binding tier after"
    )

    @property
    def stage(self) -> int:
        return int(self.id.split(".")[0])


class CapacityPoint(_Model):
    label: str
    users: int = Field(ge=0, description="Sustainable concurrent users at the safe utilisation")
    rps: float = Field(ge=0)
    binding_tier: Tier
    tier_users: dict[Tier, int]
    meets_target: bool
    monthly_cost: Range = Field(description="Cumulative added monthly cost of the plan up to here")


class Summary(_Model):
    headline: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    current_users: int
    target_users: int
    scale_factor: float
    capacity_now: CapacityPoint
    binding_bottleneck: str
    target_reachable: bool
    verdict: str = Field(description="Plainly: is the target reached, when, and within the budget or not")
    budget_note: str
    assumptions: list[str] = Field(default_factory=list)


STAGE_NAMES = {1: "Immediate improvements", 2: "Mid-term architecture", 3: "Long-term scalability"}
STAGE_HORIZONS = {1: "days to two weeks", 2: "one to three months", 3: "three to twelve months"}


class Stage(_Model):
    number: Literal[1, 2, 3]
    name: str
    horizon: str
    items: Annotated[list[RoadmapItem], Field(min_length=1)]
    capacity_after: CapacityPoint


class WorkloadKind(_Model):
    """One kind of workload the engine read ("inventory, seats or slots"), with the user's phrases it came from."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    label: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    evidence: list[Annotated[str, StringConstraints(max_length=200)]] = Field(default_factory=list)


class ProblemAnswer(_Model):
    """A problem the team named and the items that answer it; `note` says so plainly when none does."""

    said: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    severity: Literal["correctness", "data-loss", "availability", "capacity", "latency", "cost"]
    item_ids: list[ItemId] = Field(default_factory=list)
    note: Annotated[str, StringConstraints(max_length=600)] | None = None


class Rejection(_Model):
    """A lever considered and left out ("Not recommended for this system"), with the reason."""

    pattern_id: str
    title: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=600)]


class Roadmap(_Model):
    schema_version: Literal[1] = 1
    engine: str
    system_name: str
    summary: Summary
    stages: Annotated[list[Stage], Field(min_length=3, max_length=3)]
    notes: list[str] = Field(default_factory=list)
    workload: list[WorkloadKind] = Field(default_factory=list, description="What kind of system this is, and why")
    problems: list[ProblemAnswer] = Field(default_factory=list, description="Named problems, worst first")
    not_recommended: list[Rejection] = Field(default_factory=list)
    language: Literal["en", "ko"] = Field(default="en", description="The language its texts are written in")

    @model_validator(mode="after")
    def _answers_name_items(self) -> Roadmap:
        ids = {i.id for s in self.stages for i in s.items}
        for answer in self.problems:
            missing = [i for i in answer.item_ids if i not in ids]
            if missing:
                raise ValueError(f"a named problem points at {', '.join(missing)}, which the roadmap does not have")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Roadmap:
        if [s.number for s in self.stages] != [1, 2, 3]:
            raise ValueError("stages must be numbered 1, 2, 3 in order")
        seen: set[str] = set()
        for stage in self.stages:
            for item in stage.items:
                if item.stage != stage.number:
                    raise ValueError(f"item {item.id} is listed in stage {stage.number}")
                if item.id in seen:
                    raise ValueError(f"item id {item.id} is used twice")
                missing = [d for d in item.depends_on if d not in seen]
                if missing:
                    raise ValueError(f"item {item.id} depends on {', '.join(missing)}, which must come before it")
                seen.add(item.id)
        return self

    def items(self) -> Iterator[RoadmapItem]:
        for stage in self.stages:
            yield from stage.items

    def item(self, item_id: str) -> RoadmapItem | None:
        return next((i for i in self.items() if i.id == item_id), None)
