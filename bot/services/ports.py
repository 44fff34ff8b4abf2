"""What the services need from a chat platform, in domain terms.

The Slack adapter (bot/slack/publisher.py) implements `Publisher`; services hand it domain
objects and opaque references (channel ids, message timestamps) and never see Block Kit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from bot.i18n import Language
from bot.roadmap.discussion import Answer as Reading
from bot.roadmap.schema import ItemStatus, Roadmap, Summary, SystemProfile
from bot.services.schedule import ScheduleView, WeeklyTime

ParentState = Literal["generating", "ready", "failed"]
NoticeKind = Literal[
    "not_in_channel", "channel_not_found", "is_archived", "generation_failed", "posting_failed", "rate_limited"
]
MessageKey = tuple[str, int, int]  # (kind, stage, part): "summary" or "stage"
OnPosted = Callable[[str, int, int, str], Awaitable[None]]  # kind, stage, part, ts -> record it


@dataclass(frozen=True)
class DiscussionReply:
    """A question answered in a roadmap's thread: the rules' reading of it, and the AI's answer when asked for."""

    reading: Reading
    ai_answer: str | None = None
    ai_failed: str | None = None  # why the AI's answer is missing, when one was asked for
    language: Language = "en"  # the roadmap's


@dataclass(frozen=True)
class ParentInfo:
    """The thread's first message: what is being reviewed and how far generation got."""

    profile: SystemProfile
    owner_user_id: str
    state: ParentState
    summary: Summary | None = None
    engine: str | None = None
    note: str | None = None
    version: int | None = None
    item_count: int | None = None
    roadmap_id: int | None = None
    nudges: ScheduleView | None = None
    this_week: tuple[tuple[str, str], ...] = ()  # (item id, title) of the first things to do


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    system_name: str
    channel_id: str | None
    roadmap_id: int | None
    detail: str | None = None
    language: Language = "en"  # the roadmap's


@dataclass(frozen=True)
class StageProgress:
    number: int
    name: str
    closed: int  # done, acknowledged or not applicable
    total: int


@dataclass(frozen=True)
class RoadmapListing:
    """One line of a user's roadmap list (`/scale-review list`, App Home)."""

    roadmap_id: int
    system_name: str
    version: int | None
    closed_items: int
    total_items: int
    permalink: str | None
    channel_id: str | None
    created_at: datetime
    stages: tuple[StageProgress, ...] = ()
    nudges: ScheduleView | None = None  # None when not scheduled
    chart_file_id: str | None = None  # the latest version's capacity chart as uploaded to Slack (shown on App Home)


@dataclass(frozen=True)
class NudgeItem:
    item_id: str
    title: str
    status: ItemStatus
    owner_user_id: str | None
    stage: int
    due_on: date | None = None


@dataclass(frozen=True)
class NudgeDigest:
    """What a weekly nudge says: where the team stands and what is open in the current stage."""

    roadmap_id: int
    version_id: int
    system_name: str
    current_stage: int | None  # the first stage with open items; None when everything is closed
    stages: tuple[StageProgress, ...]
    open_items: tuple[NudgeItem, ...]  # the current stage's first, then later stages', in roadmap order
    schedule: WeeklyTime
    next_due: datetime | None  # when the next nudge comes
    catch_up: bool = False  # this one stands in for nudges missed while the bot was down
    language: Language = "en"  # the roadmap's
    on_demand: bool = False  # asked for in the thread (`status`), not the weekly one


class ProgressSink(Protocol):
    """Live progress while an engine writes: text appended as it comes, then a closing line."""

    async def append(self, text: str) -> None: ...

    async def finish(self, text: str) -> None: ...


@dataclass(frozen=True)
class UserInfo:
    """What Slack's profile of a person tells the bot: their time zone and language (None when unknown)."""

    timezone: str | None = None
    language: Language | None = None


@dataclass(frozen=True)
class RoadmapPost:
    """A version's messages for its thread: posted, or updated where `existing` has them already (never posted
    twice). `stage` set: only that stage's messages (a status changed); parts it no longer needs say so."""

    channel_id: str
    thread_ts: str
    roadmap: Roadmap
    version_id: int
    statuses: Mapping[str, ItemStatus]
    existing: Mapping[MessageKey, str]
    on_posted: OnPosted  # each new message's key and ts, stored before the next is posted
    version: int = 1
    stage: int | None = None
    change_note: str | None = None
    usage_note: str | None = None
    regenerate_roadmap_id: int | None = None  # offer the AI engine: the rules stood in


@dataclass(frozen=True)
class Completion:
    """The one-time congratulation in a roadmap's thread once every item is closed."""

    system_name: str
    stages: tuple[StageProgress, ...]
    language: Language = "en"


Reply = NudgeDigest | Completion


class Publisher(Protocol):
    """A roadmap's thread: its parent message, the roadmap's messages, live progress and later replies."""

    async def post_parent(self, channel_id: str, parent: ParentInfo) -> str:
        """Post the thread's first message, marked with `parent.roadmap_id` so that `find_parent` can find it."""
        ...

    async def find_parent(self, channel_id: str, roadmap_id: int, since: datetime) -> str | None:
        """The ts of the roadmap's parent message posted since `since`, if one is up (an instance that posted it may
        have died before storing its ts)."""
        ...

    async def update_parent(self, channel_id: str, ts: str, parent: ParentInfo) -> None: ...

    async def publish_roadmap(self, post: RoadmapPost) -> None: ...

    async def post_reply(self, channel_id: str, thread_ts: str, reply: Reply) -> str:
        """A nudge or the completion message in the thread; returns its ts."""
        ...

    async def open_progress(
        self,
        channel_id: str,
        thread_ts: str,
        *,
        recipient_user_id: str | None,
        recipient_team_id: str | None,
        lang: Language = "en",
    ) -> ProgressSink: ...


class Directory(Protocol):
    """People and what is theirs: who they are, a notice to one of them, their App Home, links to threads."""

    async def notify(self, user_id: str, notice: Notice) -> None: ...

    async def user_info(self, user_id: str) -> UserInfo: ...

    async def permalink(self, channel_id: str, ts: str) -> str | None: ...

    async def publish_home(self, user_id: str, listings: Sequence[RoadmapListing], lang: Language = "en") -> None: ...
