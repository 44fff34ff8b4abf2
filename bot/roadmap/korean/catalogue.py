"""The catalogue's Korean (patterns_ko.yaml, written by people beside the English) and its fill-ins in Korean."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.i18n import count
from bot.roadmap.catalogue import Pattern
from bot.roadmap.korean.templates import RELATIVE
from bot.roadmap.korean.words import tier_ko
from bot.roadmap.numbers import compact
from bot.roadmap.schema import SystemProfile

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=900)]
# The stack-specific fill-ins the advice writes into templates ({db_stats}, {app_workers}, ...), in Korean.
# A value not listed here leaves its text in English.
FIELD_VALUES_KO: dict[str, str] = {
    # PostgreSQL
    "PostgreSQL": "PostgreSQL",
    "pg_stat_statements": "`pg_stat_statements`",
    "pg_stat_activity": "`pg_stat_activity`",
    "log_min_duration_statement": "`log_min_duration_statement`",
    "CREATE INDEX CONCURRENTLY": "`CREATE INDEX CONCURRENTLY`",
    "postgres_exporter": "`postgres_exporter`",
    "PgBouncer": "PgBouncer",
    "pg_locks joined to pg_stat_activity (wait_event_type 'Lock')": (
        "`pg_stat_activity`에서 `wait_event_type = 'Lock'`인 세션과 `pg_locks`"
    ),
    # MySQL
    "MySQL": "MySQL",
    "the performance_schema statement digests (sys.statement_analysis)": (
        "performance_schema의 구문 다이제스트 `sys.statement_analysis`"
    ),
    "SHOW PROCESSLIST": "`SHOW PROCESSLIST`",
    "slow_query_log with long_query_time": "`slow_query_log`와 `long_query_time`",
    "ALTER TABLE ... ADD INDEX with ALGORITHM=INPLACE, LOCK=NONE (gh-ost for very large tables)": (
        "`ALGORITHM=INPLACE, LOCK=NONE`을 붙인 `ALTER TABLE ... ADD INDEX`, 아주 큰 테이블은 gh-ost"
    ),
    "mysqld_exporter": "`mysqld_exporter`",
    "ProxySQL": "ProxySQL",
    "SHOW ENGINE INNODB STATUS and performance_schema.data_locks": (
        "`SHOW ENGINE INNODB STATUS`와 `performance_schema.data_locks`"
    ),
    # MongoDB
    "MongoDB": "MongoDB",
    "the database profiler (system.profile)": "데이터베이스 프로파일러 `system.profile`",
    "db.currentOp()": "`db.currentOp()`",
    "the profiler's slowms threshold": "프로파일러의 `slowms` 임계값",
    "createIndex (built online since MongoDB 4.2)": "`createIndex`, MongoDB 4.2부터는 온라인 빌드",
    "mongodb_exporter": "`mongodb_exporter`",
    "the driver's connection pool": "드라이버의 커넥션 풀",
    "db.currentOp() with waitingForLock": "`waitingForLock` 조건을 건 `db.currentOp()`",
    # Stack not known
    "the database": "데이터베이스",
    "the database's statement statistics (pg_stat_statements or the MySQL performance schema)": (
        "`pg_stat_statements`나 MySQL performance schema 같은 쿼리 통계"
    ),
    "the database's session list (pg_stat_activity or SHOW PROCESSLIST)": (
        "`pg_stat_activity`나 `SHOW PROCESSLIST` 같은 세션 목록"
    ),
    "the slow-query log": "슬로우 쿼리 로그",
    "an online index build (CREATE INDEX CONCURRENTLY or ALGORITHM=INPLACE)": (
        "`CREATE INDEX CONCURRENTLY` 또는 `ALGORITHM=INPLACE`"
    ),
    "the database's Prometheus exporter": "데이터베이스용 Prometheus exporter",
    "a connection pooler (PgBouncer or ProxySQL)": "PgBouncer나 ProxySQL 같은 커넥션 풀러",
    "the database's lock views": "데이터베이스의 락 관련 뷰",
    # App workers per runtime
    "gunicorn or uvicorn workers": "gunicorn 또는 uvicorn 워커",
    "Puma workers and threads": "Puma 워커와 스레드",
    "Node.js processes (one per core, cluster or one per container)": (
        "Node.js 프로세스(코어당 하나, cluster 모드 또는 컨테이너당 하나)"
    ),
    "Tomcat request threads and the HikariCP pool": "Tomcat 요청 스레드와 HikariCP 풀",
    "PHP-FPM children (pm.max_children)": "PHP-FPM 자식 프로세스(`pm.max_children`)",
    "the server's concurrency limits and GOMAXPROCS": "서버의 동시성 한도와 `GOMAXPROCS`",
    "app workers": "앱 워커",
    # Circuit-breaker libraries per runtime
    "Resilience4j": "Resilience4j",
    "pybreaker, with tenacity for the bounded retries": "pybreaker, 제한된 재시도에는 tenacity",
    "Semian or circuitbox": "Semian 또는 circuitbox",
    "opossum": "opossum",
    "Ganesha (ackintosh/ganesha)": "Ganesha(ackintosh/ganesha)",
    "sony/gobreaker": "sony/gobreaker",
    "a library for your runtime, or your service mesh's outlier detection": (
        "런타임에 맞는 라이브러리, 또는 서비스 메시의 이상치 감지(outlier detection)"
    ),
    # The event window
    "over a few minutes": "몇 분에 걸쳐",
}
_TIMES = re.compile(r"(\d+(?:\.\d+)?)x")
_WINDOW = re.compile(r"in the time you described \((.+)\)", re.DOTALL)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariantKo(_Model):
    """One stack variant's Korean, in the order of the English variants; the same fields as the English one."""

    title: Text | None = None
    steps: list[Text] | None = None
    verify: list[Text] | None = None


class SourcesKo(_Model):
    """The pattern's sources in Korean, field by field as the English (bot/roadmap/sources.py shows them)."""

    impact: Text
    effort: Text
    cost: Text
    effects: Text | None = None
    scaling: Text | None = None


class PatternKo(_Model):
    title: Text
    why: Text
    metric: Text
    steps: list[Text] = Field(min_length=1)
    verify: list[Text] = Field(min_length=1)
    variants: list[VariantKo] = Field(default_factory=list)
    sources: SourcesKo | None = None  # tests/unit/test_sources.py checks every English source has its Korean


class CatalogueKo(_Model):
    patterns: dict[str, PatternKo]


@cache
def load_korean() -> CatalogueKo:
    """The packaged Korean texts, parsed once per process."""
    text = resources.files("bot.roadmap").joinpath("patterns_ko.yaml").read_text(encoding="utf-8")
    return CatalogueKo.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class _Texts:
    """A pattern's item texts as one stack variant has them, in English and in Korean."""

    title: tuple[str, str]
    steps: tuple[tuple[str, str], ...]
    verify: tuple[tuple[str, str], ...]


def variant_texts(pattern: Pattern, korean: PatternKo) -> list[_Texts]:
    """The base texts and each variant's, pairing English with Korean; a variant replaces only what it gives.

    None while the two disagree in shape (a step or a variant added to the English only): the English stays."""
    shapes = [(len(pattern.steps), len(korean.steps)), (len(pattern.verify), len(korean.verify))]
    shapes.append((len(pattern.variants), len(korean.variants)))
    for english, ko in zip(pattern.variants, korean.variants, strict=False):
        shapes += [(len(english.steps or ()), len(ko.steps or ())), (len(english.verify or ()), len(ko.verify or ()))]
    if any(a != b for a, b in shapes):
        return []
    base = _Texts(
        (pattern.title, korean.title),
        tuple(zip(pattern.steps, korean.steps, strict=True)),
        tuple(zip(pattern.verify, korean.verify, strict=True)),
    )
    texts = [base]
    for english, ko in zip(pattern.variants, korean.variants, strict=True):
        texts.append(
            _Texts(
                (english.title, ko.title) if english.title and ko.title else base.title,
                tuple(zip(english.steps, ko.steps, strict=True)) if english.steps and ko.steps else base.steps,
                tuple(zip(english.verify, ko.verify, strict=True)) if english.verify and ko.verify else base.verify,
            )
        )
    return texts


def catalogue_value_ko(name: str, value: str, profile: SystemProfile) -> str | None:
    """A catalogue fill-in's Korean, or None when it is not one we know (the text then stays in English)."""
    if name == "tier_label":
        return tier_ko(value)
    if name in ("units", "units_from"):
        relative = RELATIVE.fullmatch(value)
        if relative:
            return f"현재의 {relative.group(1)}배"
        return value if value == "" or value.isdigit() else None
    if name in ("current_users", "target_users"):
        users = profile.current_users if name == "current_users" else profile.target_users
        return count("ko", users) if value == compact(users) else None
    if name == "spike":
        times = _TIMES.fullmatch(value)
        return f"{times.group(1)}배" if times else None
    if name == "spike_window":
        window = _WINDOW.fullmatch(value)
        if window:
            return f"말씀하신 시간({window.group(1)}) 안에"
    return FIELD_VALUES_KO.get(value)
