"""A roadmap's thread: which roadmap a thread is, and its first message, built and refreshed in one place.

Every job of a review (submissions, generation, publication) and the thread's listeners go through here to read a
roadmap with its answers, to render its parent message and to tell the person something; none builds those itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.roadmap.schema import Roadmap, SystemProfile
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.ports import Directory, Notice, ParentInfo, Publisher
from bot.services.schedule import ScheduleView
from storage import Database, Repositories, RoadmapVersion
from storage import Roadmap as StoredRoadmap

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThreadOpened:
    channel_id: str
    ts: str


async def load_roadmap(repos: Repositories, roadmap_id: int) -> tuple[StoredRoadmap, SystemProfile]:
    """The roadmap and the answers it was made from; LookupError when it is gone (a stale button)."""
    roadmap = await repos.roadmaps.get(roadmap_id)
    if roadmap is None:
        raise LookupError(f"roadmap {roadmap_id} does not exist")
    review = await repos.reviews.get(roadmap.review_id)
    assert review is not None
    return roadmap, review.profile_model


async def team_of(repos: Repositories, roadmap: StoredRoadmap) -> str | None:
    """The Slack team whose token a run without a request behind it (queued, resumed) posts with."""
    review = await repos.reviews.get(roadmap.review_id)
    if review is None or review.workspace_id is None:
        return None
    workspace = await repos.workspaces.by_id(review.workspace_id)
    return workspace.team_id if workspace else None


async def roadmap_in_thread(repos: Repositories, channel_id: str, thread_ts: str) -> StoredRoadmap | None:
    """The roadmap whose thread this is, inside the caller's unit of work; None for any other thread."""
    return await repos.roadmaps.by_thread(channel_id, thread_ts)


async def roadmap_for_thread(database: Database, channel_id: str, thread_ts: str) -> int | None:
    """Which roadmap a thread reply or button belongs to; None for any other thread."""
    async with database.unit_of_work(readonly=True) as repos:
        roadmap = await roadmap_in_thread(repos, channel_id, thread_ts)
        return roadmap.id if roadmap else None


async def latest_in_thread(repos: Repositories, channel_id: str, thread_ts: str) -> RoadmapVersion | None:
    """The latest ready version of the thread's roadmap: what a reply in the thread is about (None: not a roadmap's
    thread, or nothing posted in it yet)."""
    roadmap = await roadmap_in_thread(repos, channel_id, thread_ts)
    return await repos.roadmaps.latest_version(roadmap.id) if roadmap else None


def first_things(roadmap: Roadmap, count: int = 3) -> tuple[tuple[str, str], ...]:
    """The first items to start this week: stage 1 in the plan's order, leaving out what is held back."""
    ready = [i for i in roadmap.stages[0].items if not i.deferred]
    return tuple((i.id, i.title) for i in ready[:count])


def ready_parent(
    profile: SystemProfile,
    owner: str,
    content: Roadmap,
    *,
    version: int,
    roadmap_id: int,
    nudges: ScheduleView | None,
) -> ParentInfo:
    """The parent message of a posted roadmap: its summary, the first things to do, and the weekly nudges."""
    return ParentInfo(
        profile,
        owner,
        "ready",
        summary=content.summary,
        this_week=first_things(content),
        engine=content.engine,
        version=version,
        item_count=sum(1 for _ in content.items()),
        roadmap_id=roadmap_id,
        nudges=nudges,
    )


class Messenger:
    """What every job says on Slack besides the roadmap itself: the parent's updates and notices to a person.
    Neither may fail the job that says it: a failure is logged."""

    def __init__(self, publisher: Publisher, people: Directory) -> None:
        self.publisher = publisher
        self._people = people

    async def update_parent(self, channel_id: str, ts: str, parent: ParentInfo) -> None:
        try:
            await self.publisher.update_parent(channel_id, ts, parent)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("could not update the parent message %s in %s: %s", ts, channel_id, exc)

    async def notify(self, user_id: str | None, notice: Notice) -> None:
        if not user_id:
            log.warning("no one to tell: %s for roadmap %s", notice.kind, notice.roadmap_id)
            return
        try:
            await self._people.notify(user_id, notice)
        except Exception:
            log.exception("could not tell %s about %s (roadmap %s)", user_id, notice.kind, notice.roadmap_id)
