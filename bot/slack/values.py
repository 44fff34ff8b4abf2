"""The values our buttons and modals carry, in one codec: written by the renderers and listeners, read back (and
range-checked) by the action and view listeners. A click can carry anything a client chooses to send, so reading
never trusts it."""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.roadmap.schema import ItemStatus

# Database ids are 32-bit INTEGER keys (storage's migrations); a larger number is not one of ours and would fail
# in PostgreSQL's parameter binding.
MAX_DB_ID = 2**31 - 1
DbId = Annotated[int, Field(strict=True, ge=1, le=MAX_DB_ID)]
ItemKey = Annotated[str, StringConstraints(pattern=r"^[1-3]\.[1-9][0-9]{0,2}$")]


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoadmapRef(_Value):
    """Buttons about a whole roadmap: retry, post again, regenerate, nudge controls."""

    r: DbId


class PendingRef(_Value):
    """Revise / Cancel under a profile change read from a thread: the stored proposal."""

    p: DbId


class ItemRef(_Value):
    """The Details button: one item of one roadmap version."""

    v: DbId
    i: ItemKey


class StatusChange(ItemRef):
    """A status button: the new status, and the one the message showed (to tell a stale click)."""

    s: ItemStatus
    f: ItemStatus | None = None


class FormContext(_Value):
    """The questionnaire's private_metadata: the channel the command came from, the person's Slack locale (None when
    Slack did not say), the language the form is shown in, and the roadmap whose answers it edits, if any."""

    channel: str | None = None
    lang: str | None = None
    ui: str | None = None
    edit: DbId | None = None


V = TypeVar("V", bound=_Value)


def encode(value: _Value) -> str:
    return value.model_dump_json(exclude_none=True)


def decode(kind: type[V], raw: str | None) -> V | None:
    """The value as `kind`, or None when it is missing, not JSON, or out of range (numbers, objects, Infinity)."""
    if not raw:
        return None
    try:
        return kind.model_validate_json(raw)
    except ValidationError:
        return None


def for_roadmap(roadmap_id: int) -> str:
    return encode(RoadmapRef(r=roadmap_id))


def for_item(version_id: int, item_key: str) -> str:
    return encode(ItemRef(v=version_id, i=item_key))


def for_status(version_id: int, item_key: str, new: ItemStatus, shown: ItemStatus) -> str:
    return encode(StatusChange(v=version_id, i=item_key, s=new, f=shown))


def form_context(raw: str | None) -> FormContext:
    """The questionnaire's context, or an empty one when the metadata is missing or not ours."""
    return decode(FormContext, raw) or FormContext()
