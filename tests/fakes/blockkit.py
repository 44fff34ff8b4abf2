"""Block Kit proof: rebuild what the bot sends with slack_sdk.models and check the limits Slack enforces.

Parsing alone proves nothing (``Block.parse`` accepts any dict of a known type); ``to_dict()`` is where
slack_sdk applies its own limits, and comparing its output with what was sent reveals keys the model does
not know (typos, fields in the wrong place). The limits the models do not check are checked here; they come
from Slack's Block Kit reference and from what Slack rejects in practice (see shared/PRODUCT.md, "Slack limits
that bind us").
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.messages.chunk import Chunk
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BLOCK_ID_MAX = 255
MESSAGE_TEXT_MAX = 4000  # msg_too_long is reported near 4,000 chars although the docs say 40,000
MESSAGE_BLOCKS_JSON_MAX = 12000  # msg_blocks_too_long is reported near 13,000 chars of blocks JSON
VIEW_TITLE_MAX = 24  # title, submit and close
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
MARKDOWN_TEXT_MAX = 12000  # markdown_text (chat.postMessage, chat.*Stream per call, markdown chunks)


@dataclass(frozen=True)
class Problem:
    """One reason Slack would reject a payload: the error code it answers with, and a readable detail."""

    error: str
    detail: str


def _text(obj: Any) -> str | None:
    """The string inside a text object (or a bare string), else None."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping) and isinstance(obj.get("text"), str):
        return obj["text"]
    return None


def _walk(obj: Any) -> Iterator[Mapping[str, Any]]:
    """Every dict nested anywhere in obj (depth first)."""
    if isinstance(obj, Mapping):
        yield obj
        for value in obj.values():
            yield from _walk(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _walk(value)


def dropped_keys(sent: Any, rebuilt: Any, path: str) -> list[str]:
    """Paths of keys in ``sent`` that the slack_sdk model did not keep (unknown to Slack's schema)."""
    out: list[str] = []
    if isinstance(sent, Mapping):
        if not isinstance(rebuilt, Mapping):
            return [f"{path} was not understood (rebuilt as {rebuilt!r})"]
        for key, value in sent.items():
            if key not in rebuilt:
                if value is not None and value != [] and value != {}:
                    out.append(f"{path}.{key} is not a known field (dropped by slack_sdk.models)")
            else:
                out.extend(dropped_keys(value, rebuilt[key], f"{path}.{key}"))
    elif isinstance(sent, list):
        if not isinstance(rebuilt, list) or len(rebuilt) != len(sent):
            return [f"{path} changed length when rebuilt (unknown items?)"]
        for i, (a, b) in enumerate(zip(sent, rebuilt, strict=True)):
            out.extend(dropped_keys(a, b, f"{path}[{i}]"))
    return out


def _limits(block: Mapping[str, Any], path: str, error: str) -> list[Problem]:
    """Limits that slack_sdk.models does not (reliably) check."""
    out: list[Problem] = []
    btype = block.get("type")
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > BLOCK_ID_MAX:
        out.append(Problem(error, f"{path}.block_id is {len(block_id)} chars (max {BLOCK_ID_MAX})"))
    if btype == "section":
        text = _text(block.get("text"))
        if text is not None and len(text) > SECTION_TEXT_MAX:
            out.append(Problem(error, f"{path} section text is {len(text)} chars (max {SECTION_TEXT_MAX})"))
        fields = block.get("fields")
        if isinstance(fields, list):
            if len(fields) > SECTION_FIELDS_MAX:
                out.append(Problem(error, f"{path} section has {len(fields)} fields (max {SECTION_FIELDS_MAX})"))
            for i, field in enumerate(fields):
                ftext = _text(field)
                if ftext is not None and len(ftext) > SECTION_FIELD_TEXT_MAX:
                    out.append(
                        Problem(error, f"{path}.fields[{i}] is {len(ftext)} chars (max {SECTION_FIELD_TEXT_MAX})")
                    )
        if text is None and not fields:
            out.append(Problem(error, f"{path} section needs text or fields"))
    elif btype == "header":
        text = _text(block.get("text"))
        if text is not None and len(text) > HEADER_TEXT_MAX:
            out.append(Problem(error, f"{path} header text is {len(text)} chars (max {HEADER_TEXT_MAX})"))
    for node in _walk(block):
        if node.get("type") != "button":
            continue
        label = _text(node.get("text"))
        name = node.get("action_id", "?")
        if label is not None and len(label) > BUTTON_TEXT_MAX:
            out.append(Problem(error, f"{path} button {name!r} text is {len(label)} chars (max {BUTTON_TEXT_MAX})"))
        value = node.get("value")
        if isinstance(value, str) and len(value) > BUTTON_VALUE_MAX:
            out.append(Problem(error, f"{path} button {name!r} value is {len(value)} chars (max {BUTTON_VALUE_MAX})"))
    return out


def block_problems(blocks: Any, *, where: str, error: str, max_blocks: int | None = None) -> list[Problem]:
    """Rebuild each block with slack_sdk.models (must parse, serialise and keep every key) and check limits."""
    if not isinstance(blocks, list):
        return [Problem(error, f"{where} must be an array of blocks, got {type(blocks).__name__}")]
    out: list[Problem] = []
    if max_blocks is not None and len(blocks) > max_blocks:
        out.append(Problem(error, f"{where} has {len(blocks)} blocks (max {max_blocks})"))
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"{where}[{i}]"
        if not isinstance(block, Mapping):
            out.append(Problem(error, f"{path} is not an object"))
            continue
        try:
            key = json.dumps(block, sort_keys=True)
        except (TypeError, ValueError):
            out.append(Problem(error, f"{path} is not JSON-serialisable"))
            continue
        out.extend(_one_block_problems(key, path, error))
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_ids:
                out.append(Problem(error, f"{path} repeats block_id {block_id!r}"))
            seen_ids.add(block_id)
    return out


@lru_cache(maxsize=8192)
def _one_block_problems(block_json: str, path: str, error: str) -> tuple[Problem, ...]:
    """Model rebuild + limits of one block; cached because the bot sends the same blocks again and again."""
    block = json.loads(block_json)
    out: list[Problem] = []
    try:
        model = Block.parse(block)
    except (TypeError, ValueError, SlackObjectFormationError) as exc:
        out.append(Problem(error, f"{path} ({block.get('type')!r}) cannot be built: {exc}"))
        model = None
    else:
        if model is None:
            out.append(Problem(error, f"{path} has unknown block type {block.get('type')!r}"))
    if model is not None:
        try:
            rebuilt = model.to_dict()
        except SlackObjectFormationError as exc:
            out.append(Problem(error, f"{path} ({block.get('type')}) rejected by slack_sdk: {exc}"))
        except Exception as exc:  # a malformed nested element can fail in many ways
            out.append(Problem(error, f"{path} ({block.get('type')}) cannot be serialised: {exc!r}"))
        else:
            out.extend(Problem(error, d) for d in dropped_keys(block, rebuilt, path))
    out.extend(_limits(block, path, error))
    return tuple(out)


def blocks_json_length(blocks: Any) -> int:
    """Length of the blocks as compact JSON, the measure behind msg_blocks_too_long."""
    return len(json.dumps(blocks, separators=(",", ":"), ensure_ascii=False))


def message_problems(args: Mapping[str, Any], *, require_text: bool = True) -> list[Problem]:
    """Problems of a message payload (chat.postMessage / postEphemeral / update, response_url bodies)."""
    out: list[Problem] = []
    text = args.get("text")
    blocks = args.get("blocks")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        out.append(Problem("msg_too_long", f"text is {len(text)} chars (keep under {MESSAGE_TEXT_MAX})"))
    if blocks is not None:
        out.extend(block_problems(blocks, where="blocks", error="invalid_blocks", max_blocks=MESSAGE_MAX_BLOCKS))
        size = blocks_json_length(blocks)
        if size > MESSAGE_BLOCKS_JSON_MAX:
            out.append(
                Problem(
                    "msg_blocks_too_long", f"blocks are {size} chars of JSON (keep under {MESSAGE_BLOCKS_JSON_MAX})"
                )
            )
        if require_text and (not isinstance(text, str) or not text.strip()):
            out.append(
                Problem(
                    "no_text",
                    "a message with blocks needs a non-empty top-level `text` fallback (notifications, screen readers)",
                )
            )
    elif require_text and not any(
        (isinstance(text, str) and text.strip(), args.get("attachments"), args.get("markdown_text"))
    ):
        out.append(Problem("no_text", "message has no text, markdown_text, blocks or attachments"))
    markdown = args.get("markdown_text")
    if isinstance(markdown, str) and len(markdown) > MARKDOWN_TEXT_MAX:
        out.append(Problem("msg_too_long", f"markdown_text is {len(markdown)} chars (max {MARKDOWN_TEXT_MAX})"))
    return out


def chunk_problems(chunks: Any, *, where: str = "chunks") -> list[Problem]:
    """Streaming chunks must be known chunk types; markdown chunks within the per-call limit; blocks valid."""
    if not isinstance(chunks, list):
        return [Problem("invalid_chunks", f"{where} must be an array, got {type(chunks).__name__}")]
    out: list[Problem] = []
    for i, chunk in enumerate(chunks):
        path = f"{where}[{i}]"
        if not isinstance(chunk, Mapping) or Chunk.parse(dict(chunk)) is None:
            out.append(Problem("invalid_chunks", f"{path} is not a known chunk: {chunk!r:.120}"))
            continue
        if chunk.get("type") == "markdown_text":
            text = chunk.get("text")
            if not isinstance(text, str):
                out.append(Problem("invalid_chunks", f"{path} markdown_text chunk has no text"))
            elif len(text) > MARKDOWN_TEXT_MAX:
                out.append(Problem("msg_too_long", f"{path} is {len(text)} chars (max {MARKDOWN_TEXT_MAX} per call)"))
        elif chunk.get("type") == "blocks":
            out.extend(block_problems(chunk.get("blocks"), where=f"{path}.blocks", error="invalid_blocks"))
    return out


@lru_cache(maxsize=1024)
def _view_top_problems(top_json: str, error: str) -> tuple[Problem, ...]:
    """``View(**v).to_dict()`` on the view's own fields (blocks are checked, and cached, one by one)."""
    top = json.loads(top_json)
    try:
        # One stand-in block: View insists on 1..100 blocks; the real ones are checked by block_problems.
        rebuilt = View(**{**top, "blocks": [{"type": "divider"}]}).to_dict()
    except SlackObjectFormationError as exc:
        return (Problem(error, f"view rejected by slack_sdk: {exc}"),)
    except Exception as exc:
        return (Problem(error, f"view cannot be built with slack_sdk.models.views.View: {exc!r}"),)
    return tuple(Problem(error, d) for d in dropped_keys(top, rebuilt, "view"))


def view_problems(view: Any, *, error: str = "invalid_arguments") -> list[Problem]:
    """Rebuild a modal / home view with ``View(**v).to_dict()`` and check what the model leaves to Slack."""
    if not isinstance(view, Mapping):
        return [Problem(error, f"view must be an object, got {type(view).__name__}")]
    out: list[Problem] = []
    vtype = view.get("type")
    if vtype not in ("modal", "home"):
        out.append(Problem(error, f"view.type must be 'modal' or 'home', got {vtype!r}"))
    top = {k: v for k, v in view.items() if k != "blocks"}
    try:
        out.extend(_view_top_problems(json.dumps(top, sort_keys=True), error))
    except (TypeError, ValueError):
        out.append(Problem(error, "view is not JSON-serialisable"))
    blocks = view.get("blocks")
    if blocks is None:
        out.append(Problem(error, "view.blocks is required"))
    else:
        out.extend(block_problems(blocks, where="view.blocks", error=error, max_blocks=VIEW_MAX_BLOCKS))
    for key in ("title", "submit", "close"):
        text = _text(view.get(key))
        if text is not None and len(text) > VIEW_TITLE_MAX:
            out.append(Problem(error, f"view.{key} is {len(text)} chars (max {VIEW_TITLE_MAX})"))
    if vtype == "modal":
        if view.get("title") is None:
            out.append(Problem(error, "a modal needs a title"))
        has_input = isinstance(blocks, list) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            out.append(Problem(error, "a modal with input blocks needs a submit button"))
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > PRIVATE_METADATA_MAX:
        out.append(Problem(error, f"view.private_metadata is {len(metadata)} chars (max {PRIVATE_METADATA_MAX})"))
    callback_id = view.get("callback_id")
    if isinstance(callback_id, str) and len(callback_id) > CALLBACK_ID_MAX:
        out.append(Problem(error, f"view.callback_id is {len(callback_id)} chars (max {CALLBACK_ID_MAX})"))
    return out
