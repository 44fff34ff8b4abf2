"""The monthly budget across the stages, and which choices it funds, cuts down or holds back."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.roadmap.numbers import money as fmt_money
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.prices import price
from bot.roadmap.rounding import money2 as money_round


def _capacity_critical(ordered: Sequence[Choice]) -> set[int]:
    """Choices that move capacity, and the prerequisites they need in the same stage."""
    by_id = {c.pattern.id: c for c in ordered}
    critical: set[int] = set()

    def mark(choice: Choice) -> None:
        if id(choice) in critical:
            return
        critical.add(id(choice))
        for dep in choice.pattern.requires:
            if dep in by_id:
                mark(by_id[dep])

    for choice in ordered:
        if choice.pattern.effects or choice.pattern.scaling is not None:
            mark(choice)
    return critical


@dataclass
class Budget:
    """The monthly budget across the three stages, spent at the top of each cost range.

    Funding order: first what the team's named problems and risks need (as the plan orders them),
    then capacity work in plan order, skipping within a stage what does not fit; once a stage's
    capacity work was held back or cut down for money, later stages' capacity work waits (so more
    budget does not buy a later stage at the cost of an earlier one); last, from what is left,
    practices that do not move capacity.
    """

    total: float | None
    spent: float = 0.0
    stopped_at: str | None = None  # the capacity item where the money ran out
    pending: list[Choice] = field(default_factory=list)
    reserve_later: float = 0.0  # kept for what later stages' named problems and risks need

    def left(self) -> float | None:
        return None if self.total is None else self.total - self.spent

    def fit_stage(
        self,
        ordered: Sequence[Choice],
        earlier: dict[str, Choice],
        currency: str,
        nodes_per_partition: Callable[[Choice], int],
        wanted: Callable[[str], bool] = lambda _: False,
    ) -> None:
        critical = _capacity_critical(ordered)
        by_id = {c.pattern.id: c for c in ordered} | earlier
        first = [c for c in ordered if wanted(c.pattern.id)]
        # the cuts first (caching, object storage): the scale-out was sized on the goal they reach, so a budget that
        # runs out must run out on the scale-out, not on the cheaper cut it assumed
        second = sorted((c for c in ordered if id(c) in critical and c not in first), key=lambda c: c.is_scaling)
        for choice in first:
            self._fund(choice, by_id, currency, nodes_per_partition, skip=True)
        for choice in second:
            self._fund(choice, by_id, currency, nodes_per_partition, skip=False)
        if self.total is not None:
            for choice in second:  # sized to a lower common goal because the stage's full scale-out did not fit
                cut = choice.full_units is not None and choice.units is not None and choice.units < choice.full_units
                if cut and choice.goal < choice.full_goal * (1 - 1e-6) and not choice.deferred:
                    scaling = choice.pattern.scaling
                    assert scaling is not None
                    choice.notes.append(  # the same sentence as a lever cut down below (read in Korean too)
                        f"The budget allows {choice.units} of the {choice.full_units} {scaling.units_label} this needs."
                    )
                    choice.budget_limited = True
        limited = [c.item_id for c in second if c.budget_limited]
        if limited:
            self.stopped_at = self.stopped_at or limited[0]
        self.pending += [c for c in ordered if c not in first and c not in second]

    def finish(self, currency: str) -> None:
        """Fund the practices that do not move capacity from what the capacity work left."""
        by_id = {c.pattern.id: c for c in self.pending}
        for choice in self.pending:
            self._fund(choice, by_id, currency, lambda _: 1, skip=True)
        self.pending = []

    def _fund(
        self,
        choice: Choice,
        by_id: dict[str, Choice],
        currency: str,
        nodes_per_partition: Callable[[Choice], int],
        *,
        skip: bool,
    ) -> None:
        blocked = [by_id[d].item_id or d for d in choice.pattern.requires if d in by_id and by_id[d].deferred]
        if choice.resize_of is not None and choice.resize_of.deferred:
            blocked = [choice.resize_of.item_id]
        if blocked:
            choice.deferred = f"Waits for {', '.join(blocked)}, which is held back."
            return
        reserve = 0.0 if skip else self.reserve_later  # capacity work leaves later stages' named answers their money
        if not skip and self.stopped_at is not None and choice.monthly.high > 0:
            choice.deferred = (
                f"Waits for budget: capacity work is funded stage by stage and the money ran out at {self.stopped_at}."
            )
            choice.budget_limited = True
            return
        left = self.left()
        if left is not None:
            left -= reserve
        if left is not None and choice.monthly.high > left:
            scaling = choice.pattern.scaling
            if scaling is not None and choice.units is not None and choice.units_from is not None:
                nodes = nodes_per_partition(choice)
                fixed = 0.0 if choice.resize_of is not None else choice.base_monthly.high
                per_unit = choice.unit_monthly.high * nodes
                affordable = choice.units_from + max(0, math.floor((left - fixed) / per_unit)) if per_unit else 0
                if affordable > choice.units_from:
                    needed = choice.units
                    choice.units = affordable
                    price(choice, currency, nodes)
                    while choice.monthly.high > left and choice.units > choice.units_from + 1:
                        choice.units -= 1  # rounded prices can land just above what is left
                        price(choice, currency, nodes)
                    choice.notes.append(
                        f"The budget allows {choice.units} of the {needed} {scaling.units_label} this needs."
                    )
                    choice.budget_limited = True
            if choice.is_size and choice.steps > choice.steps_from + 1:
                needed = choice.steps
                while choice.monthly.high > left and choice.steps > choice.steps_from + 1:
                    choice.set_steps(choice.steps - 1)  # one size less
                    price(choice, currency)
                if choice.steps < needed:
                    choice.notes.append(
                        f"The budget allows {choice.steps - choice.steps_from} of the "
                        f"{needed - choice.steps_from} instance sizes this needs."
                    )
                    choice.budget_limited = True
            if choice.monthly.high > left:
                choice.deferred = (
                    f"Over budget: adds up to {fmt_money(money_round(choice.monthly.high), currency)} a month and "
                    f"{fmt_money(money_round(max(left, 0)), currency)} of the monthly budget is left."
                )
                choice.budget_limited = True
                return
        self.spent += choice.monthly.high
