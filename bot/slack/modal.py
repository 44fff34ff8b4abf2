"""The questionnaire modal (shared/PRODUCT.md, "The questionnaire"): building it, reading a submission, and showing
validation errors on the right inputs.

Inputs keep what people type (user counts as text, so "1.2k" and "100만" work); ``SystemProfile`` does the
validating, and ``field_errors_to_blocks`` turns its complaints into short messages next to the inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
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
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.i18n import N_, Language, t
from bot.roadmap.money import UNITS_PER_USD
from bot.roadmap.schema import MAX_TEXT, SystemProfile
from bot.slack import ids, values

TEXT_MAX = MAX_TEXT  # Slack's plain_text_input limit, and the profile's
NAME_MAX = 80
COUNT_MAX = 40
ERROR_MAX = 2000  # Slack shows at most this much under an input
PRIVATE_METADATA_MAX = 3000

CURRENCY_NAMES: dict[str, str] = {
    "USD": N_("US dollar"),
    "EUR": N_("Euro"),
    "GBP": N_("Pound sterling"),
    "JPY": N_("Japanese yen"),
    "KRW": N_("Korean won"),
    "CNY": N_("Chinese yuan"),
    "INR": N_("Indian rupee"),
    "CAD": N_("Canadian dollar"),
    "AUD": N_("Australian dollar"),
    "SGD": N_("Singapore dollar"),
    "CHF": N_("Swiss franc"),
    "SEK": N_("Swedish krona"),
    "BRL": N_("Brazilian real"),
    "TWD": N_("New Taiwan dollar"),
    "HKD": N_("Hong Kong dollar"),
}


@dataclass(frozen=True)
class _Field:
    """One input: where its answer goes in the profile, and how Slack should present it."""

    block_id: str
    path: str  # dotted path in the profile dict (and in pydantic's error locations)
    label: str
    kind: str  # "text", "multiline", "number", "select", "channel"
    optional: bool = False
    placeholder: str | None = None
    hint: str | None = None
    max_length: int = TEXT_MAX
    min_value: str | None = None
    max_value: str | None = None


_COUNT_HINT = N_("A whole number: 1200, 1.2k, 1M or 100만 all work.")
FIELDS: tuple[_Field, ...] = (
    _Field(
        ids.Q_SYSTEM_NAME,
        "system_name",
        N_("System name"),
        "text",
        placeholder=N_("e.g. Checkout API"),
        max_length=NAME_MAX,
    ),
    _Field(
        ids.Q_CURRENT_USERS,
        "current_users",
        N_("Concurrent users now (at peak)"),
        "text",
        placeholder=N_("e.g. 1200"),
        hint=_COUNT_HINT,
        max_length=COUNT_MAX,
    ),
    _Field(
        ids.Q_TARGET_USERS,
        "target_users",
        N_("Target concurrent users"),
        "text",
        placeholder=N_("e.g. 1M"),
        hint=N_("A whole number: 1200, 1.2k, 1M or 100만 all work. It must be more than today."),
        max_length=COUNT_MAX,
    ),
    _Field(
        ids.Q_CORE_FEATURES,
        "core_features",
        N_("Core features"),
        "multiline",
        placeholder=N_("News feed\nImage uploads\nReal-time chat"),
        hint=N_("One per line; up to 30."),
    ),
    _Field(
        ids.Q_DATABASE,
        "architecture.database",
        N_("Database"),
        "multiline",
        placeholder=N_("e.g. PostgreSQL 15 on RDS db.r6g.large, 1 read replica"),
        hint=N_("Engine, size, replicas, cache if any."),
    ),
    _Field(
        ids.Q_SERVERS,
        "architecture.servers",
        N_("Servers"),
        "multiline",
        placeholder=N_("e.g. 4 × 2 vCPU containers, Django + gunicorn, on ECS"),
        hint=N_("Count, size, runtime, hosting."),
    ),
    _Field(
        ids.Q_NETWORK,
        "architecture.network",
        N_("Network"),
        "multiline",
        optional=True,
        placeholder=N_("e.g. ALB, no CDN, one region (eu-west-1)"),
        hint=N_("Load balancer, CDN, regions."),
    ),
    _Field(
        ids.Q_BOTTLENECKS,
        "bottlenecks",
        N_("Bottlenecks and symptoms"),
        "multiline",
        placeholder=N_("e.g. DB CPU hits 100% at peak; p95 goes above 3 s; the site falls over on launches"),
        hint=N_("What breaks first and how you notice: the roadmap starts from here."),
    ),
    _Field(
        ids.Q_BUDGET_AMOUNT,
        "budget.monthly_amount",
        N_("Monthly budget for infrastructure"),
        "text",
        optional=True,
        placeholder=N_("e.g. 5000"),
        hint=N_("An amount per month; leave empty if there is no limit."),
        max_length=COUNT_MAX,
    ),
    _Field(ids.Q_BUDGET_CURRENCY, "budget.currency", N_("Budget currency"), "select"),
    _Field(
        ids.Q_BUDGET_CONSTRAINTS,
        "budget.constraints",
        N_("Budget and team constraints"),
        "multiline",
        optional=True,
        placeholder=N_("e.g. two backend engineers, no DBA; no managed Kubernetes"),
    ),
    _Field(
        ids.Q_PEAK_RPS,
        "measurements.peak_rps",
        N_("Peak requests per second"),
        "number",
        optional=True,
        hint=N_("If you have it: it makes the capacity model much sharper."),
        min_value="0",
        max_value="1000000000",
    ),
    _Field(
        ids.Q_P95_LATENCY,
        "measurements.p95_latency_ms",
        N_("p95 latency at peak (ms)"),
        "number",
        optional=True,
        min_value="0",
        max_value="600000",
    ),
    _Field(
        ids.Q_ERROR_RATE,
        "measurements.error_rate_pct",
        N_("Error rate at peak (%)"),
        "number",
        optional=True,
        min_value="0",
        max_value="100",
    ),
)
_BY_PATH: dict[str, _Field] = {f.path: f for f in FIELDS}
# Errors about a whole object land on its first input.
_PARENTS: dict[str, str] = {
    "architecture": ids.Q_DATABASE,  # also where the sanity gates' "architecture" findings go
    "budget": ids.Q_BUDGET_AMOUNT,
    "measurements": ids.Q_PEAK_RPS,
}


CHANNEL_BLOCK = ids.Q_CHANNEL  # where "I'm not in that channel" goes


def channel_error_block_id() -> str:
    """The channel input's block id, for errors such as "I'm not in that channel"."""
    return ids.Q_CHANNEL


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


def _element(field: _Field, initial: str | None, lang: Language) -> Any:
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


def _input(field: _Field, initial: str | None, lang: Language) -> InputBlock:
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


# --- reading a submission ---------------------------------------------------------------------------------------------
def _state_value(state: Mapping[str, Any] | None) -> str | None:
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


def _block_state(values: Mapping[str, Mapping[str, Mapping[str, Any]]], block_id: str) -> Mapping[str, Any] | None:
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
        value = _state_value(_block_state(values, field.block_id))
        if value is None:
            continue
        target = profile
        *parents, leaf = field.path.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    channel = _state_value(_block_state(values, ids.Q_CHANNEL))
    return profile, channel


# --- errors back on the inputs ----------------------------------------------------------------------------------------
# Pydantic's phrasing -> what a person filling a form understands; {0}, {1} are the pattern's groups.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        (r"^Field required$", N_("This field is required")),
        (r"^String should have at least 1 character$", N_("This field is required")),
        (r"^String should have at most (\d+) characters?$", N_("At most {0} characters")),
        (r"^String should have at least (\d+) characters?$", N_("At least {0} characters")),
        (r"^List should have at least 1 item.*$", N_("Add at least one, one per line")),
        (r"^List should have at most (\d+) items.*$", N_("At most {0}, one per line")),
        (r"^Input should be greater than or equal to (\S+)$", N_("Must be at least {0}")),
        (r"^Input should be greater than (\S+)$", N_("Must be more than {0}")),
        (r"^Input should be less than or equal to (\S+)$", N_("Must be at most {0}")),
        (r"^Input should be less than (\S+)$", N_("Must be less than {0}")),
        (r"^Input should be a valid (?:number|decimal|float).*$", N_("Enter a number, e.g. 5000 or 12.5")),
        (r"^Decimal input should be .*$", N_("Enter a number, e.g. 5000 or 12.5")),
        (r"^Input should be a valid integer.*$", N_("Enter a whole number")),
        (r"^Input should be a finite number$", N_("Enter a number")),
        (r"^Input should be a valid string$", N_("Enter some text")),
        (r"^String should match pattern '\^\[A-Z\]\{3\}\$'$", N_("Use a 3-letter currency code such as USD")),
        (
            r"^target_users \(([\d,]+)\) must be greater than current_users \(([\d,]+)\)$",
            N_("The target ({0}) must be more than the users you have now ({1})"),
        ),
        (r"^Extra inputs are not permitted$", N_("Not a question in this form")),
    )
)


def friendly_error(message: str, lang: Language = "en") -> str:
    """Pydantic's phrasing, shortened into what a person filling a form understands, in `lang`.

    A message no rewrite knows (a reader's own explanation) is shown as written."""
    message = message.strip().removeprefix("Value error, ").removeprefix("Assertion failed, ")
    for pattern, replacement in _REWRITES:
        match = pattern.match(message)
        if match:
            message = t(lang, replacement).format(*match.groups())
            break
    return message[:1].upper() + message[1:] if message else t(lang, "Invalid value")


def _block_for(path: str, lang: Language) -> tuple[str | None, str]:
    """(block id, prefix for the message) for an error path such as "core_features.3"."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        field = _BY_PATH.get(key)
        if field is not None:
            rest = parts[end:]
            if key == "core_features" and rest and rest[0].isdigit():
                return field.block_id, t(lang, "Feature {number}: ", number=int(rest[0]) + 1)
            return field.block_id, ""
        if key in _PARENTS and end == len(parts):
            return _PARENTS[key], ""
    return None, ""


def field_errors_to_blocks(errors: Sequence[tuple[str, str]], lang: Language = "en") -> dict[str, str]:
    """Pydantic field paths -> ``response_action: errors`` for the inputs; nothing is dropped.

    An error no input owns goes on the system-name input, prefixed with its field name.
    """
    collected: dict[str, list[str]] = {}
    for path, message in errors:
        block_id, prefix = _block_for(path, lang)
        text = prefix + friendly_error(message, lang)
        if block_id is None:
            block_id = ids.Q_SYSTEM_NAME
            text = f"{path or 'form'}: {text}"
        if text not in collected.setdefault(block_id, []):
            collected[block_id].append(text)
    out: dict[str, str] = {}
    for block_id, messages in collected.items():
        joined = "; ".join(m.rstrip(".") for m in messages)
        out[block_id] = joined if len(joined) <= ERROR_MAX else joined[: ERROR_MAX - 1] + "…"
    return out


# --- weekly nudge settings ------------------------------------------------------------------------------------------
TIMEZONE_MAX = 64  # IANA names are far shorter ("America/Argentina/ComodRivadavia" is 32)
PAUSED_VALUE = "paused"
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*$")
# The weekday names as people read them, Monday first (the schedule stores 0 = Monday).
DAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))

_NUDGE_BLOCKS: dict[str, str] = {
    "weekday": ids.N_WEEKDAY,
    "local_time": ids.N_TIME,
    "timezone": ids.N_TIMEZONE,
    "paused": ids.N_PAUSED,
}


def _hh_mm(text: str | None) -> str | None:
    """A time of day as Slack wants it ("9:00" or "09:00:00" -> "09:00"), or None when it is not one."""
    match = _TIME.match(text or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def nudge_settings_view(
    *, roadmap_id: int, weekday: int, local_time: str, timezone: str, paused: bool, lang: Language = "en"
) -> View:
    """The "Weekly nudges" modal: day (0 = Monday), time, IANA time zone, and a pause checkbox.

    ``private_metadata`` is ``{"r": roadmap_id}``; every input's action_id is ``ids.QUESTION_ACTION``. Initial values
    Slack would reject (a weekday outside 0..6, a time that is not HH:MM) are left empty rather than failing.
    """
    days = [Option(text=PlainTextObject(text=t(lang, day)), value=str(n)) for n, day in enumerate(DAY_NAMES)]
    pause = Option(
        text=PlainTextObject(text=t(lang, "Pause weekly nudges")),
        value=PAUSED_VALUE,
        description=PlainTextObject(text=t(lang, "No check-ins until you resume them; progress is kept.")),
    )
    zone = " ".join(timezone.split())[:TIMEZONE_MAX] or None
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=t(
                        lang,
                        "Once a week I post a check-in in the roadmap's thread: what is still open in the current "
                        "stage, who owns it, and progress so far. Nudges stop by themselves when every item is closed.",
                    ),
                    verbatim=True,
                )
            ]
        ),
        InputBlock(
            block_id=ids.N_WEEKDAY,
            label=PlainTextObject(text=t(lang, "Day")),
            element=StaticSelectElement(
                action_id=ids.QUESTION_ACTION,
                placeholder=PlainTextObject(text=t(lang, "Choose a day")),
                options=days,
                initial_option=days[weekday] if 0 <= weekday < len(days) else None,
            ),
        ),
        InputBlock(
            block_id=ids.N_TIME,
            label=PlainTextObject(text=t(lang, "Time")),
            element=TimePickerElement(
                action_id=ids.QUESTION_ACTION,
                placeholder=PlainTextObject(text=t(lang, "Choose a time")),
                initial_time=_hh_mm(local_time),
            ),
            hint=PlainTextObject(text=t(lang, "In the time zone below.")),
        ),
        InputBlock(
            block_id=ids.N_TIMEZONE,
            label=PlainTextObject(text=t(lang, "Time zone")),
            element=PlainTextInputElement(
                action_id=ids.QUESTION_ACTION,
                placeholder=PlainTextObject(text=t(lang, "e.g. Asia/Seoul")),
                initial_value=zone,
                max_length=TIMEZONE_MAX,
            ),
            hint=PlainTextObject(text=t(lang, "An IANA name such as Asia/Seoul or Europe/Berlin")),
        ),
        InputBlock(
            block_id=ids.N_PAUSED,
            label=PlainTextObject(text=t(lang, "Pause")),
            element=CheckboxesElement(
                action_id=ids.QUESTION_ACTION, options=[pause], initial_options=[pause] if paused else None
            ),
            optional=True,  # an unchecked box is an answer, not a missing one
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.NUDGE_SETTINGS_CALLBACK,
        title=PlainTextObject(text=t(lang, "Weekly nudges")),
        submit=PlainTextObject(text=t(lang, "Save")),
        close=PlainTextObject(text=t(lang, "Cancel")),
        private_metadata=values.for_roadmap(roadmap_id),
        blocks=blocks,
    )


def read_nudge_settings(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """``view.state.values`` of the nudge settings modal ->
    ``{"weekday": int | None, "local_time": "HH:MM" | None, "timezone": str | None, "paused": bool}``.

    Missing or empty answers (and a weekday that is not 0..6) are None; the listener validates the rest and
    reports problems with ``nudge_settings_errors``. The roadmap id is in ``private_metadata``, not here.
    """
    day = _state_value(_block_state(values, ids.N_WEEKDAY))
    day = day.strip() if day is not None else None
    # isdecimal() alone admits other scripts' digits ("٣"), which int() reads; ASCII only: our options are "0".."6"
    weekday = int(day) if day and day.isascii() and day.isdecimal() and int(day) < len(DAY_NAMES) else None
    time = _state_value(_block_state(values, ids.N_TIME))
    zone = _state_value(_block_state(values, ids.N_TIMEZONE))
    box = _block_state(values, ids.N_PAUSED)
    chosen = box.get("selected_options") if isinstance(box, Mapping) else None
    paused = isinstance(chosen, list) and any(
        isinstance(option, Mapping) and option.get("value") == PAUSED_VALUE for option in chosen
    )
    return {
        "weekday": weekday,
        "local_time": time.strip() if time is not None else None,
        "timezone": zone.strip() if zone is not None else None,
        "paused": paused,
    }


def nudge_settings_errors(problems: Mapping[str, str], lang: Language = "en") -> dict[str, str]:
    """``{"weekday" | "local_time" | "timezone": message}`` -> ``response_action: errors`` keyed by block id.

    A problem about anything else lands on the time zone input, prefixed with its key, so nothing is dropped.
    """
    collected: dict[str, list[str]] = {}
    for key, message in problems.items():
        block_id = _NUDGE_BLOCKS.get(key)
        text = (message or "").strip() or t(lang, "Invalid value")
        if block_id is None:
            block_id, text = ids.N_TIMEZONE, f"{key}: {text}"
        collected.setdefault(block_id, []).append(text)
    out: dict[str, str] = {}
    for block_id, messages in collected.items():
        joined = "; ".join(m.rstrip(".") for m in messages)
        out[block_id] = joined if len(joined) <= ERROR_MAX else joined[: ERROR_MAX - 1] + "…"
    return out
