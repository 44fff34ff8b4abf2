"""Which catalogue patterns a stage takes: triggers fired at its start (each reason quoting the user), prerequisites,
late scale-outs and fleets the team runs; then pruned of what adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.roadmap.capacity import Projection
from bot.roadmap.catalogue import Catalogue, Pattern
from bot.roadmap.numbers import compact
from bot.roadmap.planning.choice import SIZE_LEVERS, Choice
from bot.roadmap.planning.mix import Mix
from bot.roadmap.planning.prices import price
from bot.roadmap.planning.ranking import rank, redundant, redundant_scaling
from bot.roadmap.planning.sizing import size_scaling
from bot.roadmap.rules.context import (
    Context,
    nodes_per_unit,
    stage_ceiling,
    stage_goal_rps,
    stage_pricing,
)
from bot.roadmap.schema import (
    TIER_LABELS,
)
from bot.roadmap.wording import shorten

DATABASE_NEXT = "The database binds next: it falls short of what this stage aims for."
_SENTENCE = re.compile(r"(?:[^.!?\n。]|\.(?=\S))+[.!?。]?")  # "p95 1.8 s", "Node.js" stay in one sentence


def quote_answer(text: str, phrase: str) -> str:
    """The user's own sentence that mentions `phrase`, so each item's 'why' is tied to it."""
    lowered = phrase.lower()
    for sentence in _SENTENCE.findall(text):
        if lowered in sentence.lower():
            sentence = sentence.strip()
            return shorten(sentence, 160)
    return phrase


@dataclass(frozen=True)
class _StageStart:
    """What triggers look at, computed once per stage."""

    binding: str
    binding_users: int
    reached_users: int


def _stage_start(ctx: Context, projection: Projection) -> _StageStart:
    expected = projection.expected
    binding = expected.binding()
    return _StageStart(
        binding,
        ctx.baseline.users_at(expected.tier_rps(binding)),
        ctx.baseline.users_at(expected.system_rps()),
    )


def _trigger_reasons(pattern: Pattern, ctx: Context, start: _StageStart, late: bool = False) -> list[str] | None:
    """Why the pattern fires at this stage's start, or None when it does not."""
    if ctx.advice.blocked_reason(pattern.id) is not None and not (late and pattern.id in ctx.advice.blocked_today):
        return None  # contraindicated for this system (a database unsaturated today may bind in a later stage)
    trig = ctx.profile.scale_factor >= pattern.triggers.min_scale_factor
    if not trig or ctx.advice.excluded(pattern.id) or pattern.id in ctx.advice.scaled_out:
        return None  # in place already; a fleet the team runs grows through its resize instead
    if not all(ctx.facts.has(f) for f in pattern.triggers.requires_facts):
        return None
    reasons: list[str] = []
    hits = ctx.keyword_hits[pattern.id]
    if hits:
        reasons.append(f'You wrote: "{quote_answer(ctx.user_text, hits[0])}"')
    if start.binding in pattern.triggers.binding_tiers:
        reasons.append(
            f"The capacity model has the {TIER_LABELS[start.binding]} binding first, "
            f"at about {compact(start.binding_users)} users."
        )
    if pattern.triggers.when_target_unmet:
        reached = start.reached_users
        if reached < ctx.profile.target_users:
            reasons.append(
                f"Before this stage the plan reaches about {compact(reached)} of the "
                f"{compact(ctx.profile.target_users)} users you aim for."
            )
    if pattern.triggers.always:
        reasons.append("")
    reasons += ctx.advice.reasons(pattern.id, reasons)
    return reasons or None


def select_stage(
    stage: int, ctx: Context, catalogue: Catalogue, start: Projection, earlier: dict[str, Choice]
) -> list[Choice]:
    """Patterns whose triggers fire at the stage's start, plus prerequisites they need first."""
    chosen: dict[str, Choice] = {}
    at_start = _stage_start(ctx, start)
    for pattern in catalogue.patterns:
        home = ctx.advice.stage_of(pattern)
        # a database that binds only after the earlier stages (once the hot row is gone), or that stage 1 left alone
        # because it was not saturated yet, grows up first, late: app servers scale out instead (late_scale_out),
        # and the rest of stage 1 was offered when it applied
        binds = at_start.binding == "database"
        rebound = binds and (
            binds != (ctx.baseline.binding_now == "database") or pattern.id in ctx.advice.blocked_today
        )
        late = (
            rebound and home < stage and pattern.category == "scaling" and "database" in pattern.triggers.binding_tiers
        )
        if (home == stage or late) and pattern.id not in earlier:
            reasons = _trigger_reasons(pattern, ctx, at_start, late)
            if reasons is None and ctx.advice.postponed.get(pattern.id, stage) < stage:
                reasons = []  # chosen for an earlier stage and moved here for the team's time: still wanted
            if reasons is not None:
                chosen[pattern.id] = Choice(pattern, [r for r in reasons if r])
    chosen |= _database_next(stage, ctx, catalogue, start, earlier, chosen)
    pending = list(chosen.values())
    while pending:
        choice = pending.pop()
        for dep_id in choice.pattern.requires:
            dep = catalogue.get(dep_id)
            if dep_id in earlier or dep_id in chosen or ctx.advice.waived(dep_id):
                continue  # already planned, or the team already has it
            if all(ctx.facts.has(f) for f in dep.triggers.requires_facts):
                chosen[dep_id] = Choice(dep, [], prerequisite=True)
                pending.append(chosen[dep_id])
            else:
                chosen.pop(choice.pattern.id, None)  # its prerequisite cannot apply here
    index = ctx.catalogue_index
    return sorted(chosen.values(), key=lambda c: index[c.pattern.id])


def _database_next(
    stage: int,
    ctx: Context,
    catalogue: Catalogue,
    start: Projection,
    earlier: dict[str, Choice],
    chosen: dict[str, Choice],
) -> dict[str, Choice]:
    """The database's size lever in a later stage where another tier binds first but the database falls short of
    the stage's goal: the app servers grow this stage, so the database binds next and must grow with them."""
    expected = start.expected
    if stage == 1 or "database" not in expected.tiers or expected.binding() == "database":
        return {}
    if expected.tier_rps("database") >= stage_goal_rps(stage, ctx):
        return {}
    found: dict[str, Choice] = {}
    for pattern_id in SIZE_LEVERS:
        blocked = ctx.advice.blocked_reason(pattern_id) is not None and pattern_id not in ctx.advice.blocked_today
        if pattern_id in earlier or pattern_id in chosen or blocked or ctx.advice.excluded(pattern_id):
            continue
        found[pattern_id] = Choice(catalogue.get(pattern_id), [DATABASE_NEXT])
    return found


def prune(
    stage: int, choices: list[Choice], ctx: Context, start: Projection, earlier: dict[str, Choice]
) -> list[Choice]:
    """Drop what adds nothing: unneeded scaling, cuts better ones make redundant, orphaned prerequisites."""
    need = ctx.baseline.required_rps
    for _ in range(len(choices) + 1):
        sizing_rps = stage_ceiling(stage, choices, ctx, start)
        size_scaling(choices, start, sizing_rps, ctx.baseline.users_at, ctx.advice.keep)
        keep = [c for c in choices if c.active]
        mix = Mix(start, keep)
        pricing = stage_pricing(ctx, sizing_rps, start, stage)
        for choice in keep:
            price(choice, ctx.currency, nodes_per_unit(choice, mix), pricing)
        rank(mix, need, ctx.currency)
        drop = {
            id(c)
            for c in redundant(mix, need)
            if not c.pattern.triggers.always and c.pattern.resilience == 0 and not ctx.advice.keep(c.pattern.id)
        }
        overlap = redundant_scaling(mix, sizing_rps, ctx.advice.keep)
        if overlap is not None:
            drop.add(id(overlap))
        protected = {dep for c in keep if id(c) not in drop for dep in c.pattern.requires}
        keep = [c for c in keep if id(c) not in drop or c.pattern.id in protected]
        keep = with_prerequisites(keep, ctx, earlier)
        if len(keep) == len(choices):
            return keep
        choices = keep
    return choices


def with_prerequisites(choices: list[Choice], ctx: Context, earlier: dict[str, Choice]) -> list[Choice]:
    """Keep a choice only while each prerequisite is planned or already in place; drop unneeded helpers."""
    while True:
        present = {c.pattern.id for c in choices}
        keep = [
            c
            for c in choices
            if all(
                dep in present
                or dep in earlier  # a held-back one makes this one wait, see Budget
                or ctx.advice.waived(dep)
                for dep in c.pattern.requires
            )
        ]
        needed = {dep for c in keep for dep in c.pattern.requires}
        keep = [c for c in keep if not c.prerequisite or c.pattern.id in needed]
        if len(keep) == len(choices):
            return keep
        choices = keep


def late_scale_out(stage: int, ctx: Context, earlier: dict[str, Choice], selected: list[Choice]) -> list[Choice]:
    """Scale-out levers of an earlier stage that were not needed then: offered again, sized if a tier now needs them.

    A tier that binds only once the earlier stages are done still scales out in this stage.
    """
    present = {c.pattern.id for c in selected}
    late = []
    for pattern in ctx.catalogue.patterns:
        scaling = pattern.scaling
        if scaling is None or scaling.tier == "cells" or pattern.id in earlier or pattern.id in present:
            continue
        if ctx.advice.stage_of(pattern) >= stage or ctx.advice.blocked_reason(pattern.id):
            continue
        if ctx.advice.excluded(pattern.id) or pattern.id in ctx.advice.scaled_out:
            continue  # the team runs it: grown through existing_fleets instead
        if all(dep in earlier or ctx.advice.waived(dep) for dep in pattern.requires):
            late.append(Choice(pattern, [f"The {TIER_LABELS[scaling.tier]} need more by this stage."]))
    return late


def existing_fleets(ctx: Context, earlier: dict[str, Choice]) -> list[Pattern]:
    """Scale-out levers the team already runs (several stateless servers, replicas): the plan grows them."""
    return [
        p
        for p in ctx.catalogue.patterns
        if p.scaling is not None
        and p.id not in earlier
        and p.scaling.mode == "units"
        and (ctx.advice.in_place(p.id) or p.id in ctx.advice.scaled_out)
    ]
