"""Architecture facts read from the free-text answers (English and Korean).

The questionnaire keeps the case study's free-text fields, so the engine needs a small, explicit
reader: which components the team already runs (and which they say they lack), how many app
servers, read replicas and standbys, the database engine, runtime, provider, instance sizes and
region, which tier the symptoms point at, any utilisation figure quoted ("DB CPU 95%") and any
registered or daily user count (never taken for concurrent users).

Each answer is cut to MAX_READ_CHARS, split into tokens in one linear pass, and read by walking
the tokens with windows of a fixed size; the few regular expressions left run on one token or on a
bounded window, so no text can make the reader slow (docs/reading-answers.md). Each reading keeps
the phrase it came from ("app servers: 4 (from '4 Python (Django) servers')") so a user can
correct it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache, wraps
from typing import Any, TypeVar

from bot.roadmap.numbers import (
    ENGLISH_NUMBER_WORDS,
    GLUED_SCALES,
    KOREAN_NATIVE_NUMBERS,
    WORD_SCALES,
    korean_scale,
    money,
    plain_number,
)
from bot.roadmap.schema import MAX_USERS, TIERS, SystemProfile, Tier

_R = TypeVar("_R")

MAX_READ_CHARS = 3000  # per answer: the modal's own limit, so only a pasted file or a long feature list is cut
MAX_PHRASE_TEXT = 40_000  # find_phrases: the longest text a Slack message can carry
QUOTE_CHARS = 60  # a source phrase is at most this long, cut between words
MAX_PRICES = 8  # amounts of money read per answer: a price list is not an architecture
MAX_UNITS = 100_000  # more servers, replicas or pods than this is not a count anyone means


def _words(text: str) -> tuple[str, ...]:
    """A vocabulary written compactly, phrases separated by '|' ("load balancer|alb|elb")."""
    return tuple(text.split("|"))


class Fact(StrEnum):
    HAS_CACHE = "has_cache"
    HAS_CDN = "has_cdn"
    HAS_LOAD_BALANCER = "has_load_balancer"
    HAS_READ_REPLICAS = "has_read_replicas"
    HAS_STANDBY = "has_standby"  # a failover copy (Multi-AZ, hot or synchronous standby): it serves no reads
    HAS_QUEUE = "has_queue"
    HAS_AUTOSCALING = "has_autoscaling"
    HAS_MONITORING = "has_monitoring"
    HAS_CONNECTION_POOL = "has_connection_pool"
    HAS_SHARDING = "has_sharding"
    HAS_SEARCH_ENGINE = "has_search_engine"
    HAS_BACKUPS = "has_backups"
    HAS_PITR = "has_pitr"  # point-in-time restore (WAL / binlog archiving)
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


# Components a team can already run: the plan builds on them instead of proposing them again.
COMPONENTS: tuple[Fact, ...] = (
    Fact.HAS_CACHE,
    Fact.HAS_CDN,
    Fact.HAS_LOAD_BALANCER,
    Fact.HAS_READ_REPLICAS,
    Fact.HAS_STANDBY,
    Fact.HAS_CONNECTION_POOL,
    Fact.HAS_QUEUE,
    Fact.HAS_AUTOSCALING,
    Fact.HAS_MONITORING,
    Fact.HAS_SHARDING,
    Fact.HAS_SEARCH_ENGINE,
    Fact.HAS_BACKUPS,
    Fact.HAS_PITR,
    Fact.MULTI_REGION,
    Fact.KUBERNETES,
)

# Each fact: phrases that show it. English is matched on word boundaries, case-insensitive;
# Korean as substrings (particles attach directly to nouns).
_FACT_PHRASES: dict[Fact, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Fact.HAS_CACHE: (
        ("redis", "memcached", "memcache", "valkey", "cache", "caching", "elasticache"),
        ("캐시", "캐싱", "레디스"),
    ),
    Fact.HAS_CDN: (("cdn", "cloudfront", "cloudflare", "fastly", "akamai", "bunny"), ("씨디엔",)),
    Fact.HAS_LOAD_BALANCER: (
        _words(
            "load balancer|load balancers|load-balancer|loadbalancer|load balancing|alb|elb|nlb|haproxy|"
            "nginx upstream|ingress|traefik|envoy"
        ),
        ("로드밸런서", "로드 밸런서", "로드밸런싱", "로드 밸런싱"),
    ),
    Fact.HAS_READ_REPLICAS: (
        _words(
            "replica|replicas|read replica|read replicas|read-replica|read-replicas|reader|readers|"
            "reader instance|slave|slaves|secondary|secondaries|follower|followers"
        ),
        ("레플리카", "복제본", "리플리카", "슬레이브", "읽기 전용"),
    ),
    Fact.HAS_STANDBY: (
        _words(
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
        _words(
            "autoscaling|auto scaling|auto-scaling|autoscaler|autoscale|autoscaled|hpa|asg|horizontalpodautoscaler|"
            "horizontal pod autoscaler|karpenter|keda|scale set|scale sets"
        ),
        ("오토스케일", "오토 스케일", "자동 확장"),
    ),
    Fact.HAS_MONITORING: (
        _words("prometheus|grafana|datadog|new relic|newrelic|apm|opentelemetry|sentry|cloudwatch|monitoring|tracing"),
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
        _words(
            "backup|backups|backed up|snapshot|snapshots|pg_dump|mysqldump|xtrabackup|pgbackrest|barman|"
            "wal-g|pitr|point-in-time|point in time"
        ),
        ("백업", "스냅샷"),
    ),
    Fact.HAS_PITR: (
        _words(
            "pitr|point-in-time|point in time|wal archiving|wal archive|wal-g|pgbackrest|binlog backup|binlog backups"
        ),
        ("시점 복구", "특정 시점", "pitr"),
    ),
    Fact.MULTI_REGION: (
        _words("multi-region|multi region|multiple regions|two regions|three regions|active-active|geo-distributed"),
        ("멀티 리전", "멀티리전", "다중 리전"),
    ),
    Fact.KUBERNETES: (("kubernetes", "k8s", "eks", "gke", "aks"), ("쿠버네티스",)),
    Fact.RELATIONAL_DB: (
        _words("postgres|postgresql|mysql|mariadb|aurora|rds|oracle|sql server|mssql|sqlite|cockroachdb|tidb"),
        ("마이에스큐엘", "포스트그레스"),
    ),
    Fact.DOCUMENT_DB: (
        ("mongodb", "mongo", "dynamodb", "firestore", "couchbase", "cassandra", "documentdb"),
        ("몽고",),
    ),
    Fact.STATEFUL_SESSIONS: (
        _words(
            "sticky session|sticky sessions|in-memory session|in-memory sessions|session affinity|"
            "local session|server-side session|file session"
        ),
        ("세션 고정", "스티키 세션", "메모리 세션", "로컬 세션", "세션은 서버 메모리"),
    ),
    Fact.MEDIA_HEAVY: (
        _words(
            "image|images|photo|photos|video|videos|media|upload|uploads|static|assets|thumbnail|thumbnails|"
            "download|downloads"
        ),
        ("이미지", "사진", "동영상", "영상", "업로드", "정적", "썸네일", "다운로드"),
    ),
    Fact.WRITE_HEAVY: (
        _words(
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
        _words(
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
        _words(
            "db|database|query|queries|sql|index|indexes|deadlock|deadlocks|lock|locks|too many connections|"
            "connection pool|replication lag|full scan|table scan|n+1|slow query|slow queries|join|joins|"
            "iops|mysql|postgres|mongodb|rds"
        ),
        ("디비", "데이터베이스", "쿼리", "인덱스", "데드락", "커넥션", "조인", "풀스캔"),
    ),
    "app": (
        _words(
            "oom|gc|garbage collection|thread|threads|worker|workers|event loop|server load|app server|"
            "application server|heap|process|processes|render|rendering|serialization|php-fpm|gunicorn|puma|"
            "unicorn|tomcat"
        ),
        ("스레드", "쓰레드", "서버 부하", "워커", "프로세스", "힙", "렌더링"),
    ),
    "network": (
        _words(
            "bandwidth|static|images|image|video|videos|assets|download|downloads|egress|cdn|abroad|overseas|"
            "global|far away|page load|slow to load|packet|network|latency from"
        ),
        ("대역폭", "이미지", "동영상", "정적", "해외", "글로벌", "네트워크", "트래픽 비용", "다운로드"),
    ),
}

# Negation may not cross a clause: "no replicas, Redis cache" keeps Redis. Every window is bounded
# (30 characters before, 24 after), and no two quantifiers side by side or nested can match the same
# character, so each test costs a constant.
_NEGATION_BEFORE = re.compile(
    r"(?:\bno|\bnot|\bnever|\bwithout|\black(?:ing|s)?|\bmissing|n't|\bdont|\bdoesnt|\bzero)"
    r"[^\S\n]+(?:[\w'/+-]+[^\S\n]+){0,3}$",
    re.I,
)
_NEGATION_AFTER = re.compile(
    r"^[^\w\n]{0,3}(?:\w{1,6}[^\S\n]){0,2}"
    r"(?:없|미사용|안 ?씀|안 ?쓰|안 ?함|미도입|미적용|미구축|사용 ?안|사용하지 ?않|쓰지 ?않|도입 ?안)"
    r"|^[^\S\n]{0,2}[:=-][^\S\n]{0,2}(?:none|no\b|n/a|0\b|not (?:used|yet|in place|set up))",
    re.I,
)
# A component the team wants or plans is not in place (nor said to be missing).
_WANTED_BEFORE = re.compile(
    r"(?:\bplan(?:s|ning|ned)? to|\bwill|\bwant(?:s)? to|\bwould like to|\bconsidering|\bevaluating|"
    r"\bthinking about|\blooking (?:at|into)|\bneed(?:s)? (?:to add )?an?|\bneed(?:s)?|\bshould (?:add|use))"
    r"[^\S\n]+(?:[\w'/+-]+[^\S\n]+){0,2}$",
    re.I,
)
_WANTED_AFTER = re.compile(
    r"^\W{0,3}(?:planned|soon|coming|later|next (?:quarter|month))|^\S{0,6}\s?(?:도입 ?예정|예정|검토|고려|계획|필요)",
    re.I,
)


# --- readings: each fact with the phrase it came from ------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One thing read from the answers: `name` is stable (for code), `source` the user's own words."""

    name: str
    value: object
    source: str
    note: str = ""


@dataclass(frozen=True)
class StatedPrice:
    """A price written in the answers: per unit ('droplet $24') or a total ('we spend $1,200 a month')."""

    tier: str  # app | database | cache | network | total
    amount: float
    currency: str
    per_unit: bool
    period: str  # month | hour
    source: str

    @property
    def monthly(self) -> float:
        return self.amount * 730 if self.period == "hour" else self.amount


@dataclass(frozen=True)
class ArchitectureFacts:
    facts: frozenset[Fact]
    app_servers: int
    db_replicas: int
    tier_evidence: dict[Tier, list[str]] = field(default_factory=dict)
    quoted_utilisation: dict[Tier, float] = field(default_factory=dict)
    # Added for the calibrated model and the stack-specific advice; each has a Reading in `readings`.
    app_servers_range: tuple[int, int] | None = None  # "3-5 servers": app_servers is the top
    app_servers_stated: bool = False  # False: no count was written, app_servers is the default of 1
    db_standbys: int = 0  # failover copies that serve no reads; never in db_replicas
    absent: frozenset[Fact] = frozenset()  # components the team says it lacks ("no CDN", "캐시 없음")
    db_engine: str | None = None  # postgresql | mysql | mariadb | aurora-mysql | mongodb | dynamodb | ...
    db_engines: tuple[str, ...] = ()
    db_version: str | None = None
    db_managed: bool | None = None  # RDS/Cloud SQL/Atlas: True; on a VM, a droplet, self-hosted: False
    runtime: str | None = None  # the framework or runtime: django | rails | spring | node | php | go | ...
    language: str | None = None  # python | ruby | jvm | node | php | go | dotnet | elixir
    runtimes: tuple[str, ...] = ()
    provider: str | None = None  # aws | gcp | azure | digitalocean | hetzner | on-premises | ...
    app_hosting: str | None = None  # kubernetes | containers | serverless | paas | vm | bare-metal
    instance_types: dict[str, str] = field(default_factory=dict)  # tier -> "db.r6g.4xlarge", "m6i.large"
    vcpus: dict[str, int] = field(default_factory=dict)  # tier -> vCPUs of one server
    memory_gb: dict[str, float] = field(default_factory=dict)  # tier -> RAM of one server
    db_storage_gb: float | None = None
    regions: tuple[str, ...] = ()  # as written, normalised: "us-east-1", "seoul"
    region_area: str | None = None  # korea | japan | us-east | eu-west | ... for regional prices
    stated_prices: tuple[StatedPrice, ...] = ()
    current_monthly_spend: StatedPrice | None = None
    user_counts: dict[str, int] = field(default_factory=dict)  # registered | daily | monthly | concurrent
    other_utilisation: dict[str, float] = field(default_factory=dict)  # tiers the model lacks ("cache")
    readings: tuple[Reading, ...] = ()

    def has(self, fact: Fact) -> bool:
        return fact in self.facts

    def lacks(self, fact: Fact) -> bool:
        """The team said it does not have this ("no CDN"): stronger than not mentioning it."""
        return fact in self.absent

    @property
    def in_place(self) -> tuple[Fact, ...]:
        """Components the team already runs, in a stable order."""
        return tuple(f for f in COMPONENTS if f in self.facts)

    @property
    def region(self) -> str | None:
        return self.regions[0] if self.regions else None

    @property
    def db_family(self) -> str | None:
        """The dialect that steps and commands must be written in."""
        return _DB_FAMILY.get(self.db_engine or "")

    @property
    def registered_users(self) -> int | None:
        return self.user_counts.get("registered")

    @property
    def daily_users(self) -> int | None:
        return self.user_counts.get("daily")

    @property
    def monthly_users(self) -> int | None:
        return self.user_counts.get("monthly")


# --- tokens --------------------------------------------------------------------------------------

# One pass, no backtracking across tokens: an identifier may join letter/digit runs with . - _ '
# ("db.r6g.4xlarge", "us-east-1", "Node.js"), a number joins digit runs with . or , ("1,200",
# "1.5"), Hangul and other letters form words, anything else is one symbol. Each repeated group
# starts with a separator its body cannot contain, so a token is matched in one left-to-right scan.
_TOKEN = re.compile(
    r"(?P<id>[A-Za-z][A-Za-z0-9]*(?:[._'\-][A-Za-z0-9]+)*)"
    r"|(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<kw>[^\W\d_A-Za-z]+)"
    r"|(?P<sym>\S)"
)
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-", "～": "~", "％": "%", "×": "x", "\u00a0": " "})
_CLAUSE_SYMBOLS = frozenset(";!?。")
_SOFT_CLAUSE_SYMBOLS = frozenset(",.")  # a clause break only when followed by a space ("1,200", "m5.large")


@dataclass(slots=True)  # not frozen: a frozen dataclass is four times slower to make
class _Tok:
    text: str
    low: str
    kind: str  # id | num | kw | sym
    start: int
    end: int
    glued: bool  # no space between this token and the one before
    clause: int  # index of the clause (comma, semicolon, full stop or line break delimited)
    depth: int  # parentheses depth


def _cap(text: str) -> str:
    """The first MAX_READ_CHARS characters, cut between words (never mid-word)."""
    if len(text) <= MAX_READ_CHARS:
        return text
    cut = text.rfind(" ", MAX_READ_CHARS - 200, MAX_READ_CHARS)
    return text[: cut if cut > 0 else MAX_READ_CHARS]


class _Toks(list[_Tok]):
    """The tokens of one answer, with the numbers read at each index (several readers ask for the same)."""

    numbers: dict[int, _Number | None]
    quantities: dict[int, _Number | None]


def _tokens(text: str) -> _Toks:
    toks = _Toks()
    toks.numbers = {}
    toks.quantities = {}
    clause = 0
    depth = 0
    prev_end = -1
    size = len(text)
    append = toks.append
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if start - prev_end > 1 and prev_end >= 0 and text.find("\n", prev_end, start) >= 0:
            clause += 1
        kind = match.lastgroup or "sym"
        word = match.group()
        if kind != "sym":
            append(_Tok(word, word.lower(), kind, start, end, prev_end == start, clause, depth))
        else:
            if word == ")" or word == "]":
                depth = max(0, depth - 1)
            append(_Tok(word, word, kind, start, end, prev_end == start, clause, depth))
            if word == "(" or word == "[":
                depth += 1
            elif word in _CLAUSE_SYMBOLS or (word in _SOFT_CLAUSE_SYMBOLS and (end >= size or text[end].isspace())):
                clause += 1
        prev_end = end
    return toks


def _breaks(tok: _Tok) -> bool:
    """A clause-ending symbol: counts and qualifiers do not reach across it."""
    return tok.kind == "sym" and (tok.text in _CLAUSE_SYMBOLS or tok.text in _SOFT_CLAUSE_SYMBOLS)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """Cut to `limit` characters between words, never inside one."""
    text = _clean(text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return (text[:cut] if cut > 0 else text.split(" ", 1)[0]).rstrip(" ,;:(") + "…"


def _span(text: str, toks: list[_Tok], first: int, last: int) -> str:
    """The user's words from token `first` to token `last`: token edges are word edges."""
    first = max(0, first)
    last = min(len(toks) - 1, last)
    quote = text[toks[first].start : toks[last].end]
    opened = quote.count("(") - quote.count(")")
    if opened > 0 and last + 1 < len(toks) and toks[last + 1].text == ")":
        quote += ")"
    elif opened < 0 and first > 0 and toks[first - 1].text == "(":
        quote = "(" + quote
    return _shorten(quote)


def _excerpt(text: str, start: int, end: int) -> str:
    """The clause around text[start:end], at most QUOTE_CHARS long, cut between words."""
    lo, hi = start, end
    floor, ceil = max(0, start - QUOTE_CHARS), min(len(text), end + QUOTE_CHARS)
    while lo > floor and not _stops(text, lo - 1):
        lo -= 1
    while hi < ceil and not _stops(text, hi):
        hi += 1
    # A window edge that is not a clause edge may fall inside a word: move it to the next space.
    if lo == floor and lo > 0 and not _stops(text, lo - 1):
        lo = _word_start(text, lo, start)
    if hi == ceil and hi < len(text) and not _stops(text, hi):
        hi = _word_end(text, hi, end)
    # A Korean phrase is matched inside a word ("레디스캐시는"): quote the whole word.
    while start > lo and not text[start - 1].isspace():
        start -= 1
    while end < hi and not text[end].isspace():
        end += 1
    snippet = _clean(text[lo:hi]).strip(" ,;:.")
    if len(snippet) <= QUOTE_CHARS:
        return snippet
    # Too long: keep the match and as many of the words before it as fit.
    head = _clean(text[lo:start])
    room = QUOTE_CHARS - len(_clean(text[start:end])) - 1
    if head and room > 0 and len(head) > room:
        cut = head.find(" ", len(head) - room)
        head = head[cut + 1 :] if cut >= 0 else ""
    elif room <= 0:
        head = ""
    return _shorten((head + " " + _clean(text[start:hi])).strip(" ,;:."))


def _stops(text: str, i: int) -> bool:
    char = text[i]
    if char in ";!?\n()":
        return True
    return char in ".," and (i + 1 >= len(text) or text[i + 1].isspace())


def _word_start(text: str, i: int, limit: int) -> int:
    while i < limit and not text[i - 1].isspace():
        i += 1
    return i


def _word_end(text: str, i: int, limit: int) -> int:
    while i > limit and not text[i].isspace():
        i -= 1
    return i


# --- numbers on tokens ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Number:
    value: float
    low: float | None  # a range "3-5": low 3, value 5
    start: int
    end: int  # index of the first token after the number
    counter: str  # Korean counter written after it: 대, 개, 명 ...
    word: bool  # written as a word ("two", "두")


_COUNTERS = ("대", "개", "명", "기", "곳", "ea")
_RANGE_JOINERS = frozenset({"-", "~", "to", "or"})


def _number_at(toks: list[_Tok], i: int) -> _Number | None:
    """The number starting at token i with its scale ("1.2k", "3만", "1억 2천만") and Korean counter."""
    memo = getattr(toks, "numbers", None)
    if memo is None:
        return _read_number(toks, i)
    if i not in memo:
        memo[i] = _read_number(toks, i)
    return memo[i]


def _read_number(toks: list[_Tok], i: int) -> _Number | None:
    tok = toks[i]
    n = len(toks)
    if tok.kind == "num":
        value = plain_number(tok.text)
        if value is None:
            return None
        j = i + 1
        counter = ""
        if j < n and toks[j].kind == "id" and toks[j].glued and toks[j].low in GLUED_SCALES:
            value *= GLUED_SCALES[toks[j].low]
            j += 1
        elif j < n and toks[j].kind == "id" and toks[j].low in WORD_SCALES:
            value *= WORD_SCALES[toks[j].low]
            j += 1
        elif j < n and toks[j].kind == "kw" and toks[j].glued:
            scale, rest = korean_scale(toks[j].text)
            value *= scale
            counter = rest
            j += 1
            # "3만 5천", "1억 2천만": a smaller place value may follow a 만 or 억.
            if scale >= 1e4 and not rest and j + 1 < n and toks[j].kind == "num" and toks[j + 1].kind == "kw":
                more = plain_number(toks[j].text)
                small, rest2 = korean_scale(toks[j + 1].text)
                if more is not None and 1 < small < scale and toks[j + 1].glued:
                    value += more * small
                    counter = rest2
                    j += 2
        if (
            not counter
            and j < n
            and toks[j].kind == "kw"
            and toks[j].text.startswith(_COUNTERS)
            and len(toks[j].text) <= 3
        ):
            counter = toks[j].text
            j += 1
        return _Number(value, None, i, j, counter, False)
    if tok.kind == "id" and tok.low in ENGLISH_NUMBER_WORDS:
        j = i + 1
        if tok.low in ("couple", "pair") and j < n and toks[j].low == "of":
            j += 1
        return _Number(float(ENGLISH_NUMBER_WORDS[tok.low]), None, i, j, "", True)
    if tok.kind == "kw":
        if tok.text in KOREAN_NATIVE_NUMBERS and i + 1 < n and toks[i + 1].text.startswith(_COUNTERS[:3]):
            return _Number(float(KOREAN_NATIVE_NUMBERS[tok.text]), None, i, i + 2, toks[i + 1].text, True)
        # Glued "두대", "네개" (not "세대", which is also the word for a generation).
        for numeral, value in KOREAN_NATIVE_NUMBERS.items():
            if (
                numeral != "세"
                and tok.text.startswith(numeral)
                and tok.text[len(numeral) : len(numeral) + 1] in ("대", "개")
            ):
                return _Number(float(value), None, i, i + 1, tok.text[len(numeral) :], True)
    return None


def _quantity_at(toks: list[_Tok], i: int) -> _Number | None:
    """A number or a range of numbers ("3-5", "3 to 5", "1-2k", "3~5대"): the range reads as its top."""
    memo = getattr(toks, "quantities", None)
    if memo is None:
        return _read_quantity(toks, i)
    if i not in memo:
        memo[i] = _read_quantity(toks, i)
    return memo[i]


def _read_quantity(toks: list[_Tok], i: int) -> _Number | None:
    first = _number_at(toks, i)
    if first is None or first.end + 1 >= len(toks) or toks[first.end].low not in _RANGE_JOINERS:
        return first
    second = _number_at(toks, first.end + 1)
    if second is None or first.word != second.word:
        return first
    low = first.value
    raw_second = plain_number(toks[second.start].text) if toks[second.start].kind == "num" else None
    if raw_second and second.value > raw_second and first.value < raw_second:
        low = first.value * (second.value / raw_second)  # "1-2k": the scale applies to both
    if low > second.value:
        return first
    return _Number(second.value, low, i, second.end, second.counter or first.counter, first.word)


# --- vocabulary ------------------------------------------------------------------------------------

_HOST_NOUNS = frozenset(
    _words(
        "server|servers|instance|instances|node|nodes|vm|vms|machine|machines|box|boxes|host|hosts|"
        "droplet|droplets|container|containers|pod|pods|dyno|dynos|task|tasks|ec2|linode|linodes|vps"
    )
)
_HOST_NOUNS_KO = ("서버", "인스턴스", "노드", "파드", "머신", "컨테이너", "호스트", "장비")
_REPLICA_NOUNS = frozenset(
    _words(
        "replica|replicas|read-replica|read-replicas|reader|readers|slave|slaves|secondary|secondaries|"
        "follower|followers"
    )
)
_REPLICA_NOUNS_KO = ("레플리카", "리플리카", "복제본", "슬레이브")
_STANDBY_NOUNS = frozenset({"standby", "standbys", "stand-by"})
_STANDBY_NOUNS_KO = ("스탠바이",)
_STANDBY_MARKS = frozenset(
    {"standby", "hot", "warm", "sync", "synchronous", "failover", "ha", "passive", "multi-az", "multiaz", "dr"}
)
_STANDBY_MARKS_KO = ("스탠바이", "대기", "페일오버", "동기", "이중화")
_READ_MARKS = frozenset(
    {"read", "reads", "reading", "reporting", "analytics", "read-only", "readable", "reader", "readers"}
)
_READ_MARKS_KO = ("읽기", "조회", "리드")
_UNIT_WORDS = frozenset(
    _words(
        "vcpu|vcpus|cpu|cpus|core|cores|vcore|vcores|gb|gib|tb|tib|mb|g|ms|s|sec|secs|seconds|min|mins|"
        "minutes|hours|rps|qps|tps|req|requests|users|user|percent|x|gbps|mbps|years|months|weeks|days"
    )
)
_GAP_STOPS = frozenset(
    _words(
        "on|in|at|of|for|with|behind|and|or|per|each|across|than|to|from|by|via|plus|but|is|are|was|were|"
        "has|have|no|not|without"
    )
)
_GAP_SYMBOLS = frozenset({"(", ")", "[", "]", "+", "/", "&", "-"})

# Role words: which tier a count or a figure belongs to ("2 DB servers", "Redis CPU 90%").
_ROLE_WORDS: dict[str, frozenset[str]] = {
    "database": frozenset(
        _words(
            "db|dbs|database|databases|mysql|postgres|postgresql|pg|rds|aurora|mongo|mongodb|mariadb|primary|"
            "master|writer|sql|dynamodb|cassandra"
        )
    ),
    "cache": frozenset({"redis", "memcached", "memcache", "elasticache", "cache", "valkey"}),
    "worker": frozenset({"celery", "sidekiq", "batch", "job", "jobs", "cron", "consumer", "consumers", "background"}),
    "proxy": frozenset({"nginx", "haproxy", "proxy", "proxies", "lb", "balancer", "balancers", "envoy", "traefik"}),
    "search": frozenset({"elasticsearch", "opensearch", "solr"}),
    "queue": frozenset({"kafka", "rabbitmq", "broker", "brokers", "zookeeper"}),
    "network": frozenset({"bandwidth", "network", "egress", "nic", "uplink"}),
    "app": frozenset(
        _words(
            "app|apps|api|apis|web|application|backend|django|flask|fastapi|rails|ruby|python|java|kotlin|"
            "spring|boot|php|php-fpm|laravel|gunicorn|uwsgi|puma|unicorn|tomcat|node.js|nodejs|express|"
            "nestjs|jvm|go|golang|was|frontend|worker|workers"
        )
    ),
}
_ROLE_WORDS_KO: dict[str, tuple[str, ...]] = {
    "database": ("디비", "데이터베이스", "마스터", "프라이머리"),
    "cache": ("캐시", "레디스"),
    "worker": ("배치", "워커"),
    "proxy": ("로드밸런서", "프록시", "엔진엑스"),
    "network": ("네트워크", "대역폭"),
    "app": ("웹", "앱", "백엔드", "애플리케이션", "스프링", "장고", "레일즈"),
}
_ROLE_OF: dict[str, str] = {w: role for role, words in _ROLE_WORDS.items() for w in words}
_FIELD_ROLE = {"servers": "app", "database": "database", "network": "network", "bottlenecks": None}


@dataclass(slots=True)
class _Word:
    """What a vocabulary test looks at: the same for every occurrence of a word, so it is cached."""

    kind: str
    text: str
    low: str


def _per_word(test: Callable[[Any], _R]) -> Callable[[_Tok], _R]:
    @lru_cache(maxsize=8192)
    def cached(kind: str, text: str, low: str) -> _R:
        return test(_Word(kind, text, low))

    @wraps(test)
    def run(tok: _Tok) -> _R:
        return cached(tok.kind, tok.text, tok.low)

    return run


@_per_word
def _role_of(tok: _Tok) -> str | None:
    if tok.kind == "id":
        if tok.low == "go" and tok.text != "Go":
            return None  # "go down": only the capitalised name is the language
        return _ROLE_OF.get(tok.low)
    if tok.kind == "kw":
        for role, words in _ROLE_WORDS_KO.items():
            if any(w in tok.text for w in words):
                return role
    return None


@_per_word
def _noun_kind(tok: _Tok) -> str | None:
    """host | replica | standby | instance: what a counted noun is."""
    if tok.kind == "id":
        if tok.low in _HOST_NOUNS or tok.text == "WAS":  # WAS: a Korean team's word for its app servers
            return "host"
        if tok.low in _REPLICA_NOUNS:
            return "replica"
        if tok.low in _STANDBY_NOUNS:
            return "standby"
        if _instance_type(tok.low):
            return "instance"
    elif tok.kind == "kw":
        if any(w in tok.text for w in _REPLICA_NOUNS_KO):
            return "replica"
        if any(w in tok.text for w in _STANDBY_NOUNS_KO):
            return "standby"
        if any(w in tok.text for w in _HOST_NOUNS_KO):
            return "host"
    return None


@_per_word
def _names_a_version(tok: _Tok) -> bool:
    """A runtime or engine name, after which a number is its version."""
    if tok.kind == "kw":
        return any(tok.text.startswith(w) for w in _RUNTIMES_KO) or any(tok.text.startswith(w) for w in _DB_ENGINES_KO)
    return tok.low in _RUNTIMES or tok.low in _DB_ENGINES or tok.text in ("Node", "Go")


@_per_word
def _is_unit(tok: _Tok) -> bool:
    return tok.low in _UNIT_WORDS or tok.text in ("%", "코어", "퍼센트") or tok.text.startswith(("명", "코어"))


@_per_word
def _standby_mark(tok: _Tok) -> bool:
    return tok.low in _STANDBY_MARKS or (tok.kind == "kw" and any(w in tok.text for w in _STANDBY_MARKS_KO))


@_per_word
def _read_mark(tok: _Tok) -> bool:
    return tok.low in _READ_MARKS or (tok.kind == "kw" and any(w in tok.text for w in _READ_MARKS_KO))


# Instance types: AWS (m6i.large, db.r6g.4xlarge, cache.t3.small), GCP (n2-standard-4, db-custom-4-16384),
# Azure (standard_d4s_v3), DigitalOcean slugs (s-2vcpu-4gb), Hetzner (cx21, cpx31). Applied to one
# token of at most 40 characters, so each test is bounded.
_INSTANCE_PATTERNS = (
    re.compile(
        r"(?:(?:db|cache)\.)?[a-z]{1,3}\d[a-z0-9-]{0,6}\.(?:nano|micro|small|medium|large|xlarge|\d{1,2}xlarge|metal)"
    ),
    re.compile(r"[a-z]\d[a-z]?-(?:standard|highmem|highcpu|micro|small|medium)(?:-\d{1,3})?"),
    re.compile(r"db-(?:custom|[a-z]\d-standard|[a-z]\d-highmem)(?:-\d{1,6}){1,2}"),
    re.compile(r"standard_[a-z]{1,2}\d{1,3}[a-z]{0,4}(?:_v\d)?"),
    re.compile(r"s-\d{1,2}vcpu-\d{1,3}gb(?:-[a-z0-9]{1,8})?"),
    re.compile(r"c[cp]?x\d{2}"),
)


@lru_cache(maxsize=4096)
def _instance_type(word: str) -> bool:
    return len(word) <= 40 and any(p.fullmatch(word) for p in _INSTANCE_PATTERNS)


# --- phrases ----------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _phrase_regex(english: tuple[str, ...], korean: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation per phrase list, longest first: English on word boundaries, Korean as substrings."""
    parts = []
    words = sorted({p.lower() for p in english}, key=len, reverse=True)
    subwords = sorted({p.lower() for p in korean}, key=len, reverse=True)
    if words:
        # a Korean particle may follow an English name with no space ("CloudFront는", "Redis를")
        parts.append(r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![^\W\uac00-\ud7a3])")
    if subwords:
        parts.append("(?:" + "|".join(map(re.escape, subwords)) + ")")
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=4096)
def _lowered(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.lower() for p in phrases)


@dataclass(slots=True)
class _Hit:
    phrase: str
    start: int
    end: int
    negated: bool
    text: str = field(repr=False, compare=False)  # the lower-cased text searched

    @property
    def wanted(self) -> bool:
        """Planned or needed ("we plan to add Redis", "CDN 도입 예정"), so not in place."""
        return not self.negated and _wanted(self.text, self.start, self.end)


def _phrase_hits(lowered: str, english: Iterable[str], korean: Iterable[str]) -> Iterator[_Hit]:
    # A plain substring test first: most phrases are absent, and it is far cheaper than the regex.
    english = _lowered(english) if isinstance(english, tuple) else tuple(p.lower() for p in english)
    korean = _lowered(korean) if isinstance(korean, tuple) else tuple(p.lower() for p in korean)
    regex = _phrase_regex(tuple(p for p in english if p in lowered), tuple(p for p in korean if p in lowered))
    if regex is None:
        return
    for m in regex.finditer(lowered):
        yield _Hit(m.group(0), m.start(), m.end(), _negated(lowered, m.start(), m.end()), lowered)


def find_phrases(text: str, english: Iterable[str], korean: Iterable[str]) -> list[str]:
    """Phrases present in the text (lower-cased) and not negated ("no CDN", "CDN 없음")."""
    lowered = text[:MAX_PHRASE_TEXT].lower()
    return [h.phrase for h in _phrase_hits(lowered, english, korean) if not h.negated]


_NEGATION_CUES_BEFORE = re.compile(r"no|n't|never|without|lack|missing|dont|doesnt|zero")
_NEGATION_CUES_AFTER = re.compile(r"[없미안않:=-]")


def _negated(text: str, start: int, end: int) -> bool:
    # Substring cues first: most phrases have no negation near them, and the cues cost far less than the regexes.
    before = text[max(0, start - 30) : start]
    if _NEGATION_CUES_BEFORE.search(before) and _NEGATION_BEFORE.search(before):
        return True
    after = text[end : end + 24]
    return bool(_NEGATION_CUES_AFTER.search(after) and _NEGATION_AFTER.search(after))


def _wanted(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    after = text[end : end + 16]
    return bool(_WANTED_BEFORE.search(before) or _WANTED_AFTER.search(after))


# --- counts: app servers, read replicas, standbys -------------------------------------------------


@dataclass(slots=True)
class _Count:
    role: str  # app | database | replica | standby | cache | worker | proxy | ...
    number: _Number
    source: str
    bare: bool = False  # a Korean "3대" with no noun: used only when nothing better was written


_GENERIC_NOUNS = _HOST_NOUNS | {"worker", "workers", "process", "processes"}


def _resolve_role(noun_kind: str, qualifiers: list[_Tok], default: str | None) -> str | None:
    """The role of a counted noun: its own kind for replicas and standbys, else the nearest role word."""
    if noun_kind == "replica":
        if any(_standby_mark(q) for q in qualifiers) and not any(_read_mark(q) for q in qualifiers[:-1]):
            return "standby"
        return "replica"
    if noun_kind == "standby":
        return "replica" if any(_read_mark(q) for q in qualifiers) else "standby"
    for tok in reversed(qualifiers):  # closest to the noun first
        role = _role_of(tok)
        if role is not None and role != "network":  # "bandwidth" qualifies a figure, never a server
            return role
    return default


_MAX_GAP_TOKENS = 16  # a count and its noun are never further apart than this, parentheses included
_MACHINE_WORDS = frozenset({"ec2", "vm", "vms", "droplet", "droplets", "instance", "instances", "hosts", "linode"})


def _on_machines(toks: list[_Tok], k: int) -> bool:
    """ "6 Spring Boot services on EC2 m6i.xlarge" counts machines; "140 Go services on EKS" counts programs."""
    for t in toks[k + 1 : k + 7]:
        if t.clause != toks[k].clause:
            break
        if t.low in _MACHINE_WORDS or _noun_kind(t) == "instance":
            return True
    return False


def _gap_ok(tok: _Tok, depth_open: int) -> bool:
    if tok.kind == "sym":
        return tok.text in _GAP_SYMBOLS or (tok.text == "," and depth_open > 0)
    if tok.kind in ("id", "kw"):
        return tok.low not in _GAP_STOPS and not _is_unit(tok)
    return False


def _prefix(toks: list[_Tok], i: int, reach: int = 3) -> list[_Tok]:
    """Up to `reach` words before token i in the same clause (its qualifiers: "MySQL on", "DB")."""
    out: list[_Tok] = []
    for k in range(i - 1, max(-1, i - 1 - reach), -1):
        if toks[k].clause != toks[i].clause or toks[k].depth < toks[i].depth:
            break
        out.append(toks[k])
    out.reverse()
    return out


def _counts(text: str, toks: list[_Tok], field_name: str) -> list[_Count]:
    """Every "N <noun>", "<noun>: N", "<noun> xN" and Korean "<noun> N대" / "N대의 <noun>" in one answer."""
    default = _FIELD_ROLE.get(field_name)
    found: list[_Count] = []
    used: set[int] = set()
    n = len(toks)
    for i in range(n):
        if i in used:
            continue
        tok = toks[i]
        if tok.kind == "sym":
            continue
        article = tok.kind == "id" and tok.low in ("a", "an")
        if article and i + 1 < n and toks[i + 1].low in ENGLISH_NUMBER_WORDS:
            continue  # "a dozen pods", "a couple of servers": the number word counts
        number = _Number(1.0, None, i, i + 1, "", True) if article else _quantity_at(toks, i)
        if number is None or number.value > MAX_UNITS or (i > 0 and toks[i - 1].text in _CURRENCY_SYMBOLS):
            continue
        j = number.end
        if number.counter:
            if number.counter.startswith(("대", "개")) and j < n and toks[j].clause == toks[i].clause:
                # Korean order "3대의 서버", "두 대의 웹서버": the noun follows the counter and its "의".
                reach = 2 if number.counter.endswith("의") else 1
                for k in range(j, min(n, j + reach)):
                    kind = _noun_kind(toks[k])
                    if (kind and toks[k].kind == "kw") or (kind and reach == 2):
                        role = _resolve_role(kind, toks[j : k + 1], default)
                        if role:
                            found.append(_Count(role, number, _span(text, toks, i, k)))
                            used.update(range(i, k + 1))
                        break
            continue
        if j < n and toks[j].low in ("x", "*"):
            j += 1  # "6 x c6i.xlarge", "4x m5.large"
        elif i > 0 and not number.word and _names_a_version(toks[i - 1]):
            continue  # "Node 18 containers", "PostgreSQL 15 nodes": a version, not a count
        if j >= n or _is_unit(toks[j]) or toks[j].text == "%":
            continue  # "8 vCPU", "400 GB", "95%": a size, not a count
        # English order: the number, up to six words, then the noun. Anything in parentheses ("4 Python
        # (Django, 4 workers each) servers"), sizes ("2 x 8 vCPU servers"), versions ("5 Express (Node.js 20)
        # servers") and prices ("One $24/month droplet") may sit in between; a noun inside parentheses is not it.
        depth_open = 0
        instance_at = -1
        hit = -1
        k = j
        words = 0
        limit = 3 if article else 7
        while k < n and words < limit and k - j < _MAX_GAP_TOKENS:
            t = toks[k]
            if t.kind == "sym" and t.text in ("(", "["):
                depth_open += 1
            elif t.kind == "sym" and t.text in (")", "]"):
                depth_open -= 1
                if depth_open < 0:
                    break
            elif depth_open > 0:
                pass
            elif (kind := _noun_kind(t)) == "instance":
                instance_at = k  # "6 x c6i.xlarge app servers": a noun after the type may follow
            elif kind or (t.low in ("service", "services") and _on_machines(toks, k)):
                hit = k
                break
            elif t.kind == "num" and k + 1 < n and _is_unit(toks[k + 1]):
                k += 2  # a size
                words += 1
                continue
            elif t.kind == "num" and _names_a_version(toks[k - 1]):
                pass  # a version
            elif t.kind == "sym" and t.text in _CURRENCY_SYMBOLS and k + 1 < n and toks[k + 1].kind == "num":
                k += 2  # a price, and its period
                while k < n and (toks[k].text == "/" or toks[k].low in _MONTH_WORDS):
                    k += 1
                continue
            elif _gap_ok(t, depth_open):
                words += 1
            else:
                break
            k += 1
        if hit < 0 and instance_at >= 0:
            hit = instance_at
        if hit < 0:
            continue
        kind = _noun_kind(toks[hit]) or "host"  # "services" on machines are hosts
        if kind == "instance":
            kind = "host"
        gap = list(toks[j : hit + 1])
        qualifiers = gap if kind in ("replica", "standby") else _prefix(toks, i) + gap
        role = _resolve_role(kind, qualifiers, default)
        if role:
            last = hit + 1 if hit + 1 < n and _noun_kind(toks[hit + 1]) == "host" else hit  # "2 reader instances"
            found.append(_Count(role, number, _span(text, toks, i, last)))
            used.update(range(i, last + 1))
    # Postfix order: "servers: 4", "m5.large x4", "웹 서버 3대", "서버 두 대", "레플리카 2대".
    for i in range(n):
        kind = _noun_kind(toks[i])
        if not kind or i in used:
            continue
        number = None
        nxt = toks[i + 1] if i + 1 < n else None
        if nxt is not None and nxt.kind == "id" and len(nxt.low) <= 5 and nxt.low[0] == "x" and nxt.low[1:].isdigit():
            number = _Number(float(nxt.low[1:]), None, i + 1, i + 2, "", False)
        elif nxt is not None and nxt.text in (":", "=", "x", "*", "(") and i + 2 < n and toks[i + 2].kind == "num":
            candidate = _quantity_at(toks, i + 2)
            after = toks[candidate.end] if candidate is not None and candidate.end < n else None
            if (
                candidate is not None
                and not candidate.counter
                and not (after and (_is_unit(after) or after.text == "%"))
            ):
                number = candidate
        else:
            for k in range(i + 1, min(n, i + 5)):
                if _breaks(toks[k]):
                    break
                candidate = _quantity_at(toks, k)
                if candidate is not None:
                    if candidate.counter.startswith(("대", "개", "기")):
                        number = candidate
                    break
        if number is None or number.start in used or number.value > MAX_UNITS:
            continue
        prefix = _prefix(toks, i, 2 if kind in ("replica", "standby") else 3)
        role = _resolve_role("host" if kind == "instance" else kind, [*prefix, toks[i]], default)
        if role:
            reach = 0
            for tok in reversed(prefix):
                if _role_of(tok) is None and not _standby_mark(tok) and not _read_mark(tok):
                    break
                reach += 1
            found.append(_Count(role, number, _span(text, toks, i - reach, number.end - 1)))
            used.update(range(number.start, number.end))
            used.add(i)
    # A bare Korean "3대" in the servers answer ("3대로 운영"): servers, if nothing better was said.
    if field_name == "servers":
        for i in range(n):
            if i in used or toks[i].kind != "num":
                continue
            number = _number_at(toks, i)
            if number is not None and number.counter.startswith("대") and number.value <= MAX_UNITS:
                found.append(_Count("app", number, _span(text, toks, i, number.end - 1), bare=True))
    return found


# --- utilisation figures and resource evidence ----------------------------------------------------

_UTIL_WORDS = frozenset(
    _words("cpu|cpus|util|utilisation|utilization|utilised|utilized|load|busy|usage|saturated|saturation|pegged")
)
# "80% of the uplink" is a utilisation; "70% of database CPU" is a share of the work, not one.
_CAPACITY_WORDS = frozenset({"capacity", "uplink", "link", "limit", "max", "maximum", "quota", "bandwidth"})
_UTIL_WORDS_KO = ("사용률", "점유율", "부하", "사용량", "점유")
_NOT_UTIL = frozenset(
    _words(
        "error|errors|hit|miss|misses|faster|slower|less|more|fewer|reduce|reduced|reduction|increase|"
        "increased|drop|dropped|growth|grew|conversion|bounce|share|uptime|availability|sla|success|fail|"
        "failed|failure|failures|timeout|timeouts|disk|storage|full|memory|ram|heap|mem|swap|5xx|4xx|"
        "discount|off|budget|margin|reads|writes|traffic|iowait"
    )
)
_NOT_UTIL_KO = _words("에러|오류|실패|적중|히트|디스크|메모리|감소|증가|가용|성공|할인|빨라|개선|트래픽")
_LINK_WORDS = frozenset(
    _words("tier|layer|side|at|is|are|~|:|=|around|about|approx|approximately|over|near|hits|reaches|->")
)


@_per_word
def _util_word(tok: _Tok) -> bool:
    return tok.low in _UTIL_WORDS or (tok.kind == "kw" and any(w in tok.text for w in _UTIL_WORDS_KO))


@_per_word
def _not_util_word(tok: _Tok) -> bool:
    return tok.low in _NOT_UTIL or (tok.kind == "kw" and any(w in tok.text for w in _NOT_UTIL_KO))


def _tier_word(toks: list[_Tok], k: int) -> str | None:
    """The tier a word names; "server" or "서버" takes the qualifier before it ("DB server" is the database)."""
    tok = toks[k]
    if _generic_noun(tok):
        for q in reversed(_prefix(toks, k, 2)):
            qualified = _role_of(q)
            if qualified is not None:
                return qualified
        return "app"
    return _role_of(tok)


@_per_word
def _generic_noun(tok: _Tok) -> bool:
    """A word for a machine or process, whose tier is the word before it ("DB server", "Celery workers")."""
    return tok.low in _GENERIC_NOUNS or (tok.kind == "kw" and any(w in tok.text for w in _HOST_NOUNS_KO))


def _percent_figures(toks: list[_Tok]) -> list[tuple[int, int, float]]:
    """(first token, index of the % sign, value): "80%", "80-90 %" (its top), "85 percent"."""
    figures: list[tuple[int, int, float]] = []
    i = 0
    n = len(toks)
    while i < n:
        if toks[i].kind == "num":
            q = _quantity_at(toks, i)
            if q is not None and q.end < n and (toks[q.end].text == "%" or toks[q.end].low in ("percent", "퍼센트")):
                figures.append((i, q.end, q.value))
                i = q.end + 1
                continue
        i += 1
    return figures


def _group_bounds(toks: list[_Tok], i: int) -> tuple[int, int] | None:
    """The parentheses around token i: (index of "(", index of ")"), or None."""
    depth = toks[i].depth
    if depth == 0:
        return None
    open_at = next(
        (k for k in range(i - 1, max(-1, i - 40), -1) if toks[k].text == "(" and toks[k].depth == depth - 1), -1
    )
    close_at = next(
        (k for k in range(i + 1, min(len(toks), i + 40)) if toks[k].text == ")" and toks[k].depth == depth - 1),
        len(toks),
    )
    return (open_at, close_at) if open_at >= 0 else None


def _search(toks: list[_Tok], indices: Iterable[int]) -> tuple[str, int] | None:
    for k in indices:
        tier = _tier_word(toks, k)
        if tier is not None:
            return tier, k
    return None


def _utilisation(text: str, toks: list[_Tok], field_name: str) -> list[tuple[str, float, str]]:
    """(tier, share, quote) for each utilisation figure: "DB CPU 80%", "app servers at 60% CPU", "(DB 85%)"."""
    figures = _percent_figures(toks)
    out: list[tuple[str, float, str]] = []
    n = len(toks)
    for index, (first, sign, value) in enumerate(figures):
        if not 1 <= value <= 100:
            continue
        prev_bound = figures[index - 1][1] + 1 if index else 0
        next_bound = figures[index + 1][0] if index + 1 < len(figures) else n
        clause = toks[first].clause
        before = [k for k in range(first - 1, max(prev_bound, first - 6) - 1, -1) if toks[k].clause == clause]
        after = [k for k in range(sign + 1, min(next_bound, sign + 4)) if toks[k].clause == clause]
        if after and toks[after[0]].low in ("faster", "slower", "more", "less", "off"):
            continue  # "70% faster"
        if after and toks[after[0]].low == "of" and not any(toks[k].low in _CAPACITY_WORDS for k in after[1:]):
            continue  # "70% of traffic is images", but "80% of the uplink" is a utilisation
        verdict = None
        for k in before + after:  # the nearest descriptive word decides: "memory 90%" is not CPU
            if _util_word(toks[k]):
                verdict = True
                break
            if _not_util_word(toks[k]):
                verdict = False
                break
        if verdict is False:
            continue
        # The tier: inside parentheses, the group's own words first; then the words before it, then after.
        group = _group_bounds(toks, first)
        found: tuple[str, int] | None = None
        quote_from, quote_to = first, sign
        if group is not None:
            open_at, close_at = group
            found = _search(toks, range(first - 1, open_at, -1)) or _search(toks, range(sign + 1, min(close_at, n)))
            if found is not None:
                quote_from, quote_to = open_at, min(close_at, n - 1)
            else:
                outside = [
                    k for k in range(open_at - 1, max(prev_bound, open_at - 7) - 1, -1) if toks[k].clause == clause
                ]
                found = _search(toks, outside)
                if found is not None:
                    quote_from, quote_to = found[1], min(close_at, n - 1)
        else:
            found = _search(toks, before) or _search(
                toks, [k for k in range(sign + 1, min(next_bound, sign + 6)) if toks[k].clause == clause]
            )
        if verdict is None:
            # No word says CPU or load: accept only a tier written right next to the figure ("DB 85%", "(DB 85%)"),
            # or a figure alone in parentheses after its tier ("DB는 여유 있음 (30%)").
            adjacent = [k for k in before if toks[k].low not in _LINK_WORDS][:1]
            alone = group is not None and group[0] == first - 1 and group[1] == sign + 1
            if found is None or not (alone or (adjacent and adjacent[0] == found[1])):
                continue
        tier = found[0] if found is not None else _FIELD_ROLE.get(field_name)
        if tier is None:
            continue
        if found is None:
            # The answer's own tier ("CPU around 20%" in the database answer): quote from the word saying CPU.
            quote_from = next((k for k in before if _util_word(toks[k])), first)
        elif group is None:
            quote_from, quote_to = min(found[1], first), max(found[1], sign)
            while (
                quote_from > 0 and toks[quote_from - 1].clause == clause and _role_of(toks[quote_from - 1]) is not None
            ):
                quote_from -= 1  # "app servers": keep the qualifier in the quote
        if quote_to + 1 < n and _util_word(toks[quote_to + 1]) and toks[quote_to + 1].clause == clause:
            quote_to += 1  # "60% CPU"
        out.append((tier, value / 100, _span(text, toks, quote_from, quote_to)))
    return out


def _resource_mentions(text: str, toks: list[_Tok]) -> list[tuple[Tier, str]]:
    """'DB CPU' is database evidence; a bare 'CPU' or 'server memory' is app evidence."""
    lowered = text.lower()
    found: list[tuple[Tier, str]] = []
    for i, tok in enumerate(toks):
        word = (
            tok.low
            if tok.low in ("cpu", "memory", "ram")
            else ("메모리" if tok.kind == "kw" and "메모리" in tok.text else None)
        )
        if word is None or _negated(lowered, tok.start, tok.end):
            continue
        hit = _search(toks, [k for k in range(i - 1, max(-1, i - 5), -1) if toks[k].clause == tok.clause])
        tier = hit[0] if hit is not None else "app"
        if tier in TIERS:
            found.append((tier, word))  # type: ignore[arg-type]
    return found


# --- stack: database engine, runtime, provider, hosting, instances, sizes, region -----------------

_DB_ENGINES: dict[str, str] = {
    word: value
    for value, words in {
        "postgresql": "postgres|postgresql|psql|timescaledb|supabase|citus",
        "mysql": "mysql|percona|planetscale|vitess",
        "mariadb": "mariadb",
        "aurora": "aurora",
        "mongodb": "mongodb|mongo",
        "documentdb": "documentdb",
        "dynamodb": "dynamodb",
        "firestore": "firestore",
        "couchbase": "couchbase",
        "cassandra": "cassandra",
        "scylladb": "scylladb|scylla",
        "sqlite": "sqlite",
        "cockroachdb": "cockroachdb",
        "yugabytedb": "yugabytedb",
        "tidb": "tidb",
        "sqlserver": "mssql",
        "oracle": "oracle",
        "spanner": "spanner",
        "clickhouse": "clickhouse",
    }.items()
    for word in words.split("|")
}
_DB_ENGINES_KO: dict[str, str] = {
    "포스트그레": "postgresql",
    "마이에스큐엘": "mysql",
    "마이SQL": "mysql",
    "몽고": "mongodb",
    "마리아": "mariadb",
    "오라클": "oracle",
}
_DB_FAMILY: dict[str, str] = {
    word: value
    for value, words in {
        "postgresql": "postgresql|aurora-postgresql|cockroachdb|yugabytedb",
        "mysql": "mysql|mariadb|aurora-mysql|tidb",
        "mongodb": "mongodb|documentdb",
        "dynamodb": "dynamodb",
        "cassandra": "cassandra|scylladb",
        "sqlite": "sqlite",
        "sqlserver": "sqlserver",
        "oracle": "oracle",
    }.items()
    for word in words.split("|")
}
_MANAGED_DB = (
    _words(
        "rds|aurora|cloud sql|cloudsql|alloydb|atlas|azure database|azure sql|planetscale|supabase|"
        "dynamodb|firestore|cosmos db|cosmosdb|spanner|documentdb|managed|heroku postgres|elephantsql"
    ),
    ("관리형", "매니지드"),
)
_SELF_MANAGED_DB = (
    _words(
        "self-managed|self managed|self-hosted|self hosted|vm|vms|ec2|droplet|bare metal|bare-metal|"
        "on-prem|on-premises|on premises|installed|docker|same server|same box|same machine|"
        "the app server|lightsail|compute engine|vps"
    ),
    ("직접 설치", "직접 운영", "자체 운영", "설치형", "온프레미스", "같은 서버", "물리 서버"),
)

# key -> (runtime, language); a framework names itself, a language or app server names the language.
_RUNTIMES: dict[str, tuple[str, str]] = {
    word: (runtime, language)
    for runtime, language, words in (
        ("django", "python", "django"),
        ("flask", "python", "flask"),
        ("fastapi", "python", "fastapi"),
        ("python", "python", "gunicorn|uwsgi|uvicorn|python"),
        ("rails", "ruby", "rails"),
        ("ruby", "ruby", "puma|unicorn|ruby"),
        ("sinatra", "ruby", "sinatra"),
        ("spring", "jvm", "spring"),
        ("quarkus", "jvm", "quarkus"),
        ("micronaut", "jvm", "micronaut"),
        ("java", "jvm", "tomcat|java|jvm"),
        ("kotlin", "jvm", "kotlin"),
        ("scala", "jvm", "scala"),
        ("node", "node", "node.js|nodejs"),
        ("express", "node", "express|express.js"),
        ("nestjs", "node", "nestjs"),
        ("nextjs", "node", "next.js"),
        ("deno", "node", "deno"),
        ("php", "php", "php|php-fpm"),
        ("laravel", "php", "laravel"),
        ("symfony", "php", "symfony"),
        ("wordpress", "php", "wordpress"),
        ("go", "go", "golang"),
        ("dotnet", "dotnet", "asp.net|dotnet"),
        ("elixir", "elixir", "elixir"),
        ("phoenix", "elixir", "phoenix"),
    )
    for word in words.split("|")
}
_LANGUAGE_KEYS = frozenset({"python", "ruby", "java", "kotlin", "scala", "node", "php", "go", "dotnet", "elixir"})
_RUNTIMES_KO: dict[str, tuple[str, str]] = {
    "장고": ("django", "python"),
    "파이썬": ("python", "python"),
    "스프링": ("spring", "jvm"),
    "자바": ("java", "jvm"),
    "코틀린": ("kotlin", "jvm"),
    "레일즈": ("rails", "ruby"),
    "루비": ("ruby", "ruby"),
    "라라벨": ("laravel", "php"),
}

_PROVIDERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws": (
        _words(
            "aws|amazon|ec2|rds|aurora|ecs|eks|fargate|lambda|elasticache|dynamodb|lightsail|beanstalk|alb|"
            "elb|nlb|s3|sqs|cloudfront|cloudwatch"
        ),
        (),
    ),
    "gcp": (
        _words("gcp|gce|gke|google cloud|cloud sql|cloud run|app engine|compute engine|firestore|spanner|alloydb"),
        ("구글 클라우드",),
    ),
    "azure": (("azure", "aks", "cosmos db", "cosmosdb"), ("애저",)),
    "digitalocean": (("digitalocean", "digital ocean", "droplet", "droplets"), ("디지털오션",)),
    "hetzner": (("hetzner",), ("헤츠너",)),
    "linode": (("linode", "linodes"), ()),
    "vultr": (("vultr",), ()),
    "ovh": (("ovh", "ovhcloud"), ()),
    "oracle-cloud": (("oracle cloud", "oci"), ()),
    "naver-cloud": (("naver cloud", "ncloud", "ncp"), ("네이버 클라우드", "네이버클라우드")),
    "kt-cloud": (("kt cloud",), ("kt 클라우드", "kt클라우드")),
    "nhn-cloud": (("nhn cloud", "toast"), ("nhn 클라우드", "nhn클라우드")),
    "cafe24": (("cafe24",), ("카페24",)),
    "heroku": (("heroku", "dyno", "dynos"), ("헤로쿠",)),
    "fly": (("fly.io",), ()),
    "vercel": (("vercel",), ()),
    "on-premises": (
        _words(
            "on-prem|on prem|on-premise|on-premises|on premises|bare metal|bare-metal|colocation|colo|idc|"
            "own data center|own data centre|our data center|our data centre"
        ),
        ("온프레미스", "자체 서버", "물리 서버", "자체 idc", "베어메탈"),
    ),
}
# Hosting of the app tier, strongest first: pods beat the VMs they run on.
_HOSTING: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "kubernetes": (("kubernetes", "k8s", "eks", "gke", "aks", "pod", "pods", "helm"), ("쿠버네티스", "파드")),
    "serverless": (
        ("lambda", "cloud functions", "azure functions", "serverless", "cloudflare workers"),
        ("서버리스",),
    ),
    "containers": (
        ("ecs", "fargate", "cloud run", "docker", "docker compose", "container", "containers", "nomad"),
        ("컨테이너", "도커"),
    ),
    "paas": (
        ("heroku", "app engine", "elastic beanstalk", "beanstalk", "fly.io", "render.com", "vercel", "dyno", "dynos"),
        (),
    ),
    "bare-metal": (
        ("bare metal", "bare-metal", "dedicated server", "dedicated servers", "on-prem", "on-premises", "idc", "colo"),
        ("물리 서버", "온프레미스", "베어메탈", "자체 서버"),
    ),
    "vm": (
        _words(
            "ec2|vm|vms|droplet|droplets|compute engine|gce|lightsail|virtual machine|virtual machines|vps|"
            "linode|instance|instances"
        ),
        ("가상 머신", "인스턴스"),
    ),
}

_AWS_REGION = re.compile(
    r"(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?(?:east|west|central|north|south|northeast|southeast|northwest|southwest)-\d"
)
_GCP_REGION = re.compile(
    r"(?:asia|europe|us|northamerica|southamerica|australia|me|africa)-"
    r"(?:east|west|central|north|south|northeast|southeast|northwest|southwest)\d{1,2}"
)
_REGION_AREAS: dict[str, str] = {
    word: value
    for value, words in {
        "korea": "ap-northeast-2|asia-northeast3|koreacentral|koreasouth|seoul|busan|korea|서울|부산|한국",
        "japan": "ap-northeast-1|ap-northeast-3|asia-northeast1|asia-northeast2|japaneast|tokyo|osaka|도쿄|오사카",
        "singapore": "ap-southeast-1|asia-southeast1|southeastasia|singapore|싱가포르",
        "australia": "ap-southeast-2|australiaeast|sydney",
        "india": "ap-south-1|centralindia|mumbai",
        "hong-kong": "ap-east-1|hong kong|홍콩",
        "us-east": "us-east-1|us-east-2|us-east1|us-east4|eastus|eastus2|virginia|ohio|버지니아",
        "us-west": "us-west-1|us-west-2|us-west1|westus|westus2|oregon|california|오레곤",
        "us-central": "us-central1|centralus|iowa",
        "eu-west": "eu-west-1|eu-west-2|eu-west-3|europe-west1|europe-west2|westeurope|northeurope|ireland|dublin|"
        "london|paris",
        "eu-central": "eu-central-1|europe-west3|germanywestcentral|frankfurt|프랑크푸르트",
        "eu-north": "eu-north-1|stockholm",
        "south-america": "sa-east-1|southamerica-east1|brazilsouth|sao paulo|são paulo",
        "canada": "ca-central-1|canadacentral|montreal|toronto",
    }.items()
    for word in words.split("|")
}
_REGION_NAMES = {
    "서울": "seoul",
    "부산": "busan",
    "한국": "korea",
    "도쿄": "tokyo",
    "오사카": "osaka",
    "싱가포르": "singapore",
    "홍콩": "hong kong",
    "버지니아": "virginia",
    "오레곤": "oregon",
    "프랑크푸르트": "frankfurt",
}
_REGION_WORDS_EN = tuple(k for k in _REGION_AREAS if k.isascii() and not any(c.isdigit() for c in k))
_REGION_WORDS_KO = tuple(k for k in _REGION_AREAS if not k.isascii())


def _area_of(region: str) -> str | None:
    if region in _REGION_AREAS:
        return _REGION_AREAS[region]
    for prefix, area in (("us-east", "us-east"), ("us-west", "us-west"), ("eu-", "eu-west"), ("europe-", "eu-west")):
        if region.startswith(prefix):
            return area
    if region.startswith(("ap-", "asia-")):
        return "asia"
    return None


_Table = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


_Flat = tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[Any, ...]]]


_CACHE_NEARBY = re.compile(r"redis|memcache|elasticache|valkey|캐시")


def _flatten(table: Mapping[Any, tuple[tuple[str, ...], tuple[str, ...]]]) -> _Flat:
    """All phrases of a table at once, with the keys each belongs to: one search instead of one per key."""
    keys_of: dict[str, tuple[Any, ...]] = {}
    for key, (english, korean) in table.items():
        for phrase in dict.fromkeys(p.lower() for p in (*english, *korean)):
            keys_of[phrase] = (*keys_of.get(phrase, ()), key)
    english = tuple(dict.fromkeys(p.lower() for _, (words, _) in table.items() for p in words))
    korean = tuple(dict.fromkeys(p.lower() for _, (_, words) in table.items() for p in words))
    return english, korean, keys_of


def _keyed_hits(lowered: str, flat: _Flat, negated: bool = False) -> list[tuple[Any, _Hit]]:
    """(key, hit) for each phrase of the table in the text, in text order; negated hits only when asked."""
    english, korean, keys_of = flat
    return [
        (key, h)
        for h in _phrase_hits(lowered, english, korean)
        if negated or not h.negated
        for key in keys_of[h.phrase]
    ]


_PROVIDERS_FLAT = _flatten(_PROVIDERS)
_HOSTING_FLAT = _flatten(_HOSTING)
_SYMPTOMS_FLAT = _flatten(_TIER_SYMPTOMS)
_COMPONENTS_FLAT = _flatten({f: _FACT_PHRASES[f] for f in COMPONENTS if f not in _COUNTED})
# Kinds of system, by where they are read: outages in the symptoms, usage anywhere, the rest in the layout.
_KIND_TABLES: dict[str, _Flat] = {
    "bottlenecks": _flatten({Fact.OUTAGES: _FACT_PHRASES[Fact.OUTAGES]}),
    "everything": _flatten({f: _FACT_PHRASES[f] for f in _USAGE_FACTS}),
    "architecture": _flatten(
        {
            f: p
            for f, p in _FACT_PHRASES.items()
            if f not in COMPONENTS and f not in _USAGE_FACTS and f is not Fact.OUTAGES
        }
    ),
}


def _engines(toks: list[_Tok]) -> list[tuple[str, int, int, str | None]]:
    """(engine, first token, last token, version) in the order written; "Aurora MySQL" is one engine."""
    found: list[tuple[str, int, int, str | None]] = []
    skip = -1
    for i, tok in enumerate(toks):
        if i <= skip:
            continue
        engine = None
        if tok.kind == "id":
            engine = _DB_ENGINES.get(tok.low)
            if tok.low == "sql" and i > 0 and toks[i - 1].low == "server":
                engine = None
            if tok.low == "server" and i > 0 and toks[i - 1].low == "sql":
                engine = "sqlserver"
            if tok.low == "db" and i > 0 and toks[i - 1].low == "cosmos":
                engine = "cosmosdb"
            if tok.low == "oracle" and i + 1 < len(toks) and toks[i + 1].low == "cloud":
                engine = None
        elif tok.kind == "kw":
            engine = next((e for w, e in _DB_ENGINES_KO.items() if tok.text.startswith(w)), None)
        if engine is None:
            continue
        if engine == "aurora":
            for k in range(i + 1, min(len(toks), i + 6)):
                other = _DB_ENGINES.get(toks[k].low)
                if other in ("mysql", "postgresql"):
                    engine = f"aurora-{other}"
                    skip = k
                    break
        version = None
        after = skip + 1 if skip > i else i + 1
        if (after < len(toks) and toks[after].kind == "num" and not toks[after].glued) or (
            after < len(toks)
            and toks[after].kind == "id"
            and toks[after].low[:1] == "v"
            and toks[after].low[1:].replace(".", "").isdigit()
        ):
            candidate = toks[after].low.lstrip("v")
            nxt = toks[after + 1] if after + 1 < len(toks) else None
            if len(candidate) <= 5 and not (nxt is not None and (_is_unit(nxt) or nxt.text == "%")):
                version = candidate
        first = i - 1 if tok.low == "server" else i  # "SQL Server"
        found.append((engine, first, after if version else after - 1, version))
    return found


def _runtimes(toks: list[_Tok]) -> list[tuple[str, str, int]]:
    """(runtime, language, token index) in the order written."""
    found: list[tuple[str, str, int]] = []
    for i, tok in enumerate(toks):
        pair = None
        if tok.kind == "id":
            pair = _RUNTIMES.get(tok.low)
            if tok.text == "Go" and not (i + 1 < len(toks) and toks[i + 1].low in ("down", "to", "live", "up", "back")):
                pair = ("go", "go")
            elif tok.text == "Node" and not (i > 0 and toks[i - 1].kind == "num"):
                pair = ("node", "node")
            elif (tok.low == "net" and tok.glued and i > 0 and toks[i - 1].text == ".") or (
                tok.low == "c" and i + 1 < len(toks) and toks[i + 1].text == "#" and toks[i + 1].glued
            ):
                pair = ("dotnet", "dotnet")
        elif tok.kind == "kw":
            pair = next((v for w, v in _RUNTIMES_KO.items() if tok.text.startswith(w)), None)
        if pair is not None:
            found.append((pair[0], pair[1], i))
    return found


_VCPU_UNITS = frozenset({"vcpu", "vcpus", "cpu", "cpus", "core", "cores", "vcore", "vcores"})
_GB_UNITS = {"gb": 1.0, "gib": 1.0, "g": 1.0, "tb": 1024.0, "tib": 1024.0}
_MEMORY_TAGS = frozenset({"ram", "memory", "mem"})
_STORAGE_TAGS = frozenset(
    {"disk", "storage", "ssd", "nvme", "ebs", "gp2", "gp3", "io1", "io2", "hdd", "data", "volume"}
)


def _sizes(text: str, toks: list[_Tok], field_name: str) -> list[tuple[str, str, float, str]]:
    """(what, tier, value, quote): what is vcpus | memory_gb | storage_gb."""
    default = _FIELD_ROLE.get(field_name) or "app"
    out: list[tuple[str, str, float, str]] = []
    n = len(toks)
    last_vcpu = -10
    for i, tok in enumerate(toks):
        if tok.kind != "num":
            continue
        value = plain_number(tok.text)
        if value is None or i + 1 >= n:
            continue
        j = i + 1
        if toks[j].text == "-" and j + 1 < n:
            j += 1  # "4-core"
        unit = toks[j]
        tier = next((r for q in reversed(_prefix(toks, i, 4)) if (r := _role_of(q)) in ("database", "cache")), default)
        if unit.low in _VCPU_UNITS or (unit.kind == "kw" and unit.text.startswith("코어")):
            if 1 <= value <= 512:
                out.append(("vcpus", tier, value, _span(text, toks, i, j)))
                last_vcpu = j
            continue
        if unit.low not in _GB_UNITS:
            continue
        gigabytes = value * _GB_UNITS[unit.low]
        tag = None
        window = toks[j + 1 : j + 3] + _prefix(toks, i, 2)
        for t in window:
            if t.low in _MEMORY_TAGS or (t.kind == "kw" and "메모리" in t.text):
                tag = "memory_gb"
                break
            if t.low in _STORAGE_TAGS or (t.kind == "kw" and any(w in t.text for w in ("디스크", "스토리지", "용량"))):
                tag = "storage_gb"
                break
        if tag is None:
            near = 0 <= i - last_vcpu <= 4 and not any(toks[k].text == "(" for k in range(last_vcpu, i))
            if near and gigabytes <= 1024:
                tag = "memory_gb"  # "8 vCPU / 32 GB": the figure after the vCPUs is memory
            elif field_name == "database":
                tag = "storage_gb"  # "PostgreSQL on RDS, 60 GB": a database's size is its data
            elif gigabytes <= 768:
                tag = "memory_gb"
        if tag is not None:
            out.append((tag, tier, gigabytes, _span(text, toks, i, j)))
    return out


_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₩": "KRW", "¥": "JPY"}
_CURRENCY_WORDS = {
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "krw": "KRW",
    "won": "KRW",
    "jpy": "JPY",
    "yen": "JPY",
}
_MONTH_WORDS = frozenset({"mo", "month", "months", "mth", "monthly", "pm"})
_HOUR_WORDS = frozenset({"hr", "hour", "h", "hourly"})
_PER_UNIT_WORDS = frozenset({"each", "apiece"})
_SPEND_WORDS = frozenset(
    _words("spend|spending|spent|bill|billing|bills|pay|paying|costs|cost|currently|today|invoice")
)
_SPEND_WORDS_KO = ("현재", "지금", "비용", "지출", "청구", "요금", "나가", "나옵", "나오")
_BUDGET_WORDS = frozenset({"budget", "can", "could", "up", "max", "maximum", "limit", "cap", "afford"})


def _clause_tokens(toks: list[_Tok], i: int, reach: int = 30) -> list[_Tok]:
    """The tokens of token i's clause, at most `reach` on each side (a clause of money is short)."""
    clause = toks[i].clause
    lo = i
    while lo > 0 and i - lo < reach and toks[lo - 1].clause == clause:
        lo -= 1
    hi = i
    while hi + 1 < len(toks) and hi - i < reach and toks[hi + 1].clause == clause:
        hi += 1
    return toks[lo : hi + 1]


def _money_at(toks: list[_Tok], i: int) -> tuple[float, str, int, int] | None:
    """(amount, currency, first token, last token) for "$24", "$1.2k", "24 USD", "30만원", "₩300,000"."""
    tok = toks[i]
    n = len(toks)
    if tok.kind == "sym" and tok.text in _CURRENCY_SYMBOLS and i + 1 < n and toks[i + 1].kind == "num":
        number = _number_at(toks, i + 1)
        if number is not None:
            return number.value, _CURRENCY_SYMBOLS[tok.text], i, number.end - 1
    if tok.kind == "num" and (i == 0 or toks[i - 1].text not in _CURRENCY_SYMBOLS):
        number = _number_at(toks, i)
        if number is None:
            return None
        if number.counter.startswith("원"):
            return number.value, "KRW", i, number.end - 1
        if number.end < n:
            nxt = toks[number.end]
            if nxt.low in _CURRENCY_WORDS:
                return number.value, _CURRENCY_WORDS[nxt.low], i, number.end
            if nxt.kind == "kw" and nxt.text.startswith(("원", "달러")):
                return number.value, "KRW" if nxt.text.startswith("원") else "USD", i, number.end
    return None


def _prices(text: str, toks: list[_Tok], field_name: str) -> list[tuple[StatedPrice, bool]]:
    """Each amount of money written, with its period, and whether it reads as today's spend."""
    default = _FIELD_ROLE.get(field_name) or "total"
    out: list[tuple[StatedPrice, bool]] = []
    n = len(toks)
    for i in range(n):
        if toks[i].kind not in ("num", "sym"):
            continue
        written = _money_at(toks, i)
        if written is None:
            continue
        if len(out) >= MAX_PRICES:
            break
        amount, currency, first, last = written
        near_after = [t for t in toks[last + 1 : last + 4] if t.clause == toks[last].clause]
        near_before = _prefix(toks, first, 3)
        period = "month"
        if any(t.low in _HOUR_WORDS for t in near_after[:2]):
            period = "hour"
        per_unit = any(t.low in _PER_UNIT_WORDS or (t.kind == "kw" and "당" in t.text) for t in near_after)
        per_unit = per_unit or (
            any(t.low == "per" for t in near_after)
            and not any(t.low in _MONTH_WORDS | _HOUR_WORDS for t in near_after[1:2])
        )
        host_nouns = [t for t in near_before[-2:] + near_after[:2] if t.low in _HOST_NOUNS and not t.low.endswith("s")]
        per_unit = per_unit or bool(host_nouns)
        tier = next((r for q in reversed(near_before) if (r := _role_of(q)) in ("database", "cache", "app")), default)
        clause_words = _clause_tokens(toks, first) if field_name not in _ARCH_FIELDS else []
        spend = any(
            t.low in _SPEND_WORDS or (t.kind == "kw" and any(w in t.text for w in _SPEND_WORDS_KO))
            for t in clause_words
        )
        budget = any(t.low in _BUDGET_WORDS or (t.kind == "kw" and "예산" in t.text) for t in clause_words)
        quote_from = first
        for k in range(first - 1, max(-1, first - 3), -1):
            if toks[k].clause != toks[first].clause or toks[k].depth != toks[first].depth:
                break
            if toks[k].low in _HOST_NOUNS or _role_of(toks[k]) is not None:
                quote_from = k
        quote_to = last
        if near_after and near_after[0].text == "/" and len(near_after) > 1:
            quote_to = last + 2  # "$24/mo"
        elif near_after and (near_after[0].low in _MONTH_WORDS | _HOUR_WORDS | _PER_UNIT_WORDS):
            quote_to = last + 1
        price = StatedPrice(tier, amount, currency, per_unit, period, _span(text, toks, quote_from, quote_to))
        out.append((price, spend and not budget))
    return out


# --- users: registered, daily, monthly, concurrent ------------------------------------------------

_USER_KINDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "registered": (
        frozenset({"registered", "signups", "sign-ups", "signed", "accounts", "members", "total", "subscribers"}),
        ("가입자", "회원", "가입", "누적"),
    ),
    "daily": (frozenset({"dau", "daily", "day", "a-day"}), ("일간", "일일", "하루", "일평균", "일 평균")),
    "monthly": (frozenset({"mau", "monthly", "month"}), ("월간", "한 달", "한달")),
    "concurrent": (
        frozenset({"concurrent", "simultaneous", "simultaneously", "ccu", "online", "concurrently"}),
        ("동시", "동접"),
    ),
}
_SELF_SUFFICIENT = frozenset({"dau", "mau", "ccu", "signups", "sign-ups", "members", "accounts", "subscribers"})
_SELF_SUFFICIENT_KO = ("가입자", "회원", "동접", "동시접속", "동시 접속")
_USER_NOUNS = frozenset({"users", "user", "visitors", "people", "players", "customers", "actives", "active", "uniques"})
_USER_NOUNS_KO = ("사용자", "이용자", "방문자", "유저", "명", "회원", "가입자", "플레이어", "접속자", "고객")


@_per_word
def _user_kind(tok: _Tok) -> str | None:
    for kind, (english, korean) in _USER_KINDS.items():
        if tok.low in english or (tok.kind == "kw" and any(w in tok.text for w in korean)):
            return kind
    return None


@_per_word
def _user_word(tok: _Tok) -> bool:
    return (
        tok.low in _USER_NOUNS
        or tok.low in _SELF_SUFFICIENT
        or (tok.kind == "kw" and any(w in tok.text for w in _USER_NOUNS_KO + _SELF_SUFFICIENT_KO))
    )


def _users(text: str, toks: list[_Tok]) -> list[tuple[str, int, str]]:
    """(kind, count, quote): "50k registered users", "DAU 2만", "가입자 100만 명", "1.2k concurrent"."""
    out: list[tuple[str, int, str]] = []
    n = len(toks)
    i = 0
    while i < n:
        number = _quantity_at(toks, i) if toks[i].kind == "num" else None
        if number is None or (i > 0 and toks[i - 1].text in _CURRENCY_SYMBOLS):
            i += 1
            continue
        end = number.end
        if end < n and (toks[end].text == "%" or (_is_unit(toks[end]) and toks[end].low not in ("users", "user"))):
            i = end
            continue
        clause = toks[i].clause
        after = [k for k in range(end, min(n, end + 4)) if toks[k].clause == clause]
        before = [k for k in range(i - 1, max(-1, i - 4), -1) if toks[k].clause == clause and toks[k].kind != "num"]
        window = after + before
        kind_at = next((k for k in window if _user_kind(toks[k]) is not None or _per_period(toks, k)), None)
        if kind_at is None or any(_not_people(toks[k]) for k in after[:3]) or number.value < 1:
            i = end
            continue
        kind = _user_kind(toks[kind_at]) or _per_period(toks, kind_at)
        if number.value > MAX_USERS:
            i = end
            continue
        # "동접", "DAU", "concurrent" name the people themselves; "daily" needs "users" or "명" nearby.
        people = [k for k in window if _user_word(toks[k])]
        if kind == "concurrent" or number.counter.startswith("명") or people:
            span = [i, end - 1, kind_at, *people[:1]]
            out.append((kind, round(number.value), _span(text, toks, min(span), max(span))))  # type: ignore[arg-type]
        i = end
    return out


def _per_period(toks: list[_Tok], k: int) -> str | None:
    """Korean "일 방문자", "월 사용자": a bare 일 or 월 before a word for people."""
    if toks[k].text in ("일", "월") and k + 1 < len(toks) and _user_word(toks[k + 1]):
        return "daily" if toks[k].text == "일" else "monthly"
    return None


_NOT_PEOPLE = frozenset(
    [
        "connections",
        "connection",
        "requests",
        "queries",
        "jobs",
        "writes",
        "sockets",
        "websockets",
        "messages",
        "events",
        "orders",
        "rows",
        "records",
        "engineers",
        "developers",
        "devs",
        "team",
        "founders",
        "staff",
        "servers",
        "nodes",
    ]
)


@_per_word
def _not_people(tok: _Tok) -> bool:
    return tok.low in _NOT_PEOPLE or (
        tok.kind == "kw" and any(w in tok.text for w in ("연결", "요청", "쿼리", "팀", "개발자", "주문"))
    )


# --- putting it together --------------------------------------------------------------------------

_DIGIT = re.compile(r"\d")
# Words without which an answer holds no user count or no amount of money: its tokens are then never made.
_USER_CUES = re.compile(
    r"user|dau|mau|wau|ccu|regist|sign|account|member|subscri|daily|month|concurren|simultan|online|visitor|people|"
    r"player|customer|active|unique|가입|회원|동시|동접|사용자|이용자|방문자|유저|명|플레이어|접속|고객|일간|일일|하루|월간"
)
_MONEY_CUES = re.compile(r"[$€£₩¥원]|달러|usd|dollar|eur|gbp|krw|won\b|jpy|yen")
_ARCH_FIELDS = ("database", "servers", "network")
_FIELD_GAP = "\n" * 5
_ALL_FIELDS = ("database", "servers", "network", "bottlenecks", "features", "constraints")


def _lower(text: str) -> str:
    """Lower-case without changing the length, so positions in the text and its lower-case agree."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class _Field:
    """One answer: its text, lower-case, and tokens (made on first use: most answers need no token pass)."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = _cap(text).translate(_TRANSLATE)
        self.lowered = _lower(self.text)
        self.has_digit = _DIGIT.search(self.text) is not None
        self._toks: _Toks | None = None

    @property
    def toks(self) -> _Toks:
        if self._toks is None:
            self._toks = _tokens(self.text)
        return self._toks


def _prepare(name: str, text: str) -> _Field:
    return _Field(name, text)


def extract_facts(profile: SystemProfile) -> ArchitectureFacts:
    """Everything the engine reads from the profile's free text, with the phrase each fact came from."""
    arch = profile.architecture
    return read_answers(
        database=arch.database,
        servers=arch.servers,
        network=arch.network or "",
        bottlenecks=profile.bottlenecks,
        features="\n".join(profile.core_features),
        constraints=profile.budget.constraints or "",
        error_rate_pct=profile.measurements.error_rate_pct,
    )


def read_answers(
    database: str = "",
    servers: str = "",
    network: str = "",
    bottlenecks: str = "",
    features: str = "",
    constraints: str = "",
    error_rate_pct: float | None = None,
) -> ArchitectureFacts:
    """The reader on plain answers (the profile's fields), each cut to MAX_READ_CHARS first."""
    raw = {
        "database": database,
        "servers": servers,
        "network": network,
        "bottlenecks": bottlenecks,
        "features": features,
        "constraints": constraints,
    }
    reader = _Reader({name: _prepare(name, text or "") for name, text in raw.items()})
    reader.kinds(error_rate_pct)
    reader.components()
    reader.counts()
    reader.database()
    reader.runtime_and_hosting()
    reader.sizes()
    reader.regions()
    reader.money()
    reader.users()
    reader.utilisation()
    return reader.result()


class _Reader:
    """One read of the answers: each step adds facts, ArchitectureFacts fields and the readings behind them."""

    def __init__(self, fields: dict[str, _Field]) -> None:
        self.fields = fields
        self.facts: set[Fact] = set()
        self.absent: set[Fact] = set()
        self.readings: list[Reading] = []
        self.values: dict[str, Any] = {}

    def read(self, name: str, value: object, source: str, note: str = "") -> None:
        self.readings.append(Reading(name, value, source, note))

    def kinds(self, error_rate_pct: float | None) -> None:
        """Kinds of system and symptoms, by phrase (components are read by `components`)."""
        fields = self.fields
        scopes = {
            "bottlenecks": fields["bottlenecks"].lowered,
            "architecture": "\n".join(fields[f].lowered for f in _ARCH_FIELDS),
            "everything": "\n".join(fields[f].lowered for f in _ALL_FIELDS),
        }
        for scope, flat in _KIND_TABLES.items():
            self.facts.update(fact for fact, _ in _keyed_hits(scopes[scope], flat))
        if (error_rate_pct or 0) >= 1:
            self.facts.add(Fact.OUTAGES)
        bottleneck = fields["bottlenecks"]
        evidence: dict[Tier, list[str]] = {tier: [] for tier in _TIER_SYMPTOMS}
        for tier, hit in _keyed_hits(bottleneck.lowered, _SYMPTOMS_FLAT):
            evidence[tier].append(hit.phrase)
        if any(w in bottleneck.lowered for w in ("cpu", "memory", "ram", "메모리")):
            for tier, word in _resource_mentions(bottleneck.text, bottleneck.toks):
                evidence[tier].append(word)
        self.values["tier_evidence"] = {t: evidence[t] for t in TIERS}

    def components(self) -> None:
        """Components in place and those said missing: one search over all the answers, each hit mapped
        back to its answer (the gap between answers is wider than any negation window)."""
        names = list(_ALL_FIELDS)
        offsets: list[int] = []
        position = 0
        for name in names:
            offsets.append(position)
            position += len(self.fields[name].lowered) + len(_FIELD_GAP)
        joined = _FIELD_GAP.join(self.fields[name].lowered for name in names)
        present_at: dict[Fact, tuple[_Field, int, int]] = {}
        missing_at: dict[Fact, tuple[_Field, int, int]] = {}
        for fact, hit in _keyed_hits(joined, _COMPONENTS_FLAT, negated=True):
            at = bisect_right(offsets, hit.start) - 1
            if fact is Fact.HAS_CACHE and hit.phrase in ("cache", "caching") and names[at] == "network":
                continue  # "HTML bypasses the cache": in the network answer, that is the CDN's cache
            if fact is Fact.HAS_SHARDING and _CACHE_NEARBY.search(joined, max(0, hit.start - 40), hit.start):
                continue  # "Redis (ElastiCache, 3 shards)": the cache is sharded, not the database
            place = (self.fields[names[at]], hit.start - offsets[at], hit.end - offsets[at])
            if hit.negated:
                missing_at.setdefault(fact, place)
            elif not hit.wanted and names[at] in (_ALL_FIELDS if fact in _ANYWHERE_COMPONENTS else _ARCH_FIELDS):
                present_at.setdefault(fact, place)
        for fact in COMPONENTS:
            present, missing = present_at.get(fact), missing_at.get(fact)
            if present is not None:
                self.facts.add(fact)
                self.read(f"component:{fact.value}", True, _excerpt(present[0].text, *present[1:]))
            elif missing is not None:
                self.absent.add(fact)
                self.read(f"component:{fact.value}", False, _excerpt(missing[0].text, *missing[1:]))
        if Fact.HAS_PITR in self.facts:
            self.facts.add(Fact.HAS_BACKUPS)

    def counts(self) -> None:
        """App servers, read replicas and standbys."""
        counts = {name: _counts(self.fields[name].text, self.fields[name].toks, name) for name in _ARCH_FIELDS}
        app_counts = [c for name in _ARCH_FIELDS for c in counts[name] if c.role == "app"]
        chosen = [c for c in app_counts if not c.bare] or app_counts
        app_servers, app_range = 1, None
        if chosen:
            best = max(chosen, key=lambda c: c.number.value)
            app_servers = max(1, round(best.number.value))
            note = ""
            if best.number.low is not None:
                app_range = (max(1, round(best.number.low)), app_servers)
                note = (
                    "the top of the range: a range is usually at its top at peak, and per-server load stays "
                    "conservative"
                )
            if len({round(c.number.value) for c in chosen}) > 1:
                note = (note + "; " if note else "") + "the largest of the counts written"
            self.read("app_servers", app_servers, best.source, note)
        self.values.update(app_servers=app_servers, app_servers_range=app_range, app_servers_stated=bool(chosen))
        replicas, standbys, notes = _replicas(self.fields, counts)
        for fact, key, (count, source), note in (
            (Fact.HAS_READ_REPLICAS, "db_replicas", replicas, notes[0]),
            (Fact.HAS_STANDBY, "db_standbys", standbys, notes[1]),
        ):
            self.values[key] = count
            if count:
                self.facts.add(fact)
                self.read(key, count, source, note)
            elif source:  # "no replicas": said missing
                self.absent.add(fact)
                self.read(key, 0, source)

    def database(self) -> None:
        """Engine, version and whether the team runs the database itself."""
        engines: list[tuple[str, str | None, str]] = []
        for name in _ARCH_FIELDS:
            f = self.fields[name]
            for engine, first_tok, last_tok, version in _engines(f.toks):
                if engine == "oracle" and name != "database":
                    continue
                engines.append((engine, version, _span(f.text, f.toks, first_tok, last_tok)))
        db_engines = tuple(dict.fromkeys(e for e, _, _ in engines))
        self.values.update(db_engines=db_engines, db_engine=db_engines[0] if db_engines else None)
        if engines:
            engine, version, source = engines[0]
            self.values["db_version"] = version
            self.read("db_engine", engine, source, f"version {version}" if version else "")
        db = self.fields["database"]
        self_managed = next((h for h in _phrase_hits(db.lowered, *_SELF_MANAGED_DB) if not h.negated), None)
        managed = next((h for h in _phrase_hits(db.lowered, *_MANAGED_DB) if not h.negated), None)
        if self_managed is not None and self_managed.phrase.startswith("self"):
            managed = None  # "self-managed" contains "managed"
        hit = managed or self_managed
        if hit is not None:
            self.values["db_managed"] = managed is not None
            self.read("db_hosting", "managed" if managed else "self-managed", _excerpt(db.text, hit.start, hit.end))

    def runtime_and_hosting(self) -> None:
        """Runtime, provider, how the app tier is hosted, and instance types."""
        runtimes: list[tuple[str, str, str]] = []
        for name in ("servers", "database", "network"):
            f = self.fields[name]
            runtimes += [(r, lang, _span(f.text, f.toks, i, i)) for r, lang, i in _runtimes(f.toks)]
        framework = next((r for r in runtimes if r[0] not in _LANGUAGE_KEYS), runtimes[0] if runtimes else None)
        self.values["runtimes"] = tuple(dict.fromkeys(r for r, _, _ in runtimes))
        if framework is not None:
            self.values.update(runtime=framework[0], language=framework[1])
            self.read("runtime", framework[0], framework[2])

        for name in ("servers", "database", "network"):
            hits = _keyed_hits(self.fields[name].lowered, _PROVIDERS_FLAT)
            if hits:
                provider, hit = hits[0]
                self.values["provider"] = provider
                self.read("provider", provider, _excerpt(self.fields[name].text, hit.start, hit.end))
                break

        servers = self.fields["servers"]
        hosting = _keyed_hits(servers.lowered, _HOSTING_FLAT)
        if hosting:
            rank = list(_HOSTING)
            kind, hit = min(hosting, key=lambda kh: rank.index(kh[0]))
            self.values["app_hosting"] = kind
            self.read("app_hosting", kind, _excerpt(servers.text, hit.start, hit.end))

        instance_types: dict[str, str] = {}
        for name in _ARCH_FIELDS:
            f = self.fields[name]
            for i, tok in enumerate(f.toks):
                if tok.kind != "id" or not _instance_type(tok.low):
                    continue
                if tok.low.startswith("db"):
                    tier = "database"
                elif tok.low.startswith("cache."):
                    tier = "cache"
                else:
                    roles = [r for q in reversed(_prefix(f.toks, i, 3)) if (r := _role_of(q)) in ("database", "cache")]
                    tier = roles[0] if roles else "database" if name == "database" else "app"
                if tier not in instance_types:
                    instance_types[tier] = tok.low
                    self.read(f"instance_type:{tier}", tok.text, _span(f.text, f.toks, i, i))
        self.values["instance_types"] = instance_types
        if "app_hosting" not in self.values and "app" in instance_types:
            self.values["app_hosting"] = "vm"

    def sizes(self) -> None:
        """vCPUs and memory of one server per tier, and the database's storage."""
        vcpus: dict[str, int] = {}
        memory: dict[str, float] = {}
        for name in _ARCH_FIELDS:
            f = self.fields[name]
            for what, tier, value, quote in _sizes(f.text, f.toks, name):
                if what == "vcpus" and tier not in vcpus:
                    vcpus[tier] = int(value)
                    self.read(f"vcpus:{tier}", int(value), quote)
                elif what == "memory_gb" and tier not in memory:
                    memory[tier] = value
                    self.read(f"memory_gb:{tier}", value, quote)
                elif what == "storage_gb" and tier == "database" and "db_storage_gb" not in self.values:
                    self.values["db_storage_gb"] = value
                    self.read("db_storage_gb", value, quote)
        self.values.update(vcpus=vcpus, memory_gb=memory)

    def regions(self) -> None:
        """Regions as written, one per area ("Seoul (ap-northeast-2)" is one region)."""
        regions: list[tuple[str, str]] = []  # (region, area)
        for name in ("network", "servers", "database"):
            f = self.fields[name]
            found: list[tuple[int, str, str]] = []
            for tok in f.toks:
                if tok.kind == "id" and (
                    _AWS_REGION.fullmatch(tok.low) or _GCP_REGION.fullmatch(tok.low) or tok.low in _REGION_AREAS
                ):
                    found.append((tok.start, tok.low, _excerpt(f.text, tok.start, tok.end)))
            for hit in _phrase_hits(f.lowered, _REGION_WORDS_EN, _REGION_WORDS_KO):
                if not hit.negated:
                    found.append((hit.start, hit.phrase, _excerpt(f.text, hit.start, hit.end)))
            for _, written, quote in sorted(found):
                region = _REGION_NAMES.get(written, written)
                area = _area_of(region) or region
                if all(area != a for _, a in regions):
                    regions.append((region, area))
                    self.read("region", region, quote)
        if len(regions) >= 2:
            self.facts.add(Fact.MULTI_REGION)
        self.values.update(regions=tuple(r for r, _ in regions), region_area=regions[0][1] if regions else None)

    def money(self) -> None:
        """Prices written in the architecture answers, and what the team says it spends today."""
        prices: list[StatedPrice] = []
        spend: StatedPrice | None = None
        for name in _ALL_FIELDS:
            f = self.fields[name]
            if not f.has_digit or not _MONEY_CUES.search(f.lowered):
                continue
            for price, is_spend in _prices(f.text, f.toks, name):
                if name in _ARCH_FIELDS:
                    if all(p.tier != price.tier for p in prices):
                        self.read(f"price:{price.tier}", price, price.source)
                    prices.append(price)
                elif is_spend and spend is None:
                    spend = StatedPrice("total", price.amount, price.currency, False, price.period, price.source)
                    self.read("current_monthly_spend", spend, spend.source)
        self.values.update(stated_prices=tuple(prices), current_monthly_spend=spend)

    def users(self) -> None:
        """Registered, daily, monthly and concurrent users, each as written (the first of each kind)."""
        user_counts: dict[str, int] = {}
        for name in ("features", "bottlenecks", "constraints", *_ARCH_FIELDS):
            f = self.fields[name]
            if not f.has_digit or not _USER_CUES.search(f.lowered):
                continue
            for kind, count, quote in _users(f.text, f.toks):
                if kind not in user_counts:
                    user_counts[kind] = count
                    self.read(f"users:{kind}", count, quote, "" if kind == "concurrent" else "not concurrent users")
        self.values["user_counts"] = user_counts

    def utilisation(self) -> None:
        """Utilisation per tier; several figures for one tier: the highest is the peak."""
        busiest: dict[str, tuple[float, str]] = {}
        for name in ("bottlenecks", "servers", "database", "network"):
            f = self.fields[name]
            if "%" not in f.text and "퍼센트" not in f.text and "percent" not in f.lowered:
                continue
            for tier, share, quote in _utilisation(f.text, f.toks, name):
                if share > busiest.get(tier, (0.0, ""))[0]:
                    busiest[tier] = (share, quote)
        quoted: dict[str, float] = {}
        other: dict[str, float] = {}
        for tier, (share, quote) in busiest.items():
            (quoted if tier in TIERS else other)[tier] = share
            self.read(f"utilisation:{tier}", share, quote)
        self.values.update(quoted_utilisation=quoted, other_utilisation=other)

    def result(self) -> ArchitectureFacts:
        # One server: said so, or no count given and nothing that runs several (a cluster, a balancer, autoscaling).
        several = self.facts & {Fact.KUBERNETES, Fact.HAS_LOAD_BALANCER, Fact.HAS_AUTOSCALING} or self.values.get(
            "app_hosting"
        ) in ("kubernetes", "containers", "serverless")
        if self.values["app_servers"] <= 1 and (self.values["app_servers_stated"] or not several):
            self.facts.add(Fact.SINGLE_SERVER)
        return ArchitectureFacts(
            facts=frozenset(self.facts),
            absent=frozenset(self.absent - self.facts),
            readings=tuple(self.readings),
            **self.values,
        )


def _replicas(
    fields: dict[str, _Field], counts: dict[str, list[_Count]]
) -> tuple[tuple[int, str], tuple[int, str], tuple[str, str]]:
    """((read replicas, quote), (standbys, quote), notes): a standby serves no reads, so it is never a replica.

    A quote with a count of 0 means the team said there are none ("no replicas", "레플리카 없음").
    """
    counted = {"replica": (0, ""), "standby": (0, "")}
    for name in _ARCH_FIELDS:
        for c in counts[name]:
            if c.role in counted and (c.number.value > counted[c.role][0] or not counted[c.role][1]):
                counted[c.role] = (round(c.number.value), c.source)
    mentioned: dict[str, tuple[int, str]] = {}
    denied: dict[str, str] = {}
    replica_set: tuple[int, str] | None = None
    secondary_reads = False
    for name in _ARCH_FIELDS:
        f = fields[name]
        toks = f.toks
        for i, tok in enumerate(toks):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            kind = _noun_kind(tok)
            if (
                tok.low in ("multi-az", "multiaz")
                or (tok.low == "multi" and nxt is not None and nxt.low == "az")
                or (name == "database" and tok.kind == "kw" and "이중화" in tok.text)
            ):
                kind = "standby"
            if kind not in ("replica", "standby"):
                if tok.low in ("readpreference", "secondarypreferred") or (
                    tok.low == "read" and nxt is not None and nxt.low in ("preference", "concern")
                ):
                    secondary_reads = True
                continue
            if tok.low in ("replica", "replicas") and nxt is not None and nxt.low == "set":
                nodes = [c for c in counts[name] if c.role == "database"]
                replica_set = (
                    round(max(c.number.value for c in nodes)) if nodes else 3,
                    _excerpt(f.text, tok.start, nxt.end),
                )
                continue
            role = _resolve_role(kind, [*_prefix(toks, i, 2), tok], None) or kind
            if role == "standby" and kind == "standby":
                # "standby used for reads": a readable standby is a replica; "serves no reads" is not.
                for k in range(i + 1, min(len(toks), i + 6)):
                    if (
                        toks[k].clause != tok.clause
                        or toks[k].low in ("and", "plus", "+", "with")
                        or toks[k].kind == "num"
                    ):
                        break
                    follows = toks[k + 1] if k + 1 < len(toks) else None
                    if (
                        _read_mark(toks[k])
                        and _noun_kind(toks[k]) is None
                        and not _negated(f.lowered, toks[k].start, toks[k].end)
                        and not (follows is not None and _noun_kind(follows) == "replica")
                    ):
                        role = "replica"
                        break
            quote = _excerpt(f.text, tok.start, tok.end)
            if _negated(f.lowered, tok.start, tok.end):
                denied.setdefault(role, quote)
            elif not _wanted(f.lowered, tok.start, tok.end) and role not in mentioned:
                plural = tok.low.endswith(("s", "ies")) and tok.low not in ("multi-az", "multiaz")
                mentioned[role] = (2 if plural and role == "replica" else 1, quote)
    notes = {"replica": "", "standby": _STANDBY_NOTE}
    if replica_set is not None:
        secondaries = max(0, replica_set[0] - 1)
        role = "replica" if secondary_reads else "standby"
        if counted[role][0] == 0:
            counted[role] = (secondaries, replica_set[1])
            notes[role] = (
                "secondaries that serve reads (read preference)"
                if secondary_reads
                else "a replica set's secondaries: failover copies unless reads are sent to them"
            )
    result: dict[str, tuple[int, str]] = {}
    for role in ("replica", "standby"):
        if counted[role][1]:
            result[role] = counted[role]
        elif role in mentioned:
            result[role] = mentioned[role]
            if role == "replica" and mentioned[role][0] == 2:
                notes[role] = "replicas in the plural, no count written: read as 2"
        elif role in denied:
            result[role] = (0, denied[role])
        else:
            result[role] = (0, "")
    return result["replica"], result["standby"], (notes["replica"], notes["standby"])


# --- what I read --------------------------------------------------------------------------------

_STANDBY_NOTE = "a failover copy: it serves no reads, so it is not counted as a read replica"
_LABELS: dict[str, tuple[str, str]] = {
    "app_servers": ("app servers", "앱 서버"),
    "db_replicas": ("read replicas", "읽기 복제본"),
    "db_standbys": ("standbys (no reads)", "대기 복제본(읽기 없음)"),
    "db_engine": ("database engine", "데이터베이스 엔진"),
    "db_hosting": ("database hosting", "데이터베이스 운영 방식"),
    "runtime": ("runtime", "런타임"),
    "provider": ("provider", "클라우드/호스팅"),
    "app_hosting": ("app hosting", "앱 실행 환경"),
    "instance_type": ("instance type", "인스턴스 타입"),
    "vcpus": ("vCPUs per server", "서버당 vCPU"),
    "memory_gb": ("memory per server (GB)", "서버당 메모리(GB)"),
    "db_storage_gb": ("database storage (GB)", "데이터베이스 저장 용량(GB)"),
    "region": ("region", "리전"),
    "price": ("price", "가격"),
    "current_monthly_spend": ("spend today", "현재 지출"),
    "utilisation": ("utilisation", "사용률"),
    "users": ("users", "사용자"),
    "component": ("", ""),
}
_TIER_NAMES: dict[str, tuple[str, str]] = {
    "app": ("app", "앱"),
    "database": ("database", "데이터베이스"),
    "network": ("network", "네트워크"),
    "cache": ("cache", "캐시"),
    "worker": ("workers", "워커"),
    "proxy": ("proxy", "프록시"),
    "queue": ("queue", "큐"),
    "search": ("search", "검색"),
    "total": ("total", "합계"),
    "registered": ("registered", "가입"),
    "daily": ("daily active", "일간 활성"),
    "monthly": ("monthly active", "월간 활성"),
    "concurrent": ("concurrent", "동시 접속"),
}
_COMPONENT_NAMES: dict[str, tuple[str, str]] = {
    "has_cache": ("cache", "캐시"),
    "has_cdn": ("CDN", "CDN"),
    "has_load_balancer": ("load balancer", "로드밸런서"),
    "has_read_replicas": ("read replicas", "읽기 복제본"),
    "has_standby": ("standby", "대기 복제본"),
    "has_connection_pool": ("connection pooler", "커넥션 풀러"),
    "has_queue": ("queue", "큐"),
    "has_autoscaling": ("autoscaling", "오토스케일링"),
    "has_monitoring": ("monitoring", "모니터링"),
    "has_sharding": ("sharding", "샤딩"),
    "has_search_engine": ("search engine", "검색 엔진"),
    "has_backups": ("backups", "백업"),
    "has_pitr": ("point-in-time restore", "특정 시점 복구"),
    "multi_region": ("multiple regions", "멀티 리전"),
    "kubernetes": ("Kubernetes", "쿠버네티스"),
}
_NOTES_KO: dict[str, str] = {
    "not concurrent users": "동시 접속자가 아님",
    _STANDBY_NOTE: "장애 대비용 복제본: 읽기를 받지 않으므로 읽기 복제본으로 세지 않음",
}


def what_i_read(facts: ArchitectureFacts) -> list[tuple[str, object, str]]:
    """(fact name, value, source phrase) for each fact read from the answers, in reading order.

    Names: app_servers, db_replicas, db_standbys, db_engine, db_hosting, runtime, provider, app_hosting,
    instance_type:<tier>, vcpus:<tier>, memory_gb:<tier>, db_storage_gb, region, price:<tier>,
    current_monthly_spend, utilisation:<tier> (a share, 0.85), users:<registered|daily|monthly|concurrent>,
    component:<Fact value> (True in place, False said missing). Reading.note says how a value was read.
    """
    return [(r.name, r.value, r.source) for r in facts.readings]


def _label(name: str, language: str) -> str:
    pick = 1 if language == "ko" else 0
    kind, _, detail = name.partition(":")
    if kind == "component":
        return _COMPONENT_NAMES.get(detail, (detail, detail))[pick]
    label = _LABELS.get(kind, (kind, kind))[pick]
    if detail:
        tier = _TIER_NAMES.get(detail, (detail, detail))[pick]
        return f"{tier} {label}" if kind == "users" else f"{label} ({tier})"
    return label


def _value(name: str, value: object, language: str) -> str:
    ko = language == "ko"
    if isinstance(value, bool):
        if ko:
            return "있음" if value else "없음"
        return "in place" if value else "not in place"
    if isinstance(value, StatedPrice):
        per = (" 대당" if ko else " each") if value.per_unit else ""
        period = ("/시간" if ko else "/hour") if value.period == "hour" else ("/월" if ko else "/month")
        return f"{money(value.amount, value.currency)}{period}{per}"
    if name.startswith("utilisation"):
        return f"{float(value):.0%}"  # type: ignore[arg-type]
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_what_i_read(facts: ArchitectureFacts, language: str = "en") -> list[str]:
    """One line per fact: "app servers: 4 (from '4 Python (Django) servers')", in English or Korean."""
    lines = []
    for reading in facts.readings:
        label, value = _label(reading.name, language), _value(reading.name, reading.value, language)
        if language == "ko":
            line = f"{label}: {value} ('{reading.source}'에서 읽음)"
            note = _NOTES_KO.get(reading.note, reading.note)
        else:
            line = f"{label}: {value} (from '{reading.source}')"
            note = reading.note
        lines.append(f"{line}; {note}" if note else line)
    return lines


def user_ratios(current_users: int, facts: ArchitectureFacts) -> dict[str, float]:
    """Concurrent users as a share of each other count written ("1,200 of 50k registered = 2.4%")."""
    return {
        kind: current_users / count for kind, count in facts.user_counts.items() if kind != "concurrent" and count > 0
    }


# --- one message at a time (a thread message that corrects a fact) ------------------------------


@dataclass(frozen=True)
class WrittenNumber:
    """A number as written in a message ("500k", "50만 명", "3-5"), where it is and what follows it."""

    value: float
    start: int  # character offsets in the text given
    end: int
    clause: int
    counter: str  # a Korean counter written after it: 명, 대 ...
    next_word: str  # the token right after it, lower-case ("users", "%", "")


def numbers_in(text: str) -> list[WrittenNumber]:
    """Every number in a message, read the way the answers are read (scales, Korean place values, ranges)."""
    field = _prepare("message", text)
    toks = field.toks
    out: list[WrittenNumber] = []
    i = 0
    while i < len(toks):
        number = _quantity_at(toks, i) if toks[i].kind in ("num", "id", "kw") else None
        if number is None:
            i += 1
            continue
        after = toks[number.end].low if number.end < len(toks) else ""
        last = toks[number.end - 1]
        out.append(WrittenNumber(number.value, toks[i].start, last.end, toks[i].clause, number.counter, after))
        i = number.end
    return out


def amounts_in(text: str) -> list[StatedPrice]:
    """Each amount of money written in a message ("$2k/month", "월 200만 원"), in the order written."""
    field = _prepare("constraints", text)
    if not field.has_digit:
        return []
    return [price for price, _ in _prices(field.text, field.toks, "constraints")]


def component_label(fact: Fact, language: str = "en") -> str:
    """A component's name as the 'what I read' lines say it ("cache", "캐시")."""
    return _label(f"component:{fact.value}", language)


def tier_label(tier: str, language: str = "en") -> str:
    """A tier's short name as the 'what I read' lines say it ("database", "데이터베이스")."""
    return _TIER_NAMES.get(tier, (tier, tier))[1 if language == "ko" else 0]
