"""The example profile `scale-review example` prints: the case study's community service, structured."""

from __future__ import annotations

EXAMPLE_PROFILE: dict[str, object] = {
    "system_name": "Moa Community",
    "current_users": 1200,
    "target_users": 1000000,
    "core_features": ["News feed with likes and comments", "Image uploads", "Real-time chat", "Search"],
    "architecture": {
        "database": "MySQL 8 on a single 8 vCPU VM, 400 GB, no replicas",
        "servers": "2 app servers (Django + Gunicorn, 4 vCPU each) on AWS EC2, sticky sessions",
        "network": "nginx in front of the app servers, no CDN, one region (Seoul)",
    },
    "bottlenecks": (
        "The site goes down whenever a post goes viral. DB CPU hits 95% at peak and the feed query is slow.\n"
        "Images are served by the app servers. Adding a bigger server doubled the bill but barely helped."
    ),
    "budget": {"monthly_amount": 5000, "currency": "USD", "constraints": "Two backend engineers; no DBA."},
    "measurements": {"peak_rps": 220, "p95_latency_ms": 2800, "error_rate_pct": 4.5},
}
