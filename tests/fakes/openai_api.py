"""A fake OpenAI Chat Completions server: real HTTP, OpenAI's wire format and errors, and a contract check.

Why a server and not a mock: openai-python 3.x sends HTTP through ``httpx2``, so mocks written for ``httpx``
(respx, pytest-httpx) never see its requests, and patching the client would skip what we most need to test:
the SDK's own request encoding, retry loop (``retry-after``, ``retry-after-ms``, ``x-should-retry``), timeouts,
SSE parsing and the ``parse()`` / ``stream()`` helpers. Pointing ``AsyncOpenAI(base_url=fake.base_url)`` at
this server exercises all of it.

Every request body is checked twice, and anything OpenAI would reject lands in ``violations`` and is answered
with HTTP 400 in OpenAI's error shape, so a test that forgets to look still fails at ``assert_clean()``:

1. against OpenAI's published OpenAPI description (``shared/openai-openapi/openapi.json``, schema
   ``CreateChatCompletionRequest``) with ``jsonschema`` Draft 2020-12; unknown top-level fields are
   rejected like the real API's ``unknown_parameter`` error (the spec itself leaves them open);
2. against the Structured Outputs *strict mode* rules, which neither the spec nor the SDK enforce (see
   ``strict_schema_problems`` for the rules and where each comes from).

The server runs on its own event loop in a background thread (like ``tests.fakes.slack_api.FakeSlack``), so one
object serves async tests, synchronous code and benchmarks; delays are plain ``asyncio.sleep`` on that loop,
so hundreds of slow requests overlap instead of queueing.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import itertools
import json
import os
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.fakes._server import FakeServer

if TYPE_CHECKING:
    import openai

OPENAPI_FILE = "openapi.json"
REQUEST_SCHEMA = "CreateChatCompletionRequest"
RESPONSE_SCHEMA = "CreateChatCompletionResponse"
CHUNK_SCHEMA = "CreateChatCompletionStreamResponse"
ERROR_SCHEMA = "ErrorResponse"
CHAT_PATH = "/v1/chat/completions"
DEFAULT_API_KEY = "sk-test-fake-openai-key"
_SPEC_URI = "urn:openai:openapi.json"

# Headers that carry credentials: never recorded.
_SECRET_HEADERS = frozenset({"authorization", "api-key", "openai-api-key", "cookie"})

# --- Structured Outputs strict mode ------------------------------------------------------------------------------
# Source: OpenAI's Structured Outputs guide, "Supported schemas"
# (https://platform.openai.com/docs/guides/structured-outputs, now served from
# https://developers.openai.com/api/docs/guides/structured-outputs):
#   "Supported types": string, number, boolean, integer, object, array, enum, anyOf (+ null in type unions);
#   "Supported properties": string pattern/format (formats listed below); number multipleOf, maximum,
#     exclusiveMaximum, minimum, exclusiveMinimum; array minItems, maxItems;
#   "Root objects must not be anyOf and must be an object"; "All fields must be required";
#   "additionalProperties: false must always be set in objects"; "Definitions are supported" ($defs, $ref);
#   "Recursive schemas are supported" ($ref "#"); limits: 5000 object properties, 10 levels of nesting,
#   120,000 characters of property/definition names + enum/const values, 1000 enum values, and 15,000
#   characters for one string enum of more than 250 values;
#   "Some type-specific keywords are not yet supported": allOf, not, dependentRequired, dependentSchemas, if,
#   then, else (older revisions also listed minLength, maxLength, patternProperties, unevaluatedProperties,
#   propertyNames, minProperties, maxProperties, unevaluatedItems, contains, minContains, maxContains,
#   uniqueItems; the current one lists them only for fine-tuned models or not at all).
# Anything outside this documented subset is rejected here, which is deliberately conservative. `default` in
# particular: the API answered "In context=('properties', 'x'), 'default' is not permitted." (e.g.
# 567-labs/instructor#1074) and Azure OpenAI still does (openai/openai-agents-python#4390), while openai-python's
# to_strict_json_schema only strips `default: None`, so a pydantic field with a non-None default reaches the API.
# `$ref` with sibling keywords: the API answered "$ref cannot have keywords {...}", which is why openai-python's
# lib/_pydantic.py inlines such refs ("we can't use `$ref`s if there are also other properties defined").
STRICT_TYPES = frozenset({"string", "number", "boolean", "integer", "object", "array", "null"})
STRICT_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"})
STRICT_KEYWORDS = frozenset(
    {
        # structure and annotations
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "anyOf",
        "enum",
        "const",
        "$ref",
        "$defs",
        "definitions",
        "description",
        "title",
        # string
        "pattern",
        "format",
        # number
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        # array
        "minItems",
        "maxItems",
    }
)
STRICT_MAX_PROPERTIES = 5000
STRICT_MAX_DEPTH = 10
STRICT_MAX_STRING_CHARS = 120_000
STRICT_MAX_ENUM_VALUES = 1000
STRICT_LARGE_ENUM = 250
STRICT_LARGE_ENUM_CHARS = 15_000
# From the spec's description of ResponseFormatJsonSchema.json_schema.name.
SCHEMA_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def default_spec_dir() -> Path:
    """``<repo>/../shared/openai-openapi``, or ``$SCALE_REVIEW_SHARED_DIR/openai-openapi`` as tests/conftest.py does."""
    repo = Path(__file__).resolve().parents[2]
    shared = Path(os.environ.get("SCALE_REVIEW_SHARED_DIR", repo.parent / "shared"))
    return shared / "openai-openapi"


# ======================================================================================== OpenAPI -> JSON Schema


def openapi_to_2020_12(node: Any) -> Any:
    """A copy of an OpenAPI 3.1 document whose OpenAPI-3.0 leftovers mean in Draft 2020-12 what they mean to OpenAI.

    OpenAI's document declares 3.1 (whose schemas *are* 2020-12) but still carries 3.0 idioms that a 2020-12
    validator would silently ignore or misread:

    - ``nullable: true`` (≈100 places, e.g. ``max_completion_tokens``): ignored by 2020-12, so a ``null`` the API
      accepts would fail ``type: integer``. Rewritten to ``type: [T, "null"]`` (plus ``null`` in ``enum``) or, for
      ``$ref`` / ``oneOf`` / ``anyOf`` / ``allOf: [..., {nullable: true}]``, to ``anyOf: [<schema>, {type: null}]``.
    - boolean ``exclusiveMinimum`` / ``exclusiveMaximum`` (3.0 modifiers of ``minimum`` / ``maximum``): 2020-12
      wants the bound itself, and would compare numbers with ``True``.

    ``discriminator``, ``x-*`` and ``example`` are annotations to 2020-12 and stay; ``$ref`` with siblings is
    valid 2020-12 and needs nothing.
    """
    if isinstance(node, list):
        return [openapi_to_2020_12(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: openapi_to_2020_12(value) for key, value in node.items()}
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = out.get(exclusive)
        if isinstance(flag, bool):
            del out[exclusive]
            if flag and bound in out:
                out[exclusive] = out.pop(bound)
    all_of = node.get("allOf")
    if isinstance(all_of, list) and any(_bare_nullable(branch) for branch in all_of):
        rest = [out["allOf"][i] for i, branch in enumerate(all_of) if not _bare_nullable(branch)]
        if rest:
            out["allOf"] = rest
        else:
            del out["allOf"]
        out["nullable"] = True
    nullable = out.pop("nullable", None)
    if nullable is not True:
        return out
    kind = out.get("type")
    if isinstance(kind, str) and not any(k in out for k in ("$ref", "oneOf", "anyOf", "allOf")):
        out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    if isinstance(kind, list):
        out["type"] = [*kind, "null"] if "null" not in kind else kind
        return out
    if not any(k in out for k in ("$ref", "oneOf", "anyOf", "allOf", "enum", "const")):
        return out  # no constraint at all: null is already allowed
    return {"anyOf": [out, {"type": "null"}]}


def _bare_nullable(branch: Any) -> bool:
    return isinstance(branch, dict) and branch.get("nullable") is True and len(branch) == 1


# ============================================================================================ the spec wrapper


@dataclass(frozen=True)
class SpecProblem:
    """One way a request breaks OpenAI's spec: the message OpenAI-style, the dotted ``param`` and an error code."""

    message: str
    param: str | None
    code: str | None


class OpenAISpec:
    """OpenAI's OpenAPI document, registered as a Draft 2020-12 resource, with cached validators per schema.

    Loading parses 3.4 MB of JSON and rewrites it (``openapi_to_2020_12``); ``load()`` caches the result per
    path for the whole test session, and each named schema's validator is built once.
    """

    def __init__(self, document: Mapping[str, Any], path: Path | None = None) -> None:
        self.path = path
        self.document = openapi_to_2020_12(document)
        self.schemas: Mapping[str, Any] = self.document.get("components", {}).get("schemas", {})
        resource = DRAFT202012.create_resource(self.document)
        self.registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource).crawl()
        self._validators: dict[str, Draft202012Validator] = {}
        self._known: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def available(folder: Path | str | None = None) -> bool:
        """Whether ``openapi.json`` exists in ``folder`` (default ``default_spec_dir()``)."""
        return (Path(folder or default_spec_dir()) / OPENAPI_FILE).is_file()

    @staticmethod
    def load(folder: Path | str | None = None) -> OpenAISpec:
        """The spec in ``folder`` (default ``default_spec_dir()``), loaded once per path and process."""
        return _load_spec(str((Path(folder or default_spec_dir()) / OPENAPI_FILE).resolve()))

    def validator(self, name: str) -> Draft202012Validator:
        """A validator for ``#/components/schemas/<name>`` (built once; KeyError for an unknown name)."""
        with self._lock:
            found = self._validators.get(name)
            if found is None:
                if name not in self.schemas:
                    raise KeyError(f"{name} is not in #/components/schemas of {self.path}")
                found = Draft202012Validator(
                    {"$ref": f"{_SPEC_URI}#/components/schemas/{name}"}, registry=self.registry
                )
                self._validators[name] = found
            return found

    def errors(self, instance: Any, name: str) -> list[ValidationError]:
        """Every validation error of ``instance`` against schema ``name``, each narrowed to its most relevant cause."""
        found = []
        for error in self.validator(name).iter_errors(instance):
            found.append(best_match([error]) or error)
        return found

    def problems(self, instance: Any, name: str) -> list[str]:
        """Readable validation errors (``at <path>: <message>``); empty when ``instance`` matches ``name``."""
        return [f"at {_json_path(e)}: {e.message}" for e in self.errors(instance, name)]

    def known_properties(self, name: str) -> frozenset[str]:
        """Top-level property names of an object schema, through ``allOf`` and ``$ref``.

        The spec leaves extra properties open; the API answers them with ``unknown_parameter``, so we must too.
        """
        with self._lock:
            if name not in self._known:
                names: set[str] = set()
                self._collect_properties(self.schemas[name], names, set())
                self._known[name] = frozenset(names)
            return self._known[name]

    def _collect_properties(self, schema: Any, names: set[str], seen: set[str]) -> None:
        if not isinstance(schema, dict):
            return
        names.update(schema.get("properties", {}))
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/") and ref not in seen:
            seen.add(ref)
            self._collect_properties(self.schemas.get(ref.rsplit("/", 1)[1]), names, seen)
        for branch in schema.get("allOf", []):
            self._collect_properties(branch, names, seen)

    def request_problems(self, body: Mapping[str, Any], name: str = REQUEST_SCHEMA) -> list[SpecProblem]:
        """What OpenAI would reject in a request body: unknown top-level parameters, then schema errors."""
        out: list[SpecProblem] = []
        known = self.known_properties(name)
        for key in body:
            if key not in known:
                out.append(SpecProblem(f"Unknown parameter: '{key}'.", key, "unknown_parameter"))
        for error in self.errors(body, name):
            param = ".".join(str(p) for p in error.absolute_path) or None
            code = {"required": "missing_required_parameter", "type": "invalid_type"}.get(
                str(error.validator), "invalid_value"
            )
            where = f"'{param}'" if param else "the request body"
            out.append(SpecProblem(f"Invalid value for {where}: {error.message}", param, code))
        return out


@functools.lru_cache(maxsize=4)
def _load_spec(path: str) -> OpenAISpec:
    with open(path, encoding="utf-8") as handle:
        return OpenAISpec(json.load(handle), Path(path))


def _json_path(error: ValidationError) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


# =========================================================================================== strict-mode checks


def strict_schema_problems(schema: Any, *, extra_keywords: Iterable[str] = ()) -> list[str]:
    """Why OpenAI would refuse ``schema`` for ``strict: true`` Structured Outputs; empty when it would accept it.

    Messages follow the API's own wording (``In context=('properties', 'x'), ...``). Rules and sources are
    listed at ``STRICT_KEYWORDS`` above; in short: the root is an object (not ``anyOf``); every object — at the
    root, in ``properties``, ``items``, ``anyOf`` and ``$defs`` — has ``additionalProperties: false`` and
    ``required`` naming exactly its properties; only documented keywords (``default``, ``allOf``, ``oneOf``,
    ``minLength``, ... are refused) and formats; ``$ref`` local, resolvable and alone; the size limits.
    ``extra_keywords`` admits more keywords, for when OpenAI documents them.
    """
    return _StrictChecker(schema, STRICT_KEYWORDS | frozenset(extra_keywords)).run()


class _StrictChecker:
    def __init__(self, root: Any, allowed: frozenset[str]) -> None:
        self.root = root
        self.allowed = allowed
        self.problems: list[str] = []
        self.properties = 0
        self.enum_values = 0
        self.chars = 0
        self.deepest = 0

    def problem(self, context: tuple[str, ...], message: str) -> None:
        self.problems.append(f"In context={context!r}, {message}")

    def run(self) -> list[str]:
        root = self.root
        if not isinstance(root, dict):
            self.problem((), "schema must be a JSON object.")
            return self.problems
        if "anyOf" in root:
            self.problem((), "the root schema must not be 'anyOf'; it must be an object.")
        if root.get("type") != "object":
            self.problem((), f"schema must be a JSON Schema of 'type: \"object\"', got 'type: {root.get('type')!r}'.")
        self.walk(root, (), 1)
        if self.properties > STRICT_MAX_PROPERTIES:
            self.problem((), f"schema has {self.properties} object properties; at most {STRICT_MAX_PROPERTIES}.")
        if self.deepest > STRICT_MAX_DEPTH:
            self.problem((), f"schema nests objects {self.deepest} levels deep; at most {STRICT_MAX_DEPTH}.")
        if self.enum_values > STRICT_MAX_ENUM_VALUES:
            self.problem((), f"schema has {self.enum_values} enum values; at most {STRICT_MAX_ENUM_VALUES}.")
        if self.chars > STRICT_MAX_STRING_CHARS:
            self.problem(
                (),
                f"property names, definition names, enum and const values total {self.chars} characters;"
                f" at most {STRICT_MAX_STRING_CHARS}.",
            )
        return self.problems

    def walk(self, node: Any, ctx: tuple[str, ...], depth: int) -> None:
        if not isinstance(node, dict):
            self.problem(ctx, f"schema must be a JSON object, got {node!r}.")
            return
        for key in node:
            if key not in self.allowed:
                self.problem(ctx, f"'{key}' is not permitted.")
        types = node.get("type")
        type_list = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        for kind in type_list:
            if kind not in STRICT_TYPES:
                self.problem(ctx, f"type {kind!r} is not supported.")
        if "type" not in node and not any(k in node for k in ("$ref", "anyOf", "enum", "const")):
            self.problem(ctx, "schema must have a 'type' key.")
        self.check_ref(node, ctx)
        if node.get("format") is not None and node.get("format") not in STRICT_FORMATS:
            self.problem(ctx, f"format {node['format']!r} is not supported; use one of {sorted(STRICT_FORMATS)}.")
        self.check_values(node, ctx)
        if "object" in type_list or "properties" in node:
            self.check_object(node, ctx, depth)
        items = node.get("items")
        if isinstance(items, dict):
            self.walk(items, (*ctx, "items"), depth)
        elif items is not None:
            self.problem(ctx, "'items' must be a single schema (tuple validation is not supported).")
        any_of = node.get("anyOf")
        if any_of is not None:
            if not isinstance(any_of, list) or not any_of:
                self.problem(ctx, "'anyOf' must be a non-empty array of schemas.")
            else:
                for i, branch in enumerate(any_of):
                    self.walk(branch, (*ctx, "anyOf", str(i)), depth)
        for defs_key in ("$defs", "definitions"):
            defs = node.get(defs_key)
            if defs is None:
                continue
            if not isinstance(defs, dict):
                self.problem(ctx, f"'{defs_key}' must be an object of schemas.")
                continue
            for name, sub in defs.items():
                self.chars += len(str(name))
                self.walk(sub, (*ctx, defs_key, str(name)), 1)

    def check_object(self, node: dict[str, Any], ctx: tuple[str, ...], depth: int) -> None:
        self.deepest = max(self.deepest, depth)
        if node.get("additionalProperties") is not False:
            self.problem(ctx, "'additionalProperties' is required to be supplied and to be false.")
        props = node.get("properties", {})
        if not isinstance(props, dict):
            self.problem(ctx, "'properties' must be an object of schemas.")
            return
        required = node.get("required", [])
        if not isinstance(required, list):
            self.problem(
                ctx, "'required' is required to be supplied and to be an array including every key in properties."
            )
            required = []
        missing = [key for key in props if key not in required]
        extra = [key for key in required if key not in props]
        if missing:
            names = ", ".join(f"'{key}'" for key in missing)
            self.problem(
                ctx,
                "'required' is required to be supplied and to be an array including every key in properties."
                f" Missing {names}.",
            )
        for key in extra:
            self.problem(
                ctx,
                "'required' is required to be supplied and to be an array including every key in properties."
                f" Extra required key '{key}' supplied.",
            )
        self.properties += len(props)
        for key, sub in props.items():
            self.chars += len(str(key))
            self.walk(sub, (*ctx, "properties", str(key)), depth + 1)

    def check_ref(self, node: dict[str, Any], ctx: tuple[str, ...]) -> None:
        ref = node.get("$ref")
        if ref is None:
            return
        siblings = sorted(set(node) - {"$ref"})
        if siblings:
            self.problem(ctx, f"$ref cannot have keywords {set(siblings)!r}.")
        if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
            self.problem(ctx, f"reference {ref!r} must be local ('#' or '#/...').")
            return
        target: Any = self.root
        for part in ref[2:].split("/") if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                self.problem(ctx, f"reference {ref!r} can't be resolved.")
                return
            target = target[part]

    def check_values(self, node: dict[str, Any], ctx: tuple[str, ...]) -> None:
        enum = node.get("enum")
        if enum is not None:
            if not isinstance(enum, list) or not enum:
                self.problem(ctx, "'enum' must be a non-empty array.")
            else:
                self.enum_values += len(enum)
                strings = sum(len(v) for v in enum if isinstance(v, str))
                self.chars += strings
                if len(enum) > STRICT_LARGE_ENUM and strings > STRICT_LARGE_ENUM_CHARS:
                    self.problem(
                        ctx,
                        f"an enum of {len(enum)} values totals {strings} characters; at most"
                        f" {STRICT_LARGE_ENUM_CHARS} when there are more than {STRICT_LARGE_ENUM} values.",
                    )
        if isinstance(node.get("const"), str):
            self.chars += len(node["const"])


# ======================================================================================= synthesised answers


def example_for_schema(schema: Mapping[str, Any]) -> Any:
    """A small instance of ``schema`` (first enum value, empty arrays, ``null`` where allowed, ...).

    Used as the answer when a test scripted nothing, so an unscripted call still gets JSON of the right shape.
    """
    return _example(schema, schema, 0)


_FORMAT_EXAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "date": "2024-01-01",
    "duration": "P1D",
    "email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _example(node: Any, root: Mapping[str, Any], depth: int) -> Any:
    if not isinstance(node, Mapping) or depth > 24:
        return None
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        target: Any = root
        for part in ref[2:].split("/") if ref.startswith("#/") else []:
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        return _example(target, root, depth + 1)
    if "const" in node:
        return node["const"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and any_of:
        for branch in any_of:
            if isinstance(branch, Mapping) and branch.get("type") == "null":
                return None
        return _example(any_of[0], root, depth + 1)
    kinds = node.get("type")
    kind = kinds if isinstance(kinds, str) else next((k for k in kinds or [] if k != "null"), "null")
    if isinstance(kinds, list) and "null" in kinds:
        return None
    if kind == "object" or "properties" in node:
        return {key: _example(sub, root, depth + 1) for key, sub in node.get("properties", {}).items()}
    if kind == "array":
        return [_example(node.get("items", {}), root, depth + 1) for _ in range(int(node.get("minItems", 0)))]
    if kind == "string":
        return _FORMAT_EXAMPLES.get(str(node.get("format")), "")
    if kind in ("integer", "number"):
        low = node.get("minimum", node.get("exclusiveMinimum", 0))
        value = low + 1 if "exclusiveMinimum" in node and "minimum" not in node else low
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    return None


# =================================================================================== answers and recordings


@dataclass(frozen=True)
class Answer:
    """What the fake says to one request. Build with the class methods; queue with ``FakeOpenAI.enqueue``.

    ``kind``: ``content`` (``message.content``), ``refusal`` (``message.refusal``, content null), ``error`` (an HTTP
    error in OpenAI's shape) or ``hang`` (silence for ``delay`` seconds, then the default answer).
    ``conforms``: whether the content is meant to match the request's JSON schema; ``malformed`` / ``truncated``
    answers are not, and a ``content`` answer that does not is reported as a violation (the real model cannot
    produce it in strict mode).
    """

    kind: str
    text: str = ""
    finish_reason: str = "stop"
    usage: tuple[int, ...] | None = None
    delay: float = 0.0
    model: str | None = None
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    code: str | None = None
    error_type: str | None = None
    param: str | None = None
    conforms: bool = True

    @classmethod
    def content(
        cls,
        content: str | Mapping[str, Any] | list[Any],
        *,
        usage: tuple[int, ...] | None = None,
        delay: float = 0.0,
        finish_reason: str = "stop",
        model: str | None = None,
    ) -> Answer:
        """``message.content``: a string as is, anything else JSON-encoded (the model's structured output)."""
        text = content if isinstance(content, str) else json.dumps(content)
        return cls("content", text, finish_reason, usage, delay, model)

    @classmethod
    def refusal(cls, text: str, *, usage: tuple[int, ...] | None = None, delay: float = 0.0) -> Answer:
        """A safety refusal: ``message.refusal`` set, ``content`` null, ``finish_reason`` stop."""
        return cls("refusal", text, "stop", usage, delay)

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        retry_after_ms: float | None = None,
        should_retry: bool | None = None,
        code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        delay: float = 0.0,
    ) -> Answer:
        """An HTTP error with OpenAI's body and the retry headers openai-python reads (see ``FakeOpenAI.fail``)."""
        default_message, default_type, default_code = _ERROR_DEFAULTS.get(
            status, _ERROR_DEFAULTS[500 if status >= 500 else 400]
        )
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["retry-after"] = _number(retry_after)
        if retry_after_ms is not None:
            headers["retry-after-ms"] = _number(retry_after_ms)
        if should_retry is not None:
            headers["x-should-retry"] = "true" if should_retry else "false"
        return cls(
            "error",
            message or default_message,
            delay=delay,
            status=status,
            headers=headers,
            code=code if code is not None else default_code,
            error_type=error_type or default_type,
            param=param,
            conforms=False,
        )

    @classmethod
    def hang(cls, seconds: float) -> Answer:
        """Send no byte (not even headers) for ``seconds``, then the default answer: for client timeouts."""
        return cls("hang", delay=seconds, conforms=False)


_ERROR_DEFAULTS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: ("The model does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
    409: ("The request conflicted with another request.", "invalid_request_error", None),
    429: (
        "Rate limit reached for requests. Please try again later.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}

AnswerSource = Answer | str | Mapping[str, Any] | Callable[[dict[str, Any]], Any]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it.

    ``body``: the parsed JSON body (do not mutate); ``headers``: lower-cased, credentials removed; ``at``:
    ``time.monotonic()`` at arrival (to measure retry waits); ``status``: the status answered; ``answer``: the
    answer kind (``content``, ``refusal``, ``error``, ``hang``, or ``rejected`` for auth / contract failures);
    ``problems``: the contract violations this request caused.
    """

    body: Mapping[str, Any]
    headers: Mapping[str, str]
    at: float
    status: int
    stream: bool
    answer: str
    problems: tuple[str, ...] = ()

    @property
    def json_schema(self) -> dict[str, Any] | None:
        """``response_format.json_schema.schema`` of this request, or None."""
        return json_schema_of(self.body)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def prompt_text(self) -> str:
        """All text of all messages joined by newlines, e.g. to find ids a test expects the prompt to carry."""
        parts: list[str] = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
        return "\n".join(parts)


def json_schema_of(request: RecordedRequest | Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a request asked for (``response_format.json_schema.schema``), or None."""
    body = request.body if isinstance(request, RecordedRequest) else request
    fmt = body.get("response_format")
    if not isinstance(fmt, Mapping) or fmt.get("type") != "json_schema":
        return None
    spec = fmt.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    return schema if isinstance(schema, dict) else None


# ================================================================================================= the server


class FakeOpenAI(FakeServer):
    """OpenAI's ``POST /v1/chat/completions`` on 127.0.0.1, with scripted answers and fault injection.

    Use as ``with FakeOpenAI() as fake:`` or ``async with FakeOpenAI() as fake:`` and give ``fake.base_url`` and
    ``fake.api_key`` to ``AsyncOpenAI`` (or call ``fake.async_client()``). Script answers with ``respond_with``,
    ``refuse``, ``fail``, ``malformed``, ``truncated`` and ``hang`` (one request each, in order); when the queue
    is empty the ``default`` answers (``set_default``; initially: a minimal instance of the requested JSON
    schema, or a short text). Call ``fake.assert_clean()`` at the end of a test.
    """

    def __init__(
        self,
        *,
        api_key: str | None = DEFAULT_API_KEY,
        spec_dir: Path | str | None = None,
        require_spec: bool = False,
        chunk_size: int = 8,
        chunk_pause: float = 0.0,
        check_answers: bool = True,
        strict_extra_keywords: Iterable[str] = (),
        host: str = "127.0.0.1",
    ) -> None:
        """Create (not start) the fake.

        api_key: the exact key to accept in ``Authorization: Bearer``; None accepts any non-empty key.
        spec_dir: folder with ``openapi.json`` (default ``<repo>/../shared/openai-openapi``); when it is missing
            the spec check is off (``contract_checked`` is False) unless ``require_spec`` makes that an error.
            The strict-mode check never needs it.
        chunk_size / chunk_pause: streamed content is cut into pieces of ``chunk_size`` characters, with
            ``chunk_pause`` seconds between chunks.
        check_answers: report scripted content that does not match the request's JSON schema.
        strict_extra_keywords: JSON Schema keywords to admit in strict schemas beyond the documented subset.
        """
        self.api_key = api_key
        self.spec_dir = Path(spec_dir) if spec_dir is not None else default_spec_dir()
        if OpenAISpec.available(self.spec_dir):
            self.spec: OpenAISpec | None = OpenAISpec.load(self.spec_dir)
        elif require_spec:
            raise FileNotFoundError(f"OpenAI's OpenAPI description not found: {self.spec_dir / OPENAPI_FILE}")
        else:
            self.spec = None
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self._checked_answers: dict[tuple[str, str], list[str]] = {}
        self.chunk_size = chunk_size
        self.chunk_pause = chunk_pause
        self.check_answers = check_answers
        self.strict_extra_keywords = frozenset(strict_extra_keywords)
        super().__init__(host)
        self._requests: list[RecordedRequest] = []
        self._queue: deque[AnswerSource] = deque()
        self._default: AnswerSource | None = None
        self._ids = itertools.count(1)

        self._closing: asyncio.Event | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def contract_checked(self) -> bool:
        """Whether request bodies are validated against OpenAI's OpenAPI description (it was found)."""
        return self.spec is not None

    @property
    def base_url(self) -> str:
        """API base for ``AsyncOpenAI(base_url=...)``: ``http://127.0.0.1:PORT/v1``."""
        return f"{self.url}/v1"

    def async_client(self, **kwargs: Any) -> openai.AsyncOpenAI:
        """An ``openai.AsyncOpenAI`` pointed at this fake with its key; ``kwargs`` override (``max_retries``, ...)."""
        import openai

        options: dict[str, Any] = {"base_url": self.base_url, "api_key": self.api_key or "sk-any"}
        options.update(kwargs)
        return openai.AsyncOpenAI(**options)

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post(CHAT_PATH, self._handle_chat)
        app.router.add_route("*", "/{tail:.*}", self._handle_other)
        return app

    def _runner(self, app: web.Application) -> web.AppRunner:
        # handler_cancellation: a request whose client gave up (timeout) stops hanging here too.
        return web.AppRunner(app, access_log=None, shutdown_timeout=self.shutdown_timeout, handler_cancellation=True)

    def _started(self, loop: asyncio.AbstractEventLoop) -> None:
        self._closing = asyncio.Event()

    def _stopping(self, loop: asyncio.AbstractEventLoop) -> None:
        """Pending delays and hangs end at once."""
        closing = self._closing
        if closing is not None:
            loop.call_soon_threadsafe(closing.set)

    # ------------------------------------------------------------------ scripting answers

    def enqueue(self, answer: AnswerSource) -> None:
        """Queue an answer for one request: an ``Answer``, content (str / dict), or ``fn(body) -> any of these``."""
        with self._lock:
            self._queue.append(answer)

    def respond_with(
        self,
        content: str | Mapping[str, Any] | Callable[[dict[str, Any]], Any],
        *,
        usage: tuple[int, ...] | None = None,
        delay: float = 0.0,
        finish_reason: str = "stop",
        model: str | None = None,
    ) -> None:
        """The next request gets ``content`` (a dict is JSON-encoded) after ``delay`` seconds.

        ``content`` may be ``fn(body)`` returning str / dict / ``Answer``, called when the request arrives, to
        build an answer from the request (e.g. echo ids found in the prompt). ``usage`` is ``(prompt_tokens,
        completion_tokens[, cached_tokens])``; by default it is estimated from the text (4 chars per token).
        """
        if callable(content):
            fn = content

            def build(body: dict[str, Any]) -> Answer:
                made = fn(body)
                if isinstance(made, Answer):
                    return made
                return Answer.content(made, usage=usage, delay=delay, finish_reason=finish_reason, model=model)

            self.enqueue(build)
            return
        self.enqueue(Answer.content(content, usage=usage, delay=delay, finish_reason=finish_reason, model=model))

    def refuse(self, text: str = "I'm sorry, I can't help with that.", *, usage: tuple[int, ...] | None = None) -> None:
        """The next request is refused: ``message.refusal`` = ``text``, ``content`` null.

        Streamed, the text arrives as ``delta.refusal``; openai-python's ``parse()`` does not raise on it.
        """
        self.enqueue(Answer.refusal(text, usage=usage))

    def fail(
        self,
        status: int,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        retry_after_ms: float | None = None,
        should_retry: bool | None = None,
        code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` requests get HTTP ``status`` with ``{"error": {message, type, param, code}}``.

        openai-python 3.x reads ``retry-after-ms`` (preferred), then ``retry-after`` (seconds, float allowed, or
        an HTTP date) and waits that long when it is in (0, 120] s; above 120 s it does not retry at all.
        ``x-should-retry: true/false`` overrides its status-based decision (it retries 408, 409, 429, >= 500).
        """
        answer = Answer.error(
            status,
            message,
            retry_after=retry_after,
            retry_after_ms=retry_after_ms,
            should_retry=should_retry,
            code=code,
            error_type=error_type,
            param=param,
        )
        for _ in range(times):
            self.enqueue(answer)

    def malformed(self, text: str = '{"this is": not json', *, finish_reason: str = "stop") -> None:
        """The next request gets ``text`` as content even though it is not the requested JSON (not checked)."""
        self.enqueue(replace(Answer.content(text, finish_reason=finish_reason), conforms=False))

    def truncated(self, partial_json: str, *, usage: tuple[int, ...] | None = None) -> None:
        """The next request gets cut-off output: ``partial_json`` with ``finish_reason: "length"``."""
        self.enqueue(replace(Answer.content(partial_json, finish_reason="length", usage=usage), conforms=False))

    def hang(self, seconds: float) -> None:
        """The next request gets no byte for ``seconds`` (then the default answer): for client timeouts."""
        self.enqueue(Answer.hang(seconds))

    def set_default(self, answer: AnswerSource | None) -> None:
        """The answer when the queue is empty: an ``Answer``, content, or ``fn(body)`` returning content / ``Answer``.

        None restores the built-in default: a minimal instance of the requested JSON schema, else a short text.
        """
        with self._lock:
            self._default = answer

    @property
    def pending(self) -> int:
        """Scripted answers not yet consumed."""
        with self._lock:
            return len(self._queue)

    # ------------------------------------------------------------------ recorded requests

    def requests(self) -> list[RecordedRequest]:
        """Every request received, oldest first (including rejected ones; see ``RecordedRequest.status``)."""
        with self._lock:
            return list(self._requests)

    def last(self) -> RecordedRequest:
        """The latest request; AssertionError if there is none."""
        with self._lock:
            if not self._requests:
                raise AssertionError("no request reached FakeOpenAI")
            return self._requests[-1]

    def json_schema_of(self, request: RecordedRequest | Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The JSON schema a request (default: the last one) asked for, or None."""
        return json_schema_of(request if request is not None else self.last())

    def reset(self) -> None:
        """Forget recorded requests, violations and queued answers (the default answer stays)."""
        with self._lock:
            self._requests.clear()
            self.violations.clear()
            self._queue.clear()

    def assert_clean(self) -> None:
        """Raise AssertionError listing every contract / strict-mode / answer violation seen so far."""
        with self._lock:
            violations = list(self.violations)
        if violations:
            listing = "\n".join(f"- {v}" for v in violations)
            raise AssertionError(f"{len(violations)} OpenAI API violation(s):\n{listing}")

    def _timeout_message(self, count: int) -> str:
        return f"{count} request(s) to FakeOpenAI, saw {len(self._requests)}; violations: {self.violations or 'none'}"

    def _requests_check(self, count: int) -> Callable[[], list[RecordedRequest] | None]:
        return lambda: list(self._requests) if len(self._requests) >= count else None

    def wait_for_requests(self, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until ``count`` requests were recorded; returns them. For sync code and threads.

        In an async test use ``await wait_for_requests_async(...)``: blocking the test's loop would also block the
        code that is supposed to send the requests.
        """
        return self._wait(
            self._requests_check(count), timeout, lambda: self._timeout_message(count), name="wait_for_requests"
        )

    async def wait_for_requests_async(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - same signature as wait_for_requests; the deadline is ours
    ) -> list[RecordedRequest]:
        """Await until ``count`` requests were recorded; returns them (woken per request, no polling)."""
        return await self._wait_async(self._requests_check(count), timeout, lambda: self._timeout_message(count))

    def _record(self, request: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(request)
        self._notify()

    # ------------------------------------------------------------------ request checks

    def request_problems(self, body: Any) -> list[SpecProblem]:
        """Everything OpenAI would reject in a chat completions body: spec, schema name, strict-mode rules."""
        if not isinstance(body, dict):
            return [SpecProblem("The request body must be a JSON object.", None, "invalid_request_body")]
        out: list[SpecProblem] = []
        if self.spec is not None:
            out.extend(self.spec.request_problems(body))
        fmt = body.get("response_format")
        if (
            isinstance(fmt, Mapping)
            and fmt.get("type") == "json_schema"
            and isinstance(fmt.get("json_schema"), Mapping)
        ):
            spec = fmt["json_schema"]
            name = spec.get("name")
            if not isinstance(name, str) or not SCHEMA_NAME_RE.match(name):
                out.append(
                    SpecProblem(
                        f"Invalid 'response_format.json_schema.name': {name!r} must be 1-64 of a-z, A-Z, 0-9, _ and -.",
                        "response_format.json_schema.name",
                        "invalid_value",
                    )
                )
            if spec.get("strict") is True:
                for text in strict_schema_problems(spec.get("schema"), extra_keywords=self.strict_extra_keywords):
                    out.append(
                        SpecProblem(
                            f"Invalid schema for response_format {name!r}: {text}",
                            "response_format",
                            "invalid_json_schema",
                        )
                    )
        for i, tool in enumerate(body.get("tools") or []):
            function = tool.get("function") if isinstance(tool, Mapping) else None
            if isinstance(function, Mapping) and function.get("strict") is True:
                fname = function.get("name")
                for text in strict_schema_problems(
                    function.get("parameters", {}), extra_keywords=self.strict_extra_keywords
                ):
                    out.append(
                        SpecProblem(
                            f"Invalid schema for function {fname!r}: {text}",
                            f"tools[{i}].function.parameters",
                            "invalid_function_parameters",
                        )
                    )
        return out

    def _answer_problems(self, body: Mapping[str, Any], answer: Answer) -> list[str]:
        """A scripted content answer that the requested schema rules out (strict output cannot look like that)."""
        schema = json_schema_of(body)
        if not self.check_answers or answer.kind != "content" or not answer.conforms or schema is None:
            return []
        key = (json.dumps(schema, sort_keys=True), answer.text)
        if key not in self._checked_answers:  # a benchmark sends one answer a hundred times: check it once
            if len(self._checked_answers) > 256:
                self._checked_answers.clear()
            self._checked_answers[key] = self._check_answer(schema, answer.text)
        return list(self._checked_answers[key])

    @staticmethod
    def _check_answer(schema: Mapping[str, Any], text: str) -> list[str]:
        try:
            value = json.loads(text)
        except ValueError:
            return [
                "scripted answer is not JSON although the request asks for a JSON schema; use malformed() to"
                f" simulate broken output: {text[:80]!r}"
            ]
        try:
            errors = list(Draft202012Validator(schema).iter_errors(value))
        except Exception as exc:  # an unresolvable $ref etc. was already reported by the strict check
            return [f"scripted answer could not be checked against the request's schema: {exc!r}"]
        return [
            f"scripted answer does not match the request's JSON schema at {_json_path(e)}: {e.message}"
            " (use malformed() to simulate off-schema output)"
            for e in errors
        ]

    def _auth_error(self, header: str) -> Answer | None:
        if not header.startswith("Bearer ") or not header[len("Bearer ") :].strip():
            return Answer.error(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using"
                " Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code=None,
            )
        key = header[len("Bearer ") :].strip()
        if self.api_key is not None and key != self.api_key:
            masked = f"{key[:3]}{'*' * max(len(key) - 7, 0)}{key[-4:]}" if len(key) > 8 else "***"
            return Answer.error(
                401,
                f"Incorrect API key provided: {masked}. You can find your API key at"
                " https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        return None

    # ------------------------------------------------------------------ HTTP

    async def _handle_other(self, request: web.Request) -> web.StreamResponse:
        """Anything but ``POST /v1/chat/completions``: the bot is not supposed to call it, so it is a violation."""
        message = f"{request.method} {request.path} is not served by FakeOpenAI (only POST {CHAT_PATH})"
        with self._lock:
            self.violations.append(message)
        self._record(
            RecordedRequest(
                body={},
                headers=_public_headers(request),
                at=time.monotonic(),
                status=404,
                stream=False,
                answer="rejected",
                problems=(message,),
            )
        )
        return self._error_response(Answer.error(404, message, code="unknown_url"))

    async def _handle_chat(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        raw = await request.read()
        headers = _public_headers(request)
        try:
            body: Any = json.loads(raw) if raw.strip() else None
        except ValueError as exc:
            body = None
            parse_error: str | None = f"We could not parse the JSON body of your request: {exc}"
        else:
            parse_error = None if isinstance(body, dict) else "The request body must be a JSON object."
        recorded_body = body if isinstance(body, dict) else {}
        stream = recorded_body.get("stream") is True

        auth = self._auth_error(request.headers.get("Authorization", ""))
        if auth is not None:
            self._record(RecordedRequest(recorded_body, headers, arrived, auth.status, stream, "rejected"))
            return self._error_response(auth)

        problems = (
            [SpecProblem(parse_error, None, "invalid_request_body")] if parse_error else self.request_problems(body)
        )
        if problems:
            texts = tuple(f"POST {CHAT_PATH}: {p.message}" for p in problems)
            with self._lock:
                self.violations.extend(texts)
            first = problems[0]
            answer = Answer.error(400, first.message, code=first.code, param=first.param)
            self._record(RecordedRequest(recorded_body, headers, arrived, 400, stream, "rejected", texts))
            return self._error_response(answer)

        answer = self._resolve(self._next_source(), recorded_body)
        answer_problems = tuple(f"POST {CHAT_PATH}: {p}" for p in self._answer_problems(recorded_body, answer))
        if answer_problems:
            with self._lock:
                self.violations.extend(answer_problems)
        status = answer.status if answer.kind == "error" else 200
        self._record(RecordedRequest(recorded_body, headers, arrived, status, stream, answer.kind, answer_problems))

        # Delays count from arrival, so the time spent validating does not add to them.
        if answer.delay > 0 and not await self._sleep(arrived + answer.delay - time.monotonic()):
            return self._error_response(Answer.error(503, "FakeOpenAI is shutting down."))
        if answer.kind == "hang":
            answer = self._resolve(self._default_source(), recorded_body)
        if answer.kind == "error":
            return self._error_response(answer)
        if stream:
            return await self._stream(request, recorded_body, answer)
        return web.json_response(self.completion(recorded_body, answer), headers=_response_headers())

    def _next_source(self) -> AnswerSource:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            return self._default_source()

    def _default_source(self) -> AnswerSource:
        with self._lock:
            if self._default is not None:
                return self._default
        return _builtin_default

    def _resolve(self, source: AnswerSource, body: dict[str, Any]) -> Answer:
        """Turn a queued / default answer source into an ``Answer`` (calling answer functions with the body)."""
        try:
            made = source(body) if callable(source) and not isinstance(source, Answer) else source
            if isinstance(made, Answer):
                return made
            if isinstance(made, str | Mapping | list):
                return Answer.content(made)
            raise TypeError(f"an answer must be an Answer, str or dict, got {type(made).__name__}")
        except Exception as exc:  # a bug in a test's answer function must fail the test, not hang it
            with self._lock:
                self.violations.append(f"POST {CHAT_PATH}: the answer function failed: {exc!r}")
            return Answer.error(500, f"FakeOpenAI's answer function failed: {exc!r}")

    async def _sleep(self, seconds: float) -> bool:
        """Sleep on the server loop; False if the server started shutting down meanwhile."""
        closing = self._closing
        if seconds <= 0:
            return True
        if closing is None:
            await asyncio.sleep(seconds)
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closing.wait(), seconds)
        return not closing.is_set()

    def _error_response(self, answer: Answer) -> web.Response:
        payload = {
            "error": {
                "message": answer.text,
                "type": answer.error_type or "invalid_request_error",
                "param": answer.param,
                "code": answer.code,
            }
        }
        return web.json_response(payload, status=answer.status, headers={**_response_headers(), **answer.headers})

    # ------------------------------------------------------------------ OpenAI's response shapes

    def _usage(self, body: Mapping[str, Any], answer: Answer) -> dict[str, Any]:
        if answer.usage is not None:
            prompt, completion, cached = (*answer.usage, 0, 0)[:3]
        else:
            prompt = max(1, len(json.dumps(body.get("messages", []))) // 4)
            completion = max(1, len(answer.text) // 4)
            cached = 0
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def _envelope(self, body: Mapping[str, Any], answer: Answer, obj: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-FAKE{next(self._ids):06d}{secrets.token_hex(8)}",
            "object": obj,
            "created": int(time.time()),
            "model": answer.model or str(body.get("model", "gpt-fake")),
            "service_tier": "default",
            "system_fingerprint": "fp_fakeopenai",
        }

    def completion(self, body: Mapping[str, Any], answer: Answer) -> dict[str, Any]:
        """A ``chat.completion`` object (``CreateChatCompletionResponse``) answering ``body`` with ``answer``."""
        refusing = answer.kind == "refusal"
        message = {
            "role": "assistant",
            "content": None if refusing else answer.text,
            "refusal": answer.text if refusing else None,
            "annotations": [],
        }
        choices = [
            {"index": i, "message": copy.deepcopy(message), "logprobs": None, "finish_reason": answer.finish_reason}
            for i in range(_choices(body))
        ]
        return {
            **self._envelope(body, answer, "chat.completion"),
            "choices": choices,
            "usage": self._usage(body, answer),
        }

    def chunks(self, body: Mapping[str, Any], answer: Answer) -> Iterator[dict[str, Any]]:
        """The ``chat.completion.chunk`` objects (``CreateChatCompletionStreamResponse``) of a streamed answer.

        Per choice: a first chunk with the role, the text in ``chunk_size`` pieces (``delta.content``, or
        ``delta.refusal`` for a refusal), a chunk with ``finish_reason``; then, if ``stream_options.include_usage``,
        a chunk with ``choices: []`` and the usage (every other chunk then carries ``usage: null``).
        """
        options = body.get("stream_options") or {}
        include_usage = options.get("include_usage") is True
        obfuscate = options.get("include_obfuscation") is not False
        envelope = self._envelope(body, answer, "chat.completion.chunk")
        key = "refusal" if answer.kind == "refusal" else "content"
        text = answer.text
        pieces = [text[i : i + self.chunk_size] for i in range(0, len(text), self.chunk_size)] or [""]

        def chunk(choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> dict[str, Any]:
            out = {**envelope, "choices": choices}
            if include_usage:
                out["usage"] = usage
            if obfuscate:
                out["obfuscation"] = secrets.token_urlsafe(6)[: 1 + len(choices) % 7]
            return out

        for index in range(_choices(body)):
            first = {
                "role": "assistant",
                "content": None if key == "refusal" else "",
                "refusal": "" if key == "refusal" else None,
            }
            yield chunk([{"index": index, "delta": first, "logprobs": None, "finish_reason": None}])
            for piece in pieces:
                if piece:
                    yield chunk([{"index": index, "delta": {key: piece}, "logprobs": None, "finish_reason": None}])
            yield chunk([{"index": index, "delta": {}, "logprobs": None, "finish_reason": answer.finish_reason}])
        if include_usage:
            yield chunk([], self._usage(body, answer))

    async def _stream(self, request: web.Request, body: Mapping[str, Any], answer: Answer) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200,
            headers={
                **_response_headers(),
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
            },
        )
        await response.prepare(request)
        try:
            for i, chunk in enumerate(self.chunks(body, answer)):
                if i and self.chunk_pause > 0 and not await self._sleep(self.chunk_pause):
                    return response
                await response.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
        except ConnectionError:  # the client went away mid-stream (closed the stream early or timed out)
            pass
        return response


def _builtin_default(body: dict[str, Any]) -> Answer:
    """The answer when nothing is scripted: a minimal instance of the requested schema, else a short text."""
    schema = json_schema_of(body)
    if schema is not None:
        return replace(Answer.content(example_for_schema(schema)), conforms=False)
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_object":
        return Answer.content({})
    return Answer.content("OK")


def _choices(body: Mapping[str, Any]) -> int:
    n = body.get("n")
    return n if isinstance(n, int) and n > 1 else 1


def _public_headers(request: web.Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items() if k.lower() not in _SECRET_HEADERS}


def _response_headers() -> dict[str, str]:
    return {"x-request-id": f"req_{secrets.token_hex(16)}", "openai-processing-ms": "1", "openai-version": "2020-10-01"}
