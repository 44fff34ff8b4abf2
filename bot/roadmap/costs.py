"""Costs from usage, starting from what the team runs.

Instances are priced as count x the monthly price of the instance the team already runs (instance_prices.py),
bandwidth by the GB from requests x bytes per request. Where the answers do not say, a stated default stands
in, and every price assumption is returned as text for the roadmap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.i18n import N_, Language, t
from bot.roadmap.host_prices import HOST_PRICES_DATE, HostPrices, host_for
from bot.roadmap.instance_prices import (
    AREA_FACTOR,
    PRICES_DATE,
    Instance,
    instance_from_facts,
    instance_from_text,
    stated_region,
)
from bot.roadmap.reading.facts import ArchitectureFacts
from bot.roadmap.rounding import money2, sig
from bot.roadmap.schema import Range, SystemProfile
from bot.roadmap.traffic import link_bps, monthly_egress_gb
from bot.roadmap.wording import origin as origin_name

SECONDS_PER_MONTH = 2_628_000
CDN_PER_10K_REQUESTS = Range(low=0.0075, high=0.01)  # HTTPS request fees (CloudFront's pricing page)
# Flat-rate CDN plans (Cloudflare's Free, Pro and Business plans on its pricing page) do not meter cacheable
# static traffic: up to 5 TB a month a site fits the $0-25 plans, up to 50 TB the $250 one (stated defaults;
# beyond that, contracts are priced by usage).
FLAT_RATE_CDN: tuple[tuple[float, float], ...] = ((5_000.0, 25.0), (50_000.0, 250.0))
BYTES_PER_REQUEST = 40_000  # average response size over all requests (pages, JSON, assets), default
MEDIA_BYTES_PER_REQUEST = 100_000  # the same where images or video are served
AVERAGE_PER_PEAK = 0.3  # average traffic over a month as a share of the peak (default)
CDN_PER_GB = Range(low=0.02, high=0.085)  # CloudFront's volume tiers down from its first 10 TB price
# A team whose host includes its bandwidth (Hetzner, DigitalOcean, a VPS) buys a bandwidth-priced CDN, not a
# hyperscaler's: bunny.net pricing ('Volume Network' from $0.005/GB, 'Standard Network' $0.01-0.06/GB by region,
# no request fees), list prices to check. The range is a stated default across those tiers.
CDN_PER_GB_BULK = Range(low=0.005, high=0.03)
CLOUDS = ("aws", "gcp", "azure", "unknown")  # bill origin egress by the GB (an unknown host is priced as AWS)
ORIGIN_EGRESS_PER_GB = 0.09  # EC2 internet egress, first 10 TB tier


@dataclass(frozen=True)
class CostModel:
    app: Instance
    database: Instance
    provider: str
    region: str | None
    region_factor: float
    bytes_per_request: float
    assumptions: list[str] = field(default_factory=list)

    def gb_per_month(self, peak_rps: float) -> float:
        return self.requests_per_month(peak_rps) * self.bytes_per_request / 1e9

    def requests_per_month(self, peak_rps: float) -> float:
        return peak_rps * AVERAGE_PER_PEAK * SECONDS_PER_MONTH

    @property
    def pays_egress(self) -> bool:
        """Clouds bill origin egress by the GB; hosting plans mostly include a bandwidth quota."""
        return self.provider in CLOUDS

    @property
    def cdn_per_gb(self) -> Range:
        """What a GB through the CDN costs this team: a hyperscaler's CDN on a cloud, a bandwidth CDN otherwise."""
        return CDN_PER_GB if self.pays_egress else CDN_PER_GB_BULK

    def cdn_monthly(self, peak_rps: float) -> Range:
        """A CDN's added monthly bill: request fees plus per-GB fees, less the origin egress it replaces."""
        gb = self.gb_per_month(peak_rps)
        # bandwidth CDNs bill the bytes only; the hyperscalers' also bill requests
        requests = self.requests_per_month(peak_rps) / 10_000 if self.pays_egress else 0.0
        saved = ORIGIN_EGRESS_PER_GB if self.pays_egress else 0.0
        per_gb = self.cdn_per_gb
        low = max(0.0, requests * CDN_PER_10K_REQUESTS.low + gb * (per_gb.low - saved))
        high = max(low, requests * CDN_PER_10K_REQUESTS.high + gb * (per_gb.high - saved))
        for max_gb, monthly in FLAT_RATE_CDN:  # a flat-rate plan carries cacheable static files at this volume
            if gb <= max_gb:
                low, high = 0.0, min(high, monthly)
                break
        return Range.model_construct(low=low, high=high)

    def app_unit(self) -> Range:
        price = self.app.monthly_usd
        return Range.model_construct(low=price * 0.9, high=price * 1.1)

    def db_unit(self) -> Range:
        price = self.database.monthly_usd
        return Range.model_construct(low=price * 0.9, high=price * 1.1)


def _provider(text: str) -> str:
    lowered = text.lower()
    if "lightsail" in lowered:
        return "lightsail"
    if any(w in lowered for w in ("droplet", "digitalocean", "digital ocean")):
        return "digitalocean"
    if "hetzner" in lowered or "헤츠너" in lowered:
        return "hetzner"
    if any(w in lowered for w in ("ovh", "linode", "vultr", "bare metal", "on-prem", "온프레미스", "idc")):
        return "hosting"
    if any(w in lowered for w in ("gcp", "google cloud", "cloud sql", "gke", "compute engine")):
        return "gcp"
    if any(w in lowered for w in ("azure",)):
        return "azure"
    if any(w in lowered for w in ("aws", "ec2", "rds", "aurora", "ecs", "eks", "fargate", "elasticache", "alb")):
        return "aws"
    return "unknown"


def _host_note(host: HostPrices, lang: Language) -> str:
    """Where a provider's default prices come from, to be checked: list prices, by the price page's title."""
    text = t(
        lang,
        "{host} list prices for what your answers do not size: {source}, {date}. Check them for your "
        "region and plan before you commit to a figure.",
        host=host.name,
        source=host.source,
        date=HOST_PRICES_DATE,
    )
    return f"[{origin_name('default', lang)}] {text}"


def read_costs(profile: SystemProfile, media_heavy: bool = False, facts: ArchitectureFacts | None = None) -> CostModel:
    """What one more app server or database node costs this team a month, and the other price assumptions.

    The fact reader's readings come first (instance types, stated prices, vCPUs, provider, region);
    this module's own reading of the text stands in where it has none.
    """
    arch = profile.architecture
    everything = "\n".join([arch.database, arch.servers, arch.network or ""])
    provider = (facts.provider if facts is not None and facts.provider else None) or _provider(everything)
    if provider in ("aws", "unknown") and _provider(everything) == "lightsail":
        provider = "lightsail"  # AWS's bundled plans, priced as Lightsail prices them
    host, own_prices = host_for(provider)
    region, factor = stated_region(everything)
    if region is None and facts is not None and facts.region_area in AREA_FACTOR:
        region, factor = facts.region_area, AREA_FACTOR[facts.region_area]
    host_factor = factor if host.region_priced else 1.0
    notes: list[str] = []
    app = instance_from_facts(facts, "app", provider, host_factor) or instance_from_text(
        arch.servers, database=False, provider=provider, region_factor=host_factor
    )
    if app is None:  # the provider's own list price, or AWS's as the stated default
        app = Instance(host.app_usd * host_factor, host.app_label if own_prices else "m6i.large class", "default")
    database = instance_from_facts(facts, "database", provider, host_factor) or instance_from_text(
        arch.database, database=True, provider=provider, region_factor=host_factor
    )
    if database is None:
        label = host.db_label if own_prices else "db.r6g.large class"
        database = Instance(host.db_usd * host_factor, label, "default")
    host_note = (
        _host_note(host, profile.language or "en")
        if own_prices and "default" in (app.origin, database.origin)
        else None
    )
    where = provider.upper() if provider in ("aws", "gcp") else provider
    lang = profile.language or "en"
    origin = "you said" if app.origin != "default" or database.origin != "default" else "default"
    if not host.region_priced:
        region_text = t(lang, "no region premium applied")
    elif region in (None, "us-east-1", "us-east"):
        region_text = "us-east-1" if region else t(lang, "{region} (region not stated)", region="us-east-1")
    else:
        region_text = f"{region} x{factor:g}"
    stated = t(lang, "default") + ": "
    app_origin = stated if app.origin == "default" else ""
    db_origin = stated if database.origin == "default" else ""
    prices = t(
        lang,
        "+1 app server ~${app}/mo ({app_label}, {where}), +1 DB node ~${db}/mo ({db_label}); {region}; {date} prices.",
        app=f"{money2(app.monthly_usd):,.0f}",
        app_label=f"{app_origin}{_label(app.label, lang)}",
        where=where,
        db=f"{money2(database.monthly_usd):,.0f}",
        db_label=f"{db_origin}{_label(database.label, lang)}",
        region=region_text,
        date=PRICES_DATE,
    )
    notes.append(f"[{origin_name(origin, lang)}] {prices}")
    per_request: float = MEDIA_BYTES_PER_REQUEST if media_heavy else BYTES_PER_REQUEST
    bytes_origin = "default"
    stated_gb = monthly_egress_gb("\n".join([everything, profile.bottlenecks]))
    peak = profile.measurements.peak_rps
    if stated_gb and peak:  # the bytes they serve a month over the requests a month at their measured peak
        per_request = stated_gb * 1e9 / (float(peak) * AVERAGE_PER_PEAK * SECONDS_PER_MONTH)
        bytes_origin = "you said"
    elif peak and facts is not None and "network" in facts.quoted_utilisation:
        # "the 1 Gbit/s NIC runs at 85% at the peak": the bytes a second at the peak over the requests a second
        link = link_bps("\n".join([profile.architecture.network or "", profile.bottlenecks, everything]))
        if link is not None:
            per_request = link * facts.quoted_utilisation["network"] / 8 / float(peak)
            bytes_origin = "derived"
    cdn = CDN_PER_GB if provider in CLOUDS else CDN_PER_GB_BULK
    traffic = t(
        lang,
        "{size} KB/request, average {average} of peak; CDN ${low}-{high}/GB vs egress ${egress}/GB.",
        size=f"{sig(per_request / 1000, 2):g}",
        average=f"{AVERAGE_PER_PEAK:.0%}",
        low=f"{cdn.low:g}",
        high=f"{cdn.high:g}",
        egress=f"{ORIGIN_EGRESS_PER_GB:g}",
    )
    notes.append(f"[{origin_name(bytes_origin, lang)}] {traffic}")
    if host_note:
        notes.append(host_note)
    return CostModel(
        app=app,
        database=database,
        provider=provider,
        region=region,
        region_factor=factor,
        bytes_per_request=per_request,
        assumptions=notes,
    )


_LABELS = (
    (re.compile(r"your \$([\d,.]+)/month"), N_("your ${price}/month")),
    (re.compile(r"a \$([\d,.]+)/month droplet"), N_("a ${price}/month droplet")),
    (re.compile(r"(\S+) class"), N_("{price} class")),
)


def _label(label: str, lang: Language) -> str:
    """An instance's label ("your $24/month", "m6i.large class") in the reader's language."""
    for pattern, message in _LABELS:
        found = pattern.fullmatch(label)
        if found:
            return t(lang, message, price=found.group(1))
    return label
