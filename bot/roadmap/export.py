"""A roadmap taken out of Slack: a Markdown checklist, a CSV issue trackers import, and the model's JSON.

Pure functions (a roadmap and its item statuses in, text out), so the CLI, the Slack thread and the tests all
produce the same files. The CSV follows the Jira CSV importer's conventions (a ``Summary`` header, one issue per
row, multi-line text quoted, the time estimate as ``Original Estimate`` in seconds), which Linear's importer also
reads for Jira exports (Summary -> title, Description, Labels, Estimate, Status, Assignee); the labels carry the
stage so a board can be filtered by it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import Language, t
from bot.roadmap import wording
from bot.roadmap.schema import ItemStatus, Roadmap, RoadmapItem

# Column names as the Jira CSV importer maps them automatically (and Linear's importer reads for Jira files).
CSV_COLUMNS = ("Summary", "Description", "Labels", "Original Estimate", "Status", "Assignee")
# Jira's default workflow names; Linear maps each to its closest status. Risks accepted and items that do not
# apply are closed without the work, as a "Won't Do" resolution says.
CSV_STATUS = {
    ItemStatus.TODO: "To Do",
    ItemStatus.IN_PROGRESS: "In Progress",
    ItemStatus.DONE: "Done",
    ItemStatus.ACKNOWLEDGED: "Won't Do",
    ItemStatus.NOT_APPLICABLE: "Won't Do",
}
WORKDAY_SECONDS = 8 * 3600  # Jira's default working day, the unit its estimates are counted in
FORMATS = ("md", "csv", "json")


@dataclass(frozen=True)
class ExportFile:
    """One file to hand over: its name (Slack picks the preview from the extension), bytes and a title."""

    filename: str
    content: bytes
    title: str


def _status_text(lang: Language, status: ItemStatus) -> str:
    labels = {
        ItemStatus.TODO: t(lang, "to do"),
        ItemStatus.IN_PROGRESS: t(lang, "in progress"),
        ItemStatus.DONE: t(lang, "done"),
        ItemStatus.ACKNOWLEDGED: t(lang, "risk accepted"),
        ItemStatus.NOT_APPLICABLE: t(lang, "not applicable"),
    }
    return labels[status]


def _status(statuses: Mapping[str, ItemStatus], item: RoadmapItem) -> ItemStatus:
    return statuses.get(item.id, ItemStatus.TODO)


def _facts(item: RoadmapItem, lang: Language) -> list[str]:
    """The figures of an item, one line each, as both the checklist and the CSV description show them (in the
    reader's words: "낮음, 2~6인일", "월 약 41만 원")."""
    return [
        t(
            lang,
            "Predicted impact: {metric} {change} (confidence {confidence})",
            metric=item.impact.metric,
            change=wording.percent_range(item.impact.change_pct, lang),
            confidence=wording.level(item.impact.confidence.value, lang),
        ),
        t(
            lang,
            "Effort: {difficulty}, {days}, {weeks}",
            difficulty=wording.level(item.difficulty.value, lang),
            days=wording.person_days(item.effort.person_days, lang),
            weeks=wording.weeks(item.effort.weeks, lang),
        ),
        t(
            lang,
            "Cost: one-off {one_off}, monthly {monthly}",
            one_off=wording.money(item.cost.one_off, item.cost.currency, lang),
            monthly=wording.money(item.cost.monthly, item.cost.currency, lang),
        ),
    ]


def to_markdown(
    roadmap: Roadmap,
    statuses: Mapping[str, ItemStatus],
    assignees: Mapping[str, str] | None = None,
    *,
    lang: Language,
) -> str:
    """A checklist by stage: ticked when done (or closed otherwise), with status, owner and the item's figures."""
    assignees = assignees or {}
    summary = roadmap.summary
    lines = [
        t(lang, "# Scaling roadmap: {system}", system=roadmap.system_name),
        "",
        f"**{summary.headline}**",
        "",
        summary.verdict,
        "",
    ]
    for stage in roadmap.stages:
        lines += [f"## {stage.number}. {stage.name} ({stage.horizon})", ""]
        for item in stage.items:
            status = _status(statuses, item)
            box = "x" if not status.is_open else " "
            owner = assignees.get(item.id)
            tail = _status_text(lang, status) + (t(lang, ", owner {owner}", owner=owner) if owner else "")
            lines.append(f"- [{box}] **{item.id} {item.title}** ({tail})")
            lines += [f"  - {fact}" for fact in _facts(item, lang)]
            if item.depends_on:
                lines.append("  - " + t(lang, "After: {ids}", ids=", ".join(item.depends_on)))
            if item.deferred:
                lines.append("  - " + t(lang, "Held back: {reason}", reason=item.deferred))
        lines.append("")
    return "\n".join(lines)


def _description(item: RoadmapItem, lang: Language) -> str:
    parts = [item.why, "", *_facts(item, lang)]
    if item.depends_on:
        parts.append(t(lang, "After: {ids}", ids=", ".join(item.depends_on)))
    parts += ["", t(lang, "Steps:"), *[f"{n}. {step}" for n, step in enumerate(item.steps, 1)]]
    parts += ["", t(lang, "Verify:"), *[f"- {check}" for check in item.verify]]
    return "\n".join(parts)


def estimate_seconds(item: RoadmapItem) -> int:
    """The middle of the item's person-day range in seconds of eight-hour days (Jira's unit for estimates)."""
    return round(item.effort.person_days.mid * WORKDAY_SECONDS)


def stage_label(stage: int) -> str:
    """A label without spaces (Jira splits labels on spaces), the same in every language so boards can filter."""
    return f"stage-{stage}"


def to_csv(
    roadmap: Roadmap,
    statuses: Mapping[str, ItemStatus],
    assignees: Mapping[str, str] | None = None,
    *,
    lang: Language,
) -> str:
    """One issue per item, in roadmap order, written by the csv module (quoting multi-line descriptions)."""
    assignees = assignees or {}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for item in roadmap.items():
        writer.writerow(
            {
                "Summary": f"{item.id} {item.title}",
                "Description": _description(item, lang),
                "Labels": stage_label(item.stage),
                "Original Estimate": estimate_seconds(item),
                "Status": CSV_STATUS[_status(statuses, item)],
                "Assignee": assignees.get(item.id, ""),
            }
        )
    return out.getvalue()


def to_json(roadmap: Roadmap) -> str:
    """The roadmap model itself, as `scale-review review --format json` prints it (and `export` reads it back)."""
    return roadmap.model_dump_json(indent=2)


def render(
    roadmap: Roadmap,
    fmt: str,
    statuses: Mapping[str, ItemStatus],
    assignees: Mapping[str, str] | None = None,
    *,
    lang: Language,
) -> str:
    if fmt == "md":
        return to_markdown(roadmap, statuses, assignees, lang=lang)
    if fmt == "csv":
        return to_csv(roadmap, statuses, assignees, lang=lang)
    if fmt == "json":
        return to_json(roadmap)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


_UNSAFE = re.compile(r"[^\w.-]+")


def base_name(roadmap: Roadmap, version: int | None = None) -> str:
    """A file name stem from the system's name (Hangul kept), safe on every file system."""
    stem = _UNSAFE.sub("-", roadmap.system_name.strip().lower()).strip("-.") or "roadmap"
    return f"{stem[:60]}-roadmap" + (f"-v{version}" if version else "")


def export_files(
    roadmap: Roadmap,
    statuses: Mapping[str, ItemStatus],
    assignees: Mapping[str, str] | None = None,
    *,
    lang: Language,
    version: int | None = None,
) -> list[ExportFile]:
    """The three files the thread's `export` uploads, in the order a person opens them."""
    stem = base_name(roadmap, version)
    return [
        ExportFile(
            f"{stem}.md",
            to_markdown(roadmap, statuses, assignees, lang=lang).encode(),
            t(lang, "Checklist (Markdown)"),
        ),
        ExportFile(
            f"{stem}.csv",
            to_csv(roadmap, statuses, assignees, lang=lang).encode(),
            t(lang, "Issues for Jira or Linear (CSV)"),
        ),
        ExportFile(f"{stem}.json", to_json(roadmap).encode(), t(lang, "Roadmap data (JSON)")),
    ]
