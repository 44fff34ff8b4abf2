"""The weekly nudge in a roadmap's thread (what is open in the current stage, with buttons) and the message that
closes a finished roadmap."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

from babel.dates import format_date
from slack_sdk.models.blocks import ActionsBlock, Block

from bot import i18n
from bot.i18n import N_, Language, t
from bot.roadmap.schema import ItemStatus
from bot.services.ports import NudgeDigest, NudgeItem, StageProgress
from bot.services.schedule import local_label
from bot.slack import ids, values
from bot.slack.render.items import _status_line, _status_value, item_block_id, status_action_id
from bot.slack.render.kit import (
    FALLBACK_MAX,
    MAX_VERSION_ID,
    SlackMessage,
    _bar,
    _button,
    _context,
    _fallback_text,
    _header,
    _nudge_settings_button,
    _section,
    escape_mrkdwn,
    shorten,
)
from bot.slack.render.packing import _fitting, _Size, _size

NUDGE_HOW_TO_CHANGE = N_("reply `nudge friday 09:00`, `nudge pause` or `nudge resume` in this thread")


def _stage_lines(
    stages: Sequence[StageProgress], current: int | None, *, width: int = 10, lang: Language = "en"
) -> list[str]:
    """One line per stage: a bar, closed/total and the name; the current stage is pointed at and says so."""
    lines: list[str] = []
    for stage in sorted(stages, key=lambda s: s.number):
        if stage.number == current:
            mark = ":point_right:"
        elif stage.total and stage.closed >= stage.total:
            mark = ":white_check_mark:"
        else:
            mark = ":white_small_square:"
        line = (
            f"{mark} {_bar(stage.closed, stage.total, width)} {stage.closed}/{stage.total} · "
            + t(lang, "Stage {n}", n=stage.number)
            + f" · {escape_mrkdwn(shorten(stage.name, 80))}"
        )
        if stage.number == current:
            line += " · " + t(lang, "*current*")
        lines.append(line)
    return lines


def _progress_section(stages: Sequence[StageProgress], current: int | None, lang: Language = "en") -> list[Block]:
    if not stages:
        return []
    closed = sum(s.closed for s in stages)
    total = sum(s.total for s in stages)
    head = t(lang, "*Progress:* {closed}/{total} items closed", closed=closed, total=total)
    return [_section(head + "\n" + "\n".join(_stage_lines(stages, current, lang=lang)))]


def _mention(user_id: str | None, lang: Language = "en") -> str:
    return f"<@{user_id}>" if user_id and re.fullmatch(r"[UW][A-Z0-9]+", user_id) else t(lang, "no owner yet")


def day_label(day: date, lang: Language = "en") -> str:
    """A due day as its readers write it: "Fri 11 Dec" / "12월 11일 (금)"."""
    return format_date(day, "M월 d일 (EEE)" if lang == "ko" else "EEE d MMM", locale=lang)


def _nudge_item_blocks(item: NudgeItem, version_id: int, lang: Language, today: date | None = None) -> list[Block]:
    """An open item of the current stage: its line (with its due day, flagged when past), then a Done button."""
    status = ItemStatus(item.status)
    text = (
        f"*{escape_mrkdwn(item.item_id)}* {escape_mrkdwn(item.title)}\n"
        f"{_status_line(status, lang)} · {_mention(item.owner_user_id, lang)}"
    )
    if item.due_on is not None:
        late = today is not None and item.due_on < today
        due = t(lang, "overdue since {day}", day=day_label(item.due_on, lang)) if late else None
        text += " · " + (f":warning: {due}" if due else t(lang, "due {day}", day=day_label(item.due_on, lang)))
    done = _button(
        t(lang, "Done"),
        status_action_id(ItemStatus.DONE),
        value=_status_value(version_id, item.item_id, ItemStatus.DONE, status),
        style="primary" if status == ItemStatus.IN_PROGRESS else None,
    )
    return [_section(text), ActionsBlock(elements=[done], block_id=item_block_id(item.item_id))]


def _more_note(hidden: int, stage: int, lang: Language) -> Block:
    return _context(
        i18n.tn(
            lang,
            "…and {count} more open item in stage {stage} — see the stage message above.",
            "…and {count} more open items in stage {stage} — see the stage message above.",
            hidden,
            stage=stage,
        )
    )


def nudge_message(digest: NudgeDigest) -> SlackMessage:
    """The weekly check-in in the roadmap's thread: progress per stage, what is open in the current stage and who
    owns it (each with a Done button), how much waits in later stages, and how to snooze, pause or reschedule.

    Open items of the current stage are shown while the message keeps to the budgets; the rest are counted in a
    "…and K more" line, never dropped silently. Written in the roadmap's language.
    """
    if not 0 <= digest.version_id <= MAX_VERSION_ID:
        raise ValueError(f"version_id out of range: {digest.version_id}")
    lang = digest.language
    name = digest.system_name
    current = digest.current_stage
    seen: set[str] = set()
    now: list[NudgeItem] = []
    for item in digest.open_items:
        if item.stage == current and item.item_id not in seen and ItemStatus(item.status).is_open:
            seen.add(item.item_id)
            now.append(item)

    if digest.on_demand:
        top: list[Block] = [_header(t(lang, "Where we stand · {name}", name=name))]
    else:
        top = [_header(t(lang, "Weekly check-in · {name}", name=name))]
    if digest.catch_up:
        top.append(
            _context(
                ":hourglass: "
                + t(
                    lang,
                    "This check-in stands in for the ones missed while I was offline: one catch-up, not a backlog.",
                )
            )
        )
    top += _progress_section(digest.stages, current, lang)
    if current is None:
        top.append(_section(":tada: " + t(lang, "Every item is closed.")))
    elif now:
        stage_name = next((s.name for s in digest.stages if s.number == current), None)
        titled = f" · {escape_mrkdwn(shorten(stage_name, 80))}" if stage_name else ""
        top.append(_section(t(lang, "*Open in stage {n}*", n=current) + f"{titled} ({len(now)})"))

    tail: list[Block] = []
    if current is not None:
        later = _later_open(digest, current)
        if later:
            counts = " · ".join(t(lang, "stage {n}: {count}", n=n, count=k) for n, k in later.items())
            total = sum(later.values())
            still = i18n.tn(
                lang,
                "Still open in later stages: {count} item ({counts}).",
                "Still open in later stages: {count} items ({counts}).",
                total,
                counts=counts,
            )
            tail.append(_context(still))
    value = values.for_roadmap(digest.roadmap_id)
    controls = [_nudge_settings_button(digest.roadmap_id, lang)]
    if not digest.on_demand:  # snoozing and pausing are answers to a weekly check-in
        controls[:0] = [
            _button(t(lang, "Snooze a week"), ids.ACTION_NUDGE_SNOOZE, value=value),
            _button(t(lang, "Pause nudges"), ids.ACTION_NUDGE_PAUSE, value=value),
        ]
    tail.append(ActionsBlock(elements=controls, block_id="nudge:controls"))
    schedule = f":calendar: {escape_mrkdwn(shorten(digest.schedule.describe(lang), 200))}"
    if digest.next_due is not None:
        label = local_label(digest.next_due, digest.schedule.timezone, lang)
        schedule += " · " + t(lang, "next check-in {when}", when=escape_mrkdwn(shorten(label, 120)))
    change = t(lang, "To change it, {how}.", how=t(lang, NUDGE_HOW_TO_CHANGE))
    tail.append(_context(f"{schedule}. {change}"))

    base = _size(top) + _size(tail) + _Size(FALLBACK_MAX, 0, 0)
    today = datetime.now(UTC).date()
    pairs = [_nudge_item_blocks(item, digest.version_id, lang, today) for item in now]
    sizes = [_size(pair) for pair in pairs]
    shown = _fitting(sizes, base)
    if shown < len(pairs):  # not all fit: make room for the line that counts the others
        shown = _fitting(sizes, base + _size([_more_note(len(now), current or 0, lang)]))
    blocks = list(top)
    for pair in pairs[:shown]:
        blocks += pair
    if shown < len(pairs):
        blocks.append(_more_note(len(pairs) - shown, current or 0, lang))
    blocks += tail

    if current is None:
        fallback = t(lang, "Weekly check-in for {name}: every item is closed", name=name)
    else:
        fallback = i18n.tn(
            lang,
            "Weekly check-in for {name}: {count} open item in stage {stage}",
            "Weekly check-in for {name}: {count} open items in stage {stage}",
            len(now),
            name=name,
            stage=current,
        )
    return SlackMessage(_fallback_text(fallback), blocks)


def _later_open(digest: NudgeDigest, current: int) -> dict[int, int]:
    """Open items per later stage: from the stages' progress, or from the listed items when it is missing."""
    counts: dict[int, int] = {}
    if digest.stages:
        for stage in sorted(digest.stages, key=lambda s: s.number):
            if stage.number > current and stage.total > stage.closed:
                counts[stage.number] = stage.total - stage.closed
        return counts
    for item in digest.open_items:
        if item.stage > current and ItemStatus(item.status).is_open:
            counts[item.stage] = counts.get(item.stage, 0) + 1
    return dict(sorted(counts.items()))


def completion_message(system_name: str, stages: Sequence[StageProgress], lang: Language = "en") -> SlackMessage:
    """Posted once when every item is closed (done, accepted or not applicable): congratulations, and nudges stop."""
    name = escape_mrkdwn(shorten(system_name, 80))
    blocks: list[Block] = [
        _header(t(lang, "Every item is closed · {name}", name=system_name)),
        _section(
            ":tada: "
            + t(
                lang,
                "Every item on the roadmap for *{name}* is closed: done, accepted as a risk, or not applicable. "
                "Well done!",
                name=name,
            )
        ),
        *_progress_section(stages, None, lang),
        _context(
            ":bell: "
            + t(
                lang,
                "Weekly nudges stop now. If more work turns up, reply `nudge resume` in this thread "
                "to start them again.",
            )
        ),
    ]
    fallback = t(lang, "Every item for {name} is closed: weekly nudges stop now", name=system_name)
    return SlackMessage(_fallback_text(fallback), blocks)
