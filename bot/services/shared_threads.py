"""A roadmap's parent message when several instances share the work (PostgreSQL): one parent per roadmap.

A fresh submission's parent is posted by the instance that received it (it tells the person in the modal when the
channel is unusable). A queued run elsewhere waits for that parent (PARENT_WAIT, polling the database without
holding a connection) and posts it itself only when it never came: the submitting instance died in between.
The thread is recorded only where none is yet, so whichever parent is recorded first is the one both use.
Before posting a parent itself, a run looks in the channel for one marked with the roadmap's id (`find_or_post`):
an instance killed between posting its parent and recording it leaves it up, unrecorded, and it is used as is.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.ports import ParentInfo, Publisher
from storage import Database
from storage.types import utcnow

log = logging.getLogger(__name__)

# Far above what the submitting instance takes to post (under a second; seconds under heavy load), so a live
# submitter is never raced, and short next to a crash's cost (the person waits this long once).
PARENT_WAIT = timedelta(seconds=30)
POLL_S = 0.2


class Closed(Exception):
    """The version was closed while the run waited (its thread could not open and the person was told)."""


class SharedThreads:
    def __init__(self, database: Database, publisher: Publisher) -> None:
        self._db = database
        self._publisher = publisher

    async def post_for_submission(
        self, roadmap_id: int, version_id: int, channel_id: str, parent: ParentInfo
    ) -> tuple[str, str]:
        """The submitting instance's parent message; an unusable channel closes the version (the modal says why)."""
        try:
            ts = await self._publisher.post_parent(channel_id, replace(parent, roadmap_id=roadmap_id))
        except ChannelUnavailable as exc:
            reason = f"not started: {exc.reason}"
            await self._db.transact(lambda repos: repos.roadmaps.fail_version(version_id, reason))
            raise
        return await self._db.transact(lambda repos: repos.roadmaps.set_thread_once(roadmap_id, channel_id, ts))

    async def open(
        self, roadmap_id: int, version_id: int, parent: ParentInfo, *, wait_for_submitter: bool
    ) -> tuple[str, str]:
        """The thread a queued run posts into: already open, opened by the submitter while we wait, or opened here.

        Raises Closed when the version was closed meanwhile, ChannelUnavailable / PublishFailed when posting fails.
        """
        while True:
            async with self._db.unit_of_work(readonly=True) as repos:
                roadmap = await repos.roadmaps.get(roadmap_id)
                version = await repos.roadmaps.get_version(version_id)
            if roadmap is None or version is None:
                raise Closed(f"roadmap {roadmap_id} or its version {version_id} is gone")
            if roadmap.thread_ts and roadmap.channel_id:
                return roadmap.channel_id, roadmap.thread_ts
            if version.status != "generating":
                raise Closed(f"version {version_id} is {version.status}")
            if not wait_for_submitter or utcnow() - version.created_at >= PARENT_WAIT:
                break
            await asyncio.sleep(POLL_S)
        if roadmap.channel_id is None:
            raise ChannelUnavailable("", "channel_not_found")
        if wait_for_submitter:
            log.warning("roadmap %s: the submitting instance never posted its thread; posting it", roadmap_id)
        channel_id = roadmap.channel_id
        ts = await find_or_post(self._publisher, channel_id, roadmap_id, parent, since=roadmap.created_at)
        return await self._db.transact(lambda repos: repos.roadmaps.set_thread_once(roadmap_id, channel_id, ts))


async def find_or_post(
    publisher: Publisher, channel_id: str, roadmap_id: int, parent: ParentInfo, *, since: datetime
) -> str:
    """The roadmap's parent message: one already up but never recorded (its poster died in between), or a new one.

    A lookup that fails for any reason but the channel posts a new one: a second parent is better than no roadmap.
    """
    try:
        found = await publisher.find_parent(channel_id, roadmap_id, since)
    except PublishFailed as exc:
        log.warning("roadmap %s: could not look for its parent message (%s); posting one", roadmap_id, exc)
        found = None
    if found is not None:
        log.warning(
            "roadmap %s: using the parent message %s posted by a run that stopped before recording it",
            roadmap_id,
            found,
        )
        return found
    return await publisher.post_parent(channel_id, replace(parent, roadmap_id=roadmap_id))
