"""Components in place or said missing, kinds of system and symptoms: the phrases that show each, and the
steps that read them (one search over all the answers for the components).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from bot.roadmap.reading.answers import ALL_FIELDS, ARCH_FIELDS, Answer
from bot.roadmap.reading.facts import COMPONENTS, Fact
from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.phrases import FlatTable, flatten, keyed_hits
from bot.roadmap.reading.quotes import excerpt
from bot.roadmap.reading.utilisation import resource_mentions
from bot.roadmap.reading.vocabulary import split_words
from bot.roadmap.schema import TIERS, Tier

# Each fact: phrases that show it. English is matched on word boundaries, case-insensitive;
# Korean as substrings (particles attach directly to nouns).
_FACT_PHRASES: dict[Fact, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Fact.HAS_CACHE: (
        ("redis", "memcached", "memcache", "valkey", "cache", "caching", "elasticache"),
        ("캐시", "캐싱", "레디스"),
    ),
    Fact.HAS_CDN: (("cdn", "cloudfront", "cloudflare", "fastly", "akamai", "bunny"), ("씨디엔",)),
    Fact.HAS_LOAD_BALANCER: (
        split_words(
            "load balancer|load balancers|load-balancer|loadbalancer|load balancing|alb|elb|nlb|haproxy|"
            "nginx upstream|ingress|traefik|envoy"
        ),
        ("로드밸런서", "로드 밸런서", "로드밸런싱", "로드 밸런싱"),
    ),
    Fact.HAS_READ_REPLICAS: (
        split_words(
            "replica|replicas|read replica|read replicas|read-replica|read-replicas|reader|readers|"
            "reader instance|slave|slaves|secondary|secondaries|follower|followers"
        ),
        ("레플리카", "복제본", "리플리카", "슬레이브", "읽기 전용"),
    ),
    Fact.HAS_STANDBY: (
        split_words(
            "standby|standbys|stand-by|hot standby|warm standby|multi-az|multi az|multiaz|failover replica|"
            "failover instance|synchronous replica|sync replica"
        ),
        ("스탠바이", "대기 서버", "대기 DB", "페일오버", "동기 복제"),
    ),
    Fact.HAS_QUEUE: (
        ("queue", "kafka", "rabbitmq", "sqs", "celery", "sidekiq", "pub/sub", "pubsub", "nats", "kinesis", "bullmq"),
        ("큐", "메시지 큐", "카프카"),
    ),
    Fact.HAS_AUTOSCALING: (
        split_words(
            "autoscaling|auto scaling|auto-scaling|autoscaler|autoscale|autoscaled|hpa|asg|horizontalpodautoscaler|"
            "horizontal pod autoscaler|karpenter|keda|scale set|scale sets"
        ),
        ("오토스케일", "오토 스케일", "자동 확장"),
    ),
    Fact.HAS_MONITORING: (
        split_words(
            "prometheus|grafana|datadog|new relic|newrelic|apm|opentelemetry|sentry|cloudwatch|monitoring|tracing"
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
    Fact.HAS_BACKUPS: (
        split_words(
            "backup|backups|backed up|snapshot|snapshots|pg_dump|mysqldump|xtrabackup|pgbackrest|barman|"
            "wal-g|pitr|point-in-time|point in time"
        ),
        ("백업", "스냅샷"),
    ),
    Fact.HAS_PITR: (
        split_words(
            "pitr|point-in-time|point in time|wal archiving|wal archive|wal-g|pgbackrest|binlog backup|binlog backups"
        ),
        ("시점 복구", "특정 시점", "pitr"),
    ),
    Fact.MULTI_REGION: (
        split_words(
            "multi-region|multi region|multiple regions|two regions|three regions|active-active|geo-distributed"
        ),
        ("멀티 리전", "멀티리전", "다중 리전"),
    ),
    Fact.KUBERNETES: (("kubernetes", "k8s", "eks", "gke", "aks"), ("쿠버네티스",)),
    Fact.RELATIONAL_DB: (
        split_words("postgres|postgresql|mysql|mariadb|aurora|rds|oracle|sql server|mssql|sqlite|cockroachdb|tidb"),
        ("마이에스큐엘", "포스트그레스"),
    ),
    Fact.DOCUMENT_DB: (
        ("mongodb", "mongo", "dynamodb", "firestore", "couchbase", "cassandra", "documentdb"),
        ("몽고",),
    ),
    Fact.STATEFUL_SESSIONS: (
        split_words(
            "sticky session|sticky sessions|in-memory session|in-memory sessions|session affinity|"
            "local session|server-side session|file session"
        ),
        ("세션 고정", "스티키 세션", "메모리 세션", "로컬 세션", "세션은 서버 메모리"),
    ),
    Fact.MEDIA_HEAVY: (
        split_words(
            "image|images|photo|photos|video|videos|media|upload|uploads|static|assets|thumbnail|thumbnails|"
            "download|downloads"
        ),
        ("이미지", "사진", "동영상", "영상", "업로드", "정적", "썸네일", "다운로드"),
    ),
    Fact.WRITE_HEAVY: (
        split_words(
            "write-heavy|write heavy|many writes|insert|inserts|writes per second|logging every|"
            "event ingestion|write lock|write locks"
        ),
        ("쓰기 부하", "쓰기가 많", "인서트"),
    ),
    Fact.REALTIME: (
        ("websocket", "websockets", "real-time", "realtime", "live", "chat", "push", "sse", "long polling"),
        ("실시간", "채팅", "웹소켓", "라이브"),
    ),
    Fact.OUTAGES: (
        split_words(
            "down|goes down|outage|outages|crash|crashes|falls over|fall over|unavailable|503|502|504|"
            "timeout|timeouts|dies|oom"
        ),
        ("다운", "장애", "뻗", "죽", "먹통", "타임아웃", "터지"),
    ),
}
_USAGE_FACTS = frozenset({Fact.MEDIA_HEAVY, Fact.REALTIME, Fact.WRITE_HEAVY})
# Backups are often mentioned (or missed) in the bottlenecks and constraints, not in the layout.
_ANYWHERE_COMPONENTS = frozenset({Fact.HAS_BACKUPS, Fact.HAS_PITR})
# Components read specially (counts, standby vs replica), not from their phrases alone.
_COUNTED = frozenset({Fact.HAS_READ_REPLICAS, Fact.HAS_STANDBY})
# Symptoms that point at a tier, matched in the bottleneck text only.
_TIER_SYMPTOMS: dict[Tier, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "database": (
        split_words(
            "db|database|query|queries|sql|index|indexes|deadlock|deadlocks|lock|locks|too many connections|"
            "connection pool|replication lag|full scan|table scan|n+1|slow query|slow queries|join|joins|"
            "iops|mysql|postgres|mongodb|rds"
        ),
        ("디비", "데이터베이스", "쿼리", "인덱스", "데드락", "커넥션", "조인", "풀스캔"),
    ),
    "app": (
        split_words(
            "oom|gc|garbage collection|thread|threads|worker|workers|event loop|server load|app server|"
            "application server|heap|process|processes|render|rendering|serialization|php-fpm|gunicorn|puma|"
            "unicorn|tomcat"
        ),
        ("스레드", "쓰레드", "서버 부하", "워커", "프로세스", "힙", "렌더링"),
    ),
    "network": (
        split_words(
            "bandwidth|static|images|image|video|videos|assets|download|downloads|egress|cdn|abroad|overseas|"
            "global|far away|page load|slow to load|packet|network|latency from"
        ),
        ("대역폭", "이미지", "동영상", "정적", "해외", "글로벌", "네트워크", "트래픽 비용", "다운로드"),
    ),
}
_CACHE_NEARBY = re.compile(r"redis|memcache|elasticache|valkey|캐시")
_SYMPTOMS_FLAT = flatten(_TIER_SYMPTOMS)
_COMPONENTS_FLAT = flatten({f: _FACT_PHRASES[f] for f in COMPONENTS if f not in _COUNTED})
# Kinds of system, by where they are read: outages in the symptoms, usage anywhere, the rest in the layout.
_KIND_TABLES: dict[str, FlatTable] = {
    "bottlenecks": flatten({Fact.OUTAGES: _FACT_PHRASES[Fact.OUTAGES]}),
    "everything": flatten({f: _FACT_PHRASES[f] for f in _USAGE_FACTS}),
    "architecture": flatten(
        {
            f: p
            for f, p in _FACT_PHRASES.items()
            if f not in COMPONENTS and f not in _USAGE_FACTS and f is not Fact.OUTAGES
        }
    ),
}
_FIELD_GAP = "\n" * 5


def note_kinds(book: Notebook, error_rate_pct: float | None) -> None:
    """Kinds of system and symptoms, by phrase (components are read by `components`)."""
    fields = book.fields
    scopes = {
        "bottlenecks": fields["bottlenecks"].lowered,
        "architecture": "\n".join(fields[f].lowered for f in ARCH_FIELDS),
        "everything": "\n".join(fields[f].lowered for f in ALL_FIELDS),
    }
    for scope, flat in _KIND_TABLES.items():
        book.facts.update(fact for fact, _ in keyed_hits(scopes[scope], flat))
    if (error_rate_pct or 0) >= 1:
        book.facts.add(Fact.OUTAGES)
    bottleneck = fields["bottlenecks"]
    evidence: dict[Tier, list[str]] = {tier: [] for tier in _TIER_SYMPTOMS}
    for tier, hit in keyed_hits(bottleneck.lowered, _SYMPTOMS_FLAT):
        evidence[tier].append(hit.phrase)
    if any(w in bottleneck.lowered for w in ("cpu", "memory", "ram", "메모리")):
        for tier, word in resource_mentions(bottleneck.text, bottleneck.toks):
            evidence[tier].append(word)
    book.values["tier_evidence"] = {t: evidence[t] for t in TIERS}


def note_components(book: Notebook) -> None:
    """Components in place and those said missing: one search over all the answers, each hit mapped
    back to its answer (the gap between answers is wider than any negation window)."""
    names = list(ALL_FIELDS)
    offsets: list[int] = []
    position = 0
    for name in names:
        offsets.append(position)
        position += len(book.fields[name].lowered) + len(_FIELD_GAP)
    joined = _FIELD_GAP.join(book.fields[name].lowered for name in names)
    present_at: dict[Fact, tuple[Answer, int, int]] = {}
    missing_at: dict[Fact, tuple[Answer, int, int]] = {}
    for fact, hit in keyed_hits(joined, _COMPONENTS_FLAT, negated=True):
        at = bisect_right(offsets, hit.start) - 1
        if fact is Fact.HAS_CACHE and hit.phrase in ("cache", "caching") and names[at] == "network":
            continue  # "HTML bypasses the cache": in the network answer, that is the CDN's cache
        if fact is Fact.HAS_SHARDING and _CACHE_NEARBY.search(joined, max(0, hit.start - 40), hit.start):
            continue  # "Redis (ElastiCache, 3 shards)": the cache is sharded, not the database
        place = (book.fields[names[at]], hit.start - offsets[at], hit.end - offsets[at])
        if hit.negated:
            missing_at.setdefault(fact, place)
        elif not hit.wanted and names[at] in (ALL_FIELDS if fact in _ANYWHERE_COMPONENTS else ARCH_FIELDS):
            present_at.setdefault(fact, place)
    for fact in COMPONENTS:
        present, missing = present_at.get(fact), missing_at.get(fact)
        if present is not None:
            book.facts.add(fact)
            book.read(f"component:{fact.value}", True, excerpt(present[0].text, *present[1:]))
        elif missing is not None:
            book.absent.add(fact)
            book.read(f"component:{fact.value}", False, excerpt(missing[0].text, *missing[1:]))
    if Fact.HAS_PITR in book.facts:
        book.facts.add(Fact.HAS_BACKUPS)
