"""Korean roadmap content: the catalogue's titles, reasons, steps and checks in Korean for a Korean review.

The rules engine writes every item from a pattern's English template (``patterns.yaml``). Its Korean lives in
``patterns_ko.yaml``, written by people and kept beside the English. `localize` swaps a text only when it is
exactly the English template filled in (the fill-ins read back from the text itself and each one known in
Korean); anything the engine composed otherwise stays as written, so a swap is never a wrong translation.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot import i18n
from bot.i18n import count
from bot.roadmap.catalogue import Catalogue, Pattern, load_catalogue
from bot.roadmap.numbers import compact
from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    TIER_LABELS,
    ProblemAnswer,
    Rejection,
    Roadmap,
    RoadmapItem,
    Stage,
    SystemProfile,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=900)]
ValueKo = Callable[[str, str], str | None]  # (field name, English value) -> its Korean, or None when unknown

STAGE_NAMES_KO = {1: "즉시 개선", 2: "중기 아키텍처 변경", 3: "장기 확장성"}
STAGE_HORIZONS_KO = {1: "며칠~2주", 2: "1~3개월", 3: "3~12개월"}
TIER_LABELS_KO = {
    "app": "앱 서버",
    "database": "데이터베이스",
    "network": "네트워크 / 정적 전송",
    "contention": "락 경합 (핫 로우)",
}

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
_RELATIVE = re.compile(r"(\d+)x today's")
_TIMES = re.compile(r"(\d+(?:\.\d+)?)x")
_WINDOW = re.compile(r"in the time you described \((.+)\)", re.DOTALL)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariantKo(_Model):
    """One stack variant's Korean, in the order of the English variants; the same fields as the English one."""

    title: Text | None = None
    steps: list[Text] | None = None
    verify: list[Text] | None = None


class PatternKo(_Model):
    title: Text
    why: Text
    metric: Text
    steps: list[Text] = Field(min_length=1)
    verify: list[Text] = Field(min_length=1)
    variants: list[VariantKo] = Field(default_factory=list)


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


def _variants(pattern: Pattern, korean: PatternKo) -> list[_Texts]:
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


@cache
def _matcher(template: str) -> re.Pattern[str]:
    """A regex matching `template` filled in with any values; a name used twice must get the same value."""
    parts: list[str] = []
    seen: set[str] = set()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is None:
            continue
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
    return re.compile("".join(parts), re.DOTALL)


def _value_ko(name: str, value: str, profile: SystemProfile) -> str | None:
    """A catalogue fill-in's Korean, or None when it is not one we know (the text then stays in English)."""
    if name == "tier_label":
        return _tier_ko(value)
    if name in ("units", "units_from"):
        relative = _RELATIVE.fullmatch(value)
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


def _tier_ko(label: str) -> str | None:
    tier = next((t for t, english in TIER_LABELS.items() if english == label), None)
    return TIER_LABELS_KO[tier] if tier is not None else None


def _translate(text: str, english: str, korean: str, value_ko: ValueKo) -> str | None:
    """`korean` filled in as `english` was filled in to give `text`; None when `text` is not that template."""
    found = _fill(text, english, korean, value_ko, prefix=False)
    return found[0] if found else None


def _fill(text: str, english: str, korean: str, value_ko: ValueKo, prefix: bool) -> tuple[str, int] | None:
    """The Korean filled in, and where the English template ended in `text` (with `prefix`, `text` may go on
    after a space); None when `text` does not start with (or is not) the template or a fill-in is unknown."""
    matcher = _matcher(english)
    found = _prefix_match(matcher, text) if prefix else matcher.fullmatch(text)
    if found is None:
        return None
    values = found.groupdict()
    fields: dict[str, str] = {}
    for name, value in values.items():
        ko = value_ko(name, value)
        if ko is None:
            return None
        fields[name] = ko
    if "label" in fields:  # engine sentences about units: the counter goes with the unit
        fields["c"] = _UNIT_COUNTERS[fields["label"]]
    template = korean
    relative = _RELATIVE.fullmatch(values.get("units") or "") is not None
    for name in ("units", "units_from"):
        if name not in fields:
            continue
        if values[name] == "":  # no size given: "여러 대", "여러 개"
            template = re.sub(r"\{" + name + r"\}(대|개|노드)", r"여러 \1", template)
        elif relative:  # "현재의 3배로", not "현재의 3배대로"
            if name == "units_from" and fields[name].isdigit():
                fields[name] = f"현재의 {fields[name]}배"
            template = re.sub(r"\{" + name + r"\}(대|개|노드)", "{" + name + "}", template)
    try:
        filled = template.format(**fields)
    except (KeyError, IndexError):
        return None  # the Korean names a field the English does not: keep the English
    return filled, found.end()


def _prefix_match(matcher: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The template at the start of `text`, ending where the text ends or a space follows (the shortest such)."""
    return re.compile(matcher.pattern + r"(?=\s|\Z)", re.DOTALL).match(text)


# Sentences the engine composes around the catalogue's texts: the reasons rules.py gives for picking a pattern,
# and planner.py's re-size items (more of a fleet the team or an earlier item already has). Matched exactly.
_UNITS_KO = {"app servers": "앱 서버", "database nodes": "데이터베이스 노드", "shards": "샤드", "cells": "셀"}
_UNITS_KO |= {"edge nodes": "엣지 노드"}
_UNIT_COUNTERS = {"앱 서버": "대", "데이터베이스 노드": "대", "샤드": "개", "셀": "개", "엣지 노드": "대"}
_REASONS: tuple[tuple[str, str], ...] = (
    ('You wrote: "{quote}"', '답변에 이렇게 적으셨습니다: "{quote}"'),
    (
        "The capacity model has the {tier} binding first, at about {users} users.",
        "용량 모델로 보면 {tier} 계층이 가장 먼저 한계에 닿으며, 그 지점은 사용자 약 {users}명입니다.",
    ),
    (
        "Before this stage the plan reaches about {reached} of the {target} users you aim for.",
        "이 단계 전까지 계획이 닿는 규모는 목표 {target}명 중 약 {reached}명입니다.",
    ),
    ("Needed first by item {ids}.", "{ids} 항목보다 먼저 해야 합니다."),
    ("The {tier} need more by this stage.", "이 단계에서는 {tier} 계층을 더 늘려야 합니다."),
    (
        "The database binds next: it falls short of what this stage aims for.",
        "다음 한계는 데이터베이스입니다. 이 단계가 목표로 하는 규모에 못 미칩니다.",
    ),
    ("You already run it: it grows to what this stage needs.", "이미 운영 중인 것을 이 단계에 필요한 만큼 늘립니다."),
    (
        "Grows what item {ids} built, to what this stage needs.",
        "{ids} 항목에서 만든 것을 이 단계에 필요한 만큼 늘립니다.",
    ),
)
_REASONS += (
    ("This reads as {kind}: you wrote {said}.", "답변으로 보면 {kind} 유형입니다. 적으신 말: {said}."),
    ("Waits for {ids}, which is held back.", "보류된 {ids} 항목을 기다립니다."),
    (
        "Waits for budget: capacity work is funded stage by stage and the money ran out at {ids}.",
        "예산을 기다립니다. 용량 작업은 단계 순서대로 예산을 배정하는데, {ids} 항목에서 예산이 바닥났습니다.",
    ),
    (
        "Over budget: adds up to {money} a month and {left} of the monthly budget is left.",
        "예산 초과: 이 항목의 월 비용은 최대 {money}이고, 남은 월 예산은 {left}입니다.",
    ),
    (
        "Sized at its minimum ({units} {label}): capacity does not need more.",
        "최소 규모({label} {units}{c})로 잡았습니다. 용량만 보면 더 필요하지 않습니다.",
    ),
    (
        "Even {units} {label} ({limit}) carry only about {users} users.",
        "{label} {units}{c}({limit})로도 사용자 약 {users}명까지만 감당합니다.",
    ),
    (
        "The budget allows {units} of the {units_from} {label} this needs.",
        "필요한 {label} {units_from}{c} 가운데 예산으로는 {units}{c}까지만 가능합니다.",
    ),
    (
        "This count rests on a default utilisation of the {tier}, not a measurement: measure {what} before you buy it.",
        "이 대수는 {tier} 계층의 기본 사용률에서 나온 것이지 측정값이 아닙니다. 사기 전에 다음을 재 보세요: {what}.",
    ),
)
# Reasons that restate what a roadmap's head already says (the capacity picture, the kind of system read, the
# assumed utilisations): the compact Markdown leaves them out of each item.
_RESTATING = tuple(
    pair
    for pair in _REASONS
    if pair[0].startswith(("The capacity model has", "Before this stage", "This reads as", "This count rests on"))
)


def restates_the_head(sentence: str) -> bool:
    """Whether `sentence` is one of those reasons, in English or in Korean."""
    return any(_matcher(en).fullmatch(sentence) or _matcher(ko).fullmatch(sentence) for en, ko in _RESTATING)


# What the capacity model computes for an item (planner.py), shown with its details.
_EFFECT = (
    (
        "In the model: {parts}; binding tier after it: {tier}, about {users} users.",
        "모델상 효과: {parts}. 이 항목까지 반영하면 한계 계층은 {tier}, 사용자 약 {users}명입니다.",
    ),
)
# What the advice says about a named problem no item answers, and about a lever the team already runs (advice.py).
_ADVICE = (
    (
        "You already run {have}; tune it rather than add another ({title}).",
        "이미 운영 중인 것이 있습니다({have}). 하나 더 두기보다 지금 것을 조정하세요({title}).",
    ),
    ("{title} is not recommended here: {reason}", "{title}: 여기서는 권하지 않습니다. {reason}"),
    (
        "{title} would answer this, but it did not fit this plan (its prerequisites or scale are not there); "
        "first {hint}",
        "{title} 항목이 답이 될 수 있지만 이 계획에는 맞지 않았습니다(선행 조건이나 규모가 갖춰지지 않음). 먼저 {hint}",
    ),
    ("No catalogue lever matches this directly: {hint}", "카탈로그에 이 문제에 바로 맞는 수단이 없습니다. 먼저 {hint}"),
    ("You already run {have}; the plan builds on it.", "이미 운영 중입니다({have}). 계획은 그 위에 쌓습니다."),
)
_HINTS_KO = {
    "reproduce it under concurrency in a test and log each occurrence with the request and the rows involved.": (
        "동시성 상황을 테스트로 재현하고, 일어날 때마다 요청과 관련된 행을 함께 로그로 남기세요."
    ),
    "write down how much data you can afford to lose and how long you can be down, and test a restore against "
    "those figures.": (
        "잃어도 되는 데이터의 양과 멈춰 있어도 되는 시간을 적어 두고, 그 수치에 맞춰 복원을 테스트하세요."
    ),
    "record when it happens, the error rates per endpoint and per tier, and which resource saturates first.": (
        "언제 일어나는지, 엔드포인트별·계층별 에러율, 가장 먼저 포화되는 자원을 기록하세요."
    ),
    "measure per-tier utilisation and throughput at peak to find the saturated resource.": (
        "피크 때 계층별 사용률과 처리량을 재서 포화된 자원을 찾으세요."
    ),
    "trace the slow requests and see where the time goes (database, app, external calls).": (
        "느린 요청을 트레이스해 시간이 어디에 쓰이는지(데이터베이스, 앱, 외부 호출) 보세요."
    ),
    "break the bill down by service and by traffic class.": "청구서를 서비스별, 트래픽 유형별로 나눠 보세요.",
}
# What the team already runs, as the advice names it, in Korean (one table for every Korean surface).
IN_PLACE_KO = {
    "a shared cache": "공유 캐시",
    "a CDN": "CDN",
    "a load balancer": "로드밸런서",
    "read replicas": "읽기 레플리카",
    "a queue": "큐",
    "autoscaling": "오토스케일링",
    "monitoring": "모니터링",
    "a connection pool": "커넥션 풀",
    "sharding or partitioning": "샤딩이나 파티셔닝",
    "a search engine": "검색 엔진",
    "several regions": "여러 리전",
}
# The workload kinds the engine reads from the answers (workload.py), as the roadmap names them.
KINDS_KO = {
    "read-heavy content (most requests read the same data)": "읽기 위주 콘텐츠(대부분의 요청이 같은 데이터를 읽음)",
    "write-heavy ingest (writes dominate and arrive from outside)": "쓰기 위주 수집(외부에서 들어오는 쓰기가 대부분)",
    "strong consistency (money or balances must never be read stale)": (
        "강한 일관성(돈이나 잔액을 절대 오래된 값으로 읽으면 안 됨)"
    ),
    "inventory / flash sale (many buyers race for limited stock)": (
        "재고 / 한정 판매(많은 구매자가 한정된 재고를 두고 경쟁)"
    ),
    "multi-tenant (many customer organisations share one deployment)": "멀티 테넌트(여러 고객사가 배포 하나를 함께 씀)",
    "realtime connections (long-lived sockets or interactive sessions)": (
        "실시간 연결(오래 유지되는 소켓이나 대화형 세션)"
    ),
    "media delivery (images or video are most of the bytes)": "미디어 전송(바이트 대부분이 이미지나 동영상)",
    "analytics (aggregates over many rows at request time)": "분석(요청 시점에 많은 행을 집계)",
    "spiky anonymous reads (crowds of readers arrive at once)": "몰려드는 비로그인 읽기(독자가 한꺼번에 몰림)",
    "API only (machine clients, no web pages to cache)": "API 전용(기계 클라이언트, 캐시할 웹 페이지 없음)",
    "tiny team (one or two people: keep it simple)": "아주 작은 팀(한두 명, 단순하게 유지)",
    "known event or deadline (a peak you can prepare for)": "예정된 이벤트나 마감(미리 대비할 수 있는 피크)",
}
# The summary's verdict, budget note, bottleneck and headline (rules.py), sentence by sentence.
_SUMMARY: tuple[tuple[str, str], ...] = (
    (
        "Over capacity at peak now: about {users} of today's {current} users fit at a safe load; stage 1 starts "
        "with relief.",
        "지금 피크에 이미 용량을 넘었습니다. 오늘 사용자 {current}명 중 안전한 부하로 감당하는 것은 약 {users}명이라, "
        "1단계는 급한 불을 끄는 일부터 시작합니다.",
    ),
    (
        "Target reached after stage {n}: about {users} concurrent users expected against {target}.",
        "{n}단계를 마치면 목표에 닿습니다. 목표 {target}명에 대해 동시 사용자 약 {users}명을 예상합니다.",
    ),
    ("It fits the budget (top of each cost range).", "예산 안에 들어옵니다(각 비용 범위의 상단 기준)."),
    (
        "At the target, the bytes it serves bring the plan to about {range} a month, more than the budget: plan the "
        "bandwidth first.",
        "목표 규모에서는 내보내는 바이트 때문에 계획의 비용이 월 약 {range}가 되어 예산을 넘습니다. 대역폭 계획부터 "
        "세우세요.",
    ),
    (
        "It fits the budget only if costs land low: at the target, the bytes it serves bring the plan to about {range} "
        "a month.",
        "비용이 범위의 아래쪽에 머물 때만 예산 안에 들어옵니다. "
        "목표 규모에서는 내보내는 바이트 때문에 계획의 비용이 월 약 {range}가 됩니다.",
    ),
    (
        "Target not reachable within the budget: the plan reaches about {users} concurrent users ({share} of "
        "{target}).",
        "예산 안에서는 목표에 닿지 못합니다. 계획으로 닿는 규모는 동시 사용자 약 {users}명(목표 {target}명의 "
        "{share})입니다.",
    ),
    (
        "The target fits the budget only if costs land low: within the top of each cost range the plan reaches about "
        "{users} concurrent users ({share} of {target}); the full path costs about {range} a month.",
        "비용이 범위의 아래쪽에 머물 때만 예산 안에서 목표에 닿습니다. "
        "각 비용 범위의 상단으로 보면 계획이 닿는 규모는 동시 사용자 약 {users}명(목표 {target}명의 {share})이고, "
        "목표까지의 전체 경로는 월 약 {range}입니다.",
    ),
    ("Measure, then price it again.", "먼저 측정한 뒤 다시 가격을 매겨 보세요."),
    (
        "Reaching it costs about {range} a month (cheapest path).",
        "목표까지 가는 비용은 월 약 {range}입니다(가장 싼 경로).",
    ),
    (
        "Without the budget limit it would reach about {users} users for about {range} a month, then stop at {wall}.",
        "예산 제한이 없다면 월 약 {range}의 비용으로 사용자 약 {users}명까지 닿고, 그다음 한계는 {wall}입니다.",
    ),
    (
        "On the model's defaults, the budget stops the plan at about {users} concurrent users ({share} of {target}).",
        "모델의 기본값으로 보면 예산이 계획을 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 멈춰 세웁니다.",
    ),
    (
        "Not known yet whether these patterns reach the target: on the model's defaults they stop at about {users} "
        "concurrent users ({share} of {target}), limited by {wall}.",
        "이 패턴들로 목표에 닿는지는 아직 알 수 없습니다. "
        "모델의 기본값으로 보면 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 멈추며, 한계는 {wall}입니다.",
    ),
    (
        "Target not reached by these patterns: about {users} concurrent users ({share} of {target}), limited by "
        "{wall}.",
        "이 패턴들로는 목표에 닿지 못합니다. 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 멈추며, "
        "한계는 {wall}입니다.",
    ),
    (
        "Measure the real service demand with a load test and revisit.",
        "부하 테스트로 실제 서비스 요구 시간을 재고 다시 검토하세요.",
    ),
    (
        "The plan's ceiling, the {tier}, rests on a default utilisation: measure {what} first.",
        "계획의 한계인 {tier} 수치는 측정값이 아니라 기본 사용률에서 나왔습니다. 먼저 다음을 재 보세요: {what}.",
    ),
    (
        "Budget {budget} a month: the plan adds {cost} (checked at the top of each range).",
        "월 예산 {budget}: 계획이 더하는 비용은 {cost}입니다(각 범위의 상단으로 확인).",
    ),
    ("Held back or cut down: {ids}.", "보류되거나 줄어든 항목: {ids}."),
    ("More budget a month: {steps}.", "월 예산을 늘리면: {steps}."),
    ("No monthly budget given, so nothing was held back.", "월 예산이 주어지지 않아 보류한 항목이 없습니다."),
    ("The plan adds {cost}.", "계획이 더하는 비용은 {cost}입니다."),
    (
        "No exchange rate for {currency}: costs are in USD and the budget was not applied.",
        "{currency} 환율이 없어 비용은 USD로 표시했고 예산은 적용하지 않았습니다.",
    ),
    (
        "{tier}: about {percent} busy at today's peak of ~{rps} requests/s",
        "{tier}: 오늘 피크(초당 약 {rps}건 요청)에서 사용률 약 {percent}",
    ),
    ("{name}: {current} → {target} concurrent users", "{name}: 동시 사용자 {current}명 → {target}명"),
    (
        "Budget {total} a month, of which you spend about {spend} today: {budget} for the plan, which adds {cost} "
        "(checked at the top of each range).",
        "월 예산 {total}(지금 쓰는 비용 약 {spend}, 계획에 쓸 몫 {budget}): 계획이 더하는 비용은 {cost}입니다"
        "(각 범위의 상단으로 확인).",
    ),
    # The OpenAI engine's summary (drafts.py): the same figures from the same model, worded a little differently.
    (
        "Target reached after stage {n}: about {users} concurrent users expected against {target} (scale-review's "
        "model).",
        "{n}단계를 마치면 목표에 닿습니다. 목표 {target}명에 대해 동시 사용자 약 {users}명을 예상합니다"
        "(scale-review 모델 기준).",
    ),
    (
        "Target not reached by this plan: about {users} concurrent users ({share} of {target}), limited by the "
        "{tier} (scale-review's model).",
        "이 계획으로는 목표에 닿지 못합니다. 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 {tier} 계층에 "
        "막힙니다(scale-review 모델 기준).",
    ),
    ("The plan adds {cost}; no budget was applied.", "계획이 더하는 비용은 {cost}이며, 예산은 적용하지 않았습니다."),
    ("Budget {budget} a month: the plan adds {cost}.", "월 예산 {budget}: 계획이 더하는 비용은 {cost}입니다."),
    (
        "That is over budget at mid-range; the engine did not hold anything back.",
        "범위의 중간값으로 보면 예산을 넘지만, 엔진이 보류한 항목은 없습니다.",
    ),
)
# Where the plan stops once its levers are spent (rules.py), as the verdict names it.
_WALLS_KO = {
    "a single-writer database: replicas only add reads, so the next lever is splitting the writes (sharding by a "
    "key, or moving the heaviest write path to a store built for it)": (
        "쓰기를 받는 프라이머리가 하나뿐인 데이터베이스(레플리카는 읽기만 늘리므로, 다음 수단은 키로 샤딩하거나 가장 "
        "무거운 쓰기 경로를 그에 맞는 저장소로 옮겨 쓰기를 나누는 것)"
    ),
    "a single database node: the next levers are a larger instance (vertical scaling, measured first), then read "
    "replicas for reads, then splitting the writes": (
        "데이터베이스 노드 한 대(다음 수단은 측정을 먼저 한 뒤의 더 큰 인스턴스, 그다음 읽기용 레플리카, "
        "그다음 쓰기 나누기)"
    ),
    "the app tier's shared state: the next lever is removing what the servers share (sessions, locks, caches)": (
        "앱 계층이 공유하는 상태(다음 수단은 서버들이 함께 쓰는 세션, 락, 캐시를 없애는 것)"
    ),
    "origin bandwidth: the next lever is serving more of the bytes from the edge (CDN, object storage)": (
        "오리진 대역폭(다음 수단은 CDN과 오브젝트 스토리지로 더 많은 바이트를 엣지에서 내보내는 것)"
    ),
    "lock contention on hot rows: no hardware lifts it; the levers are shorter lock holds (atomic updates, no "
    "network calls inside a transaction), queueing the writes, or splitting the hot row": (
        "핫 로우의 락 경합(하드웨어로는 풀리지 않으며, 수단은 원자적 갱신과 트랜잭션 밖의 네트워크 호출로 락을 짧게 "
        "잡기, 쓰기를 큐에 넣기, 핫 로우 쪼개기)"
    ),
}
# The assumptions rules.py adds after the capacity model's and the prices' own (those are worded where made).
_ASSUMPTIONS: tuple[tuple[str, str], ...] = (
    (
        "Catalogue prices are in USD, converted at about {rate} {currency} per USD ({date} rates).",
        "카탈로그 가격은 USD 기준이며, 1 USD당 약 {rate} {currency}로 환산했습니다({date} 환율).",
    ),
)
_LIMITS_KO = {"the catalogue's limit": "카탈로그의 상한", "the USL peak": "USL 곡선의 정점"}
_MONEY = re.compile(r"₩([\d,]+)")
_RESIZE_TITLES: tuple[tuple[str, str], ...] = (
    ("Grow the {label} from {units_from} to {units}", "{label} 규모를 {units_from}{c}에서 {units}{c}로 늘리기"),
    (
        "Grow the {label} from {units_from}x to {units}x today's fleet",
        "{label} 규모를 현재의 {units_from}배에서 {units}배로 늘리기",
    ),
)
_RESIZE_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Add the {label} in two or three steps (about a third each), watching p95 latency, errors and the "
        "busiest tier after every step.",
        "{label} 증설은 두세 번에 나눠(한 번에 1/3 정도) 하고, 매번 p95 지연, 에러, 가장 바쁜 계층을 지켜봅니다.",
    ),
    (
        "Raise the autoscaling or capacity limits to {units} {label} and keep one extra for failures if you run "
        "close to the ceiling.",
        "오토스케일링이나 용량 한도를 {label} {units}{c}까지 올리고, 한계 가까이에서 운영한다면 장애에 대비해 "
        "여분을 하나 더 둡니다.",
    ),
    (
        "Re-run the load test at this stage's goal and feed the measured throughput back into the plan.",
        "이 단계의 목표치로 부하 테스트를 다시 돌리고, 측정한 처리량을 계획에 반영합니다.",
    ),
)
_RESIZE_VERIFY: tuple[tuple[str, str], ...] = (
    (
        "A load test at this stage's goal passes with {units} {label}, p95 within the objective.",
        "이 단계의 목표치로 돌린 부하 테스트를 {label} {units}{c}로 통과하고, p95가 목표 안에 있습니다.",
    ),
    (
        "Throughput rose with the added units (if it did not, the tier is not the limit: stop adding).",
        "늘린 만큼 처리량이 올랐습니다(오르지 않았다면 그 계층은 병목이 아니니 증설을 멈춥니다).",
    ),
)
# Growing the database by instance sizes after an earlier size-up (planner._size_text).
_SIZE_TITLES: tuple[tuple[str, str], ...] = (
    (
        "Grow the database by {n} more instance size ({units}x today's vCPU and memory)",
        "데이터베이스 인스턴스를 {n}단계 더 키우기(vCPU와 메모리를 현재의 {units}배로)",
    ),
    (
        "Grow the database by {n} more instance sizes ({units}x today's vCPU and memory)",
        "데이터베이스 인스턴스를 {n}단계 더 키우기(vCPU와 메모리를 현재의 {units}배로)",
    ),
)
_SIZE_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Check first that the database is short of CPU, memory or IO at peak rather than waiting on locks; a "
        "bigger node does nothing for lock waits.",
        "먼저 피크 때 데이터베이스가 락을 기다리는 것이 아니라 CPU, 메모리, IO가 모자란 것인지 확인합니다. 더 큰 "
        "노드는 락 대기에는 도움이 되지 않습니다.",
    ),
    (
        "Grow one size at a time in a low-traffic window (with a standby the change is a short failover), "
        "replicas to the same size, and raise the memory settings with it.",
        "트래픽이 적은 시간에 한 단계씩 키우고(스탠바이가 있으면 짧은 페일오버로 끝납니다), 레플리카도 같은 크기로 "
        "맞추며, 메모리 설정도 함께 올립니다.",
    ),
    (
        "Re-run the load test after each size and stop when the database is no longer the tier that binds.",
        "한 단계 키울 때마다 부하 테스트를 다시 돌리고, 데이터베이스가 더 이상 병목 계층이 아니면 멈춥니다.",
    ),
)
_SIZE_VERIFY: tuple[tuple[str, str], ...] = (
    (
        "Database CPU at this stage's peak is at or below 70% after the change.",
        "바꾼 뒤 이 단계의 피크에서 데이터베이스 CPU가 70% 이하입니다.",
    ),
    (
        "Throughput rose with the size (if it did not, the node is not the limit: stop growing it).",
        "키운 만큼 처리량이 올랐습니다(오르지 않았다면 노드 크기가 한계가 아니니 더 키우지 않습니다).",
    ),
)
_COMPACT = re.compile(r"(\d+(?:\.\d+)?)([kMB]?)")
_SCALE = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}


def _engine_value(name: str, value: str) -> str | None:
    """A fill-in of an engine sentence in Korean: figures as Korean counts, tiers and units by name."""
    if name in ("quote", "said"):
        return value  # the team's own words
    if name == "kind":
        return KINDS_KO.get(value)
    if name == "limit":
        return _LIMITS_KO.get(value)
    if name in ("money", "left"):  # won as Korean readers say it; other currencies as written
        won = _MONEY.fullmatch(value)
        if won:
            return i18n.won(float(won.group(1).replace(",", "")))
        return value if re.fullmatch(r"[$€£¥]?[\d,.]+(?: [A-Z]{3})?", value) else None
    if name == "tier":
        return _tier_ko(value)
    if name == "what":  # what to measure (capacity.MEASURE_TO_REPLACE), worded in the catalogue
        korean = i18n.t("ko", value)
        return korean if korean != value else None
    if name == "label":
        return _UNITS_KO.get(value)
    if name in ("units", "units_from", "n"):
        return value if value.isdigit() else None
    if name == "name":
        return value  # the team's system name
    if name == "wall":
        return _WALLS_KO.get(value)
    if name in ("range", "budget", "total", "spend"):
        return _money_ko(value)
    if name == "cost":
        if value == "no monthly cost":
            return "월 추가 비용 없음"
        about = re.fullmatch(r"about (.+) a month", value)
        figure = _money_ko(about.group(1)) if about else None
        return f"월 약 {figure}" if figure else None
    if name == "steps":  # "₩12,000,000 -> 20k users; ..."
        found = [re.fullmatch(r"(.+) -> (\S+) users", step) for step in value.split("; ")]
        pairs = [(_money_ko(m.group(1)), _engine_value("users", m.group(2))) if m else (None, None) for m in found]
        if any(a is None or b is None for a, b in pairs):
            return None
        return "; ".join(f"{a} → 사용자 {b}명" for a, b in pairs)
    if name == "parts":
        changes = [_effect_part(part) for part in value.split(", ")]
        return ", ".join(c for c in changes if c is not None) if all(changes) else None
    if name in ("share", "percent"):
        return value if re.fullmatch(r"\d+(?:\.\d+)?%", value) else None
    if name == "currency":
        return value if re.fullmatch(r"[A-Z]{3}", value) else None
    if name == "ids":
        return value if re.fullmatch(r"\d+\.\d+(?:, \d+\.\d+)*", value) else None
    compact = _COMPACT.fullmatch(value)
    return count("ko", float(compact.group(1)) * _SCALE[compact.group(2)]) if compact else None


def _effect_part(part: str) -> str | None:
    """One change the model makes ("database capacity x2.2", "app servers 3 -> 7") in Korean."""
    gain = re.fullmatch(r"(.+) capacity x([\d.]+)", part)
    if gain:
        tier = _tier_ko(gain.group(1))
        return f"{tier} 용량 x{gain.group(2)}" if tier else None
    grown = re.fullmatch(r"(.+) (\d+)(x?) -> (\d+)x?( today's \(count not stated\))?", part)
    label = _UNITS_KO.get(grown.group(1)) if grown else None
    if grown is None or label is None:
        return None
    if grown.group(3):
        return f"{label} 현재의 {grown.group(2)}배 → {grown.group(4)}배(대수 미기재)"
    counter = _UNIT_COUNTERS[label]
    return f"{label} {grown.group(2)}{counter} → {grown.group(4)}{counter}"


def _money_ko(value: str) -> str | None:
    """A won amount or range as Korean readers say it ("89만~580만 원"); other currencies as written."""
    amounts = value.split("–")
    if all(_MONEY.fullmatch(a) for a in amounts):
        figures = [count("ko", float(a.removeprefix("₩").replace(",", ""))) for a in amounts]
        return "~".join(figures) + (" 원" if figures[-1][-1] in "만억" else "원")
    return value if re.fullmatch(r"[$€£¥]?[\d,.]+(?: [A-Z]{3})?(?:–[$€£¥]?[\d,.]+(?: [A-Z]{3})?)?", value) else None


def _assumption_value(name: str, value: str) -> str | None:
    """A fill-in of rules.py's assumptions: an exchange rate, a currency code, a year and month."""
    if name == "rate":
        return value if re.fullmatch(r"[\d.,]+", value) else None
    if name == "date":
        return value if re.fullmatch(r"\d{4}-\d{2}", value) else None
    return _engine_value(name, value)


def _reasons(text: str) -> str:
    return _sentences(text, _REASONS)


def _sentences(text: str, table: Sequence[tuple[str, str]], value_ko: ValueKo | None = None) -> str:
    """The engine's sentences (`table`) at the start of `text` in Korean, as far as they run; from the first
    sentence it does not know on, `text` is kept as it is. A quote may hold quotes of its own, so every place a
    sentence could end is tried, and the reading that translates the most is kept."""
    ends = [i for i, c in enumerate(text) if c == " "] + [len(text)]
    memo: dict[int, tuple[list[str], int]] = {}

    def from_(start: int) -> tuple[list[str], int]:  # the Korean sentences, and where the unknown rest starts
        if start not in memo:
            best: tuple[list[str], int] = ([], start)
            for english, korean in table:
                if not text.startswith(english.split("{", 1)[0], start):
                    continue
                for end in (e for e in ends if e > start):
                    sentence = _translate(text[start:end], english, korean, value_ko or _engine_value)
                    if sentence is None:
                        continue
                    rest, stop = from_(min(end + 1, len(text)))
                    if stop > best[1]:
                        best = ([sentence, *rest], stop)
            memo[start] = best
        return memo[start]

    sentences, stop = from_(0)
    return " ".join([*sentences, text[stop:]] if text[stop:] else sentences)


def _one(text: str, pairs: Sequence[tuple[str, str]], value_ko: ValueKo) -> str | None:
    return next((t for en, ko in pairs if (t := _translate(text, en, ko, value_ko)) is not None), None)


def _texts(items: list[str], options: Sequence[Sequence[tuple[str, str]]], value_ko: ValueKo) -> list[str] | None:
    """A list of steps or checks in Korean when it is, line for line, one variant's English; else None."""
    for pairs in options:
        if len(pairs) != len(items):
            continue
        translated = [_translate(text, en, ko, value_ko) for text, (en, ko) in zip(items, pairs, strict=True)]
        if all(t is not None for t in translated):
            return [t for t in translated if t is not None]
    return None


def _metric(metric: str, pattern: Pattern, korean: PatternKo) -> str:
    if metric == pattern.impact.metric:
        return korean.metric
    if metric == "system capacity":
        return "시스템 처리 용량"
    tier = next((t for t, label in TIER_LABELS.items() if metric == f"{label} capacity"), None)
    return f"{TIER_LABELS_KO[tier]} 처리 용량" if tier is not None else metric


def _item(item: RoadmapItem, pattern: Pattern, korean: PatternKo, profile: SystemProfile) -> RoadmapItem:
    def catalogue_value(name: str, value: str) -> str | None:
        return _value_ko(name, value, profile)

    variants = _variants(pattern, korean)
    if not variants:  # the Korean is behind the English for this pattern: the whole item stays English
        return item
    title = _one(item.title, list(dict.fromkeys(v.title for v in variants)), catalogue_value)
    steps = _texts(item.steps, list(dict.fromkeys(v.steps for v in variants)), catalogue_value)
    verify = _texts(item.verify, list(dict.fromkeys(v.verify for v in variants)), catalogue_value)
    # A re-size item (more of a fleet already there) has the planner's own title, steps and checks.
    title = title or _one(item.title, _RESIZE_TITLES + _SIZE_TITLES, _engine_value) or item.title
    steps = steps or _texts(item.steps, [_RESIZE_STEPS, _SIZE_STEPS], _engine_value) or item.steps
    verify = verify or _texts(item.verify, [_RESIZE_VERIFY, _SIZE_VERIFY], _engine_value) or item.verify
    why = item.why
    opening = _fill(why, pattern.why, korean.why, catalogue_value, prefix=True)
    if opening is not None:
        rest = why[opening[1] :].removeprefix(" ")
        why = " ".join(part for part in (opening[0], _reasons(rest)) if part)
    else:
        why = _reasons(why)
    impact = item.impact.model_copy(update={"metric": _metric(item.impact.metric, pattern, korean)})
    update = {"title": title, "steps": steps, "verify": verify, "why": why[:1500], "impact": impact}
    if item.deferred:
        update["deferred"] = _reasons(item.deferred)
    if item.model_effect:
        update["model_effect"] = _sentences(item.model_effect, _EFFECT)
    try:  # within the schema's limits, as the English was (a stored roadmap is validated when read back)
        return RoadmapItem.model_validate({**item.model_dump(), **update, "impact": impact.model_dump()})
    except ValidationError:
        return item


def _stage(stage: Stage, catalogue: Mapping[str, Pattern], korean: CatalogueKo, profile: SystemProfile) -> Stage:
    items = [
        _item(i, catalogue[i.pattern_id], korean.patterns[i.pattern_id], profile)
        if i.pattern_id in catalogue and i.pattern_id in korean.patterns
        else i
        for i in stage.items
    ]
    update: dict[str, object] = {"items": items}
    if stage.name == STAGE_NAMES[stage.number]:
        update["name"] = STAGE_NAMES_KO[stage.number]
    if stage.horizon == STAGE_HORIZONS[stage.number]:
        update["horizon"] = STAGE_HORIZONS_KO[stage.number]
    return stage.model_copy(update=update)


def _plain(title: str, tier: str) -> str:
    """A title without its figures, as the 'not recommended' list shows it (advice.py writes the English)."""
    return title.replace("{units}", "N").replace("{units_from}", "M").replace("{tier_label}", tier)


def _advice_value(titles: Mapping[str, str], reasons: Mapping[str, str]) -> ValueKo:
    """Fill-ins of the advice's sentences: catalogue titles and reasons in Korean, tools the team runs, hints."""

    def value(name: str, text: str) -> str | None:
        if name == "title":
            return titles.get(text)
        if name == "reason":
            return reasons.get(text)
        if name == "hint":
            return _HINTS_KO.get(text)
        if name == "have":
            if text in IN_PLACE_KO:
                return IN_PLACE_KO[text]
            servers = re.fullmatch(r"(\d+) app servers behind a load balancer", text)
            if servers:
                return f"로드밸런서 뒤의 앱 서버 {servers.group(1)}대"
            said = re.fullmatch(r'stateless app containers \(you wrote "(.+)"\)', text, re.DOTALL)
            return f'무상태 앱 컨테이너, 적으신 말 "{said.group(1)}"' if said else None
        return None

    return value


def _rejection(rejection: Rejection, catalogue: Mapping[str, Pattern], korean: CatalogueKo) -> Rejection:
    """A lever left out, with the catalogue's title and contraindication in Korean where they are exactly those."""
    pattern, ko = catalogue.get(rejection.pattern_id), korean.patterns.get(rejection.pattern_id)
    if pattern is None or ko is None:
        return rejection
    update: dict[str, str] = {}
    if rejection.title == _plain(pattern.title, "the busiest"):
        update["title"] = _plain(ko.title, "가장 바쁜")
    reason = next((c.reason_ko for c in pattern.contraindications if c.reason == rejection.reason), None)
    if reason:  # the catalogue keeps each contraindication's Korean beside it
        update["reason"] = reason
    else:  # the team already runs it
        update["reason"] = _sentences(rejection.reason, _ADVICE, _advice_value({}, {}))
    return rejection.model_copy(update=update)


def _problem(answer: ProblemAnswer, catalogue: Mapping[str, Pattern], korean: CatalogueKo) -> ProblemAnswer:
    """A named problem's note in Korean where it is one of the advice's sentences about catalogue levers."""
    if not answer.note:
        return answer
    titles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for pattern_id, pattern in catalogue.items():
        ko = korean.patterns.get(pattern_id)
        if ko is None:
            continue
        titles[_plain(pattern.title, "the busiest")] = _plain(ko.title, "가장 바쁜")
        reasons |= {c.reason: c.reason_ko for c in pattern.contraindications if c.reason_ko}
    note = _sentences(answer.note, _ADVICE, _advice_value(titles, reasons))
    return answer.model_copy(update={"note": note}) if len(note) <= 600 else answer


def localize(
    roadmap: Roadmap, profile: SystemProfile, catalogue: Catalogue | None = None, korean: CatalogueKo | None = None
) -> Roadmap:
    """The roadmap with the catalogue's texts in its language (Korean when it is "ko"; English is as written)."""
    if roadmap.language != "ko":
        return roadmap
    patterns = {p.id: p for p in (catalogue or load_catalogue()).patterns}
    texts = korean or load_korean()
    stages = [_stage(s, patterns, texts, profile) for s in roadmap.stages]
    rejected = [_rejection(r, patterns, texts) for r in roadmap.not_recommended]
    workload = [k.model_copy(update={"label": KINDS_KO.get(k.label, k.label)}) for k in roadmap.workload]
    summary = roadmap.summary
    said: dict[str, object] = {
        f: _sentences(getattr(summary, f), _SUMMARY) for f in ("verdict", "budget_note", "binding_bottleneck")
    }
    said["assumptions"] = [_sentences(a, _ASSUMPTIONS, _assumption_value) for a in summary.assumptions]
    headline = _sentences(summary.headline, _SUMMARY)
    said["headline"] = headline if len(headline) <= 150 else summary.headline
    problems = [_problem(a, patterns, texts) for a in roadmap.problems]
    update = {"stages": stages, "not_recommended": rejected, "workload": workload, "problems": problems}
    return roadmap.model_copy(update={**update, "summary": summary.model_copy(update=said)})
