"""The burst a team describes is already in the peak it measured; only a peak the model derived is multiplied."""

from __future__ import annotations

from pathlib import Path

from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _burst(notes: list[str]) -> str:
    return next(n for n in notes if n.startswith("Burst"))


def test_a_measured_peak_is_the_burst() -> None:
    profile = load_profile(GOLDEN / "ticketing-ko.yaml").model_copy(update={"language": "en"})
    note = _burst(generate_rules_roadmap(profile).notes)
    assert note.startswith("Burst: your measured peak, ~15k req/s")  # not x50 of it


def test_an_unmeasured_peak_is_multiplied_by_the_stated_burst() -> None:
    profile = load_profile(GOLDEN / "ticketing-ko.yaml")
    unmeasured = profile.model_copy(
        update={"language": "en", "measurements": profile.measurements.model_copy(update={"peak_rps": None})}
    )
    note = _burst(generate_rules_roadmap(unmeasured).notes)
    assert note.startswith("Burst: x50 today's peak")


def test_a_rush_named_by_its_clock_window_lasts_that_long() -> None:
    from bot.roadmap.traffic import _spike

    lunch = _spike("매일 점심 11:30~12:30에 주문이 평소의 5배로 몰리면서 데드락이 납니다.")
    assert lunch is not None and lunch.seconds == 3600  # an hour, not the 5 minutes assumed when none is said
    minute = _spike("At 10:00 traffic goes to 24,000 req/s within a minute (about 60x).")
    assert minute is not None and minute.seconds == 60


def test_a_burst_at_an_unknown_time_is_met_by_standing_capacity_not_a_schedule() -> None:
    from pathlib import Path

    from bot.roadmap.profile_io import load_profile
    from bot.roadmap.rules.generate import generate_rules_roadmap

    golden = Path(__file__).resolve().parents[1] / "golden"
    news = generate_rules_roadmap(load_profile(golden / "news-site.yaml"))  # "When breaking news hits ..."
    burst = next(n for n in news.notes if n.startswith("Burst"))
    assert "nobody knows when" in burst and "(pre-scale)" not in burst
    game = generate_rules_roadmap(load_profile(golden / "game-backend.yaml"))  # "the 00:00 UTC daily reset"
    assert "(pre-scale)" in next(n for n in game.notes if n.startswith("Burst"))
