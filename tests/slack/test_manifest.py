"""The Slack app manifest (``manifest.yml``): valid for Slack, and in step with the code.

1. The manifest validates against Slack's published JSON schema (``../shared/manifest-schema``), and so does its
   HTTP-mode variant; broken manifests are rejected, so the check can fail. A few rules Slack applies that the
   schema cannot express (request URLs when Socket Mode is off, the background colour) are checked here.
2. Every event, scope and command the code under ``bot/`` uses is declared in the manifest, and nothing more.
   A scanner built on ``ast`` (not regexes over text) finds in the code:
   - Web API calls: ``<anything>.<AsyncWebClient coroutine method>(...)`` such as ``client.chat_postMessage`` or
     ``self._client.users_info``; the helpers ``chat_stream`` and ``files_upload_v2`` (expanded into the methods
     they call); ``<anything>.api_call("method.name")``; an SDK method name passed to any call as an argument
     (literal or constant), as in ``getattr(client, "users_info")`` or ``self._call(ch, "chat_update", ...)``,
     since code passes those names around only to dispatch on them; and Bolt's ``say(...)`` / ``say_stream(...)``
     / ... when the name is a parameter of the enclosing function (Bolt injects listener arguments by name);
   - Bolt listener registrations on an app object (a name or attribute called ``app`` / ``*_app``, or a parameter
     annotated ``AsyncApp`` / ``App``): ``command``, ``event`` (a string or ``{"type": ...}``), ``message``,
     ``action`` / ``view`` / ``options`` / ... (interactivity) and ``shortcut`` (interactivity plus a manifest
     entry). Arguments may be literals or module-level constants, also imported ones (``ids.COMMAND``);
   - the module-level ``SUBSCRIBED_EVENTS`` tuple: the Events API subscriptions the listeners are written for. A
     Bolt ``message`` listener cannot say which conversation types it serves, so the code names them there
     (``message.channels``, ``message.groups``); every registered event type needs at least one subscription,
     and every subscription needs a listener for its event type.
   The required bot scopes are then the union of ``bot/slack/scopes.py``'s entries for the methods called and the
   events subscribed, plus ``commands`` when a slash command is registered.
   Limits: a method name built at run time (``getattr(client, f"chat_{verb}")``) and listener registrations on an
   object not recognisable as an app are not seen; an unrelated object's method that happens to share an SDK
   method's name (``repo.users_list()``) would count as a Web API call. A listener argument that is neither a
   literal nor a module-level constant is reported as unresolved (the test fails and names it), never guessed.
"""

from __future__ import annotations

import ast
import copy
import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web import async_client as slack_async_client
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.scopes import COMMAND_SCOPE, EVENT_SCOPES, METHOD_SCOPES, bot_scopes_for
from tests.conftest import REPO_ROOT, require_shared

MANIFEST_PATH = REPO_ROOT / "manifest.yml"
SCHEMA_FILE = "manifest-schema/manifest.schema.1.0.0.json"
HTTP_URL = "https://YOUR-HOST/slack/events"  # the placeholder manifest.yml's comments tell people to use


# ------------------------------------------------------------------------------------------------------------
# Manifest helpers
# ------------------------------------------------------------------------------------------------------------


def load_manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_manifest()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(require_shared(SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def schema_errors(validator: jsonschema.Draft7Validator, document: Mapping[str, Any]) -> list[str]:
    return sorted(
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(document)
    )


# The schema writes this pattern under "regex", which is not a JSON Schema keyword, so jsonschema ignores it.
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


def slack_rule_problems(document: Mapping[str, Any]) -> list[str]:
    """Rules Slack applies on import that the v1 schema (which has no conditionals) cannot express."""
    problems: list[str] = []
    features = document.get("features", {})
    settings = document.get("settings", {})
    events = settings.get("event_subscriptions", {})
    interactivity = settings.get("interactivity", {})
    colour = document.get("display_information", {}).get("background_color")
    if colour is not None and not HEX_COLOUR.match(colour):
        problems.append(f"display_information.background_color {colour!r} is not #rgb or #rrggbb")
    if events.get("bot_events") and "bot_user" not in features:
        problems.append("settings.event_subscriptions.bot_events needs features.bot_user (bot events need a bot user)")
    if not settings.get("socket_mode_enabled", False):
        # Without Socket Mode Slack delivers over HTTP, so it needs somewhere to deliver to.
        for command in features.get("slash_commands", []):
            if "url" not in command:
                problems.append(f"slash command {command.get('command')} has no url and Socket Mode is off")
        if (events.get("bot_events") or events.get("user_events")) and "request_url" not in events:
            problems.append("settings.event_subscriptions.request_url is missing and Socket Mode is off")
        if interactivity.get("is_enabled") and "request_url" not in interactivity:
            problems.append("settings.interactivity.request_url is missing and Socket Mode is off")
    return problems


def http_mode_variant(document: Mapping[str, Any], url: str = HTTP_URL) -> dict[str, Any]:
    """The manifest switched to HTTP mode the way manifest.yml's comments describe."""
    variant = copy.deepcopy(dict(document))
    settings = variant["settings"]
    settings["socket_mode_enabled"] = False
    settings.setdefault("event_subscriptions", {})["request_url"] = url
    settings.setdefault("interactivity", {"is_enabled": True})["request_url"] = url
    for command in variant.get("features", {}).get("slash_commands", []):
        command["url"] = url
    return variant


# ------------------------------------------------------------------------------------------------------------
# 1. The manifest against Slack's schema
# ------------------------------------------------------------------------------------------------------------


def test_manifest_matches_slacks_schema(manifest: dict[str, Any], validator: jsonschema.Draft7Validator) -> None:
    assert manifest["_metadata"]["major_version"] == 1, "validated against the v1 schema"
    assert schema_errors(validator, manifest) == []
    assert slack_rule_problems(manifest) == []


def test_http_mode_variant_is_valid_too(manifest: dict[str, Any], validator: jsonschema.Draft7Validator) -> None:
    variant = http_mode_variant(manifest)
    assert schema_errors(validator, variant) == []
    assert slack_rule_problems(variant) == []
    assert (
        variant["settings"]["event_subscriptions"]["bot_events"]
        == manifest["settings"]["event_subscriptions"]["bot_events"]
    )


def test_turning_socket_mode_off_without_urls_is_caught(manifest: dict[str, Any]) -> None:
    half_done = copy.deepcopy(manifest)
    half_done["settings"]["socket_mode_enabled"] = False
    problems = slack_rule_problems(half_done)
    assert any("slash command /scale-review has no url" in p for p in problems), problems
    assert any("event_subscriptions.request_url" in p for p in problems), problems
    assert any("interactivity.request_url" in p for p in problems), problems


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_set("display_information.tagline", "x"), "Additional properties are not allowed"),
        (_set("display_information.name", "x" * 36), "is too long"),
        (_set("display_information.long_description", "Too short."), "is too short"),
        (_set("features.slash_commands.0.description", "x" * 2001), "is too long"),
        (_set("features.slash_commands.0.command", "scale-review"), "does not match"),
        (_set("features.slash_commands.0.url", "ftp://example.com"), "does not match"),
        (_set("settings.interactivity", {"request_url": HTTP_URL}), "'is_enabled' is a required property"),
        (_set("settings.socket_mode_enabled", "yes"), "is not of type 'boolean'"),
        (_set("oauth_config.scopes.bot", ["x" * 51]), "is too long"),
    ],
    ids=[
        "unknown-key",
        "name-over-35",
        "long-description-under-175",
        "command-description-over-2000",
        "command-without-slash",
        "command-url-not-http",
        "interactivity-without-is_enabled",
        "socket-mode-not-boolean",
        "scope-over-50",
    ],
)
def test_schema_rejects_broken_manifests(
    manifest: dict[str, Any],
    validator: jsonschema.Draft7Validator,
    mutate: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    broken = copy.deepcopy(manifest)
    mutate(broken)
    errors = schema_errors(validator, broken)
    assert errors, "the schema accepted a broken manifest"
    assert any(expected in e for e in errors), errors


def test_bad_background_colour_is_caught(manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    broken["display_information"]["background_color"] = "#12345"
    assert slack_rule_problems(broken) == ["display_information.background_color '#12345' is not #rgb or #rrggbb"]


def test_manifest_is_the_socket_mode_app_the_product_needs(manifest: dict[str, Any]) -> None:
    features, settings = manifest["features"], manifest["settings"]
    assert manifest["display_information"]["name"] == "scale-review"
    assert features["bot_user"] == {"display_name": "scale-review", "always_online": True}
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True  # the bot DMs a user when it cannot post
    [command] = features["slash_commands"]
    assert command["command"] == "/scale-review"
    assert command["usage_hint"] == "[help | list | system name]"
    assert command["should_escape"] is False
    assert "url" not in command, "Socket Mode needs no slash command URL"
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"] == {"is_enabled": True}
    assert "request_url" not in settings["event_subscriptions"]
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


# ------------------------------------------------------------------------------------------------------------
# 2. The code scanner
# ------------------------------------------------------------------------------------------------------------

# slack_sdk helpers that do not map one-to-one to a Web API method: the methods they call.
CLIENT_HELPERS: dict[str, tuple[str, ...]] = {
    "chat_stream": ("chat.startStream", "chat.appendStream", "chat.stopStream"),
    "files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal"),
}
# Bolt listener arguments that call the Web API (slack_bolt/context/*); `respond` uses response_url, no method.
BOLT_UTILITIES: dict[str, tuple[str, ...]] = {
    "say": ("chat.postMessage",),
    "say_stream": CLIENT_HELPERS["chat_stream"],
    "set_status": ("assistant.threads.setStatus",),
    "set_title": ("assistant.threads.setTitle",),
    "set_suggested_prompts": ("assistant.threads.setSuggestedPrompts",),
    "complete": ("functions.completeSuccess",),
    "fail": ("functions.completeError",),
}
# Bolt AsyncApp registration methods, by what they imply for the manifest, with their first argument's name.
COMMAND_LISTENERS = {"command": "command"}
EVENT_LISTENERS = {"event": "event", "message": "keyword"}
SHORTCUT_LISTENERS = {"shortcut": "constraints", "global_shortcut": "callback_id", "message_shortcut": "callback_id"}
INTERACTIVE_LISTENERS = {
    "action": "constraints",
    "block_action": "constraints",
    "attachment_action": "callback_id",
    "dialog_submission": "callback_id",
    "dialog_cancellation": "callback_id",
    "view": "constraints",
    "view_submission": "constraints",
    "view_closed": "constraints",
    "options": "constraints",
    "block_suggestion": "action_id",
    "dialog_suggestion": "callback_id",
}
APP_NAME = re.compile(r"(?:^|_)app$", re.IGNORECASE)
APP_CLASSES = {"App", "AsyncApp"}
SUBSCRIBED_EVENTS = "SUBSCRIBED_EVENTS"


def sdk_method_name(attribute: str) -> str:
    """``chat_postMessage`` -> ``chat.postMessage`` (slack_sdk's naming rule, pinned down by a test below)."""
    return attribute.replace("_", ".")


def is_client_method(attribute: str) -> bool:
    if attribute.startswith("_") or attribute == "api_call":
        return False
    return inspect.iscoroutinefunction(getattr(AsyncWebClient, attribute, None))


def subscription_event_type(subscription: str) -> str:
    """``message.channels`` -> ``message``; other subscriptions are named after their event type."""
    return "message" if subscription.startswith("message.") else subscription


class _Unresolved:
    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED: Any = _Unresolved()


@dataclass(frozen=True)
class _ModuleRef:
    name: str


@dataclass
class _Module:
    name: str
    path: str
    is_package: bool
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, attribute)
    app_names: set[str] = field(default_factory=set)


@dataclass
class CodeScan:
    """What the code uses, each with where (``path:line``)."""

    methods: dict[str, set[str]] = field(default_factory=dict)
    commands: dict[str, set[str]] = field(default_factory=dict)
    event_types: dict[str, set[str]] = field(default_factory=dict)
    interactive: dict[str, set[str]] = field(default_factory=dict)  # registration kind -> where
    shortcuts: dict[str, set[str]] = field(default_factory=dict)  # callback_id -> where
    subscribed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # where -> SUBSCRIBED_EVENTS value
    unresolved: list[str] = field(default_factory=list)

    def add(self, table: dict[str, set[str]], key: str, where: str) -> None:
        table.setdefault(key, set()).add(where)

    @property
    def subscriptions(self) -> tuple[str, ...]:
        return next(iter(self.subscribed.values()), ())

    def subscription_problems(self) -> list[str]:
        """SUBSCRIBED_EVENTS against the registered listeners."""
        problems: list[str] = []
        if len(self.subscribed) > 1:
            problems.append(f"{SUBSCRIBED_EVENTS} is defined more than once: {', '.join(sorted(self.subscribed))}")
        if self.event_types and not self.subscribed:
            problems.append(
                f"events are registered ({', '.join(sorted(self.event_types))}) but no module defines "
                f"{SUBSCRIBED_EVENTS}"
            )
        subscriptions = self.subscriptions
        for duplicate in sorted({s for s in subscriptions if subscriptions.count(s) > 1}):
            problems.append(f"{SUBSCRIBED_EVENTS} lists {duplicate!r} twice")
        if "message" in subscriptions:
            problems.append(
                f"{SUBSCRIBED_EVENTS} lists 'message': subscribe to message.channels, message.groups, "
                "message.im or message.mpim instead"
            )
        covered = {subscription_event_type(s) for s in subscriptions}
        for event_type, where in sorted(self.event_types.items()):
            if event_type not in covered:
                wanted = "a message.* subscription" if event_type == "message" else repr(event_type)
                problems.append(
                    f"listener for {event_type!r} ({_where(where)}) but {SUBSCRIBED_EVENTS} has no "
                    f"{wanted}: Slack would never send it"
                )
        for subscription in subscriptions:
            if subscription != "message" and subscription_event_type(subscription) not in self.event_types:
                problems.append(
                    f"{SUBSCRIBED_EVENTS} lists {subscription!r} but no listener handles "
                    f"{subscription_event_type(subscription)!r} events"
                )
        return problems

    def unknown_methods(self) -> dict[str, set[str]]:
        return {m: w for m, w in self.methods.items() if m not in METHOD_SCOPES}

    def unknown_subscriptions(self) -> list[str]:
        return [s for s in self.subscriptions if s not in EVENT_SCOPES]

    def required_bot_scopes(self) -> frozenset[str]:
        return bot_scopes_for(self.methods, self.subscriptions, slash_commands=bool(self.commands))


def _where(places: Iterable[str]) -> str:
    return ", ".join(sorted(places))


def _module_name(path: str) -> tuple[str, bool]:
    parts = list(Path(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _annotation_names_app(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    text = (
        annotation.value
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str)
        else (ast.unparse(annotation))
    )
    return any(part.split(".")[-1].strip("'\" ") in APP_CLASSES for part in re.split(r"[|\[\],]", text))


def _index_module(path: str, source: str) -> _Module:
    name, is_package = _module_name(path)
    module = _Module(name=name, path=path, is_package=is_package, tree=ast.parse(source, filename=path))
    package = name if is_package else name.rpartition(".")[0]
    for statement in module.tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    module.constants[target.id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
            module.constants[statement.target.id] = statement.value
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.imports[alias.asname] = (alias.name, None)
                else:
                    top = alias.name.split(".")[0]
                    module.imports[top] = (top, None)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                source_module = f"{base}.{node.module}" if node.module else base
            else:
                source_module = node.module or ""
            for alias in node.names:
                module.imports[alias.asname or alias.name] = (source_module, alias.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            callee = node.value.func
            callee_name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            if callee_name in APP_CLASSES:
                module.app_names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return module


class _Resolver:
    def __init__(self, modules: Mapping[str, _Module]) -> None:
        self.modules = modules

    def resolve(self, node: ast.expr | None, module: _Module, depth: int = 0) -> Any:
        if node is None or depth > 20:
            return UNRESOLVED
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            items = tuple(self.resolve(item, module, depth + 1) for item in node.elts)
            return UNRESOLVED if any(item is UNRESOLVED for item in items) else items
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                return UNRESOLVED
            pairs = [
                (self.resolve(k, module, depth + 1), self.resolve(v, module, depth + 1))
                for k, v in zip(node.keys, node.values, strict=True)
            ]
            return UNRESOLVED if any(k is UNRESOLVED for k, _ in pairs) else dict(pairs)
        if isinstance(node, ast.Name):
            return self._name(node.id, module, depth)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value, module, depth + 1)
            if isinstance(base, _ModuleRef):
                return self._member(base.name, node.attr, depth)
        return UNRESOLVED

    def _name(self, name: str, module: _Module, depth: int) -> Any:
        if name in module.constants:
            return self.resolve(module.constants[name], module, depth + 1)
        if name in module.imports:
            source, attribute = module.imports[name]
            return _ModuleRef(source) if attribute is None else self._member(source, attribute, depth)
        return UNRESOLVED

    def _member(self, module_name: str, attribute: str, depth: int) -> Any:
        full = f"{module_name}.{attribute}"
        if any(name == full or name.startswith(f"{full}.") for name in self.modules):
            return _ModuleRef(full)  # a module or package (also a namespace package without __init__.py)
        target = self.modules.get(module_name)
        if target is None:
            return UNRESOLVED
        return self._name(attribute, target, depth + 1)


class _Visitor(ast.NodeVisitor):
    def __init__(self, scan: CodeScan, module: _Module, resolver: _Resolver) -> None:
        self.scan, self.module, self.resolver = scan, module, resolver
        self.parameters: list[set[str]] = []
        self.apps: list[set[str]] = [set(module.app_names)]

    def where(self, node: ast.AST) -> str:
        return f"{self.module.path}:{getattr(node, 'lineno', '?')}"

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:  # evaluated in the enclosing scope
            self.visit(decorator)
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        present = [a for a in every if a is not None]
        self.parameters.append({a.arg for a in present})
        self.apps.append({a.arg for a in present if _annotation_names_app(a.annotation)})
        for statement in node.body:
            self.visit(statement)
        self.parameters.pop()
        self.apps.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            self._attribute_call(node, func)
        elif isinstance(func, ast.Name) and func.id in BOLT_UTILITIES and any(func.id in p for p in self.parameters):
            for method in BOLT_UTILITIES[func.id]:
                self.scan.add(self.scan.methods, method, self.where(node))
        self._dispatch_by_name(node)
        self.generic_visit(node)

    def _dispatch_by_name(self, node: ast.Call) -> None:
        """An SDK method name passed as an argument: `getattr(client, "users_info")`, `self._call(ch, "chat_update")`.

        Code passes slack_sdk's method names around as strings only to dispatch on them with getattr."""
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(argument, (ast.Constant, ast.Name, ast.Attribute)):
                value = self.resolver.resolve(argument, self.module)
                if isinstance(value, str) and value in CLIENT_HELPERS:
                    for method in CLIENT_HELPERS[value]:
                        self.scan.add(self.scan.methods, method, self.where(node))
                elif isinstance(value, str) and is_client_method(value):
                    self.scan.add(self.scan.methods, sdk_method_name(value), self.where(node))

    def _argument(self, node: ast.Call, keyword: str) -> ast.expr | None:
        if node.args:
            return node.args[0]
        return next((k.value for k in node.keywords if k.arg == keyword), None)

    def _unresolved(self, node: ast.Call, what: str) -> None:
        self.scan.unresolved.append(
            f"{self.where(node)}: {what} in `{ast.unparse(node)[:120]}` is neither a "
            "literal nor a module-level constant"
        )

    def _is_app(self, receiver: ast.expr) -> bool:
        terminal = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", None)
        if terminal is None:
            return False
        return bool(APP_NAME.search(terminal)) or (
            isinstance(receiver, ast.Name) and any(terminal in a for a in self.apps)
        )

    def _attribute_call(self, node: ast.Call, func: ast.Attribute) -> None:
        name, where = func.attr, self.where(node)
        if name == "api_call":
            method = self.resolver.resolve(self._argument(node, "api_method"), self.module)
            if isinstance(method, str):
                self.scan.add(self.scan.methods, method, where)
            else:
                self._unresolved(node, "the API method")
        elif name in CLIENT_HELPERS:
            for method in CLIENT_HELPERS[name]:
                self.scan.add(self.scan.methods, method, where)
        elif is_client_method(name):
            self.scan.add(self.scan.methods, sdk_method_name(name), where)
        elif self._is_app(func.value):
            self._registration(node, name, where)

    def _registration(self, node: ast.Call, name: str, where: str) -> None:
        if name in COMMAND_LISTENERS:
            command = self.resolver.resolve(self._argument(node, COMMAND_LISTENERS[name]), self.module)
            if isinstance(command, str):
                self.scan.add(self.scan.commands, command, where)
            else:
                self._unresolved(node, "the command")
        elif name == "message":
            self.scan.add(self.scan.event_types, "message", where)
        elif name in EVENT_LISTENERS:
            event = self.resolver.resolve(self._argument(node, EVENT_LISTENERS[name]), self.module)
            event_type = event.get("type") if isinstance(event, dict) else event
            if isinstance(event_type, str):
                self.scan.add(self.scan.event_types, event_type, where)
            else:
                self._unresolved(node, "the event type")
        elif name in SHORTCUT_LISTENERS:
            self.scan.add(self.scan.interactive, name, where)
            constraint = self.resolver.resolve(self._argument(node, SHORTCUT_LISTENERS[name]), self.module)
            callback_id = constraint.get("callback_id") if isinstance(constraint, dict) else constraint
            if isinstance(callback_id, str):
                self.scan.add(self.scan.shortcuts, callback_id, where)
            else:
                self._unresolved(node, "the shortcut callback_id")
        elif name in INTERACTIVE_LISTENERS:
            self.scan.add(self.scan.interactive, name, where)


def scan_sources(sources: Mapping[str, str]) -> CodeScan:
    """Scan Python sources given as {path relative to the repository root: text}."""
    modules = {m.name: m for m in (_index_module(path, text) for path, text in sorted(sources.items()))}
    resolver = _Resolver(modules)
    scan = CodeScan()
    for module in modules.values():
        _Visitor(scan, module, resolver).visit(module.tree)
        if SUBSCRIBED_EVENTS in module.constants:
            value = resolver.resolve(module.constants[SUBSCRIBED_EVENTS], module)
            if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                scan.subscribed[module.path] = value
            else:
                scan.unresolved.append(f"{module.path}: {SUBSCRIBED_EVENTS} must be a literal tuple of strings")
    return scan


def scan_tree(root: Path, package: str = "bot") -> CodeScan:
    files = sorted((root / package).rglob("*.py"))
    return scan_sources({f.relative_to(root).as_posix(): f.read_text(encoding="utf-8") for f in files})


# --- the scanner's own tests, on small snippets ---------------------------------------------------------------


def test_sdk_method_names_follow_the_underscore_rule() -> None:
    """Every AsyncWebClient coroutine method calls api_call("<its name with '_' -> '.'>"), except the helpers."""
    tree = ast.parse(inspect.getsource(slack_async_client))
    client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "AsyncWebClient")
    checked, helpers = 0, set()
    for function in (n for n in client.body if isinstance(n, ast.AsyncFunctionDef)):
        called = {
            c.args[0].value
            for c in ast.walk(function)
            if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr == "api_call"
            and c.args
            and isinstance(c.args[0], ast.Constant)
        }
        if not called:
            helpers.add(function.name)
            continue
        assert called == {sdk_method_name(function.name)}, function.name
        assert is_client_method(function.name)
        checked += 1
    assert checked > 200
    assert helpers == set(CLIENT_HELPERS), "a new slack_sdk helper: record the methods it calls in CLIENT_HELPERS"
    for methods in CLIENT_HELPERS.values():
        for method in methods:
            assert is_client_method(method.replace(".", "_")), method


def test_listener_tables_match_bolt() -> None:
    for table in (COMMAND_LISTENERS, EVENT_LISTENERS, SHORTCUT_LISTENERS, INTERACTIVE_LISTENERS):
        for name, first_parameter in table.items():
            parameters = list(inspect.signature(getattr(AsyncApp, name)).parameters)
            assert parameters[1] == first_parameter, name


def test_scanner_finds_web_api_calls() -> None:
    scan = scan_sources(
        {
            "bot/slack/publisher.py": '''
"""Mentions in text such as client.chat_delete(...) are not calls."""
class Publisher:
    def __init__(self, client):
        self._client = client

    async def post(self, say):
        await self._client.chat_postMessage(channel="C1", text="hi")  # client.reactions_add() in a comment
        await self._client.users_info(user="U1")
        stream = await self._client.chat_stream(channel="C1", thread_ts="1.2")
        await self._client.api_call("conversations.join", json={"channel": "C1"})
        await self._client.api_call(api_method=AUTH_TEST)
        await say("hello")
        self._repo.save()
        await self._call("C1", "chat_update", ts="1.2")
        await getattr(self._client, "views_publish")(user_id="U1", view={})
        await self._call("U1", method=LOOKUP)
        names = ["chat_delete"]  # a string that is not passed to a call is not a use

LOOKUP = "chat_getPermalink"

AUTH_TEST = "auth.test"

def say(text):  # a module function called say is not Bolt's
    return text

def shout():
    say("not an API call")
''',
        }
    )
    assert set(scan.methods) == {
        "chat.postMessage",
        "users.info",
        "chat.startStream",
        "chat.appendStream",
        "chat.stopStream",
        "conversations.join",
        "auth.test",
        "chat.update",
        "views.publish",
        "chat.getPermalink",
    }
    assert scan.methods["chat.postMessage"] == {"bot/slack/publisher.py:8", "bot/slack/publisher.py:13"}
    assert scan.unresolved == []


def test_scanner_reports_what_it_cannot_resolve() -> None:
    scan = scan_sources(
        {
            "bot/app.py": """
def register(app, name):
    app.command(name)
    app.event(pick_event())
    app.client.api_call(name)
""",
        }
    )
    assert len(scan.unresolved) == 3
    assert all("neither a literal nor a module-level constant" in u for u in scan.unresolved)
    assert scan.commands == {} and scan.event_types == {} and scan.methods == {}


def test_scanner_finds_listener_registrations_and_resolves_constants() -> None:
    scan = scan_sources(
        {
            "bot/slack/__init__.py": "",
            "bot/slack/ids.py": 'COMMAND = "/scale-review"\nHOME = "app_home_opened"\nSHORTCUT = "open_review"\n',
            "bot/listeners/__init__.py": "",
            "bot/listeners/commands.py": """
from ..slack import ids
from slack_bolt.async_app import AsyncApp

def register(bolt: AsyncApp) -> None:
    @bolt.command(ids.COMMAND)
    async def handle(ack, client, body):
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view={})
""",
            "bot/listeners/events.py": """
import re
from bot.slack.ids import HOME as HOME_EVENT
import bot.slack.ids

MENTION: str = "app_mention"
SUBSCRIBED_EVENTS = (MENTION, "message.channels", "message.groups", HOME_EVENT)

def register(app):
    app.event(MENTION)(on_mention)
    app.event({"type": "message", "subtype": None})(on_message)
    app.message(re.compile("done [0-9.]+"))(on_done)
    app.event(event=HOME_EVENT)(on_home)
    app.shortcut(bot.slack.ids.SHORTCUT)(on_shortcut)
""",
            "bot/app.py": """
from slack_bolt.async_app import AsyncApp
web = AsyncApp()
web.action("item_status")(lambda: None)
self_made = object()
self_made.view("not an app")        # not an app object: ignored
logger.event("not a registration")  # ditto
""",
        }
    )
    assert scan.unresolved == []
    assert set(scan.commands) == {"/scale-review"}
    assert scan.commands["/scale-review"] == {"bot/listeners/commands.py:6"}
    assert set(scan.event_types) == {"app_mention", "message", "app_home_opened"}
    assert len(scan.event_types["message"]) == 2
    assert set(scan.interactive) == {"action", "shortcut"}
    assert set(scan.shortcuts) == {"open_review"}
    assert set(scan.methods) == {"views.open"}
    assert scan.subscriptions == ("app_mention", "message.channels", "message.groups", "app_home_opened")
    assert scan.subscription_problems() == []
    assert scan.required_bot_scopes() == {"commands", "app_mentions:read", "channels:history", "groups:history"}


@pytest.mark.parametrize(
    ("listeners", "subscribed", "problem"),
    [
        ('app.event("message")', '("message.im",)', None),
        ('app.message("hi")', '("app_mention",)', "listener for 'message'"),
        ('app.event("app_mention")', '("message.channels",)', "no listener handles 'message' events"),
        ('app.event("app_mention")', '("app_mention", "reaction_added")', "no listener handles 'reaction_added'"),
        ('app.event("message")', '("message", "message.groups")', "lists 'message'"),
        ('app.event("app_mention")', '("app_mention", "app_mention")', "twice"),
        ('app.event("app_mention")', None, "no module defines SUBSCRIBED_EVENTS"),
    ],
)
def test_subscribed_events_must_match_the_listeners(
    listeners: str, subscribed: str | None, problem: str | None
) -> None:
    source = f"def register(app):\n    {listeners}(handler)\n"
    if subscribed is not None:
        source = f"SUBSCRIBED_EVENTS = {subscribed}\n" + source
    problems = scan_sources({"bot/listeners/events.py": source}).subscription_problems()
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_subscribed_events_defined_twice_or_not_literal() -> None:
    twice = scan_sources(
        {
            "bot/listeners/events.py": 'SUBSCRIBED_EVENTS = ("app_mention",)\n',
            "bot/app.py": 'SUBSCRIBED_EVENTS = ("app_mention",)\n',
        }
    )
    assert any("defined more than once" in p for p in twice.subscription_problems())
    computed = scan_sources({"bot/listeners/events.py": "SUBSCRIBED_EVENTS = tuple(sorted(EVENTS))\n"})
    assert computed.unresolved == ["bot/listeners/events.py: SUBSCRIBED_EVENTS must be a literal tuple of strings"]


def test_a_method_without_a_recorded_scope_is_flagged() -> None:
    scan = scan_sources({"bot/x.py": "async def f(client):\n    await client.pins_add(channel='C', timestamp='1')\n"})
    assert scan.unknown_methods() == {"pins.add": {"bot/x.py:2"}}
    with pytest.raises(KeyError, match=r"method pins\.add"):
        scan.required_bot_scopes()


def test_scope_tables_name_real_methods_and_events() -> None:
    for method in METHOD_SCOPES:
        assert is_client_method(method.replace(".", "_")), f"{method} is not a slack_sdk AsyncWebClient method"
    message_channel_types = {"channels", "groups", "im", "mpim", "app_home"}
    for subscription in EVENT_SCOPES:
        event_type, _, channel_type = subscription.partition(".")
        assert re.fullmatch(r"[a-z_]+", event_type), subscription
        assert not channel_type or (event_type == "message" and channel_type in message_channel_types), subscription
    assert COMMAND_SCOPE == "commands"


# ------------------------------------------------------------------------------------------------------------
# 3. The manifest against the code under bot/ (passes once the listeners and the Slack helpers have landed)
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def code() -> CodeScan:
    return scan_tree(REPO_ROOT)


def _difference_report(what: str, declared: Iterable[str], needed: Mapping[str, Any] | Iterable[str]) -> str:
    declared_set, needed_set = set(declared), set(needed)
    lines = [f"manifest {what} differ from what the code under bot/ needs:"]
    missing, extra = sorted(needed_set - declared_set), sorted(declared_set - needed_set)
    if missing:
        lines.append(f"  missing from manifest.yml: {', '.join(missing)}")
    if extra:
        lines.append(f"  in manifest.yml but unused by the code: {', '.join(extra)}")
    return "\n".join(lines)


def test_code_is_fully_resolved(code: CodeScan) -> None:
    assert code.unresolved == [], "\n".join(code.unresolved)


def test_every_method_the_code_calls_has_a_recorded_scope(code: CodeScan) -> None:
    unknown = code.unknown_methods()
    assert not unknown, "add these methods to METHOD_SCOPES in bot/slack/scopes.py (with their source):\n" + "\n".join(
        f"  {m} ({_where(w)})" for m, w in sorted(unknown.items())
    )
    assert not code.unknown_subscriptions(), f"add to EVENT_SCOPES: {code.unknown_subscriptions()}"


def test_subscribed_events_cover_the_listeners(code: CodeScan) -> None:
    assert code.event_types, "bot/ registers no event listener yet (the listener code has not landed)"
    assert code.subscription_problems() == []


def test_manifest_bot_scopes_are_exactly_what_the_code_needs(manifest: dict[str, Any], code: CodeScan) -> None:
    if code.unknown_methods() or code.unknown_subscriptions():
        pytest.fail("some methods or events have no recorded scope; see the test above")
    declared = manifest["oauth_config"]["scopes"]["bot"]
    assert len(declared) == len(set(declared)), "a scope is listed twice"
    needed = code.required_bot_scopes()
    assert set(declared) == needed, _difference_report("bot scopes", declared, needed)


def test_manifest_bot_events_are_the_subscribed_events(manifest: dict[str, Any], code: CodeScan) -> None:
    declared = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert set(declared) == set(code.subscriptions), _difference_report("bot events", declared, code.subscriptions)


def test_manifest_slash_commands_are_the_registered_commands(manifest: dict[str, Any], code: CodeScan) -> None:
    declared = [c["command"] for c in manifest["features"].get("slash_commands", [])]
    assert set(declared) == set(code.commands), _difference_report("slash commands", declared, code.commands)


def test_manifest_features_match_the_code(manifest: dict[str, Any], code: CodeScan) -> None:
    features, settings = manifest["features"], manifest["settings"]
    interactive = bool(settings.get("interactivity", {}).get("is_enabled"))
    assert interactive == bool(code.interactive), (
        f"interactivity.is_enabled is {interactive} but the code registers: {sorted(code.interactive) or 'nothing'}"
    )
    declared_shortcuts = [s["callback_id"] for s in features.get("shortcuts", [])]
    assert set(declared_shortcuts) == set(code.shortcuts), _difference_report(
        "shortcuts", declared_shortcuts, code.shortcuts
    )
    if "views.publish" in code.methods:
        assert features["app_home"]["home_tab_enabled"], "views.publish needs the Home tab (error not_enabled)"


def test_difference_report_names_missing_and_extra_separately() -> None:
    report = _difference_report("bot scopes", ["chat:write", "users:read"], {"chat:write", "commands"})
    assert report.splitlines() == [
        "manifest bot scopes differ from what the code under bot/ needs:",
        "  missing from manifest.yml: commands",
        "  in manifest.yml but unused by the code: users:read",
    ]
