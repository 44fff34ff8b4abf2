"""Replies to `/scale-review help` and `/scale-review list`: the commands, and a person's roadmaps newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from slack_sdk.models.blocks import Block, SectionBlock

from bot import i18n
from bot.i18n import Language, t
from bot.services.ports import RoadmapListing
from bot.slack import ids
from bot.slack.render.kit import (
    FALLBACK_MAX,
    HOW_TO_MARK,
    LIST_MAX_ENTRIES,
    SlackMessage,
    _bar,
    _button,
    _channel,
    _context,
    _date,
    _header,
    _link,
    _section,
    escape_mrkdwn,
)
from bot.slack.render.packing import MESSAGE_LIMIT, _Size, _size


def help_message(lang: Language = "en") -> SlackMessage:
    """Ephemeral usage for the slash command."""
    text = t(
        lang,
        "*`/scale-review`* opens the questionnaire: users now and the target, core features, database, servers, "
        "network, bottlenecks and budget. I post the roadmap in the channel you choose: a summary, then each stage "
        "with the impact, effort and cost of every item.\n"
        "*`/scale-review &lt;system name&gt;`* opens it prefilled with that system's last answers, to revise them.\n"
        "*`/scale-review list`* shows your roadmaps, their progress and links to their threads.\n"
        "*`/scale-review help`* shows this message.",
    )
    marking = t(
        lang,
        "*Marking progress:* {how} The ⋯ menu accepts a risk (won't do) or marks an item not applicable.",
        how=t(lang, HOW_TO_MARK),
    )
    asking = t(
        lang,
        "*Questions:* mention me in a roadmap's thread, e.g. `@scale-review why 2.3 after 2.2?` or "
        "`@scale-review why read replicas after the indexes?`, and I answer from the roadmap's own figures.",
    )
    invite = ":information_source: " + t(
        lang, "I can only post in channels I am a member of: type `/invite @scale-review` in the channel first."
    )
    blocks: list[Block] = [
        _header(t(lang, "Scale review: how it works")),
        _section(text),
        _section(marking),
        _section(asking),
        _context(invite),
    ]
    return SlackMessage(t(lang, "How to use /scale-review"), blocks)


def _entry_text(entry: RoadmapListing, lang: Language) -> str:
    version = f"v{entry.version}" if entry.version is not None else t(lang, "no roadmap yet")
    progress = (
        _bar(entry.closed_items, entry.total_items)
        + " "
        + t(lang, "{closed}/{total} closed", closed=entry.closed_items, total=entry.total_items)
    )
    if entry.channel_id:
        where = t(lang, "in {channel}", channel=_channel(entry.channel_id, lang))
    else:
        where = t(lang, "not posted yet")
    name = f"*{_link(entry.permalink, escape_mrkdwn(entry.system_name))}*"
    started = t(lang, "started {date}", date=_date(entry.created_at))
    return f"{name} · {version}\n{progress} · {where} · {started}"


def _entry_block(entry: RoadmapListing, lang: Language) -> SectionBlock:
    accessory = None
    if entry.permalink and _link(entry.permalink, "x") != "x":
        accessory = _button(t(lang, "Open thread"), ids.ACTION_OPEN_THREAD, url=entry.permalink)
    return _section(_entry_text(entry, lang), accessory=accessory)


def _newest(entries: Sequence[RoadmapListing]) -> list[RoadmapListing]:
    def key(e: RoadmapListing) -> float:
        moment = e.created_at if e.created_at.tzinfo else e.created_at.replace(tzinfo=UTC)
        return moment.timestamp()

    return sorted(entries, key=key, reverse=True)


def list_message(entries: Sequence[RoadmapListing], lang: Language = "en") -> SlackMessage:
    """`/scale-review list`: the newest roadmaps that fit one message, with progress and thread links."""
    if not entries:
        return SlackMessage(
            t(lang, "You have no scale reviews yet"),
            [
                _section(
                    ":seedling: "
                    + t(
                        lang,
                        "You have no scale reviews yet. Type `/scale-review` in a channel to describe a system "
                        "and get a staged roadmap in a thread.",
                    )
                )
            ],
        )
    ordered = _newest(entries)
    top: list[Block] = [_header(t(lang, "Your scale reviews"))]
    more_note = _context(_older_note(9999, lang))
    used = _size(top) + _size([more_note]) + _Size(FALLBACK_MAX, 0, 0)
    shown: list[Block] = []
    for entry in ordered[:LIST_MAX_ENTRIES]:
        block = _entry_block(entry, lang)
        if not (used + _size([block])).within(MESSAGE_LIMIT):
            break
        shown.append(block)
        used = used + _size([block])
    blocks = top + shown
    hidden = len(ordered) - len(shown)
    if hidden:
        blocks.append(_context(_older_note(hidden, lang)))
    return SlackMessage(t(lang, "Your scale reviews ({count})", count=len(ordered)), blocks)


def _older_note(hidden: int, lang: Language) -> str:
    return i18n.tn(
        lang,
        "…and {count} older one: open the app's Home tab to see more.",
        "…and {count} older ones: open the app's Home tab to see more.",
        hidden,
    )
