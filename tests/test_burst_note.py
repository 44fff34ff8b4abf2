"""The burst a team describes is already in the peak it measured; only a peak the model derived is multiplied."""

from __future__ import annotations

from pathlib import Path

from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules import generate_rules_roadmap

GOLDEN = Path(__file__).parent / "golden"


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
