"""The team's time as a limit on a stage, like the budget is on its cost.

A stage holds what the team can do in its weeks at the share of their time a scaling plan gets; work
beyond that moves to the next stage, least urgent first, so a two-person team's first two weeks are
the fixes for what it named, not ten generic items. What answers a named problem or a risk never
moves: the note says when those alone are more than the team has.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.effects import RESIZE_EFFORT

# Weeks each stage spans (the brief's horizons: two weeks, three months, twelve months) and the share
# of a team's time a scaling plan gets beside feature work (a stated default).
STAGE_WEEKS = {1: 2.0, 2: 13.0, 3: 52.0}
STAGE_START_WEEK = {1: 0.0, 2: 2.0, 3: 15.0}
PLAN_SHARE = 0.5
SLACK = 1.05  # a stage 5% over the team's weeks is within the precision of the effort estimates
QUICK_DAYS = 2.0  # a capacity gain this small in effort (resizing a machine) is never worth postponing


def person_days(choice: Choice) -> float:
    """The middle of the item's effort estimate; growing a fleet the team runs is a small job."""
    if choice.resize_of is not None:
        return RESIZE_EFFORT[0].mid
    return choice.pattern.effort.person_days.mid


def stage_weeks(choices: Sequence[Choice]) -> float:
    """Person-weeks of the work the stage keeps (what the budget held back is not work)."""
    return sum(person_days(c) for c in choices if c.deferred is None) / 5


def available_weeks(team_size: int, stage: int) -> float:
    return team_size * STAGE_WEEKS[stage] * PLAN_SHARE


def postpone(
    ordered: Sequence[Choice],
    team_size: int,
    stage: int,
    protected: Callable[[Choice], bool],
) -> list[str]:
    """Pattern ids to move to the next stage so the stage fits the team, taken from the end of its order.

    `ordered` is the stage in priority order (named problems and risks first, then benefit/cost); a
    protected choice, and anything a kept choice depends on, stays.
    """
    have = available_weeks(team_size, stage)
    work = stage_weeks(ordered)
    if work <= have * SLACK:
        return []
    kept = {c.pattern.id for c in ordered}
    needed = _needed(ordered, kept)
    moved: list[str] = []
    for choice in reversed(ordered):
        if work <= have * SLACK:
            break
        pattern_id = choice.pattern.id
        if choice.deferred is not None or protected(choice) or pattern_id in needed:
            continue
        moved.append(pattern_id)
        work -= person_days(choice) / 5
        kept.discard(pattern_id)
        needed = _needed(ordered, kept)
    return moved


def _needed(ordered: Sequence[Choice], kept: Collection[str]) -> set[str]:
    """Prerequisites of the choices that stay in the stage."""
    return {dep for c in ordered if c.pattern.id in kept for dep in c.pattern.requires}
