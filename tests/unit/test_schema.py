"""The questionnaire model rejects bad answers with messages that name the field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.roadmap.examples import EXAMPLE_PROFILE
from bot.roadmap.profile_io import field_errors
from bot.roadmap.schema import ItemStatus, Range, SystemProfile, parse_count


def profile(**changes: object) -> dict[str, object]:
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in EXAMPLE_PROFILE.items()}
    data.update(changes)
    return data


def errors_of(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        SystemProfile.model_validate(data)
    return dict(field_errors(info.value))


def test_example_profile_is_valid() -> None:
    parsed = SystemProfile.model_validate(EXAMPLE_PROFILE)
    assert parsed.current_users == 1200
    assert parsed.scale_factor == pytest.approx(1_000_000 / 1200)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", 1200),
        ("1,200", 1200),
        ("1.2k", 1200),
        ("1M", 1_000_000),
        ("100만", 1_000_000),
        ("3천", 3000),
        ("2억", 200_000_000),
        (" 15 users", 15),
        ("5,000명", 5000),
        (42, 42),
        (3.0, 3),
    ],
)
def test_user_counts_accept_how_people_write_them(text: object, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["lots", "1.5", "12 apples", "k", "1.23456k"])
def test_user_counts_reject_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="number of users"):
        parse_count(text)


def test_target_must_exceed_current() -> None:
    errors = errors_of(profile(current_users=5000, target_users=5000))
    assert "target_users" in errors
    assert "5,000" in errors["target_users"] and "greater" in errors["target_users"]


def test_every_required_field_is_named_when_missing() -> None:
    errors = errors_of({})
    for name in ("system_name", "current_users", "target_users", "core_features", "architecture", "bottlenecks"):
        assert name in errors, errors
    nested = errors_of(profile(architecture={"database": " ", "servers": ""}))
    assert set(nested) == {"architecture.database", "architecture.servers"}


def test_sizes_are_bounded() -> None:
    errors = errors_of(
        profile(
            system_name="x" * 81,
            bottlenecks="y" * 3001,
            core_features=[f"feature {i}" for i in range(31)],
            current_users=0,
            target_users=10**11,
        )
    )
    assert {"system_name", "bottlenecks", "core_features", "current_users", "target_users"} <= set(errors)
    assert "80" in errors["system_name"]


def test_core_features_split_from_multiline_text() -> None:
    parsed = SystemProfile.model_validate(profile(core_features="- feed\n\n* chat \n• search"))
    assert parsed.core_features == ["feed", "chat", "search"]


def test_budget_and_measurements_validation() -> None:
    parsed = SystemProfile.model_validate(profile(budget={"monthly_amount": "$2,500", "currency": "krw"}))
    assert parsed.budget.monthly_amount == Decimal("2500") and parsed.budget.currency == "KRW"
    errors = errors_of(
        profile(
            budget={"monthly_amount": -1, "currency": "dollars"},
            measurements={"peak_rps": 0, "p95_latency_ms": -5, "error_rate_pct": 101},
        )
    )
    assert {
        "budget.monthly_amount",
        "budget.currency",
        "measurements.peak_rps",
        "measurements.p95_latency_ms",
        "measurements.error_rate_pct",
    } <= set(errors)


def test_unknown_fields_are_rejected_not_ignored() -> None:
    assert "colour" in errors_of(profile(colour="blue"))


def test_blank_optional_text_becomes_none() -> None:
    parsed = SystemProfile.model_validate(
        profile(architecture={"database": "Postgres", "servers": "1 VM", "network": "   "})
    )
    assert parsed.architecture.network is None


def test_range_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="above high"):
        Range(low=2, high=1)


def test_item_status_labels_and_open_states() -> None:
    assert [s.value for s in ItemStatus] == ["todo", "in_progress", "done", "acknowledged", "not_applicable"]
    assert {s for s in ItemStatus if s.is_open} == {ItemStatus.TODO, ItemStatus.IN_PROGRESS}
    assert ItemStatus.ACKNOWLEDGED.label == "Acknowledged (won't do)"
