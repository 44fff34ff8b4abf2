"""Notes on the capacity picture that a plan's figures alone do not say: a stated spike planned as a
peak arrival rate with its duration, the team's time against each stage's work, a deadline, and the
sanity warnings. Each note is short, because it travels in the summary message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from bot.i18n import N_, Language, count, t, tn, won_range
from bot.roadmap import money, team_time
from bot.roadmap.capacity import Baseline
from bot.roadmap.costs import CDN_PER_GB, CostModel
from bot.roadmap.numbers import compact, money_range
from bot.roadmap.rounding import sig
from bot.roadmap.schema import Range, Stage, SystemProfile
from bot.roadmap.traffic import monthly_egress_gb
from bot.roadmap.wording import shorten


def spike_note(
    base: Baseline,
    stages: Sequence[Stage],
    lang: Language = "en",
    peak_measured: bool = False,
    known_time: bool = True,
) -> str | None:
    """A stated burst ("x60 in the first minute") as a peak arrival rate against what each stage carries.

    Arrivals above capacity queue (or fail): the backlog after t seconds is (lambda - mu) t, and the last
    request admitted waits backlog / mu (Little's law), which is why a burst needs pre-scaling or a
    waiting room rather than reactive autoscaling. A measured peak already holds the burst ("x5 at lunch" is
    how the peak came about, since the questionnaire asks for the peak), so only an unmeasured one is multiplied.
    """
    spike = base.traffic.spike
    if spike is None:
        return None
    seconds = spike.seconds or 300.0
    quoted = _mentions(spike.phrase, base.current_rps)
    measured = base.current_rps if peak_measured or quoted else None
    # the burst is the measured peak, else x factor of the peak the model derived
    arrival = measured if measured is not None else spike.factor * base.current_rps
    at_target = arrival * base.target_users / base.current_users
    enough = next((s.number for s in stages if s.capacity_after.rps >= at_target), None)
    final = stages[-1].capacity_after.rps
    basis = (
        t(lang, "your measured peak")
        if measured is not None
        else t(lang, "x{factor} today's peak", factor=f"{spike.factor:g}")
    )
    figures = {
        "basis": basis,
        "arrival": _rate(arrival, lang),
        "seconds": f"{seconds:g}",
        "target": _rate(at_target, lang),
    }
    if spike.seconds:
        text = t(lang, "Burst: {basis}, ~{arrival} req/s for {seconds} s; at the target ~{target} req/s.", **figures)
    else:
        text = t(
            lang,
            "Burst: {basis}, ~{arrival} req/s for {seconds} s (duration not stated: 5 min assumed); at the target "
            "~{target} req/s.",
            **figures,
        )
    if enough is not None and known_time:
        carried = t(
            lang,
            "The plan carries it from stage {n} on, if capacity is in place before it starts (pre-scale).",
            n=enough,
        )
        return f"{text} {carried}"
    if enough is not None:  # breaking news: no schedule to pre-scale on, and autoscaling takes minutes
        carried = t(
            lang,
            "The plan carries it from stage {n} on, if that capacity is already running when it starts: nobody knows "
            "when, and autoscaling takes minutes, so keep it standing or serve the rush from the edge cache.",
            n=enough,
        )
        return f"{text} {carried}"
    backlog = (at_target - final) * seconds
    wait = backlog / final if final > 0 else math.inf
    queued = t(
        lang,
        "After stage 3 it carries ~{final} req/s: ~{backlog} requests queue, the last waits ~{wait} s; admit at the "
        "carried rate (a waiting room) or pre-scale.",
        final=_rate(final, lang),
        backlog=_rate(backlog, lang),
        wait=_rate(wait, lang),
    )
    return f"{text} {queued}"


def bandwidth_note(profile: SystemProfile, lang: Language = "en", per_gb: Range = CDN_PER_GB) -> str | None:
    """The bytes the team says it serves a month, grown with its users to the target, at CDN list prices.

    The plan's costs are what its items add; a media-heavy system's largest bill is the bytes themselves, which
    grow with the audience whatever the plan does (linear in users: the same bytes per viewer).
    """
    stated = monthly_egress_gb("\n".join([profile.bottlenecks, profile.architecture.network or ""]))
    if not stated or not money.supported(profile.budget.currency):
        return None
    currency = profile.budget.currency
    grown = stated * profile.target_users / profile.current_users
    low = money.from_usd(grown * per_gb.low, currency)
    high = money.from_usd(grown * per_gb.high, currency)
    values = {
        "now": _volume(stated, lang),
        "target": _volume(grown, lang),
        "low": f"{per_gb.low:g}",
        "high": f"{per_gb.high:g}",
        "cost": won_range(low, high) if currency == "KRW" else money_range(Range(low=low, high=high), currency),
    }
    text = t(
        lang,
        "Bandwidth: you serve about {now} a month; at the target about {target}, which at CDN list prices "
        "(${low}-{high}/GB) is {cost} a month before any discount.",
        **values,
    )
    budget = profile.budget.monthly_amount
    if budget is not None and high > float(budget):
        text += " " + t(
            lang,
            "That alone can exceed the budget: cut the bytes (adaptive bitrates, modern codecs and image formats) "
            "and negotiate committed-use CDN pricing before you plan on the figure.",
        )
    return text


def _volume(gb: float, lang: Language) -> str:
    """A monthly volume in the unit people use for it (TB or PB)."""
    if gb >= 1_000_000:
        return f"{sig(gb / 1_000_000, 2):g} PB"
    return f"{sig(gb / 1_000, 2):g} TB"


def _rate(value: float, lang: Language) -> str:
    """A figure of the burst, two significant digits, as the reader counts ("120k", "12만")."""
    if not math.isfinite(value):
        return "∞"
    return count(lang, sig(value, 2)) if lang == "ko" else compact(sig(value, 2))


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _mentions(phrase: str, value: float) -> bool:
    """The phrase quotes a number within 25% of `value` ("to ~24,000 req/s" for a measured 24,000)."""
    for token in _NUMBER.findall(phrase):
        number = float(token.replace(",", ""))
        if value > 0 and abs(number - value) <= 0.25 * value:
            return True
    return False


def effort_notes(
    base: Baseline,
    stages: Sequence[Stage],
    lang: Language = "en",
    postponed: Mapping[str, int] | None = None,
    before: Sequence[str] = (),
) -> list[str]:
    """The team's person-weeks against each stage's work, what moved for it, and a stated deadline.

    The rules engine already moved what did not fit to the next stage; a stage that is still over holds
    only answers to what the team named, which never move.
    """
    notes: list[str] = []
    traffic = base.traffic
    postponed = postponed or {}
    where = {i.pattern_id: i.id for s in stages for i in s.items if i.pattern_id}
    if traffic.team_size:
        for stage in stages:
            moved = [pid for pid, left in postponed.items() if left == stage.number]
            work = sum(i.effort.person_days.mid for i in stage.items if i.deferred is None) / 5
            have = team_time.available_weeks(traffic.team_size, stage.number)
            values = {
                "stage": stage.number,
                "work": f"{sig(work, 2):g}",
                "team": traffic.team_size,
                "have": f"{sig(have, 2):g}",
                "weeks": f"{team_time.STAGE_WEEKS[stage.number]:g}",
            }
            if moved:
                later = [where[pid] for pid in moved if pid in where]
                notes.append(
                    tn(
                        lang,
                        "{team} engineer at half their time has about {have} person-weeks in stage {stage}'s "
                        "{weeks} weeks: to fit, these moved to the next stage: {items}. What answers what you "
                        "named stays.",
                        "{team} engineers at half their time have about {have} person-weeks in stage {stage}'s "
                        "{weeks} weeks: to fit, these moved to the next stage: {items}. What answers what you "
                        "named stays.",
                        traffic.team_size,
                        items=", ".join(sorted(later, key=_item_key)) or "-",
                        **values,
                    )
                )
            if work > have * team_time.SLACK:
                notes.append(
                    tn(
                        lang,
                        "Stage {stage} is still about {work} person-weeks for {team} engineer (about {have} "
                        "at half time): the answers to what you named alone are more; do them in the stage's "
                        "order and expect it to take longer, or give the plan more of your time.",
                        "Stage {stage} is still about {work} person-weeks for {team} engineers (about {have} "
                        "at half time): the answers to what you named alone are more; do them in the stage's "
                        "order and expect it to take longer, or give the plan more of your time.",
                        traffic.team_size,
                        **values,
                    )
                )
    if traffic.deadline_weeks:
        due = traffic.deadline_weeks
        ends = {n: team_time.STAGE_START_WEEK[n] + team_time.STAGE_WEEKS[n] for n in team_time.STAGE_WEEKS}
        late = [s.number for s in stages if ends[s.number] > due]
        ready = next((s for s in stages if s.capacity_after.meets_target), None)
        if late:
            phrase = shorten(traffic.deadline_phrase or "", 40)  # the team's words, never cut mid-word
            values = {"due": f"{sig(due, 2):g}", "phrase": phrase, "late": late[0]}
            if ready is None:
                message = N_('Deadline in about {due} weeks ("{phrase}"): stage {late} ends after it.')
            else:
                message = N_(
                    'Deadline in about {due} weeks ("{phrase}"): stage {late} ends after it, and the target '
                    "needs stage {ready}."
                )
                values["ready"] = ready.number
            text = t(lang, message, **values) + " "
            if before:
                text += t(
                    lang,
                    "Ship before it: {items} (risk fixes, the first answer to each problem you named, and what "
                    "the event needs).",
                    items=", ".join(sorted(before, key=_item_key)),
                )
            else:
                text += t(lang, "Pull what the deadline needs into stage 1.")
            notes.append(text)
    return notes


def capacity_notes(
    profile: SystemProfile,
    costs: CostModel,
    base: Baseline,
    stages: Sequence[Stage],
    postponed: Mapping[str, int] | None = None,
    before: Sequence[str] = (),
    known_time: bool = True,
) -> list[str]:
    """The capacity picture's notes (the sanity warnings travel separately, in the reader's language)."""
    notes: list[str] = []
    peak_measured = bool(profile.measurements.peak_rps)
    spike = spike_note(base, stages, profile.language or "en", peak_measured, known_time)
    bandwidth = bandwidth_note(profile, profile.language or "en", costs.cdn_per_gb)
    if spike:
        notes.append(spike)
    if bandwidth:
        notes.append(bandwidth)
    return notes + effort_notes(base, stages, profile.language or "en", postponed, before)


def _item_key(item_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in item_id.split("."))
