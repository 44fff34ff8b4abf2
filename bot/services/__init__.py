"""Domain services: the review flow, item status, discussion, event de-duplication. No Slack payload shapes here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.discussion import DiscussionService
from bot.services.events import EventLog
from bot.services.exports import ExportService
from bot.services.items import ItemService
from bot.services.nudges import NudgeService
from bot.services.people import People
from bot.services.reviews import ReviewService
from bot.services.revisions import RevisionService
from bot.services.tasks import BackgroundTasks
from bot.services.thread_queries import ThreadQueries


@dataclass(frozen=True)
class Services:
    reviews: ReviewService
    items: ItemService
    nudges: NudgeService
    events: EventLog
    tasks: BackgroundTasks
    discussion: DiscussionService
    exports: ExportService
    people: People
    revisions: RevisionService
    queries: ThreadQueries
