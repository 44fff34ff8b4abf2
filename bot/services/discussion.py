"""Questions asked in a roadmap's thread, answered from that roadmap (its latest ready version and the team's
item statuses). No Slack payload shapes here: the listener hands over the channel, thread and text."""

from __future__ import annotations

from bot.roadmap import discussion
from storage import Database


class DiscussionService:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def answer(self, channel_id: str, thread_ts: str, question: str) -> discussion.Answer | None:
        """None when the thread is not a roadmap's (or its roadmap is not ready yet): nothing to answer from."""
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap = await repos.roadmaps.by_thread(channel_id, thread_ts)
            version = await repos.roadmaps.latest_version(roadmap.id) if roadmap else None
            content = version.roadmap_model if version else None
            if version is None or content is None:
                return None
            statuses = {item.item_key: item.status for item in await repos.items.list(version.id)}
        return discussion.answer(content, statuses, question)
