""" "What I read": each reading as a line the team can check, in English or Korean."""

from __future__ import annotations

from bot.roadmap.numbers import (
    money,
)
from bot.roadmap.reading.facts import ArchitectureFacts, Fact, StatedPrice
from bot.roadmap.reading.replicas import STANDBY_NOTE

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
    STANDBY_NOTE: "장애 대비용 복제본: 읽기를 받지 않으므로 읽기 복제본으로 세지 않음",
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
    if name.startswith("utilisation") and isinstance(value, int | float):  # a share, 0.85
        return f"{float(value):.0%}"
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


def component_label(fact: Fact, language: str = "en") -> str:
    """A component's name as the 'what I read' lines say it ("cache", "캐시")."""
    return _label(f"component:{fact.value}", language)


def tier_label(tier: str, language: str = "en") -> str:
    """A tier's short name as the 'what I read' lines say it ("database", "데이터베이스")."""
    return _TIER_NAMES.get(tier, (tier, tier))[1 if language == "ko" else 0]
