"""What a nudge says, read from a roadmap's items: each stage's progress, the open items, the congratulation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import i18n
from bot.roadmap.schema import STAGE_NAMES
from bot.services.ports import Completion, NudgeDigest, NudgeItem, StageProgress
from bot.services.schedule import WeeklyTime
from storage.repositories.nudges import NudgeTarget, TargetItem


def stage_progress(items: Sequence[TargetItem]) -> tuple[StageProgress, ...]:
    return tuple(
        StageProgress(
            number,
            STAGE_NAMES[number],
            sum(1 for i in items if i.stage == number and not i.status.is_open),
            sum(1 for i in items if i.stage == number),
        )
        for number in (1, 2, 3)
    )


def digest_for(target: NudgeTarget, when: WeeklyTime, next_due: datetime, *, catch_up: bool) -> NudgeDigest:
    """The weekly nudge: the current stage's open items first, then later stages', in roadmap order."""
    open_items = [i for i in target.items if i.status.is_open]
    current = min((i.stage for i in open_items), default=None)
    ordered = sorted(open_items, key=lambda i: i.stage != current)  # stable: roadmap order otherwise
    assert target.version_id is not None
    return NudgeDigest(
        roadmap_id=target.roadmap_id,
        version_id=target.version_id,
        system_name=target.system_name,
        current_stage=current,
        stages=stage_progress(target.items),
        open_items=tuple(NudgeItem(i.key, i.title, i.status, i.owner_user_id, i.stage, i.due_on) for i in ordered),
        schedule=when,
        next_due=next_due,
        language=i18n.language(target.language) or "en",
        catch_up=catch_up,
    )


def completion_for(target: NudgeTarget) -> Completion:
    """The one-time congratulation once every item is closed."""
    return Completion(target.system_name, stage_progress(target.items), i18n.language(target.language) or "en")
