"""Which bot-token scope each Slack Web API method, Events API subscription and slash command needs.

The single source for ``oauth_config.scopes.bot`` in ``manifest.yml``: ``tests/slack/test_manifest.py`` scans the code
under ``bot/`` for the methods it calls, the events it subscribes to and the commands it registers, unions the
scopes below, and requires the manifest to ask for exactly that set. A method or event the code starts using
must be added here first, which forces a decision about its scope.

Each value is the set of scopes this bot must request to use the method or event *on the conversations it works
in* (public and private channels, plus the DM with the user that Slack calls the App Home Messages tab). Where
Slack accepts different scopes per conversation type (conversations.info), the set lists the ones for public and
private channels. An empty set means Slack documents "No scope required" for bot tokens.

Sources, checked when this table was written:
- method pages ``https://docs.slack.dev/reference/methods/<method>`` (section "Required scopes" / "Bot token");
- scope pages ``https://docs.slack.dev/reference/scopes/<scope>``, whose "Compatible API methods" and
  "Compatible events" lists say the same thing from the other side;
- event pages ``https://docs.slack.dev/reference/events/<event>`` (section "Required Scopes");
- for the views.* methods also Slack's OpenAPI description of the Web API (``security: none``).
Slack's older OpenAPI file names the classic scopes (``chat:write:bot``, ``channels:write`` for conversations.join);
a granular bot token uses the names below (``chat:write``, ``channels:join``).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["COMMAND_SCOPE", "EVENT_SCOPES", "INSTALL_SCOPES", "METHOD_SCOPES", "bot_scopes_for"]

_NONE: frozenset[str] = frozenset()
_CHAT_WRITE = frozenset({"chat:write"})

METHOD_SCOPES: dict[str, frozenset[str]] = {
    # docs.slack.dev/reference/scopes/chat.write, "Compatible API methods": chat.postMessage, chat.update,
    # chat.postEphemeral, chat.delete (and chat.meMessage, chat.scheduleMessage, ...). Posting with a user ID as
    # `channel` puts the message in that user's DM with the bot (App Home Messages tab): same method, same scope.
    "chat.postMessage": _CHAT_WRITE,
    "chat.update": _CHAT_WRITE,
    "chat.postEphemeral": _CHAT_WRITE,
    "chat.delete": _CHAT_WRITE,
    # docs.slack.dev/reference/methods/chat.getPermalink: "Bot tokens: No scope required".
    "chat.getPermalink": _NONE,
    # docs.slack.dev/reference/methods/chat.startStream, chat.appendStream, chat.stopStream: bot scope chat:write.
    # slack_sdk's AsyncWebClient.chat_stream() helper calls these three.
    "chat.startStream": _CHAT_WRITE,
    "chat.appendStream": _CHAT_WRITE,
    "chat.stopStream": _CHAT_WRITE,
    # docs.slack.dev/reference/methods/views.open (and views.update, views.push, views.publish): "No scope
    # required"; Slack's OpenAPI file agrees (security: none). views.publish needs the Home tab enabled in the
    # manifest (error `not_enabled` otherwise), which is a feature switch, not a scope.
    "views.open": _NONE,
    "views.update": _NONE,
    "views.push": _NONE,
    "views.publish": _NONE,
    # docs.slack.dev/reference/methods/users.info: bot scope users:read (the profile's `tz` comes with it;
    # only the e-mail address needs users:read.email).
    "users.info": frozenset({"users:read"}),
    # docs.slack.dev/reference/methods/conversations.info: channels:read (public), groups:read (private),
    # im:read, mpim:read (DMs), depending on the conversation's type. This bot works in public and private channels.
    "conversations.info": frozenset({"channels:read", "groups:read"}),
    # docs.slack.dev/reference/methods/conversations.history: channels:history (public), groups:history (private);
    # read only after a crash, to find a parent message posted but never recorded.
    "conversations.history": frozenset({"channels:history", "groups:history"}),
    # docs.slack.dev/reference/methods/conversations.join: bot scope channels:join (public channels only;
    # a bot cannot join a private channel by itself).
    "conversations.join": frozenset({"channels:join"}),
    # docs.slack.dev/reference/methods/reactions.add: bot scope reactions:write.
    "reactions.add": frozenset({"reactions:write"}),
    # docs.slack.dev/reference/methods/auth.test: no scope required.
    "auth.test": _NONE,
    # docs.slack.dev/reference/methods/files.getUploadURLExternal and files.completeUploadExternal: bot scope
    # files:write. slack_sdk's AsyncWebClient.files_upload_v2() calls these two (and POSTs the bytes to the upload URL
    # the first returns, which is not a Web API method); sharing into a channel needs the bot to be a member.
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
}

EVENT_SCOPES: dict[str, frozenset[str]] = {
    # docs.slack.dev/reference/events/app_mention: app_mentions:read.
    "app_mention": frozenset({"app_mentions:read"}),
    # docs.slack.dev/reference/events/message.channels: channels:history; message.groups: groups:history;
    # message.im: im:history; message.mpim: mpim:history (the `message` event page lists all four).
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.im": frozenset({"im:history"}),
    "message.mpim": frozenset({"mpim:history"}),
    # docs.slack.dev/reference/events/app_home_opened: no scope; it needs a bot user.
    "app_home_opened": _NONE,
    # docs.slack.dev/reference/events/app_uninstalled and .../tokens_revoked: "Required scopes: none"; a distributed
    # app subscribes to them to forget a workspace's tokens.
    "app_uninstalled": _NONE,
    "tokens_revoked": _NONE,
}

# docs.slack.dev/reference/scopes/commands: "Add shortcuts and/or slash commands that people can use".
COMMAND_SCOPE = "commands"

# What /slack/install asks a workspace for: the manifest's oauth_config.scopes.bot (tests/slack/test_oauth_install.py
# holds the two equal, and tests/slack/test_manifest.py holds the manifest to what the code calls).
INSTALL_SCOPES: frozenset[str] = frozenset(
    {
        COMMAND_SCOPE,
        "chat:write",
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "users:read",
        "files:write",
    }
)


def bot_scopes_for(
    methods: Iterable[str] = (), events: Iterable[str] = (), *, slash_commands: bool = False
) -> frozenset[str]:
    """The bot scopes needed to call ``methods``, receive ``events`` and (if ``slash_commands``) own a command.

    Raises ``KeyError`` naming every method or event missing from the tables, so nothing is silently assumed.
    """
    methods, events = sorted(set(methods)), sorted(set(events))
    unknown = [f"method {m}" for m in methods if m not in METHOD_SCOPES]
    unknown += [f"event {e}" for e in events if e not in EVENT_SCOPES]
    if unknown:
        raise KeyError(f"no scope recorded in bot/slack/scopes.py for: {', '.join(unknown)}")
    scopes: set[str] = {COMMAND_SCOPE} if slash_commands else set()
    for method in methods:
        scopes |= METHOD_SCOPES[method]
    for event in events:
        scopes |= EVENT_SCOPES[event]
    return frozenset(scopes)
