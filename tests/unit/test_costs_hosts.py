"""Prices from the team's own host: Hetzner, DigitalOcean, Lightsail, GCP, Azure and AWS teams are
priced from their provider's list prices (cited by price page and date), not AWS us-east-1's."""

from __future__ import annotations

import pytest

from bot.roadmap.costs import read_costs
from bot.roadmap.host_prices import HOST_PRICES_DATE, HOSTS
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import SystemProfile


def profile(database: str, servers: str, **more: object) -> SystemProfile:
    data: dict[str, object] = {
        "system_name": "Shop",
        "current_users": 2000,
        "target_users": 40000,
        "core_features": ["catalogue", "checkout"],
        "architecture": {"database": database, "servers": servers},
        "bottlenecks": "DB CPU 85% at the evening peak; pages get slow.",
        "measurements": {"peak_rps": 300},
    }
    data.update(more)
    return SystemProfile.model_validate(data)


CASES = [
    ("hetzner", "PostgreSQL 15 on its own Hetzner server", "3 Hetzner Cloud servers running Rails"),
    ("lightsail", "Lightsail managed database (MySQL)", "2 AWS Lightsail instances running Laravel"),
    ("gcp", "Cloud SQL for PostgreSQL", "6 pods on GKE"),
    ("azure", "Azure Database for PostgreSQL", "4 Azure VMs running .NET"),
    ("aws", "RDS PostgreSQL", "6 EC2 instances behind an ALB"),
]


@pytest.mark.parametrize(("provider", "database", "servers"), CASES)
def test_each_provider_is_priced_from_its_own_list(provider: str, database: str, servers: str) -> None:
    answers = profile(database, servers)
    costs = read_costs(answers, facts=extract_facts(answers))
    host = HOSTS[provider]
    assert costs.provider == provider
    assert costs.app.monthly_usd == pytest.approx(host.app_usd)  # no region named: list price as is
    assert costs.database.monthly_usd == pytest.approx(host.db_usd)
    cited = [a for a in costs.assumptions if host.source in a]
    assert cited and HOST_PRICES_DATE in cited[0] and "Check them" in cited[0]


def test_digitalocean_prices_droplets_and_a_managed_cluster_node() -> None:
    managed = profile("DigitalOcean Managed PostgreSQL", "4 droplets running Node")
    costs = read_costs(managed, facts=extract_facts(managed))
    assert costs.provider == "digitalocean" and not costs.pays_egress
    assert costs.app.monthly_usd == 24  # the Basic droplet
    assert costs.database.monthly_usd == HOSTS["digitalocean"].db_usd  # a managed node, not a $24 droplet
    on_droplet = profile("PostgreSQL on a droplet", "4 droplets running Node")
    assert read_costs(on_droplet, facts=extract_facts(on_droplet)).database.monthly_usd == 24


def test_hosts_that_include_bandwidth_do_not_count_a_cdn_as_saved_egress() -> None:
    for provider, database, servers in CASES:
        answers = profile(database, servers)
        costs = read_costs(answers, facts=extract_facts(answers))
        assert costs.pays_egress == HOSTS[provider].pays_egress


def test_region_premium_applies_to_the_clouds_that_price_by_region_only() -> None:
    seoul_aws = profile("RDS PostgreSQL", "6 EC2 instances in Seoul")
    seoul_hetzner = profile("PostgreSQL on Hetzner", "3 Hetzner servers in Seoul")
    aws = read_costs(seoul_aws, facts=extract_facts(seoul_aws))
    hetzner = read_costs(seoul_hetzner, facts=extract_facts(seoul_hetzner))
    assert aws.app.monthly_usd > HOSTS["aws"].app_usd
    assert hetzner.app.monthly_usd == pytest.approx(HOSTS["hetzner"].app_usd)


def test_what_the_team_states_still_wins_over_the_list() -> None:
    answers = profile("PostgreSQL on Hetzner, a $60/month dedicated server", "3 Hetzner Cloud servers")
    costs = read_costs(answers, facts=extract_facts(answers))
    assert costs.database.monthly_usd == 60 and costs.database.origin != "default"


def test_an_unknown_host_gets_the_stated_aws_default() -> None:
    answers = profile("PostgreSQL", "4 app servers")
    costs = read_costs(answers, facts=extract_facts(answers))
    assert costs.app.monthly_usd == HOSTS["aws"].app_usd and costs.app.label == "m6i.large class"
    assert not any("list prices for what your answers do not size" in a for a in costs.assumptions)


def test_a_hetzner_plan_costs_a_fraction_of_the_same_plan_on_aws() -> None:
    """The same system and growth: the scale-out priced on Hetzner is far below AWS list prices."""
    hetzner = generate_rules_roadmap(profile("PostgreSQL 15 on its own Hetzner server", "3 Hetzner Cloud servers"))
    aws = generate_rules_roadmap(profile("RDS PostgreSQL", "3 EC2 instances"))
    assert [s.capacity_after.users for s in hetzner.stages] == [s.capacity_after.users for s in aws.stages]
    assert 0 < hetzner.stages[-1].capacity_after.monthly_cost.high < aws.stages[-1].capacity_after.monthly_cost.high
    assert any("Hetzner Cloud list prices" in a for a in hetzner.summary.assumptions)


def test_vcpus_are_priced_at_the_hosts_rate() -> None:
    """'8 vCPU' on Hetzner is not 8 x an EC2 vCPU."""
    hetzner = profile("PostgreSQL on a Hetzner server with 8 vCPU", "3 Hetzner servers, 8 vCPU each")
    aws = profile("PostgreSQL on EC2, 8 vCPU", "3 EC2 servers, 8 vCPU each")
    on_hetzner = read_costs(hetzner, facts=extract_facts(hetzner))
    on_aws = read_costs(aws, facts=extract_facts(aws))
    assert on_hetzner.app.monthly_usd == pytest.approx(8 * HOSTS["hetzner"].vcpu_usd)
    assert on_aws.app.monthly_usd == pytest.approx(8 * HOSTS["aws"].vcpu_usd)
    assert on_hetzner.app.monthly_usd < on_aws.app.monthly_usd / 3
