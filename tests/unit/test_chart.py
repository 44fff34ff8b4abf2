"""The capacity chart: a valid PNG whose plotted numbers are the roadmap's forecast, said again in words."""

from __future__ import annotations

import asyncio
import io
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from bot.engines.compute import ProcessCompute
from bot.engines.rules import RulesEngine
from bot.i18n import count
from bot.roadmap import chart
from bot.roadmap.profile_io import load_profile
from bot.roadmap.schema import Roadmap, SystemProfile
from tests.builders import sample_roadmap

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _generated(name: str) -> tuple[SystemProfile, Roadmap]:
    profile = load_profile(EXAMPLES / name)
    return profile, asyncio.run(RulesEngine().generate(profile)).roadmap


@pytest.fixture(scope="module")
def community() -> tuple[SystemProfile, Roadmap]:
    """The community example on a tighter budget ($3,000 a month), so that the plan holds items back for it."""
    profile = load_profile(EXAMPLES / "community.yaml")
    profile = profile.model_copy(update={"budget": profile.budget.model_copy(update={"monthly_amount": Decimal(3000)})})
    return profile, asyncio.run(RulesEngine().generate(profile)).roadmap


def _lines(figure, gid_prefix: str) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    users_ax = figure.axes[0]
    return {
        line.get_gid(): [float(y) for y in line.get_ydata()]
        for line in users_ax.lines
        if (line.get_gid() or "").startswith(gid_prefix)
    }


def test_png_is_valid_and_reads_back(community: tuple[SystemProfile, Roadmap]) -> None:
    profile, roadmap = community
    png = chart.render_png(chart.roadmap_chart_data(roadmap, profile, lang="en"))
    assert png.startswith(chart.PNG_MAGIC)
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (560, 800)
    assert float(np.std(pixels[..., :3])) > 0.05  # something is drawn, not a blank canvas


def test_the_plotted_numbers_are_the_forecast(community: tuple[SystemProfile, Roadmap]) -> None:
    profile, roadmap = community
    data = chart.roadmap_chart_data(roadmap, profile, lang="en")
    points = [roadmap.summary.capacity_now, *(s.capacity_after for s in roadmap.stages)]
    assert data.users == tuple(p.users for p in points)
    assert data.binding == tuple(p.binding_tier for p in points)
    assert data.target == roadmap.summary.target_users
    figure = chart.build_figure(data)
    plotted = _lines(figure, "")
    assert plotted["users"] == [float(p.users) for p in points]
    for tier in points[0].tier_users:
        assert plotted[f"tier:{tier}"] == [float(p.tier_users[tier]) for p in points]
    assert plotted["target"] == [float(roadmap.summary.target_users)] * 2
    # the binding tier is ringed at each point, on the system's capacity
    rings = [c for c in figure.axes[0].collections if (c.get_gid() or "").startswith("binding:")]
    assert [c.get_gid() for c in rings] == [f"binding:{p.binding_tier}" for p in points]
    assert [tuple(c.get_offsets()[0]) for c in rings] == [(x, p.users) for x, p in enumerate(points)]
    bars = [patch.get_height() for patch in figure.axes[1].patches]
    assert bars == [p.monthly_cost.high for p in points]


def test_the_budget_line_is_drawn_only_where_it_binds(community: tuple[SystemProfile, Roadmap]) -> None:
    profile, roadmap = community
    assert any(i.deferred for i in roadmap.items()), "the community example holds items back for a $3,000 budget"
    binding = chart.roadmap_chart_data(roadmap, profile, lang="en")
    assert binding.budget == float(profile.budget.monthly_amount or 0)
    budget_lines = [line for line in chart.build_figure(binding).axes[1].lines if line.get_gid() == "budget"]
    assert [list(line.get_ydata()) for line in budget_lines] == [[binding.budget, binding.budget]]
    # no budget given, another currency than the costs, or nothing held back: no line
    assert chart.chart_data(roadmap, lang="en").budget is None
    assert chart.chart_data(roadmap, lang="en", budget=8000, budget_currency="EUR").budget is None
    relaxed = sample_roadmap()  # nothing deferred
    assert chart.chart_data(relaxed, lang="en", budget=10, budget_currency="USD").budget is None
    assert not any(
        line.get_gid() == "budget" for line in chart.build_figure(chart.chart_data(relaxed, lang="en")).axes[1].lines
    )


def test_tiers_the_roadmap_does_not_model_are_not_drawn() -> None:
    profile, roadmap = _generated("saas-api.yaml")
    data = chart.roadmap_chart_data(roadmap, profile, lang="en")
    modelled = set(roadmap.summary.capacity_now.tier_users)
    assert {tier for tier, _ in data.tier_users} == modelled
    assert set(_lines(chart.build_figure(data), "tier:")) == {f"tier:{t}" for t in modelled}


def test_alt_text_says_the_same_in_words(community: tuple[SystemProfile, Roadmap]) -> None:
    profile, roadmap = community
    text = chart.alt_text(chart.roadmap_chart_data(roadmap, profile, lang="en"))
    assert text.startswith("Capacity chart for Moa Community.")
    now = roadmap.summary.capacity_now
    assert f"Now: {count('en', now.users)} users, limited by {chart.tier_label('en', now.binding_tier)}" in text
    for stage in roadmap.stages:
        point = stage.capacity_after
        users, tier = count("en", point.users), chart.tier_label("en", point.binding_tier)
        assert f"After stage {stage.number}: {users} users, limited by {tier}" in text
    assert "1M" in text and "not reached" in text and "$3,000" in text and "binds" in text
    assert len(text) <= chart.ALT_TEXT_MAX


def test_korean_chart_and_alt_text() -> None:
    profile, roadmap = _generated("shop-ko.yaml")
    data = chart.roadmap_chart_data(roadmap, profile, lang="ko")
    assert data.points == ("현재", "1단계 후", "2단계 후", "3단계 후")
    text = chart.alt_text(data)
    assert "처리 용량 차트" in text and "10만" in text
    assert chart.korean_font() is not None, "the Korean font (koreanize-matplotlib) is a dependency"
    assert chart.render_png(data).startswith(chart.PNG_MAGIC)


def test_a_long_alt_text_is_cut_at_a_word_within_slacks_limit() -> None:
    roadmap = sample_roadmap(system_name="S" * 80)
    data = chart.chart_data(roadmap, lang="en")
    long = chart.ChartData(**{**data.__dict__, "points": tuple("x" * 300 for _ in data.points)})
    text = chart.alt_text(long)
    assert len(text) <= chart.ALT_TEXT_MAX and text.endswith("…")


async def test_rendered_in_a_worker_process_the_same_as_inline(community: tuple[SystemProfile, Roadmap]) -> None:
    profile, roadmap = community
    data = chart.roadmap_chart_data(roadmap, profile, lang="en")
    compute = ProcessCompute(1)
    try:
        png = await compute(chart.render_png, data, bulk=True)
    finally:
        compute.close()
    assert png.startswith(chart.PNG_MAGIC)
    assert imread(io.BytesIO(png), format="png").shape == imread(io.BytesIO(chart.render_png(data)), format="png").shape
