"""What a choice costs: one-off and monthly, from the catalogue or the team's own instances and load."""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap import money
from bot.roadmap.costs import CostModel
from bot.roadmap.planning.choice import ZERO, Choice
from bot.roadmap.rounding import money2 as money_round
from bot.roadmap.schema import Range

# Hosted metrics per host and month at list prices (Datadog's infrastructure tier is about $15 a host, APM
# extra; Grafana Cloud and Sentry have free tiers that a few hosts fit in): a default, not a quote.
PER_HOST_MONITORING = 15.0
# The top of a range for one or two servers and one database node, where the catalogue's top is a fleet's
# bill (defaults): backups of tens of GB in object storage (~$0.023/GB-month) or a droplet backup add-on;
# 100-200 GB more disk at $0.08-0.10/GB-month; sessions in the database or a small managed Redis.
SMALL_SYSTEM_MONTHLY = {"backups-pitr": 25.0, "storage-headroom": 20.0, "externalize-session-state": 30.0}
OBJECT_STORAGE_SMALL_MONTHLY = 25.0  # 500 GB at S3's ~$0.023/GB-month list price, plus requests (a default)


@dataclass(frozen=True)
class Pricing:
    """What prices a stage's items: the team's own instances (costs.py) and the load the stage is built for."""

    costs: CostModel
    load_rps: float  # the peak request rate the stage is sized for
    layout: tuple[int, int] = (1, 1)  # (app servers, database nodes) a new cell copies


def _usage_monthly(choice: Choice, pricing: Pricing) -> Range | None:
    """A usage-based monthly cost (USD) for the patterns whose bill follows traffic or instance size."""
    pattern_id = choice.pattern.id
    costs = pricing.costs
    if pattern_id == "cdn-static-assets":
        return costs.cdn_monthly(pricing.load_rps)
    if choice.is_size:  # each size up doubles the price of every node of the tier
        unit, nodes = costs.db_unit(), pricing.layout[1]
        added = (2.0**choice.steps - 2.0**choice.steps_from) * nodes
        return Range.model_construct(low=unit.low * added, high=unit.high * added)
    if pattern_id == "async-queue-workers" and pricing.layout[0] <= 2:
        # a small fleet runs its workers as one more process on the box it has, the queue in its database
        # or Redis: at most a third of a server, not a managed queue
        return Range.model_construct(low=0.0, high=costs.app_unit().high / 3)
    small = pricing.layout[0] <= 2 and pricing.layout[1] <= 1  # one or two servers and one database node
    if pattern_id == "observability-baseline":
        # hosted monitoring is priced per host (free tiers below that): the catalogue's top is a fleet's bill
        hosts = pricing.layout[0] + pricing.layout[1]
        return Range.model_construct(
            low=0.0, high=min(choice.pattern.cost.monthly_usd.high, PER_HOST_MONITORING * hosts)
        )
    if small and pattern_id in SMALL_SYSTEM_MONTHLY:
        return Range.model_construct(low=choice.pattern.cost.monthly_usd.low, high=SMALL_SYSTEM_MONTHLY[pattern_id])
    if pattern_id == "media-object-storage" and pricing.layout[0] <= 2:
        # a small site's uploads are tens to hundreds of GB: object storage at about $0.02 per GB-month
        # plus requests, and the egress the CDN already carries
        return Range.model_construct(low=1.0, high=OBJECT_STORAGE_SMALL_MONTHLY)
    return None


def unit_cost_usd(choice: Choice, pricing: Pricing | None) -> Range:
    """Monthly price of one more unit of what the choice scales, from what the team runs."""
    scaling = choice.pattern.scaling
    assert scaling is not None
    if pricing is not None:
        if scaling.tier == "app":
            return pricing.costs.app_unit()
        if scaling.tier == "database":
            return pricing.costs.db_unit()
        if scaling.tier == "cells":
            app, db = pricing.layout
            app_unit, db_unit = pricing.costs.app_unit(), pricing.costs.db_unit()
            return Range.model_construct(
                low=app * app_unit.low + db * db_unit.low, high=app * app_unit.high + db * db_unit.high
            )
    return scaling.unit_cost_monthly_usd


def price(choice: Choice, currency: str, nodes_per_partition: int = 1, pricing: Pricing | None = None) -> None:
    pattern = choice.pattern
    pricing = pricing or choice.pricing
    choice.pricing = pricing
    if choice.resize_of is not None:  # the lever exists already: only the added units (or sizes) cost
        choice.one_off = ZERO
        usage = _usage_monthly(choice, pricing) if pricing is not None and choice.is_size else None
        monthly = money.range_from_usd(usage, currency) if usage is not None else ZERO
    else:
        choice.one_off = money.range_from_usd(pattern.cost.one_off_usd, currency)
        usage = _usage_monthly(choice, pricing) if pricing is not None else None
        monthly = money.range_from_usd(usage or pattern.cost.monthly_usd, currency)
    choice.base_monthly = monthly
    scaling = pattern.scaling
    if scaling is not None:
        unit_usd = unit_cost_usd(choice, pricing)
        if choice.size_factor != 1.0:
            unit_usd = Range.model_construct(
                low=unit_usd.low * choice.size_factor, high=unit_usd.high * choice.size_factor
            )
        choice.unit_monthly = money.range_from_usd(unit_usd, currency)
    if scaling is not None and choice.units is not None and choice.units_from is not None:
        added = (choice.units - choice.units_from) * nodes_per_partition  # per shard for replicas, per node for shards
        unit = choice.unit_monthly
        monthly = Range.model_construct(
            low=money_round(monthly.low + added * unit.low), high=money_round(monthly.high + added * unit.high)
        )
    choice.monthly = monthly
