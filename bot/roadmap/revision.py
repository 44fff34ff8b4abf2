"""What changed between two versions of a roadmap, in words a team can check at a glance.

Items are matched the way their statuses carry over (the same pattern, else the same id), so the diff names
exactly what a revision added, dropped or moved, and how the forecast moved with it. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Language, count, t
from bot.roadmap.schema import Roadmap, RoadmapItem

MAX_LISTED = 8  # per kind of change; the rest are counted, the thread keeps every version in full


@dataclass(frozen=True)
class Moved:
    item: RoadmapItem
    from_stage: int


@dataclass(frozen=True)
class Changes:
    added: tuple[RoadmapItem, ...]
    removed: tuple[RoadmapItem, ...]
    moved: tuple[Moved, ...]
    users_before: int  # what the last stage carries
    users_after: int
    target_before: int
    target_after: int

    @property
    def empty(self) -> bool:
        same_forecast = self.users_before == self.users_after and self.target_before == self.target_after
        return not (self.added or self.removed or self.moved) and same_forecast


def _key(item: RoadmapItem) -> str:
    return f"p:{item.pattern_id}" if item.pattern_id else f"i:{item.id}"


def compare(before: Roadmap, after: Roadmap) -> Changes:
    old = {_key(i): i for i in before.items()}
    new = {_key(i): i for i in after.items()}
    moved = tuple(Moved(item, old[k].stage) for k, item in new.items() if k in old and old[k].stage != item.stage)
    return Changes(
        added=tuple(item for k, item in new.items() if k not in old),
        removed=tuple(item for k, item in old.items() if k not in new),
        moved=moved,
        users_before=before.stages[-1].capacity_after.users,
        users_after=after.stages[-1].capacity_after.users,
        target_before=before.summary.target_users,
        target_after=after.summary.target_users,
    )


def _listed(items: list[str], lang: Language) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += " " + t(lang, "and {count} more", count=len(items) - MAX_LISTED)
    return shown


def describe(changes: Changes, lang: Language = "en") -> str:
    """One short paragraph: the forecast before -> after, then what was added, dropped and moved."""
    if changes.empty:
        return t(lang, "Nothing changed in the plan or its forecast.")
    parts = [
        t(
            lang,
            "After stage 3: {before} -> {after} concurrent users (target {target}).",
            before=count(lang, changes.users_before),
            after=count(lang, changes.users_after),
            target=count(lang, changes.target_after),
        )
    ]
    if changes.target_before != changes.target_after:
        parts.append(
            t(
                lang,
                "The target moved from {before} to {after}.",
                before=count(lang, changes.target_before),
                after=count(lang, changes.target_after),
            )
        )
    if changes.added:
        names = [f"{i.id} {i.title}" for i in changes.added]
        parts.append(t(lang, "Added: {items}.", items=_listed(names, lang)))
    if changes.removed:
        names = [i.title for i in changes.removed]
        parts.append(t(lang, "Dropped: {items}.", items=_listed(names, lang)))
    if changes.moved:
        names = [
            t(lang, "{title} (stage {old} -> {new})", title=m.item.title, old=m.from_stage, new=m.item.stage)
            for m in changes.moved
        ]
        parts.append(t(lang, "Moved: {items}.", items=_listed(names, lang)))
    parts.append(t(lang, "Statuses carry over for the items that remain."))
    return " ".join(parts)
