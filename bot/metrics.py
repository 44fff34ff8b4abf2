"""What an operator watches, in Prometheus's text format at GET /metrics (prometheus-client).

Counted where it happens: reviews submitted and posted, generation time, engine fallbacks, LLM tokens,
Slack's 429s, nudges sent and failed, and how long the request boundary takes to answer Slack. Each process
keeps its own figures (with WEB_CONCURRENCY > 1, scrape each worker or sum them in Prometheus).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

REVIEWS_SUBMITTED = Counter(
    "scale_review_reviews_submitted", "Questionnaires stored (Slack and CLI)", registry=REGISTRY
)
ROADMAPS_POSTED = Counter(
    "scale_review_roadmaps_posted", "Roadmap versions fully posted in their thread", registry=REGISTRY
)
GENERATION_SECONDS = Histogram(
    "scale_review_generation_seconds",
    "Time from the start of a generation to the stored roadmap, by engine",
    ["engine"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120),
    registry=REGISTRY,
)
ENGINE_FALLBACKS = Counter(
    "scale_review_engine_fallbacks", "Generations where the rules engine stood in for a failed one", registry=REGISTRY
)
LLM_TOKENS = Counter("scale_review_llm_tokens", "Tokens the AI engine used", ["kind"], registry=REGISTRY)
SLACK_RATE_LIMITED = Counter(
    "scale_review_slack_rate_limited", "Slack Web API calls answered with HTTP 429 (each is retried)", registry=REGISTRY
)
NUDGES_SENT = Counter("scale_review_nudges_sent", "Weekly check-ins and completion messages posted", registry=REGISTRY)
NUDGES_FAILED = Counter("scale_review_nudges_failed", "Weekly check-ins that could not be posted", registry=REGISTRY)
ACK_SECONDS = Histogram(
    "scale_review_ack_seconds",
    "Time to answer a Slack request (HTTP), from the body read to the response, by outcome",
    ["outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
