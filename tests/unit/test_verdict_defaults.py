"""A verdict that stops on a tier whose utilisation the team never gave says so, and what to measure."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bot.roadmap.korean.localize import localize
from bot.roadmap.profile_io import load_profile
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rules.generate import generate_rules_roadmap

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def test_a_wall_on_a_default_utilisation_asks_for_the_measurement() -> None:
    profile = load_profile(GOLDEN / "salon-booking-ko.yaml").model_copy(update={"language": "en"})
    roadmap = generate_rules_roadmap(profile)
    assert not roadmap.summary.target_reachable
    assert "rests on a default utilisation" in roadmap.summary.verdict
    assert "measure " in roadmap.summary.verdict.split("rests on a default utilisation")[1]


def test_the_hedge_reads_in_korean() -> None:
    profile = load_profile(GOLDEN / "salon-booking-ko.yaml").model_copy(update={"language": "ko"})
    roadmap = localize(generate_rules_roadmap(profile).model_copy(update={"language": "ko"}), profile)
    assert "측정값이 아니라 기본 사용률에서 나왔습니다" in roadmap.summary.verdict
    assert "rests on" not in roadmap.summary.verdict


def test_a_measured_wall_is_not_hedged() -> None:
    profile = load_profile(GOLDEN / "mature-stack.yaml")
    hedged = generate_rules_roadmap(profile)
    wall = hedged.stages[-1].capacity_after.binding_tier
    assert wall == "app" and "rests on a default utilisation" in hedged.summary.verdict
    measured = profile.model_copy(update={"bottlenecks": profile.bottlenecks + "\nApp servers run at 95% CPU at peak."})
    roadmap = generate_rules_roadmap(measured)
    assert not roadmap.summary.target_reachable
    # the wall is now a tier the team measured (the app servers at 95%, or the writer at 65%): no hedge
    assert roadmap.stages[-1].capacity_after.binding_tier in extract_facts(measured).quoted_utilisation
    assert "rests on a default utilisation" not in roadmap.summary.verdict


def test_a_scale_out_sized_on_a_default_says_what_to_measure_first() -> None:
    roadmap = generate_rules_roadmap(load_profile(GOLDEN / "b2b-multitenant-api.yaml"))
    grown = [i for i in roadmap.items() if i.pattern_id == "read-replicas" and not i.deferred]
    assert grown and "This count rests on a default utilisation of the database" in grown[0].why
    assert "measure DB CPU at peak" in grown[0].why
    # a tier the team measured is sized on that figure, with no such warning
    measured = generate_rules_roadmap(load_profile(GOLDEN / "mature-stack.yaml"))  # "writer at 65%"
    assert not any(
        "default utilisation of the database" in i.why for i in measured.items() if i.pattern_id == "read-replicas"
    )


def test_a_budget_that_binds_only_at_the_top_of_the_ranges_says_the_target_may_fit() -> None:
    # $400 of which the $48 droplet is spent; the full path costs about $250-$480 more a month
    rails = load_profile(GOLDEN / "rails-droplet.yaml")
    rails = rails.model_copy(update={"budget": rails.budget.model_copy(update={"monthly_amount": Decimal(400)})})
    roadmap = generate_rules_roadmap(rails)
    verdict = roadmap.summary.verdict
    assert verdict.startswith("The target fits the budget only if costs land low")
    assert "Target not reachable within the budget" not in verdict
    korean = rails.model_copy(update={"language": "ko"})
    localized = localize(generate_rules_roadmap(korean).model_copy(update={"language": "ko"}), korean)
    assert localized.summary.verdict.startswith("비용이 범위의 아래쪽에 머물 때만")
