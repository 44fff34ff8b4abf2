"""The kinds of system a review can be (read-heavy, a ledger, inventory, media...), with the phrases that name
them in English and Korean and how many it takes to believe one.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# Kinds that need two phrases, unless one of their unmistakable phrases is there.
MIN_HITS = {"read-heavy": 2, "write-heavy": 99, "inventory": 2, "media": 2, "analytics": 2, "strong-consistency": 2}
STRONG: dict[str, set[str]] = {
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


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    evidence: tuple[str, ...]
