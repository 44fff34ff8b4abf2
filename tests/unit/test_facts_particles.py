"""English product names in Korean answers carry a particle with no space ("CloudFront는", "Redis를"): the reader
still sees them, and still keeps English words whole."""

from __future__ import annotations

import pytest

from bot.roadmap.reading.facts import Fact
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.schema import SystemProfile


def _profile(network: str, servers: str = "Spring Boot API 서버 8대, ALB 뒤에 있음") -> SystemProfile:
    return SystemProfile.model_validate(
        {
            "system_name": "배달",
            "current_users": 12000,
            "target_users": 120000,
            "core_features": ["주문"],
            "architecture": {"database": "MySQL 8 (RDS)", "servers": servers, "network": network},
            "bottlenecks": "점심시간에 주문이 몰리면 느려집니다.",
            "budget": {"monthly_amount": 30000000, "currency": "KRW"},
        }
    )


@pytest.mark.parametrize(
    "network",
    ["ALB, CloudFront는 메뉴 이미지에만 사용", "CloudFront를 이미지에 씁니다", "CDN은 Cloudflare"],
)
def test_a_cdn_named_with_a_korean_particle_is_in_place(network: str) -> None:
    assert extract_facts(_profile(network)).has(Fact.HAS_CDN)


def test_a_negated_name_with_a_particle_stays_negated() -> None:
    assert not extract_facts(_profile("CloudFront는 안 씀, 서울 리전")).has(Fact.HAS_CDN)


def test_english_words_stay_whole() -> None:
    assert find_phrases("Redis를 캐시로 씁니다", ["redis"], []) == ["redis"]
    assert find_phrases("we use cloudfronts and redisearch", ["cloudfront", "redis"], []) == []
