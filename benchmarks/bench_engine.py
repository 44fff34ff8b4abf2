"""Rules-engine speed: roadmaps for 1,000 varied profiles; prints median and p99 ms per roadmap.

Goal (issue #2): median under 5 ms on a 2-core machine. Run: python benchmarks/bench_engine.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.rules import generate_rules_roadmap
from bot.roadmap.schema import SystemProfile

DATABASES = [
    "MySQL 8 on one VM, no replicas",
    "PostgreSQL 15 on RDS db.r6g.large with 1 read replica",
    "MongoDB replica set (3 nodes)",
    "Aurora MySQL, 2 read replicas, RDS Proxy",
    "MySQL 마스터 1대, 레플리카 없음",
    "PostgreSQL, single node, PgBouncer",
]
SERVERS = [
    "1 VM running everything",
    "2 app servers (Django), sticky sessions",
    "4 containers on ECS behind an ALB",
    "12 pods on EKS with HPA autoscaling",
    "웹 서버 3대, 세션은 서버 메모리",
    "PHP-FPM on 2 droplets",
]
NETWORKS = [None, "nginx, no CDN", "ALB + CloudFront", "Cloudflare CDN, two regions", "로드밸런서, CDN 없음"]
SYMPTOMS = [
    "DB CPU 95% at peak and slow queries on the feed",
    "The site goes down when a post goes viral",
    "Connection pool exhausted at month end; timeouts",
    "Images load slowly for users abroad; bandwidth bill is huge",
    "Gunicorn workers saturated, server CPU 90%",
    "슬로우 쿼리가 많고 피크 때 서비스가 다운됩니다",
    "Report exports run inside requests and time out",
    "N+1 queries in the API, cache misses everywhere",
    "Chat websockets drop when many users join",
]
CURRENCIES = ["USD", "EUR", "KRW", "JPY", "GBP"]


def random_profile(rng: random.Random, index: int) -> SystemProfile:
    current = rng.choice([50, 300, 1200, 5000, 20000, 150000])
    target = current * rng.choice([2, 5, 10, 50, 200, 1000])
    budget: dict[str, object] = {"currency": rng.choice(CURRENCIES)}
    if rng.random() < 0.7:
        budget["monthly_amount"] = rng.choice([0, 500, 2000, 10000, 50000]) * (
            1000 if budget["currency"] in ("KRW", "JPY") else 1
        )
    measurements: dict[str, object] = {}
    if rng.random() < 0.5:
        measurements["peak_rps"] = round(current / rng.uniform(2, 20), 1)
    if rng.random() < 0.5:
        measurements["p95_latency_ms"] = rng.choice([300, 900, 2500, 6000])
    return SystemProfile.model_validate(
        {
            "system_name": f"System {index}",
            "current_users": current,
            "target_users": target,
            "core_features": rng.sample(["feed", "chat", "search", "checkout", "uploads", "reports"], 3),
            "architecture": {
                "database": rng.choice(DATABASES),
                "servers": rng.choice(SERVERS),
                "network": rng.choice(NETWORKS),
            },
            "bottlenecks": ". ".join(rng.sample(SYMPTOMS, rng.randint(1, 3))),
            "budget": budget,
            "measurements": measurements,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    profiles = [random_profile(rng, i) for i in range(args.count)]
    load_catalogue()
    generate_rules_roadmap(profiles[0])  # warm caches (catalogue parse, compiled patterns)
    timings: list[float] = []
    items = 0
    for profile in profiles:
        start = time.perf_counter()
        roadmap = generate_rules_roadmap(profile)
        timings.append((time.perf_counter() - start) * 1000)
        items += sum(len(s.items) for s in roadmap.stages)
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * len(timings)) - 1)]
    print(f"roadmaps: {len(timings)}, items per roadmap: {items / len(timings):.1f}")
    print(f"median: {statistics.median(timings):.2f} ms, p99: {p99:.2f} ms, max: {timings[-1]:.2f} ms")
    print(f"mean: {statistics.fmean(timings):.2f} ms, total: {sum(timings) / 1000:.2f} s")


if __name__ == "__main__":
    main()
