"""What one app server or database node costs a month, from what the team runs.

The instance type, a stated price or the vCPUs read from the answers, priced at approximate on-demand list
prices (USD, Linux, about 730 hours a month) as published on the providers' pricing pages in mid-2025, with a
regional factor; fixed here so the engine stays offline and deterministic. Check the pricing page for your
region and date before you commit to a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.roadmap.host_prices import HOSTS, host_for
from bot.roadmap.reading.facts import ArchitectureFacts

PRICES_DATE = "2025-06"
HOURS_PER_MONTH = 730
# USD per hour of the ".large" size (2 vCPU) of each family; sizes scale with the multiplier below.
EC2_LARGE_HOURLY: dict[str, float] = {
    "t3": 0.0832,
    "t3a": 0.0752,
    "t4g": 0.0672,
    "m5": 0.096,
    "m5a": 0.086,
    "m6i": 0.096,
    "m6a": 0.0864,
    "m6g": 0.077,
    "m7i": 0.1008,
    "m7g": 0.0816,
    "c5": 0.085,
    "c6i": 0.085,
    "c6g": 0.068,
    "c7g": 0.0725,
    "c7i": 0.0893,
    "r5": 0.126,
    "r6i": 0.126,
    "r6g": 0.1008,
    "r7g": 0.1071,
}
# RDS single-AZ (MySQL / PostgreSQL list prices are close; PostgreSQL is a few percent higher).
RDS_LARGE_HOURLY: dict[str, float] = {
    "t3": 0.136,
    "t4g": 0.129,
    "m5": 0.171,
    "m6i": 0.171,
    "m6g": 0.152,
    "m7g": 0.168,
    "r5": 0.25,
    "r6i": 0.25,
    "r6g": 0.225,
    "r7g": 0.239,
}
SIZE_FACTOR: dict[str, float] = {
    "nano": 0.0625,
    "micro": 0.125,
    "small": 0.25,
    "medium": 0.5,
    "large": 1,
    "xlarge": 2,
    "2xlarge": 4,
    "4xlarge": 8,
    "8xlarge": 16,
    "12xlarge": 24,
    "16xlarge": 32,
    "24xlarge": 48,
}
# Price of a region relative to us-east-1 for compute (approximate, from the same pricing pages).
REGION_FACTOR: dict[str, float] = {
    "us-east-1": 1.0,
    "us-east-2": 1.0,
    "us-west-2": 1.0,
    "us-west-1": 1.15,
    "ca-central-1": 1.1,
    "eu-west-1": 1.1,
    "eu-west-2": 1.15,
    "eu-central-1": 1.15,
    "eu-north-1": 1.05,
    "ap-northeast-1": 1.25,
    "ap-northeast-2": 1.2,
    "ap-northeast-3": 1.25,
    "ap-southeast-1": 1.2,
    "ap-southeast-2": 1.2,
    "ap-south-1": 1.05,
    "sa-east-1": 1.5,
}
# The same, by the area the fact reader names (`ArchitectureFacts.region_area`, reading/hosting.py).
AREA_FACTOR: dict[str, float] = {
    "us-east": 1.0,
    "us-central": 1.0,
    "us-west": 1.05,
    "eu-west": 1.1,
    "eu-central": 1.15,
    "eu-north": 1.05,
    "korea": 1.2,
    "japan": 1.25,
    "singapore": 1.2,
    "hong-kong": 1.3,
    "australia": 1.2,
    "india": 1.05,
    "south-america": 1.5,
}
REGION_WORDS: dict[str, str] = {
    "seoul": "ap-northeast-2",
    "서울": "ap-northeast-2",
    "tokyo": "ap-northeast-1",
    "도쿄": "ap-northeast-1",
    "osaka": "ap-northeast-3",
    "singapore": "ap-southeast-1",
    "sydney": "ap-southeast-2",
    "mumbai": "ap-south-1",
    "frankfurt": "eu-central-1",
    "ireland": "eu-west-1",
    "london": "eu-west-2",
    "stockholm": "eu-north-1",
    "são paulo": "sa-east-1",
    "sao paulo": "sa-east-1",
    "virginia": "us-east-1",
    "ohio": "us-east-2",
    "oregon": "us-west-2",
    "california": "us-west-1",
}
MANAGED_WORDS = ("rds", "aurora", "cloud sql", "azure database", "managed", "planetscale", "atlas", "supabase", "neon")
MANAGED_PREMIUM = 1.8  # a managed database node costs about 1.8x the same-size VM (db.m6i.large vs m6i.large)
DEFAULT_APP_MONTHLY = 70.0  # an m6i.large-class server in us-east-1
DEFAULT_DB_MONTHLY = 165.0  # a db.r6g.large-class managed database node in us-east-1
DROPLET_DEFAULT = 24.0  # a 2 vCPU / 4 GB basic droplet (DigitalOcean's pricing page)
_EC2 = re.compile(r"\b(?:(db|cache)\.)?([a-z]\d[a-z]?[a-z]?)\.(nano|micro|small|medium|large|\d{0,2}xlarge)\b", re.I)
_VCPU = re.compile(r"(\d{1,3})\s*(?:v?cpus?|vcores?|cores?|코어)", re.I)
_DOLLARS = re.compile(r"\$\s?(\d{1,5})(?:\s*(?:/|a|per)\s*(?:mo|month))?")
_REGION = re.compile(r"\b([a-z]{2}-(?:east|west|central|north|south|northeast|southeast)-\d)\b", re.I)


@dataclass(frozen=True)
class Instance:
    """One node as the team runs it, priced per month (USD), with where the price came from."""

    monthly_usd: float
    label: str
    origin: str  # "read from your answers" or "default"


def stated_region(text: str) -> tuple[str | None, float]:
    lowered = text.lower()
    found = _REGION.search(lowered)
    if found and found.group(1) in REGION_FACTOR:
        return found.group(1), REGION_FACTOR[found.group(1)]
    for word, region in REGION_WORDS.items():
        if word in lowered:
            return region, REGION_FACTOR[region]
    return None, 1.0


def instance_from_text(text: str, *, database: bool, provider: str, region_factor: float) -> Instance | None:
    lowered = text.lower()
    for match in _EC2.finditer(lowered):
        prefix, family, size = match.group(1), match.group(2), match.group(3)
        factor = SIZE_FACTOR.get(size)
        table = RDS_LARGE_HOURLY if prefix == "db" else EC2_LARGE_HOURLY
        if factor is None or family not in table:
            continue
        monthly = table[family] * factor * HOURS_PER_MONTH * region_factor
        multi_az = database and ("multi-az" in lowered or "multi az" in lowered)
        if multi_az:
            monthly *= 2
        label = match.group(0) + (" Multi-AZ" if multi_az else "")
        return Instance(monthly, label, "read from your answers")
    if provider == "digitalocean":
        dollars = _DOLLARS.search(text)
        if not dollars and database and any(w in lowered for w in MANAGED_WORDS):
            host = HOSTS["digitalocean"]  # a managed cluster's node, not a droplet
            return Instance(host.db_usd, host.db_label, "default")
        price = float(dollars.group(1)) if dollars else DROPLET_DEFAULT
        return Instance(price, f"a ${price:g}/month droplet", "read from your answers" if dollars else "default")
    vcpu = _VCPU.search(lowered)
    if vcpu:
        cpus = int(vcpu.group(1))
        if 1 <= cpus <= 192:
            managed = database and any(w in lowered for w in MANAGED_WORDS)
            monthly = cpus * host_for(provider)[0].vcpu_usd * region_factor * (MANAGED_PREMIUM if managed else 1.0)
            kind = "managed" if managed else "VM"
            return Instance(monthly, f"{cpus} vCPU {kind}" if database else f"{cpus} vCPU", "read from your answers")
    return None


def instance_from_facts(facts: ArchitectureFacts | None, tier: str, provider: str, factor: float) -> Instance | None:
    """The fact reader's instance type, stated unit price or vCPUs for a tier, priced; None when it has none."""
    if facts is None:
        return None
    database = tier == "database"
    count = facts.app_servers if tier == "app" else 1 + facts.db_replicas
    for price in facts.stated_prices:
        if price.tier == tier and price.currency == "USD" and (price.per_unit or count >= 1):
            unit = price.monthly if price.per_unit else price.monthly / max(1, count)  # a total over the fleet
            return Instance(unit, f"your ${unit:,.0f}/month", "read from your answers")
    kind = facts.instance_types.get(tier)
    if kind:
        found = instance_from_text(
            kind + (" multi-az" if database and "multi-az" in kind.lower() else ""),
            database=database,
            provider=provider,
            region_factor=factor,
        )
        if found is not None:
            return found
    cpus = facts.vcpus.get(tier)
    if cpus and 1 <= cpus <= 192:
        managed = database and bool(facts.db_managed)
        monthly = cpus * host_for(provider)[0].vcpu_usd * factor * (MANAGED_PREMIUM if managed else 1.0)
        label = f"{cpus} vCPU {'managed' if managed else 'VM'}" if database else f"{cpus} vCPU"
        return Instance(monthly, label, "read from your answers")
    return None
