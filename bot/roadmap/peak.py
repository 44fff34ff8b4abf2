"""Today's peak as the laws read it: requests per user per second, response and think time (Little's law),
and whether the system fails at that peak."""

from __future__ import annotations

import math
import re

from bot.i18n import N_, t
from bot.roadmap.capacity import (
    DEFAULT,
    DERIVED,
    MEASURED,
    P95_PER_MEAN,
    RESPONSE_TIME_S,
    THINK_TIME_S,
    note,
)
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.schema import SystemProfile
from bot.roadmap.wording import shorten

# Share of a count that is active at the same moment at the peak, when the answers give registered,
# daily or monthly users instead of concurrent ones (stated defaults: peak concurrency about 5% of
# daily actives, daily about 20% of monthly and 10% of registered users).
ACTIVE_AT_PEAK: dict[str, float] = {"daily": 0.05, "monthly": 0.01, "registered": 0.005}
COUNT_KINDS: dict[str, str] = {
    "daily": N_("daily active"),
    "monthly": N_("monthly active"),
    "registered": N_("registered"),
}


def two_figures(value: float) -> str:
    """Two significant figures: what an estimate supports."""
    if value == 0:
        return "0"
    digits = max(0, 1 - math.floor(math.log10(abs(value))))
    rounded = round(value, digits)
    return f"{rounded:,.{digits}f}" if digits else f"{rounded:,.0f}"


def _count_kind(profile: SystemProfile, facts: ArchitectureFacts) -> str | None:
    """'registered', 'daily' or 'monthly' when the answers call today's count that, and never concurrent."""
    if "concurrent" in facts.user_counts:
        return None
    for kind in ("registered", "daily", "monthly"):
        if facts.user_counts.get(kind) == profile.current_users:
            return kind
    return None


def per_user_rate(
    profile: SystemProfile,
    open_phrases: tuple[str, ...],
    notes: list[str],
    measure: list[str],
    facts: ArchitectureFacts,
) -> tuple[float, float, float, float]:
    """(requests per user per second, today's mean response time, think time, today's peak req/s)."""
    measured = profile.measurements
    users = profile.current_users
    lang = profile.language or "en"
    if measured.p95_latency_ms:
        response = measured.p95_latency_ms / 1000 / P95_PER_MEAN
        notes.append(
            note(
                DERIVED,
                t(
                    lang,
                    "Mean response time ~{mean} s (p95 {p95} ms / {ratio}).",
                    mean=two_figures(response),
                    p95=f"{measured.p95_latency_ms:,.0f}",
                    ratio=f"{P95_PER_MEAN:g}",
                ),
                lang,
            )
        )
    else:
        response = RESPONSE_TIME_S
        text = t(lang, "Mean response time {mean} s (give p95 latency).", mean=f"{RESPONSE_TIME_S:g}")
        notes.append(note(DEFAULT, text, lang))
        measure.append("p95 latency at peak")
    if measured.peak_rps:
        peak = measured.peak_rps
        rate = peak / users
        think = max(0.0, users / peak - response)
        notes.append(
            note(
                MEASURED,
                t(
                    lang,
                    "{rate} req/s per user ({peak} req/s / {users} users).",
                    rate=two_figures(rate),
                    peak=two_figures(peak),
                    users=f"{users:,}",
                ),
                lang,
            )
        )
        if open_phrases:
            notes.append(
                note(
                    DERIVED,
                    t(
                        lang,
                        "Open workload ({phrases}): a faster system does not create more arrivals; planned on the "
                        "arrival rate.",
                        phrases=", ".join(open_phrases[:2]),
                    ),
                    lang,
                )
            )
        elif think > 0:
            faster = (response - min(response, RESPONSE_TIME_S)) / (think + min(response, RESPONSE_TIME_S))
            if faster >= 0.05:
                text = t(
                    lang,
                    "Think time ~{think} s; faster pages add up to {faster} requests.",
                    think=two_figures(think),
                    faster=f"{faster:.0%}",
                )
            else:
                text = t(lang, "Think time ~{think} s.", think=two_figures(think))
            notes.append(note(DERIVED, text, lang))
        else:
            notes.append(note(DERIVED, t(lang, "Over one request in flight per user: no think time."), lang))
        return rate, response, think, peak
    think = THINK_TIME_S
    rate = 1 / (response + think)
    kind = _count_kind(profile, facts)
    if kind is not None:  # not concurrent people: only a share of them is active at the peak (Little's law on those)
        share = ACTIVE_AT_PEAK[kind]
        rate *= share
        notes.append(
            note(
                DEFAULT,
                t(
                    lang,
                    "Your {users} users read as {kind} users: about {share} of them are active at the same moment at "
                    "peak (a default), so the model plans on about {concurrent} concurrent users. Give the concurrent "
                    "peak to replace it.",
                    users=f"{users:,}",
                    kind=t(lang, COUNT_KINDS[kind]),
                    share=f"{share:.1%}".replace(".0%", "%"),
                    concurrent=f"{max(1, round(users * share)):,}",
                ),
                lang,
            )
        )
        measure.append("concurrent users at peak")
    peak = users * rate
    notes.append(
        note(
            DEFAULT,
            t(
                lang,
                "Think time {think} s: {users} users make ~{peak} req/s (give your peak req/s).",
                think=f"{THINK_TIME_S:g}",
                users=f"{users:,}",
                peak=two_figures(peak),
            ),
            lang,
        )
    )
    measure.append("peak requests/s")
    return rate, response, think, peak


_LOAD_WORDS = re.compile(
    r"peak|spike|surge|traffic|load|busy|viral|rush|sale|launch|lunch|evening|month[- ]end|concurrent|users arrive|"
    r"피크|트래픽|부하|몰리|몰림|세일|급증|동시|오픈",
    re.I,
)
_FAIL_WORDS = re.compile(
    r"\bdown\b|outage|crash|falls? over|unavailable|50[234]\b|time[sd]? ?out|timeouts?|\bdies\b|\boom\b|"
    r"다운|장애|뻗|죽|먹통|타임아웃|터지",
    re.I,
)
_SENTENCES = re.compile(r"[^.!?\n。]+")


def fails_at_peak(profile: SystemProfile, facts: ArchitectureFacts) -> tuple[bool, str]:
    """It fails today when errors reach 1% or a sentence ties an outage or timeouts to load.

    A bad deploy that took the site down is an incident, not a capacity limit.
    """
    errors = profile.measurements.error_rate_pct
    if errors is not None and errors >= 1:
        return True, t(profile.language or "en", "{errors}% errors", errors=f"{errors:g}")
    if not facts.has(Fact.OUTAGES):
        return False, ""
    for sentence in _SENTENCES.findall(profile.bottlenecks):
        if _FAIL_WORDS.search(sentence) and _LOAD_WORDS.search(sentence):
            quote = sentence.strip()
            return True, f'"{shorten(quote, 80)}"'
    return False, ""
