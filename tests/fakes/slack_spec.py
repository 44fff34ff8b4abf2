"""Slack's own description of its Web API methods, used to contract-check every call the bot makes.

Two reference files in ``shared/slack-api`` (see its SOURCE.md) describe the methods:

- ``slack_web_openapi_v2_without_examples.json``: Slack's OpenAPI 2.0 spec (frozen in 2020), the only source
  of ``required`` flags;
- ``slack_methods_java.json``: method -> argument names sent by Slack's Java SDK (newer, no required flags).

Both lag behind the platform for the newest methods, so a small supplement table below adds what they lack,
each entry citing where it came from. A method in none of them is a typo; an argument in none of them is
suspicious; a required argument that is missing is a bug Slack would answer with an error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

OPENAPI_FILE = "slack_web_openapi_v2_without_examples.json"
JAVA_FILE = "slack_methods_java.json"

# Arguments accepted by every method, so never "unknown": `token` travels in the Authorization header (or the
# body); `team_id` is added to every call by slack_sdk's WebClient(team_id=...) default_params, which
# slack_bolt's App._init_context sets per request from the payload's team (Slack uses it for org-wide apps).
NOT_ARGUMENTS = frozenset({"token", "team_id"})


@dataclass(frozen=True)
class Supplement:
    """Arguments and required arguments of a method that the two reference files do not fully describe."""

    args: frozenset[str]
    required: frozenset[str]
    source: str


def _sup(args: str, required: str, source: str) -> Supplement:
    return Supplement(frozenset(args.split()), frozenset(required.split()), source)


# Newer methods: absent from the 2020 OpenAPI file; the Java list (where present) lacks `chunks`,
# `task_display_mode`, `session_status` and has no required flags at all.
SUPPLEMENT: dict[str, Supplement] = {
    "chat.startStream": _sup(
        "channel thread_ts markdown_text chunks recipient_team_id recipient_user_id task_display_mode"
        " icon_emoji icon_url username",
        "channel",
        # docs.slack.dev/reference/methods/chat.startStream (required: token, channel; the rest optional;
        # recipient_* "required when streaming to channels", checked separately by FakeSlack);
        # slack_sdk 3.48 AsyncWebClient.chat_startStream and AsyncChatStream._flush_buffer / stop().
        "docs.slack.dev/reference/methods/chat.startStream; slack_sdk 3.48 web/async_client.py chat_startStream,"
        " web/async_chat_stream.py",
    ),
    "chat.appendStream": _sup(
        "channel ts markdown_text chunks",
        "channel ts",
        # docs.slack.dev/reference/methods/chat.appendStream (required: token, channel, ts; chunks and
        # markdown_text optional; an older revision marked markdown_text required, but slack_sdk's
        # AsyncChatStream now sends only `chunks`); slack_sdk 3.48 AsyncWebClient.chat_appendStream.
        "docs.slack.dev/reference/methods/chat.appendStream; slack_sdk 3.48 web/async_client.py chat_appendStream,"
        " web/async_chat_stream.py",
    ),
    "chat.stopStream": _sup(
        "channel ts markdown_text chunks blocks metadata session_status",
        "channel ts",
        # docs.slack.dev/reference/methods/chat.stopStream (required: token, channel, ts; optional: chunks,
        # markdown_text, blocks, metadata, session_status); slack_sdk 3.48 AsyncWebClient.chat_stopStream.
        "docs.slack.dev/reference/methods/chat.stopStream; slack_sdk 3.48 web/async_client.py chat_stopStream,"
        " web/async_chat_stream.py",
    ),
    "assistant.threads.setStatus": _sup(
        "channel_id thread_ts status loading_messages icon_emoji icon_url username",
        "channel_id thread_ts status",
        # docs.slack.dev/reference/methods/assistant.threads.setStatus; slack_sdk 3.48
        # AsyncWebClient.assistant_threads_setStatus (channel_id, thread_ts, status are keyword-only, no default).
        "docs.slack.dev/reference/methods/assistant.threads.setStatus; slack_sdk 3.48 web/async_client.py",
    ),
    "assistant.threads.setTitle": _sup(
        "channel_id thread_ts title",
        "channel_id thread_ts title",
        # docs.slack.dev/reference/methods/assistant.threads.setTitle; slack_sdk 3.48 assistant_threads_setTitle.
        "docs.slack.dev/reference/methods/assistant.threads.setTitle; slack_sdk 3.48 web/async_client.py",
    ),
    "assistant.threads.setSuggestedPrompts": _sup(
        "channel_id thread_ts title prompts",
        "channel_id prompts",
        # docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts (required: channel_id,
        # prompts; thread_ts and title optional); slack_sdk 3.48 assistant_threads_setSuggestedPrompts.
        "docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts; slack_sdk 3.48 web/async_client.py",
    ),
    # The two steps of slack_sdk's files_upload_v2 around the upload URL. Absent from the 2020 OpenAPI file; the Java
    # list has their argument names but no required flags.
    "files.getUploadURLExternal": _sup(
        "filename length alt_txt snippet_type",
        "filename length",
        # docs.slack.dev/reference/methods/files.getUploadURLExternal (required: token, filename, length in bytes;
        # optional: alt_txt, snippet_type); slack_sdk 3.48 AsyncWebClient.files_getUploadURLExternal.
        "docs.slack.dev/reference/methods/files.getUploadURLExternal; slack_sdk 3.48 web/async_client.py",
    ),
    "files.completeUploadExternal": _sup(
        "files channel_id channels initial_comment thread_ts blocks",
        "files",
        # docs.slack.dev/reference/methods/files.completeUploadExternal (required: token, files, a JSON array of
        # {id, title}; optional: channel_id or channels, thread_ts, initial_comment or blocks); slack_sdk 3.48
        # AsyncWebClient.files_completeUploadExternal.
        "docs.slack.dev/reference/methods/files.completeUploadExternal; slack_sdk 3.48 web/async_client.py",
    ),
}

# The OpenAPI file (2020) marks oauth.v2.access's `code` required and lacks token rotation's arguments;
# docs.slack.dev/reference/methods/oauth.v2.access lists `code` as optional (a refresh sends grant_type=refresh_token
# and refresh_token instead) and slack_sdk 3.48 AsyncWebClient.oauth_v2_access sends those two. FakeSlack checks that
# a call carries one or the other.
SUPPLEMENT["oauth.v2.access"] = _sup(
    "client_id client_secret code redirect_uri grant_type refresh_token",
    "",
    "docs.slack.dev/reference/methods/oauth.v2.access; slack_sdk 3.48 web/async_client.py oauth_v2_access",
)
NOT_REQUIRED: dict[str, frozenset[str]] = {"oauth.v2.access": frozenset({"code"})}

# Older methods whose OpenAPI entry carries no required flag although Slack's method page marks the
# argument required (SOURCE.md: "many methods list no required flags"). Each from
# docs.slack.dev/reference/methods/<method>, "Required arguments".
DOC_REQUIRED: dict[str, frozenset[str]] = {
    "chat.delete": frozenset({"channel", "ts"}),
    "conversations.info": frozenset({"channel"}),
    "conversations.join": frozenset({"channel"}),
    "users.info": frozenset({"user"}),
    "views.update": frozenset({"view"}),
}


@dataclass(frozen=True)
class MethodSpec:
    """What is known about one Web API method: its argument names (None: unknown) and required ones."""

    name: str
    args: frozenset[str] | None
    required: frozenset[str]
    sources: tuple[str, ...]


def default_spec_dir() -> Path:
    """``<repo>/../shared/slack-api``, or ``$SCALE_REVIEW_SHARED_DIR/slack-api`` as tests/conftest.py does."""
    repo = Path(__file__).resolve().parents[2]
    shared = Path(os.environ.get("SCALE_REVIEW_SHARED_DIR", repo.parent / "shared"))
    return shared / "slack-api"


class SlackApiSpec:
    """The union of Slack's OpenAPI spec, the Java SDK's argument lists and the supplement table."""

    def __init__(self, methods: Mapping[str, MethodSpec], folder: Path | None = None) -> None:
        self.methods = dict(methods)
        self.folder = folder

    @classmethod
    def load(cls, folder: Path | str | None = None) -> SlackApiSpec:
        """Read both reference files (cached per folder: the OpenAPI file is 1 MB)."""
        return _load(Path(folder or default_spec_dir()).resolve())

    @staticmethod
    def available(folder: Path | str | None = None) -> bool:
        """Whether both reference files exist in ``folder``."""
        path = Path(folder or default_spec_dir())
        return (path / OPENAPI_FILE).is_file() and (path / JAVA_FILE).is_file()

    def knows(self, method: str) -> bool:
        return method in self.methods

    def problems(self, method: str, args: Mapping[str, Any]) -> list[str]:
        """Contract problems of one call, as readable sentences (empty when the call is fine)."""
        spec = self.methods.get(method)
        if spec is None:
            return [f"{method}: unknown Web API method (in neither the OpenAPI spec nor the Java SDK list)"]
        out: list[str] = []
        if spec.args is not None:
            unknown = sorted(k for k in args if k not in NOT_ARGUMENTS and k not in spec.args)
            if unknown:
                out.append(
                    f"{method}: unknown argument(s) {', '.join(unknown)} (known: {', '.join(sorted(spec.args))})"
                )
        missing = sorted(k for k in spec.required if args.get(k) in (None, ""))
        if missing:
            out.append(f"{method}: missing required argument(s) {', '.join(missing)}")
        return out


@lru_cache(maxsize=4)
def _load(folder: Path) -> SlackApiSpec:
    openapi = json.loads((folder / OPENAPI_FILE).read_text(encoding="utf-8"))
    java: dict[str, list[str] | None] = json.loads((folder / JAVA_FILE).read_text(encoding="utf-8"))

    args: dict[str, set[str] | None] = {}
    required: dict[str, set[str]] = {}
    sources: dict[str, list[str]] = {}
    for path, operations in openapi.get("paths", {}).items():
        name = path.lstrip("/")
        names = args.setdefault(name, set())
        req = required.setdefault(name, set())
        sources.setdefault(name, []).append(OPENAPI_FILE)
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", []):
                pname = param.get("name")
                if not pname or pname == "token":
                    continue
                assert names is not None
                names.add(pname)
                if param.get("required"):
                    req.add(pname)
    for name, java_args in java.items():
        sources.setdefault(name, []).append(JAVA_FILE)
        required.setdefault(name, set())
        if name not in args:
            args[name] = set(java_args) if java_args is not None else None
        elif java_args is not None and args[name] is not None:
            args[name] |= set(java_args)  # type: ignore[operator]
    for name, sup in SUPPLEMENT.items():
        current = args.get(name)
        args[name] = (set(current) if current is not None else set()) | sup.args
        required.setdefault(name, set()).update(sup.required)
        sources.setdefault(name, []).append(f"supplement ({sup.source})")
    for name, req_names in DOC_REQUIRED.items():
        required.setdefault(name, set()).update(req_names)
    for name, optional in NOT_REQUIRED.items():
        required.setdefault(name, set()).difference_update(optional)

    methods = {
        name: MethodSpec(
            name=name,
            args=frozenset(names) if names is not None else None,
            required=frozenset(required.get(name, set())),
            sources=tuple(sources.get(name, [])),
        )
        for name, names in args.items()
    }
    return SlackApiSpec(methods, folder)
