"""Publishing a version into its thread: the roadmap's messages, then the parent message and the nudges' schedule.

Each posted message is stored before the next is posted, so a half-posted roadmap is completed (posted parts are
updated, not duplicated) by whichever run publishes the version again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from bot import metrics
from bot.engines.protocol import EngineResult
from bot.roadmap import revision
from bot.roadmap.schema import ItemStatus, Roadmap, SystemProfile
from bot.services import leases
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.exports import ExportService
from bot.services.nudges import NudgeService
from bot.services.ports import MessageKey, Notice, NoticeKind, RoadmapPost
from bot.services.roadmap_threads import Messenger, load_roadmap, ready_parent
from storage import Database, GroupCommit, PostedMessage, Repositories, StoredVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Publication:
    """Everything posting a version needs; read from the database, or known already right after generating."""

    version_id: int
    number: int
    roadmap_id: int
    channel_id: str | None
    thread_ts: str | None
    owner: str
    owner_tz: str | None
    content: Roadmap
    profile: SystemProfile
    statuses: Mapping[str, ItemStatus]
    existing: dict[MessageKey, str]
    change_note: str | None
    usage_note: str | None


class PublicationService:
    def __init__(
        self,
        database: Database,
        messenger: Messenger,
        engine_name: str,
        *,
        nudges: NudgeService | None = None,
        exports: ExportService | None = None,
    ) -> None:
        self._db = database
        self._say = messenger
        self._engine_name = engine_name
        self._nudges = nudges
        self._exports = exports  # the capacity chart under each posted version
        # Each posted message is stored before the next is posted; concurrent reviews share those commits.
        self._posted: GroupCommit[PostedMessage] = GroupCommit(database, _record_posted)

    async def publish(self, version_id: int, *, user_id: str | None = None) -> bool:
        """Post (or complete, or refresh) a version's messages in its thread; True when all are up."""
        async with self._db.unit_of_work(readonly=True) as repos:
            version = await repos.roadmaps.get_version(version_id)
            content = version.roadmap_model if version is not None else None
            if version is None or content is None:
                raise LookupError(f"version {version_id} has no roadmap to publish")
            roadmap, profile = await load_roadmap(repos, version.roadmap_id)
            publication = Publication(
                version_id=version_id,
                number=version.version,
                roadmap_id=roadmap.id,
                channel_id=roadmap.channel_id,
                thread_ts=roadmap.thread_ts,
                owner=roadmap.owner_user_id or "",
                owner_tz=roadmap.owner_tz,
                content=content,
                profile=profile,
                statuses=await repos.items.statuses(version_id),
                existing={(ref.kind, ref.stage, ref.part): ref.ts for ref in await repos.messages.list(version_id)},
                change_note=version.change_summary,
                usage_note=usage_note(
                    version.model, version.prompt_tokens, version.completion_tokens, version.cost_usd
                ),
            )
        return await self.post(publication, user_id=user_id)

    async def post(self, p: Publication, *, user_id: str | None = None) -> bool:
        """Post what `p` describes; a refusal is told to the person (`user_id`, else the owner)."""
        content, channel_id, thread_ts = p.content, p.channel_id, p.thread_ts
        notify_user = user_id or p.owner
        lang = p.profile.language or "en"
        if channel_id is None or thread_ts is None:
            notice = Notice("not_in_channel", p.profile.system_name, channel_id, p.roadmap_id, language=lang)
            await self._say.notify(notify_user, notice)
            return False
        # The rules engine stood in for the AI engine (or the AI engine is newly configured): offer it.
        regenerate = p.roadmap_id if content.engine != self._engine_name and self._engine_name != "rules" else None

        async def record(kind: str, stage: int, part: int, ts: str) -> None:
            await self._posted.write(PostedMessage(p.version_id, kind, channel_id, ts, stage, part))
            if not await leases.still_ours():
                raise leases.Superseded

        if not await leases.still_ours():
            log.warning("version %s: another instance took this job over; it posts it", p.version_id)
            return False
        post = RoadmapPost(
            channel_id=channel_id,
            thread_ts=thread_ts,
            roadmap=content,
            version=p.number,
            version_id=p.version_id,
            statuses=p.statuses,
            existing=p.existing,
            on_posted=record,
            change_note=p.change_note,
            usage_note=p.usage_note,
            regenerate_roadmap_id=regenerate,
        )
        try:
            await self._say.publisher.publish_roadmap(post)
        except leases.Superseded:
            log.warning("version %s: another instance took this job over mid-posting; it completes it", p.version_id)
            return False
        except ChannelUnavailable as exc:
            notice = Notice(exc.reason, p.profile.system_name, channel_id, p.roadmap_id, language=lang)
            await self._say.notify(notify_user, notice)
            return False
        except PublishFailed as exc:
            kind: NoticeKind = "rate_limited" if exc.reason == "ratelimited" else "posting_failed"
            notice = Notice(kind, p.profile.system_name, channel_id, p.roadmap_id, exc.reason, language=lang)
            await self._say.notify(notify_user, notice)
            return False
        await self._db.transact(lambda repos: repos.roadmaps.mark_published(p.version_id))
        schedule = None
        if self._nudges is not None:
            schedule = await self._nudges.ensure_schedule(p.roadmap_id, timezone=p.owner_tz, now=datetime.now(UTC))
        parent = ready_parent(p.profile, p.owner, content, version=p.number, roadmap_id=p.roadmap_id, nudges=schedule)
        await self._say.update_parent(channel_id, thread_ts, parent)
        if self._exports is not None:
            await self._exports.chart_after_publish(p.version_id)
        metrics.ROADMAPS_POSTED.inc()
        return True

    async def refresh_parent(self, roadmap_id: int) -> None:
        """Re-render the thread's first message (after the nudge settings changed, say)."""
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap, profile = await load_roadmap(repos, roadmap_id)
            version = await repos.roadmaps.latest_version(roadmap_id)
            content = version.roadmap_model if version else None
        if version is None or content is None or not roadmap.channel_id or not roadmap.thread_ts:
            return
        views = await self._nudges.views([roadmap_id]) if self._nudges else {}
        parent = ready_parent(
            profile,
            roadmap.owner_user_id or "",
            content,
            version=version.version,
            roadmap_id=roadmap_id,
            nudges=views.get(roadmap_id),
        )
        await self._say.update_parent(roadmap.channel_id, roadmap.thread_ts, parent)


async def store_result(repos: Repositories, version_id: int, result: EngineResult) -> StoredVersion:
    """A generated roadmap and what it cost, on its version row. A later version's change note says what changed
    since the one before it (items added, dropped, moved; the forecast), after a fallback's reason if any."""
    usage = result.usage
    notes = [result.fallback_reason] if result.fallback_reason else []
    started = await repos.roadmaps.get_version(version_id)
    previous = await repos.roadmaps.latest_version(started.roadmap_id) if started is not None else None
    before = previous.roadmap_model if previous is not None and previous.id != version_id else None
    if before is not None:
        notes.append(revision.describe(revision.compare(before, result.roadmap), result.roadmap.language))
    return await repos.roadmaps.complete_version(
        version_id,
        result.roadmap,
        engine=result.engine,
        model=result.model,
        change_summary=" ".join(notes) or None,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        cost_usd=Decimal(str(usage.cost_usd)) if usage and usage.cost_usd is not None else None,
    )


async def _record_posted(repos: Repositories, messages: Sequence[PostedMessage]) -> None:
    await repos.messages.record_many(messages)


def usage_note(
    model: str | None, prompt_tokens: int | None, completion_tokens: int | None, cost_usd: Decimal | None
) -> str | None:
    """The AI engine's accounting, as the summary shows it."""
    if prompt_tokens is None or completion_tokens is None:
        return None
    cost = f"estimated ${cost_usd:.4f}" if cost_usd is not None else "cost unknown (no price for this model)"
    return f"{model or 'AI engine'}: {prompt_tokens:,} prompt + {completion_tokens:,} completion tokens, {cost}."
