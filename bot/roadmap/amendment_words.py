"""A profile change read from a thread message, said in the roadmap's language: the line the confirmation shows
("budget $8,000 -> $2,000 / month", "deadline: none -> June 1, 2027 (in 25 weeks)") and why a change read was not
proposed. Pure: no I/O."""

from __future__ import annotations

from datetime import date

from bot.i18n import Language, count, t
from bot.roadmap import dates
from bot.roadmap.amendment import Change
from bot.roadmap.numbers import percent
from bot.roadmap.reading.facts import Fact
from bot.roadmap.reading.what_i_read import component_label, tier_label


def describe(change: Change, lang: Language) -> str:
    """One change as "budget $8,000 -> $2,000 / month", in the roadmap's language."""
    before, after = change.before, change.after
    if change.kind == "budget":
        if before is None:
            return t(lang, "budget: none -> {after} / month", after=after)
        return t(lang, "budget {before} -> {after} / month", before=before, after=after)
    if change.kind in ("target", "current"):
        values = {"before": count(lang, float(before or 0)), "after": count(lang, float(after or 0))}
        if change.kind == "target":
            return t(lang, "target {before} -> {after} concurrent users", **values)
        return t(lang, "concurrent users today {before} -> {after}", **values)
    if change.kind == "team":
        if before is None:
            return t(lang, "team: not stated -> {after} engineers", after=after)
        return t(lang, "team {before} -> {after} engineers", before=before, after=after)
    if change.kind == "deadline":
        if change.detail[:1].isdigit():  # read from a date (an ISO day): the day is said with the weeks
            day = dates.label(date.fromisoformat(change.detail), lang)
            if before is None:
                return t(lang, "deadline: none -> {day} (in {after:g} weeks)", day=day, after=float(after or 0))
            return t(
                lang,
                "deadline in {before:g} weeks -> {day} (in {after:g} weeks)",
                before=float(before),
                day=day,
                after=float(after or 0),
            )
        if before is None:
            return t(lang, "deadline: none -> in {after:g} weeks", after=float(after or 0))
        return t(lang, "deadline in {before:g} -> {after:g} weeks", before=float(before), after=float(after or 0))
    if change.kind == "component":
        name = component_label(Fact(change.detail), lang)
        return t(lang, "{component} already in place (from '{phrase}')", component=name, phrase=after)
    if change.kind == "utilisation":
        tier = tier_label(change.detail, lang)
        now = percent(float(after or 0))
        if before is None:
            return t(lang, "{tier} at {after} at peak", tier=tier, after=now)
        return t(lang, "{tier} at peak {before} -> {after}", tier=tier, before=percent(float(before)), after=now)
    return t(lang, "bottleneck resolved: '{sentence}'", sentence=before)


def refusal(change: Change, lang: Language) -> str:
    """Why a change that was read is not proposed."""
    if change.detail == "not_above_current":
        return t(
            lang,
            "A target of {after} is not above today's {before} concurrent users, so I left the target as it is.",
            after=count(lang, float(change.after or 0)),
            before=count(lang, float(change.before or 0)),
        )
    if change.detail == "not_below_target":
        return t(
            lang,
            "{after} concurrent users today would reach the target of {before}: change the target first.",
            after=count(lang, float(change.after or 0)),
            before=count(lang, float(change.before or 0)),
        )
    if change.detail in ("past", "far") and isinstance(change.after, str):
        day = dates.label(date.fromisoformat(change.after), lang)
        if change.detail == "past":
            return t(lang, "{day} has already passed, so I left the deadline as it is.", day=day)
        return t(
            lang,
            "{day} is more than {weeks} weeks away, so I left the deadline as it is.",
            day=day,
            weeks=dates.MAX_WEEKS,
        )
    if change.detail == "too_long":
        return t(lang, "The answers would grow past Slack's limit; use Edit answers on the roadmap instead.")
    return t(
        lang,
        "I could not apply '{change}' so that the plan reads it; use Edit answers instead.",
        change=describe(change, lang),
    )
