"""What the team already runs: components named in the architecture, a stateless app tier, a fleet that
already scales out; a lever already in place is not proposed again."""

from __future__ import annotations

from bot.roadmap.catalogue import Pattern
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.schema import SystemProfile

FACT_LABELS: dict[Fact, str] = {
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


def components_in_place(profile: SystemProfile, facts: ArchitectureFacts) -> set[Fact]:
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


def app_fleet(facts: ArchitectureFacts) -> bool:
    """The app tier already scales out: several servers behind a balancer, or a cluster that sizes itself
    ("About 140 Go services on two EKS clusters (HPA ...)": no count, yet not one server)."""
    cluster = facts.has(Fact.KUBERNETES) or facts.has(Fact.HAS_AUTOSCALING)
    return facts.has(Fact.HAS_LOAD_BALANCER) and (facts.app_servers >= 2 or cluster)


# Evidence that the app tier is already stateless: it runs as several servers behind a balancer, or as containers.
_STATELESS_EN = ("pods", "containers", "fargate", "ecs", "kubernetes", "eks", "gke", "aks", "stateless", "lambda")
_STATELESS_KO = ("컨테이너", "쿠버네티스", "파드")


def stateless_app(profile: SystemProfile, facts: ArchitectureFacts) -> dict[str, str]:
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


def builds_on(pattern: Pattern, components: set[Fact]) -> bool:
    """The pattern has text for a team that already runs the component (a variant keyed on that fact)."""
    return any(set(v.when.facts) & components & set(pattern.triggers.excluded_by_facts) for v in pattern.variants)
