"""A sharded cache is not a sharded database: the plan must not tell a team it already splits its writes."""

from __future__ import annotations

from bot.roadmap.reading.facts import Fact
from bot.roadmap.reading.reader import extract_facts
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


def test_a_versioned_database_is_not_a_shard_count_and_a_cluster_is_a_fleet() -> None:
    from pathlib import Path

    from bot.roadmap.profile_io import load_profile
    from bot.roadmap.rules.generate import generate_rules_roadmap

    roadmap = generate_rules_roadmap(
        load_profile(Path(__file__).resolve().parents[1] / "golden" / "social-at-scale.yaml")
    )
    fleet = next(a for a in roadmap.summary.assumptions if "shards" in a)
    assert "each of 16 shards" in fleet and "app fleet of unstated size" in fleet  # "MySQL 8 ... into 16 shards"
    app = [i for i in roadmap.items() if i.pattern_id == "horizontal-app-scaling"]
    # a cluster of unstated size grows in multiples of today's fleet, from 1x in its first item
    assert app and app[0].title.startswith("Grow the app servers from 1x")
    assert all(i.title.startswith("Grow the app servers from") and "x today's fleet" in i.title for i in app)
    assert not any("One app server is both the ceiling" in i.why for i in roadmap.items())
