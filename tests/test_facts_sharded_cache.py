"""A sharded cache is not a sharded database: the plan must not tell a team it already splits its writes."""

from __future__ import annotations

from bot.roadmap.facts import Fact, extract_facts
from bot.roadmap.schema import SystemProfile


def _profile(database: str, servers: str) -> SystemProfile:
    return SystemProfile.model_validate(
        {
            "system_name": "Trips",
            "current_users": 25000,
            "target_users": 250000,
            "core_features": ["search"],
            "architecture": {"database": database, "servers": servers},
            "bottlenecks": "Search queries are slow.",
        }
    )


def test_redis_shards_do_not_shard_the_database() -> None:
    profile = _profile("Aurora PostgreSQL db.r6g.4xlarge writer with 2 read replicas", "Redis (ElastiCache, 3 shards)")
    assert not extract_facts(profile).has(Fact.HAS_SHARDING)


def test_database_shards_still_count() -> None:
    profile = _profile("MySQL 8 sharded with Vitess into 16 shards", "140 services on Kubernetes; Redis Cluster")
    assert extract_facts(profile).has(Fact.HAS_SHARDING)
