"""The packaged pattern catalogue: coverage, templates, triggers, figures, sources and its validator.

The rules engine prints every figure it takes from ``bot/roadmap/patterns.yaml``; these tests hold
the catalogue to the promises in PRODUCT.md ("every figure it prints can be traced") and check
that ``parse_catalogue`` really rejects broken data.
"""

from __future__ import annotations

import copy
import math
import re
from string import Formatter
from typing import Any

import pydantic
import pytest
import yaml

from bot.roadmap.advice.fields import FIELD_NAMES
from bot.roadmap.catalogue import Catalogue, Pattern, load_catalogue, parse_catalogue

CATALOGUE = load_catalogue()
PATTERNS = CATALOGUE.patterns
BY_ID = {p.id: p for p in PATTERNS}

# The template fields the engine fills (five from the plan, the rest from the team's stack in advice/fields.py);
# any other brace would break str.format.
FIELDS = {
    "tier_label": "database",
    "units": "12",
    "units_from": "3",
    "current_users": "1.2k",
    "target_users": "1M",
    **{name: f"<{name}>" for name in FIELD_NAMES},
}
SCALING_FIELDS = {"units", "units_from"}

# Required coverage (the brief for the catalogue), by id.
REQUIRED = {
    "slow-query-indexes": 1,
    "n-plus-one-queries": 1,
    "connection-pooling": 1,
    "in-process-cache": 1,
    "http-caching": 1,
    "cdn-static-assets": 1,
    "rate-limiting": 1,
    "observability-baseline": 1,
    "load-test-baseline": 1,
    "distributed-cache": 2,
    "externalize-session-state": 2,
    "horizontal-app-scaling": 2,
    "autoscaling": 2,
    "read-replicas": 2,
    "async-queue-workers": 2,
    "timeouts-circuit-breakers": 2,
    "bulkheads": 2,
    "database-sharding": 3,
    "extract-services": 3,
    "multi-region": 3,
}

# Words that alone would fire on almost every questionnaire.
GENERIC_KEYWORDS = {
    "slow",
    "server",
    "servers",
    "users",
    "user",
    "down",
    "error",
    "errors",
    "app",
    "web",
    "data",
    "느림",
    "느려요",
    "서버",
    "사용자",
    "에러",
    "데이터",
}

# Metrics a demand-reducing pattern may report as falling, and capacity metrics that rise.
DEMAND_WORDS = ("time", "load", "bandwidth", "bytes", "requests", "reads", "utilisation", "cpu", "queries")
CAPACITY_WORDS = ("capacity", "throughput")

# A source either labels its figure as an estimate or names something a reader can look up.
CITATION_MARKERS = (
    "Estimate:",
    "Seed case study",
    "docs",
    "RFC",
    "pricing",
    "Pricing",
    "Release It!",
    "SRE",
    "DDIA",
    "Kleppmann",
    "Gunther",
    "USL",
    "Universal Scalability Law",
    "Denning",
    "Azure Architecture Center",
    "Builders' Library",
    "Well-Architected",
    "engineering blog",
    "Fowler",
    "Newman",
    "Twelve-Factor",
    "No new infrastructure",
    "no new infrastructure",
    "Staff time only",
    "open source",
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _texts(pattern: Pattern) -> list[str]:
    variants = [t for v in pattern.variants for t in [v.title or "", *(v.steps or []), *(v.verify or [])] if t]
    return [pattern.title, pattern.why, *pattern.steps, *pattern.verify, *variants]


def _fields_used(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def _sources(pattern: Pattern) -> dict[str, str]:
    return {k: v for k, v in pattern.sources.model_dump().items() if v is not None}


# --- the packaged catalogue ---------------------------------------------------------------


def test_packaged_catalogue_loads_with_enough_patterns() -> None:
    assert isinstance(CATALOGUE, Catalogue)
    assert len(PATTERNS) >= 30
    assert len(BY_ID) == len(PATTERNS), "ids must be unique"
    assert load_catalogue() is CATALOGUE, "parsed once per process"


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_each_stage_has_enough_patterns_and_few_always(stage: int) -> None:
    in_stage = [p for p in PATTERNS if p.stage == stage]
    assert len(in_stage) >= 8, f"stage {stage} has only {len(in_stage)} patterns"
    always = [p.id for p in in_stage if p.triggers.always]
    assert 1 <= len(always) <= 2, f"stage {stage} always-patterns: {always}"


@pytest.mark.parametrize(("pattern_id", "stage"), sorted(REQUIRED.items()))
def test_required_coverage_is_present_in_its_stage(pattern_id: str, stage: int) -> None:
    assert pattern_id in BY_ID, f"missing required pattern {pattern_id}"
    assert BY_ID[pattern_id].stage == stage


def test_required_patterns_have_the_right_shape() -> None:
    horizontal = BY_ID["horizontal-app-scaling"]
    assert horizontal.scaling is not None and horizontal.scaling.tier == "app"
    assert "externalize-session-state" in horizontal.requires
    assert horizontal.scaling.sigma.high <= 0.01 and horizontal.scaling.kappa.high <= 1e-5

    sharding = BY_ID["database-sharding"]
    assert sharding.scaling is not None and sharding.scaling.tier == "database"
    assert sharding.scaling.sigma.low >= 0.01 and sharding.scaling.sigma.high <= 0.05
    assert sharding.scaling.kappa.low >= 1e-4 and sharding.scaling.kappa.high <= 1e-3

    replicas = BY_ID["read-replicas"]
    assert replicas.scaling is not None and replicas.scaling.tier == "database"
    assert replicas.scaling.sigma.low >= 0.1 and replicas.scaling.sigma.high <= 0.25

    assert BY_ID["autoscaling"].requires == ["horizontal-app-scaling"]
    assert "timeouts-circuit-breakers" in BY_ID["bulkheads"].requires
    assert BY_ID["extract-services"].resilience == 3
    assert BY_ID["multi-region"].resilience == 3


@pytest.mark.parametrize(
    ("pattern_id", "fact"),
    [
        ("cdn-static-assets", "has_cdn"),
        ("observability-baseline", "has_monitoring"),
        ("connection-pooling", "has_connection_pool"),
        ("distributed-cache", "has_cache"),
        ("autoscaling", "has_autoscaling"),
        ("async-queue-workers", "has_queue"),
        ("search-offload", "has_search_engine"),
        ("database-sharding", "has_sharding"),
        ("multi-region", "multi_region"),
    ],
)
def test_patterns_are_skipped_when_the_team_already_has_them(pattern_id: str, fact: str) -> None:
    assert fact in BY_ID[pattern_id].triggers.excluded_by_facts


def test_case_study_figures_anchor_the_query_and_cache_patterns() -> None:
    """The case study: query optimisation ~70% faster, caching halved server load; cited by its real title."""
    slow = {e.tier: e.demand_factor for e in BY_ID["slow-query-indexes"].effects}
    assert slow["database"].low == pytest.approx(0.3)
    cache = {e.tier: e.demand_factor for e in BY_ID["distributed-cache"].effects}
    assert cache["app"].low == pytest.approx(0.5)
    title = "'사용자 100명에서 100만명으로, 서버가 견뎌낸 기적' by 티끌모아밈"
    assert title in BY_ID["slow-query-indexes"].sources.impact
    assert title in BY_ID["distributed-cache"].sources.impact
    assert title in BY_ID["extract-services"].sources.impact
    assert not [p.id for p in BY_ID.values() if "seed" in p.sources.model_dump_json().lower()]


# --- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_templates_format_with_the_documented_fields_only(pattern: Pattern) -> None:
    for text in _texts(pattern):
        try:
            formatted = text.format(**FIELDS)
        except (KeyError, IndexError, ValueError) as exc:  # pragma: no cover - the assertion message matters
            pytest.fail(f"{pattern.id}: {text!r} does not format: {exc!r}")
        assert "{" not in formatted and "}" not in formatted
        assert _fields_used(text) <= set(FIELDS)
    assert len(pattern.title.format(**{**FIELDS, "units": "10000", "units_from": "10000"})) <= 150


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_unit_fields_only_in_scaling_patterns_and_tier_label_only_when_unambiguous(pattern: Pattern) -> None:
    used = set().union(*(_fields_used(t) for t in _texts(pattern)))
    if used & SCALING_FIELDS:
        assert pattern.scaling is not None, f"{pattern.id} uses {used & SCALING_FIELDS} without scaling"
    if "tier_label" in used:
        assert len(pattern.tiers) <= 1, f"{pattern.id} names one tier but changes {pattern.tiers}"
        assert pattern.scaling is None or pattern.scaling.tier != "cells"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_steps_and_verify_are_executable_size(pattern: Pattern) -> None:
    assert 2 <= len(pattern.steps) <= 5
    assert 1 <= len(pattern.verify) <= 3
    assert all(len(step) >= 40 for step in pattern.steps), "steps should be concrete instructions"


# --- triggers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_every_pattern_can_be_picked(pattern: Pattern) -> None:
    t = pattern.triggers
    keywords = t.keywords.en + t.keywords.ko
    answers = pattern.answers.en + pattern.answers.ko
    assert t.always or keywords or t.binding_tiers or t.when_target_unmet or t.workloads or answers, (
        f"{pattern.id} can never fire"
    )
    if not (t.always or t.binding_tiers or t.when_target_unmet or t.workloads):
        assert t.keywords.en and t.keywords.ko, f"{pattern.id} relies on keywords, so it needs English and Korean"
    assert not set(t.requires_facts) & set(t.excluded_by_facts), f"{pattern.id} requires and excludes a fact"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_keywords_are_specific(pattern: Pattern) -> None:
    en, ko = pattern.triggers.keywords.en, pattern.triggers.keywords.ko
    for word in en + ko:
        assert word == word.strip() and word.lower() not in GENERIC_KEYWORDS, f"{pattern.id}: {word!r}"
    assert len(set(en)) == len(en) and len(set(ko)) == len(ko), f"{pattern.id} repeats a keyword"
    assert all(len(w) >= 3 for w in en), f"{pattern.id}: English keywords need 3+ characters"
    assert all(HANGUL.search(w) for w in ko), f"{pattern.id}: Korean keywords must be Korean"
    for word in en:  # matched on word boundaries: the phrase must match itself inside a sentence
        assert re.search(r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)", f"we see {word.lower()} at peak")


def test_always_patterns_are_not_padded_with_other_triggers_that_hide_them() -> None:
    for p in PATTERNS:
        if p.triggers.always:
            assert p.triggers.min_scale_factor == 1.0, f"{p.id}: an always-pattern must not be gated by scale"
            assert not p.triggers.requires_facts, f"{p.id}: an always-pattern must not need facts"


# --- figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p.effects], ids=lambda p: p.id)
def test_impact_direction_is_consistent_with_effects(pattern: Pattern) -> None:
    metric = pattern.impact.metric.lower()
    change = pattern.impact.change_pct
    if any(word in metric for word in CAPACITY_WORDS):
        assert change.low > 0, f"{pattern.id}: capacity should rise"
        return
    assert any(word in metric for word in DEMAND_WORDS), f"{pattern.id}: '{metric}' is not a demand metric"
    assert change.high < 0, f"{pattern.id}: demand should fall"
    # The printed range mirrors one of the effects: factor f means a change of (f - 1) x 100%.
    mirrored = [
        e
        for e in pattern.effects
        if abs(change.low - (e.demand_factor.low - 1) * 100) <= 5
        and abs(change.high - (e.demand_factor.high - 1) * 100) <= 5
    ]
    assert mirrored, f"{pattern.id}: impact {change} matches none of its effects"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_effects_are_realistic(pattern: Pattern) -> None:
    tiers = [e.tier for e in pattern.effects]
    assert len(tiers) == len(set(tiers)), f"{pattern.id} changes a tier twice"
    for effect in pattern.effects:
        assert effect.demand_factor.low >= 0.1, f"{pattern.id}: a single pattern is never a 10x win"
    if not pattern.effects and pattern.scaling is None:
        assert pattern.resilience >= 1, f"{pattern.id} adds no capacity, so it must add resilience"


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p.scaling], ids=lambda p: p.id)
def test_scaling_figures_are_usable(pattern: Pattern) -> None:
    s = pattern.scaling
    assert s is not None
    assert s.min_units <= s.max_units
    assert 0 < s.unit_cost_monthly_usd.low <= s.unit_cost_monthly_usd.high
    # Even with the worst-case coefficients the USL must peak above two units, or adding units is useless.
    worst_peak = math.inf if s.sigma.high == 0 or s.kappa.high == 0 else math.sqrt((1 - s.sigma.high) / s.kappa.high)
    assert worst_peak >= 2
    assert any(w in pattern.impact.metric.lower() for w in CAPACITY_WORDS)
    assert pattern.impact.change_pct.low > 0


# Upper bounds on the horizon of a stage, in weeks (PRODUCT.md: days to two weeks, one to three
# months, three to twelve months).
MAX_WEEKS = {1: 2, 2: 13, 3: 52}


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_effort_and_cost_are_sane_for_the_stage(pattern: Pattern) -> None:
    assert pattern.effort.person_days.low > 0
    assert pattern.effort.weeks.low > 0
    assert pattern.effort.weeks.high <= MAX_WEEKS[pattern.stage], f"{pattern.id} is too long for its stage"
    for value in (pattern.cost.one_off_usd, pattern.cost.monthly_usd):
        assert value.low >= 0
    if pattern.stage == 3 and pattern.difficulty.value == "low":
        assert pattern.effort.person_days.high <= 10


# --- sources ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_every_figure_has_a_source_and_estimates_say_so(pattern: Pattern) -> None:
    sources = _sources(pattern)
    assert {"impact", "effort", "cost"} <= set(sources)
    assert ("effects" in sources) == bool(pattern.effects), f"{pattern.id}: sources.effects iff effects"
    assert ("scaling" in sources) == (pattern.scaling is not None), f"{pattern.id}: sources.scaling iff scaling"
    for kind, text in sources.items():
        assert text.strip(), f"{pattern.id}: empty sources.{kind}"
        if re.search(r"estimat", text, re.IGNORECASE):
            assert "Estimate:" in text, f"{pattern.id}: sources.{kind} mentions an estimate without the label"
        assert any(m in text for m in CITATION_MARKERS), f"{pattern.id}: sources.{kind} cites nothing: {text!r}"
        assert "http://" not in text and "https://" not in text, "name documents, do not paste URLs"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_paid_patterns_price_their_cost(pattern: Pattern) -> None:
    paid = pattern.cost.monthly_usd.high > 0 or pattern.cost.one_off_usd.high > 0 or pattern.scaling is not None
    if paid:
        assert re.search(r"\$\d", pattern.sources.cost), f"{pattern.id}: a cost source must state a price"


# --- dependencies -----------------------------------------------------------------------------


def test_dependencies_exist_come_first_and_have_no_cycles() -> None:
    for p in PATTERNS:
        assert p.id not in p.requires
        for dep in p.requires:
            assert dep in BY_ID
            assert BY_ID[dep].stage <= p.stage

    def depth(pattern_id: str, seen: tuple[str, ...] = ()) -> int:
        assert pattern_id not in seen, f"cycle: {' -> '.join((*seen, pattern_id))}"
        deps = BY_ID[pattern_id].requires
        return 1 + max((depth(d, (*seen, pattern_id)) for d in deps), default=0)

    assert max(depth(p.id) for p in PATTERNS) <= 3, "keep dependency chains short"


# --- the validator rejects broken data ----------------------------------------------------------


def _pattern(pattern_id: str, stage: int, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": pattern_id,
        "title": f"Pattern {pattern_id}",
        "stage": stage,
        "category": "resilience",
        "why": "Because.",
        "triggers": {"always": True},
        "impact": {"metric": "database time per request", "change_pct": {"low": -50, "high": -20}, "confidence": "low"},
        "resilience": 1,
        "difficulty": "low",
        "effort": {"person_days": {"low": 1, "high": 2}, "weeks": {"low": 0.5, "high": 1}},
        "steps": ["Do the first thing.", "Do the second thing."],
        "verify": ["It works."],
        "sources": {"impact": "Estimate: test.", "effort": "Estimate: test.", "cost": "Estimate: test."},
    }
    data.update(extra)
    return data


def _valid() -> dict[str, Any]:
    return {"patterns": [_pattern("first", 1), _pattern("second", 2), _pattern("third", 3)]}


def _parse(data: dict[str, Any]) -> Catalogue:
    return parse_catalogue(yaml.safe_dump(data, allow_unicode=True))


def test_the_minimal_fixture_is_valid() -> None:
    catalogue = _parse(_valid())
    assert [p.id for p in catalogue.patterns] == ["first", "second", "third"]


def test_packaged_yaml_round_trips_through_parse_catalogue() -> None:
    dumped = yaml.safe_dump(CATALOGUE.model_dump(mode="json"), allow_unicode=True)
    assert parse_catalogue(dumped) == CATALOGUE


def _broken(name: str) -> dict[str, Any]:
    data = _valid()
    patterns = data["patterns"]
    if name == "duplicate id":
        patterns.append(_pattern("first", 2))
    elif name == "dependency on a later stage":
        patterns[0]["requires"] = ["third"]
    elif name == "unknown requires id":
        patterns[1]["requires"] = ["no-such-pattern"]
    elif name == "demand factor above one":
        patterns[0]["effects"] = [{"tier": "database", "demand_factor": {"low": 0.5, "high": 1.2}}]
        patterns[0]["sources"]["effects"] = "Estimate: test."
    elif name == "stage without an always pattern":
        patterns[2]["triggers"] = {"when_target_unmet": True}
    elif name == "effects without a source":
        patterns[0]["effects"] = [{"tier": "app", "demand_factor": {"low": 0.5, "high": 0.8}}]
    elif name == "scaling without a source":
        patterns[1]["scaling"] = {
            "tier": "app",
            "sigma": {"low": 0.01, "high": 0.02},
            "kappa": {"low": 0, "high": 0.0001},
            "max_units": 10,
            "unit_cost_monthly_usd": {"low": 50, "high": 100},
        }
    elif name == "usl sigma of one":
        patterns[1]["scaling"] = {
            "tier": "app",
            "sigma": {"low": 0.5, "high": 1.0},
            "kappa": {"low": 0, "high": 0.0001},
            "max_units": 10,
            "unit_cost_monthly_usd": {"low": 50, "high": 100},
        }
        patterns[1]["sources"]["scaling"] = "Estimate: test."
    elif name == "unknown fact":
        patterns[0]["triggers"] = {"always": True, "excluded_by_facts": ["has_teleporter"]}
    elif name == "unknown field":
        patterns[0]["impcat"] = {}
    elif name == "range low above high":
        patterns[0]["effort"] = {"person_days": {"low": 5, "high": 2}, "weeks": {"low": 0.5, "high": 1}}
    elif name == "bad id":
        patterns[0]["id"] = "Not An Id"
    else:  # pragma: no cover
        raise AssertionError(name)
    return data


@pytest.mark.parametrize(
    "name",
    [
        "duplicate id",
        "dependency on a later stage",
        "unknown requires id",
        "demand factor above one",
        "stage without an always pattern",
        "effects without a source",
        "scaling without a source",
        "usl sigma of one",
        "unknown fact",
        "unknown field",
        "range low above high",
        "bad id",
    ],
)
def test_validator_rejects_broken_data(name: str) -> None:
    data = _broken(name)
    with pytest.raises(pydantic.ValidationError):
        _parse(data)


def test_breaking_the_packaged_catalogue_is_caught() -> None:
    """The same checks hold on the real data: move a prerequisite after its dependant."""
    data = CATALOGUE.model_dump(mode="json")
    broken = copy.deepcopy(data)
    for pattern in broken["patterns"]:
        if pattern["id"] == "slow-query-indexes":
            pattern["stage"] = 3
    with pytest.raises(pydantic.ValidationError, match="later stage"):
        parse_catalogue(yaml.safe_dump(broken, allow_unicode=True))


# --- workload-aware fields: contraindications, answers, variants, prerequisites ---------------------------------------


def test_the_catalogue_covers_real_systems() -> None:
    """Issue 'workload-aware advice': 50+ patterns, each workload kind has levers and contraindications."""
    assert len(PATTERNS) >= 50
    lever_kinds = {k for p in PATTERNS for k in p.triggers.workloads}
    contra_kinds = {k for p in PATTERNS for c in p.contraindications for k in c.when.kinds + c.when.not_kinds}
    for kind in ("inventory", "strong-consistency", "write-heavy", "multi-tenant", "media", "analytics", "spiky-reads"):
        assert kind in lever_kinds, f"no pattern is a lever for {kind}"
    for kind in ("strong-consistency", "write-heavy", "tiny-team", "api-only", "spiky-reads"):
        assert kind in contra_kinds, f"no pattern is contraindicated for {kind}"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_prerequisites_contraindications_and_answers_read_as_advice(pattern: Pattern) -> None:
    assert pattern.prerequisites, f"{pattern.id} says nothing about what must be true first"
    for text in pattern.prerequisites:
        assert len(text) >= 30 and "{" not in text
    for contra in pattern.contraindications:
        assert len(contra.reason) >= 40 and "{" not in contra.reason, f"{pattern.id}: a reason the team can act on"
        assert contra.reason_ko and HANGUL.search(contra.reason_ko), f"{pattern.id}: the reason in Korean too"
        assert contra.when.model_dump(exclude_defaults=True), f"{pattern.id}: a contraindication needs a condition"
    en, ko = pattern.answers.en, pattern.answers.ko
    assert all(len(w) >= 3 for w in en) and all(HANGUL.search(w) for w in ko), pattern.id
    assert len(set(en)) == len(en) and len(set(ko)) == len(ko), f"{pattern.id} repeats an answer phrase"


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p.variants], ids=lambda p: p.id)
def test_variants_are_keyed_on_the_stack_and_keep_the_shape(pattern: Pattern) -> None:
    for variant in pattern.variants:
        assert variant.title or variant.steps or variant.verify, f"{pattern.id}: an empty variant"
        if variant.steps:
            assert 2 <= len(variant.steps) <= 5 and all(len(s) >= 40 for s in variant.steps)
    keys = [v.when.model_dump_json(exclude_defaults=True) for v in pattern.variants]
    assert len(keys) == len(set(keys)), f"{pattern.id}: two variants for the same condition"


def test_the_validator_rejects_an_unknown_workload_kind() -> None:
    data = _valid()
    data["patterns"][0]["contraindications"] = [{"when": {"kinds": ["crypto-exchange"]}, "reason": "Not a kind."}]
    with pytest.raises(pydantic.ValidationError, match="unknown workload kinds"):
        _parse(data)
    data = _valid()
    data["patterns"][0]["triggers"] = {"always": True, "workloads": ["flash-sale"]}
    with pytest.raises(pydantic.ValidationError, match="unknown workload kinds"):
        _parse(data)


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_no_text_points_at_an_item_that_may_not_exist(pattern: Pattern) -> None:
    """A pattern cannot know which other items a plan carries: 'see the CDN item' would dangle."""
    for text in [*_texts(pattern), *(c.reason for c in pattern.contraindications)]:
        assert not re.search(r"\b(?:see|under) the [\w -]+ item\b|\bitem \d", text, re.I), f"{pattern.id}: {text!r}"
