"""The roadmap's summary in its thread: the headline, capacity now and after each stage, what the engine read from
the answers, and the closing notes (what was left out and what the figures rest on)."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block

from bot import i18n
from bot.i18n import Language, t
from bot.roadmap.markdown import unrepeated_notes
from bot.roadmap.schema import CapacityPoint, Roadmap
from bot.roadmap.wording import engine_name
from bot.slack import ids, values
from bot.slack.render.kit import (
    HOW_TO_MARK,
    SlackMessage,
    _button,
    _context,
    _contexts,
    _currency,
    _fallback_text,
    _header,
    _money,
    _sections,
    _share,
    _times,
    escape_mrkdwn,
    shorten,
    tier_name,
)
from bot.slack.render.packing import _assemble


def _capacity_row(label: str, point: CapacityPoint, target: int, currency: str | None, lang: Language) -> str:
    row = f"• *{label}:* {i18n.count(lang, point.users)} · " + t(
        lang, "limit: {tier}", tier=tier_name(point.binding_tier, lang)
    )
    row += f" · {_share(point, target, lang)}"
    if currency is not None and point.monthly_cost.high > 0:
        row += " · " + t(lang, "adds {money} a month", money=_money(point.monthly_cost, currency, lang))
    return row


def summary_message(
    roadmap: Roadmap,
    *,
    version: int,
    change_note: str | None = None,
    usage_note: str | None = None,
    regenerate_roadmap_id: int | None = None,
) -> list[SlackMessage]:
    """The thread's first message: the verdict and the capacity picture before the stages' details.

    Usually one message; an engine's long notes or assumptions spill into more rather than being cut.
    `usage_note` is the engine's accounting (model, tokens, estimated cost); `regenerate_roadmap_id`
    adds a "Regenerate with AI" button (the rules engine stood in for a failed AI engine).
    """
    lang = roadmap.language
    summary = roadmap.summary
    target = summary.target_users
    currency = _currency(roadmap)
    rows = [_capacity_row(t(lang, "Now"), summary.capacity_now, target, None, lang)]
    rows += [
        _capacity_row(t(lang, "After stage {n}", n=s.number), s.capacity_after, target, currency, lang)
        for s in roadmap.stages
    ]
    closing = t(lang, "The three stages follow in this thread.") + " " + t(lang, HOW_TO_MARK)
    texts: list[tuple[str, bool]] = []  # (mrkdwn text, as context)
    if change_note:
        changed = t(lang, "*What changed in v{version}:*", version=version)
        texts.append((f":arrows_counterclockwise: {changed} {escape_mrkdwn(change_note)}", False))
    verdict = t(lang, "*Verdict:*")
    texts += [
        (f"{':dart:' if summary.target_reachable else ':warning:'} {verdict} {escape_mrkdwn(summary.verdict)}", False),
        (
            t(lang, "*Capacity* (concurrent users it sustains; target {target})", target=i18n.count(lang, target))
            + "\n"
            + "\n".join(rows),
            False,
        ),
        (
            t(lang, "*Binding bottleneck:* {what}", what=escape_mrkdwn(summary.binding_bottleneck))
            + "\n"
            + t(lang, "*Budget:* {note}", note=escape_mrkdwn(summary.budget_note)),
            False,
        ),
    ]
    texts += _reading_texts(roadmap)
    notes = unrepeated_notes(roadmap.notes)  # a clause an earlier note said is not said again
    if notes:
        texts.append(("\n".join(f":information_source: {escape_mrkdwn(n)}" for n in notes), False))
    if usage_note:
        texts.append((f":bar_chart: {escape_mrkdwn(usage_note)}", True))
    texts.append((closing, True))
    groups = [_contexts(text) if as_context else _sections(text) for text, as_context in texts]
    tail: list[Block] = []
    if regenerate_roadmap_id is not None:
        button = _button(
            t(lang, "Regenerate with AI"), ids.ACTION_REGENERATE, value=values.for_roadmap(regenerate_roadmap_id)
        )
        tail.append(ActionsBlock(elements=[button], block_id="summary:regenerate"))
    top = [
        _header(summary.headline),
        _context(
            t(
                lang,
                "Roadmap v{version} · {engine} engine · {times} scale-up · {count} items in 3 stages",
                version=version,
                engine=escape_mrkdwn(shorten(engine_name(roadmap.engine, lang), 60)),
                times=_times(summary.scale_factor),
                count=sum(1 for _ in roadmap.items()),
            )
        ),
    ]
    fallback = _fallback_text(
        t(
            lang,
            "Roadmap v{version} for {name}: {verdict}",
            version=version,
            name=roadmap.system_name,
            verdict=summary.verdict,
        )
    )

    def cont(k: int) -> list[Block]:
        return [_context(t(lang, "*Roadmap v{version} summary (continued, part {part})*", version=version, part=k))]

    return _assemble(groups, top=top, continued=cont, fallback=lambda k, n: fallback, tail=tail)


def _reading_texts(roadmap: Roadmap) -> list[tuple[str, bool]]:
    """What the engine read (the kind of system, with the team's phrases), where each named problem is answered,
    and the levers left out with why: so a reader can check the plan against what they wrote."""
    lang = roadmap.language
    texts: list[tuple[str, bool]] = []
    if roadmap.workload:
        lines = []
        for kind in roadmap.workload:
            quotes = ", ".join(f"“{escape_mrkdwn(shorten(e, 60))}”" for e in kind.evidence[:2])
            lines.append(f"• {escape_mrkdwn(kind.label)}" + (f" ({quotes})" if quotes else ""))
        texts.append((t(lang, "*What kind of system I read*") + "\n" + "\n".join(lines), False))
    if roadmap.problems:
        lines = []
        for answer in roadmap.problems:
            where = ", ".join(answer.item_ids) if answer.item_ids else (answer.note or t(lang, "no item answers it"))
            lines.append(f"• “{escape_mrkdwn(shorten(answer.said, 90))}” → {escape_mrkdwn(where)}")
        texts.append((t(lang, "*You said → where the plan answers it*") + "\n" + "\n".join(lines), False))
    return texts


def _closing(roadmap: Roadmap) -> list[Block]:
    """What the plan left out (with why) and what its figures rest on: once, after the last stage's items, so the
    summary stays a ten-second read and the thread stays short."""
    lang = roadmap.language
    blocks: list[Block] = []
    if roadmap.not_recommended:
        # one short line each: the thread is read on phones; the full reasons are in the exported roadmap
        lines = [
            f"• *{escape_mrkdwn(r.title)}*: {escape_mrkdwn(shorten(r.reason, 110))}" for r in roadmap.not_recommended
        ]
        blocks += _contexts(t(lang, "*Not recommended for this system*") + "\n" + "\n".join(lines))
    if roadmap.summary.assumptions:
        lines = [f"• {escape_mrkdwn(a)}" for a in roadmap.summary.assumptions]
        blocks += _contexts(t(lang, "*Assumptions*") + "\n" + "\n".join(lines))
    return blocks
