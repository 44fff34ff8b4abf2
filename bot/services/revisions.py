"""Revising a roadmap from new answers ("Edit answers" on its parent message, or a correction confirmed in its
thread: see amendments.py): the answers are stored first, then a new version is generated into the same thread,
where statuses carry over and the summary says what changed. No Slack shapes here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap.schema import SystemProfile
from bot.services.amendments import AmendmentService
from bot.services.reviews import ReviewService
from storage import Database


@dataclass(frozen=True)
class Answers:
    """A roadmap's current answers, for the questionnaire opened to edit them."""

    roadmap_id: int
    profile: SystemProfile
    version: int | None
    channel_id: str | None


class RevisionService:
    def __init__(self, database: Database, reviews: ReviewService) -> None:
        self._db = database
        self._reviews = reviews
        self.from_thread = AmendmentService(database, reviews)  # corrections written in the thread, confirmed

    async def answers(self, roadmap_id: int) -> Answers:
        """LookupError when the roadmap does not exist (a stale button)."""
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap = await repos.roadmaps.get(roadmap_id)
            review = await repos.reviews.get(roadmap.review_id) if roadmap else None
            if roadmap is None or review is None:
                raise LookupError(f"roadmap {roadmap_id} does not exist")
            latest = await repos.roadmaps.latest_version(roadmap_id)
            return Answers(roadmap_id, review.profile_model, latest.version if latest else None, roadmap.channel_id)

    async def revise(self, roadmap_id: int, profile: SystemProfile, *, user_id: str) -> None:
        """Store the new answers, then generate and post the next version in the background."""
        async with self._db.unit_of_work() as repos:
            roadmap = await repos.roadmaps.get(roadmap_id)
            if roadmap is None:
                raise LookupError(f"roadmap {roadmap_id} does not exist")
            await repos.reviews.replace_answers(roadmap.review_id, profile)
        self._reviews.start(roadmap_id, user_id=user_id)
