"""Sanity gates before any plan: absurd or contradictory answers get a clear warning or a refusal.

A refusal says what to measure or tell instead; a warning travels with the plan. The same checks
serve the CLI (`check_profile` on a validated profile) and the Slack modal (`field_errors` on the
raw answers, keyed by questionnaire field, for `response_action: errors`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from bot.i18n import N_, Language, t
from bot.roadmap.reading.facts import ArchitectureFacts
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.schema import SystemProfile, parse_count

MAX_SCALE = 10_000  # beyond this the system will be rebuilt several times over: no plan from today's figures
WARN_SCALE = 1_000  # beyond this, figures are extrapolations and the roadmap says so
MAX_RPS_PER_USER = 50.0  # a person cannot click faster; more means the count is not of people
MIN_RPS_PER_USER = 0.0005  # one request per half hour at peak: probably registered, not concurrent users

_EMPTY = re.compile(
    r"^\W*(?:-+|n/?a|none|nothing|no|nope|tbd|todo|unknown|idk|\?+|\.+|없음|없어요|모름|모르겠음|해당 ?없음)?\W*$", re.I
)
# one message per kind of count, so each reads naturally in both languages
_USER_KINDS = {
    "registered": N_(
        "Your answers call {count} users registered; the questionnaire asks for concurrent users (people active at "
        "the same moment, typically a few percent of daily users). Give the concurrent peak."
    ),
    "daily": N_(
        "Your answers call {count} users daily; the questionnaire asks for concurrent users (people active at "
        "the same moment, typically a few percent of daily users). Give the concurrent peak."
    ),
    "monthly": N_(
        "Your answers call {count} users monthly; the questionnaire asks for concurrent users (people active at "
        "the same moment, typically a few percent of daily users). Give the concurrent peak."
    ),
}
_WORD = re.compile(r"[^\W\d_]{2,}|\d+", re.UNICODE)


@dataclass(frozen=True)
class Finding:
    """One problem with the answers: the questionnaire field it is about, what to do, and whether it blocks.

    `text` is the English message with {placeholders} filled from `values`; `say` gives it in either language."""

    field: str  # current_users | target_users | bottlenecks | architecture | measurements.peak_rps | ...
    text: str
    refuse: bool = False
    values: Mapping[str, object] = dataclass_field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.say("en")

    def say(self, lang: Language) -> str:
        return t(lang, self.text, **self.values)


def _empty(text: str | None) -> bool:
    return text is None or bool(_EMPTY.match(text.strip()))


def _vague_architecture(profile: SystemProfile, facts: ArchitectureFacts) -> bool:
    """'db / cloud': nothing a model can start from (no engine, no count, no size, no provider)."""
    arch = profile.architecture
    words = _WORD.findall(" ".join([arch.database, arch.servers, arch.network or ""]))
    known = (
        facts.db_engine is not None
        or facts.app_servers_stated
        or bool(facts.instance_types)
        or bool(facts.vcpus)
        or facts.runtime is not None
    )
    return not known and len(words) < 6


def check_profile(profile: SystemProfile, facts: ArchitectureFacts | None = None) -> list[Finding]:
    """Warnings and refusals for a validated profile, worst first."""
    facts = facts or extract_facts(profile)
    findings: list[Finding] = []
    factor = profile.target_users / profile.current_users
    if factor > MAX_SCALE:
        findings.append(
            Finding(
                "target_users",
                N_(
                    "A target {factor}x today's users is more than {limit}x: no plan drawn from today's system "
                    "can be trusted that far. Give a nearer target (10-100x) and review again when you reach it."
                ),
                refuse=True,
                values={"factor": f"{factor:,.0f}", "limit": f"{MAX_SCALE:,}"},
            )
        )
    elif factor > WARN_SCALE:
        findings.append(
            Finding(
                "target_users",
                N_(
                    "A target {factor}x today's users is beyond {limit}x: the figures are extrapolations; "
                    "plan the first 10-100x in detail and review again from there."
                ),
                values={"factor": f"{factor:,.0f}", "limit": f"{WARN_SCALE:,}"},
            )
        )
    no_symptoms = _empty(profile.bottlenecks)
    vague = _vague_architecture(profile, facts)
    if no_symptoms and vague:
        findings.append(
            Finding(
                "bottlenecks",
                N_(
                    "No bottleneck and an architecture too vague to model (no database engine, server count or size): "
                    "tell what breaks or is slow at peak, the database engine and size, and how many app servers run."
                ),
                refuse=True,
            )
        )
    elif no_symptoms:
        findings.append(
            Finding(
                "bottlenecks",
                N_(
                    "No bottleneck given: the plan assumes nothing is saturated. Say what breaks or is slow at peak, "
                    "or measure utilisation per tier."
                ),
            )
        )
    elif vague:
        findings.append(
            Finding(
                "architecture",
                N_(
                    "The architecture is too vague to size from: give the database engine and size and the number "
                    "and size of app servers; defaults stand in for them."
                ),
            )
        )
    peak = profile.measurements.peak_rps
    if peak is not None:
        per_user = peak / profile.current_users
        if per_user > MAX_RPS_PER_USER:
            findings.append(
                Finding(
                    "measurements.peak_rps",
                    N_(
                        "{peak} req/s from {users} users is {per_user} req/s per person: "
                        "check that the users are concurrent people and the rate is per second."
                    ),
                    values={
                        "peak": f"{peak:,.0f}",
                        "users": f"{profile.current_users:,}",
                        "per_user": f"{per_user:,.0f}",
                    },
                )
            )
        elif per_user < MIN_RPS_PER_USER:
            findings.append(
                Finding(
                    "current_users",
                    N_(
                        "{peak} req/s from {users} users is one request per {minutes} minutes per user: that looks "
                        "like registered, not concurrent, users."
                    ),
                    values={
                        "peak": f"{peak:g}",
                        "users": f"{profile.current_users:,}",
                        "minutes": f"{1 / per_user / 60:,.0f}",
                    },
                )
            )
    for kind in ("registered", "daily", "monthly"):
        count = facts.user_counts.get(kind)
        if count is not None and count == profile.current_users and "concurrent" not in facts.user_counts:
            findings.append(
                Finding(
                    "current_users",
                    _USER_KINDS[kind],
                    values={"count": f"{count:,}"},
                )
            )
            break
    return findings


def field_errors(values: Mapping[str, object]) -> dict[str, str]:
    """Errors by questionnaire field for the Slack modal, from the raw answers (before a profile exists).

    Keys are the field names of SystemProfile (`current_users`, `target_users`, `bottlenecks`,
    `budget.monthly_amount`, `measurements.peak_rps`, ...). Only refusals are errors; warnings go with the plan.
    """
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for name in ("current_users", "target_users"):
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            parsed = parse_count(raw)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        if not isinstance(parsed, int) or parsed < 1:
            errors[name] = "Give a whole number of concurrent users, at least 1."
            continue
        counts[name] = parsed
    current, target = counts.get("current_users"), counts.get("target_users")
    if current is not None and target is not None:
        if target <= current:
            errors["target_users"] = (
                f"The target ({target:,}) must be above today's {current:,} users: this review plans growth."
            )
        elif target / current > MAX_SCALE:
            errors["target_users"] = (
                f"{target / current:,.0f}x today's users is more than {MAX_SCALE:,}x: give a nearer target (10-100x) "
                "and review again when you reach it."
            )
    for name in (
        "budget.monthly_amount",
        "measurements.peak_rps",
        "measurements.p95_latency_ms",
        "measurements.error_rate_pct",
    ):
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            number = float(str(raw).replace(",", "").strip().lstrip("$€£₩¥"))
        except ValueError:
            errors[name] = "Give a number."
            continue
        if number < 0:
            errors[name] = "Give a number of zero or more."
        elif name == "measurements.error_rate_pct" and number > 100:
            errors[name] = "An error rate is a percentage, 0 to 100."
    bottleneck = values.get("bottlenecks")
    database, servers = values.get("architecture.database"), values.get("architecture.servers")
    if isinstance(bottleneck, str) and _empty(bottleneck):
        arch_words = _WORD.findall(" ".join(str(v) for v in (database, servers) if isinstance(v, str)))
        if len(arch_words) < 6:
            errors["bottlenecks"] = (
                "Tell what breaks or is slow at peak (or what you measured), and describe the database engine and size "
                "and the app servers: there is too little to plan from."
            )
    return errors
