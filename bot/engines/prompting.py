"""The OpenAI engine's prompt: the case study's structure, grounded in our capacity model and catalogue.

The system message is the same for every review (role, method, rules, the whole catalogue), so
it comes first and providers can cache it; everything about this team follows in the user message,
their answers inside a delimited data block that cannot be closed from within.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache

import prompts
from bot.engines.token_count import Counter, estimate_tokens
from bot.roadmap import discussion
from bot.roadmap.calibration import build_baseline
from bot.roadmap.capacity import SAFE_UTILISATION
from bot.roadmap.catalogue import Pattern, load_catalogue
from bot.roadmap.numbers import compact, days_range, money_range, pct_range
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.schema import TIER_LABELS, ItemStatus, Roadmap, SystemProfile

_TEMPLATE_FIELD = re.compile(r"\{(\w+)\}")


def _untemplated(text: str) -> str:
    return _TEMPLATE_FIELD.sub(lambda m: {"units": "N", "units_from": "M"}.get(m.group(1), m.group(1)), text)


def _pattern_line(p: Pattern) -> str:
    changes = [f"{TIER_LABELS[e.tier]} demand x{e.demand_factor.low:g}-{e.demand_factor.high:g}" for e in p.effects]
    if p.scaling:
        where = "the whole stack" if p.scaling.tier == "cells" else TIER_LABELS[p.scaling.tier]
        sc = p.scaling
        unit_cost = money_range(sc.unit_cost_monthly_usd, "USD")
        changes.append(
            f"scales {where} to N {sc.units_label} (USL sigma {sc.sigma.low:g}-{sc.sigma.high:g}, "
            f"kappa {sc.kappa.low:g}-{sc.kappa.high:g}, {unit_cost} a month each)"
        )
    if not changes:
        changes.append(f"resilience {p.resilience}/3, no capacity change")
    cost = f"one-off {money_range(p.cost.one_off_usd, 'USD')}, monthly {money_range(p.cost.monthly_usd, 'USD')}"
    return " | ".join(
        [
            p.id,
            str(p.stage),
            _untemplated(p.title),
            "; ".join(changes),
            f"{p.impact.metric} {pct_range(p.impact.change_pct)} ({p.impact.confidence.value})",
            f"{p.difficulty.value}, {days_range(p.effort.person_days, 'person-days')}",
            cost,
        ]
    )


@cache
def system_prompt() -> str:
    catalogue = load_catalogue()
    return prompts.render("architect_system", catalogue="\n".join(_pattern_line(p) for p in catalogue.patterns))


def _capacity_text(profile: SystemProfile, rules_roadmap: Roadmap) -> str:
    base = build_baseline(profile, extract_facts(profile))
    lines = [
        f"- Today's peak: about {base.current_rps:.0f} requests/s from {profile.current_users:,} concurrent users "
        f"(response time today R = {base.response_time_s:g} s, planned R = {base.planned_response_s:g} s, "
        f"think time Z = {base.think_time_s:.1f} s).",
        f"- Target: {profile.target_users:,} users, about {base.target_rps:.0f} requests/s; every tier planned at "
        f"no more than {SAFE_UTILISATION:.0%} utilisation.",
    ]
    for tier in base.tiers:
        users = base.users_at(base.state.tier_rps(tier))
        lines.append(
            f"- {TIER_LABELS[tier]}: about {base.utilisation[tier]:.0%} busy at today's peak, "
            f"carries about {compact(users)} users{' (binds first)' if tier == base.binding_now else ''}."
        )
    lines += [f"- Assumption: {a}" for a in base.assumptions]
    for stage in rules_roadmap.stages:
        point = stage.capacity_after
        lines.append(
            f"- With the rules engine's stage {stage.number}: about {compact(point.users)} users, "
            f"limited by the {TIER_LABELS[point.binding_tier]}."
        )
    lines.append(f"- Rules engine verdict: {rules_roadmap.summary.verdict}")
    return "\n".join(lines)


def _candidates_text(rules_roadmap: Roadmap) -> str:
    lines = []
    for stage in rules_roadmap.stages:
        lines.append(f"Stage {stage.number}:")
        for item in stage.items:
            held = f" [held back: {item.deferred}]" if item.deferred else ""
            lines.append(f"- {item.pattern_id}: {item.title}{held}")
    return "\n".join(lines + _reading_lines(rules_roadmap))


def _reading_lines(rules_roadmap: Roadmap) -> list[str]:
    """The workload reading, the named problems and the contraindicated levers, as data for the model.

    The team's phrases are in it, so it goes in an escaped data block like the answers themselves.
    """
    reading = {
        "workload_kinds": [{"kind": k.label, "team_wrote": k.evidence} for k in rules_roadmap.workload],
        "named_problems_worst_first": [
            {"severity": a.severity, "team_said": a.said, "rules_items": a.item_ids} for a in rules_roadmap.problems
        ],
        "not_recommended_never_propose": [
            {"pattern": r.pattern_id, "reason": r.reason} for r in rules_roadmap.not_recommended
        ],
    }
    return [
        "",
        "What kind of system this is, the problems the team named (answer each, correctness and data-loss risks "
        "first) and the patterns that must not be proposed here (an item that does is dropped):",
        f"<rules_reading>\n{_data_block(reading)}\n</rules_reading>",
    ]


def _budget_text(profile: SystemProfile, currency: str) -> str:
    budget = profile.budget
    if budget.monthly_amount is None:
        return f"No monthly budget given. Write all costs in {currency}."
    return f"Monthly budget: {budget.monthly_amount:,} {budget.currency}. Write all costs in {currency}."


def questionnaire_block(profile: SystemProfile) -> str:
    """The answers as JSON, escaped so the data cannot close its own block."""
    return _data_block(profile.model_dump(mode="json"))


def _data_block(value: object) -> str:
    """JSON with <, > and & escaped, so text inside a tag-delimited block cannot close it."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


# What the conversation may take of a prompt, in tokens of the configured model (token_count.py: tiktoken when its
# encoding is cached locally, else an estimate that errs high, so the budget is never exceeded).
HISTORY_TOKEN_BUDGET = 1_500


def fit_history(
    history: Sequence[tuple[str | None, str]], budget: int = HISTORY_TOKEN_BUDGET, count: Counter = estimate_tokens
) -> list[str]:
    """The newest messages that fit the budget, oldest first; a line says how many older ones were left out."""
    kept: list[str] = []
    used = 0
    for who, text in reversed(history):
        line = f"{who or 'someone'}: {text}"
        cost = count(line)
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    left_out = len(history) - len(kept)
    lines = list(reversed(kept))
    if left_out:
        lines.insert(0, f"({left_out} earlier messages left out)")
    return lines


def discussion_messages(
    roadmap: Roadmap,
    statuses: Mapping[str, ItemStatus],
    question: str,
    reading: discussion.Answer,
    history: Sequence[tuple[str | None, str]] = (),
    count: Counter = estimate_tokens,
) -> list[dict[str, str]]:
    """A question from the roadmap's thread, with the roadmap (and each item's status) as data, the rules'
    reading of it (which items, what order and why) as grounding, and the conversation so far within a budget."""
    items = [
        {
            "id": item.id,
            "stage": stage.number,
            "title": item.title,
            "status": str(statuses.get(item.id, ItemStatus.TODO)),
            "depends_on": item.depends_on,
            "benefit_cost_score": item.score,
            "impact": f"{item.impact.metric} {item.impact.change_pct.low:g}..{item.impact.change_pct.high:g}%",
            "monthly_cost": f"{item.cost.monthly.low:g}..{item.cost.monthly.high:g} {item.cost.currency}",
            "why": item.why[:400],
            **({"held_back": item.deferred} if item.deferred else {}),
        }
        for stage in roadmap.stages
        for item in stage.items
    ]
    data = {"system": roadmap.system_name, "verdict": roadmap.summary.verdict, "items": items}
    if reading.ordering is not None:
        grounding = f"The question is about {reading.ordering.first.id} and {reading.ordering.then.id}: "
        grounding += f"{reading.ordering.first.id} comes first because {reading.ordering.reason}."
    elif reading.items:
        grounding = "The question is about " + ", ".join(i.id for i in reading.items) + "."
    else:
        grounding = "The question names no item by id or subject that scale-review recognised."
    request = prompts.render(
        "discussion_request",
        grounding=grounding,
        roadmap=_data_block(data),
        question=_data_block(question),
        discussion=_data_block(fit_history(history, count=count) or "(nothing yet)"),
    )
    return [{"role": "system", "content": prompts.render("discussion_system")}, {"role": "user", "content": request}]


def messages(profile: SystemProfile, rules_roadmap: Roadmap, currency: str) -> list[dict[str, str]]:
    request = prompts.render(
        "roadmap_request",
        capacity=_capacity_text(profile, rules_roadmap),
        candidates=_candidates_text(rules_roadmap),
        budget=_budget_text(profile, currency),
        questionnaire=questionnaire_block(profile),
    )
    return [{"role": "system", "content": system_prompt()}, {"role": "user", "content": request}]
