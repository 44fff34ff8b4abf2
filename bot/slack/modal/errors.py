"""Validation errors back on the questionnaire's inputs, in words a person filling a form understands."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.i18n import N_, Language, t
from bot.slack import ids
from bot.slack.modal.fields import BY_PATH, ERROR_MAX, PARENTS

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
        field = BY_PATH.get(key)
        if field is not None:
            rest = parts[end:]
            if key == "core_features" and rest and rest[0].isdigit():
                return field.block_id, t(lang, "Feature {number}: ", number=int(rest[0]) + 1)
            return field.block_id, ""
        if key in PARENTS and end == len(parts):
            return PARENTS[key], ""
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
    return joined_errors(collected)


def joined_errors(collected: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Each input's messages joined into one, within what Slack shows under an input."""
    out: dict[str, str] = {}
    for block_id, messages in collected.items():
        joined = "; ".join(m.rstrip(".") for m in messages)
        out[block_id] = joined if len(joined) <= ERROR_MAX else joined[: ERROR_MAX - 1] + "…"
    return out
