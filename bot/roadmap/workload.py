"""What kind of system this is, read from the answers: workload kinds, stack, known events, named problems.

An experienced engineer picks levers by workload before looking at numbers: a ledger is never
cached, an ingest pipeline gets batching rather than replicas, a flash sale gets a waiting room.
This module is that first reading, pure and deterministic, and it keeps the phrases each
conclusion came from so the roadmap can say "why I think so".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from bot.roadmap import money
from bot.roadmap.reading.facts import ArchitectureFacts
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.schema import SystemProfile
from bot.roadmap.traffic import team_in

# Workload kinds: (label, English phrases, Korean phrases). English matches on word boundaries.
KINDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "read-heavy": (
        "read-heavy content (most requests read the same data)",
        (
            "product pages",
            "catalogue",
            "catalog",
            "article pages",
            "articles",
            "section fronts",
            "search results",
            "itinerary pages",
            "hotel and flight search",
            "book pages",
            "browse",
            "read-heavy",
            "homepage",
            "news feed",
            "feed",
            "search over posts",
        ),
        ("상품 목록", "작품 목록", "랭킹", "조회", "기사", "피드"),
    ),
    "write-heavy": (
        "write-heavy ingest (writes dominate and arrive from outside)",
        (
            "telemetry",
            "ingest",
            "ingestion",
            "writes/s",
            "writes per second",
            "inserts",
            "iops",
            "sensor",
            "sensors",
            "events/s",
            "write-heavy",
            "every 5 seconds",
            "every second",
        ),
        ("텔레메트리", "수집", "쓰기 부하", "센서", "인서트"),
    ),
    "strong-consistency": (
        "strong consistency (money or balances must never be read stale)",
        (
            "ledger",
            "double-entry",
            "balance",
            "balances",
            "overdraft",
            "settlement",
            "authorisation",
            "authorization",
            "authorise",
            "authorize",
            "wallet",
            "payouts",
        ),
        ("원장", "잔액", "정산", "지갑", "출금"),
    ),
    "inventory": (
        "inventory, seats or slots (many buyers race for the same limited units)",
        (
            "limited-stock",
            "limited stock",
            "stock",
            "inventory",
            "oversold",
            "oversell",
            "overselling",
            "drop day",
            "drops",
            "seat",
            "seats",
            "tickets",
            "reservation",
            "reservations",
            "booking slots",
            "flash sale",
            "double booking",
        ),
        ("재고", "좌석", "예매", "예약", "선착순", "초과 판매", "타임세일", "한정 수량", "중복 예약", "중복 예매"),
    ),
    "multi-tenant": (
        "multi-tenant (many customer organisations share one deployment)",
        ("tenant", "tenants", "multi-tenant", "noisy neighbour", "noisy neighbor", "per-tenant"),
        ("테넌트", "고객사", "멀티 테넌트"),
    ),
    "realtime": (
        "realtime connections (long-lived sockets or interactive sessions)",
        (
            "websocket",
            "websockets",
            "socket.io",
            "presence",
            "typing indicators",
            "sse",
            "server-sent events",
            "long polling",
            "mqtt",
            "matchmaking",
            "multiplayer",
            "players",
            "reconnect",
            "chat rooms",
            "real-time chat",
        ),
        ("웹소켓", "채팅", "접속 유지", "실시간 대전"),
    ),
    "media": (
        "media delivery (images or video are most of the bytes)",
        (
            "video",
            "videos",
            "streaming",
            "transcoding",
            "ffmpeg",
            "egress",
            "images",
            "photo uploads",
            "photos",
            "galleries",
            "image uploads",
            "1080p",
            "mp4",
            "mp3",
            "audio",
            "podcast",
            "podcasts",
            "episode downloads",
            "episode files",
            "bandwidth",
        ),
        ("동영상", "영상", "이미지", "웹툰", "사진", "대역폭", "트래픽 비용", "오디오", "팟캐스트", "음원"),
    ),
    "analytics": (
        "analytics (aggregates over many rows at request time)",
        (
            "dashboard",
            "dashboards",
            "analytics",
            "group by",
            "aggregate",
            "aggregates",
            "funnels",
            "retention",
            "reports",
            "history charts",
        ),
        ("대시보드", "집계", "통계", "리포트", "분석"),
    ),
    "spiky-reads": (
        "spiky anonymous reads (crowds of readers arrive at once)",
        ("anonymous", "logged-out", "breaking news", "goes viral", "viral", "social media"),
        ("익명", "로그인하지 않은", "신작 공개", "비로그인"),
    ),
    "api-only": (
        "API only (machine clients, no web pages to cache)",
        ("api only", "no web ui", "(api only)", "api-only"),
        ("API 전용", "웹 화면 없음"),
    ),
}

# The same kinds in Korean, for a Korean roadmap.
KIND_LABELS_KO: dict[str, str] = {
    "read-heavy": "읽기 위주 콘텐츠 (대부분의 요청이 같은 데이터를 읽음)",
    "write-heavy": "쓰기 위주 수집 (쓰기가 대부분이고 외부에서 들어옴)",
    "strong-consistency": "강한 일관성 (돈이나 잔액을 절대 오래된 값으로 읽으면 안 됨)",
    "inventory": "재고·좌석·예약 시간대 (많은 사람이 같은 한정 수량을 두고 경쟁)",
    "multi-tenant": "멀티 테넌트 (여러 고객사가 한 배포를 함께 씀)",
    "realtime": "실시간 연결 (오래 유지되는 소켓이나 대화형 세션)",
    "media": "미디어 전송 (이미지나 영상이 바이트의 대부분)",
    "analytics": "분석 (요청 시점에 많은 행을 집계)",
    "spiky-reads": "순간적으로 몰리는 익명 읽기 (독자가 한꺼번에 몰려옴)",
    "api-only": "API 전용 (기계 클라이언트, 캐시할 웹 페이지 없음)",
    "tiny-team": "아주 작은 팀 (한두 명: 단순하게 유지)",
    "known-event": "예정된 이벤트나 마감 (미리 준비할 수 있는 피크)",
}

# A known event: a date, a launch, or a recurring peak the team can prepare for.
_EVENT_EN = (
    "drop day",
    "next big drop",
    "launch",
    "launches",
    "black friday",
    "campaign",
    "daily reset",
    "opens at",
    "opening at",
    "at 10:00",
    "in six weeks",
    "in three months",
    "next month",
)
_EVENT_KO = (
    "오픈 시각",
    "오픈 때",
    "블랙프라이데이",
    "매일 점심",
    "매주",
    "신작 공개",
    "한 달 뒤",
    "개월 안에",
    "출시",
    "타임세일",
)
_DEADLINE = re.compile(
    r"(?:in|within)\s+(?:(\d+|one|two|three|four|five|six|eight)\s+(weeks?|months?))|(\d+|한|두|세)\s*(주|달|개월)\s*(?:뒤|후|안에|안)",
    re.I,
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "한": 1, "두": 2, "세": 3}
_SPIKE = re.compile(r"(?<![\d.])(\d{1,4})\s*(?:x|×|배)(?![a-z])", re.I)
_SPIKE_WINDOW = re.compile(
    r"within\s+(?:a|one|two|three|five|ten|\d+)\s+(?:minutes?|seconds?)|in\s+(?:a|one)\s+minute|"
    r"(\d+)\s*분\s*(?:안에|동안|만에|내)",
    re.I,
)

# Team size and money: what a small team can run.
_TINY_TEAM_EN = (
    "two founders",
    "two-person",
    "one developer",
    "solo developer",
    "both part-time",
    "no ops experience",
    "single developer",
)
_TINY_TEAM_KO = ("창업자 2명", "1인 개발", "개발은 한 명", "개발자 1명", "혼자 개발")

# Stack words, read from the architecture answers.
_DB: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mysql": (("mysql", "mariadb", "aurora mysql", "percona"), ("마이에스큐엘",)),
    "postgresql": (("postgresql", "postgres", "aurora postgresql", "pgbouncer"), ("포스트그레스",)),
    "mongodb": (("mongodb", "mongo", "documentdb"), ("몽고",)),
}
_RUNTIME: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "jvm": (("spring", "spring boot", "java", "kotlin", "tomcat", "hikaricp"), ("스프링",)),
    "python": (("django", "flask", "fastapi", "gunicorn", "uvicorn", "python", "celery"), ("장고",)),
    "ruby": (("rails", "ruby", "puma", "sidekiq", "unicorn"), ("레일즈",)),
    "node": (("node.js", "node", "express", "nestjs", "socket.io", "next.js"), ("노드",)),
    "php": (("php", "php-fpm", "wordpress", "laravel"), ()),
    "go": (("go api", "golang", "go services", "go api pods"), ()),
}
_MANAGED_DB = (
    ("rds", "aurora", "cloud sql", "azure database", "managed database", "alloydb", "planetscale", "supabase", "neon"),
    ("관리형",),
)
_SMALL_HOST = (
    ("droplet", "lightsail", "linode", "vps", "same box", "same droplet", "same instance"),
    ("같은 인스턴스",),
)
_MANAGED_LB = (
    (
        "alb",
        "nlb",
        "elb",
        "application load balancer",
        "network load balancer",
        "cloud load balancer",
        "google cloud load balancer",
        "azure front door",
        "alb ingress",
    ),
    ("로드밸런서(ALB)",),
)
_CONTENTION = (
    (
        "deadlock",
        "deadlocks",
        "lock wait",
        "lock waits",
        "hot row",
        "row lock",
        "serialization failure",
        "lock contention",
    ),
    ("데드락", "락 대기", "잠금 대기", "락 경합"),
)
_LARGEST = (
    ("largest instance", "largest we can buy", "largest size", "biggest instance", "cannot be a bigger box"),
    ("최대 사양", "가장 큰 인스턴스"),
)
_SELF_MANAGED = (
    ("self-managed", "self managed", "on a vm", "on an i3", "installed on", "own vm", "hetzner"),
    ("설치",),
)

# Problem severity, worst first: what an expert fixes before capacity.
Severity = Literal["correctness", "data-loss", "availability", "capacity", "latency", "cost"]
SEVERITY_ORDER: tuple[Severity, ...] = ("correctness", "data-loss", "availability", "capacity", "latency", "cost")
_SEVERITY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "correctness": (
        (
            "oversold",
            "oversell",
            "overselling",
            "charged twice",
            "double spend",
            "duplicate",
            "deducted twice",
            "stale balance",
            "overdraft",
            "not found right after",
            "booking not found",
            "sold more",
        ),
        ("초과 판매", "중복 예매", "중복 예약", "중복 결제", "두 명에게", "두 번"),
    ),
    "data-loss": (
        ("no backups", "backup", "backups", "restore", "lose everything", "disk dies", "wal archive"),
        ("백업", "복구", "데이터를 잃", "날아가"),
    ),
    "availability": (
        (
            "down",
            "502",
            "503",
            "504",
            "502s",
            "503s",
            "outage",
            "falls over",
            "time out",
            "times out",
            "timeout",
            "crawls",
            "reconnect",
        ),
        ("다운", "장애", "타임아웃", "멈춥", "고갈", "에러"),
    ),
    "cost": (("bill", "egress", "cost", "$"), ("비용",)),
    "latency": (("slow", "p95", "takes about", "seconds", " s "), ("느립", "느려", "초 이상", "걸립")),
}
# Kinds that need two phrases, unless one of their unmistakable phrases is there.
# A stated write share of the database's load ("writes are about 70% of its load", "쓰기가 부하의 70%").
_WRITE_SHARE = re.compile(
    r"\bwrites?\s+(?:are|is|make up|account for)\s+(?:about\s+|roughly\s+|~)?(\d{2,3})\s?%\s+of\s+"
    r"(?:its|the|our|all|database|db)?\s*(?:load|work|time|cpu|traffic)"
    r"|쓰기(?:가|는)?\s*(?:부하|전체 부하|DB 부하)의\s*(?:약\s*)?(\d{2,3})\s?%",
    re.I,
)
# A stated share of anonymous readers ("95% of readers are anonymous", "독자의 95%가 비로그인", "익명 사용자 90%").
_ANONYMOUS_SHARE = re.compile(
    r"(\d{2,3})\s?%\s+of\s+(?:our\s+|the\s+)?(?:readers|visitors|users|traffic|page ?views|requests)\s+"
    r"(?:are|is|come)\s+(?:\w+\s+)?(?:anonymous|logged[- ]out|not logged in)"
    r"|(?:익명|비로그인)\s*(?:사용자|독자|방문자|트래픽)?(?:가|이|는)?\s*(?:약\s*)?(\d{2,3})\s?%"
    r"|(\d{2,3})\s?%\s*(?:가|는|이)?\s*(?:익명|비로그인)",
    re.I,
)
_MIN_HITS = {"read-heavy": 2, "write-heavy": 99, "inventory": 2, "media": 2, "analytics": 2, "strong-consistency": 2}
_STRONG: dict[str, set[str]] = {
    "read-heavy": {"anonymous", "read-heavy", "익명"},
    "write-heavy": {"telemetry", "iops", "writes/s", "writes per second", "write-heavy", "텔레메트리", "쓰기 부하"},
    "inventory": {
        "oversold",
        "oversell",
        "overselling",
        "limited stock",
        "limited-stock",
        "flash sale",
        "선착순",
        "초과 판매",
        "타임세일",
        "한정 수량",
    },
    "media": {"video", "videos", "transcoding", "ffmpeg", "egress", "mp3", "podcast"}
    | {"동영상", "웹툰", "영상", "팟캐스트"},
    "analytics": {"analytics", "group by", "aggregate", "aggregates", "funnels", "분석"},
    "strong-consistency": {
        "ledger",
        "double-entry",
        "balance",
        "balances",
        "overdraft",
        "wallet",
        "원장",
        "잔액",
        "지갑",
    },
}
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?。])\s+|\n+")


@lru_cache(maxsize=2048)
def _mention_regex(english: tuple[str, ...], korean: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    if english:
        words = sorted({w.lower() for w in english}, key=len, reverse=True)
        parts.append(r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])")
    if korean:
        parts.append("(?:" + "|".join(map(re.escape, sorted(set(korean), key=len, reverse=True))) + ")")
    return re.compile("|".join(parts)) if parts else None


def mentions(text: str, english: Iterable[str], korean: Iterable[str]) -> list[str]:
    """Phrases present in the text, negated or not: a problem is often said as a lack ("no backups", "백업이 없")."""
    lowered = text.lower()
    regex = _mention_regex(
        tuple(p for p in english if p.lower() in lowered), tuple(p for p in korean if p.lower() in lowered)
    )
    return [m.group(0) for m in regex.finditer(lowered)] if regex else []


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """A known event or deadline; `spike` is the stated multiplier and `window` how fast it comes."""

    evidence: tuple[str, ...]
    weeks_away: float | None = None
    spike: float | None = None
    window: str | None = None


@dataclass(frozen=True)
class Stack:
    database: str | None  # mysql | postgresql | mongodb
    runtime: str | None  # jvm | python | ruby | node | php | go
    managed_db: bool
    small_host: bool  # a droplet, a Lightsail box, a VPS: no cloud instance classes
    self_managed_db: bool
    managed_lb: bool = False  # ALB, NLB, a cloud load balancer: it scales itself


@dataclass(frozen=True)
class Problem:
    """One named problem (a sentence of the bottlenecks answer) and how bad it is."""

    text: str
    severity: Severity
    order: int


@dataclass(frozen=True)
class WorkloadReading:
    kinds: tuple[Kind, ...]
    stack: Stack
    event: Event | None
    problems: tuple[Problem, ...]
    tiny_team: bool
    budget_usd: float | None
    contention: bool = False  # lock waits, deadlocks, hot rows named: contention, not CPU
    at_largest_size: bool = False  # "the largest instance we can buy": no bigger box to move to
    team_size: int | None = None  # engineers, as the constraints say ("Four backend engineers", "개발자 5명")
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    anonymous_share: float | None = None  # "95% of readers are anonymous": the share an edge cache can serve
    write_share: float | None = None  # "writes are about 70% of its load": what no read-side cut touches

    def has(self, kind: str) -> bool:
        return any(k.id == kind for k in self.kinds)

    @property
    def kind_ids(self) -> frozenset[str]:
        return frozenset(k.id for k in self.kinds)


def _first(text: str, table: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> str | None:
    """The key whose phrase appears earliest in the text (the main engine is usually named first)."""
    lowered = text.lower()
    best: tuple[int, str] | None = None
    for key, (english, korean) in table.items():
        for phrase in find_phrases(text, english, korean):
            pos = lowered.find(phrase)
            if best is None or pos < best[0]:
                best = (pos, key)
    return best[1] if best else None


_ENGINE_FAMILY = (("mysql", "mysql"), ("mariadb", "mysql"), ("postgres", "postgresql"), ("mongo", "mongodb"))
_LANGUAGES = frozenset({"jvm", "python", "ruby", "node", "php", "go"})


def read_stack(profile: SystemProfile, facts: ArchitectureFacts | None = None) -> Stack:
    """Database family, runtime and hosting: the fact reader's answer first, this module's phrases otherwise."""
    arch = profile.architecture
    engine = getattr(facts, "db_engine", None) or ""
    database = next((family for word, family in _ENGINE_FAMILY if word in engine), None)
    database = database or _first(arch.database, _DB) or _first(arch.servers, _DB)
    language = getattr(facts, "language", None)
    runtime = language if language in _LANGUAGES else _first(arch.servers, _RUNTIME)
    small = bool(find_phrases(f"{arch.servers}\n{arch.database}", *_SMALL_HOST))
    db_managed = getattr(facts, "db_managed", None)
    managed = db_managed if isinstance(db_managed, bool) else bool(find_phrases(arch.database, *_MANAGED_DB))
    self_managed = not managed and (small or bool(find_phrases(arch.database, *_SELF_MANAGED)))
    balancer = bool(find_phrases(f"{arch.servers}\n{arch.network or ''}", *_MANAGED_LB))
    return Stack(database, runtime, managed, small, self_managed, balancer)


def _event(text: str) -> Event | None:
    evidence = list(dict.fromkeys(find_phrases(text, _EVENT_EN, _EVENT_KO)))
    weeks: float | None = None
    for match in _DEADLINE.finditer(text):
        number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        count = int(number) if number.isdigit() else _WORD_NUMBERS.get(number.lower(), 1)
        per = 1.0 if unit.lower().startswith(("week", "주")) else 4.3
        weeks = min(weeks or 1e9, count * per)
        evidence.append(match.group(0).strip())
    spike, window = _spike(text)
    if not evidence and spike is None:
        return None
    return Event(tuple(dict.fromkeys(evidence)), weeks, spike, window)


def _spike(text: str) -> tuple[float | None, str | None]:
    """The stated spike ("60x within a minute", "1분 안에 50배"): the multiplier said with its window wins."""
    best: tuple[float | None, str | None] = (None, None)
    for sentence in _SENTENCE_SPLIT.split(text):
        spikes = [int(m.group(1)) for m in _SPIKE.finditer(sentence) if 2 <= int(m.group(1)) <= 1000]
        if not spikes:
            continue
        window = _SPIKE_WINDOW.search(sentence)
        if window is not None:
            return float(max(spikes)), window.group(0)
        if best[0] is None or max(spikes) > best[0]:
            best = (float(max(spikes)), None)
    return best


def _problems(bottlenecks: str) -> tuple[Problem, ...]:
    sentences = [s.strip(" -*•\t") for s in _SENTENCE_SPLIT.split(bottlenecks)]
    found = []
    for order, sentence in enumerate(s for s in sentences if len(s) >= 8):
        severity: Severity = "capacity"
        levels: tuple[Severity, ...] = ("correctness", "data-loss", "availability", "cost", "latency")
        for level in levels:
            if mentions(sentence, *_SEVERITY_WORDS[level]):
                severity = level
                break
        found.append(Problem(sentence, severity, order))
    return tuple(found)


def _team_size(constraints: str) -> int | None:
    """The engineer count in the constraints (the team, not one of its sub-teams): traffic.py reads it."""
    found = team_in(constraints)
    return found[0] if found else None


def _budget_usd(profile: SystemProfile) -> float | None:
    amount = profile.budget.monthly_amount
    if amount is None or not money.supported(profile.budget.currency):
        return None
    return money.to_usd(amount, profile.budget.currency)


def read_workload(profile: SystemProfile, facts: ArchitectureFacts | None = None) -> WorkloadReading:
    """The kinds this system is (several at once is normal), with the phrases each came from."""
    arch = profile.architecture
    features = "\n".join(profile.core_features)
    text = "\n".join([features, arch.database, arch.servers, arch.network or "", profile.bottlenecks])
    constraints = profile.budget.constraints or ""
    kinds: list[Kind] = []
    evidence: dict[str, tuple[str, ...]] = {}
    for kind_id, (label, english, korean) in KINDS.items():
        if kind_id == "api-only":  # "no CDN (API only)": the negation belongs to the CDN, not to "API only"
            hits = tuple(p for p in (*english, *korean) if p.lower() in text.lower())
        else:
            hits = tuple(dict.fromkeys(find_phrases(text, english, korean)))
        if len(hits) < _MIN_HITS.get(kind_id, 1) and not set(hits) & _STRONG.get(kind_id, set()):
            hits = ()  # one passing word ("images", "inventory") does not make the kind
        if kind_id == "write-heavy" and not hits:
            share = _WRITE_SHARE.search(text)
            if share and int(share.group(1) or share.group(2)) >= 50:
                hits = (share.group(0),)  # "writes are about 70% of its load": the database is write-bound
        if kind_id == "spiky-reads" and hits and not _SPIKE.search(text) and "spike" not in text.lower():
            hits = ()  # anonymous readers alone are not a spike
        if hits:
            kinds.append(Kind(kind_id, label, hits[:4]))
            evidence[kind_id] = hits
    budget = _budget_usd(profile)
    team = tuple(find_phrases(constraints, _TINY_TEAM_EN, _TINY_TEAM_KO))
    team_size = _team_size(constraints)
    # Read from who the team is, never from the budget alone: more budget must not change which levers fit.
    tiny = bool(team) or team_size == 1
    if tiny:
        why = team or (f"{team_size} engineer",)
        kinds.append(Kind("tiny-team", "tiny team (one or two people: keep it simple)", tuple(why)))
    event = _event(f"{text}\n{constraints}")
    if event is not None and event.evidence:
        kinds.append(Kind("known-event", "known event or deadline (a peak you can prepare for)", event.evidence[:3]))
    return WorkloadReading(
        kinds=tuple(kinds),
        stack=read_stack(profile, facts),
        event=event,
        problems=_problems(profile.bottlenecks),
        tiny_team=tiny,
        budget_usd=budget,
        contention=bool(mentions(profile.bottlenecks, *_CONTENTION)),
        team_size=team_size,
        at_largest_size=bool(mentions(f"{profile.bottlenecks}\n{arch.database}", *_LARGEST)),
        evidence=evidence,
        anonymous_share=_anonymous_share(profile.bottlenecks + "\n" + features),
        write_share=_write_share(text),
    )


def _write_share(text: str) -> float | None:
    """The share of the database's load the team says is writes (0.1-0.95), or None."""
    found = _WRITE_SHARE.search(text)
    if found is None:
        return None
    share = int(found.group(1) or found.group(2)) / 100
    return share if 0.1 <= share <= 0.95 else None


def _anonymous_share(text: str) -> float | None:
    """The share of readers the team says are anonymous (0.5-1.0), or None when not stated."""
    found = _ANONYMOUS_SHARE.search(text)
    if found is None:
        return None
    share = int(next(g for g in found.groups() if g)) / 100
    return share if 0.5 <= share <= 1.0 else None
