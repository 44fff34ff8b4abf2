"""Building the questionnaire modal, empty or prefilled so that a resubmission gives the same profile back.

Inputs keep what people type (user counts as text, so "1.2k" and "100만" work); ``SystemProfile`` validates on submit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import Language, t
from bot.roadmap.money import UNITS_PER_USD
from bot.roadmap.schema import SystemProfile
from bot.slack import ids
from bot.slack.modal.fields import CURRENCY_NAMES, FIELDS, PRIVATE_METADATA_MAX, TEXT_MAX, Field


def _number_text(value: float | Decimal) -> str:
    """A number as people type it: 220, 0.5, 5000 (no exponent, no trailing .0)."""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _initial_values(profile: SystemProfile) -> dict[str, str]:
    """Each input's initial text from a profile, chosen so a resubmission gives the same profile back."""
    budget, measurements = profile.budget, profile.measurements
    raw: dict[str, object | None] = {
        "system_name": profile.system_name,
        "current_users": str(profile.current_users),
        "target_users": str(profile.target_users),
        "core_features": _features_text(profile.core_features),
        "architecture.database": profile.architecture.database,
        "architecture.servers": profile.architecture.servers,
        "architecture.network": profile.architecture.network,
        "bottlenecks": profile.bottlenecks,
        "budget.monthly_amount": None if budget.monthly_amount is None else _number_text(budget.monthly_amount),
        "budget.currency": budget.currency,
        "budget.constraints": budget.constraints,
        "measurements.peak_rps": measurements.peak_rps,
        "measurements.p95_latency_ms": measurements.p95_latency_ms,
        "measurements.error_rate_pct": measurements.error_rate_pct,
    }
    out: dict[str, str] = {}
    for path, value in raw.items():
        if value is None:
            continue
        out[path] = _number_text(value) if isinstance(value, float) else str(value)
    return out


def _features_text(features: Sequence[str]) -> str:
    """Features one per line; whole lines only, within the input's limit."""
    kept: list[str] = []
    for feature in features:
        if len("\n".join([*kept, feature])) > TEXT_MAX:
            break
        kept.append(feature)
    return "\n".join(kept)


def _currency_option(code: str, lang: Language) -> Option:
    name = CURRENCY_NAMES.get(code)
    return Option(text=PlainTextObject(text=f"{code} · {t(lang, name)}" if name else code), value=code)


def _element(field: Field, initial: str | None, lang: Language) -> Any:
    placeholder = PlainTextObject(text=t(lang, field.placeholder)) if field.placeholder else None
    if field.kind in ("text", "multiline"):
        return PlainTextInputElement(
            action_id=ids.QUESTION_ACTION,
            placeholder=placeholder,
            initial_value=initial[: field.max_length] if initial else None,
            multiline=field.kind == "multiline" or None,
            max_length=field.max_length,
        )
    if field.kind == "number":
        return NumberInputElement(
            action_id=ids.QUESTION_ACTION,
            is_decimal_allowed=True,
            initial_value=initial,
            min_value=field.min_value,
            max_value=field.max_value,
            placeholder=placeholder,
        )
    if field.kind == "select":
        codes = list(UNITS_PER_USD)
        chosen = initial or "USD"
        if chosen not in codes:  # keep an unsupported currency a profile already has (costs are shown in USD)
            codes.append(chosen)
        options = [_currency_option(code, lang) for code in codes]
        return StaticSelectElement(
            action_id=ids.QUESTION_ACTION,
            placeholder=PlainTextObject(text=t(lang, "Currency")),
            options=options,
            initial_option=options[codes.index(chosen)],
        )
    raise ValueError(f"unknown field kind {field.kind!r}")


def _input(field: Field, initial: str | None, lang: Language) -> InputBlock:
    return InputBlock(
        block_id=field.block_id,
        label=PlainTextObject(text=t(lang, field.label)),
        element=_element(field, initial, lang),
        hint=PlainTextObject(text=t(lang, field.hint)) if field.hint else None,
        optional=field.optional or None,
    )


def questionnaire_view(
    *,
    private_metadata: str,
    prefill: SystemProfile | None = None,
    prefill_note: str | None = None,
    initial_channel_id: str | None = None,
    lang: Language = "en",
) -> View:
    """The questionnaire, empty or prefilled with earlier answers (``/scale-review <system name>``), in `lang`.

    ``private_metadata`` carries the listener's context (e.g. the channel the command came from) back on submit.
    """
    if len(private_metadata) > PRIVATE_METADATA_MAX:
        raise ValueError(f"private_metadata is {len(private_metadata)} chars (Slack allows {PRIVATE_METADATA_MAX})")
    initial = _initial_values(prefill) if prefill is not None else {}
    intro = prefill_note or t(
        lang,
        "Describe the system as it is today. Rough numbers are fine: every figure in the roadmap says where it "
        "comes from.",
    )
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=intro[:TEXT_MAX], verbatim=True)])]
    blocks += [_input(field, initial.get(field.path), lang) for field in FIELDS]
    blocks.append(
        InputBlock(
            block_id=ids.Q_CHANNEL,
            label=PlainTextObject(text=t(lang, "Post the roadmap in")),
            element=ConversationSelectElement(
                action_id=ids.QUESTION_ACTION,
                placeholder=PlainTextObject(text=t(lang, "Choose a channel")),
                initial_conversation=initial_channel_id,
                default_to_current_conversation=True,
                filter=ConversationFilter(
                    include=["public", "private"], exclude_bot_users=True, exclude_external_shared_channels=True
                ),
            ),
            hint=PlainTextObject(
                text=t(lang, "I must be a member: type /invite @scale-review there first if I'm not.")
            ),
        )
    )
    return View(
        type="modal",
        callback_id=ids.QUESTIONNAIRE_CALLBACK,
        title=PlainTextObject(text=t(lang, "Scale review")),
        submit=PlainTextObject(text=t(lang, "Generate roadmap")),
        close=PlainTextObject(text=t(lang, "Cancel")),
        private_metadata=private_metadata,
        blocks=blocks,
    )
