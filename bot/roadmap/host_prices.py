"""List prices of one more app server and one more database node, per hosting provider.

A team on Hetzner or a $24 droplet must not be priced at AWS us-east-1 rates: one more server
there costs a fraction of an m6i.large. Where the answers name the provider but not the instance,
its own entry-level production sizes below stand in, cited by the price page they come from and
dated; the roadmap prints them as list prices to check. An unknown provider gets the AWS figures,
printed as a default.

The figures are monthly list prices (USD; Hetzner's are in EUR, converted at money.py's dated
rate), fixed here so the engine stays offline and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap import money

HOST_PRICES_DATE = "2025-06"


@dataclass(frozen=True)
class HostPrices:
    name: str  # as the roadmap names the provider
    app_usd: float  # one more app server a month
    app_label: str
    db_usd: float  # one more database node a month (a replica or a shard member of the same size)
    db_label: str
    source: str  # the price pages, by their titles
    pays_egress: bool  # False: the plan includes a bandwidth allowance, so a CDN saves no egress bill
    region_priced: bool  # True: the price differs by region (the region factor applies)
    vcpu_usd: float = 35.0  # one vCPU of a general-purpose server a month, for answers that give vCPUs


def _eur(amount: float) -> float:
    return round(money.to_usd(amount, "EUR"), 2)


HOSTS: dict[str, HostPrices] = {
    "aws": HostPrices(
        "AWS",
        70.0,
        "m6i.large (2 vCPU, 8 GB)",
        165.0,
        "RDS db.r6g.large (2 vCPU, 16 GB)",
        "'Amazon EC2 On-Demand Pricing', 'Amazon RDS for PostgreSQL Pricing' (us-east-1)",
        pays_egress=True,
        region_priced=True,
        vcpu_usd=35.0,
    ),
    "gcp": HostPrices(
        "Google Cloud",
        49.0,
        "e2-standard-2 (2 vCPU, 8 GB)",
        100.0,
        "Cloud SQL, 2 vCPU, 8 GB",
        "'VM instance pricing' (Compute Engine), 'Cloud SQL pricing' (us-central1)",
        pays_egress=True,
        region_priced=True,
        vcpu_usd=24.5,
    ),
    "azure": HostPrices(
        "Azure",
        70.0,
        "D2s v5 (2 vCPU, 8 GB)",
        130.0,
        "Azure Database for PostgreSQL flexible server, D2ds v5",
        "'Linux Virtual Machines Pricing', 'Azure Database for PostgreSQL pricing' (East US)",
        pays_egress=True,
        region_priced=True,
        vcpu_usd=35.0,
    ),
    "digitalocean": HostPrices(
        "DigitalOcean",
        24.0,
        "Basic Droplet (2 vCPU, 4 GB)",
        60.0,
        "Managed PostgreSQL/MySQL node (2 vCPU, 4 GB)",
        "'Droplet Pricing', 'Managed Databases Pricing' (DigitalOcean)",
        pays_egress=False,
        region_priced=False,
        vcpu_usd=12.0,
    ),
    "lightsail": HostPrices(
        "AWS Lightsail",
        24.0,
        "Lightsail instance (2 vCPU, 4 GB)",
        60.0,
        "Lightsail standard database (4 GB)",
        "'Amazon Lightsail Pricing' (instance and database plans)",
        pays_egress=False,
        region_priced=False,
        vcpu_usd=12.0,
    ),
    "hetzner": HostPrices(
        "Hetzner Cloud",
        _eur(15.0),
        "CPX-class server (4 vCPU, 8 GB)",
        _eur(30.0),
        "CCX-class server (4 dedicated vCPU, 16 GB), database run by you",
        "Hetzner Cloud price list (hetzner.com/cloud; EUR, before VAT)",
        pays_egress=False,
        region_priced=False,
        vcpu_usd=_eur(7.5),  # a dedicated vCPU (CCX-class), what a database or a busy app server gets
    ),
    "vps": HostPrices(
        "Linode/Vultr-class VPS",
        24.0,
        "VPS (2 vCPU, 4 GB)",
        48.0,
        "VPS (4 vCPU, 8 GB), database run by you",
        "'Pricing' pages of Linode (Akamai) and Vultr (shared-CPU plans)",
        pays_egress=False,
        region_priced=False,
        vcpu_usd=12.0,
    ),
}
VPS_PROVIDERS = frozenset({"linode", "vultr", "ovh", "hosting"})


def host_for(provider: str) -> tuple[HostPrices, bool]:
    """The provider's price list, and whether it is the provider's own (False: AWS figures as a default)."""
    if provider in HOSTS:
        return HOSTS[provider], True
    if provider in VPS_PROVIDERS:
        return HOSTS["vps"], True
    return HOSTS["aws"], False
