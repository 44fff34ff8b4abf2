"""A correction written in a roadmap's thread ("the budget is now $2k/month") becomes a proposal the team confirms
in one click; Revise stores the amended answers and makes the next version (the diff machinery of "Edit answers"),
Cancel changes nothing. The proposal lives in the database, so a restart between message and click loses nothing.
No Slack shapes here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import Language
from bot.roadmap import amendment
from bot.roadmap.amendment import Change
from bot.roadmap.schema import SystemProfile
from bot.services.reviews import ReviewService
from bot.services.roadmap_threads import roadmap_in_thread
from storage import Database

log = logging.getLogger(__name__)

Outcome = Literal["applied", "cancelled", "already", "stale", "not_in_thread", "gone"]


@dataclass(frozen=True)
class Proposal:
    """What a thread message would change; `pending_id` is None when nothing can be proposed (refusals only)."""

    roadmap_id: int
    pending_id: int | None
    changes: tuple[Change, ...]
    refused: tuple[Change, ...]
    language: Language
    proposed_by: str | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    proposal: Proposal | None = None
    decided_by: str | None = None  # who decided it, when it was decided already


def _dump(changes: tuple[Change, ...]) -> list[dict[str, object]]:
    return [{"kind": c.kind, "before": c.before, "after": c.after, "detail": c.detail} for c in changes]


def message_day(ts: str, tz: str | None = None) -> date:
    """The day a Slack message was written (its ts is Unix seconds), where the roadmap's owner lives when known:
    a calendar deadline in it ("by June") counts from that day."""
    try:
        zone = ZoneInfo(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return datetime.fromtimestamp(float(ts), zone).date()


def _load(rows: object) -> tuple[Change, ...]:
    return tuple(Change(**row) for row in rows) if isinstance(rows, list) else ()


class AmendmentService:
    def __init__(self, database: Database, reviews: ReviewService) -> None:
        self._db = database
        self._reviews = reviews

    async def propose(
        self, channel_id: str, thread_ts: str, ts: str, user_id: str | None, text: str
    ) -> Proposal | None:
        """None when the message states no fact of the profile, the thread is not a roadmap's, or this message
        was proposed already (Slack's retry)."""
        claims = amendment.read_claims(text, today=message_day(ts))
        if not claims.any:
            return None
        async with self._db.unit_of_work() as repos:
            roadmap = await roadmap_in_thread(repos, channel_id, thread_ts)
            review = await repos.reviews.get(roadmap.review_id) if roadmap else None
            latest = await repos.roadmaps.latest_version(roadmap.id, ready_only=False) if roadmap else None
            if roadmap is None or review is None or latest is None:
                return None
            lang: Language = "ko" if review.language == "ko" else "en"
            local = message_day(ts, roadmap.owner_tz)
            if claims.dated is not None and local != claims.written_on:  # the owner's day, not UTC's
                claims = amendment.read_claims(text, today=local)
            profile = review.profile_model
            if profile.language is None:  # the amended answers keep the roadmap's language
                profile = profile.model_copy(update={"language": lang})
            read = amendment.amend(profile, claims)
            if not read.changes:
                if not read.refused:
                    return None
                return Proposal(roadmap.id, None, (), read.refused, lang, user_id)
            pending = await repos.pending.propose(
                roadmap.id,
                ts,
                proposed_by=user_id,
                base_version=latest.version,
                profile=read.profile.model_dump(mode="json"),
                changes={"changes": _dump(read.changes), "refused": _dump(read.refused)},
            )
            if pending is None:
                return None
            return Proposal(roadmap.id, pending.id, read.changes, read.refused, lang, user_id)

    async def decide(self, pending_id: int, user_id: str, *, revise: bool) -> Decision:
        """Revise or Cancel, once: a second click, a click by someone outside the thread, or a click after a newer
        version changes nothing and says why."""
        async with self._db.unit_of_work() as repos:
            pending = await repos.pending.get(pending_id)
            roadmap = await repos.roadmaps.get(pending.roadmap_id) if pending else None
            if pending is None or roadmap is None:
                return Decision("gone")
            review = await repos.reviews.get(roadmap.review_id)
            if review is None:
                return Decision("gone")
            lang: Language = "ko" if review.language == "ko" else "en"
            proposal = Proposal(
                roadmap.id,
                pending.id,
                _load(pending.changes.get("changes")),
                _load(pending.changes.get("refused")),
                lang,
                pending.proposed_by,
            )
            if pending.state != "pending":
                return Decision("already", proposal, pending.decided_by)
            member = user_id in (roadmap.owner_user_id, pending.proposed_by)
            if not member and not await repos.pending.in_thread(roadmap.id, user_id):
                return Decision("not_in_thread", proposal)
            if not revise:
                decided = await repos.pending.decide(pending.id, "cancelled", user_id)
                return Decision("cancelled" if decided else "already", proposal)
            latest = await repos.roadmaps.latest_version(roadmap.id, ready_only=False)
            if latest is not None and latest.version != pending.base_version:
                await repos.pending.decide(pending.id, "stale", user_id)
                return Decision("stale", proposal)
            if not await repos.pending.decide(pending.id, "applied", user_id):
                return Decision("already", proposal)
            await repos.reviews.replace_answers(review.id, SystemProfile.model_validate(pending.profile))
        log.info("profile of roadmap %s revised from its thread by %s", roadmap.id, user_id)
        self._reviews.start(roadmap.id, user_id=user_id)
        return Decision("applied", proposal, user_id)
