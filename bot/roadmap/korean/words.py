"""The engine's own words in Korean: stage names, tiers, units and their counters, kinds of system, walls, hints."""

from __future__ import annotations

from bot.roadmap.schema import TIER_LABELS

STAGE_NAMES_KO = {1: "즉시 개선", 2: "중기 아키텍처 변경", 3: "장기 확장성"}
STAGE_HORIZONS_KO = {1: "며칠~2주", 2: "1~3개월", 3: "3~12개월"}
TIER_LABELS_KO = {
    "app": "앱 서버",
    "database": "데이터베이스",
    "network": "네트워크 / 정적 전송",
    "contention": "락 경합 (핫 로우)",
}


def tier_ko(label: str) -> str | None:
    """A tier's English label (schema.TIER_LABELS) in Korean, or None when it is not one."""
    tier = next((t for t, english in TIER_LABELS.items() if english == label), None)
    return TIER_LABELS_KO[tier] if tier is not None else None


# The units the engine's sentences count, and the Korean counter each takes ("앱 서버 3대", "샤드 4개").
UNITS_KO = {"app servers": "앱 서버", "database nodes": "데이터베이스 노드", "shards": "샤드", "cells": "셀"}
UNITS_KO |= {"edge nodes": "엣지 노드"}
UNIT_COUNTERS = {"앱 서버": "대", "데이터베이스 노드": "대", "샤드": "개", "셀": "개", "엣지 노드": "대"}
HINTS_KO = {
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
# The workload kinds the engine reads from the answers (workload/kinds.py), as the roadmap names them.
KINDS_KO = {
    "read-heavy content (most requests read the same data)": "읽기 위주 콘텐츠(대부분의 요청이 같은 데이터를 읽음)",
    "write-heavy ingest (writes dominate and arrive from outside)": "쓰기 위주 수집(외부에서 들어오는 쓰기가 대부분)",
    "strong consistency (money or balances must never be read stale)": (
        "강한 일관성(돈이나 잔액을 절대 오래된 값으로 읽으면 안 됨)"
    ),
    "inventory, seats or slots (many buyers race for the same limited units)": (
        "재고·좌석·예약 시간대(많은 사람이 같은 한정 수량을 두고 경쟁)"
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
# Where the plan stops once its levers are spent (rules/verdict.py), as the verdict names it.
WALLS_KO = {
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
LIMITS_KO = {"the catalogue's limit": "카탈로그의 상한", "the USL peak": "USL 곡선의 정점"}
