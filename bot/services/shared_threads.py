"""A roadmap's parent message when several instances share the work (PostgreSQL): posted once, by whichever
instance holds the roadmap's row lock while it posts.

A fresh submission's parent is posted by the instance that received it (it tells the person in the modal when the
channel is unusable). A queued run elsewhere waits for that parent for a while (PARENT_WAIT) and posts it itself
only when it never came: the submitting instance died in between.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.services.errors import ChannelUnavailable
from bot.services.ports import ParentInfo, Publisher
from storage import Database
from storage.types import utcnow

log = logging.getLogger(__name__)

PARENT_WAIT = timedelta(seconds=10)  # Slack's 3 s acknowledgement plus a slow chat.postMessage, with room
POLL_S = 0.1


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
        refused: ChannelUnavailable | None = None
        async with self._db.unit_of_work() as repos:
            roadmap = await repos.roadmaps.locked(roadmap_id)
            if roadmap.thread_ts and roadmap.channel_id:
                return roadmap.channel_id, roadmap.thread_ts  # a queued run elsewhere posted it meanwhile
            try:
                ts = await self._publisher.post_parent(channel_id, parent)
            except ChannelUnavailable as exc:
                refused = exc
                await repos.roadmaps.fail_version(version_id, f"not started: {exc.reason}")
            else:
                await repos.roadmaps.set_thread(roadmap_id, channel_id, ts)
                return channel_id, ts
        raise refused

    async def open(
        self, roadmap_id: int, version_id: int, parent: ParentInfo, *, wait_for_submitter: bool
    ) -> tuple[str, str]:
        """The thread a queued run posts into: already open, opened by the submitter while we wait, or opened here.

        Raises Closed when the version was closed meanwhile, ChannelUnavailable / PublishFailed when posting fails.
        """
        while True:
            async with self._db.unit_of_work() as repos:
                roadmap = await repos.roadmaps.locked(roadmap_id)
                if roadmap.thread_ts and roadmap.channel_id:
                    return roadmap.channel_id, roadmap.thread_ts
                version = await repos.roadmaps.get_version(version_id)
                if version is None or version.status != "generating":
                    raise Closed(f"version {version_id} is {version.status if version else 'gone'}")
                waiting = wait_for_submitter and utcnow() - version.created_at < PARENT_WAIT
                if not waiting:
                    if roadmap.channel_id is None:
                        raise ChannelUnavailable("", "channel_not_found")
                    if wait_for_submitter:
                        log.warning(
                            "roadmap %s: the submitting instance never posted its thread; posting it", roadmap_id
                        )
                    ts = await self._publisher.post_parent(roadmap.channel_id, parent)
                    await repos.roadmaps.set_thread(roadmap_id, roadmap.channel_id, ts)
                    return roadmap.channel_id, ts
            await asyncio.sleep(POLL_S)
