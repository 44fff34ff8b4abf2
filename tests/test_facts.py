"""Reading architecture facts from free text, in English and Korean."""

from __future__ import annotations

from bot.roadmap.facts import Fact, extract_facts, find_phrases
from bot.roadmap.schema import SystemProfile


def facts_for(database: str, servers: str, network: str | None = None, bottlenecks: str = "slow", **extra: object):
    return extract_facts(
        SystemProfile.model_validate(
            {
                "system_name": "S",
                "current_users": 10,
                "target_users": 100,
                "core_features": extra.pop("features", ["feed"]),
                "architecture": {"database": database, "servers": servers, "network": network},
                "bottlenecks": bottlenecks,
                **extra,
            }
        )
    )


def test_components_and_counts_in_english() -> None:
    facts = facts_for(
        "PostgreSQL 14 primary with 2 read replicas, PgBouncer",
        "6 x c6i.xlarge app servers on EKS behind an ALB, Redis for sessions",
        "CloudFront CDN, two regions",
    )
    for fact in (
        Fact.RELATIONAL_DB,
        Fact.HAS_READ_REPLICAS,
        Fact.HAS_CONNECTION_POOL,
        Fact.KUBERNETES,
        Fact.HAS_LOAD_BALANCER,
        Fact.HAS_CACHE,
        Fact.HAS_CDN,
        Fact.MULTI_REGION,
    ):
        assert facts.has(fact), fact
    assert facts.app_servers == 6 and facts.db_replicas == 2
    assert not facts.has(Fact.SINGLE_SERVER)


def test_negations_do_not_count() -> None:
    facts = facts_for("MySQL, no replicas", "one VM without a load balancer", "no CDN, CDN 없음, 캐시 미사용")
    assert not facts.has(Fact.HAS_READ_REPLICAS)
    assert not facts.has(Fact.HAS_LOAD_BALANCER)
    assert not facts.has(Fact.HAS_CDN)
    assert not facts.has(Fact.HAS_CACHE)
    assert facts.has(Fact.SINGLE_SERVER) and facts.app_servers == 1


def test_korean_answers() -> None:
    facts = facts_for(
        "MySQL 마스터 1대, 레플리카 2대",
        "웹 서버 3대, 로드밸런서 사용, 레디스 캐시",
        bottlenecks="피크 때 DB CPU 90%, 슬로우 쿼리가 많고 서비스가 자주 다운됩니다. 이미지 로딩이 느림",
        features=["피드", "실시간 채팅", "이미지 업로드"],
    )
    assert facts.has(Fact.HAS_LOAD_BALANCER) and facts.has(Fact.HAS_CACHE) and facts.has(Fact.HAS_READ_REPLICAS)
    assert facts.has(Fact.OUTAGES) and facts.has(Fact.REALTIME) and facts.has(Fact.MEDIA_HEAVY)
    assert facts.app_servers == 3 and facts.db_replicas == 2
    assert facts.quoted_utilisation == {"database": 0.9}
    assert facts.tier_evidence["database"] and facts.tier_evidence["network"]


def test_resource_words_follow_the_tier_named_before_them() -> None:
    facts = facts_for("MySQL", "2 VMs", bottlenecks="DB CPU pegged while app memory is fine? no, app CPU 40%")
    assert "cpu" in facts.tier_evidence["database"]
    assert facts.quoted_utilisation == {"app": 0.4}


def test_error_rate_counts_as_outage() -> None:
    facts = facts_for("MySQL", "2 VMs", measurements={"error_rate_pct": 2.5})
    assert facts.has(Fact.OUTAGES)


def test_find_phrases_word_boundaries() -> None:
    assert find_phrases("we use cdns? no: scdn", ["cdn"], []) == []
    assert find_phrases("Redis and redis", ["redis"], []) == ["redis", "redis"]
    assert find_phrases("레디스를 씁니다", [], ["레디스"]) == ["레디스"]
