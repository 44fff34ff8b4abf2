"""Reading a submitted modal: the answer in each input's state, and the questionnaire's answers as a profile dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.slack import ids
from bot.slack.modal.fields import FIELDS


def state_value(state: Mapping[str, Any] | None) -> str | None:
    """The answer inside one input's state, whatever the element type; empty answers are None."""
    if not isinstance(state, Mapping):
        return None
    if "selected_option" in state:
        option = state.get("selected_option")
        value = option.get("value") if isinstance(option, Mapping) else None
    elif "selected_conversation" in state:
        value = state.get("selected_conversation")
    elif "selected_channel" in state:
        value = state.get("selected_channel")
    elif "selected_time" in state:
        value = state.get("selected_time")
    else:
        value = state.get("value")
    if value is None:
        return None
    value = str(value)
    return value if value.strip() else None


def block_state(values: Mapping[str, Mapping[str, Mapping[str, Any]]], block_id: str) -> Mapping[str, Any] | None:
    """One input's state in ``view.state.values``: our action id's, else the only one there."""
    actions = values.get(block_id)
    if not isinstance(actions, Mapping) or not actions:
        return None
    return actions.get(ids.QUESTION_ACTION) or next(iter(actions.values()))


def read_submission(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> tuple[dict[str, Any], str | None]:
    """``view.state.values`` -> (a dict for ``SystemProfile.model_validate``, the chosen channel id or None).

    Text stays as typed (the model strips, splits lines and parses "1.2k"); empty answers are left out, so a
    missing required answer reads "This field is required" and an empty optional one takes the model's default.
    """
    profile: dict[str, Any] = {}
    for field in FIELDS:
        value = state_value(block_state(values, field.block_id))
        if value is None:
            continue
        target = profile
        *parents, leaf = field.path.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    channel = state_value(block_state(values, ids.Q_CHANNEL))
    return profile, channel
