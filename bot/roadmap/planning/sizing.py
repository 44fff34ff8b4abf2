"""Sizing a stage's scale-out levers to its goal: units, shards, cells, instance sizes and re-sizes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from bot.roadmap.capacity import Projection, units_for, usl, usl_peak
from bot.roadmap.catalogue import Pattern
from bot.roadmap.numbers import compact
from bot.roadmap.planning.choice import SIZE_LEVERS, Choice
from bot.roadmap.planning.mix import Mix, rebase
from bot.roadmap.schema import Tier

_SCALING_ORDER = {"units": 0, "partitions": 1}


def _scaling_rank(choice: Choice) -> int:
    scaling = choice.pattern.scaling
    assert scaling is not None
    if scaling.tier == "cells":
        return 3
    return 2 if scaling.tier == "app" else _SCALING_ORDER[scaling.mode]  # app servers after shards: see unit_cap


def size_scaling(
    choices: Sequence[Choice],
    start: Projection,
    sizing_rps: float,
    users_at: Callable[[float], int],
    wanted: Callable[[str], bool] | None = None,
) -> None:
    """Size each scaling choice to `sizing_rps` after the stage's demand cuts; None = not needed.

    A lever wanted for something other than capacity (cells to limit a failure's blast radius) and
    not needed for capacity gets its minimum size, never more.
    """
    for choice in choices:
        if choice.is_scaling:
            choice.units = None
            choice.notes = [n for n in choice.notes if not n.startswith(("Even ", "Sized at its minimum"))]
        elif choice.is_size and choice.resize_of is not None:
            choice.set_steps(choice.steps_from)  # sized again below, after the scale-out
    for choice in sorted((c for c in choices if c.is_scaling), key=_scaling_rank):
        scaling = choice.pattern.scaling
        assert scaling is not None
        if scaling.tier != "cells" and scaling.tier not in start.expected.tiers:
            continue  # the system has no such tier: nothing to scale
        mix = Mix(start, choices)
        per_unit, units_from = mix.sizing_base(choice)
        sigma, kappa = scaling.sigma.mid, scaling.kappa.mid
        if scaling.tier != "cells":  # the lever's curve from today's measured point, as Mix does
            layout = mix.layout_of(scaling.tier)
            if scaling.mode == "units":
                per_unit *= rebase(units_from, layout[2], layout[3], sigma, kappa)
            else:
                per_unit *= rebase(units_from, layout[5], layout[6], sigma, kappa)
        ceiling = usl_peak(sigma, kappa, unit_cap(scaling.tier, scaling.max_units, mix))
        # what the tier carries now, with its own coefficients (not the lever's): the choice is not active yet
        current = mix.system_rps() if scaling.tier == "cells" else mix.tier_rps("expected", scaling.tier)
        if ceiling <= units_from or current >= sizing_rps:
            if wanted is not None and wanted(choice.pattern.id) and choice.resize_of is None:
                choice.units, choice.units_from = max(scaling.min_units, units_from + 1), units_from
                choice.notes.append(
                    f"Sized at its minimum ({choice.units} {scaling.units_label}): capacity does not need more."
                )
            continue  # already as large as it can usefully be
        needed = units_for(sizing_rps, per_unit, sigma, kappa, max(scaling.min_units, units_from + 1), ceiling)
        if needed is None:
            needed = ceiling
            limit = "the catalogue's limit" if ceiling == scaling.max_units else "the USL peak"
            reach = users_at(per_unit * usl(ceiling, sigma, kappa))
            choice.notes.append(
                f"Even {ceiling} {scaling.units_label} ({limit}) carry only about {compact(reach)} users."
            )
        choice.units, choice.units_from = needed, units_from
        if wanted is not None:  # a planning sizing: the largest goal of the stage is what it builds unless money binds
            choice.goal = sizing_rps
            if sizing_rps >= choice.full_goal:
                choice.full_goal, choice.full_units = sizing_rps, needed
        tier_state = start.expected.tiers.get(scaling.tier) if scaling.tier != "cells" else None
        choice.relative = tier_state is not None and not tier_state.counted and scaling.mode == "units"
    grown = _size_vertical(choices, start, sizing_rps)
    for choice in choices:
        scaling = choice.pattern.scaling
        if scaling is not None and scaling.tier in grown:
            choice.size_factor = 2.0 ** grown[scaling.tier]  # new nodes match the grown size


def _size_vertical(choices: Sequence[Choice], start: Projection, sizing_rps: float) -> dict[Tier, int]:
    """Grow a size lever placed earlier by as few more instance sizes as reach the goal, within its room.

    Sized after the stage's scale-out: only where replicas and shards (at their limits, or absent) leave
    the tier short does it grow bigger nodes, one size doubling every node's price. Returns each tier's
    sizes above today's at the stage's end.
    """
    grown: dict[Tier, int] = {}
    for choice in choices:
        tier = SIZE_LEVERS.get(choice.pattern.id)
        state = start.expected.tiers.get(tier) if tier is not None else None
        if tier is None or state is None:
            continue
        if choice.resize_of is not None:
            cuts = [c for c in choices if c.active or c is choice]
            choice.set_steps(choice.steps_from)  # adds nothing unless the tier needs it
            if Mix(start, cuts).tier_rps("expected", tier) < sizing_rps:
                for steps in range(choice.steps_from + 1, max(choice.steps_from, state.size_room) + 1):
                    choice.set_steps(steps)
                    if Mix(start, cuts).tier_rps("expected", tier) >= sizing_rps:
                        break
        grown[tier] = max(grown.get(tier, state.size_steps), choice.steps)
    return grown


def unit_cap(tier: str, max_units: int, mix: Mix) -> int:
    """The most units a lever may plan: the catalogue's limit, times the database's shards for app servers.

    The app fleet's limit (200 servers in the catalogue, a stated default) is the connection fan-in to
    one database: 200 servers with pools of 10-20 connections open 2,000-4,000 connections, about what
    one primary and its pooler take, and about what one load-balancer target group spreads evenly. Each
    shard takes its own fan-in, so a sharded database lets the fleet grow by as many times; the USL peak
    still bounds it.
    """
    if tier == "app" and "database" in mix.tiers:
        return max_units * max(1, mix.partitions("database"))
    return max_units


def resizes(earlier: Iterable[Choice], existing: Iterable[Pattern] = ()) -> list[Choice]:
    """Every scale-out lever placed before this stage, offered again to be re-sized to this stage's goal.

    The latest placement of each (tier, mode) wins; the sizing step leaves it out when the tier
    already carries what the stage needs.
    """
    latest: dict[tuple[str, str], Choice] = {}
    for choice in earlier:
        scaling = choice.pattern.scaling
        if scaling is not None and choice.units is not None and choice.deferred is None:
            latest[(scaling.tier, scaling.mode)] = choice
    sized: dict[str, Choice] = {}
    for choice in earlier:
        if choice.is_size and choice.deferred is None and choice.steps > choice.steps_from:
            sized[choice.pattern.id] = choice
    grown = [
        Choice(c.pattern, [f"Grows what item {c.item_id} built, to what this stage needs."], resize_of=c)
        for c in latest.values()
    ]
    grown += [
        Choice(
            c.pattern,
            [f"Grows what item {c.item_id} built, to what this stage needs."],
            resize_of=c,
            steps=c.steps,
            steps_from=c.steps,
        )
        for c in sized.values()
    ]
    for pattern in existing:  # a fleet the team already runs (stateless containers, replicas) grows too
        scaling = pattern.scaling
        if scaling is not None and scaling.tier != "cells" and (scaling.tier, scaling.mode) not in latest:
            origin = Choice(pattern, [], item_id="")
            grown.append(Choice(pattern, ["You already run it: it grows to what this stage needs."], resize_of=origin))
    return grown
