from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select

from bot.roadmap.schema import SystemProfile
from storage.models import REVIEW_SOURCES, Review
from storage.repositories._base import Repository, equals_or_null

ReviewSource = Literal["slack", "cli"]


class ReviewRepository(Repository):
    async def add(
        self,
        profile: SystemProfile,
        *,
        workspace_id: int | None = None,
        user_id: str | None = None,
        channel_id: str | None = None,
        source: ReviewSource = "cli",
    ) -> Review:
        if source not in REVIEW_SOURCES:
            raise ValueError(f"review source must be one of {', '.join(REVIEW_SOURCES)}, not {source!r}")
        review = Review(
            workspace_id=workspace_id,
            user_id=user_id,
            channel_id=channel_id,
            system_name=profile.system_name,
            profile=profile.model_dump(mode="json"),
            source=source,
            language=profile.language or "en",
        )
        self._session.add(review)
        await self._session.flush()
        return review

    async def get(self, review_id: int) -> Review | None:
        return await self._session.get(Review, review_id)

    async def replace_answers(self, review_id: int, profile: SystemProfile) -> Review:
        """New answers for a review being revised; each roadmap version keeps the plan they produced."""
        review = await self._session.get(Review, review_id)
        if review is None:
            raise LookupError(f"review {review_id} does not exist")
        review.system_name = profile.system_name
        review.profile = profile.model_dump(mode="json")
        review.language = profile.language or "en"
        await self._session.flush()
        return review

    async def latest_for_system(self, workspace_id: int | None, user_id: str | None, system_name: str) -> Review | None:
        """The user's newest review of a system, so a repeat ``/scale-review`` can start from their last answers."""
        query = (
            select(Review)
            .where(
                equals_or_null(Review.workspace_id, workspace_id),
                equals_or_null(Review.user_id, user_id),
                func.lower(Review.system_name) == system_name.strip().lower(),
            )
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(1)
        )
        return await self._session.scalar(query)

    async def latest_for_user(self, workspace_id: int | None, user_id: str | None) -> Review | None:
        query = (
            select(Review)
            .where(equals_or_null(Review.workspace_id, workspace_id), equals_or_null(Review.user_id, user_id))
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(1)
        )
        return await self._session.scalar(query)
