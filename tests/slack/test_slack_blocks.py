"""Block Kit rendering: every message and view is rebuilt with slack_sdk.models, run through the repo's Block Kit
checker, held to the budgets Slack enforces in practice, and checked to lose nothing when it splits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.roadmap import wording
from bot.roadmap.discussion import Answer, answer
from bot.roadmap.markdown import source_text
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import ItemStatus, Roadmap, RoadmapItem
from bot.services.ports import DiscussionReply, RoadmapListing
from bot.slack import ids
from bot.slack.render import (
    SlackMessage,
    continued_above,
    discussion_replies,
    escape_mrkdwn,
    help_message,
    home_view,
    item_details_view,
    item_id_from_block_id,
    list_message,
    mention_reply,
    notice_message,
    parent_message,
    split_text,
    stage_layout,
    stage_messages,
    status_note,
    summary_message,
)
from tests.builders import sample_item, sample_profile, sample_roadmap
from tests.fakes.blockkit import blocks_json_length, message_problems, view_problems

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
STATUSES = list(ItemStatus)
VERSION_ID = 2_000_000_123  # a long id (ten digits) within the 32-bit keys the database has
ITEM_STATUS_RE = ids.ACTION_ITEM_STATUS_PATTERN

# --- fixtures: real roadmaps and extreme ones -------------------------------------------------------------------


@pytest.fixture(scope="module", params=[p.name for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> Roadmap:
    return generate_rules_roadmap(load_profile(Path(__file__).resolve().parents[2] / "examples" / request.param))


def _pad(text: str, length: int, filler: str) -> str:
    while len(text) < length:
        text += filler
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


def _long_item(item_id: str, k: int, **update: Any) -> RoadmapItem:
    data = sample_item(item_id).model_dump()
    data["title"] = _pad(f"{item_id} cache & shard <hot> paths “{k}” ", 150, "long words ")
    data["why"] = _pad(
        f'Why {item_id}: the database is > 95% busy & users see <errors>. 한국어 설명 {k} :fire: "quoted"\n',
        1500,
        f"Sentence number {k} explains a bit more about the bottleneck. ",
    )
    data["impact"]["metric"] = _pad(f"p95 latency of endpoint {k} ", 120, "and more ")
    data.update(update)
    return RoadmapItem.model_validate(data)


def extreme_roadmap(count: int = 30) -> Roadmap:
    """Stage 1 with `count` items at every length limit: 150-char titles, 1,500-char whys, held-back items,
    mrkdwn-hostile characters, and one item whose escaped text is bigger than a whole message."""
    ids_1 = [f"1.{n}" for n in range(1, count + 1)]
    base = sample_roadmap([(i, None, f"Item {i}") for i in ids_1] + [("2.1", None, "Two"), ("3.1", None, "Three")])
    items: list[RoadmapItem] = []
    for k, item_id in enumerate(ids_1):
        update: dict[str, Any] = {}
        if k % 4 == 1:
            update["deferred"] = f"Over budget for {item_id}: adds about $155,000 a month & only $758 is left."
        if k >= 2:
            update["depends_on"] = [ids_1[k - 1], ids_1[k - 2]]
        if k == 5:  # escapes to ~6,500 chars: more than one message can hold
            update["why"] = "&<>" * 500
            update["title"] = "&" * 150
            update["deferred"] = "Held back because " + "the budget is exhausted & then some; " * 60
        items.append(_long_item(item_id, k, **update))
    data = base.model_dump()
    data["stages"][0]["items"] = [i.model_dump() for i in items]
    data["stages"][1]["items"][0]["depends_on"] = [ids_1[0]]
    data["notes"] = [f"Note {n}: the openai engine failed & the rules engine answered <fallback>." for n in range(3)]
    return Roadmap.model_validate(data)


def cycling(roadmap: Roadmap, offset: int = 0) -> dict[str, ItemStatus]:
    return {item.id: STATUSES[(k + offset) % len(STATUSES)] for k, item in enumerate(roadmap.items())}


# --- checks -----------------------------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def all_text(blocks: Sequence[Mapping[str, Any]]) -> int:
    return sum(
        len(node["text"])
        for node in _walk(list(blocks))
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str)
    )


def section_texts(blocks: Sequence[Mapping[str, Any]], *, contexts: bool = False) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            out.append(block["text"]["text"])
        elif contexts and block["type"] == "context":
            out += [e["text"] for e in block["elements"] if "text" in e]
    return out


def check_blocks(blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        model = Block.parse(block)
        assert model is not None, block
        assert model.to_dict() == block
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        action_ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        assert len(action_ids) == len(set(action_ids)), f"action_ids repeat within a block: {action_ids}"
        for node in _walk(block):
            if node.get("type") == "button":
                assert len(node["text"]["text"]) <= 75
                assert len(node.get("value", "")) <= 2000


def check_message(message: SlackMessage) -> dict[str, Any]:
    args = message.to_args()
    assert message_problems(args) == []
    assert 1 <= len(args["text"]) <= 300 and args["text"].strip()
    blocks = args["blocks"]
    check_blocks(blocks)
    assert 1 <= len(blocks) <= 50
    assert all_text(blocks) + len(args["text"]) < 3500
    assert blocks_json_length(blocks) < 12000
    return args


def check_view(view: View) -> dict[str, Any]:
    data = view.to_dict()
    assert View(**data).to_dict() == data
    assert view_problems(data) == []
    assert 1 <= len(data["blocks"]) <= 100
    check_blocks(data["blocks"])
    return data


def assert_once_in_order(haystack: str, needles: Sequence[str]) -> None:
    position = -1
    for needle in needles:
        assert haystack.count(needle) == 1, f"{needle[:60]!r} appears {haystack.count(needle)} times"
        found = haystack.index(needle)
        assert found > position, f"{needle[:60]!r} is out of order"
        position = found


def heading(item: RoadmapItem) -> str:
    return f"{item.id} {escape_mrkdwn(item.title)}"


# --- stage messages ---------------------------------------------------------------------------------------------


def _stage_args(roadmap: Roadmap, stage: int, statuses: Mapping[str, ItemStatus]) -> list[dict[str, Any]]:
    return [check_message(m) for m in stage_messages(roadmap, stage, statuses, version_id=VERSION_ID)]


def _assert_stage_complete(roadmap: Roadmap, stage: int, parts: list[dict[str, Any]]) -> None:
    text = "".join(t for part in parts for t in section_texts(part["blocks"]))
    items = roadmap.stages[stage - 1].items
    assert_once_in_order(text, [heading(i) for i in items])
    for item in items:
        change = wording.percent_range(item.impact.change_pct, roadmap.language)
        assert f"{escape_mrkdwn(item.impact.metric)} {change}" in text
        if item.deferred:
            assert f"*Held back:* {escape_mrkdwn(item.deferred)}" in text
    # the reasons, steps and checks open with Details: a stage message lists items compactly
    assert not any(escape_mrkdwn(i.why) in text for i in items if len(i.why) > 40)


def test_example_stages_are_valid_and_complete(example: Roadmap) -> None:
    for stage in (1, 2, 3):
        for statuses in ({}, cycling(example), cycling(example, 2)):
            parts = _stage_args(example, stage, statuses)
            _assert_stage_complete(example, stage, parts)
            assert parts[0]["blocks"][0]["type"] == "header"
            assert parts[0]["blocks"][0]["text"]["text"].startswith(f"Stage {stage} · ")
            contexts = [b["elements"][0]["text"] for b in parts[-1]["blocks"] if b["type"] == "context"]
            assert parts[-1]["blocks"][-1]["type"] == "context"
            after = next(i for i, text in enumerate(contexts) if f"After stage {stage}:" in text)
            closing = contexts[after + 1 :]  # the last stage ends with what was left out and the assumptions
            if stage < 3:
                assert not closing
            else:
                assert any(c.startswith("*Assumptions*") for c in closing)
                assert any(c.startswith("*Not recommended for this system*") for c in closing) == bool(
                    example.not_recommended
                )


def test_a_thirty_item_stage_is_split_never_cut() -> None:
    roadmap = extreme_roadmap()
    for statuses in ({}, cycling(roadmap), cycling(roadmap, 3)):
        parts = _stage_args(roadmap, 1, statuses)
        assert len(parts) > 3
        _assert_stage_complete(roadmap, 1, parts)
        for k, part in enumerate(parts[1:], 2):
            first = part["blocks"][0]
            assert first["type"] == "context" and first["elements"][0]["text"].startswith("*Stage 1 (continued)*")
            assert f"(part {k} of {len(parts)})" in part["text"]
        assert "After stage 1:" in parts[-1]["blocks"][-1]["elements"][0]["text"]


def test_an_item_bigger_than_a_message_flows_on_with_its_buttons_last() -> None:
    roadmap = extreme_roadmap(8)
    big = roadmap.stages[0].items[5]
    parts = _stage_args(roadmap, 1, {})
    holding = [k for k, p in enumerate(parts) if any(escape_mrkdwn(big.title) in t for t in section_texts(p["blocks"]))]
    assert len(holding) == 1
    with_buttons = [k for k, p in enumerate(parts) if any(b.get("block_id") == f"item:{big.id}" for b in p["blocks"])]
    assert len(with_buttons) == 1 and with_buttons[0] > holding[0]
    assert big.id in stage_layout(roadmap, 1)[holding[0]] and big.id in stage_layout(roadmap, 1)[with_buttons[0]]


def _actions_by_part(parts: list[dict[str, Any]]) -> list[list[str]]:
    return [[b["block_id"] for b in part["blocks"] if b["type"] == "actions"] for part in parts]


def test_the_split_does_not_depend_on_statuses() -> None:
    """A status change re-renders the stage; each part must keep its items so part N updates message N."""
    for roadmap in (extreme_roadmap(), extreme_roadmap(12)):
        layouts = [
            _actions_by_part(_stage_args(roadmap, 1, statuses))
            for statuses in (
                {},
                cycling(roadmap),
                cycling(roadmap, 1),
                {i.id: ItemStatus.ACKNOWLEDGED for i in roadmap.items()},
                {i.id: ItemStatus.DONE for i in roadmap.items()},
            )
        ]
        assert all(layout == layouts[0] for layout in layouts)
        buttons_at = [[item_id_from_block_id(b) for b in part] for part in layouts[0]]
        layout = stage_layout(roadmap, 1)
        assert all(set(found) <= set(listed) for found, listed in zip(buttons_at, layout, strict=True))


def test_parts_are_balanced(example: Roadmap) -> None:
    for stage in (1, 2):
        sizes = [len(part) for part in stage_layout(example, stage)]
        assert max(sizes) - min(sizes) <= 2, sizes
    # the last stage ends with what was left out and the assumptions, so its parts are even in size, not in items
    lengths = [blocks_json_length(m["blocks"]) for m in _stage_args(example, 3, {})]
    assert max(lengths) <= 2 * min(lengths), lengths


EXPECTED_OFFERS: dict[ItemStatus, tuple[set[str], set[str]]] = {  # (buttons, overflow) per shown status
    ItemStatus.TODO: ({"in_progress", "done"}, {"acknowledged", "not_applicable"}),
    ItemStatus.IN_PROGRESS: ({"done"}, {"acknowledged", "not_applicable", "todo"}),
    ItemStatus.DONE: ({"todo"}, {"acknowledged", "not_applicable"}),
    ItemStatus.ACKNOWLEDGED: ({"done", "todo"}, {"not_applicable"}),
    ItemStatus.NOT_APPLICABLE: ({"done", "todo"}, {"acknowledged"}),
}


def test_buttons_carry_the_documented_json() -> None:
    roadmap = extreme_roadmap(10)
    statuses = cycling(roadmap)
    seen: set[ItemStatus] = set()
    for part in _stage_args(roadmap, 1, statuses):
        for block in part["blocks"]:
            if block["type"] != "actions":
                continue
            item_id = item_id_from_block_id(block["block_id"])
            assert item_id is not None and block["block_id"] == f"{ids.ITEM_BLOCK_PREFIX}{item_id}"
            shown = statuses[item_id]
            seen.add(shown)
            buttons: set[str] = set()
            menu: set[str] = set()
            labels: list[str] = []
            for element in block["elements"]:
                if element["type"] == "overflow":
                    assert element["action_id"] == ids.ACTION_ITEM_MENU
                    for option in element["options"]:
                        value = json.loads(option["value"])
                        assert value == {"v": VERSION_ID, "i": item_id, "s": value["s"], "f": shown.value}
                        assert option["value"] == json.dumps(value, separators=(",", ":"))
                        menu.add(value["s"])
                    continue
                labels.append(element["text"]["text"])
                value = json.loads(element["value"])
                assert element["value"] == json.dumps(value, separators=(",", ":"))
                if element["action_id"] == ids.ACTION_ITEM_DETAILS:
                    assert value == {"v": VERSION_ID, "i": item_id}
                else:
                    assert ITEM_STATUS_RE.match(element["action_id"])
                    assert element["action_id"] == f"{ids.ACTION_ITEM_STATUS}:{value['s']}"
                    assert value == {"v": VERSION_ID, "i": item_id, "s": value["s"], "f": shown.value}
                    buttons.add(value["s"])
            assert (buttons, menu) == EXPECTED_OFFERS[shown]
            assert "Details" in labels
            assert ("Start" in labels) == (shown == ItemStatus.TODO)
            assert ("Done" in labels) == (shown != ItemStatus.DONE)
            assert ("Reopen" in labels) == (not shown.is_open)
    assert seen == set(ItemStatus)


def test_item_text_shows_status_figures_and_dependencies() -> None:
    roadmap = extreme_roadmap(4)
    statuses = {"1.1": ItemStatus.IN_PROGRESS, "1.3": ItemStatus.NOT_APPLICABLE}
    text = "\n".join(t for p in _stage_args(roadmap, 1, statuses) for t in section_texts(p["blocks"]))
    assert ":hourglass_flowing_sand: In progress" in text
    assert ":heavy_minus_sign: Not applicable" in text
    assert ":white_circle: To do" in text
    assert "*After:* 1.2, 1.1" in text
    assert "−60% to −30% · capacity ×1.5 · 2–5 person-days · $0–$500 once, $0–$200 a month" in text
    assert ":warning: *Held back:* Over budget for 1.2" in text
    # the full figures (confidence, weeks, the tiers, the score) are in the item's Details
    item = roadmap.stages[0].items[0]
    details = "".join(section_texts(check_view(item_details_view(item, ItemStatus.TODO, system_name="x"))["blocks"]))
    assert "(confidence medium)" in details and "capacity ×1.5 (database)" in details
    assert "2–5 person-days · 0.5–1 weeks" in details
    assert "one-off $0–$500 · monthly $0–$200 · benefit/cost score 2" in details


def test_stage_rejects_bad_arguments() -> None:
    roadmap = sample_roadmap()
    with pytest.raises(ValueError):
        stage_messages(roadmap, 4, {}, version_id=1)
    with pytest.raises(ValueError):
        stage_messages(roadmap, 1, {}, version_id=-1)


# --- summary and parent ---------------------------------------------------------------------------------------------


def test_example_summary(example: Roadmap) -> None:
    messages = summary_message(example, version=2, change_note="Moved the cache before the read replicas.")
    assert len(messages) <= 2  # the verdict and the capacity picture first; the reading may flow on
    args = check_message(messages[0])
    for more in messages[1:]:
        check_message(more)
    text = "\n".join(t for m in messages for t in section_texts(m.to_args()["blocks"], contexts=True))
    summary = example.summary
    assert args["blocks"][0]["text"]["text"] == summary.headline
    assert escape_mrkdwn(summary.verdict) in text
    assert escape_mrkdwn(summary.binding_bottleneck) in text
    assert escape_mrkdwn(summary.budget_note) in text
    assert "What changed in v2:* Moved the cache" in text
    closing = "\n".join(t for m in _stage_args(example, 3, {}) for t in section_texts(m["blocks"], contexts=True))
    for assumption in summary.assumptions:  # at the thread's end, after the last stage: the summary stays short
        assert escape_mrkdwn(assumption) not in text and escape_mrkdwn(assumption) in closing
    for stage in example.stages:
        assert f"*After stage {stage.number}:*" in text
    assert "*Now:*" in text


def test_a_huge_summary_spills_into_more_messages() -> None:
    roadmap = extreme_roadmap(3)
    data = roadmap.model_dump()
    # each sentence its own (the summary drops a sentence an earlier note already said)
    data["notes"] = [
        f"Note {n}: " + " ".join(f"the engine explains point {n}-{k} at length & <more>." for k in range(30))
        for n in range(12)
    ]
    data["summary"]["assumptions"] = [f"Assumption {n}: " + "a long assumption. " * 20 for n in range(20)]
    roadmap = Roadmap.model_validate(data)
    messages = summary_message(roadmap, version=7)
    assert len(messages) > 1
    texts = "".join(t for m in messages for t in section_texts(check_message(m)["blocks"], contexts=True))
    assert_once_in_order(texts, [escape_mrkdwn(n) for n in roadmap.notes])
    parts = _stage_args(roadmap, 3, {})  # the assumptions close the thread, flowing on as the notes do
    closing = "".join(t for part in parts for t in section_texts(part["blocks"], contexts=True))
    assert_once_in_order(closing, [escape_mrkdwn(a) for a in roadmap.summary.assumptions])


@pytest.mark.parametrize("state", ["generating", "ready", "failed"])
def test_parent_message(state: str) -> None:
    profile = sample_profile()
    roadmap = generate_rules_roadmap(profile)
    for summary in (None, roadmap.summary):
        message = parent_message(
            profile,
            owner_user_id="U123",
            state=state,  # type: ignore[arg-type]
            summary=summary,
            engine="rules",
            note="The openai engine timed out, so this is the rules roadmap." if state != "generating" else None,
            version=2,
            item_count=17,
        )
        args = check_message(message)
        assert len(args["blocks"]) <= 5
        assert args["blocks"][0]["text"]["text"] == "Scale review: Checkout API"
        text = "\n".join(section_texts(args["blocks"], contexts=True))
        assert "1.2k → 1M concurrent users* (×833) · requested by <@U123>" in text
        if summary is not None:
            assert "*Capacity now:*" in text and "*Binding bottleneck:*" in text
        if state == "generating":
            assert "Generating the roadmap… it arrives in this thread" in text
        elif state == "ready":
            assert "Roadmap v2 is in the thread: 17 items in 3 stages · engine: rules" in text
        else:
            assert "timed out" in text


def test_parent_message_with_hostile_name() -> None:
    profile = sample_profile(system_name="<!channel> & <b>" + "x" * 60)
    args = check_message(parent_message(profile, owner_user_id="U1", state="generating"))
    mrkdwn = [n["text"] for n in _walk(args["blocks"]) if n.get("type") == "mrkdwn"]
    assert not any("<!channel>" in t for t in [*mrkdwn, args["text"]])  # plain_text (the header) is never parsed
    assert args["text"].startswith("Scale review for &lt;!channel&gt; &amp;")


# --- details view -----------------------------------------------------------------------------------------------


def test_item_details_views(example: Roadmap) -> None:
    for item in example.items():
        data = check_view(item_details_view(item, ItemStatus.IN_PROGRESS, system_name=example.system_name))
        assert data["title"]["text"] == f"Item {item.id}" and len(data["title"]["text"]) <= 24
        assert data["callback_id"] == ids.ITEM_DETAILS_CALLBACK
        assert data["close"]["text"] == "Close" and "submit" not in data
        text = "".join(section_texts(data["blocks"], contexts=True))
        for n, step in enumerate(item.steps, 1):
            assert f"{n}. {escape_mrkdwn(step)}" in text
        for check in item.verify:
            assert escape_mrkdwn(check) in text
        for source in item.sources:  # each with what it backs ("capacity effect: ...")
            assert escape_mrkdwn(source_text(source, "en")) in text
        assert escape_mrkdwn(item.why) in text


def test_item_details_for_an_enormous_item() -> None:
    item = _long_item(
        "3.999",
        1,
        steps=[f"Step {n}: " + "do the careful thing & check <it>. " * 16 for n in range(40)],
        verify=[f"Check {n}: " + "p95 under 800 ms. " * 30 for n in range(30)],
        sources=[f"Source {n}: https://example.com/docs?a=1&b=2 " + "more detail. " * 20 for n in range(30)],
        deferred="Held back: " + "over budget. " * 200,
    )
    data = check_view(item_details_view(item, ItemStatus.ACKNOWLEDGED, system_name="Checkout API"))
    text = "".join(section_texts(data["blocks"], contexts=True))
    assert_once_in_order(text, [f"{n}. {escape_mrkdwn(s)}" for n, s in enumerate(item.steps, 1)])
    assert_once_in_order(text, [escape_mrkdwn(v) for v in item.verify])
    assert_once_in_order(text, [escape_mrkdwn(s) for s in item.sources])
    assert escape_mrkdwn(item.why) in text and escape_mrkdwn(item.deferred or "") in text
    assert data["blocks"][0]["type"] == "header" and data["blocks"][0]["text"]["text"] == item.title


# --- help, list, notices, notes, home -------------------------------------------------------------------------------


def test_help_message() -> None:
    args = check_message(help_message())
    text = "\n".join(section_texts(args["blocks"], contexts=True))
    for needle in ("/scale-review`", "/scale-review help", "/scale-review list", "/scale-review &lt;system name&gt;"):
        assert needle in text
    assert "done 1.2" in text and "start 1.2" in text and "/invite @scale-review" in text


def _entries(count: int) -> list[RoadmapListing]:
    start = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    return [
        RoadmapListing(
            roadmap_id=n + 1,
            system_name=f"System {n} & <co>",
            version=n % 3 + 1 if n % 5 else None,
            closed_items=n % 7,
            total_items=17,
            permalink=f"https://acme.slack.com/archives/C0123/p17000000{n:05d}?thread_ts=1.2&cid=C0123"
            if n % 4
            else None,
            channel_id="C0123" if n % 4 else None,
            created_at=start + timedelta(days=n) if n % 2 else (start + timedelta(days=n)).replace(tzinfo=None),
        )
        for n in range(count)
    ]


def test_list_message_states() -> None:
    empty = check_message(list_message([]))
    assert "no scale reviews yet" in "\n".join(section_texts(empty["blocks"])).lower()

    few = check_message(list_message(_entries(3)))
    text = "\n".join(section_texts(few["blocks"], contexts=True))
    assert text.index("System 2") < text.index("System 1") < text.index("System 0")  # newest first
    assert (
        "*<https://acme.slack.com/archives/C0123/p1700000000001?thread_ts=1.2&cid=C0123|System 1 &amp; &lt;co&gt;>*"
        in (text)
    )
    assert "1/17 closed" in text and "<#C0123>" in text and "<!date^" in text
    assert any(b.get("accessory", {}).get("action_id") == ids.ACTION_OPEN_THREAD for b in few["blocks"])

    many = check_message(list_message(_entries(60)))
    text = "\n".join(section_texts(many["blocks"], contexts=True))
    assert "System 59" in text and "older" in text


def test_home_view() -> None:
    for count in (0, 3, 45):
        data = check_view(home_view(_entries(count), user_id="U42"))
        assert data["type"] == "home"
        text = "\n".join(section_texts(data["blocks"], contexts=True))
        assert "<@U42>" in text and "/scale-review" in text
        if count == 0:
            assert "No scale reviews yet" in text
        if count == 45:
            assert "Showing the newest 20 of 45" in text
            assert "System 44" in text and "System 24" not in text
        assert text.count("▰") + text.count("▱") == 10 * min(count, 20)


@pytest.mark.parametrize(
    "kind", ["not_in_channel", "channel_not_found", "generation_failed", "posting_failed", "rate_limited"]
)
def test_notice_messages(kind: str) -> None:
    for roadmap_id in (None, 5):
        for channel_id in (None, "C0123"):
            message = notice_message(
                kind,  # type: ignore[arg-type]
                channel_id=channel_id,
                roadmap_id=roadmap_id,
                system_name="Checkout & <API>",
                detail="not_in_channel" if kind != "generation_failed" else "LLM timed out " * 100,
            )
            args = check_message(message)
            text = "\n".join(section_texts(args["blocks"]))
            assert "saved" in text and "Checkout &amp; &lt;API&gt;" in text
            buttons = [e for b in args["blocks"] if b["type"] == "actions" for e in b["elements"]]
            if roadmap_id is None:
                assert buttons == [] and "/scale-review Checkout" in text
            else:
                expected = ids.ACTION_RETRY if kind == "generation_failed" else ids.ACTION_REPOST
                assert [b["action_id"] for b in buttons] == [expected]
                assert json.loads(buttons[0]["value"]) == {"r": 5} and buttons[0]["value"] == '{"r":5}'
                assert ("*Retry*" if kind == "generation_failed" else "*Post again*") in text
            if kind == "not_in_channel":
                assert "/invite @scale-review" in text
                if channel_id:
                    assert "<#C0123>" in text


def test_status_note() -> None:
    note = status_note("1.2", "Find the slow queries & fix <them>", ItemStatus.DONE, "U7")
    assert note == ":white_check_mark: <@U7> marked 1.2 *Find the slow queries &amp; fix &lt;them&gt;* as Done"
    assert "Acknowledged (won't do)" in status_note("2.1", "x", ItemStatus.ACKNOWLEDGED, "U7")


def check_reply(reply: DiscussionReply) -> dict[str, Any]:
    """A reply that fits one message (as every one below does) is that message."""
    (message,) = discussion_replies(reply)
    return check_message(message)


def test_discussion_reply_gives_the_order_then_the_items_as_their_stage_shows_them() -> None:
    roadmap = generate_rules_roadmap(load_profile(next(p for p in EXAMPLES if p.name == "saas-api.yaml")))
    # an item and the one it builds on, in the same stage: which ones is the example plan's business
    first, then = next((d, i.id) for i in roadmap.items() for d in i.depends_on if d.split(".")[0] == str(i.stage))
    statuses = {first: ItemStatus.IN_PROGRESS}
    reading = answer(roadmap, statuses, f"why {then} after {first}?")
    args = check_reply(DiscussionReply(reading))
    texts = [b["text"]["text"] for b in args["blocks"]]
    assert texts[0].startswith(f":scales: *{first} comes before {then}* — {then} builds on {first}")
    assert texts[1].startswith(f"*{then} ") and any(t.startswith(f"*{first} ") and "In progress" in t for t in texts)
    assert args["text"] == f"About {then}, {first} of this roadmap"
    nothing = check_reply(DiscussionReply(answer(roadmap, {}, "hmm?")))
    assert "could not tell which items" in nothing["text"]
    assert "• 1.1 " in json.dumps(nothing["blocks"], ensure_ascii=False)
    closed = {item.id: ItemStatus.DONE for item in roadmap.items()}
    assert "Every item of this roadmap is closed" in json.dumps(
        check_reply(DiscussionReply(answer(roadmap, closed, "?")))
    )
    # the AI's answer leads, escaped (no mass mentions or links from a model), the roadmap's figures follow
    ai = check_reply(DiscussionReply(reading, ai_answer="*2.2* first <!channel> & so on"))
    assert ai["blocks"][0]["text"]["text"] == ":speech_balloon: *2.2* first &lt;!channel&gt; &amp; so on"
    assert ai["blocks"][1]["text"]["text"].startswith(":scales:") and ai["text"].startswith("*2.2* first")
    failed = check_reply(DiscussionReply(reading, ai_failed="the AI provider answered HTTP 500"))
    assert "No AI answer this time (the AI provider answered HTTP 500)" in json.dumps(failed["blocks"][-1])


def test_a_long_discussion_reply_flows_on_into_more_messages_instead_of_failing() -> None:
    roadmap = generate_rules_roadmap(load_profile(next(p for p in EXAMPLES if p.name == "saas-api.yaml")))
    long = [item.model_copy(update={"why": "Because the database binds first. " * 44}) for item in roadmap.items()][:3]
    reading = Answer(items=long, statuses={}, ordering=None, open_now=[])
    messages = discussion_replies(DiscussionReply(reading, ai_answer="A long answer. " * 160))
    assert len(messages) >= 2
    shown = [check_message(m) for m in messages]  # each within Slack's limits
    assert shown[0]["blocks"][0]["text"]["text"].startswith(":speech_balloon: A long answer.")
    text = json.dumps([m["blocks"] for m in shown])
    assert all(f"*{item.id} " in text for item in long) and "answer continued, part 2" in text


def test_mention_reply_and_continued_above() -> None:
    assert "/scale-review" in mention_reply() and len(mention_reply()) < 400
    args = check_message(continued_above(2))
    assert "Stage 2 continues in the messages above" in args["text"]


def test_slack_message_requires_short_text() -> None:
    with pytest.raises(ValueError):
        SlackMessage("", [])
    with pytest.raises(ValueError):
        SlackMessage("x" * 301, [])


# --- the splitter ---------------------------------------------------------------------------------------------------


_PIECES = st.lists(st.sampled_from([*"ab &<>\n.,;한:", "word ", "&amp;", "&&&&&&", "x" * 40]), max_size=400)


@given(_PIECES, st.integers(16, 400))
def test_split_text_never_loses_or_breaks_entities(raw_pieces: list[str], limit: int) -> None:
    text = escape_mrkdwn("".join(raw_pieces))
    pieces = split_text(text, limit)
    assert "".join(pieces) == text
    assert all(len(p) <= limit for p in pieces)
    assert all(pieces) or pieces == [""]
    cuts = set()
    position = 0
    for piece in pieces[:-1]:
        position += len(piece)
        cuts.add(position)
    for entity in re.finditer(r"&(amp|lt|gt);", text):
        assert not any(entity.start() < cut < entity.end() for cut in cuts)


def test_blocks_the_renderer_serialises_itself_are_what_slack_sdk_makes(example: Roadmap) -> None:
    """The thread's most repeated blocks (buttons, sections, contexts, dividers) get their dicts from the renderer,
    not from slack_sdk's serialiser (speed): they must equal what slack_sdk makes, which also validates them."""
    from slack_sdk.errors import SlackObjectFormationError

    from bot import i18n
    from bot.slack.render import items
    from bot.slack.render import kit as rendering

    for lang in i18n.LANGUAGES:
        for status in ItemStatus:
            block = items._item_actions("3.999", status, rendering.MAX_VERSION_ID, lang)
            assert rendering._as_dict(block) == block.to_dict()
    for text in ("plain", "*bold* & <@U123> “quoted” 한국어 :fire:", "x" * rendering.SECTION_TEXT_MAX):
        made = [rendering._section(text), rendering._section(text, block_id="item:1.1"), rendering._context(text)]
        for block in [*made, rendering._divider()]:
            assert rendering._as_dict(block) == block.to_dict()
    with pytest.raises(SlackObjectFormationError):  # past Slack's limit, slack_sdk still says so
        rendering._as_dict(rendering._section("x" * (rendering.SECTION_TEXT_MAX + 1)))
    statuses = cycling(example)
    thread = [*summary_message(example, version=1)]
    thread += [m for stage in (1, 2, 3) for m in stage_messages(example, stage, statuses, version_id=VERSION_ID)]
    for message in thread:
        for block in message.blocks:
            assert rendering._as_dict(block) == block.to_dict()


def test_item_details_name_what_each_source_backs_in_the_readers_language() -> None:
    roadmap = generate_rules_roadmap(load_profile(Path(__file__).resolve().parents[2] / "examples" / "shop-ko.yaml"))
    item = next(i for i in roadmap.items() if any(s.startswith("impact: ") for s in i.sources))
    korean = "".join(
        section_texts(
            check_view(item_details_view(item, ItemStatus.TODO, system_name="x", lang="ko"))["blocks"], contexts=True
        )
    )
    english = "".join(
        section_texts(check_view(item_details_view(item, ItemStatus.TODO, system_name="x"))["blocks"], contexts=True)
    )
    assert "• 효과: " in korean and "• impact: " not in korean
    assert "• impact: " in english
