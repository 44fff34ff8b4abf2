"""Repositories: plain values and domain models in, ORM rows out. None of them commits; the unit of work does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.discussion import DiscussionRepository
from storage.repositories.events import EventRepository
from storage.repositories.items import ItemRepository, StatusChange
from storage.repositories.messages import MessageRefRepository, PostedMessage
from storage.repositories.nudges import NudgeRepository
from storage.repositories.pending import PendingRevisionRepository
from storage.repositories.reviews import ReviewRepository, ReviewSource
from storage.repositories.roadmaps import RoadmapRepository, RoadmapSummary, StoredVersion
from storage.repositories.workspaces import WorkspaceRepository


class Repositories:
    """All repositories of one unit of work, sharing its session and so its transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.workspaces = WorkspaceRepository(session)
        self.reviews = ReviewRepository(session)
        self.roadmaps = RoadmapRepository(session)
        self.items = ItemRepository(session)
        self.messages = MessageRefRepository(session)
        self.nudges = NudgeRepository(session)
        self.events = EventRepository(session)
        self.discussion = DiscussionRepository(session)
        self.pending = PendingRevisionRepository(session)


__all__ = [
    "DiscussionRepository",
    "EventRepository",
    "ItemRepository",
    "MessageRefRepository",
    "NudgeRepository",
    "PendingRevisionRepository",
    "PostedMessage",
    "Repositories",
    "ReviewRepository",
    "ReviewSource",
    "RoadmapRepository",
    "RoadmapSummary",
    "StatusChange",
    "StoredVersion",
    "WorkspaceRepository",
]
