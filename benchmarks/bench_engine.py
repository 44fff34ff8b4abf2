"""Rules-engine speed and figures: the example and golden profiles, plus varied generated ones.

Prints the median and p99 milliseconds per roadmap (goal: median < 5 ms, p99 < 20 ms), then one
line per example and golden profile: capacity now, after each stage, whether the target is
reached, and the monthly cost range, so a reviewer scans the whole suite at once.

Run: python benchmarks/bench_engine.py [--count 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.numbers import compact, money_range
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import Roadmap, SystemProfile

ROOT = Path(__file__).resolve().parent.parent
DATABASES = [
    "MySQL 8 on one 8 vCPU VM, no replicas",
    "PostgreSQL 15 on RDS db.r6g.large with 1 read replica",
    "MongoDB replica set (3 nodes)",
    "Aurora MySQL db.r6g.2xlarge, 2 read replicas, RDS Proxy",
    "MySQL 마스터 1대 (RDS db.m5.2xlarge), 레플리카 없음",
    "PostgreSQL on a $24 droplet, PgBouncer",
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
    "Lock waits and deadlocks on the stock row when the sale opens",
    "N+1 queries in the API, cache misses everywhere",
    "Queries are slow although DB CPU is 20%",
]
CURRENCIES = ["USD", "EUR", "KRW", "JPY", "GBP"]


def random_profile(rng: random.Random, index: int) -> SystemProfile:
    current = rng.choice([50, 300, 1200, 5000, 20000, 150000])
    target = current * rng.choice([2, 5, 10, 50, 100])
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


def named_profiles() -> list[tuple[str, SystemProfile]]:
    """The examples and the golden profiles, by file name."""
    paths = sorted((ROOT / "examples").glob("*.yaml"))
    paths += sorted(p for p in (ROOT / "tests" / "golden").glob("*.yaml") if not p.name.endswith(".expect.yaml"))
    return [(path.stem, load_profile(path)) for path in paths]


def figures(name: str, roadmap: Roadmap) -> str:
    summary = roadmap.summary
    points = [summary.capacity_now, *(s.capacity_after for s in roadmap.stages)]
    path = " -> ".join(compact(p.users) for p in points)
    reached = next((f"stage {s.number}" for s in roadmap.stages if s.capacity_after.meets_target), "no")
    cost = money_range(roadmap.stages[-1].capacity_after.monthly_cost, roadmap.stages[0].items[0].cost.currency)
    binding = summary.capacity_now.binding_tier
    return (
        f"{name[:22]:<22} {compact(summary.current_users):>5} -> {compact(summary.target_users):>5}  "
        f"now/1/2/3: {path:<26} reached: {reached:<8} limit now: {binding:<10} +/month: {cost}"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300, help="generated profiles besides the named ones")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each named profile")
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    named = named_profiles()
    generated = [random_profile(rng, i) for i in range(args.count)]
    load_catalogue()
    generate_rules_roadmap(named[0][1])  # warm caches (catalogue parse, compiled patterns)
    timings: list[float] = []
    named_timings: list[float] = []
    lines: list[str] = []
    for name, profile in named:
        for run in range(args.repeat):
            start = time.perf_counter()
            roadmap = generate_rules_roadmap(profile)
            named_timings.append((time.perf_counter() - start) * 1000)
            if run == 0:
                lines.append(figures(name, roadmap))
    for profile in generated:
        start = time.perf_counter()
        generate_rules_roadmap(profile)
        timings.append((time.perf_counter() - start) * 1000)
    every = named_timings + timings
    print(f"named profiles: {len(named)} x {args.repeat} runs, generated: {len(generated)}")
    print(f"named:     median {statistics.median(named_timings):.2f} ms, p99 {percentile(named_timings, 0.99):.2f} ms")
    if timings:
        print(f"generated: median {statistics.median(timings):.2f} ms, p99 {percentile(timings, 0.99):.2f} ms")
    print(
        f"all:       median {statistics.median(every):.2f} ms, p99 {percentile(every, 0.99):.2f} ms (goal < 5 / < 20)"
    )
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
