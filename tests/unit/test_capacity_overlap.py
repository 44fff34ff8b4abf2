"""Demand cuts by the same mechanism do not multiply (bot/roadmap/overlap.py).

Two caches on the database's read path remove the same reads; an index and a query rewrite
remove the same wasted query work. With both, a tier gains what the stronger one gives, never
the product; cuts by different mechanisms still compound. Checked on the real catalogue and the
planner's own Mix, within one stage and across stages.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.roadmap.calibration import build_baseline, size_room
from bot.roadmap.capacity import SCENARIOS, Projection
from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.costs import read_costs
from bot.roadmap.overlap import MECHANISMS, mechanism
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.mix import Mix
from bot.roadmap.planning.prices import Pricing, price
from bot.roadmap.planning.ranking import rank, redundant
from bot.roadmap.planning.sizing import size_scaling, unit_cap
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.schema import SystemProfile

CATALOGUE = load_catalogue()
CUTS = [p for p in CATALOGUE.patterns if p.effects and p.scaling is None]


def _profile() -> SystemProfile:
    return SystemProfile.model_validate(
        {
            "system_name": "Shop",
            "current_users": 1000,
            "target_users": 100_000,
            "core_features": ["catalogue", "checkout", "photos"],
            "architecture": {
                "database": "PostgreSQL 15, one node",
                "servers": "4 app servers",
                "network": "nginx serves uploaded photos, no CDN",
            },
            "bottlenecks": "DB CPU 80% at lunch; lock waits on the stock row; images are slow.",
            "measurements": {"peak_rps": 200},
        }
    )


_PROFILE = _profile()


def _start() -> Projection:
    profile = _PROFILE
    base = build_baseline(profile, extract_facts(profile))
    assert set(base.state.tiers) == {"app", "database", "network", "contention"}
    return Projection(base.state, base.state, base.state)


START = _start()


def _choice(pattern_id: str) -> Choice:
    return Choice(CATALOGUE.get(pattern_id), [])


def _tier(choices: list[Choice], tier: str, start: Projection = START) -> float:
    return Mix(start, choices).tier_rps("expected", tier)  # type: ignore[arg-type]


def test_every_listed_pattern_exists_and_cuts_the_tier_it_is_listed_for() -> None:
    for name, tiers in MECHANISMS.items():
        for tier, ids in tiers.items():
            for pattern_id in ids:
                pattern = CATALOGUE.get(pattern_id)
                assert tier in [e.tier for e in pattern.effects], (name, pattern_id, tier)
                assert mechanism(pattern_id, tier) == name


def test_two_caches_on_the_read_path_give_the_larger_not_the_product() -> None:
    alone = _tier([], "database")
    local = _tier([_choice("in-process-cache")], "database")
    shared = _tier([_choice("distributed-cache")], "database")
    both = _tier([_choice("in-process-cache"), _choice("distributed-cache")], "database")
    assert shared > local > alone
    assert math.isclose(both, max(local, shared))
    assert both < local * shared / alone  # what multiplying the factors used to claim


def test_cuts_by_different_mechanisms_compound() -> None:
    alone = _tier([], "database")
    index = _tier([_choice("slow-query-indexes")], "database")
    pool = _tier([_choice("connection-pooling")], "database")
    both = _tier([_choice("slow-query-indexes"), _choice("connection-pooling")], "database")
    assert math.isclose(both, index * pool / alone)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from([p.id for p in CUTS]), min_size=0, max_size=5, unique=True),
    st.sampled_from([p.id for p in CUTS]),
)
def test_adding_an_overlapping_cut_never_adds_more_than_the_larger_of_the_two(others: list[str], extra: str) -> None:
    """On every tier, the set plus one cut carries at most max(set, set with only that cut's stronger mechanism)."""
    base = [_choice(i) for i in others if i != extra]
    mix = Mix(START, base)
    with_extra = Mix(START, [*base, _choice(extra)])
    for effect in CATALOGUE.get(extra).effects:
        tier = effect.tier
        same = [
            c
            for c in base
            if any(
                mechanism(c.pattern.id, e.tier) == mechanism(extra, tier) for e in c.pattern.effects if e.tier == tier
            )
        ]
        before, after = mix.tier_rps("expected", tier), with_extra.tier_rps("expected", tier)
        assert after >= before * (1 - 1e-9)  # a cut never lowers capacity
        if same:
            # the gain on this tier is at most what the extra cut alone would add over the strongest of its kind
            rival = min(c.picked_effects()[[e.tier for e in c.pattern.effects].index(tier)][1][1] for c in same)
            own = effect.demand_factor.mid
            assert after / before <= max(1.0, rival / own) * (1 + 1e-9)
        for scenario in SCENARIOS:  # leave-one-out agrees with building the set without it
            left_out = with_extra.tier_rps(scenario, tier, without=with_extra.choices[-1])
            assert math.isclose(left_out, mix.tier_rps(scenario, tier), rel_tol=1e-9)


def test_a_later_stage_cut_by_the_same_mechanism_adds_only_what_it_removes_beyond_the_earlier_one() -> None:
    stage1 = Mix(START, [_choice("distributed-cache")])
    after1 = stage1.projection()
    weaker = Mix(after1, [_choice("in-process-cache")])
    assert math.isclose(weaker.tier_rps("expected", "database"), stage1.tier_rps("expected", "database"))
    stronger_first = Mix(START, [_choice("in-process-cache")]).projection()
    then = Mix(stronger_first, [_choice("distributed-cache")])
    assert math.isclose(then.tier_rps("expected", "database"), _tier([_choice("distributed-cache")], "database"))


def test_the_planner_drops_a_cut_that_adds_nothing_beyond_a_stronger_one_of_its_kind() -> None:
    """Two stage-1 caches for a database-bound target: the weaker one is redundant for capacity."""
    choices = [_choice("edge-page-caching"), _choice("cache-stampede-protection")]
    mix = Mix(START, choices)
    need = START.expected.system_rps() * 50
    rank(mix, need, "USD")
    dropped = {c.pattern.id for c in redundant(mix, need)}
    assert "cache-stampede-protection" in dropped  # its database cut is inside the page cache's
    assert "edge-page-caching" not in dropped


def test_pairs_of_the_same_mechanism_in_the_whole_catalogue() -> None:
    """Every same-mechanism pair gives the larger gain on that tier, in every scenario."""
    for name, tiers in MECHANISMS.items():
        for tier, ids in tiers.items():
            for first, second in itertools.combinations(ids, 2):
                for scenario in SCENARIOS:
                    one = Mix(START, [_choice(first)]).tier_rps(scenario, tier)  # type: ignore[arg-type]
                    two = Mix(START, [_choice(second)]).tier_rps(scenario, tier)  # type: ignore[arg-type]
                    both = Mix(START, [_choice(first), _choice(second)]).tier_rps(scenario, tier)  # type: ignore[arg-type]
                    assert math.isclose(both, max(one, two)), (name, first, second, scenario)


# --- growing the database by instance sizes, and the app fleet's fan-in cap ----------------------------


def test_size_room_stops_at_the_largest_size_and_at_three_steps() -> None:
    assert size_room("db.r6g.large") == 3  # up to 8x: 4xlarge
    assert size_room("db.r6g.4xlarge") == 2  # 16xlarge is the largest most families offer
    assert size_room("db.r6g.16xlarge") == 0
    assert size_room(None) == 3


def test_a_later_stage_grows_the_database_by_as_many_sizes_as_the_goal_needs() -> None:
    """No replicas in the stage: the database grows by sizes, each doubling every node's price."""
    first = _choice("database-scale-up")
    after1 = Mix(START, [first]).projection()
    assert after1.expected.tiers["database"].size_steps == 1
    again = Choice(CATALOGUE.get("database-scale-up"), [], resize_of=first, steps=1, steps_from=1)
    db_now = Mix(after1, []).tier_rps("expected", "database")
    size_scaling([again], after1, db_now * 1.9, lambda rps: int(rps))
    assert again.steps == 3 and again.active  # one size gives x1.5, two x2.4 (factor 0.65 a size)
    assert Mix(after1, [again]).tier_rps("expected", "database") >= db_now * 1.9
    costs = read_costs(_PROFILE, facts=extract_facts(_PROFILE))
    price(again, "USD", pricing=Pricing(costs=costs, load_rps=1.0, layout=(4, 1)))
    unit = costs.db_unit()
    assert again.monthly.high == pytest.approx((2**3 - 2**1) * unit.high, rel=0.05)  # 2x -> 8x of one node
    size_scaling([again], after1, db_now * 0.5, lambda rps: int(rps))
    assert again.steps == again.steps_from and not again.active  # not needed: no item


def test_the_app_fleet_cap_grows_with_the_database_shards() -> None:
    shards = _choice("database-sharding")
    shards.units, shards.units_from = 3, 1
    assert unit_cap("app", 200, Mix(START, [])) == 200
    assert unit_cap("app", 200, Mix(START, [shards])) == 600
    assert unit_cap("database", 8, Mix(START, [shards])) == 8


def test_a_stage_sized_down_for_money_says_the_budget_cut_it() -> None:
    """The community example's stage-3 scale-out is sized to what $8,000 buys: the items say so, the verdict
    names the budget, and more budget buys more."""
    from pathlib import Path

    from bot.roadmap.profile_io import load_profile
    from bot.roadmap.rules.generate import generate_rules_roadmap

    roadmap = generate_rules_roadmap(load_profile(Path(__file__).resolve().parents[2] / "examples/community.yaml"))
    cut = [i for i in roadmap.items() if "The budget allows " in i.why and " this needs." in i.why]
    assert cut and all(i.deferred is None for i in cut)
    assert "the budget stops the plan" in roadmap.summary.verdict  # at a ceiling drawn from defaults
    assert "More budget a month" in roadmap.summary.budget_note
