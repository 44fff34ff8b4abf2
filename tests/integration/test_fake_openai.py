"""The fake OpenAI server, exercised with the real ``openai.AsyncOpenAI`` client (openai-python 3.x, httpx2).

These tests pin down that the fake speaks OpenAI's protocol as the SDK understands it (so engine tests built on
it mean something), that its responses match OpenAI's published response schemas (so it cannot drift), and that
its checks catch what OpenAI would reject. They also record the SDK behaviours the engine relies on: which
exceptions ``parse()`` / ``stream()`` raise, and how the retry loop treats ``retry-after`` and timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pydantic
import pytest
from pydantic import BaseModel

from tests.conftest import require_shared
from tests.fakes.openai_api import (
    CHUNK_SCHEMA,
    ERROR_SCHEMA,
    OPENAPI_FILE,
    REQUEST_SCHEMA,
    RESPONSE_SCHEMA,
    Answer,
    FakeOpenAI,
    OpenAISpec,
    example_for_schema,
    json_schema_of,
    openapi_to_2020_12,
    strict_schema_problems,
)

MODEL = "gpt-4o-mini"
MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You write scaling roadmaps."},
    {"role": "user", "content": "Items: ITEM-1, ITEM-7. Our servers fall over when users arrive."},
]


class Step(BaseModel):
    item_id: str
    action: str
    effort_days: int


class Roadmap(BaseModel):
    summary: str
    steps: list[Step]
    risk: str | None


ROADMAP = {
    "summary": "Cache, then scale out.",
    "steps": [{"item_id": "ITEM-1", "action": "Add a read cache", "effort_days": 3}],
    "risk": None,
}


def spec_dir() -> Path:
    """The folder of OpenAI's OpenAPI description, or skip (a failure under SCALE_REVIEW_CI=1)."""
    return require_shared(f"openai-openapi/{OPENAPI_FILE}").parent


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def spec_fake() -> AsyncIterator[FakeOpenAI]:
    """A fake that must check requests against OpenAI's spec (skips where the spec is absent)."""
    async with FakeOpenAI(spec_dir=spec_dir(), require_spec=True) as server:
        yield server


@pytest.fixture
def spec() -> OpenAISpec:
    return OpenAISpec.load(spec_dir())


_OPEN_CLIENTS: list[openai.AsyncOpenAI] = []


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    """Close the test's clients on its own loop (a client closed by the GC after the loop is gone logs errors)."""
    yield
    while _OPEN_CLIENTS:
        await _OPEN_CLIENTS.pop().close()


def client(fake: FakeOpenAI, *, track: bool = True, **kwargs: Any) -> openai.AsyncOpenAI:
    """A real AsyncOpenAI on the fake; no retries and a 10 s timeout unless the test says otherwise."""
    options: dict[str, Any] = {"max_retries": 0, "timeout": 10.0}
    options.update(kwargs)
    made = fake.async_client(**options)
    if track:
        _OPEN_CLIENTS.append(made)
    return made


async def parse(c: openai.AsyncOpenAI, model: type[BaseModel] = Roadmap, **kwargs: Any) -> Any:
    return await c.chat.completions.parse(model=MODEL, messages=MESSAGES, response_format=model, **kwargs)


def strict_format(schema: dict[str, Any], name: str = "Hand") -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


# ----------------------------------------------------------------------------- structured output, happy paths


async def test_parse_returns_parsed_model_and_the_request_is_clean(spec_fake: FakeOpenAI) -> None:
    spec_fake.respond_with(ROADMAP, usage=(120, 30, 64))
    completion = await parse(client(spec_fake))

    message = completion.choices[0].message
    assert message.parsed == Roadmap.model_validate(ROADMAP)
    assert message.refusal is None
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (120, 30)
    assert completion.usage.total_tokens == 150
    assert completion.usage.prompt_tokens_details.cached_tokens == 64
    assert completion.model == MODEL

    request = spec_fake.last()
    assert request.status == 200 and not request.stream
    assert request.body["messages"] == MESSAGES
    assert "authorization" not in request.headers
    assert request.headers["x-stainless-helper-method"] == "chat.completions.parse"
    schema = spec_fake.json_schema_of()
    assert schema is not None and schema == request.json_schema == json_schema_of(request.body)
    assert schema["additionalProperties"] is False and schema["required"] == ["summary", "steps", "risk"]
    assert strict_schema_problems(schema) == []
    spec_fake.assert_clean()


async def test_stream_helper_emits_deltas_done_and_final_completion_with_usage(spec_fake: FakeOpenAI) -> None:
    spec_fake.chunk_size = 5
    spec_fake.respond_with(ROADMAP, usage=(50, 20, 10))
    c = client(spec_fake)
    events: list[str] = []
    deltas: list[str] = []
    done: list[Any] = []
    async with c.chat.completions.stream(
        model=MODEL, messages=MESSAGES, response_format=Roadmap, stream_options={"include_usage": True}
    ) as stream:
        async for event in stream:
            events.append(event.type)
            if event.type == "content.delta":
                deltas.append(event.delta)
            elif event.type == "content.done":
                done.append(event.parsed)
        final = await stream.get_final_completion()

    text = json.dumps(ROADMAP)
    assert "".join(deltas) == text
    assert len([d for d in deltas if d]) == -(-len(text) // 5)  # split into chunk_size pieces
    assert done == [Roadmap.model_validate(ROADMAP)]
    assert events.index("content.done") > max(i for i, e in enumerate(events) if e == "content.delta")
    assert final.choices[0].message.parsed == Roadmap.model_validate(ROADMAP)
    assert final.choices[0].finish_reason == "stop"
    assert final.usage is not None and final.usage.total_tokens == 70
    assert final.usage.prompt_tokens_details.cached_tokens == 10
    assert spec_fake.last().stream
    spec_fake.assert_clean()


async def test_stream_without_include_usage_has_no_usage(fake: FakeOpenAI) -> None:
    """The ``stream()`` helper does not ask for usage itself: the engine must pass ``stream_options``."""
    fake.respond_with(ROADMAP)
    async with client(fake).chat.completions.stream(model=MODEL, messages=MESSAGES, response_format=Roadmap) as s:
        final = await s.get_final_completion()
    assert final.usage is None
    assert "stream_options" not in fake.last().body


async def test_answer_function_builds_the_answer_from_the_request(fake: FakeOpenAI) -> None:
    def echo_items(body: dict[str, Any]) -> dict[str, Any]:
        prompt = " ".join(m["content"] for m in body["messages"])
        ids = [word.strip(".,") for word in prompt.split() if word.startswith("ITEM-")]
        steps = [{"item_id": i, "action": f"fix {i}", "effort_days": 1} for i in ids]
        return {"summary": "echo", "steps": steps, "risk": None}

    fake.respond_with(echo_items)
    completion = await parse(client(fake))
    assert [s.item_id for s in completion.choices[0].message.parsed.steps] == ["ITEM-1", "ITEM-7"]
    assert "ITEM-7" in fake.last().prompt_text

    fake.set_default(lambda body: Answer.refusal("default refusal") if "refuse" in str(body) else echo_items(body))
    again = await parse(client(fake))
    assert again.choices[0].message.parsed is not None
    fake.assert_clean()


async def test_unscripted_request_gets_a_minimal_instance_of_its_schema(fake: FakeOpenAI) -> None:
    completion = await parse(client(fake))
    assert completion.choices[0].message.parsed == Roadmap(summary="", steps=[], risk=None)
    plain = await client(fake).chat.completions.create(model=MODEL, messages=MESSAGES)
    assert plain.choices[0].message.content == "OK"
    fake.assert_clean()


# ----------------------------------------------------------------------------- refusals and broken output


async def test_refusal_surfaces_as_message_refusal_and_parse_does_not_raise(fake: FakeOpenAI) -> None:
    fake.refuse("I'm sorry, I can't help with that.")
    completion = await parse(client(fake))
    message = completion.choices[0].message
    assert message.refusal == "I'm sorry, I can't help with that."
    assert message.content is None
    assert message.parsed is None
    assert completion.choices[0].finish_reason == "stop"


async def test_streamed_refusal_arrives_as_refusal_events(fake: FakeOpenAI) -> None:
    fake.refuse("No can do.")
    kinds: list[str] = []
    async with client(fake).chat.completions.stream(model=MODEL, messages=MESSAGES, response_format=Roadmap) as s:
        async for event in s:
            kinds.append(event.type)
        final = await s.get_final_completion()
    assert "refusal.delta" in kinds and "refusal.done" in kinds and "content.done" not in kinds
    assert final.choices[0].message.refusal == "No can do."
    assert final.choices[0].message.parsed is None


async def test_malformed_json_makes_parse_raise_pydantic_validation_error(fake: FakeOpenAI) -> None:
    fake.malformed('{"summary": "half')
    with pytest.raises(pydantic.ValidationError) as caught:
        await parse(client(fake))
    assert caught.value.errors()[0]["type"] == "json_invalid"
    fake.assert_clean()  # malformed output is a scripted fault, not a violation


async def test_malformed_json_in_a_stream_raises_while_iterating(fake: FakeOpenAI) -> None:
    """Streaming parses partial JSON on every delta (jiter): non-JSON fails at once with a plain ValueError;
    JSON that breaks off fails at ``content.done`` with pydantic's ValidationError (a ValueError subclass)."""
    fake.malformed("not json at all")
    with pytest.raises(ValueError, match="expected ident") as caught:
        async with client(fake).chat.completions.stream(model=MODEL, messages=MESSAGES, response_format=Roadmap) as s:
            async for _ in s:
                pass
    assert not isinstance(caught.value, pydantic.ValidationError)

    fake.malformed('{"summary": "half')
    seen: list[str] = []
    with pytest.raises(pydantic.ValidationError):
        async with client(fake).chat.completions.stream(model=MODEL, messages=MESSAGES, response_format=Roadmap) as s:
            async for event in s:
                seen.append(event.type)
    assert "content.delta" in seen


async def test_truncated_output_raises_length_finish_reason_error(fake: FakeOpenAI) -> None:
    fake.truncated('{"summary": "Cache, then', usage=(10, 4096))
    with pytest.raises(openai.LengthFinishReasonError) as caught:
        await parse(client(fake))
    assert caught.value.completion.choices[0].finish_reason == "length"
    assert caught.value.completion.usage is not None and caught.value.completion.usage.completion_tokens == 4096

    # Streamed, the error is raised while iterating, at the finish chunk, before the usage chunk arrives:
    # a truncated stream's tokens cannot be accounted from the exception.
    fake.truncated('{"summary": "Cache')
    with pytest.raises(openai.LengthFinishReasonError) as streamed:
        async with client(fake).chat.completions.stream(
            model=MODEL, messages=MESSAGES, response_format=Roadmap, stream_options={"include_usage": True}
        ) as s:
            async for _ in s:
                pass
    assert streamed.value.completion.usage is None


async def test_content_filter_finish_reason_raises(fake: FakeOpenAI) -> None:
    fake.respond_with(ROADMAP, finish_reason="content_filter")
    with pytest.raises(openai.ContentFilterFinishReasonError):
        await parse(client(fake))


async def test_scripted_answer_off_the_schema_is_a_violation(fake: FakeOpenAI) -> None:
    """A strict schema cannot yield this, so the test scripting it would test an impossible case."""
    fake.respond_with({"summary": "x", "steps": []})
    with pytest.raises(pydantic.ValidationError):
        await parse(client(fake))
    assert any("does not match the request's JSON schema" in v and "'risk'" in v for v in fake.violations)
    with pytest.raises(AssertionError, match="violation"):
        fake.assert_clean()


# ----------------------------------------------------------------------------- errors, retries, timeouts


async def test_429_with_retry_after_is_retried_after_that_wait(fake: FakeOpenAI) -> None:
    fake.fail(429, retry_after=1.2)
    fake.respond_with(ROADMAP)
    completion = await parse(client(fake, max_retries=2))
    assert completion.choices[0].message.parsed is not None
    first, second = fake.requests()
    assert (first.status, second.status) == (429, 200)
    # The SDK's own backoff for a first retry is at most 0.5 s; waiting >= 1.2 s proves the header was used.
    assert second.at - first.at >= 1.15
    assert second.headers["x-stainless-retry-count"] == "1"
    fake.assert_clean()


async def test_retry_after_ms_is_preferred_over_retry_after(fake: FakeOpenAI) -> None:
    fake.fail(429, retry_after=30, retry_after_ms=700)
    fake.respond_with(ROADMAP)
    started = time.monotonic()
    await parse(client(fake, max_retries=1))
    first, second = fake.requests()
    assert second.at - first.at >= 0.65 and time.monotonic() - started < 10


async def test_500_then_success_is_retried(fake: FakeOpenAI) -> None:
    fake.fail(500)
    fake.respond_with(ROADMAP)
    completion = await parse(client(fake, max_retries=2))
    assert completion.choices[0].message.parsed == Roadmap.model_validate(ROADMAP)
    assert [r.status for r in fake.requests()] == [500, 200]


async def test_500_without_retries_raises_internal_server_error_in_openai_shape(fake: FakeOpenAI) -> None:
    fake.fail(500, "boom", code="server_oops")
    with pytest.raises(openai.InternalServerError) as caught:
        await parse(client(fake, max_retries=0))
    error = caught.value
    assert error.status_code == 500
    assert error.body == {"message": "boom", "type": "server_error", "param": None, "code": "server_oops"}
    assert error.code == "server_oops" and error.type == "server_error"
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert len(fake.requests()) == 1


async def test_x_should_retry_false_stops_the_sdk_from_retrying(fake: FakeOpenAI) -> None:
    fake.fail(503, should_retry=False)
    with pytest.raises(openai.InternalServerError):
        await parse(client(fake, max_retries=2))
    assert len(fake.requests()) == 1


async def test_retry_after_above_two_minutes_is_not_retried_at_all(fake: FakeOpenAI) -> None:
    """openai-python 3.x gives up at once (RateLimitError) rather than waiting or falling back to backoff."""
    fake.fail(429, retry_after=600, times=3)
    started = time.monotonic()
    with pytest.raises(openai.RateLimitError) as caught:
        await parse(client(fake, max_retries=2))
    assert time.monotonic() - started < 5
    assert len(fake.requests()) == 1
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.response.headers["retry-after"] == "600"


async def test_hang_past_the_client_timeout_raises_api_timeout_error(fake: FakeOpenAI) -> None:
    fake.hang(5)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        await parse(client(fake, max_retries=0, timeout=0.5))
    assert time.monotonic() - started < 3


async def test_timeouts_are_retried_like_server_errors(fake: FakeOpenAI) -> None:
    fake.hang(5)
    fake.respond_with(ROADMAP)
    completion = await parse(client(fake, max_retries=1, timeout=0.5))
    assert completion.choices[0].message.parsed is not None
    assert [r.answer for r in fake.requests()] == ["hang", "content"]


async def test_wrong_api_key_raises_authentication_error_and_is_not_a_violation(fake: FakeOpenAI) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        await parse(client(fake, api_key="sk-wrong-key-123456"))
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert "sk-wrong-key-123456" not in str(caught.value)  # masked like OpenAI does
    assert fake.last().status == 401 and fake.pending == 0
    fake.assert_clean()


async def test_wrong_path_is_a_violation(fake: FakeOpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        await client(fake).responses.create(model=MODEL, input="hi")
    assert any("/v1/responses" in v for v in fake.violations)


# ----------------------------------------------------------------------------- request validation


async def test_strict_schema_without_additional_properties_false_is_rejected(fake: FakeOpenAI) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    with pytest.raises(openai.BadRequestError) as caught:
        await client(fake).chat.completions.create(
            model=MODEL, messages=MESSAGES, response_format=strict_format(schema)
        )
    assert caught.value.status_code == 400
    assert caught.value.param == "response_format"
    assert "'additionalProperties' is required to be supplied and to be false" in caught.value.message
    assert fake.last().status == 400 and fake.last().answer == "rejected"
    assert len(fake.violations) == 1 and "In context=()" in fake.violations[0]
    with pytest.raises(AssertionError, match="additionalProperties"):
        fake.assert_clean()


async def test_strict_schema_with_a_missing_required_key_is_rejected(fake: FakeOpenAI) -> None:
    fake.respond_with({"a": "x"})  # stays queued: a rejected request consumes no scripted answer
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    with pytest.raises(openai.BadRequestError, match="Missing 'b'"):
        await client(fake).chat.completions.create(
            model=MODEL, messages=MESSAGES, response_format=strict_format(schema)
        )
    assert fake.pending == 1
    assert fake.json_schema_of() == schema


async def test_pydantic_default_values_reach_the_api_and_are_rejected(fake: FakeOpenAI) -> None:
    """openai-python only strips ``default: None``; a field like ``limit: int = 3`` sends ``"default": 3``."""

    class WithDefaults(BaseModel):
        limit: int = 3
        tags: dict[str, str]

    with pytest.raises(openai.BadRequestError):
        await parse(client(fake), model=WithDefaults)
    text = "\n".join(fake.violations)
    assert "In context=('properties', 'limit'), 'default' is not permitted." in text
    assert "In context=('properties', 'tags'), 'additionalProperties' is required" in text


async def test_non_strict_schema_is_not_held_to_strict_rules(fake: FakeOpenAI) -> None:
    loose = {"type": "json_schema", "json_schema": {"name": "Loose", "schema": {"type": "object"}}}
    completion = await client(fake).chat.completions.create(model=MODEL, messages=MESSAGES, response_format=loose)
    assert json.loads(completion.choices[0].message.content or "") == {}
    fake.assert_clean()


async def test_unknown_top_level_field_is_rejected_by_the_spec_check(spec_fake: FakeOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await parse(client(spec_fake), extra_body={"temperatur": 0.2})
    assert caught.value.code == "unknown_parameter" and caught.value.param == "temperatur"
    assert any("Unknown parameter: 'temperatur'" in v for v in spec_fake.violations)


async def test_spec_check_rejects_bad_values_and_accepts_nullable_ones(spec_fake: FakeOpenAI) -> None:
    c = client(spec_fake)
    with pytest.raises(openai.BadRequestError) as caught:
        await c.chat.completions.create(model=MODEL, messages=MESSAGES, temperature=7)
    assert caught.value.param == "temperature"
    spec_fake.reset()
    # `nullable: true` in the spec (OpenAPI 3.0 style): null must be accepted, as the API does.
    await c.chat.completions.create(
        model=MODEL, messages=MESSAGES, max_completion_tokens=None, seed=None, stop=None, n=None
    )
    spec_fake.assert_clean()


async def test_missing_spec_turns_the_spec_check_off_or_fails_when_required(tmp_path: Path) -> None:
    async with FakeOpenAI(spec_dir=tmp_path) as server:
        assert not server.contract_checked
        await client(server).chat.completions.create(model=MODEL, messages=MESSAGES, extra_body={"whatever": 1})
        server.assert_clean()
    with pytest.raises(FileNotFoundError):
        FakeOpenAI(spec_dir=tmp_path, require_spec=True)


# ----------------------------------------------------------------------------- strict rules (no server)


OK_OBJECT = {
    "type": "object",
    "properties": {"a": {"type": "string"}},
    "required": ["a"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(OK_OBJECT, [], id="ok"),
        pytest.param(
            {"anyOf": [OK_OBJECT, OK_OBJECT]},
            ["the root schema must not be 'anyOf'", 'type: "object"'],
            id="root-anyof",
        ),
        pytest.param({"type": "array", "items": OK_OBJECT}, ['type: "object"'], id="root-array"),
        pytest.param(
            {**OK_OBJECT, "properties": {"a": {"type": "string", "default": "x"}}},
            ["In context=('properties', 'a'), 'default' is not permitted."],
            id="default",
        ),
        pytest.param(
            {**OK_OBJECT, "properties": {"a": {"type": "string", "minLength": 2}}},
            ["'minLength' is not permitted"],
            id="minLength",
        ),
        pytest.param(
            {**OK_OBJECT, "properties": {"a": {"allOf": [{"type": "string"}]}}},
            ["'allOf' is not permitted", "must have a 'type' key"],
            id="allOf",
        ),
        pytest.param(
            {**OK_OBJECT, "properties": {"a": {"type": "string", "format": "uri"}}},
            ["format 'uri' is not supported"],
            id="format",
        ),
        pytest.param(
            {
                **OK_OBJECT,
                "properties": {
                    "a": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}}
                },
            },
            [
                "In context=('properties', 'a', 'items'), 'additionalProperties' is required",
                "In context=('properties', 'a', 'items'), 'required' is required",
            ],
            id="nested-items",
        ),
        pytest.param(
            {
                **OK_OBJECT,
                "properties": {"a": {"anyOf": [{"type": "null"}, {"type": "object", "properties": {}}]}},
            },
            ["In context=('properties', 'a', 'anyOf', '1'), 'additionalProperties'"],
            id="nested-anyof",
        ),
        pytest.param(
            {
                **OK_OBJECT,
                "properties": {"a": {"$ref": "#/$defs/thing"}},
                "$defs": {"thing": {"type": "object", "properties": {"y": {"type": "string"}}, "required": []}},
            },
            ["In context=('$defs', 'thing'), 'additionalProperties'", "Missing 'y'"],
            id="defs",
        ),
        pytest.param(
            {**OK_OBJECT, "properties": {"a": {"$ref": "#/$defs/missing"}}},
            ["can't be resolved"],
            id="dangling-ref",
        ),
        pytest.param(
            {
                **OK_OBJECT,
                "properties": {"a": {"$ref": "#/$defs/s", "description": "d"}},
                "$defs": {"s": {"type": "string"}},
            },
            ["$ref cannot have keywords"],
            id="ref-siblings",
        ),
        pytest.param({**OK_OBJECT, "required": ["a", "zzz"]}, ["Extra required key 'zzz'"], id="extra-required"),
        pytest.param(
            {**OK_OBJECT, "properties": {"a": {"type": "string", "enum": [f"v{i}" for i in range(1001)]}}},
            ["1001 enum values"],
            id="enum-size",
        ),
    ],
)
def test_strict_schema_rules(schema: dict[str, Any], expected: list[str]) -> None:
    problems = strict_schema_problems(schema)
    if not expected:
        assert problems == []
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)


def test_strict_rules_accept_the_documented_examples() -> None:
    recursive = {
        "type": "object",
        "properties": {
            "linked_list": {"$ref": "#/$defs/node"},
            "when": {"type": "string", "format": "date-time"},
            "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}, "minItems": 1},
            "ui": {"type": "array", "items": {"$ref": "#"}},
        },
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "value": {"type": "number"},
                    "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]},
                },
                "additionalProperties": False,
                "required": ["next", "value"],
            }
        },
        "additionalProperties": False,
        "required": ["linked_list", "when", "score", "tags", "ui"],
    }
    assert strict_schema_problems(recursive) == []
    assert strict_schema_problems({**OK_OBJECT, "examples": []}, extra_keywords=["examples"]) == []


def test_strict_rules_limit_nesting_depth() -> None:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(11):
        node = {"type": "object", "properties": {"x": node}, "required": ["x"], "additionalProperties": False}
    assert any("11 levels" in p for p in strict_schema_problems(node))


def test_example_for_schema_is_valid_for_pydantic_models() -> None:
    from openai.lib._pydantic import to_strict_json_schema

    schema = to_strict_json_schema(Roadmap)
    assert Roadmap.model_validate(example_for_schema(schema)) == Roadmap(summary="", steps=[], risk=None)


# ----------------------------------------------------------------------------- the spec and the fake's shapes


def test_openapi_leftovers_are_rewritten_for_2020_12() -> None:
    assert openapi_to_2020_12({"type": "integer", "nullable": True}) == {"type": ["integer", "null"]}
    assert openapi_to_2020_12({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert openapi_to_2020_12({"$ref": "#/x", "nullable": True}) == {"anyOf": [{"$ref": "#/x"}, {"type": "null"}]}
    assert openapi_to_2020_12({"allOf": [{"$ref": "#/x"}, {"nullable": True}]}) == {
        "anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]
    }
    assert openapi_to_2020_12({"type": "number", "minimum": 0, "exclusiveMinimum": True}) == {
        "type": "number",
        "exclusiveMinimum": 0,
    }


def test_spec_loading_is_cached(spec: OpenAISpec) -> None:
    started = time.perf_counter()
    again = OpenAISpec.load(spec_dir())
    assert again is spec and time.perf_counter() - started < 0.05
    assert spec.validator(REQUEST_SCHEMA) is spec.validator(REQUEST_SCHEMA)
    assert {"model", "messages", "response_format", "stream_options"} <= spec.known_properties(REQUEST_SCHEMA)


async def post(fake: FakeOpenAI, body: dict[str, Any], key: str | None = None) -> aiohttp.ClientResponse:
    session = aiohttp.ClientSession()
    try:
        response = await session.post(
            f"{fake.base_url}/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {key or fake.api_key}"},
        )
        await response.read()
        return response
    finally:
        await session.close()


def sse_payloads(raw: str) -> list[str]:
    return [line[len("data: ") :] for line in raw.split("\n") if line.startswith("data: ")]


@pytest.mark.parametrize("kind", ["content", "refusal", "truncated"])
async def test_responses_match_openais_response_schemas(spec_fake: FakeOpenAI, spec: OpenAISpec, kind: str) -> None:
    def script() -> None:
        if kind == "content":
            spec_fake.respond_with(ROADMAP)
        elif kind == "refusal":
            spec_fake.refuse("no")
        else:
            spec_fake.truncated('{"summary": "')

    body = {"model": MODEL, "messages": MESSAGES, "n": 2}
    script()
    response = await post(spec_fake, body)
    completion = json.loads(await response.text())
    assert response.status == 200
    assert spec.problems(completion, RESPONSE_SCHEMA) == []
    assert len(completion["choices"]) == 2
    assert completion["choices"][0]["message"]["annotations"] == []
    assert completion["usage"]["completion_tokens_details"]["reasoning_tokens"] == 0

    script()
    response = await post(spec_fake, {**body, "stream": True, "stream_options": {"include_usage": True}})
    assert response.headers["Content-Type"].startswith("text/event-stream")
    payloads = sse_payloads(await response.text())
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    for chunk in chunks:
        assert spec.problems(chunk, CHUNK_SCHEMA) == []
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])
    assert len({c["id"] for c in chunks}) == 1
    finishes = [c["choices"][0]["finish_reason"] for c in chunks[:-1] if c["choices"][0]["finish_reason"]]
    assert finishes == ["length" if kind == "truncated" else "stop"] * 2
    spec_fake.assert_clean()


async def test_error_bodies_match_openais_error_schema(spec_fake: FakeOpenAI, spec: OpenAISpec) -> None:
    spec_fake.fail(429, retry_after=1)
    response = await post(spec_fake, {"model": MODEL, "messages": MESSAGES})
    assert response.status == 429 and response.headers["retry-after"] == "1"
    assert spec.problems(json.loads(await response.text()), ERROR_SCHEMA) == []
    response = await post(spec_fake, {"model": MODEL, "messages": MESSAGES}, key="sk-nope")
    assert response.status == 401
    assert spec.problems(json.loads(await response.text()), ERROR_SCHEMA) == []
    response = await post(spec_fake, {"model": MODEL})
    assert response.status == 400
    error = json.loads(await response.text())
    assert spec.problems(error, ERROR_SCHEMA) == [] and error["error"]["code"] == "missing_required_parameter"


def test_requests_the_sdk_sends_match_the_request_schema(spec: OpenAISpec) -> None:
    from openai.lib._parsing._completions import type_to_response_format_param

    body = {
        "model": MODEL,
        "messages": MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
        "response_format": type_to_response_format_param(Roadmap),
    }
    assert spec.request_problems(body) == []


# ----------------------------------------------------------------------------- concurrency and threading


async def test_slow_streaming_requests_run_concurrently(fake: FakeOpenAI) -> None:
    fake.set_default(Answer.content(ROADMAP, delay=1.0))
    c = client(fake)

    async def one() -> Roadmap:
        async with c.chat.completions.stream(
            model=MODEL, messages=MESSAGES, response_format=Roadmap, stream_options={"include_usage": True}
        ) as stream:
            final = await stream.get_final_completion()
        assert final.usage is not None
        return final.choices[0].message.parsed

    started = time.monotonic()
    results = await asyncio.gather(*(one() for _ in range(20)))
    elapsed = time.monotonic() - started
    assert results == [Roadmap.model_validate(ROADMAP)] * 20
    assert elapsed < 4, f"20 requests with a 1 s delay took {elapsed:.1f}s: the fake serialises them"
    await fake.wait_for_requests_async(20, timeout=1)
    fake.assert_clean()


def test_sync_context_manager_and_waiting_from_another_thread() -> None:
    with FakeOpenAI() as server:
        server.respond_with(ROADMAP, delay=0.2)
        result: dict[str, Any] = {}

        def call() -> None:
            async def go() -> None:
                async with client(server, track=False) as c:
                    result["parsed"] = (await parse(c)).choices[0].message.parsed

            asyncio.run(go())

        worker = threading.Thread(target=call)
        worker.start()
        recorded = server.wait_for_requests(1, timeout=5)
        worker.join(5)
        assert recorded[0].answer == "content"
        assert result["parsed"] == Roadmap.model_validate(ROADMAP)
        with pytest.raises(AssertionError, match="waited"):
            server.wait_for_requests(2, timeout=0.1)
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    with pytest.raises(RuntimeError):
        _ = server.port


async def test_wait_for_requests_refuses_to_block_a_running_loop(fake: FakeOpenAI) -> None:
    with pytest.raises(RuntimeError, match="wait_for_requests_async"):
        fake.wait_for_requests(1)
    with pytest.raises(AssertionError, match="waited"):
        await fake.wait_for_requests_async(1, timeout=0.1)


def test_stop_ends_pending_hangs_quickly() -> None:
    server = FakeOpenAI().start()
    server.hang(60)

    def call() -> None:
        async def go() -> None:
            async with client(server, track=False, timeout=30) as c:
                with contextlib.suppress(openai.APIError):
                    await c.chat.completions.create(model=MODEL, messages=MESSAGES)

        asyncio.run(go())

    worker = threading.Thread(target=call)
    worker.start()
    server.wait_for_requests(1, timeout=5)
    started = time.monotonic()
    server.stop()
    worker.join(10)
    assert time.monotonic() - started < 5 and not worker.is_alive()
