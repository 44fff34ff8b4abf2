"""The bytes a team says it serves a month size the CDN and say what the audience at the target costs to serve."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.roadmap.costs import CDN_PER_GB, read_costs
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.traffic import monthly_egress_gb

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.mark.parametrize(
    ("text", "gb"),
    [
        ("Egress is our biggest bill: about 380 TB a month from EC2 and S3, roughly $28k.", 380_000),
        ("이미지 트래픽(월 250TB)이 서버를 거쳐 나가서 EC2 네트워크 비용이 너무 큽니다.", 250_000),
        ("We serve 1.2 PB per month of video.", 1_200_000),
        ("Monthly egress is about 40 TB.", 40_000),
        ("We keep all data forever; storage grows 600 GB a month.", None),  # stored, not served
        ("Four engineers, no data engineer.", None),
    ],
)
def test_the_bytes_served_a_month(text: str, gb: float | None) -> None:
    assert monthly_egress_gb(text) == gb


def test_the_stated_volume_sizes_the_bytes_per_request() -> None:
    profile = load_profile(GOLDEN / "video-platform.yaml")
    costs = read_costs(profile)
    # 380 TB over a month of requests at 30% of the measured 1,500 req/s peak
    assert costs.gb_per_month(float(profile.measurements.peak_rps or 0)) == pytest.approx(380_000, rel=0.01)
    assert any(a.startswith("[you said]") and "KB/request" in a for a in costs.assumptions)


def test_the_audience_at_the_target_is_priced_and_flagged_against_the_budget() -> None:
    roadmap = generate_rules_roadmap(load_profile(GOLDEN / "video-platform.yaml"))
    note = next(n for n in roadmap.notes if n.startswith("Bandwidth"))
    assert "380 TB a month" in note and "3.8 PB" in note  # ten times the users, ten times the bytes
    assert "$76,000–$323,000" in note  # 3.8M GB at $0.02-0.085
    assert "exceed the budget" in note  # against $40,000 a month


def test_no_stated_volume_no_note() -> None:
    roadmap = generate_rules_roadmap(load_profile(GOLDEN / "tiny-startup.yaml"))
    assert not any(n.startswith("Bandwidth") for n in roadmap.notes)


def test_a_host_that_includes_bandwidth_is_priced_at_a_bandwidth_cdn() -> None:
    hetzner = read_costs(load_profile(GOLDEN / "podcast-downloads.yaml"))  # Hetzner dedicated servers
    aws = read_costs(load_profile(GOLDEN / "video-platform.yaml"))
    assert hetzner.cdn_per_gb.high < aws.cdn_per_gb.low + 0.02  # bunny-class, not CloudFront list prices
    assert not hetzner.pays_egress and aws.pays_egress
    # the bytes cost a fraction of CloudFront's list price through a bandwidth CDN, with no request fees
    assert hetzner.cdn_monthly(5000).high == pytest.approx(hetzner.gb_per_month(5000) * hetzner.cdn_per_gb.high)
    assert hetzner.cdn_monthly(5000).high < hetzner.gb_per_month(5000) * CDN_PER_GB.high / 2
