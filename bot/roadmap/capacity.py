"""A transparent capacity model built on the operational laws (see docs/capacity-model.md).

- Little's law for a closed loop, N = X (R + Z): concurrent users and requests/s convert through
  the requests each user makes per second, measured at today's peak when the team gives it.
- Utilisation law: U = X * D per tier, so a tier at utilisation U today carries X / U at U = 1.
- Universal Scalability Law: n units give C1 * n / (1 + sigma (n-1) + kappa n (n-1)),
  never a free linear claim; a hot row is its contention term, which no hardware removes.

The model is calibrated on what the team told us: today's peak throughput and how busy each
tier is at that peak. Every number the engine prints is derived here or in the catalogue, and
every assumption is recorded with its origin (measured, stated by the team, or a default).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.i18n import N_, Language, t, tn
from bot.roadmap.costs import BYTES_PER_REQUEST, MEDIA_BYTES_PER_REQUEST
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.rounding import sig2, users2
from bot.roadmap.schema import MODEL_TIERS, TIER_LABELS, CapacityPoint, Range, SystemProfile, Tier
from bot.roadmap.traffic import Traffic, read_traffic
from bot.roadmap.wording import origin as origin_name
from bot.roadmap.wording import shorten, tier_name
from bot.roadmap.wording import users as users_text

# Defaults, each stated in docs/capacity-model.md and repeated in a roadmap's assumptions.
THINK_TIME_S = 10.0
RESPONSE_TIME_S = 0.3  # mean response time when nothing is measured
P95_PER_MEAN = 3.0  # exponential response times: p95 = ln(20) x mean = 3.0 x mean
SAFE_UTILISATION = 0.7
SATURATED_UTILISATION = 1.0  # the tier that gives way, when the team reports failures and no figure explains them
BUSY_UTILISATION = 0.7  # a tier the symptoms name, when nothing fails and no figure is quoted: no headroom assumed
STRAINED_UTILISATION = 0.6  # a tier the symptoms name, when another tier's figure explains the failures
IDLE_UTILISATION = 0.5  # a tier nobody mentioned
ORIGIN_LINK_BPS = 1e9  # an origin's link when nobody names one (a default: cloud VMs get 1 to 10 Gbit/s and more)
EXPLAINED_UTILISATION = 0.85  # a quoted figure at or above this explains failures at peak
MIN_UTILISATION = 0.05  # below this a quoted figure says little about capacity; never extrapolate past 20x
# USL coefficients of today's deployment, before any pattern changes them.
CURRENT_USL: dict[Tier, tuple[float, float]] = {
    "app": (0.03, 0.0005),
    "database": (0.2, 0.005),
    "network": (0.0, 0.0),
    "contention": (0.0, 0.0),
}
# Vertical growth of the database: at most this many instance sizes above today's (8x its vCPU and
# memory, a stated default): past that a single node's gains flatten (memory bandwidth, lock and
# log contention) and the largest sizes are the costliest per vCPU; the next lever is splitting it.
MAX_SIZE_STEPS = 3
LARGEST_SIZE = 32.0  # 16xlarge, relative to a .large: the largest size most database families offer
_SIZE = re.compile(r"\.(nano|micro|small|medium|large|(\d{0,2})xlarge)\b", re.I)
SHARDED_USL = (0.01, 0.0001)  # a database already split into shards: little cross-shard work (default)
BINDING_PREFERENCE: tuple[Tier, ...] = ("contention", "database", "app", "network")

MEASURED, STATED, DEFAULT, DERIVED = "measured", "you said", "default", "derived"
# Share of a count that is active at the same moment at the peak, when the answers give registered,
# daily or monthly users instead of concurrent ones (stated defaults: peak concurrency about 5% of
# daily actives, daily about 20% of monthly and 10% of registered users).
ACTIVE_AT_PEAK: dict[str, float] = {"daily": 0.05, "monthly": 0.01, "registered": 0.005}
COUNT_KINDS: dict[str, str] = {
    "daily": N_("daily active"),
    "monthly": N_("monthly active"),
    "registered": N_("registered"),
}
# What replaces an assumed utilisation with a measured one, per tier (printed beside its figure).
MEASURE_TO_REPLACE: dict[Tier, str] = {
    "database": N_("DB CPU at peak and the p95 of the slowest query"),
    "app": N_("the app servers' CPU (or busy workers) at peak"),
    "network": N_("origin egress at peak against the link's bandwidth"),
    "contention": N_("lock wait time per request at peak"),
}


def note(origin: str, text: str, lang: Language = "en") -> str:
    """An assumption as printed: its origin first, so a reader knows which ones to correct."""
    return f"[{origin_name(origin, lang)}] {text}"


Scenario = Literal["optimistic", "expected", "conservative"]
SCENARIOS: tuple[Scenario, ...] = ("optimistic", "expected", "conservative")


def pick(value: Range, scenario: Scenario) -> float:
    """Ranges hold (best case, worst case) for factors that shrink demand or contention."""
    if scenario == "optimistic":
        return value.low
    if scenario == "conservative":
        return value.high
    return value.mid


def usl(n: float, sigma: float, kappa: float) -> float:
    """Relative capacity of n units under the Universal Scalability Law."""
    return n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def usl_peak(sigma: float, kappa: float, ceiling: int) -> int:
    """Units beyond sqrt((1 - sigma) / kappa) lower throughput; never plan past that."""
    if kappa <= 0:
        return ceiling
    return max(1, min(ceiling, math.floor(math.sqrt((1 - sigma) / kappa))))


def units_for(required: float, per_unit: float, sigma: float, kappa: float, lo: int, hi: int) -> int | None:
    """Smallest unit count in [lo, hi] reaching `required`; None when even hi falls short."""
    if per_unit * usl(hi, sigma, kappa) < required:
        return None
    while lo < hi:  # usl is increasing up to its peak, and hi never exceeds the peak
        mid = (lo + hi) // 2
        if per_unit * usl(mid, sigma, kappa) >= required:
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(frozen=True, slots=True)
class TierState:
    unit_rps: float  # one unit's throughput at the tier's planning ceiling with today's demand per request
    units: int
    sigma: float
    kappa: float
    demand: float = 1.0  # cumulative demand factor from the patterns applied so far
    partitions: int = 1  # independent copies of the tier's layout (shards)
    part_sigma: float = 0.0
    part_kappa: float = 0.0
    counted: bool = True  # False: today's unit count was not stated, so one unit stands for today's fleet
    # demand factor already applied per mechanism (bot/roadmap/overlap.py): a later cut by the same
    # mechanism only adds what it removes beyond this
    cuts: tuple[tuple[str, float], ...] = ()
    size_steps: int = 0  # instance sizes grown since today (each doubles vCPU and memory)
    size_room: int = 0  # sizes the tier's nodes can still grow from today's (see size_room below)

    @property
    def per_unit_rps(self) -> float:
        return self.unit_rps / self.demand

    def capacity_rps(self) -> float:
        return (
            self.per_unit_rps
            * usl(self.units, self.sigma, self.kappa)
            * usl(self.partitions, self.part_sigma, self.part_kappa)
        )


@dataclass(frozen=True, slots=True)
class CapacityState:
    tiers: dict[Tier, TierState]
    cells: int = 1
    cell_sigma: float = 0.0
    cell_kappa: float = 0.0

    def cell_factor(self) -> float:
        return usl(self.cells, self.cell_sigma, self.cell_kappa)

    def tier_rps(self, tier: Tier) -> float:
        return self.tiers[tier].capacity_rps() * self.cell_factor()

    def system_rps(self) -> float:
        return min(self.tier_rps(t) for t in self.tiers)

    def binding(self) -> Tier:
        return min((t for t in BINDING_PREFERENCE if t in self.tiers), key=self.tier_rps)

    def with_demand(self, tier: Tier, factor: float) -> CapacityState:
        current = self.tiers[tier]
        return replace(self, tiers={**self.tiers, tier: replace(current, demand=current.demand * factor)})

    def with_units(self, tier: Tier, units: int, sigma: float, kappa: float) -> CapacityState:
        current = self.tiers[tier]
        updated = replace(current, units=units, sigma=sigma, kappa=kappa)
        return replace(self, tiers={**self.tiers, tier: updated})

    def with_partitions(self, tier: Tier, partitions: int, sigma: float, kappa: float) -> CapacityState:
        current = self.tiers[tier]
        updated = replace(current, partitions=partitions, part_sigma=sigma, part_kappa=kappa)
        return replace(self, tiers={**self.tiers, tier: updated})

    def with_cells(self, cells: int, sigma: float, kappa: float) -> CapacityState:
        return replace(self, cells=cells, cell_sigma=sigma, cell_kappa=kappa)


@dataclass(frozen=True, slots=True)
class Projection:
    """The same plan under best-case, expected and worst-case figures from the ranges."""

    optimistic: CapacityState
    expected: CapacityState
    conservative: CapacityState

    def get(self, scenario: Scenario) -> CapacityState:
        return getattr(self, scenario)  # type: ignore[no-any-return]

    def map(self, change: Callable[[CapacityState, Scenario], CapacityState]) -> Projection:
        return Projection(*(change(self.get(s), s) for s in SCENARIOS))


@dataclass(frozen=True)
class Baseline:
    """Today's system as the laws see it, calibrated on the answers.

    Tier capacities are held at each tier's planning ceiling (usually 70% busy), so a capacity
    in requests/s converts to users by Little's law alone: users = capacity / requests per user.
    """

    per_user_rps: float  # requests each concurrent user makes per second at peak (N = X (R + Z))
    think_time_s: float
    response_time_s: float  # today's mean response time (from p95 with a stated factor, or a default)
    current_users: int
    target_users: int
    current_rps: float
    utilisation: dict[Tier, float]  # today, at the peak
    ceilings: dict[Tier, float]  # the utilisation each tier is planned to run at
    binding_now: Tier
    state: CapacityState
    failing: bool  # the team reports failures at today's peak
    open_workload: bool
    traffic: Traffic = field(default_factory=Traffic)
    assumptions: list[str] = field(default_factory=list)
    measure: list[str] = field(default_factory=list)  # what to measure to replace the defaults
    # tiers whose capacity rests on a default utilisation, not a figure the team gave: what to measure
    assumed: dict[Tier, str] = field(default_factory=dict)

    @property
    def planned_response_s(self) -> float:
        return self.response_time_s

    @property
    def target_rps(self) -> float:
        return self.target_users * self.per_user_rps

    @property
    def required_rps(self) -> float:
        """Capacity (at the planning ceilings) that carries the target."""
        return self.target_rps

    @property
    def tiers(self) -> tuple[Tier, ...]:
        return tuple(t for t in MODEL_TIERS if t in self.state.tiers)

    def users_at(self, rps: float) -> int:
        """Concurrent users a capacity of `rps` carries at the planning ceilings (Little's law)."""
        return math.floor(rps / self.per_user_rps + 1e-6)

    @property
    def capacity_now_users(self) -> int:
        return self.users_at(self.state.system_rps())

    @property
    def over_capacity_now(self) -> bool:
        return self.capacity_now_users < self.current_users

    def point(self, label: str, projection: Projection, monthly_cost: Range) -> CapacityPoint:
        expected = projection.expected
        users = self.users_at(expected.system_rps())
        return CapacityPoint(  # figures to two significant figures, rounded down: what the estimate supports
            label=label,
            users=users2(users),
            rps=sig2(expected.system_rps()),
            binding_tier=expected.binding(),
            tier_users={t: users2(self.users_at(expected.tier_rps(t))) for t in self.tiers},
            meets_target=users >= self.target_users,
            monthly_cost=monthly_cost,
        )


def _fmt(value: float) -> str:
    """Two significant figures: what an estimate supports."""
    if value == 0:
        return "0"
    digits = max(0, 1 - math.floor(math.log10(abs(value))))
    rounded = round(value, digits)
    return f"{rounded:,.{digits}f}" if digits else f"{rounded:,.0f}"


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


def _count_kind(profile: SystemProfile, facts: ArchitectureFacts) -> str | None:
    """'registered', 'daily' or 'monthly' when the answers call today's count that, and never concurrent."""
    if "concurrent" in facts.user_counts:
        return None
    for kind in ("registered", "daily", "monthly"):
        if facts.user_counts.get(kind) == profile.current_users:
            return kind
    return None


def _per_user_rate(  # type: ignore[no-untyped-def]
    profile: SystemProfile,
    open_phrases: tuple[str, ...],
    notes: list[str],
    measure: list[str],
    facts: ArchitectureFacts,
):
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
                    mean=_fmt(response),
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
                    rate=_fmt(rate),
                    peak=_fmt(peak),
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
                    think=_fmt(think),
                    faster=f"{faster:.0%}",
                )
            else:
                text = t(lang, "Think time ~{think} s.", think=_fmt(think))
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
                peak=_fmt(peak),
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


def _fails_at_peak(profile: SystemProfile, facts: ArchitectureFacts) -> tuple[bool, str]:
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
        rps=_fmt(current_rps),
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
    rate, response, think, current_rps = _per_user_rate(profile, traffic.open_phrases, notes, measure, facts)
    failing, why = _fails_at_peak(profile, facts)
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
