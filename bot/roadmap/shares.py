"""What a share the team states lets the model compute instead of a catalogue range.

"95% of readers are anonymous", "search is 70% of database CPU", "those queries are 45% of database time": a
lever that serves or moves exactly that work leaves the tier `1 - share x moved` of its demand (the utilisation
law, U = X * D, on the part that remains), where `moved` is how much of that work the lever takes: the
catalogue's 80-95% edge hit ratio for whole-page caching, and 80-95% for a lever that moves a workload to a
store built for it (a stated default: index sync, cache misses and writes stay behind). "Writes are 70% of its
load": a cut that only touches reads (indexes, caches, precomputed aggregates) acts on the other 30%. "One
tenant's sync is 40% of our traffic": a quota, a rate limit or the batch moved off the peak takes 50-90% of that
share off the app servers and the database at the peak (a stated default).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.roadmap.catalogue import Catalogue, Effect, Pattern
from bot.roadmap.overlap import mechanism
from bot.roadmap.schema import Range
from bot.roadmap.workload.problems import Problem
from bot.roadmap.workload.reader import WorkloadReading

# The edge hit ratio on anonymous HTML the catalogue's edge-page-caching estimate rests on (its effects source).
EDGE_HIT_RATIO = Range(low=0.8, high=0.95)
# How much of a named workload a lever that moves it off the database takes with it (a stated default).
MOVED_SHARE = Range(low=0.8, high=0.95)

# Levers that take one workload off the database whole: search, feeds, presence, logs, analytics, rankings.
OFFLOADS = (
    "search-offload",
    "cqrs-read-models",
    "ephemeral-state-in-redis",
    "offload-write-heavy-data",
    "olap-offload",
    "pre-aggregated-rollups",
    "sorted-set-rankings",
    "time-series-store",
)

# Levers that take one client's or one job's share of the traffic off the peak: a quota and its own lane, a rate
# limit, the batch moved off the peak. A quota spreads the work over a longer window, so it takes at least half
# of it off the peak and most of it at best (a stated default).
SHAVERS = ("tenant-isolation", "rate-limiting", "batch-off-peak")
SHAVED_SHARE = Range(low=0.5, high=0.9)

# "(40% of our traffic)", "40% of all requests", "트래픽의 40%"
_TRAFFIC_SHARE = re.compile(
    r"(\d{1,3})\s?%\s+of\s+(?:our\s+|all\s+|the\s+)?(?:traffic|requests|load|peak)"
    r"|(?:트래픽|요청|부하)(?:의|중)\s*(?:약\s*)?(\d{1,3})\s?%",
    re.I,
)

# "is 70% of database CPU", "are 45% of database time", "40% of replica CPU", "DB 부하의 60%", "DB CPU의 70%"
_DATABASE_SHARE = re.compile(
    r"(\d{1,3})\s?%\s+of\s+(?:the\s+|our\s+|all\s+)?(?:database|db|replica|primary|mysql|postgres(?:ql)?)"
    r"(?:'s)?\s+(?:cpu|time|load)"
    r"|(?:db|디비|데이터베이스|레플리카)\s*(?:cpu|CPU|부하|시간)(?:의|중)\s*(?:약\s*)?(\d{1,3})\s?%",
    re.I,
)


def database_share(text: str) -> float | None:
    """The share of the database's work one sentence names (0.1-0.95), or None."""
    found = _DATABASE_SHARE.search(text)
    if found is None:
        return None
    share = int(found.group(1) or found.group(2)) / 100
    return share if 0.1 <= share <= 0.95 else None


def traffic_share(text: str) -> float | None:
    """The share of all traffic one sentence names (0.1-0.9), or None."""
    found = _TRAFFIC_SHARE.search(text)
    if found is None:
        return None
    share = int(found.group(1) or found.group(2)) / 100
    return share if 0.1 <= share <= 0.9 else None


def _shaved(pattern: Pattern, kept: Range) -> Pattern:
    """The lever now takes that share off the app servers and the database at the peak."""
    others = [e for e in pattern.effects if e.tier not in ("app", "database")]
    cut = [Effect(tier=tier, demand_factor=kept) for tier in ("app", "database")]
    return pattern.model_copy(update={"effects": others + cut})


def _kept(share: float, moved: Range) -> Range:
    """What a tier keeps of its demand when a lever takes `moved` of a `share` of it."""
    return Range(low=max(0.05, 1 - share * moved.high), high=max(0.05, 1 - share * moved.low))


# Impact metrics that are the whole tier's demand, so the item's predicted change is what the share leaves it.
_WHOLE_TIER = ("database time per request", "database load per request", "app requests per page view")


def _with(pattern: Pattern, tiers: set[str], kept: Range) -> Pattern:
    effects = [e.model_copy(update={"demand_factor": kept}) if e.tier in tiers else e for e in pattern.effects]
    return _said(pattern.model_copy(update={"effects": effects}), kept)


def _said(pattern: Pattern, kept: Range) -> Pattern:
    """The item's predicted change follows the effect the share gives, when its metric is the whole tier's demand."""
    impact = pattern.impact
    if impact.metric not in _WHOLE_TIER:
        return pattern
    change = Range(low=round(-100 * (1 - kept.low)), high=round(-100 * (1 - kept.high)))
    return pattern.model_copy(update={"impact": impact.model_copy(update={"change_pct": change})})


# Mechanisms (bot/roadmap/overlap.py) that cut the database's reads only: a stated write share bounds them.
READ_SIDE = ("query work", "read cache", "aggregate reads")


def _reads_only(pattern: Pattern, writes: float) -> Pattern:
    """A read-side cut on a database whose load is `writes` writes: it acts on the rest only (w + (1 - w) f)."""
    effects = []
    kept: Range | None = None
    for effect in pattern.effects:
        if effect.tier == "database" and mechanism(pattern.id, "database") in READ_SIDE:
            f = effect.demand_factor
            kept = Range(low=writes + (1 - writes) * f.low, high=writes + (1 - writes) * f.high)
            effect = effect.model_copy(update={"demand_factor": kept})
        effects.append(effect)
    tailored = pattern.model_copy(update={"effects": effects})
    return tailored if kept is None else _said(tailored, kept)


def tailor_shares(
    catalogue: Catalogue,
    reading: WorkloadReading,
    candidates: Sequence[tuple[Problem, tuple[str, ...]]],
    variants: dict[str, Pattern],
) -> None:
    """Replace a lever's effect range by what the team's stated share gives, in `variants`."""
    share = reading.anonymous_share
    if share is not None:
        pattern = variants.get("edge-page-caching", catalogue.get("edge-page-caching"))
        variants[pattern.id] = _with(pattern, {"app", "database"}, _kept(share, EDGE_HIT_RATIO))
    for problem, ids in candidates:
        share = database_share(problem.text)
        lever = next((i for i in ids if i in OFFLOADS), None)
        if share is None or lever is None:
            continue
        pattern = variants.get(lever, catalogue.get(lever))
        if any(e.tier == "database" for e in pattern.effects):
            variants[lever] = _with(pattern, {"database"}, _kept(share, MOVED_SHARE))
    for problem, ids in candidates:
        share = traffic_share(problem.text)
        lever = next((i for i in ids if i in SHAVERS), None)
        if share is not None and lever is not None and lever == ids[0]:
            variants[lever] = _shaved(variants.get(lever, catalogue.get(lever)), _kept(share, SHAVED_SHARE))
    writes = reading.write_share
    if writes is not None:
        for pattern in catalogue.patterns:
            if mechanism(pattern.id, "database") in READ_SIDE:
                variants[pattern.id] = _reads_only(variants.get(pattern.id, pattern), writes)
