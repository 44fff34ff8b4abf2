"""Architecture facts read from the free-text answers (English and Korean).

The questionnaire keeps the seed's free-text fields, so the engine needs a small, explicit
reader: which components the team already runs, how many servers, which tier the symptoms
point at, and any utilisation figure they quoted ("DB CPU 95%").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from bot.roadmap.schema import TIERS, SystemProfile, Tier


class Fact(StrEnum):
    HAS_CACHE = "has_cache"
    HAS_CDN = "has_cdn"
    HAS_LOAD_BALANCER = "has_load_balancer"
    HAS_READ_REPLICAS = "has_read_replicas"
    HAS_QUEUE = "has_queue"
    HAS_AUTOSCALING = "has_autoscaling"
    HAS_MONITORING = "has_monitoring"
    HAS_CONNECTION_POOL = "has_connection_pool"
    HAS_SHARDING = "has_sharding"
    HAS_SEARCH_ENGINE = "has_search_engine"
    MULTI_REGION = "multi_region"
    KUBERNETES = "kubernetes"
    SINGLE_SERVER = "single_server"
    RELATIONAL_DB = "relational_db"
    DOCUMENT_DB = "document_db"
    STATEFUL_SESSIONS = "stateful_sessions"
    MEDIA_HEAVY = "media_heavy"
    WRITE_HEAVY = "write_heavy"
    REALTIME = "realtime"
    OUTAGES = "outages"


# Each fact: phrases that show it. English is matched on word boundaries, case-insensitive;
# Korean as substrings (particles attach directly to nouns).
_FACT_PHRASES: dict[Fact, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Fact.HAS_CACHE: (
        ("redis", "memcached", "memcache", "valkey", "cache", "caching", "elasticache"),
        ("캐시", "캐싱", "레디스"),
    ),
    Fact.HAS_CDN: (("cdn", "cloudfront", "cloudflare", "fastly", "akamai", "bunny"), ("씨디엔",)),
    Fact.HAS_LOAD_BALANCER: (
        (
            "load balancer",
            "load-balancer",
            "loadbalancer",
            "alb",
            "elb",
            "nlb",
            "haproxy",
            "nginx upstream",
            "ingress",
            "traefik",
            "envoy",
        ),
        ("로드밸런서", "로드 밸런서"),
    ),
    Fact.HAS_READ_REPLICAS: (
        ("replica", "replicas", "read replica", "read replicas", "standby", "secondary", "secondaries"),
        ("레플리카", "복제본", "리플리카"),
    ),
    Fact.HAS_QUEUE: (
        ("queue", "kafka", "rabbitmq", "sqs", "celery", "sidekiq", "pub/sub", "pubsub", "nats", "kinesis", "bullmq"),
        ("큐", "메시지 큐", "카프카"),
    ),
    Fact.HAS_AUTOSCALING: (
        ("autoscaling", "auto scaling", "auto-scaling", "autoscaler", "hpa", "asg"),
        ("오토스케일", "자동 확장"),
    ),
    Fact.HAS_MONITORING: (
        (
            "prometheus",
            "grafana",
            "datadog",
            "new relic",
            "newrelic",
            "apm",
            "opentelemetry",
            "sentry",
            "cloudwatch",
            "monitoring",
            "tracing",
        ),
        ("모니터링", "관제"),
    ),
    Fact.HAS_CONNECTION_POOL: (
        ("pgbouncer", "proxysql", "rds proxy", "hikari", "hikaricp", "connection pool", "connection pooling", "pgpool"),
        ("커넥션 풀", "커넥션풀", "연결 풀"),
    ),
    Fact.HAS_SHARDING: (
        ("shard", "shards", "sharded", "sharding", "partitioned", "vitess", "citus"),
        ("샤딩", "샤드", "파티셔닝"),
    ),
    Fact.HAS_SEARCH_ENGINE: (("elasticsearch", "opensearch", "solr", "meilisearch", "typesense"), ("엘라스틱서치",)),
    Fact.MULTI_REGION: (
        (
            "multi-region",
            "multi region",
            "multiple regions",
            "two regions",
            "three regions",
            "active-active",
            "geo-distributed",
        ),
        ("멀티 리전", "멀티리전", "다중 리전"),
    ),
    Fact.KUBERNETES: (("kubernetes", "k8s", "eks", "gke", "aks"), ("쿠버네티스",)),
    Fact.RELATIONAL_DB: (
        (
            "postgres",
            "postgresql",
            "mysql",
            "mariadb",
            "aurora",
            "rds",
            "oracle",
            "sql server",
            "mssql",
            "sqlite",
            "cockroachdb",
            "tidb",
        ),
        ("마이에스큐엘", "포스트그레스"),
    ),
    Fact.DOCUMENT_DB: (
        ("mongodb", "mongo", "dynamodb", "firestore", "couchbase", "cassandra", "documentdb"),
        ("몽고",),
    ),
    Fact.STATEFUL_SESSIONS: (
        (
            "sticky session",
            "sticky sessions",
            "in-memory session",
            "in-memory sessions",
            "session affinity",
            "local session",
            "server-side session",
            "file session",
        ),
        ("세션 고정", "스티키 세션", "메모리 세션", "로컬 세션"),
    ),
    Fact.MEDIA_HEAVY: (
        (
            "image",
            "images",
            "photo",
            "photos",
            "video",
            "videos",
            "media",
            "upload",
            "uploads",
            "static",
            "assets",
            "thumbnail",
            "thumbnails",
            "download",
            "downloads",
        ),
        ("이미지", "사진", "동영상", "영상", "업로드", "정적", "썸네일", "다운로드"),
    ),
    Fact.WRITE_HEAVY: (
        (
            "write-heavy",
            "write heavy",
            "many writes",
            "insert",
            "inserts",
            "writes per second",
            "logging every",
            "event ingestion",
            "write lock",
            "write locks",
        ),
        ("쓰기 부하", "쓰기가 많", "인서트"),
    ),
    Fact.REALTIME: (
        ("websocket", "websockets", "real-time", "realtime", "live", "chat", "push", "sse", "long polling"),
        ("실시간", "채팅", "웹소켓", "라이브"),
    ),
    Fact.OUTAGES: (
        (
            "down",
            "goes down",
            "outage",
            "outages",
            "crash",
            "crashes",
            "falls over",
            "fall over",
            "unavailable",
            "503",
            "502",
            "504",
            "timeout",
            "timeouts",
            "dies",
            "oom",
        ),
        ("다운", "장애", "뻗", "죽", "먹통", "타임아웃", "터지"),
    ),
}

_USAGE_FACTS = frozenset({Fact.MEDIA_HEAVY, Fact.REALTIME, Fact.WRITE_HEAVY})

# Symptoms that point at a tier, matched in the bottleneck text only.
_TIER_SYMPTOMS: dict[Tier, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "database": (
        (
            "db",
            "database",
            "query",
            "queries",
            "sql",
            "index",
            "indexes",
            "deadlock",
            "deadlocks",
            "lock",
            "locks",
            "too many connections",
            "connection pool",
            "replication lag",
            "full scan",
            "table scan",
            "n+1",
            "slow query",
            "slow queries",
            "join",
            "joins",
            "iops",
            "mysql",
            "postgres",
            "mongodb",
            "rds",
        ),
        ("디비", "데이터베이스", "쿼리", "인덱스", "데드락", "커넥션", "조인", "풀스캔"),
    ),
    "app": (
        (
            "oom",
            "gc",
            "garbage collection",
            "thread",
            "threads",
            "worker",
            "workers",
            "event loop",
            "server load",
            "app server",
            "application server",
            "heap",
            "process",
            "processes",
            "render",
            "rendering",
            "serialization",
            "php-fpm",
            "gunicorn",
            "puma",
            "unicorn",
            "tomcat",
        ),
        ("스레드", "쓰레드", "서버 부하", "워커", "프로세스", "힙", "렌더링"),
    ),
    "network": (
        (
            "bandwidth",
            "static",
            "images",
            "image",
            "video",
            "videos",
            "assets",
            "download",
            "downloads",
            "egress",
            "cdn",
            "abroad",
            "overseas",
            "global",
            "far away",
            "page load",
            "slow to load",
            "packet",
            "network",
            "latency from",
        ),
        ("대역폭", "이미지", "동영상", "정적", "해외", "글로벌", "네트워크", "트래픽 비용", "다운로드"),
    ),
}

# Resource words that belong to whichever tier is named just before them ("DB CPU", "서버 메모리").
_RESOURCE_WORDS = ("cpu", "memory", "메모리", "ram")

_NEGATION_BEFORE = re.compile(r"(?:\bno|\bnot|\bwithout|\black(?:ing)?|\bmissing|\bnever)\W+(?:\w+\W+){0,2}$", re.I)
_NEGATION_AFTER = re.compile(r"^\W{0,3}\S{0,6}\s?(?:없|미사용|안 ?씀|안 ?쓰|미도입|미적용)")

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a single": 1,
    "single": 1,
    "한": 1,
    "두": 2,
    "세": 3,
    "네": 4,
}
_SERVER_COUNT = re.compile(
    r"(\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|a single|single)\s*(?:x\s*)?"
    r"(?:[\w.-]+\s+){0,3}?(?:app\s+|web\s+|api\s+|application\s+)?(?:servers?|instances?|nodes?|vms?|pods?|"
    r"machines?|droplets?|containers?|ec2)\b",
    re.I,
)
_SERVER_COUNT_KO = re.compile(r"(?:서버|인스턴스|노드|파드|대)\s*(\d{1,4}|한|두|세|네)\s*(?:대|개)|(\d{1,4})\s*대")
_REPLICA_COUNT = re.compile(
    r"(\d{1,3}|one|two|three|four|five|a single|single)\s*(?:x\s*)?(?:read\s+)?"
    r"(?:replicas?|standbys?|secondar(?:y|ies))\b",
    re.I,
)
_REPLICA_COUNT_KO = re.compile(r"(?:레플리카|복제본|리플리카)\s*(\d{1,3})\s*(?:대|개)?")
_UTIL = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")

_TIER_UTIL_WORDS: dict[Tier, tuple[str, ...]] = {
    "database": (
        "db",
        "database",
        "mysql",
        "postgres",
        "postgresql",
        "rds",
        "aurora",
        "mongo",
        "mongodb",
        "디비",
        "데이터베이스",
    ),
    "app": ("app", "api", "web", "server", "servers", "was", "application", "서버", "앱", "웹"),
    "network": ("bandwidth", "network", "egress", "nic", "대역폭", "네트워크"),
}


@dataclass(frozen=True)
class ArchitectureFacts:
    facts: frozenset[Fact]
    app_servers: int
    db_replicas: int
    tier_evidence: dict[Tier, list[str]] = field(default_factory=dict)
    quoted_utilisation: dict[Tier, float] = field(default_factory=dict)

    def has(self, fact: Fact) -> bool:
        return fact in self.facts


@lru_cache(maxsize=4096)
def _phrase_regex(english: tuple[str, ...], korean: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation per phrase list, longest first: English on word boundaries, Korean as substrings."""
    parts = []
    words = sorted({p.lower() for p in english}, key=len, reverse=True)
    subwords = sorted({p.lower() for p in korean}, key=len, reverse=True)
    if words:
        parts.append(r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])")
    if subwords:
        parts.append("(?:" + "|".join(map(re.escape, subwords)) + ")")
    return re.compile("|".join(parts)) if parts else None


def find_phrases(text: str, english: Iterable[str], korean: Iterable[str]) -> list[str]:
    """Phrases present in the text (lower-cased) and not negated ("no CDN", "CDN 없음")."""
    lowered = text.lower()
    # A plain substring test first: most phrases are absent, and it is far cheaper than the regex.
    regex = _phrase_regex(
        tuple(p for p in english if p.lower() in lowered), tuple(p for p in korean if p.lower() in lowered)
    )
    if regex is None:
        return []
    return [m.group(0) for m in regex.finditer(lowered) if not _negated(lowered, m.start(), m.end())]


def _negated(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 30) : start]
    after = text[end : end + 12]
    return bool(_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.search(after))


def _count(token: str) -> int:
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS.get(token, 1)


def _app_servers(text: str) -> int:
    counts = [_count(m.group(1)) for m in _SERVER_COUNT.finditer(text)]
    counts += [_count(m.group(1) or m.group(2)) for m in _SERVER_COUNT_KO.finditer(text)]
    return max([c for c in counts if c >= 1], default=1)


def _db_replicas(text: str) -> int:
    counts = [_count(m.group(1)) for m in _REPLICA_COUNT.finditer(text)]
    counts += [_count(m.group(1)) for m in _REPLICA_COUNT_KO.finditer(text)]
    return max(counts, default=0)


def _nearest_tier(window: str) -> Tier | None:
    best: tuple[int, Tier] | None = None
    for tier, words in _TIER_UTIL_WORDS.items():
        for word in words:
            pos = window.rfind(word)
            if pos >= 0 and (best is None or pos > best[0]):
                best = (pos, tier)
    return best[1] if best else None


def _resource_mentions(text: str) -> list[tuple[Tier, str]]:
    """'DB CPU' is database evidence, a bare 'CPU' or 'server memory' is app evidence."""
    lowered = text.lower()
    found: list[tuple[Tier, str]] = []
    for word in _RESOURCE_WORDS:
        for match in re.finditer(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])", lowered):
            if _negated(lowered, match.start(), match.end()):
                continue
            tier = _nearest_tier(lowered[max(0, match.start() - 25) : match.start()]) or "app"
            found.append((tier, word))
    return found


def _quoted_utilisation(text: str) -> dict[Tier, float]:
    """'DB CPU 95%' -> database 0.95: the nearest tier word before a percentage names it."""
    found: dict[Tier, float] = {}
    lowered = text.lower()
    for match in _UTIL.finditer(lowered):
        value = float(match.group(1))
        if not 1 <= value <= 100:
            continue
        window = lowered[max(0, match.start() - 40) : match.start()]
        if not re.search(
            r"cpu|util|load|사용률|점유|부하|busy|usage", window + lowered[match.end() : match.end() + 12]
        ):
            continue
        tier = _nearest_tier(window)
        if tier is not None:
            found[tier] = max(found.get(tier, 0.0), value / 100)
    return found


def extract_facts(profile: SystemProfile) -> ArchitectureFacts:
    arch = profile.architecture
    architecture_text = "\n".join(t for t in (arch.database, arch.servers, arch.network or "") if t)
    everything = "\n".join(
        [architecture_text, profile.bottlenecks, "\n".join(profile.core_features), profile.budget.constraints or ""]
    )
    facts: set[Fact] = set()
    for fact, (english, korean) in _FACT_PHRASES.items():
        # Components are facts only where the architecture is described; usage hints anywhere.
        if fact is Fact.OUTAGES:
            scope = profile.bottlenecks
        elif fact in _USAGE_FACTS:
            scope = everything
        else:
            scope = architecture_text
        if find_phrases(scope, english, korean):
            facts.add(fact)
    app_servers = _app_servers(arch.servers)
    if app_servers <= 1:
        facts.add(Fact.SINGLE_SERVER)
    replicas = _db_replicas(arch.database)
    if replicas and Fact.HAS_READ_REPLICAS not in facts:
        facts.add(Fact.HAS_READ_REPLICAS)
    if Fact.HAS_READ_REPLICAS in facts and replicas == 0:
        replicas = 1
    if (profile.measurements.error_rate_pct or 0) >= 1:
        facts.add(Fact.OUTAGES)
    evidence = {
        tier: find_phrases(profile.bottlenecks, english, korean) for tier, (english, korean) in _TIER_SYMPTOMS.items()
    }
    for tier, word in _resource_mentions(profile.bottlenecks):
        evidence[tier].append(word)
    return ArchitectureFacts(
        facts=frozenset(facts),
        app_servers=app_servers,
        db_replicas=replicas,
        tier_evidence={t: evidence[t] for t in TIERS},
        quoted_utilisation=_quoted_utilisation(profile.bottlenecks),
    )
