"""Whether a catalogue condition holds for this system, and which levers the team's own words point at."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.roadmap.catalogue import Catalogue, Condition
from bot.roadmap.reading.facts import Fact
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.schema import SystemProfile, Tier
from bot.roadmap.workload.problems import mentions
from bot.roadmap.workload.reader import WorkloadReading
from bot.roadmap.workload.stack import Stack


def holds(
    condition: Condition,
    reading: WorkloadReading,
    facts: frozenset[Fact],
    profile: SystemProfile,
    utilisation: Mapping[Tier, float] | None = None,
) -> bool:
    """Every field the condition sets holds for this system (any value within a field)."""
    db_busy = (utilisation or {}).get("database")
    stack: Stack = reading.stack
    kinds = reading.kind_ids
    checks = [
        not condition.kinds or bool(kinds & set(condition.kinds)),
        not (kinds & set(condition.not_kinds)),
        not condition.facts or bool(facts & set(condition.facts)),
        not condition.database or stack.database in condition.database,
        not condition.runtime or stack.runtime in condition.runtime,
        condition.managed_db is None or stack.managed_db == condition.managed_db,
        condition.self_managed_db is None or stack.self_managed_db == condition.self_managed_db,
        condition.small_host is None or stack.small_host == condition.small_host,
        condition.spike is None or (reading.event is not None and reading.event.spike is not None) == condition.spike,
        condition.target_below is None or profile.target_users < condition.target_below,
        condition.db_busy_below is None or (db_busy is not None and db_busy < condition.db_busy_below),
        condition.contention is None or reading.contention == condition.contention,
        condition.team_below is None or (reading.team_size is not None and reading.team_size < condition.team_below),
        condition.at_largest_size is None or reading.at_largest_size == condition.at_largest_size,
        condition.managed_lb is None or stack.managed_lb == condition.managed_lb,
    ]
    if condition.said is not None and all(checks):
        checks.append(bool(find_phrases(answer_text(profile), condition.said.en, condition.said.ko)))
    return all(checks)


def answer_keywords(profile: SystemProfile, catalogue: Catalogue) -> dict[str, list[str]]:
    """Each pattern's trigger keywords found in the answers (not the team's constraints), in the order written."""
    text = answer_text(profile)
    return {p.id: find_phrases(text, p.triggers.keywords.en, p.triggers.keywords.ko) for p in catalogue.patterns}


def answer_text(profile: SystemProfile) -> str:
    """The free-text answers (not the constraints) that conditions and trigger keywords are looked for in."""
    arch = profile.architecture
    return "\n".join([profile.bottlenecks, *profile.core_features, arch.database, arch.servers, arch.network or ""])


def named_patterns(
    profile: SystemProfile, catalogue: Catalogue, keyword_hits: Mapping[str, Sequence[str]] | None = None
) -> set[str]:
    """Patterns the team's own words point at: a trigger keyword anywhere, or an answer to a named problem."""
    if keyword_hits is None:
        keyword_hits = answer_keywords(profile, catalogue)
    named = {pattern_id for pattern_id, hits in keyword_hits.items() if hits}
    named |= {p.id for p in catalogue.patterns if mentions(profile.bottlenecks, p.answers.en, p.answers.ko)}
    return named
