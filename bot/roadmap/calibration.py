"""Today's system calibrated on the answers: the tiers present, how busy each is at the peak, its fleet and
shards, and the Baseline every stage starts from."""

from __future__ import annotations

import math
import re

from bot.i18n import Language, t, tn
from bot.roadmap.capacity import (
    BINDING_PREFERENCE,
    BUSY_UTILISATION,
    CURRENT_USL,
    DEFAULT,
    DERIVED,
    EXPLAINED_UTILISATION,
    IDLE_UTILISATION,
    MEASURE_TO_REPLACE,
    MIN_UTILISATION,
    ORIGIN_LINK_BPS,
    SAFE_UTILISATION,
    SATURATED_UTILISATION,
    SHARDED_USL,
    STATED,
    STRAINED_UTILISATION,
    Baseline,
    CapacityState,
    TierState,
    note,
    usl,
)
from bot.roadmap.costs import BYTES_PER_REQUEST, MEDIA_BYTES_PER_REQUEST
from bot.roadmap.peak import fails_at_peak, per_user_rate, two_figures
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.schema import TIER_LABELS, SystemProfile, Tier
from bot.roadmap.traffic import Traffic, read_traffic
from bot.roadmap.wording import tier_name
from bot.roadmap.wording import users as users_text

# Vertical growth of the database: at most this many instance sizes above today's (8x its vCPU and
# memory, a stated default): past that a single node's gains flatten (memory bandwidth, lock and
# log contention) and the largest sizes are the costliest per vCPU; the next lever is splitting it.
MAX_SIZE_STEPS = 3
LARGEST_SIZE = 32.0  # 16xlarge, relative to a .large: the largest size most database families offer
_SIZE = re.compile(r"\.(nano|micro|small|medium|large|(\d{0,2})xlarge)\b", re.I)


def size_room(instance_type: str | None) -> int:
    """Instance sizes the database can still grow: up to MAX_SIZE_STEPS, never past a 16xlarge."""
    found = _SIZE.search(instance_type or "")
    if not found:
        return MAX_SIZE_STEPS
    name = found.group(1).lower()
    size = {"nano": 0.0625, "micro": 0.125, "small": 0.25, "medium": 0.5, "large": 1.0}.get(name)
    if size is None:
        size = 2.0 * float(found.group(2) or 1)
    return max(0, min(MAX_SIZE_STEPS, math.floor(math.log2(LARGEST_SIZE / size) + 1e-9)))


def _present_tiers(facts: ArchitectureFacts, traffic: Traffic) -> list[Tier]:
    """App servers and a database always (the questionnaire asks for both); the rest only when named.

    Static delivery is a tier when the symptoms or a figure name it, or when media is served from
    the origin (no CDN): then the bytes are a load of their own.
    """
    tiers: list[Tier] = ["app", "database"]
    media_from_origin = facts.has(Fact.MEDIA_HEAVY) and not facts.has(Fact.HAS_CDN)
    named = _evidence("network", facts, traffic)
    if "network" in facts.quoted_utilisation or named or media_from_origin:
        tiers.append("network")
    if traffic.contention:
        tiers.append("contention")
    return tiers


# Words that say the pages are slow or far away, not that the origin's bandwidth is short: latency
# work (a CDN near the users), not a capacity tier of its own.
_DISTANCE_ONLY = frozenset(
    {"page load", "slow to load", "abroad", "overseas", "global", "far away", "latency from", "해외", "글로벌"}
)


def _evidence(tier: Tier, facts: ArchitectureFacts, traffic: Traffic) -> list[str]:
    if tier == "contention":
        return list(traffic.contention_phrases)
    found = list(dict.fromkeys(facts.tier_evidence.get(tier, [])))
    if tier == "network":
        found = [w for w in found if w.lower() not in _DISTANCE_ONLY]
    return found


# "16 shards", "샤드 4개"; not "MySQL 8 sharded" (a version before a verb)
_SHARDS = re.compile(
    r"(\d{1,4})\s*(?:shards?\b|partitions?\b|샤드|개 샤드)|(?:샤드|shards?\b)\s*(\d{1,4})\s*(?:개|대)?", re.I
)


def _cluster(facts: ArchitectureFacts) -> bool:
    """An app tier on a cluster that sizes itself (Kubernetes, autoscaling): no count, yet not one server."""
    return facts.has(Fact.KUBERNETES) or facts.has(Fact.HAS_AUTOSCALING)


def _shards(profile: SystemProfile, facts: ArchitectureFacts) -> int:
    """How many shards the database already has ("sharded with Vitess into 16 shards"); 1 when not sharded."""
    if not facts.has(Fact.HAS_SHARDING):
        return 1
    counts = [int(m.group(1) or m.group(2)) for m in _SHARDS.finditer(profile.architecture.database)]
    count = max(counts, default=1)
    return max(1, min(count, 4096))


def _egress_share(current_rps: float, facts: ArchitectureFacts, lang: Language) -> tuple[float, str]:
    """An origin link nobody mentioned: how busy today's bytes make it, rather than half busy by default.

    A site that serves its own photos at 25 req/s sends ~20 Mbit/s, a fiftieth of a 1 Gbit/s link: its
    bandwidth binds at the target, if ever, not today. The response size and the link are stated defaults.
    """
    per_request = MEDIA_BYTES_PER_REQUEST if facts.has(Fact.MEDIA_HEAVY) else BYTES_PER_REQUEST
    share = current_rps * per_request * 8 / ORIGIN_LINK_BPS
    value = min(IDLE_UTILISATION, max(MIN_UTILISATION, share))
    text = t(
        lang,
        "{tier} ~{share} busy (not mentioned: {rps} req/s x {kb} KB a response on a {link} Gbit/s link, defaults).",
        tier=tier_name("network", lang),
        share=f"{value:.0%}" if value >= 0.01 else "1%",
        rps=two_figures(current_rps),
        kb=f"{per_request / 1000:g}",
        link=f"{ORIGIN_LINK_BPS / 1e9:g}",
    )
    return value, text


def build_baseline(profile: SystemProfile, facts: ArchitectureFacts, traffic: Traffic | None = None) -> Baseline:
    traffic = traffic or read_traffic(profile)
    lang = profile.language or "en"
    notes: list[str] = []
    measure: list[str] = []
    open_workload = traffic.open
    rate, response, think, current_rps = per_user_rate(profile, traffic.open_phrases, notes, measure, facts)
    failing, why = fails_at_peak(profile, facts)
    if failing:
        notes.append(note(STATED, t(lang, "Fails at peak ({why}).", why=why), lang))

    tiers = _present_tiers(facts, traffic)
    quoted = {t: v for t, v in facts.quoted_utilisation.items() if t in tiers}
    utilisation: dict[Tier, float] = {}
    for tier, value in quoted.items():
        utilisation[tier] = max(value, MIN_UTILISATION)
        text = t(lang, "{tier} {share} busy at peak.", tier=tier_name(tier, lang), share=f"{value:.0%}")
        notes.append(note(STATED, text, lang))
    unquoted = [t for t in tiers if t not in utilisation]
    evidence = {t: _evidence(t, facts, traffic) for t in tiers}
    ranked = sorted(unquoted, key=lambda t: (-len(evidence[t]), BINDING_PREFERENCE.index(t)))
    explained = any(v >= EXPLAINED_UTILISATION for v in utilisation.values())
    if failing and not explained:
        if ranked:
            tier = ranked[0]
            words = ", ".join(evidence[tier][:4])
            because = t(lang, "named ({words})", words=words) if words else t(lang, "the tier without a figure")
            if tier == "contention":
                because = t(lang, "lock contention ({words}) serialises requests", words=words)
            utilisation[tier] = SATURATED_UTILISATION
            notes.append(
                note(
                    DEFAULT,
                    t(
                        lang,
                        "{tier} saturated (100%) at peak: {because}. Measure it.",
                        tier=tier_name(tier, lang),
                        because=because,
                    ),
                    lang,
                )
            )
            measure.append(f"{TIER_LABELS[tier]} utilisation at peak")
            ranked = ranked[1:]
        else:
            notes.append(
                note(
                    DERIVED,
                    t(
                        lang,
                        "No quoted tier is near saturation yet it fails: probably not capacity (check pools, locks, "
                        "timeouts, retries).",
                    ),
                    lang,
                )
            )
    for tier in ranked:
        if evidence[tier]:
            value = STRAINED_UTILISATION if failing else BUSY_UTILISATION
            words = ", ".join(evidence[tier][:4])
            notes.append(
                note(
                    DEFAULT,
                    t(
                        lang,
                        "{tier} {share} busy (named: {words}).",
                        tier=tier_name(tier, lang),
                        share=f"{value:.0%}",
                        words=words,
                    ),
                    lang,
                )
            )
            measure.append(f"{TIER_LABELS[tier]} utilisation at peak")
        elif tier == "network":
            value, text = _egress_share(current_rps, facts, lang)
            notes.append(note(DEFAULT, text, lang))
            measure.append(f"{TIER_LABELS[tier]} utilisation at peak")
        else:
            value = IDLE_UTILISATION
            text = t(lang, "{tier} {share} busy (not mentioned).", tier=tier_name(tier, lang), share=f"{value:.0%}")
            notes.append(note(DEFAULT, text, lang))
        utilisation[tier] = value
    for tier in quoted:
        if utilisation[tier] < IDLE_UTILISATION and evidence[tier]:
            notes.append(
                note(
                    DERIVED,
                    t(
                        lang,
                        "{tier} at {share} is not short of capacity: its slowness is latency work (queries, N+1, "
                        "pools), not hardware.",
                        tier=tier_name(tier, lang),
                        share=f"{utilisation[tier]:.0%}",
                    ),
                    lang,
                )
            )

    ceilings: dict[Tier, float] = {}
    for tier in tiers:
        ceiling = SAFE_UTILISATION
        if not failing and utilisation[tier] > SAFE_UTILISATION:
            ceiling = utilisation[tier]
            notes.append(
                note(
                    DERIVED,
                    t(
                        lang,
                        "{tier} runs at {share} without failing: its ceiling, no headroom.",
                        tier=tier_name(tier, lang),
                        share=f"{utilisation[tier]:.0%}",
                    ),
                    lang,
                )
            )
        ceilings[tier] = ceiling

    units: dict[Tier, int] = {
        "app": facts.app_servers,
        "database": 1 + facts.db_replicas,
        "network": 1,
        "contention": 1,
    }
    shards = _shards(profile, facts)
    states: dict[Tier, TierState] = {}
    for tier in tiers:
        sigma, kappa = CURRENT_USL[tier]
        capacity = current_rps * ceilings[tier] / utilisation[tier]
        parts = shards if tier == "database" else 1
        p_sigma, p_kappa = SHARDED_USL if parts > 1 else (0.0, 0.0)
        states[tier] = TierState(
            unit_rps=capacity / usl(units[tier], sigma, kappa) / usl(parts, p_sigma, p_kappa),
            units=units[tier],
            sigma=sigma,
            kappa=kappa,
            partitions=parts,
            part_sigma=p_sigma,
            part_kappa=p_kappa,
            counted=tier != "app" or facts.app_servers_stated or facts.app_servers > 1,
            size_room=size_room(facts.instance_types.get("database")) if tier == "database" else 0,
        )
    state = CapacityState(tiers=states)
    binding = state.binding()
    fleet = {
        "app": (
            t(lang, "an app fleet of unstated size (counted as 1x today's)")
            if units["app"] == 1 and not facts.app_servers_stated and _cluster(facts)
            else tn(lang, "{count} app server", "{count} app servers", units["app"])
        ),
        "db": tn(lang, "{count} database node", "{count} database nodes", units["database"]),
        "safe": f"{SAFE_UTILISATION:.0%}",
    }
    if shards > 1:
        text = t(lang, "{app}, {db} in each of {shards} shards; planned at <= {safe} busy.", shards=shards, **fleet)
    else:
        text = t(lang, "{app}, {db}; planned at <= {safe} busy.", **fleet)
    notes.append(note(STATED if facts.app_servers > 1 or facts.db_replicas else DEFAULT, text, lang))
    assumed = {tier: MEASURE_TO_REPLACE[tier] for tier in tiers if tier not in quoted}
    for tier in sorted(assumed, key=lambda t_: state.tier_rps(t_)):  # the binding one first
        notes.append(
            note(
                DEFAULT,
                t(
                    lang,
                    "{tier}: {users} is an assumed figure ({share} busy by default, not measured); "
                    "measure {what} to replace it.",
                    tier=tier_name(tier, lang),
                    users=users_text(math.floor(state.tier_rps(tier) / rate + 1e-6), lang),
                    share=f"{utilisation[tier]:.0%}",
                    what=t(lang, assumed[tier]),
                ),
                lang,
            )
        )
    if "contention" in tiers:
        notes.append(
            note(
                DERIVED,
                t(
                    lang,
                    "Lock contention is its own limit (USL contention): no server, replica or shard lifts a hot row.",
                ),
                lang,
            )
        )
    return Baseline(
        per_user_rps=rate,
        think_time_s=think,
        response_time_s=response,
        current_users=profile.current_users,
        target_users=profile.target_users,
        current_rps=current_rps,
        utilisation=utilisation,
        ceilings=ceilings,
        binding_now=binding,
        state=state,
        failing=failing,
        open_workload=open_workload,
        traffic=traffic,
        assumptions=notes,
        measure=list(dict.fromkeys(measure)),
        assumed=assumed,
    )
