"""Workload-aware lever choice: what a senior engineer would pick for this system, and what never to pick.

The rules engine asks this module, per pattern: may it be recommended at all (contraindications,
already in place), is it wanted whatever the capacity model says (a lever of this workload, the
answer to a problem the team named), which stage it belongs in (a near event or a correctness risk
pulls it into stage 1), and which words fit the team's stack. After planning, it maps each named
problem to the item that answers it and lists the levers it rejected, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypedDict

from bot.roadmap.catalogue import Catalogue, Condition, Pattern
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.schema import ProblemAnswer, Rejection, RoadmapItem, SystemProfile, Tier, WorkloadKind
from bot.roadmap.shares import tailor_shares
from bot.roadmap.wording import shorten
from bot.roadmap.workload.problems import SEVERITY_ORDER, Problem, mentions
from bot.roadmap.workload.reader import WorkloadReading, read_workload
from bot.roadmap.workload.stack import Stack

if TYPE_CHECKING:
    from bot.roadmap.planning.choice import Choice

# A known event this many weeks away or nearer pulls its levers into stage 1 (stage 2 ends at ~13 weeks).
EVENT_HORIZON_WEEKS = 13.0
# Severities that come before any capacity work.
RISKS = ("correctness", "data-loss")
MAX_REJECTIONS = 6

_FACT_LABELS: dict[Fact, str] = {
    Fact.HAS_CACHE: "a shared cache",
    Fact.HAS_CDN: "a CDN",
    Fact.HAS_LOAD_BALANCER: "a load balancer",
    Fact.HAS_READ_REPLICAS: "read replicas",
    Fact.HAS_QUEUE: "a queue",
    Fact.HAS_AUTOSCALING: "autoscaling",
    Fact.HAS_MONITORING: "monitoring",
    Fact.HAS_CONNECTION_POOL: "a connection pool",
    Fact.HAS_SHARDING: "sharding or partitioning",
    Fact.HAS_SEARCH_ENGINE: "a search engine",
    Fact.MULTI_REGION: "several regions",
}

# Words that name the team's tools in steps: {db_stats} and friends (catalogue templates).
_DB_FIELDS: dict[str | None, dict[str, str]] = {
    "postgresql": {
        "db_engine": "PostgreSQL",
        "db_stats": "pg_stat_statements",
        "db_activity": "pg_stat_activity",
        "db_slowlog": "log_min_duration_statement",
        "db_online_index": "CREATE INDEX CONCURRENTLY",
        "db_exporter": "postgres_exporter",
        "db_pooler": "PgBouncer",
        "db_locks": "pg_locks joined to pg_stat_activity (wait_event_type 'Lock')",
    },
    "mysql": {
        "db_engine": "MySQL",
        "db_stats": "the performance_schema statement digests (sys.statement_analysis)",
        "db_activity": "SHOW PROCESSLIST",
        "db_slowlog": "slow_query_log with long_query_time",
        "db_online_index": "ALTER TABLE ... ADD INDEX with ALGORITHM=INPLACE, LOCK=NONE (gh-ost for very large tables)",
        "db_exporter": "mysqld_exporter",
        "db_pooler": "ProxySQL",
        "db_locks": "SHOW ENGINE INNODB STATUS and performance_schema.data_locks",
    },
    "mongodb": {
        "db_engine": "MongoDB",
        "db_stats": "the database profiler (system.profile)",
        "db_activity": "db.currentOp()",
        "db_slowlog": "the profiler's slowms threshold",
        "db_online_index": "createIndex (built online since MongoDB 4.2)",
        "db_exporter": "mongodb_exporter",
        "db_pooler": "the driver's connection pool",
        "db_locks": "db.currentOp() with waitingForLock",
    },
    None: {
        "db_engine": "the database",
        "db_stats": "the database's statement statistics (pg_stat_statements or the MySQL performance schema)",
        "db_activity": "the database's session list (pg_stat_activity or SHOW PROCESSLIST)",
        "db_slowlog": "the slow-query log",
        "db_online_index": "an online index build (CREATE INDEX CONCURRENTLY or ALGORITHM=INPLACE)",
        "db_exporter": "the database's Prometheus exporter",
        "db_pooler": "a connection pooler (PgBouncer or ProxySQL)",
        "db_locks": "the database's lock views",
    },
}
_APP_WORKERS: dict[str | None, str] = {
    "python": "gunicorn or uvicorn workers",
    "ruby": "Puma workers and threads",
    "node": "Node.js processes (one per core, cluster or one per container)",
    "jvm": "Tomcat request threads and the HikariCP pool",
    "php": "PHP-FPM children (pm.max_children)",
    "go": "the server's concurrency limits and GOMAXPROCS",
    None: "app workers",
}
# A circuit-breaker library of the team's runtime (each maintained and in wide use on its platform).
_BREAKERS: dict[str | None, str] = {
    "jvm": "Resilience4j",
    "python": "pybreaker, with tenacity for the bounded retries",
    "ruby": "Semian or circuitbox",
    "node": "opossum",
    "php": "Ganesha (ackintosh/ganesha)",
    "go": "sony/gobreaker",
    None: "a library for your runtime, or your service mesh's outlier detection",
}
FIELD_NAMES = frozenset({*_DB_FIELDS[None], "app_workers", "breaker_lib", "spike", "spike_window"})


class _Planned(Protocol):
    """What the advice needs of a planned choice (planning.choice.Choice has it)."""

    @property
    def pattern(self) -> Pattern: ...


# Components named in the architecture that the general fact reader can miss (a Korean particle glued to
# "CloudFront로", "HorizontalPodAutoscaler" written as one word); substrings, negation checked nearby.
_IN_PLACE: dict[Fact, tuple[str, ...]] = {
    Fact.HAS_CDN: ("cloudfront", "cloudflare", "fastly", "akamai", "cloud cdn"),
    Fact.HAS_CACHE: ("redis", "memcached", "elasticache", "memorystore", "valkey"),
    Fact.HAS_CONNECTION_POOL: ("pgbouncer", "proxysql", "hikaricp", "rds proxy", "vitess"),
    Fact.HAS_AUTOSCALING: (
        "horizontalpodautoscaler",
        "cluster autoscaler",
        "hpa ",
        "hpa)",
        "hpa,",
        "hpa;",
        "오토스케일",
    ),
    Fact.HAS_MONITORING: ("datadog", "prometheus", "grafana", "new relic", "sentry"),
    Fact.HAS_QUEUE: ("kafka", "rabbitmq", "sqs", "celery", "sidekiq", "bullmq"),
    Fact.HAS_SEARCH_ENGINE: ("elasticsearch", "opensearch", "meilisearch", "typesense"),
    Fact.HAS_SHARDING: ("vitess", "citus", "sharded", "샤딩"),
}
_NEGATED_AFTER = ("없", "미사용", "안 씀", "not used")
_NEGATED_BEFORE = ("no ", "without ", "not ")


def _components(profile: SystemProfile, facts: ArchitectureFacts) -> set[Fact]:
    """What the team already runs: the fact reader's answer plus the names it can miss."""
    arch = profile.architecture
    text = "\n".join([arch.database, arch.servers, arch.network or ""]).lower()
    found = {f for f in _IN_PLACE if facts.has(f)}
    for fact, names in _IN_PLACE.items():
        for name in names:
            at = text.find(name)
            if at < 0:
                continue
            after, before = text[at + len(name) : at + len(name) + 8], text[max(0, at - 12) : at]
            if not any(n in after for n in _NEGATED_AFTER) and not any(
                before.endswith(n) or n in before[-6:] for n in _NEGATED_BEFORE
            ):
                found.add(fact)
    return found


class Report(TypedDict):
    """The reading a roadmap carries, as Roadmap's own field names (engines pass it as keyword arguments)."""

    workload: list[WorkloadKind]
    problems: list[ProblemAnswer]
    not_recommended: list[Rejection]


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
        checks.append(bool(find_phrases(_answers(profile), condition.said.en, condition.said.ko)))
    return all(checks)


def answer_keywords(profile: SystemProfile, catalogue: Catalogue) -> dict[str, list[str]]:
    """Each pattern's trigger keywords found in the answers (not the team's constraints), in the order written."""
    text = _answers(profile)
    return {p.id: find_phrases(text, p.triggers.keywords.en, p.triggers.keywords.ko) for p in catalogue.patterns}


def _answers(profile: SystemProfile) -> str:
    """The free-text answers a condition's words are looked for in."""
    arch = profile.architecture
    return "\n".join([profile.bottlenecks, *profile.core_features, arch.database, arch.servers, arch.network or ""])


@dataclass(frozen=True)
class Advice:
    reading: WorkloadReading
    blocked: Mapping[str, str]  # contraindicated here: pattern id -> reason
    present: Mapping[str, str]  # already in place: pattern id -> what the team runs
    extended: frozenset[str]  # in place, yet the answer to a named problem: the plan builds on it
    wanted: Mapping[str, tuple[str, ...]]  # picked whatever the model says: pattern id -> reasons
    stages: Mapping[str, int]  # stage overrides
    lead: frozenset[str]  # answers to correctness and data-loss risks: first in their stage
    answering: frozenset[str]  # answers to the other named problems: next, before generic capacity work
    fields: Mapping[str, str]
    candidates: tuple[tuple[Problem, tuple[str, ...]], ...]  # per named problem, the answering patterns
    variants: Mapping[str, Pattern]  # pattern id -> the pattern with this stack's text
    named: frozenset[str] = frozenset()  # patterns the team's own words point at (keywords, named problems)
    scaled_out: frozenset[str] = frozenset()  # scale-out the team already has (several servers behind a balancer)
    postponed: Mapping[str, int] = field(default_factory=dict)  # moved for the team's time: id -> stage it left
    event_near: bool = False  # a known event (a sale, a ticket opening) falls within stage 2's horizon
    blocked_today: frozenset[str] = frozenset()  # ruled out only by today's utilisation (a database not yet saturated)

    def stage_of(self, pattern: Pattern) -> int:
        return self.stages.get(pattern.id, pattern.stage)

    def blocked_reason(self, pattern_id: str) -> str | None:
        return self.blocked.get(pattern_id)

    def reasons(self, pattern_id: str, given: Sequence[str]) -> list[str]:
        """Why the workload or a named problem wants the pattern, minus sentences the trigger already quoted."""
        said = " ".join(given)
        return [r for r in self.wanted.get(pattern_id, ()) if r[11:60] not in said]

    def in_place(self, pattern_id: str) -> bool:
        return pattern_id in self.present

    def waived(self, pattern_id: str) -> bool:
        """A prerequisite that need not come first: the team runs it, or it is contraindicated here."""
        return pattern_id in self.present or pattern_id in self.blocked or pattern_id in self.scaled_out

    def excluded(self, pattern_id: str) -> bool:
        """Not proposed because the team runs it, unless a named problem asks to build on it."""
        return pattern_id in self.present and pattern_id not in self.extended

    def keep(self, pattern_id: str) -> bool:
        """Never pruned as redundant: the workload needs it or a named problem asks for it."""
        return pattern_id in self.wanted

    def tailor(self, pattern: Pattern) -> Pattern:
        return self.variants.get(pattern.id, pattern)

    def lead_first(self, ordered: Sequence[Choice]) -> list[Choice]:
        """Risk answers first, then answers to the other named problems, each after what it depends on.

        The rest keep the benefit/cost order. The budget is spent in this order, so what the team named
        is funded before generic capacity work.
        """
        ids = [c.pattern.id for c in ordered]
        first: list[int] = []
        for group in (self.lead, self.answering):
            for index, choice in enumerate(ordered):
                if choice.pattern.id in group:
                    for dep in choice.pattern.requires:
                        if dep in ids and ids.index(dep) not in first:
                            first.append(ids.index(dep))
                    if index not in first:
                        first.append(index)
        rest = [i for i in range(len(ordered)) if i not in first]
        return [ordered[i] for i in first + rest]

    # --- after planning ------------------------------------------------------------------------

    def report(
        self,
        items: Sequence[RoadmapItem],
        catalogue: Catalogue,
        keyword_hits: Mapping[str, list[str]] | None = None,
        dropped: Sequence[str] = (),
    ) -> Report:
        """The roadmap's workload reading, named-problem map and "not recommended" list."""
        titles = {p.id: _plain_title(p) for p in catalogue.patterns}
        return {
            "workload": self.workload(),
            "problems": self.answers(items, titles),
            "not_recommended": self.rejections(
                considered(self, catalogue, keyword_hits or {}) | set(dropped), items, titles, first=dropped
            ),
        }

    def workload(self) -> list[WorkloadKind]:
        return [WorkloadKind(id=k.id, label=k.label, evidence=list(k.evidence)) for k in self.reading.kinds]

    def answers(self, items: Sequence[RoadmapItem], titles: Mapping[str, str]) -> list[ProblemAnswer]:
        """Each named problem, worst first, with the item that answers it (or what to measure)."""
        first_item: dict[str, str] = {}
        for item in items:
            if item.pattern_id and item.pattern_id not in first_item:
                first_item[item.pattern_id] = item.id
        answers: list[tuple[int, int, ProblemAnswer]] = []
        for problem, candidates in self.candidates:
            on_plan = [first_item[p] for p in candidates if p in first_item]
            note = None
            if not on_plan:
                present = [p for p in candidates if p in self.present]
                blocked = [p for p in candidates if p in self.blocked]
                if present:
                    have = self.present[present[0]]
                    note = f"You already run {have}; tune it rather than add another ({titles[present[0]]})."
                elif blocked:
                    note = f"{titles[blocked[0]]} is not recommended here: {self.blocked[blocked[0]]}"
                elif candidates:
                    note = (
                        f"{titles[candidates[0]]} would answer this, but it did not fit this plan (its "
                        "prerequisites or scale are not there); first " + _measure_hint(problem.severity)
                    )
                else:
                    note = "No catalogue lever matches this directly: " + _measure_hint(problem.severity)
            answer = ProblemAnswer(
                said=shorten(problem.text, 300),
                severity=problem.severity,
                item_ids=list(dict.fromkeys(on_plan))[:3],
                note=note,
            )
            answers.append((SEVERITY_ORDER.index(problem.severity), problem.order, answer))
        return [a for _, _, a in sorted(answers, key=lambda t: (t[0], t[1]))]

    def rejections(
        self, considered: set[str], items: Sequence[RoadmapItem], titles: Mapping[str, str], first: Sequence[str] = ()
    ) -> list[Rejection]:
        """The levers it considered and left out, with the reason; never one the plan carries."""
        on_plan = {i.pattern_id for i in items}
        rejected: list[Rejection] = []
        for pattern_id in considered:
            if pattern_id in on_plan:
                continue
            if pattern_id in self.present:
                reason = f"You already run {self.present[pattern_id]}; the plan builds on it."
            elif pattern_id in self.blocked:
                reason = self.blocked[pattern_id]
            else:
                continue
            rejected.append(Rejection(pattern_id=pattern_id, title=titles[pattern_id], reason=reason))
        rejected.sort(
            key=lambda r: (
                r.pattern_id not in first,  # what a model's draft proposed and lost comes first
                r.pattern_id not in self.present,
                r.pattern_id not in self.named,
                r.pattern_id,
            )
        )
        return rejected[:MAX_REJECTIONS]


_MEASURE = {
    "correctness": "reproduce it under concurrency in a test and log each "
    "occurrence with the request and the rows involved.",
    "data-loss": "write down how much data you can afford to lose and how "
    "long you can be down, and test a restore against those figures.",
    "availability": "record when it happens, the error rates per endpoint "
    "and per tier, and which resource saturates first.",
    "capacity": "measure per-tier utilisation and throughput at peak to find the saturated resource.",
    "latency": "trace the slow requests and see where the time goes (database, app, external calls).",
    "cost": "break the bill down by service and by traffic class.",
}


def _plain_title(pattern: Pattern) -> str:
    """A title without scaling figures ("Add read replicas until the database tier has N nodes")."""
    return pattern.title.replace("{units}", "N").replace("{units_from}", "M").replace("{tier_label}", "the busiest")


def _measure_hint(severity: str) -> str:
    return _MEASURE.get(severity, _MEASURE["capacity"])


def _fields(reading: WorkloadReading) -> dict[str, str]:
    fields = dict(_DB_FIELDS.get(reading.stack.database, _DB_FIELDS[None]))
    fields["app_workers"] = _APP_WORKERS.get(reading.stack.runtime, _APP_WORKERS[None])
    fields["breaker_lib"] = _BREAKERS.get(reading.stack.runtime, _BREAKERS[None])
    event = reading.event
    fields["spike"] = f"{event.spike:g}x" if event and event.spike else "2x"
    window = event.window if event and event.window else None
    fields["spike_window"] = f"in the time you described ({window})" if window else "over a few minutes"
    return fields


def _kind_label(reading: WorkloadReading, kinds: Sequence[str]) -> str:
    kind = next(k for k in reading.kinds if k.id in kinds)
    said = ", ".join(f'"{e}"' for e in kind.evidence[:3])
    return f"This reads as {kind.label}: you wrote {said}."


def build_advice(
    profile: SystemProfile,
    facts: ArchitectureFacts,
    catalogue: Catalogue,
    keyword_hits: Mapping[str, Sequence[str]] | None = None,
) -> Advice:
    """`keyword_hits`: each pattern's trigger keywords found in the answers (bottlenecks, features, architecture),
    when the caller has them already; read here otherwise."""
    reading = read_workload(profile, facts)
    components = _components(profile, facts)
    known = facts.facts | components
    index = {p.id: i for i, p in enumerate(catalogue.patterns)}
    blocked: dict[str, str] = {}
    today_only: set[str] = set()
    present: dict[str, str] = {}
    variants: dict[str, Pattern] = {}
    named = _named(profile, catalogue, keyword_hits)
    for pattern in catalogue.patterns:
        against = [
            c
            for c in pattern.contraindications
            if holds(c.when, reading, known, profile, facts.quoted_utilisation)
            and not (c.unless_named and pattern.id in named)
        ]
        if against:
            blocked[pattern.id] = against[0].reason
            if all(c.when.db_busy_below is not None for c in against):
                today_only.add(pattern.id)  # "the database is not saturated": true today, maybe not at the target
        have = [f for f in pattern.triggers.excluded_by_facts if f in known]
        if have:
            present[pattern.id] = _FACT_LABELS.get(have[0], have[0].value.replace("_", " "))
        variant = next(
            (v for v in pattern.variants if holds(v.when, reading, known, profile, facts.quoted_utilisation)), None
        )
        if variant is not None:
            fields = (("title", variant.title), ("steps", variant.steps), ("verify", variant.verify))
            update: dict[str, object] = {k: v for k, v in (*fields, ("effects", variant.effects))}
            variants[pattern.id] = pattern.model_copy(update={k: v for k, v in update.items() if v is not None})
    for pattern_id, label in _stateless(profile, facts).items():
        present.setdefault(pattern_id, label)
    usable = {p.id for p in catalogue.patterns if p.id not in blocked and p.id not in present}
    wanted: dict[str, list[str]] = {}
    stages: dict[str, int] = {}
    lead: set[str] = set()
    answering: set[str] = set()
    candidates: list[tuple[Problem, tuple[str, ...]]] = []
    extended: set[str] = set()
    for problem in reading.problems:
        longest: dict[str, int] = {}
        for pattern in catalogue.patterns:
            found = mentions(problem.text, pattern.answers.en, pattern.answers.ko)
            if found:
                longest[pattern.id] = max(map(len, found))
        matching = sorted(
            (p for p in catalogue.patterns if p.id in longest),
            key=lambda p: (p.answers.rank, -longest[p.id], index[p.id]),
        )
        ids = tuple(p.id for p in matching)
        candidates.append((problem, ids))
        top = matching[0] if matching else None
        if top is not None and top.id in present and top.id not in blocked and _builds_on(top, components):
            extended.add(top.id)  # "you run a queue, yet the PDF renders in the request": use the queue
            usable.add(top.id)
        picks = [p for p in matching if p.id in usable]
        # a stage-1 stop-gap for the same problem (more disk, the batch job off the peak) buys the time the
        # structural answer needs, which then keeps its own stage
        stop_gap = any(p.stage == 1 and p.answers.rank <= 2 and p.id not in DAMAGE_LIMITS for p in picks[1:])
        for rank, pattern in enumerate(picks):
            if rank == 0 or pattern.answers.rank <= 2:
                quote = shorten(problem.text, 160)
                wanted.setdefault(pattern.id, []).append(f'You wrote: "{quote}"')
                if problem.severity in RISKS:
                    stages[pattern.id] = 1
                    lead.add(pattern.id)
                else:
                    answering.add(pattern.id)
                if rank == 0 and problem.severity == "availability" and _quick_resilience(pattern):
                    stages[pattern.id] = 1  # an outage named today gets its first fix now, not in a quarter
                elif rank == 0 and _first_fix(pattern) and not stop_gap:
                    stages[pattern.id] = 1  # what hurts today gets its direct answer in the first weeks
                elif rank == 0 and pattern.stage == 3 and _startable(pattern, reading):
                    stages[pattern.id] = 2  # a named problem does not wait for the long-term stage
    tailor_shares(catalogue, reading, candidates, variants)  # a stated share replaces a lever's effect range
    kinds = reading.kind_ids
    for pattern in catalogue.patterns:
        hit = [k for k in pattern.triggers.workloads if k in kinds]
        if hit and pattern.id in usable and pattern.triggers.min_scale_factor <= profile.scale_factor:
            wanted.setdefault(pattern.id, []).append(_kind_label(reading, hit))
    if reading.at_largest_size:
        # no bigger box to buy: splitting the database is the critical path, a project of months that starts now
        for pattern in catalogue.patterns:
            scaling = pattern.scaling
            split = scaling is not None and scaling.tier == "database" and scaling.mode == "partitions"
            if split and pattern.id in usable and pattern.stage > 2:
                stages[pattern.id] = 2
    event = reading.event
    near = reading.has("known-event") and event is not None and (event.weeks_away or 0) <= EVENT_HORIZON_WEEKS
    if near:
        for pattern in catalogue.patterns:
            if pattern.event_lever and pattern.id in wanted:
                stages[pattern.id] = 1
    return Advice(
        reading=reading,
        blocked=blocked,
        present=present,
        extended=frozenset(extended),
        wanted={k: tuple(v) for k, v in wanted.items()},
        stages=stages,
        lead=frozenset(lead),
        answering=frozenset(answering - lead),
        fields=_fields(reading),
        candidates=tuple(candidates),
        variants=variants,
        named=frozenset(named),
        event_near=near,
        blocked_today=frozenset(today_only),
        scaled_out=frozenset({"horizontal-app-scaling"} if _fleet(facts) else set()),
    )


def _fleet(facts: ArchitectureFacts) -> bool:
    """The app tier already scales out: several servers behind a balancer, or a cluster that sizes itself
    ("About 140 Go services on two EKS clusters (HPA ...)": no count, yet not one server)."""
    cluster = facts.has(Fact.KUBERNETES) or facts.has(Fact.HAS_AUTOSCALING)
    return facts.has(Fact.HAS_LOAD_BALANCER) and (facts.app_servers >= 2 or cluster)


def _first_fix(pattern: Pattern) -> bool:
    """A named problem's direct answer that a team can ship in stage 1's weeks: not a redesign (high)."""
    return pattern.stage == 2 and pattern.difficulty.value != "high" and pattern.scaling is None


# Levers that bound the damage of a problem without buying time against it: a timeout or a client's backoff,
# while the request still waits for the slow call and the deploy still drops every socket. They never hold the
# structural answer back from stage 1 as a stop-gap would.
DAMAGE_LIMITS = frozenset({"timeouts-circuit-breakers", "client-backoff"})

# Engineers who can run a months-long redesign beside the day-to-day work (a default): platform teams of this size
# start the named problem's structural answer in the mid-term stage.
BIG_TEAM = 20


def _startable(pattern: Pattern, reading: WorkloadReading) -> bool:
    """A long-term answer to a named problem the team can start in the mid-term stage: not a redesign, or a team
    large enough to run one."""
    return pattern.difficulty.value != "high" or (reading.team_size or 0) >= BIG_TEAM


def _quick_resilience(pattern: Pattern) -> bool:
    """A resilience fix small enough to start in the first two weeks for the one call the team named."""
    return pattern.category == "resilience" and pattern.difficulty.value != "high" and pattern.stage == 2


def _named(
    profile: SystemProfile, catalogue: Catalogue, keyword_hits: Mapping[str, Sequence[str]] | None = None
) -> set[str]:
    """Patterns the team's own words point at: a trigger keyword anywhere, or an answer to a named problem."""
    if keyword_hits is None:
        keyword_hits = answer_keywords(profile, catalogue)
    named = {pattern_id for pattern_id, hits in keyword_hits.items() if hits}
    named |= {p.id for p in catalogue.patterns if mentions(profile.bottlenecks, p.answers.en, p.answers.ko)}
    return named


# Evidence that the app tier is already stateless: it runs as several servers behind a balancer, or as containers.
_STATELESS_EN = ("pods", "containers", "fargate", "ecs", "kubernetes", "eks", "gke", "aks", "stateless", "lambda")
_STATELESS_KO = ("컨테이너", "쿠버네티스", "파드")


def _stateless(profile: SystemProfile, facts: ArchitectureFacts) -> dict[str, str]:
    """Session state already out of the app process: the plan does not ask for it again."""
    if facts.has(Fact.STATEFUL_SESSIONS):
        return {}
    servers = profile.architecture.servers
    said = find_phrases(servers, _STATELESS_EN, _STATELESS_KO)
    if said:
        return {"externalize-session-state": f'stateless app containers (you wrote "{said[0]}")'}
    if facts.app_servers >= 2 and facts.has(Fact.HAS_LOAD_BALANCER):
        return {"externalize-session-state": f"{facts.app_servers} app servers behind a load balancer"}
    return {}


def _builds_on(pattern: Pattern, components: set[Fact]) -> bool:
    """The pattern has text for a team that already runs the component (a variant keyed on that fact)."""
    return any(set(v.when.facts) & components & set(pattern.triggers.excluded_by_facts) for v in pattern.variants)


def considered(advice: Advice, catalogue: Catalogue, keyword_hits: Mapping[str, list[str]]) -> set[str]:
    """Levers a reader would expect to see discussed: named by the answers, the workload or a problem."""
    named = set(advice.named) | {pid for pid, hits in keyword_hits.items() if hits}
    named |= {pid for _, ids in advice.candidates for pid in ids}
    kinds = advice.reading.kind_ids
    named |= {p.id for p in catalogue.patterns if set(p.triggers.workloads) & kinds}
    named |= {
        p.id
        for p in catalogue.patterns
        if p.triggers.always or p.triggers.binding_tiers or p.triggers.when_target_unmet
    }
    return named
