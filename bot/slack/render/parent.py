"""The channel message that starts a roadmap's thread (the parent): what is reviewed, by whom, where generation
stands, the headline figures and the weekly check-ins."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block

from bot import i18n
from bot.i18n import Language, t
from bot.roadmap.schema import Summary, SystemProfile
from bot.roadmap.wording import engine_name
from bot.services.ports import ParentState
from bot.services.schedule import ScheduleView
from bot.slack import ids, values
from bot.slack.render.kit import (
    SlackMessage,
    _button,
    _context,
    _export_button,
    _fallback_text,
    _header,
    _nudge_settings_button,
    _section,
    _share,
    _times,
    escape_mrkdwn,
    shorten,
    tier_name,
)


def parent_message(
    profile: SystemProfile,
    *,
    owner_user_id: str,
    state: ParentState,
    summary: Summary | None = None,
    engine: str | None = None,
    note: str | None = None,
    version: int | None = None,
    item_count: int | None = None,
    nudges: ScheduleView | None = None,
    roadmap_id: int | None = None,
    this_week: Sequence[tuple[str, str]] = (),
) -> SlackMessage:
    """The channel message that starts the thread: what is reviewed, by whom, and where generation stands.

    Kept to a handful of blocks; long summary texts are shortened here because the thread has them in full.
    ``nudges`` adds a line about the weekly check-ins once the roadmap is ready, with a "Nudge settings" button
    when ``roadmap_id`` is given. Everything is in the profile's language.
    """
    lang: Language = profile.language or "en"
    name = profile.system_name
    scale = t(
        lang,
        "{now} → {target} concurrent users",
        now=i18n.count(lang, profile.current_users),
        target=i18n.count(lang, profile.target_users),
    )
    blocks: list[Block] = [
        _header(t(lang, "Scale review: {name}", name=name)),
        _section(
            f"*{scale}* ({_times(profile.scale_factor)}) · " + t(lang, "requested by {who}", who=f"<@{owner_user_id}>")
        ),
    ]
    if summary is not None:
        now = summary.capacity_now
        capacity = t(
            lang,
            "*Capacity now:* about {users} concurrent users ({share}), target {target} · limit: {tier}",
            users=i18n.count(lang, now.users),
            share=_share(now, summary.target_users, lang),
            target=i18n.count(lang, summary.target_users),
            tier=tier_name(now.binding_tier, lang),
        )
        lines = [
            capacity,
            t(lang, "*Binding bottleneck:* {what}", what=escape_mrkdwn(shorten(summary.binding_bottleneck, 600))),
            f"{':dart:' if summary.target_reachable else ':warning:'} {escape_mrkdwn(shorten(summary.verdict, 900))}",
        ]
        if this_week:
            first = " · ".join(f"{item_id} {escape_mrkdwn(shorten(title, 80))}" for item_id, title in this_week)
            lines.append(t(lang, "*This week:* {items}", items=first))
        blocks.append(_section("\n".join(lines)))
    label = t(lang, "Roadmap v{version}", version=version) if version is not None else t(lang, "The roadmap")
    if state == "generating":
        line = ":hourglass_flowing_sand: " + t(lang, "Generating the roadmap… it arrives in this thread.")
        fallback = t(lang, "Scale review for {name}: {scale}, generating…", name=name, scale=scale)
    elif state == "ready":
        if item_count is not None:
            line = ":white_check_mark: " + t(
                lang, "{label} is in the thread: {count} items in 3 stages", label=label, count=item_count
            )
        else:
            line = ":white_check_mark: " + t(lang, "{label} is in the thread", label=label)
        if engine:
            line += " · " + t(lang, "engine: {engine}", engine=escape_mrkdwn(shorten(engine_name(engine, lang), 60)))
        fallback = t(
            lang, "Scale review for {name}: {scale}. {label} is in the thread.", name=name, scale=scale, label=label
        )
    else:
        line = ":x: " + t(
            lang,
            "The roadmap could not be generated. The answers are saved: retry from the message I sent {who}, "
            "or run `/scale-review` again.",
            who=f"<@{owner_user_id}>",
        )
        fallback = t(lang, "Scale review for {name}: generating the roadmap failed.", name=name)
    if note:
        line += f"\n{escape_mrkdwn(shorten(note, 600))}"
    blocks.append(_context(line))
    if state == "ready" and nudges is not None:
        blocks.append(_context(f":bell: {escape_mrkdwn(shorten(nudges.text(lang), 300))}"))
        if roadmap_id is not None:
            buttons = [
                _nudge_settings_button(roadmap_id, lang),
                _export_button(roadmap_id, lang),
                _button(t(lang, "Edit answers"), ids.ACTION_EDIT_ANSWERS, value=values.for_roadmap(roadmap_id)),
            ]
            blocks.append(ActionsBlock(elements=buttons, block_id="parent:nudges"))
    return SlackMessage(_fallback_text(fallback), blocks)
