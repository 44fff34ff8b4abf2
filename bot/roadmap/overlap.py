"""Which demand cuts relieve a tier by the same mechanism, so the model does not multiply them.

Two caches on the database's read path remove the same reads: with both, the database does not
lose the product of their factors, only what the stronger one removes (the other's hits are
the same reads). Levers that act on different parts of a tier's work (an index on slow scans, a
pool on connection set-up, batching the writes) compound, as the utilisation law says for
independent shares of a service demand. So each (pattern, tier) effect has a mechanism; within a
mechanism the model takes the largest cut (the smallest demand factor), across mechanisms it
multiplies them. An effect not listed here is its own mechanism.

The groups are a judgement written down here (docs/capacity-model.md, section 3); a pattern's
own `effects` source says what share of a tier's work it addresses.
"""

from __future__ import annotations

from bot.roadmap.schema import Tier

# mechanism -> {tier: pattern ids whose effect on that tier works through it}
MECHANISMS: dict[str, dict[Tier, tuple[str, ...]]] = {
    # hot reads answered by a cache instead of the database (and the app work of building them)
    "read cache": {
        "database": ("in-process-cache", "distributed-cache", "edge-page-caching", "cache-stampede-protection"),
        "app": ("in-process-cache", "distributed-cache"),
    },
    # less work per query: indexes, fewer queries per page, fewer rows read, smaller tables
    "query work": {
        "database": ("slow-query-indexes", "n-plus-one-queries", "query-pagination", "partition-large-tables"),
    },
    # aggregate and analytical reads precomputed or moved to a store built for them
    "aggregate reads": {
        "database": ("cqrs-read-models", "pre-aggregated-rollups", "olap-offload", "sorted-set-rankings"),
    },
    # append-heavy and short-lived writes batched or moved off the primary (presence and counters are such writes)
    "write path": {
        "database": ("write-batching-log", "offload-write-heavy-data", "time-series-store", "ephemeral-state-in-redis"),
    },
    # whole responses served by a cache in front of the app (browser, proxy, edge)
    "response cache": {
        "app": ("http-caching", "edge-page-caching"),
    },
    # bytes served from an edge cache instead of the origin (object storage is not here: it moves the
    # cache's misses off the origin, which compounds with the hit ratio)
    "edge cache": {
        "network": ("cdn-static-assets", "video-adaptive-streaming"),
    },
    # media uploads, resizing and streaming taken off the web servers
    "media off the app": {
        "app": ("media-object-storage", "video-adaptive-streaming"),
    },
}

_BY_EFFECT: dict[tuple[str, str], str] = {
    (pattern_id, tier): name
    for name, tiers in MECHANISMS.items()
    for tier, pattern_ids in tiers.items()
    for pattern_id in pattern_ids
}


def mechanism(pattern_id: str, tier: str) -> str:
    """The mechanism by which a pattern cuts a tier's demand; the pattern's own id when it shares none."""
    return _BY_EFFECT.get((pattern_id, tier), f"pattern:{pattern_id}")


def shared_mechanisms() -> frozenset[str]:
    """The mechanisms more than one pattern works through."""
    return frozenset(MECHANISMS)
