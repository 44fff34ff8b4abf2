"""Submitting the questionnaire: the answers stored first, then the thread's parent message ("generating…").

The answers, the roadmap and its first version are one transaction (with the generation job when runs are queued),
so whatever happens next they are kept and an interrupted first generation is resumed like any other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot import metrics
from bot.roadmap.schema import SystemProfile
from bot.services.errors import ChannelUnavailable
from bot.services.ports import ParentInfo, Publisher
from bot.services.roadmap_threads import ThreadOpened, load_roadmap
from bot.services.shared_threads import SharedThreads, find_or_post
from storage import Database, Repositories
from storage.repositories.jobs import GenerationJob, JobRepository


@dataclass(frozen=True)
class Submission:
    """Stored answers with their roadmap and its first version (started, so a crash leaves it to resume)."""

    review_id: int
    roadmap_id: int
    version_id: int
    team_id: str | None
    user_id: str
    channel_id: str
    profile: SystemProfile


@dataclass(frozen=True)
class PreviousAnswers:
    profile: SystemProfile
    created_at: datetime


class Submissions:
    """`shared` is set when generations are queued jobs (PostgreSQL): the job is committed with the answers and the
    parent message is recorded once across instances."""

    def __init__(self, database: Database, publisher: Publisher, engine_name: str) -> None:
        self._db = database
        self._publisher = publisher
        self._engine_name = engine_name
        self.shared: SharedThreads | None = None
        self._thread_locks: dict[int, asyncio.Lock] = {}

    async def previous_answers(
        self, team_id: str, user_id: str, system_name: str | None = None
    ) -> PreviousAnswers | None:
        """The user's latest answers, for that system when named, to prefill the modal."""
        async with self._db.unit_of_work(readonly=True) as repos:
            workspace = await repos.workspaces.get(team_id)
            if workspace is None:
                return None
            if system_name:
                review = await repos.reviews.latest_for_system(workspace.id, user_id, system_name)
            else:
                review = await repos.reviews.latest_for_user(workspace.id, user_id)
            if review is None:
                return None
            return PreviousAnswers(review.profile_model, review.created_at)

    async def submit(self, team_id: str, user_id: str, channel_id: str, profile: SystemProfile) -> Submission:
        """Store the answers first, in one transaction with the roadmap and its first version."""

        async def store(repos: Repositories) -> Submission:
            workspace = await repos.workspaces.get_or_create(team_id)
            review = await repos.reviews.add(
                profile, workspace_id=workspace.id, user_id=user_id, channel_id=channel_id, source="slack"
            )
            roadmap, version = await repos.roadmaps.create_with_version(
                review.id, owner_user_id=user_id, channel_id=channel_id, engine=self._engine_name
            )
            if self.shared is not None:  # committed with the answers: no submission without its generation
                await JobRepository(repos.session).enqueue(GenerationJob(version.id, user_id, submitted=True))
            return Submission(review.id, roadmap.id, version.id, team_id, user_id, channel_id, profile)

        submission = await self._db.transact(store)
        metrics.REVIEWS_SUBMITTED.inc()
        return submission

    async def post_parent(self, submission: Submission) -> ThreadOpened:
        """The new roadmap's parent message ("generating…"), remembered; raises ChannelUnavailable."""
        parent = ParentInfo(submission.profile, submission.user_id, "generating", roadmap_id=submission.roadmap_id)
        if self.shared is not None:
            channel_id, ts = await self.shared.post_for_submission(
                submission.roadmap_id, submission.version_id, submission.channel_id, parent
            )
            return ThreadOpened(channel_id, ts)
        ts = await self._publisher.post_parent(submission.channel_id, parent)
        await self._db.transact(
            lambda repos: repos.roadmaps.set_thread(submission.roadmap_id, submission.channel_id, ts)
        )
        return ThreadOpened(submission.channel_id, ts)

    async def open_thread(self, roadmap_id: int) -> ThreadOpened:
        """Post the parent message ("generating…") unless it is up, and remember it; raises ChannelUnavailable.

        Serialised per roadmap: a button pressed twice, or a retry racing a run, posts one parent message.
        """
        lock = self._thread_locks.setdefault(roadmap_id, asyncio.Lock())
        try:
            async with lock:
                return await self._open_thread(roadmap_id)
        finally:
            if not lock.locked():
                self._thread_locks.pop(roadmap_id, None)

    async def _open_thread(self, roadmap_id: int) -> ThreadOpened:
        async with self._db.unit_of_work() as repos:
            roadmap, profile = await load_roadmap(repos, roadmap_id)
            if roadmap.thread_ts and roadmap.channel_id:
                return ThreadOpened(roadmap.channel_id, roadmap.thread_ts)
            channel_id, owner, since = roadmap.channel_id, roadmap.owner_user_id or "", roadmap.created_at
        if channel_id is None:
            raise ChannelUnavailable("", "channel_not_found")
        # a run that stopped between posting its parent message and recording it (a crash) left that message up
        parent = ParentInfo(profile, owner, "generating", roadmap_id=roadmap_id)
        ts = await find_or_post(self._publisher, channel_id, roadmap_id, parent, since=since)
        await self._db.transact(lambda repos: repos.roadmaps.set_thread(roadmap_id, channel_id, ts))
        return ThreadOpened(channel_id, ts)
