"""How the rules engine sizes and words a plan: stage 1 buys headroom, not the target; what the answers state
replaces a default (anonymous readers, one shared box, the origin's bytes); a wall drawn from defaults is a
question to measure; a CDN's bill grows with the traffic it carries."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from bot.roadmap import money
from bot.roadmap.advice.build import build_advice
from bot.roadmap.calibration import build_baseline
from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.costs import read_costs
from bot.roadmap.profile_io import load_profile
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rules.context import STAGE1_HEADROOM
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import Budget, Roadmap, SystemProfile
from bot.roadmap.shares import EDGE_HIT_RATIO, MOVED_SHARE, SHAVED_SHARE, database_share, traffic_share
from bot.roadmap.traffic import link_bps
from bot.roadmap.workload.reader import read_workload

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@cache
def _profile(name: str) -> SystemProfile:
    return load_profile(GOLDEN / f"{name}.yaml")


@cache
def _roadmap(name: str) -> Roadmap:
    return generate_rules_roadmap(_profile(name))


def _first(roadmap: Roadmap, pattern_id: str) -> tuple[int, str]:
    return next((s.number, i.title) for s in roadmap.stages for i in s.items if i.pattern_id == pattern_id)


def test_stage_one_buys_room_for_twice_todays_peak_not_the_target() -> None:
    profile, roadmap = _profile("analytics-dashboard"), _roadmap("analytics-dashboard")
    first, second = roadmap.stages[0].capacity_after, roadmap.stages[1].capacity_after
    # the app servers bind after stage 1: they were grown for about twice today's users, one server of rounding
    assert first.binding_tier == "app"
    assert first.tier_users["app"] <= STAGE1_HEADROOM * profile.current_users * 1.5
    assert not first.meets_target and second.meets_target  # the target's fleet waits for the stage-1 load test


def test_a_known_event_near_sizes_stage_one_for_the_target() -> None:
    # the ticket opening is a month away: stage 1 cannot wait for its own load test to size the fleet
    near = _roadmap("ticketing-ko").stages[0].capacity_after
    assert near.tier_users["app"] > STAGE1_HEADROOM * _profile("ticketing-ko").current_users * 1.5


def test_a_shared_box_is_resized_as_one_machine_once() -> None:
    catalogue = load_catalogue()
    for name in ("tiny-startup", "salon-booking-ko", "rails-droplet"):
        profile = _profile(name)
        advice = build_advice(profile, extract_facts(profile), catalogue)
        tiers = {e.tier for e in advice.variants["database-scale-up"].effects}
        assert tiers == {"app", "database"}, name  # app and database run on the box that grows
    managed = _profile("analytics-dashboard")  # RDS: the database's own instance grows, not the app's
    advice = build_advice(managed, extract_facts(managed), catalogue)
    grown = advice.variants.get("database-scale-up", catalogue.get("database-scale-up"))
    assert {e.tier for e in grown.effects} == {"database"}


def test_an_origin_link_nobody_mentioned_is_as_busy_as_todays_bytes() -> None:
    profile = _profile("tiny-startup")  # 25 req/s of pages and photos from one droplet, no figure for its link
    baseline = build_baseline(profile, extract_facts(profile))
    assert baseline.utilisation["network"] < 0.1  # 25 x 100 KB x 8 is 20 Mbit/s of a 1 Gbit/s link
    assert any("1 Gbit/s link, defaults" in a for a in baseline.assumptions)


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("95% of readers are anonymous, yet every page is rendered", 0.95),
        ("About 90% of visitors are not logged in.", 0.9),
        ("독자의 95%가 비로그인 상태입니다.", 0.95),
        ("익명 사용자가 약 80%입니다.", 0.8),
        ("Half of our users log in.", None),
    ],
)
def test_the_anonymous_share_is_read_in_both_languages(text: str, share: float | None) -> None:
    profile = _profile("news-site").model_copy(update={"bottlenecks": text})
    assert read_workload(profile).anonymous_share == share


def test_whole_page_caching_cuts_the_anonymous_share_the_team_states() -> None:
    catalogue = load_catalogue()
    news = _profile("news-site")  # "95% of readers are anonymous"
    edge = build_advice(news, extract_facts(news), catalogue).variants["edge-page-caching"]
    factor = next(e.demand_factor for e in edge.effects if e.tier == "app")
    assert factor.low == pytest.approx(1 - 0.95 * EDGE_HIT_RATIO.high)
    assert factor.high == pytest.approx(1 - 0.95 * EDGE_HIT_RATIO.low)
    unstated = news.model_copy(update={"bottlenecks": "Every article page is rendered by PHP and hits MySQL."})
    advice = build_advice(unstated, extract_facts(unstated), catalogue)
    assert "edge-page-caching" not in advice.variants  # the catalogue's own range stands


def test_a_wall_drawn_from_defaults_is_a_question_to_measure() -> None:
    verdict = _roadmap("flash-sale-shop").summary.verdict  # lock contention named, never measured
    assert "Not known yet whether these patterns reach the target" in verdict
    assert "measure lock wait time per request at peak first" in verdict
    assert "Target not reached by these patterns" not in verdict


def test_the_cdn_bill_grows_with_the_traffic_it_carries() -> None:
    roadmap = _roadmap("webtoon-ko")  # 250 TB a month today, 20x the readers at the target
    cdn = next(i for s in roadmap.stages for i in s.items if i.pattern_id == "cdn-static-assets")
    items = sum(i.cost.monthly.high for s in roadmap.stages for i in s.items if not i.deferred)
    final = roadmap.stages[-1].capacity_after.monthly_cost
    assert final.high > items + cdn.cost.monthly.high  # the CDN at the target's bytes, not at stage 1's
    assert "It fits the budget only if costs land low: at the target, the bytes it serves" in roadmap.summary.verdict


def test_a_booking_system_holds_each_slot_once() -> None:
    assert _first(_roadmap("salon-booking-ko"), "atomic-inventory")[1].startswith("Hold each slot or seat once")
    assert _first(_roadmap("ticketing-ko"), "atomic-inventory")[1].startswith("Hold each slot or seat once")
    assert _first(_roadmap("flash-sale-shop"), "atomic-inventory")[1].startswith("Decrement stock atomically")


def test_a_slow_notification_call_is_taken_off_the_request_in_stage_one() -> None:
    # "알림톡 발송 API가 느리면 예약 요청 자체가 5초 이상 걸립니다": the send goes to a queue; a timeout alone would
    # still keep the booking waiting, so it does not count as the stop-gap that lets the queue wait
    assert _first(_roadmap("salon-booking-ko"), "async-queue-workers")[0] == 1


def test_a_team_that_runs_many_services_is_not_told_to_extract_more() -> None:
    roadmap = _roadmap("social-at-scale")  # "About 140 Go services on two EKS clusters"
    assert "extract-services" not in {i.pattern_id for i in roadmap.items()}
    profile = _profile("social-at-scale")
    reason = build_advice(profile, extract_facts(profile), load_catalogue()).blocked_reason("extract-services")
    assert reason is not None and reason.startswith("You already run many separately deployed services")
    # a named problem's long-term answer starts mid-term for a team of sixty: timelines precomputed, failover drilled
    assert _first(roadmap, "cqrs-read-models")[0] == 2 and _first(roadmap, "chaos-engineering")[0] == 2
    assert "db-failover-ha" not in {i.pattern_id for i in roadmap.items()}  # every shard already has replicas


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("Search queries with many filters run on PostgreSQL and are 70% of database CPU (writer at 65%).", 0.7),
        ("p95 is 900 ms at peak and those queries are 45% of database time.", 0.45),
        ("Search runs on PostgreSQL full-text over 12M listings and is 40% of replica CPU.", 0.4),
        ("랭킹 집계가 DB CPU의 60%를 씁니다.", 0.6),
        ("Presence and typing events make up 60% of our writes.", None),  # a share of the writes, not of the load
        ("DB CPU 95% at peak.", None),  # a utilisation, not a share
    ],
)
def test_a_share_of_the_database_is_read_from_one_sentence(text: str, share: float | None) -> None:
    assert database_share(text) == share


def test_a_lever_that_moves_a_named_workload_takes_the_share_the_team_states() -> None:
    profile = _profile("mature-stack")  # "Search queries ... are 70% of database CPU"
    search = build_advice(profile, extract_facts(profile), load_catalogue()).variants["search-offload"]
    factor = next(e.demand_factor for e in search.effects if e.tier == "database")
    assert factor.low == pytest.approx(1 - 0.7 * MOVED_SHARE.high)
    assert factor.high == pytest.approx(1 - 0.7 * MOVED_SHARE.low)


def test_a_read_side_cut_acts_only_on_the_reads_of_a_write_bound_database() -> None:
    profile = _profile("crm-sharding")  # "writes are about 70% of its load"
    assert read_workload(profile).write_share == 0.7
    catalogue = load_catalogue()
    indexes = build_advice(profile, extract_facts(profile), catalogue).variants["n-plus-one-queries"]
    factor = next(e.demand_factor for e in indexes.effects if e.tier == "database")
    base = next(e.demand_factor for e in catalogue.get("n-plus-one-queries").effects if e.tier == "database")
    assert factor.low == pytest.approx(0.7 + 0.3 * base.low) and factor.high == pytest.approx(0.7 + 0.3 * base.high)
    # the writes it does not touch are split instead: more shards than the read-side cuts would leave
    shards = next(i for i in _roadmap("crm-sharding").items() if i.pattern_id == "database-sharding")
    assert "into 3 shards" in shards.title


@pytest.mark.parametrize(
    ("text", "bps"),
    [
        ("1 Gbit/s uplink per server", 1e9),
        ("10Gbps NIC", 1e10),
        ("500 Mbit/s", 5e8),
        ("2 Gb/s 회선", 2e9),
        ("1 GB/s of writes", None),  # GB/s counts bytes, not a link
        ("no figure", None),
    ],
)
def test_a_link_speed_is_read_in_bits(text: str, bps: float | None) -> None:
    assert link_bps(text) == bps


def test_a_quoted_link_and_its_utilisation_size_the_bytes_a_request() -> None:
    profile = _profile("podcast-downloads")  # "the HAProxy box's 1 Gbit/s NIC runs at 85%" at 1,400 req/s
    costs = read_costs(profile, media_heavy=True, facts=extract_facts(profile))
    assert costs.bytes_per_request == pytest.approx(1e9 * 0.85 / 8 / 1400)
    assert any(a.startswith("[derived] 76 KB/request") for a in costs.assumptions)


def test_stage_one_prices_a_cdn_at_todays_bytes_and_later_stages_grow_it() -> None:
    podcast = _profile("podcast-downloads")  # a bandwidth CDN bills every GB: today's bytes, not stage 1's headroom
    profile = podcast.model_copy(update={"budget": Budget(currency="EUR")})  # nothing held back or moved
    costs = read_costs(profile, media_heavy=True, facts=extract_facts(profile))
    today = money.range_from_usd(costs.cdn_monthly(float(profile.measurements.peak_rps or 0)), "EUR")
    roadmap = generate_rules_roadmap(profile)
    cdn = next(i for i in roadmap.stages[0].items if i.pattern_id == "cdn-static-assets")
    assert cdn.cost.monthly == today and today.high > 0
    # the bill of the last stage carries the CDN at the target's bytes, well above today's
    assert roadmap.stages[-1].capacity_after.monthly_cost.high > 5 * today.high


def test_a_standby_the_team_runs_is_not_proposed_again() -> None:
    # "Self-managed PostgreSQL 15 ... with a synchronous standby (no read replicas)"
    assert "db-failover-ha" not in {i.pattern_id for i in _roadmap("payments-ledger").items()}
    # a single self-managed MySQL VM with no standby still gets one
    assert "db-failover-ha" in {i.pattern_id for i in _roadmap("news-site").items()}


def test_the_predicted_change_follows_the_share_the_team_states() -> None:
    search = next(i for i in _roadmap("mature-stack").items() if i.pattern_id == "search-offload")
    assert search.impact.metric == "database time per request"  # 70% of the database, 80-95% of it moved
    assert (search.impact.change_pct.low, search.impact.change_pct.high) == (-66, -56)


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("One tenant's nightly ERP sync sends ~900 req/s for an hour (40% of our traffic).", 0.4),
        ("야간 동기화가 트래픽의 30%를 차지합니다.", 0.3),
        ("We serve 95% of requests from cache.", None),  # over 90%: not one client's share of the peak
        ("p95 is 2.5 s", None),
    ],
)
def test_a_share_of_the_traffic_is_read_from_one_sentence(text: str, share: float | None) -> None:
    assert traffic_share(text) == share


def test_a_quota_takes_the_named_tenants_share_off_the_peak() -> None:
    profile = _profile("b2b-multitenant-api")  # "One tenant's nightly ERP sync ... (40% of our traffic)"
    lane = build_advice(profile, extract_facts(profile), load_catalogue()).variants["tenant-isolation"]
    kept = {e.tier: e.demand_factor for e in lane.effects}
    assert set(kept) == {"app", "database"}
    assert kept["app"].low == pytest.approx(1 - 0.4 * SHAVED_SHARE.high)
    assert kept["app"].high == pytest.approx(1 - 0.4 * SHAVED_SHARE.low)
    # the shared fleet is sized without the sync: the target fits the budget
    assert _roadmap("b2b-multitenant-api").summary.target_reachable


def test_a_fleet_of_unstated_size_says_its_cost_is_per_server() -> None:
    grown = [i for i in _roadmap("social-at-scale").items() if i.pattern_id == "horizontal-app-scaling"]
    assert grown and all("today's fleet" in i.title and "multiply it by your server count" in i.why for i in grown)
    counted = [i for i in _roadmap("mature-stack").items() if i.pattern_id == "horizontal-app-scaling"]
    assert counted and not any("multiply it by your server count" in i.why for i in counted)  # "24 app servers"


def test_replicas_of_a_sharded_database_are_counted_per_shard() -> None:
    replicas = [i for i in _roadmap("social-at-scale").items() if i.pattern_id == "read-replicas"]
    assert replicas and all(i.title.endswith("in each of the 16 shards") for i in replicas)


def test_a_chained_checkout_gets_its_structural_fix_in_stage_one() -> None:
    roadmap = _roadmap("global-marketplace")  # "could be accepted and quoted later"; "six synchronous calls"
    stage, title = _first(roadmap, "async-queue-workers")
    assert stage == 1 and title.startswith("Take the slow calls out of checkout")
    assert _first(roadmap, "timeouts-circuit-breakers")[0] == 1  # the named outage's damage limit ships too
    # "Every deploy disconnects everyone": behind the clients' backoff, draining the sockets is the first fix
    assert _first(_roadmap("chat-websockets"), "connection-tier")[0] == 1
