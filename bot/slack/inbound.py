"""What the bot reads from Slack, as typed models: each payload kind it handles, with only the fields it uses.

The boundary validates every verified request against these before Bolt sees it, and hands Bolt the
validated fields only, so a wrong type or a missing field is a 400 at the door instead of a crash in a
listener. Listeners take the model as their ``inbound`` argument.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag

# Slack's ids are short upper-case alphanumerics (T…, U…/W…, C…/G…/D…, B…); bounding them keeps a hostile
# value out of the database and the logs.
SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,32}$")]
Timestamp = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}\.[0-9]{1,9}$")]
# A URL Slack gave us to answer on (response_url); plain http only appears against local test servers.
ReplyUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]{1,2000}$")]
Short = Annotated[str, StringConstraints(max_length=255)]
# Slack caps a message's text at 40,000 characters; anything longer is not from Slack.
MessageText = Annotated[str, StringConstraints(max_length=40_000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UrlVerification(_Model):
    type: Literal["url_verification"]
    challenge: Annotated[str, StringConstraints(max_length=500)]


class SslCheck(_Model):
    ssl_check: Literal["1"]


class SlashCommand(_Model):
    command: Short
    text: Annotated[str, StringConstraints(max_length=4_000)] = ""
    team_id: SlackId
    user_id: SlackId
    channel_id: SlackId | None = None
    trigger_id: Short
    response_url: ReplyUrl


class User(_Model):
    id: SlackId
    team_id: SlackId | None = None


class Team(_Model):
    id: SlackId


class Option(_Model):
    value: Annotated[str, StringConstraints(max_length=2_000)]


class InputState(_Model):
    """One input's answer in ``view.state.values``, whatever the element type."""

    type: Short | None = None
    value: Annotated[str, StringConstraints(max_length=12_000)] | None = None
    selected_option: Option | None = None
    selected_options: Annotated[list[Option], Field(max_length=100)] | None = None
    selected_conversation: SlackId | None = None
    selected_channel: SlackId | None = None
    selected_time: Annotated[str, StringConstraints(max_length=16)] | None = None


class ViewState(_Model):
    values: Annotated[dict[Short, Annotated[dict[Short, InputState], Field(max_length=10)]], Field(max_length=100)]

    def answers(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The values in Slack's shape (block id -> action id -> state), for the modal readers."""
        return {
            block: {action: state.model_dump(exclude_none=True) for action, state in actions.items()}
            for block, actions in self.values.items()
        }


class View(_Model):
    id: Short | None = None
    type: Short  # "modal" or "home"; Bolt reads it to tell workflow steps apart
    callback_id: Short = ""
    private_metadata: Annotated[str, StringConstraints(max_length=3_000)] = ""
    state: ViewState | None = None


class SubmittedView(View):
    state: ViewState


class ViewSubmission(_Model):
    type: Literal["view_submission"]
    user: User
    team: Team | None = None
    view: SubmittedView

    @property
    def team_id(self) -> str | None:
        return self.team.id if self.team else self.user.team_id


class Action(_Model):
    action_id: Short
    block_id: Short | None = None
    type: Short | None = None
    value: Annotated[str, StringConstraints(max_length=2_000)] | None = None
    selected_option: Option | None = None

    @property
    def carried(self) -> str | None:
        """What the element carries: a button's value, or the chosen overflow option's."""
        return self.value if self.value is not None else (self.selected_option.value if self.selected_option else None)


class Container(_Model):
    type: Short | None = None
    channel_id: SlackId | None = None
    message_ts: Timestamp | None = None
    thread_ts: Timestamp | None = None
    view_id: Short | None = None


class Channel(_Model):
    id: SlackId


class BlockActions(_Model):
    type: Literal["block_actions"]
    user: User
    team: Team | None = None
    actions: Annotated[list[Action], Field(min_length=1, max_length=25)]
    trigger_id: Short | None = None
    response_url: ReplyUrl | None = None
    container: Container | None = None
    channel: Channel | None = None
    view: View | None = None

    @property
    def team_id(self) -> str | None:
        return self.team.id if self.team else self.user.team_id

    @property
    def action(self) -> Action:
        return self.actions[0]


class _Posted(_Model):
    """What a message and a mention both carry: where, who, what, and in which thread."""

    channel: SlackId
    user: SlackId | None = None
    text: MessageText = ""
    ts: Timestamp
    thread_ts: Timestamp | None = None
    bot_id: Short | None = None


class MessageEvent(_Posted):
    type: Literal["message"]
    subtype: Short | None = None
    channel_type: Short | None = None


class AppMention(_Posted):
    type: Literal["app_mention"]


class AppHomeOpened(_Model):
    type: Literal["app_home_opened"]
    user: SlackId
    tab: Short = "home"


class AppUninstalled(_Model):
    """The workspace removed the app: its tokens are already void."""

    type: Literal["app_uninstalled"]


class RevokedTokens(_Model):
    """Who the revoked tokens belonged to: installing users (`oauth`) and bot users (`bot`)."""

    oauth: Annotated[list[SlackId], Field(max_length=1_000)] = []
    bot: Annotated[list[SlackId], Field(max_length=1_000)] = []


class TokensRevoked(_Model):
    type: Literal["tokens_revoked"]
    tokens: RevokedTokens


class OtherEvent(_Model):
    """An event the bot does not act on: acknowledged, never dispatched."""

    type: Short


_HANDLED_EVENTS = ("message", "app_mention", "app_home_opened", "app_uninstalled", "tokens_revoked")


def _event_kind(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in _HANDLED_EVENTS else "other"


Event = Annotated[
    Annotated[MessageEvent, Tag("message")]
    | Annotated[AppMention, Tag("app_mention")]
    | Annotated[AppHomeOpened, Tag("app_home_opened")]
    | Annotated[AppUninstalled, Tag("app_uninstalled")]
    | Annotated[TokensRevoked, Tag("tokens_revoked")]
    | Annotated[OtherEvent, Tag("other")],
    Discriminator(_event_kind),
]


class EventCallback(_Model):
    type: Literal["event_callback"]
    team_id: SlackId
    event_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,64}$")]
    event: Event


Inbound = UrlVerification | SslCheck | SlashCommand | BlockActions | ViewSubmission | EventCallback
