"""The questionnaire modal: valid Block Kit, a prefilled view that round-trips through Slack's state shape, and
validation errors that land on the right inputs in words a person understands."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.roadmap.money import UNITS_PER_USD
from bot.roadmap.profile_io import field_errors, load_profile
from bot.roadmap.schema import SystemProfile
from bot.slack import ids
from bot.slack.modal.errors import field_errors_to_blocks
from bot.slack.modal.fields import CHANNEL_BLOCK, channel_error_block_id
from bot.slack.modal.questionnaire import questionnaire_view
from bot.slack.modal.reading import read_submission
from tests.builders import sample_profile
from tests.fakes.blockkit import view_problems
from tests.fakes.slack_requests import state_from_view

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
INPUT_BLOCKS = [
    ids.Q_SYSTEM_NAME,
    ids.Q_CURRENT_USERS,
    ids.Q_TARGET_USERS,
    ids.Q_CORE_FEATURES,
    ids.Q_DATABASE,
    ids.Q_SERVERS,
    ids.Q_NETWORK,
    ids.Q_BOTTLENECKS,
    ids.Q_BUDGET_AMOUNT,
    ids.Q_BUDGET_CURRENCY,
    ids.Q_BUDGET_CONSTRAINTS,
    ids.Q_PEAK_RPS,
    ids.Q_P95_LATENCY,
    ids.Q_ERROR_RATE,
    ids.Q_CHANNEL,
]


def _walk(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def check_view(view: View) -> dict[str, Any]:
    data = view.to_dict()
    assert View(**data).to_dict() == data
    assert view_problems(data) == []
    for block in data["blocks"]:
        model = Block.parse(block)
        assert model is not None and model.to_dict() == block
    assert len(data["blocks"]) <= 100
    for key in ("title", "submit", "close"):
        assert len(data[key]["text"]) <= 24
    for block in data["blocks"]:
        if block["type"] != "input":
            continue
        assert not block.get("dispatch_action")
        assert len(block["label"]["text"]) <= 2000
        assert len(block.get("hint", {}).get("text", "")) <= 2000
        element = block["element"]
        assert element["action_id"] == ids.QUESTION_ACTION
        assert len(element.get("placeholder", {}).get("text", "")) <= 150
        assert len(str(element.get("initial_value", ""))) <= 3000
        assert element.get("max_length", 0) <= 3000
    return data


def edited(values: dict[str, dict[str, Any]], block_id: str, value: str | None) -> dict[str, dict[str, Any]]:
    out = {k: {a: dict(s) for a, s in v.items()} for k, v in values.items()}
    out[block_id][ids.QUESTION_ACTION]["value"] = value
    return out


def extreme_profile() -> SystemProfile:
    return SystemProfile.model_validate(
        {
            "system_name": "S" * 80,
            "current_users": "1.2k",
            "target_users": "100만",
            "core_features": [f"Feature {n} " + "with a long description " * 3 for n in range(30)],
            "architecture": {
                "database": "PostgreSQL & <Redis>\nsecond line " + "d" * 2950,
                "servers": "x" * 3000,
                "network": "한국어 네트워크 설명",
            },
            "bottlenecks": "line one\nline two\n" + "b" * 2900,
            "budget": {"monthly_amount": Decimal("1234.56"), "currency": "KRW", "constraints": "two engineers"},
            "measurements": {"peak_rps": 0.5, "p95_latency_ms": 1e-05, "error_rate_pct": 100},
        }
    )


# --- the view ---------------------------------------------------------------------------------------------------


def test_empty_questionnaire() -> None:
    data = check_view(questionnaire_view(private_metadata='{"c":"C1"}'))
    assert data["callback_id"] == ids.QUESTIONNAIRE_CALLBACK
    assert (data["title"]["text"], data["submit"]["text"], data["close"]["text"]) == (
        "Scale review",
        "Generate roadmap",
        "Cancel",
    )
    assert data["private_metadata"] == '{"c":"C1"}'
    inputs = {b["block_id"]: b for b in data["blocks"] if b["type"] == "input"}
    assert list(inputs) == INPUT_BLOCKS
    optional = {k for k, b in inputs.items() if b.get("optional")}
    assert optional == {
        ids.Q_NETWORK,
        ids.Q_BUDGET_AMOUNT,
        ids.Q_BUDGET_CONSTRAINTS,
        ids.Q_PEAK_RPS,
        ids.Q_P95_LATENCY,
        ids.Q_ERROR_RATE,
    }
    assert inputs[ids.Q_SYSTEM_NAME]["element"]["max_length"] == 80
    for block_id in (ids.Q_CURRENT_USERS, ids.Q_TARGET_USERS):
        assert inputs[block_id]["element"]["type"] == "plain_text_input"
        assert "1.2k" in inputs[block_id]["hint"]["text"] and "100만" in inputs[block_id]["hint"]["text"]
    assert inputs[ids.Q_CORE_FEATURES]["element"]["multiline"] is True
    assert inputs[ids.Q_BOTTLENECKS]["element"]["multiline"] is True
    for block_id in (ids.Q_PEAK_RPS, ids.Q_P95_LATENCY, ids.Q_ERROR_RATE):
        element = inputs[block_id]["element"]
        assert element["type"] == "number_input" and element["is_decimal_allowed"] is True
    currency = inputs[ids.Q_BUDGET_CURRENCY]["element"]
    assert currency["type"] == "static_select"
    assert [o["value"] for o in currency["options"]] == list(UNITS_PER_USD)
    assert currency["initial_option"]["value"] == "USD"
    channel = inputs[ids.Q_CHANNEL]["element"]
    assert channel["type"] == "conversations_select"
    assert channel["default_to_current_conversation"] is True
    assert channel["filter"] == {
        "include": ["public", "private"],
        "exclude_bot_users": True,
        "exclude_external_shared_channels": True,
    }
    assert channel_error_block_id() == CHANNEL_BLOCK == ids.Q_CHANNEL


def test_private_metadata_limit() -> None:
    with pytest.raises(ValueError):
        questionnaire_view(private_metadata="x" * 3001)


def _profiles() -> list[SystemProfile]:
    return [load_profile(path) for path in EXAMPLES] + [sample_profile(), extreme_profile()]


@pytest.mark.parametrize("index", range(len(EXAMPLES) + 2))
def test_prefilled_view_round_trips(index: int) -> None:
    profile = _profiles()[index]
    data = check_view(questionnaire_view(private_metadata="{}", prefill=profile, prefill_note="Your answers from v3."))
    assert data["blocks"][0]["type"] == "context"
    assert data["blocks"][0]["elements"][0]["text"] == "Your answers from v3."
    values = state_from_view(data)
    answers, channel = read_submission(values)
    assert channel == "C123"
    assert SystemProfile.model_validate(answers) == profile


def test_unsupported_currency_is_kept_on_prefill() -> None:
    profile = sample_profile(budget={"monthly_amount": "100", "currency": "XYZ"})
    data = check_view(questionnaire_view(private_metadata="", prefill=profile))
    answers, _ = read_submission(state_from_view(data))
    assert SystemProfile.model_validate(answers) == profile


def test_empty_optional_answers_are_left_out() -> None:
    data = questionnaire_view(private_metadata="").to_dict()
    values = state_from_view(data, channel=None)
    filled = {
        ids.Q_SYSTEM_NAME: "Search",
        ids.Q_CURRENT_USERS: "1,200",
        ids.Q_TARGET_USERS: "1M",
        ids.Q_CORE_FEATURES: "search\n\n  - autocomplete\n",
        ids.Q_DATABASE: "Elasticsearch 8, 3 nodes",
        ids.Q_SERVERS: "2 VMs",
        ids.Q_NETWORK: "   ",
        ids.Q_BOTTLENECKS: "Heap pressure",
        ids.Q_BUDGET_CONSTRAINTS: "",
    }
    for block_id, value in filled.items():
        values = edited(values, block_id, value)
    answers, channel = read_submission(values)
    assert channel is None
    assert answers == {
        "system_name": "Search",
        "current_users": "1,200",
        "target_users": "1M",
        "core_features": "search\n\n  - autocomplete\n",
        "architecture": {"database": "Elasticsearch 8, 3 nodes", "servers": "2 VMs"},
        "bottlenecks": "Heap pressure",
        "budget": {"currency": "USD"},
    }
    profile = SystemProfile.model_validate(answers)
    assert profile.core_features == ["search", "autocomplete"]
    assert profile.current_users == 1200 and profile.target_users == 1_000_000
    assert profile.architecture.network is None and profile.measurements.peak_rps is None


# --- errors -------------------------------------------------------------------------------------------------------


def _errors_for(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, str]:
    answers, _ = read_submission(values)
    with pytest.raises(ValidationError) as caught:
        SystemProfile.model_validate(answers)
    return field_errors_to_blocks(field_errors(caught.value))


@pytest.fixture
def good_values() -> dict[str, dict[str, Any]]:
    return state_from_view(questionnaire_view(private_metadata="", prefill=sample_profile()).to_dict())


@pytest.mark.parametrize(
    ("block_id", "typed", "expected"),
    [
        (ids.Q_SYSTEM_NAME, "   ", "This field is required"),
        (ids.Q_SYSTEM_NAME, "n" * 81, "At most 80 characters"),
        (ids.Q_CURRENT_USERS, "lots", "'lots' is not a number of users (try 1200, 1.2k or 1M)"),
        (ids.Q_TARGET_USERS, "1000", "The target (1,000) must be more than the users you have now (1,200)"),
        (ids.Q_TARGET_USERS, "0", "Must be at least 1"),
        (ids.Q_BUDGET_AMOUNT, "lots", "Enter a number, e.g. 5000 or 12.5"),
        (ids.Q_BUDGET_AMOUNT, "-5", "Must be at least 0"),
        (ids.Q_PEAK_RPS, "fast", "Enter a number, e.g. 5000 or 12.5"),
        (ids.Q_ERROR_RATE, "250", "Must be at most 100"),
        (ids.Q_CORE_FEATURES, "a\nb\nc\n" + "f" * 201, "Feature 4: At most 200 characters"),
        (ids.Q_BOTTLENECKS, None, "This field is required"),
    ],
)
def test_bad_answers_map_to_their_inputs(
    good_values: dict[str, dict[str, Any]], block_id: str, typed: str | None, expected: str
) -> None:
    errors = _errors_for(edited(good_values, block_id, typed))
    assert errors == {block_id: expected}


def test_several_errors_and_unknown_fields() -> None:
    errors = field_errors_to_blocks(
        [
            ("system_name", "String should have at most 80 characters"),
            ("system_name", "Something else is wrong"),
            ("architecture.database", "Field required"),
            ("architecture", "Input should be a valid dictionary or instance of Architecture"),
            ("budget.currency", "String should match pattern '^[A-Z]{3}$'"),
            ("measurements.p95_latency_ms", "Input should be greater than 0"),
            ("profile", "everything is wrong"),
            ("surprise", "Extra inputs are not permitted"),
        ]
    )
    assert errors == {
        ids.Q_SYSTEM_NAME: "At most 80 characters; Something else is wrong; profile: Everything is wrong; "
        "surprise: Not a question in this form",
        ids.Q_DATABASE: "This field is required; Input should be a valid dictionary or instance of Architecture",
        ids.Q_BUDGET_CURRENCY: "Use a 3-letter currency code such as USD",
        ids.Q_P95_LATENCY: "Must be more than 0",
    }
    long = field_errors_to_blocks([("bottlenecks", f"problem {n} " + "x" * 300) for n in range(20)])
    assert len(long[ids.Q_BOTTLENECKS]) <= 2000
    assert set(INPUT_BLOCKS) >= {*errors, *long}
