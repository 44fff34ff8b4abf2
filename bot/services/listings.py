"""A person's roadmaps as listed by `/scale-review list` and on App Home: progress, nudges, links and charts."""

from __future__ import annotations

import asyncio
import logging

from bot.i18n import Language
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.exports import ExportService
from bot.services.nudge_digest import stage_progress
from bot.services.nudges import NudgeService
from bot.services.ports import Directory, RoadmapListing
from storage import Database

log = logging.getLogger(__name__)

LIST_LIMIT = 20


class ListingService:
    def __init__(
        self,
        database: Database,
        people: Directory,
        *,
        nudges: NudgeService | None = None,
        exports: ExportService | None = None,
    ) -> None:
        self._db = database
        self._people = people
        self._nudges = nudges
        self._exports = exports

    async def listings(self, team_id: str, user_id: str) -> list[RoadmapListing]:
        async with self._db.unit_of_work(readonly=True) as repos:
            workspace = await repos.workspaces.get(team_id)
            if workspace is None:
                return []
            summaries = await repos.roadmaps.list_for_user(workspace.id, user_id, limit=LIST_LIMIT)
            targets = await repos.nudges.targets([s.roadmap.id for s in summaries])
        ids = [s.roadmap.id for s in summaries]
        schedules = await self._nudges.views(ids) if self._nudges else {}
        links = await asyncio.gather(
            *(
                self._people.permalink(s.roadmap.channel_id, s.roadmap.thread_ts)
                if s.roadmap.channel_id and s.roadmap.thread_ts
                else _none()
                for s in summaries
            )
        )
        charts = await self._exports.chart_files(ids) if self._exports else {}
        listings = []
        for s, link in zip(summaries, links, strict=True):
            target = targets.get(s.roadmap.id)
            listings.append(
                RoadmapListing(
                    roadmap_id=s.roadmap.id,
                    system_name=s.system_name,
                    version=s.version,
                    closed_items=s.closed_items,
                    total_items=s.total_items,
                    permalink=link,
                    channel_id=s.roadmap.channel_id,
                    created_at=s.roadmap.created_at,
                    stages=stage_progress(target.items) if target and target.items else (),
                    nudges=schedules.get(s.roadmap.id),
                    chart_file_id=charts.get(s.roadmap.id),
                )
            )
        return listings

    async def publish_home(self, team_id: str, user_id: str, lang: Language = "en") -> None:
        """The App Home in the viewer's language (their roadmaps keep their own).

        Best effort: the next visit publishes it again, so a refusal (a user Slack does not know, a workspace
        that uninstalled) is a warning, never a failed task.
        """
        listings = await self.listings(team_id, user_id)
        try:
            await self._people.publish_home(user_id, listings, lang)
        except (PublishFailed, ChannelUnavailable) as exc:
            log.warning("App Home not published (%s)", exc)


async def _none() -> None:
    return None
