"""Workload-aware lever choice: what a senior engineer would pick for this system, and what never to pick.

The rules engine asks the advice built here (model.py holds it), per pattern: may it be recommended
at all (contraindications, already in place), is it wanted whatever the capacity model says (a lever
of this workload, the answer to a problem the team named), which stage it belongs in (a near event or
a correctness risk pulls it into stage 1), and which words fit the team's stack. After planning, it maps each named
problem to the item that answers it and lists the levers it rejected, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.roadmap.advice.conditions import holds, named_patterns
from bot.roadmap.advice.fields import stack_fields
from bot.roadmap.advice.in_place import FACT_LABELS, app_fleet, builds_on, components_in_place, stateless_app
from bot.roadmap.advice.model import Advice
from bot.roadmap.catalogue import Catalogue, Pattern
from bot.roadmap.reading.facts import ArchitectureFacts
from bot.roadmap.schema import SystemProfile
from bot.roadmap.shares import tailor_shares
from bot.roadmap.wording import shorten
from bot.roadmap.workload.problems import Problem, mentions
from bot.roadmap.workload.reader import WorkloadReading, read_workload

# A known event this many weeks away or nearer pulls its levers into stage 1 (stage 2 ends at ~13 weeks).
EVENT_HORIZON_WEEKS = 13.0
# Severities that come before any capacity work.
RISKS = ("correctness", "data-loss")


def _kind_label(reading: WorkloadReading, kinds: Sequence[str]) -> str:
    kind = next(k for k in reading.kinds if k.id in kinds)
    said = ", ".join(f'"{e}"' for e in kind.evidence[:3])
    return f"This reads as {kind.label}: you wrote {said}."


def build_advice(
    profile: SystemProfile,
    facts: ArchitectureFacts,
    catalogue: Catalogue,
    keyword_hits: Mapping[str, Sequence[str]] | None = None,
) -> Advice:
    """`keyword_hits`: each pattern's trigger keywords found in the answers (bottlenecks, features, architecture),
    when the caller has them already; read here otherwise."""
    reading = read_workload(profile, facts)
    components = components_in_place(profile, facts)
    known = facts.facts | components
    index = {p.id: i for i, p in enumerate(catalogue.patterns)}
    blocked: dict[str, str] = {}
    today_only: set[str] = set()
    present: dict[str, str] = {}
    variants: dict[str, Pattern] = {}
    named = named_patterns(profile, catalogue, keyword_hits)
    for pattern in catalogue.patterns:
        against = [
            c
            for c in pattern.contraindications
            if holds(c.when, reading, known, profile, facts.quoted_utilisation)
            and not (c.unless_named and pattern.id in named)
        ]
        if against:
            blocked[pattern.id] = against[0].reason
            if all(c.when.db_busy_below is not None for c in against):
                today_only.add(pattern.id)  # "the database is not saturated": true today, maybe not at the target
        have = [f for f in pattern.triggers.excluded_by_facts if f in known]
        if have:
            present[pattern.id] = FACT_LABELS.get(have[0], have[0].value.replace("_", " "))
        variant = next(
            (v for v in pattern.variants if holds(v.when, reading, known, profile, facts.quoted_utilisation)), None
        )
        if variant is not None:
            fields = (("title", variant.title), ("steps", variant.steps), ("verify", variant.verify))
            update: dict[str, object] = {k: v for k, v in (*fields, ("effects", variant.effects))}
            variants[pattern.id] = pattern.model_copy(update={k: v for k, v in update.items() if v is not None})
    for pattern_id, label in stateless_app(profile, facts).items():
        present.setdefault(pattern_id, label)
    usable = {p.id for p in catalogue.patterns if p.id not in blocked and p.id not in present}
    wanted: dict[str, list[str]] = {}
    stages: dict[str, int] = {}
    lead: set[str] = set()
    answering: set[str] = set()
    candidates: list[tuple[Problem, tuple[str, ...]]] = []
    extended: set[str] = set()
    for problem in reading.problems:
        longest: dict[str, int] = {}
        for pattern in catalogue.patterns:
            found = mentions(problem.text, pattern.answers.en, pattern.answers.ko)
            if found:
                longest[pattern.id] = max(map(len, found))
        matching = sorted(
            (p for p in catalogue.patterns if p.id in longest),
            key=lambda p: (p.answers.rank, -longest[p.id], index[p.id]),
        )
        ids = tuple(p.id for p in matching)
        candidates.append((problem, ids))
        top = matching[0] if matching else None
        if top is not None and top.id in present and top.id not in blocked and builds_on(top, components):
            extended.add(top.id)  # "you run a queue, yet the PDF renders in the request": use the queue
            usable.add(top.id)
        picks = [p for p in matching if p.id in usable]
        # a stage-1 stop-gap for the same problem (more disk, the batch job off the peak) buys the time the
        # structural answer needs, which then keeps its own stage
        stop_gap = any(p.stage == 1 and p.answers.rank <= 2 and p.id not in DAMAGE_LIMITS for p in picks[1:])
        # behind a damage limiter (a timeout, a client's backoff) the next answer is the problem's real fix
        structural = next((p.id for p in picks if p.id not in DAMAGE_LIMITS), None)
        for rank, pattern in enumerate(picks):
            if rank == 0 or pattern.answers.rank <= 2:
                quote = shorten(problem.text, 160)
                wanted.setdefault(pattern.id, []).append(f'You wrote: "{quote}"')
                if problem.severity in RISKS:
                    stages[pattern.id] = 1
                    lead.add(pattern.id)
                else:
                    answering.add(pattern.id)
                limits = pattern.id in DAMAGE_LIMITS  # a timeout for an outage ships now, whatever its rank
                if (rank == 0 or limits) and problem.severity == "availability" and _quick_resilience(pattern):
                    stages[pattern.id] = 1  # an outage named today gets its first fix now, not in a quarter
                elif (rank == 0 or pattern.id == structural) and _first_fix(pattern) and not stop_gap:
                    stages[pattern.id] = 1  # what hurts today gets its direct answer in the first weeks
                elif rank == 0 and pattern.stage == 3 and _startable(pattern, reading):
                    stages[pattern.id] = 2  # a named problem does not wait for the long-term stage
    tailor_shares(catalogue, reading, candidates, variants)  # a stated share replaces a lever's effect range
    kinds = reading.kind_ids
    for pattern in catalogue.patterns:
        hit = [k for k in pattern.triggers.workloads if k in kinds]
        if hit and pattern.id in usable and pattern.triggers.min_scale_factor <= profile.scale_factor:
            wanted.setdefault(pattern.id, []).append(_kind_label(reading, hit))
    if reading.at_largest_size:
        # no bigger box to buy: splitting the database is the critical path, a project of months that starts now
        for pattern in catalogue.patterns:
            scaling = pattern.scaling
            split = scaling is not None and scaling.tier == "database" and scaling.mode == "partitions"
            if split and pattern.id in usable and pattern.stage > 2:
                stages[pattern.id] = 2
    event = reading.event
    near = reading.has("known-event") and event is not None and (event.weeks_away or 0) <= EVENT_HORIZON_WEEKS
    if near:
        for pattern in catalogue.patterns:
            if pattern.event_lever and pattern.id in wanted:
                stages[pattern.id] = 1
    return Advice(
        reading=reading,
        blocked=blocked,
        present=present,
        extended=frozenset(extended),
        wanted={k: tuple(v) for k, v in wanted.items()},
        stages=stages,
        lead=frozenset(lead),
        answering=frozenset(answering - lead),
        fields=stack_fields(reading),
        candidates=tuple(candidates),
        variants=variants,
        named=frozenset(named),
        event_near=near,
        blocked_today=frozenset(today_only),
        scaled_out=frozenset({"horizontal-app-scaling"} if app_fleet(facts) else set()),
    )


def _first_fix(pattern: Pattern) -> bool:
    """A named problem's direct answer that a team can ship in stage 1's weeks: not a redesign (high)."""
    return pattern.stage == 2 and pattern.difficulty.value != "high" and pattern.scaling is None


# Levers that bound the damage of a problem without buying time against it: a timeout or a client's backoff,
# while the request still waits for the slow call and the deploy still drops every socket. They never hold the
# structural answer back from stage 1 as a stop-gap would.
DAMAGE_LIMITS = frozenset({"timeouts-circuit-breakers", "client-backoff"})

# Engineers who can run a months-long redesign beside the day-to-day work (a default): platform teams of this size
# start the named problem's structural answer in the mid-term stage.
BIG_TEAM = 20


def _startable(pattern: Pattern, reading: WorkloadReading) -> bool:
    """A long-term answer to a named problem the team can start in the mid-term stage: not a redesign, or a team
    large enough to run one."""
    return pattern.difficulty.value != "high" or (reading.team_size or 0) >= BIG_TEAM


def _quick_resilience(pattern: Pattern) -> bool:
    """A resilience fix small enough to start in the first two weeks for the one call the team named."""
    return pattern.category == "resilience" and pattern.difficulty.value != "high" and pattern.stage == 2
