"""The advice for one review (Advice): what it blocks, wants, moves and tailors, and after planning the roadmap's
workload reading, named-problem map and "not recommended" list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from bot.roadmap.catalogue import Catalogue, Pattern
from bot.roadmap.schema import ProblemAnswer, Rejection, RoadmapItem, WorkloadKind
from bot.roadmap.wording import shorten
from bot.roadmap.workload.problems import SEVERITY_ORDER, Problem
from bot.roadmap.workload.reader import WorkloadReading

if TYPE_CHECKING:
    from bot.roadmap.planning.choice import Choice

MAX_REJECTIONS = 6


class Report(TypedDict):
    """The reading a roadmap carries, as Roadmap's own field names (engines pass it as keyword arguments)."""

    workload: list[WorkloadKind]
    problems: list[ProblemAnswer]
    not_recommended: list[Rejection]


@dataclass(frozen=True)
class Advice:
    reading: WorkloadReading
    blocked: Mapping[str, str]  # contraindicated here: pattern id -> reason
    present: Mapping[str, str]  # already in place: pattern id -> what the team runs
    extended: frozenset[str]  # in place, yet the answer to a named problem: the plan builds on it
    wanted: Mapping[str, tuple[str, ...]]  # picked whatever the model says: pattern id -> reasons
    stages: Mapping[str, int]  # stage overrides
    lead: frozenset[str]  # answers to correctness and data-loss risks: first in their stage
    answering: frozenset[str]  # answers to the other named problems: next, before generic capacity work
    fields: Mapping[str, str]
    candidates: tuple[tuple[Problem, tuple[str, ...]], ...]  # per named problem, the answering patterns
    variants: Mapping[str, Pattern]  # pattern id -> the pattern with this stack's text
    named: frozenset[str] = frozenset()  # patterns the team's own words point at (keywords, named problems)
    scaled_out: frozenset[str] = frozenset()  # scale-out the team already has (several servers behind a balancer)
    postponed: Mapping[str, int] = field(default_factory=dict)  # moved for the team's time: id -> stage it left
    event_near: bool = False  # a known event (a sale, a ticket opening) falls within stage 2's horizon
    blocked_today: frozenset[str] = frozenset()  # ruled out only by today's utilisation (a database not yet saturated)

    def stage_of(self, pattern: Pattern) -> int:
        return self.stages.get(pattern.id, pattern.stage)

    def blocked_reason(self, pattern_id: str) -> str | None:
        return self.blocked.get(pattern_id)

    def reasons(self, pattern_id: str, given: Sequence[str]) -> list[str]:
        """Why the workload or a named problem wants the pattern, minus sentences the trigger already quoted."""
        said = " ".join(given)
        return [r for r in self.wanted.get(pattern_id, ()) if r[11:60] not in said]

    def in_place(self, pattern_id: str) -> bool:
        return pattern_id in self.present

    def waived(self, pattern_id: str) -> bool:
        """A prerequisite that need not come first: the team runs it, or it is contraindicated here."""
        return pattern_id in self.present or pattern_id in self.blocked or pattern_id in self.scaled_out

    def excluded(self, pattern_id: str) -> bool:
        """Not proposed because the team runs it, unless a named problem asks to build on it."""
        return pattern_id in self.present and pattern_id not in self.extended

    def keep(self, pattern_id: str) -> bool:
        """Never pruned as redundant: the workload needs it or a named problem asks for it."""
        return pattern_id in self.wanted

    def tailor(self, pattern: Pattern) -> Pattern:
        return self.variants.get(pattern.id, pattern)

    def lead_first(self, ordered: Sequence[Choice]) -> list[Choice]:
        """Risk answers first, then answers to the other named problems, each after what it depends on.

        The rest keep the benefit/cost order. The budget is spent in this order, so what the team named
        is funded before generic capacity work.
        """
        ids = [c.pattern.id for c in ordered]
        first: list[int] = []
        for group in (self.lead, self.answering):
            for index, choice in enumerate(ordered):
                if choice.pattern.id in group:
                    for dep in choice.pattern.requires:
                        if dep in ids and ids.index(dep) not in first:
                            first.append(ids.index(dep))
                    if index not in first:
                        first.append(index)
        rest = [i for i in range(len(ordered)) if i not in first]
        return [ordered[i] for i in first + rest]

    # --- after planning ------------------------------------------------------------------------

    def report(
        self,
        items: Sequence[RoadmapItem],
        catalogue: Catalogue,
        keyword_hits: Mapping[str, list[str]] | None = None,
        dropped: Sequence[str] = (),
    ) -> Report:
        """The roadmap's workload reading, named-problem map and "not recommended" list."""
        titles = {p.id: _plain_title(p) for p in catalogue.patterns}
        return {
            "workload": self.workload(),
            "problems": self.answers(items, titles),
            "not_recommended": self.rejections(
                considered(self, catalogue, keyword_hits or {}) | set(dropped), items, titles, first=dropped
            ),
        }

    def workload(self) -> list[WorkloadKind]:
        return [WorkloadKind(id=k.id, label=k.label, evidence=list(k.evidence)) for k in self.reading.kinds]

    def answers(self, items: Sequence[RoadmapItem], titles: Mapping[str, str]) -> list[ProblemAnswer]:
        """Each named problem, worst first, with the item that answers it (or what to measure)."""
        first_item: dict[str, str] = {}
        for item in items:
            if item.pattern_id and item.pattern_id not in first_item:
                first_item[item.pattern_id] = item.id
        answers: list[tuple[int, int, ProblemAnswer]] = []
        for problem, candidates in self.candidates:
            on_plan = [first_item[p] for p in candidates if p in first_item]
            note = None
            if not on_plan:
                present = [p for p in candidates if p in self.present]
                blocked = [p for p in candidates if p in self.blocked]
                if present:
                    have = self.present[present[0]]
                    note = f"You already run {have}; tune it rather than add another ({titles[present[0]]})."
                elif blocked:
                    note = f"{titles[blocked[0]]} is not recommended here: {self.blocked[blocked[0]]}"
                elif candidates:
                    note = (
                        f"{titles[candidates[0]]} would answer this, but it did not fit this plan (its "
                        "prerequisites or scale are not there); first " + _measure_hint(problem.severity)
                    )
                else:
                    note = "No catalogue lever matches this directly: " + _measure_hint(problem.severity)
            answer = ProblemAnswer(
                said=shorten(problem.text, 300),
                severity=problem.severity,
                item_ids=list(dict.fromkeys(on_plan))[:3],
                note=note,
            )
            answers.append((SEVERITY_ORDER.index(problem.severity), problem.order, answer))
        return [a for _, _, a in sorted(answers, key=lambda t: (t[0], t[1]))]

    def rejections(
        self, considered: set[str], items: Sequence[RoadmapItem], titles: Mapping[str, str], first: Sequence[str] = ()
    ) -> list[Rejection]:
        """The levers it considered and left out, with the reason; never one the plan carries."""
        on_plan = {i.pattern_id for i in items}
        rejected: list[Rejection] = []
        for pattern_id in considered:
            if pattern_id in on_plan:
                continue
            if pattern_id in self.present:
                reason = f"You already run {self.present[pattern_id]}; the plan builds on it."
            elif pattern_id in self.blocked:
                reason = self.blocked[pattern_id]
            else:
                continue
            rejected.append(Rejection(pattern_id=pattern_id, title=titles[pattern_id], reason=reason))
        rejected.sort(
            key=lambda r: (
                r.pattern_id not in first,  # what a model's draft proposed and lost comes first
                r.pattern_id not in self.present,
                r.pattern_id not in self.named,
                r.pattern_id,
            )
        )
        return rejected[:MAX_REJECTIONS]


_MEASURE = {
    "correctness": "reproduce it under concurrency in a test and log each "
    "occurrence with the request and the rows involved.",
    "data-loss": "write down how much data you can afford to lose and how "
    "long you can be down, and test a restore against those figures.",
    "availability": "record when it happens, the error rates per endpoint "
    "and per tier, and which resource saturates first.",
    "capacity": "measure per-tier utilisation and throughput at peak to find the saturated resource.",
    "latency": "trace the slow requests and see where the time goes (database, app, external calls).",
    "cost": "break the bill down by service and by traffic class.",
}


def _plain_title(pattern: Pattern) -> str:
    """A title without scaling figures ("Add read replicas until the database tier has N nodes")."""
    return pattern.title.replace("{units}", "N").replace("{units_from}", "M").replace("{tier_label}", "the busiest")


def _measure_hint(severity: str) -> str:
    return _MEASURE.get(severity, _MEASURE["capacity"])


def considered(advice: Advice, catalogue: Catalogue, keyword_hits: Mapping[str, list[str]]) -> set[str]:
    """Levers a reader would expect to see discussed: named by the answers, the workload or a problem."""
    named = set(advice.named) | {pid for pid, hits in keyword_hits.items() if hits}
    named |= {pid for _, ids in advice.candidates for pid in ids}
    kinds = advice.reading.kind_ids
    named |= {p.id for p in catalogue.patterns if set(p.triggers.workloads) & kinds}
    named |= {
        p.id
        for p in catalogue.patterns
        if p.triggers.always or p.triggers.binding_tiers or p.triggers.when_target_unmet
    }
    return named
