"""The App Home tab: a person's roadmaps with their progress, next check-in and the newest ones' charts."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, ImageBlock
from slack_sdk.models.views import View

from bot.i18n import Language, t
from bot.services.ports import RoadmapListing
from bot.slack import ids, values
from bot.slack.render.kit import (
    HOME_CHARTS,
    HOME_MAX_ENTRIES,
    HOW_TO_MARK,
    _button,
    _context,
    _header,
    _link,
    _section,
    escape_mrkdwn,
    shorten,
)
from bot.slack.render.lists import _entry_text, _newest
from bot.slack.render.nudge import _stage_lines


def _home_nudge_line(entry: RoadmapListing, lang: Language) -> str | None:
    nudges = entry.nudges
    if nudges is not None and nudges.paused:
        return ":double_vertical_bar: " + t(lang, "Weekly nudges paused")
    label = nudges.next_label(lang) if nudges is not None else None
    if label:
        return ":bell: " + t(lang, "Next nudge: {when}", when=escape_mrkdwn(shorten(label, 120)))
    if entry.total_items and entry.closed_items >= entry.total_items:
        return ":tada: " + t(lang, "Every item is closed, so no more nudges")
    return None


def _home_entry(entry: RoadmapListing, lang: Language, *, chart: bool = False) -> list[Block]:
    """One roadmap on the Home tab: overall and per-stage progress, the next nudge, and its buttons."""
    lines = [_entry_text(entry, lang)]
    current = next((st.number for st in sorted(entry.stages, key=lambda st: st.number) if st.closed < st.total), None)
    lines += _stage_lines(entry.stages, current, width=5, lang=lang)
    nudge = _home_nudge_line(entry, lang)
    if nudge:
        lines.append(nudge)
    blocks: list[Block] = [_section("\n".join(lines))]
    buttons: list[ButtonElement] = []
    if entry.permalink and _link(entry.permalink, "x") != "x":
        buttons.append(_button(t(lang, "Open thread"), ids.ACTION_OPEN_THREAD, url=entry.permalink))
    value = values.for_roadmap(entry.roadmap_id)
    if entry.nudges is not None and entry.nudges.paused:
        buttons.append(_button(t(lang, "Resume nudges"), ids.ACTION_NUDGE_RESUME, value=value))
    elif entry.nudges is not None and entry.nudges.next_due is not None:
        buttons.append(_button(t(lang, "Pause nudges"), ids.ACTION_NUDGE_PAUSE, value=value))
    if chart and entry.chart_file_id:  # the picture already in the thread, by its Slack file id (no public URL)
        alt = t(
            lang,
            "Capacity chart of {name}: users served now and after each stage, against the target",
            name=entry.system_name,
        )
        blocks.append(ImageBlock(slack_file={"id": entry.chart_file_id}, alt_text=shorten(alt, 1900)))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def home_view(entries: Sequence[RoadmapListing], *, user_id: str, lang: Language = "en") -> View:
    """The App Home tab: the user's newest roadmaps with progress per stage and their nudges, and how to start one.

    At most HOME_MAX_ENTRIES roadmaps (3 blocks each), so the view stays far below Slack's 100 blocks.
    """
    intro = t(
        lang,
        "Hi {who}. Type `/scale-review` in a channel to describe a system that falls over under load; "
        "I post a staged roadmap (immediate fixes, mid-term architecture, long-term scalability) in a thread "
        "there, and a weekly check-in until every item is closed.",
        who=f"<@{user_id}>",
    )
    blocks: list[Block] = [
        _header(t(lang, "Your scale reviews")),
        _section(f"{intro} {t(lang, HOW_TO_MARK)}"),
        _context(t(lang, "`/scale-review list` lists them in any channel · `/scale-review help` for everything else")),
        DividerBlock(),
    ]
    ordered = _newest(entries)
    if not ordered:
        empty = t(lang, "No scale reviews yet. Your roadmaps and their progress will show here.")
        blocks.append(_section(f":seedling: {empty}"))
    for k, entry in enumerate(ordered[:HOME_MAX_ENTRIES]):
        if k:
            blocks.append(DividerBlock())
        blocks += _home_entry(entry, lang, chart=k < HOME_CHARTS)
    hidden = len(ordered) - HOME_MAX_ENTRIES
    if hidden > 0:
        blocks.append(
            _context(
                t(
                    lang,
                    "Showing the newest {shown} of {count} · …and {hidden} more, not shown here.",
                    shown=HOME_MAX_ENTRIES,
                    count=len(ordered),
                    hidden=hidden,
                )
            )
        )
    return View(type="home", blocks=blocks)
