"""Replies in a roadmap's thread: answers to questions, status notes, the mention reply, thread help and the list
of versions."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.i18n import N_, Language, t
from bot.roadmap.schema import ItemStatus
from bot.services.ports import DiscussionReply
from bot.services.thread_queries import VersionLine
from bot.slack.render.items import _item_sections
from bot.slack.render.kit import (
    FALLBACK_MAX,
    STATUS_EMOJI,
    SlackMessage,
    _context,
    _date,
    _section,
    _sections,
    escape_mrkdwn,
    shorten,
    status_label,
)
from bot.slack.render.packing import _assemble


def mention_reply(lang: Language = "en") -> str:
    """The answer to an @-mention that is not a status command: what I do and how to start."""
    return t(
        lang,
        "Hi! I turn “our servers fall over” into a staged scaling roadmap. Type `/scale-review` to describe a "
        "system, `/scale-review list` for your roadmaps, `/scale-review help` for the rest. In a roadmap's thread, "
        "write `start 1.2` or `done 1.2` to mark items, or mention me with a question such as “why 1.2 before 2.1?”.",
    )


def discussion_replies(reply: DiscussionReply) -> list[SlackMessage]:
    """The answer to a question in a roadmap's thread: the AI's answer when there is one, then the plan's reason
    for an order and the items asked about as their stage messages show them; or, when the question names no
    item, what is open now. Usually one message; long items flow on into a second rather than being cut."""
    lang = reply.language
    answer = reply.reading
    groups: list[list[Block]] = []
    if reply.ai_answer:
        groups.append(_sections(f":speech_balloon: {escape_mrkdwn(reply.ai_answer)}"))
    if answer.ordering is not None:
        order = answer.ordering
        before = t(lang, "*{first} comes before {then}*", first=order.first.id, then=order.then.id)
        groups.append([_section(f":scales: {before} — {escape_mrkdwn(order.reason)}.")])
    for item in answer.items:
        status = ItemStatus(answer.statuses.get(item.id, ItemStatus.TODO))
        groups.append(_item_sections(item, status, lang, full=True))
    if not answer.items:
        if not reply.ai_answer:
            groups.append(
                [
                    _section(
                        t(
                            lang,
                            "I could not tell which items you mean. Name them by id or by subject, e.g. "
                            "“why 1.2 before 2.1?” or “why read replicas after the indexes?”.",
                        )
                    )
                ]
            )
        lines = [f"• {i.id} {escape_mrkdwn(i.title)}" for i in answer.open_now]
        if lines:
            groups.append(_sections(t(lang, "*Open now:*") + "\n" + "\n".join(lines)))
        else:
            groups.append(_sections(t(lang, "Every item of this roadmap is closed.")))
    tail: list[Block] = []
    if reply.ai_failed:
        tail.append(
            _context(
                ":information_source: "
                + t(
                    lang,
                    "No AI answer this time ({why}): this one comes from the roadmap's own figures.",
                    why=escape_mrkdwn(reply.ai_failed),
                )
            )
        )
    if reply.ai_answer:
        fallback = shorten(reply.ai_answer, FALLBACK_MAX)
    elif answer.items:
        fallback = t(lang, "About {items} of this roadmap", items=", ".join(i.id for i in answer.items))
    else:
        fallback = t(lang, "I could not tell which items you mean; here is what is open now.")
    return _assemble(
        groups,
        top=[],
        continued=lambda k: [_context(t(lang, "_(answer continued, part {part})_", part=k))],
        fallback=lambda k, n: fallback,
        tail=tail,
    )


def status_note(item_id: str, title: str, status: ItemStatus, actor_user_id: str, lang: Language = "en") -> str:
    """One line for the thread when someone changes an item's status."""
    status = ItemStatus(status)
    return f"{STATUS_EMOJI[status]} " + t(
        lang,
        "{who} marked {id} *{title}* as {status}",
        who=f"<@{actor_user_id}>",
        id=item_id,
        title=escape_mrkdwn(title),
        status=status_label(status, lang),
    )


_VERSION_STATES = {"ready": N_("posted"), "generating": N_("being written"), "failed": N_("failed")}


def versions_message(versions: Sequence[VersionLine], system_name: str, lang: Language = "en") -> list[SlackMessage]:
    """`versions` in a roadmap's thread: every version, when and how it was made, and what it changed."""
    lines = []
    for v in versions:
        state = t(lang, _VERSION_STATES.get(v.status, v.status))
        line = f"• *v{v.version}* · {state} · {escape_mrkdwn(v.engine)} · {_date(v.created_at)}"
        if v.change:
            line += f"\n  {escape_mrkdwn(shorten(v.change, 280))}"
        lines.append(line)
    head = t(lang, "*Versions of {name}* (each one is in this thread)", name=escape_mrkdwn(shorten(system_name, 80)))
    texts = [(head + "\n" + "\n".join(lines), False)] if lines else [(t(lang, "No version yet."), False)]
    groups = [_sections(text) for text, _ in texts]
    fallback = t(lang, "Versions of {name}", name=system_name)
    return _assemble(
        groups,
        top=[],
        continued=lambda k: [_context(t(lang, "_(versions continued, part {part})_", part=k))],
        fallback=lambda k, n: fallback,
    )


def thread_help(lang: Language = "en") -> str:
    """`help` in a roadmap's thread: what can be written there."""
    return t(
        lang,
        "In this thread: `done 1.2`, `start 2.1`, `skip 3.4 because ...` (or `1.2 완료`, `2.1 시작`) mark items; "
        "`assign 1.3 @someone` and `due 2.1 friday` set an owner and a day; `status` shows "
        "where the team stands; `versions` lists the roadmap's versions; `export` uploads its files; "
        "`nudge friday 09:00` or `nudge pause` changes the weekly check-in. Mention me with a question, e.g. "
        "“why 1.2 before 2.1?”. *Edit answers* on the first message posts a new version, and so does a "
        "correction written here (`the budget is now $2k/month`, `we already run Redis`) once you confirm it.",
    )
