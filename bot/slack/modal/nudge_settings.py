"""The "Weekly nudges" settings modal: building it, reading its answers and placing problems on its inputs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.i18n import N_, Language, t
from bot.slack import ids, values
from bot.slack.modal.errors import joined_errors
from bot.slack.modal.reading import block_state, state_value

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
    day = state_value(block_state(values, ids.N_WEEKDAY))
    day = day.strip() if day is not None else None
    # isdecimal() alone admits other scripts' digits ("٣"), which int() reads; ASCII only: our options are "0".."6"
    weekday = int(day) if day and day.isascii() and day.isdecimal() and int(day) < len(DAY_NAMES) else None
    time = state_value(block_state(values, ids.N_TIME))
    zone = state_value(block_state(values, ids.N_TIMEZONE))
    box = block_state(values, ids.N_PAUSED)
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
    return joined_errors(collected)
