"""The review flow: store the answers, open the thread, generate, publish; and retry any step.

Every step commits what it learned before the next chat call depends on it, so a failure
leaves something the user can retry: answers without a thread can be posted again, a version
left 'generating' or 'failed' can be generated again, a half-posted roadmap is completed
(posted parts are updated, not duplicated).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot import metrics, workspace
from bot.engines.fallback import generate_with_fallback
from bot.engines.protocol import EngineResult, Progress, RoadmapEngine
from bot.i18n import Language, t
from bot.roadmap import revision
from bot.roadmap.schema import ItemStatus, Roadmap, SystemProfile
from bot.services import leases
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.exports import ExportService
from bot.services.nudges import NudgeService, stage_progress
from bot.services.ports import (
    MessageKey,
    Notice,
    NoticeKind,
    ParentInfo,
    ProgressSink,
    Publisher,
    RoadmapListing,
)
from bot.services.shared_threads import PARENT_WAIT, Closed, SharedThreads, find_or_post
from bot.services.tasks import BackgroundTasks
from storage import Database, GroupCommit, PostedMessage, Repositories, StoredVersion
from storage import Roadmap as StoredRoadmap
from storage.repositories.jobs import GenerationJob, JobRepository
from storage.repositories.roadmaps import AlreadyComplete

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted by a shutdown before it finished"
STALE_GENERATION = timedelta(minutes=15)  # longer than any engine may take, so it was a crash
LIST_LIMIT = 20


@dataclass(frozen=True)
class Submission:
    """Stored answers with their roadmap and its first version (started, so a crash leaves it to resume)."""

    review_id: int
    roadmap_id: int
    version_id: int
    team_id: str | None
    user_id: str
    channel_id: str
    profile: SystemProfile


@dataclass(frozen=True)
class PreviousAnswers:
    profile: SystemProfile
    created_at: datetime


@dataclass(frozen=True)
class ThreadOpened:
    channel_id: str
    ts: str


@dataclass(frozen=True)
class _Job:
    """What one generation run knows about its roadmap: read once, or handed over by the submission."""

    roadmap_id: int
    profile: SystemProfile
    owner: str | None
    channel_id: str | None
    team_id: str | None
    thread_ts: str | None = None
    owner_tz: str | None = None
    version_id: int | None = None  # a version already started for this run
    submitted: bool = False  # a fresh submission's queued run: the submitting instance posts the parent message


@dataclass(frozen=True)
class _Publication:
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


class ReviewService:
    def __init__(
        self,
        database: Database,
        engine: RoadmapEngine,
        publisher: Publisher,
        tasks: BackgroundTasks,
        *,
        fallback: RoadmapEngine | None = None,
        nudges: NudgeService | None = None,
        exports: ExportService | None = None,
    ) -> None:
        self._db = database
        self._nudges = nudges
        self._exports = exports  # the capacity chart under each posted version
        self._engine = engine
        self._fallback = fallback
        self._publisher = publisher
        self._tasks = tasks
        self._thread_locks: dict[int, asyncio.Lock] = {}
        # PostgreSQL with the job queue (bot/jobs.py): generations run as queued jobs on any instance.
        self._shared: SharedThreads | None = None
        self._handovers: dict[int, tuple[asyncio.Future[ThreadOpened], asyncio.Future[bool]]] = {}
        # Each posted message is stored before the next is posted; concurrent reviews share those commits.
        self._posted: GroupCommit[PostedMessage] = GroupCommit(database, _record_posted)

    def queue_generation(self) -> None:
        """From now on generations are queued jobs (PostgreSQL, bot/jobs.py runs them) instead of local tasks."""
        self._shared = SharedThreads(self._db, self._publisher)

    @property
    def queued(self) -> bool:
        return self._shared is not None

    # --- the questionnaire -------------------------------------------------------------

    async def previous_answers(
        self, team_id: str, user_id: str, system_name: str | None = None
    ) -> PreviousAnswers | None:
        """The user's latest answers, for that system when named, to prefill the modal."""
        async with self._db.unit_of_work(readonly=True) as repos:
            workspace = await repos.workspaces.get(team_id)
            if workspace is None:
                return None
            if system_name:
                review = await repos.reviews.latest_for_system(workspace.id, user_id, system_name)
            else:
                review = await repos.reviews.latest_for_user(workspace.id, user_id)
            if review is None:
                return None
            return PreviousAnswers(review.profile_model, review.created_at)

    async def submit(self, team_id: str, user_id: str, channel_id: str, profile: SystemProfile) -> Submission:
        """Store the answers first, in one transaction with the roadmap and its first version: whatever
        happens next, they are kept, and an interrupted first generation is resumed like any other."""

        async def store(repos: Repositories) -> Submission:
            workspace = await repos.workspaces.get_or_create(team_id)
            review = await repos.reviews.add(
                profile, workspace_id=workspace.id, user_id=user_id, channel_id=channel_id, source="slack"
            )
            roadmap, version = await repos.roadmaps.create_with_version(
                review.id, owner_user_id=user_id, channel_id=channel_id, engine=self._engine.name
            )
            if self._shared is not None:  # committed with the answers: no submission without its generation
                await JobRepository(repos.session).enqueue(GenerationJob(version.id, user_id, submitted=True))
            return Submission(review.id, roadmap.id, version.id, team_id, user_id, channel_id, profile)

        submission = await self._db.transact(store)
        metrics.REVIEWS_SUBMITTED.inc()
        return submission

    async def post_parent(self, submission: Submission) -> ThreadOpened:
        """The new roadmap's parent message ("generating…"), remembered; raises ChannelUnavailable."""
        if self._shared is not None:
            parent = ParentInfo(submission.profile, submission.user_id, "generating", roadmap_id=submission.roadmap_id)
            channel_id, ts = await self._shared.post_for_submission(
                submission.roadmap_id, submission.version_id, submission.channel_id, parent
            )
            return ThreadOpened(channel_id, ts)
        return await self._post_parent(
            submission.roadmap_id,
            submission.channel_id,
            ParentInfo(submission.profile, submission.user_id, "generating", roadmap_id=submission.roadmap_id),
        )

    # --- the thread --------------------------------------------------------------------

    async def open_thread(self, roadmap_id: int) -> ThreadOpened:
        """Post the parent message ("generating…") unless it is up, and remember it; raises ChannelUnavailable.

        Serialised per roadmap: a button pressed twice, or a retry racing a run, posts one parent message.
        """
        lock = self._thread_locks.setdefault(roadmap_id, asyncio.Lock())
        try:
            async with lock:
                return await self._open_thread(roadmap_id)
        finally:
            if not lock.locked():
                self._thread_locks.pop(roadmap_id, None)

    async def _open_thread(self, roadmap_id: int) -> ThreadOpened:
        async with self._db.unit_of_work() as repos:
            roadmap, profile = await self._load(repos, roadmap_id)
            if roadmap.thread_ts and roadmap.channel_id:
                return ThreadOpened(roadmap.channel_id, roadmap.thread_ts)
            channel_id, owner, since = roadmap.channel_id, roadmap.owner_user_id or "", roadmap.created_at
        if channel_id is None:
            raise ChannelUnavailable("", "channel_not_found")
        # a run that stopped between posting its parent message and recording it (a crash) left that message up
        parent = ParentInfo(profile, owner, "generating", roadmap_id=roadmap_id)
        ts = await find_or_post(self._publisher, channel_id, roadmap_id, parent, since=since)
        await self._db.transact(lambda repos: repos.roadmaps.set_thread(roadmap_id, channel_id, ts))
        return ThreadOpened(channel_id, ts)

    async def _post_parent(self, roadmap_id: int, channel_id: str, parent: ParentInfo) -> ThreadOpened:
        ts = await self._publisher.post_parent(channel_id, parent)
        await self._db.transact(lambda repos: repos.roadmaps.set_thread(roadmap_id, channel_id, ts))
        return ThreadOpened(channel_id, ts)

    def start(self, roadmap_id: int, *, user_id: str | None = None) -> None:
        """Generate and publish in the background (after Slack's acknowledgement)."""
        if self._shared is not None:
            self._tasks.spawn(self._enqueue_next(roadmap_id, user_id), name=f"enqueue:{roadmap_id}")
            return
        self._tasks.spawn(
            self.run(roadmap_id, user_id=user_id),
            name=f"review:{roadmap_id}",
            on_unfinished=lambda: self.mark_interrupted(roadmap_id),
        )

    def start_submitted(
        self, submission: Submission, thread: asyncio.Future[ThreadOpened], told_in_modal: asyncio.Future[bool]
    ) -> None:
        """A fresh submission's run, started before the modal is answered: what the modal stored and the parent
        message it is posting are handed over, so the engine starts without reading anything back.

        `told_in_modal` resolves True when the modal itself showed the person that the thread could not open
        (the run then stays silent about it), False once the modal is closed.
        """
        if self._shared is not None:  # the job is queued already; a local pick-up takes these over
            self._handovers[submission.version_id] = (thread, told_in_modal)
            self._tasks.spawn(
                self._unclaimed_refusal(submission, thread, told_in_modal), name=f"parent:{submission.roadmap_id}"
            )
            return
        job = _Job(
            submission.roadmap_id,
            submission.profile,
            submission.user_id,
            submission.channel_id,
            submission.team_id,
            version_id=submission.version_id,
        )
        self._tasks.spawn(
            self._run_job(job, submission.user_id, thread, told_in_modal),
            name=f"review:{submission.roadmap_id}",
            on_unfinished=lambda: self.mark_interrupted(submission.roadmap_id),
        )

    async def _enqueue_next(self, roadmap_id: int, user_id: str | None) -> None:
        async def store(repos: Repositories) -> None:
            version = await repos.roadmaps.start_version(roadmap_id, engine=self._engine.name)
            await JobRepository(repos.session).enqueue(GenerationJob(version.id, user_id))

        await self._db.transact(store)

    async def _unclaimed_refusal(
        self, submission: Submission, thread: asyncio.Future[ThreadOpened], told_in_modal: asyncio.Future[bool]
    ) -> None:
        """A queued submission whose channel refused the parent message while no local run took the hand-over
        (another instance runs it, and finds the version closed): the person hears why here, unless the modal said."""
        await asyncio.wait([thread])
        refused = None if thread.cancelled() else thread.exception()
        told = await told_in_modal
        if not isinstance(refused, ChannelUnavailable):
            # kept for a local pick-up a little longer, then dropped (another instance ran it)
            asyncio.get_running_loop().call_later(
                PARENT_WAIT.total_seconds() * 6, self._handovers.pop, submission.version_id, None
            )
            return
        if self._handovers.pop(submission.version_id, None) is None or told:
            return  # a local run took it over and tells the person itself, or the modal did
        notice = Notice(
            refused.reason,
            submission.profile.system_name,
            refused.channel_id,
            submission.roadmap_id,
            language=submission.profile.language or "en",
        )
        await self._notify(submission.user_id, notice)

    async def run_queued(self, queued: GenerationJob) -> str:
        """A queued generation, on whichever instance picked it (again, after a crash): the version's state in the
        database decides what is left, so a rerun never posts a roadmap twice. Returns what it did, for the log."""
        async with self._db.unit_of_work(readonly=True) as repos:
            version = await repos.roadmaps.get_version(queued.version_id)
            if version is None:
                return "version gone"
            status, published, roadmap_id = version.status, version.published_at is not None, version.roadmap_id
            roadmap = await repos.roadmaps.get(roadmap_id)
            team_id = await self._team_of(repos, roadmap) if roadmap is not None else None
        workspace.bind(team_id)  # a queued job has no request behind it: its Slack calls use this team's token
        if status == "ready":
            if published:
                return "already posted"
            await self.publish(queued.version_id, user_id=queued.user_id)  # completes what a crash left unposted
            return "posting completed"
        if status != "generating":
            return f"closed ({status})"
        job = replace(await self._job(roadmap_id), version_id=queued.version_id, submitted=queued.submitted)
        thread, told = self._handovers.pop(queued.version_id, (None, None))
        await self._run_job(job, queued.user_id or job.owner, thread, told)
        return "generated"

    async def run(self, roadmap_id: int, *, user_id: str | None = None) -> None:
        """Open the thread if needed, generate a version, publish it; tell the user about any failure."""
        job = await self._job(roadmap_id)
        workspace.bind(job.team_id)  # a resumed review has no request behind it: its Slack calls use this team's token
        await self._run_job(job, user_id or job.owner)

    async def _run_job(
        self,
        job: _Job,
        notify_user: str | None,
        thread: asyncio.Future[ThreadOpened] | None = None,
        told_in_modal: asyncio.Future[bool] | None = None,
    ) -> None:
        try:
            await self._run(job, notify_user, thread, told_in_modal)
        except Exception as exc:  # anything unforeseen: logged with context, and the person is told
            log.exception("review of roadmap %s failed", job.roadmap_id)
            detail = f"an internal error ({type(exc).__name__}); it is logged"
            await self._notify(
                notify_user,
                Notice(
                    "generation_failed",
                    job.profile.system_name,
                    job.channel_id,
                    job.roadmap_id,
                    detail,
                    language=job.profile.language or "en",
                ),
            )

    async def _run(
        self,
        job: _Job,
        notify_user: str | None,
        thread: asyncio.Future[ThreadOpened] | None,
        told_in_modal: asyncio.Future[bool] | None = None,
    ) -> None:
        version_id = job.version_id or await self._start_version(job.roadmap_id)
        # The engine starts at once: the parent message, the owner's time zone and the progress message are
        # Slack round trips it does not need, so they go on alongside it. The result is stored once the thread
        # is open (with the time zone, which starts the weekly nudges in the owner's zone).
        opened = asyncio.ensure_future(self._thread(job, thread))
        zone = asyncio.ensure_future(self._owner_timezone(job.owner, after=opened)) if job.owner else None
        attempt = asyncio.ensure_future(self._attempt(job, opened, notify_user))
        try:
            try:
                where = await opened
            except Closed as closed:
                attempt.cancel()
                await asyncio.gather(attempt, return_exceptions=True)
                log.info("roadmap %s: nothing to generate (%s)", job.roadmap_id, closed)
                return
            except (ChannelUnavailable, PublishFailed) as exc:
                attempt.cancel()
                await asyncio.gather(attempt, return_exceptions=True)
                await self._not_started(job, version_id, exc, notify_user, told_in_modal)
                return
            publication = await self._conclude(job, version_id, where, attempt, zone, notify_user)
        finally:
            for task in (opened, attempt, zone):
                if task is not None and not task.done():
                    task.cancel()
        if publication is not None:
            await self._publish(publication, user_id=notify_user)

    async def _start_version(self, roadmap_id: int) -> int:
        async with self._db.unit_of_work() as repos:
            return (await repos.roadmaps.start_version(roadmap_id, engine=self._engine.name)).id

    async def _not_started(
        self,
        job: _Job,
        version_id: int,
        exc: ChannelUnavailable | PublishFailed,
        notify_user: str | None,
        told_in_modal: asyncio.Future[bool] | None,
    ) -> None:
        """No thread, so no roadmap: the attempt is closed (never resumed) and the person hears why, once."""
        if isinstance(exc, ChannelUnavailable):
            notice = Notice(
                exc.reason,
                job.profile.system_name,
                exc.channel_id,
                job.roadmap_id,
                language=job.profile.language or "en",
            )
        else:
            notice = Notice(
                "posting_failed",
                job.profile.system_name,
                None,
                job.roadmap_id,
                exc.reason,
                language=job.profile.language or "en",
            )
        await self._db.transact(lambda repos: repos.roadmaps.fail_version(version_id, f"not started: {notice.kind}"))
        if told_in_modal is None or not await told_in_modal:
            await self._notify(notify_user, notice)

    async def _thread(self, job: _Job, thread: asyncio.Future[ThreadOpened] | None) -> ThreadOpened:
        """The run's thread: known already, being opened by the modal, or opened now."""
        if job.thread_ts and job.channel_id:
            return ThreadOpened(job.channel_id, job.thread_ts)
        if thread is not None:
            try:
                return await thread
            except PublishFailed as exc:  # the modal's attempt failed on its way; try once more
                log.info("parent message for roadmap %s failed (%s); posting it again", job.roadmap_id, exc)
        if self._shared is not None and job.version_id is not None:
            channel_id, ts = await self._shared.open(
                job.roadmap_id,
                job.version_id,
                ParentInfo(job.profile, job.owner or "", "generating"),
                wait_for_submitter=job.submitted and thread is None,
            )
            return ThreadOpened(channel_id, ts)
        return await self.open_thread(job.roadmap_id)

    async def _owner_timezone(self, user_id: str, *, after: asyncio.Future[ThreadOpened]) -> str | None:
        """The owner's Slack time zone for the weekly nudges; a lookup failure only means the default zone.

        Looked up once the parent message is out: the submission's modal waits for that message, not for this.
        """
        await asyncio.wait([after])
        if after.cancelled() or after.exception() is not None:
            return None  # no thread, so no roadmap to schedule nudges for
        try:
            return (await self._publisher.user_info(user_id)).timezone
        except Exception:
            log.exception("could not look up the time zone of %s", user_id)
            return None

    async def _job(self, roadmap_id: int) -> _Job:
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap, profile = await self._load(repos, roadmap_id)
            team_id = await self._team_of(repos, roadmap)
            return _Job(
                roadmap_id,
                profile,
                roadmap.owner_user_id,
                roadmap.channel_id,
                team_id,
                thread_ts=roadmap.thread_ts,
                owner_tz=roadmap.owner_tz,
            )

    # --- generation --------------------------------------------------------------------

    async def _attempt(
        self, job: _Job, opened: asyncio.Future[ThreadOpened], user_id: str | None
    ) -> tuple[EngineResult, _LiveProgress | None]:
        """The engine's roadmap (the rules engine standing in when another fails), with live progress in the thread
        once it is open. The progress message is left open for the caller to close once the roadmap is stored."""
        if not self._engine.streams_progress:
            return await self._generate(job.profile), None
        lang: Language = job.profile.language or "en"
        opening = asyncio.ensure_future(self._open_progress(opened, job.owner or user_id, job.team_id, lang))
        live = _LiveProgress(opening)
        try:
            result = await self._generate(job.profile, live.feed)
        except asyncio.CancelledError:
            opening.cancel()
            raise
        except Exception as exc:
            await live.close(t(lang, "Generation failed: {why}", why=_reason(exc)))
            raise
        return result, live

    async def _generate(self, profile: SystemProfile, feed: Progress | None = None) -> EngineResult:
        """The engine's run, counted for /metrics: how long it took, whether the rules stood in, tokens used."""
        started = time.monotonic()
        result = await generate_with_fallback(self._engine, self._fallback, profile, feed)
        metrics.GENERATION_SECONDS.labels(result.engine).observe(time.monotonic() - started)
        if result.fallback_reason:
            metrics.ENGINE_FALLBACKS.inc()
        if result.usage is not None:
            metrics.LLM_TOKENS.labels("prompt").inc(result.usage.prompt_tokens)
            metrics.LLM_TOKENS.labels("completion").inc(result.usage.completion_tokens)
        return result

    async def _conclude(
        self,
        job: _Job,
        version_id: int,
        where: ThreadOpened,
        attempt: asyncio.Future[tuple[EngineResult, _LiveProgress | None]],
        zone: asyncio.Future[str | None] | None,
        user_id: str | None,
    ) -> _Publication | None:
        """Store the attempt's roadmap (before any more Slack calls), or its failure (said in the thread and to
        the person)."""
        owner, profile = job.owner, job.profile
        try:
            result, live = await attempt
        except Exception as exc:
            log.exception("roadmap generation failed for roadmap %s version %s", job.roadmap_id, version_id)
            reason = _reason(exc)
            await self._db.transact(lambda repos: repos.roadmaps.fail_version(version_id, reason))
            await self._update_parent(
                where.channel_id, where.ts, ParentInfo(profile, owner or "", "failed", note=reason)
            )
            await self._notify(
                user_id or owner,
                Notice(
                    "generation_failed",
                    profile.system_name,
                    where.channel_id,
                    job.roadmap_id,
                    reason,
                    language=profile.language or "en",
                ),
            )
            return None
        tz = await zone if zone is not None else None

        async def store(repos: Repositories) -> StoredVersion:
            stored = await store_result(repos, version_id, result)
            if tz:
                await repos.roadmaps.set_owner_tz(job.roadmap_id, tz)
            return stored

        if not await leases.still_ours():
            log.warning("version %s: another instance took this job over; it stores and posts it", version_id)
            return None
        try:
            stored = await self._db.transact(store)
        except AlreadyComplete:  # the run this job was taken from stored it first; this one, holding the job, posts
            log.warning("version %s was stored by the run this job was taken from; posting it from here", version_id)
            await self.publish(version_id, user_id=user_id)  # what that run posted is updated, not posted again
            return None
        if live is not None:
            count = sum(1 for _ in result.roadmap.items())
            lang = job.profile.language or "en"
            await live.close(
                result.fallback_reason or t(lang, "Done: {count} items; the roadmap follows.", count=count)
            )
        version = stored.version
        return _Publication(
            version_id=version_id,
            number=version.version,
            roadmap_id=job.roadmap_id,
            channel_id=where.channel_id,
            thread_ts=where.ts,
            owner=owner or "",
            owner_tz=tz or job.owner_tz,
            content=result.roadmap,
            profile=profile,
            statuses=stored.statuses,
            existing={},  # a version that was generating until now has no messages yet
            change_note=version.change_summary,
            usage_note=_usage_note(version.model, version.prompt_tokens, version.completion_tokens, version.cost_usd),
        )

    async def _team_of(self, repos: Repositories, roadmap: StoredRoadmap) -> str | None:
        review = await repos.reviews.get(roadmap.review_id)
        if review is None or review.workspace_id is None:
            return None
        workspace = await repos.workspaces.by_id(review.workspace_id)
        return workspace.team_id if workspace else None

    async def _open_progress(
        self, opened: asyncio.Future[ThreadOpened], user_id: str | None, team_id: str | None, lang: Language = "en"
    ) -> ProgressSink | None:
        """Live progress in the thread once it is open; a failure here never stops the generation itself."""
        try:
            where = await asyncio.shield(opened)
        except (ChannelUnavailable, PublishFailed):
            return None  # the run says why
        try:
            return await self._publisher.open_progress(
                where.channel_id, where.ts, recipient_user_id=user_id, recipient_team_id=team_id, lang=lang
            )
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("no live progress in %s: %s", where.channel_id, exc)
            return None

    # --- publishing --------------------------------------------------------------------

    async def publish(self, version_id: int, *, user_id: str | None = None) -> bool:
        """Post (or complete, or refresh) a version's messages in its thread; True when all are up."""
        async with self._db.unit_of_work(readonly=True) as repos:
            version = await repos.roadmaps.get_version(version_id)
            content = version.roadmap_model if version is not None else None
            if version is None or content is None:
                raise LookupError(f"version {version_id} has no roadmap to publish")
            roadmap, profile = await self._load(repos, version.roadmap_id)
            publication = _Publication(
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
                usage_note=_usage_note(
                    version.model, version.prompt_tokens, version.completion_tokens, version.cost_usd
                ),
            )
        return await self._publish(publication, user_id=user_id)

    async def _publish(self, p: _Publication, *, user_id: str | None = None) -> bool:
        content, channel_id, thread_ts = p.content, p.channel_id, p.thread_ts
        notify_user = user_id or p.owner
        if channel_id is None or thread_ts is None:
            await self._notify(
                notify_user,
                Notice(
                    "not_in_channel",
                    p.profile.system_name,
                    channel_id,
                    p.roadmap_id,
                    language=p.profile.language or "en",
                ),
            )
            return False
        # The rules engine stood in for the AI engine (or the AI engine is newly configured): offer it.
        regenerate = p.roadmap_id if content.engine != self._engine.name and self._engine.name != "rules" else None

        async def record(kind: str, stage: int, part: int, ts: str) -> None:
            await self._posted.write(PostedMessage(p.version_id, kind, channel_id, ts, stage, part))
            if not await leases.still_ours():
                raise leases.Superseded

        if not await leases.still_ours():
            log.warning("version %s: another instance took this job over; it posts it", p.version_id)
            return False
        try:
            await self._publisher.publish_roadmap(
                channel_id,
                thread_ts,
                content,
                version=p.number,
                version_id=p.version_id,
                statuses=p.statuses,
                existing=p.existing,
                on_posted=record,
                change_note=p.change_note,
                usage_note=p.usage_note,
                regenerate_roadmap_id=regenerate,
            )
        except leases.Superseded:
            log.warning("version %s: another instance took this job over mid-posting; it completes it", p.version_id)
            return False
        except ChannelUnavailable as exc:
            await self._notify(
                notify_user,
                Notice(
                    exc.reason, p.profile.system_name, channel_id, p.roadmap_id, language=p.profile.language or "en"
                ),
            )
            return False
        except PublishFailed as exc:
            kind: NoticeKind = "rate_limited" if exc.reason == "ratelimited" else "posting_failed"
            notice = Notice(
                kind, p.profile.system_name, channel_id, p.roadmap_id, exc.reason, language=p.profile.language or "en"
            )
            await self._notify(notify_user, notice)
            return False
        await self._db.transact(lambda repos: repos.roadmaps.mark_published(p.version_id))
        schedule = None
        if self._nudges is not None:
            schedule = await self._nudges.ensure_schedule(p.roadmap_id, timezone=p.owner_tz, now=datetime.now(UTC))
        parent = ParentInfo(
            p.profile,
            p.owner,
            "ready",
            summary=content.summary,
            this_week=first_things(content),
            engine=content.engine,
            version=p.number,
            item_count=sum(1 for _ in content.items()),
            roadmap_id=p.roadmap_id,
            nudges=schedule,
        )
        await self._update_parent(channel_id, thread_ts, parent)
        if self._exports is not None:
            await self._exports.chart_after_publish(p.version_id)
        metrics.ROADMAPS_POSTED.inc()
        return True

    async def roadmap_for_thread(self, channel_id: str, thread_ts: str) -> int | None:
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap = await repos.roadmaps.by_thread(channel_id, thread_ts)
            return roadmap.id if roadmap else None

    async def refresh_parent(self, roadmap_id: int) -> None:
        """Re-render the thread's first message (after the nudge settings changed, say)."""
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap, profile = await self._load(repos, roadmap_id)
            version = await repos.roadmaps.latest_version(roadmap_id)
            content = version.roadmap_model if version else None
        if version is None or content is None or not roadmap.channel_id or not roadmap.thread_ts:
            return
        views = await self._nudges.views([roadmap_id]) if self._nudges else {}
        parent = ParentInfo(
            profile,
            roadmap.owner_user_id or "",
            "ready",
            summary=content.summary,
            this_week=first_things(content),
            engine=content.engine,
            version=version.version,
            item_count=sum(1 for _ in content.items()),
            roadmap_id=roadmap_id,
            nudges=views.get(roadmap_id),
        )
        await self._update_parent(roadmap.channel_id, roadmap.thread_ts, parent)

    async def repost(self, roadmap_id: int, *, user_id: str) -> None:
        """The "Post again" button: open the thread if it never opened, then (re)publish the latest version."""
        async with self._db.unit_of_work(readonly=True) as repos:
            latest = await repos.roadmaps.latest_version(roadmap_id)
            pending = await repos.roadmaps.latest_version(roadmap_id, ready_only=False)
        if latest is None:
            if pending is not None and pending.status == "generating":
                return  # still being generated; it will publish itself
            if self._shared is not None:  # queued like any generation, so a crash cannot strand it
                await self._enqueue_next(roadmap_id, user_id)
                return
            await self.run(roadmap_id, user_id=user_id)
            return
        try:
            await self.open_thread(roadmap_id)
        except ChannelUnavailable as exc:
            async with self._db.unit_of_work() as repos:
                _, profile = await self._load(repos, roadmap_id)
            await self._notify(
                user_id,
                Notice(exc.reason, profile.system_name, exc.channel_id, roadmap_id, language=profile.language or "en"),
            )
            return
        await self.publish(latest.id, user_id=user_id)

    def retry(self, roadmap_id: int, *, user_id: str) -> None:
        """The "Retry" button after a failed generation."""
        self.start(roadmap_id, user_id=user_id)

    async def mark_interrupted(self, roadmap_id: int) -> None:
        """Shutdown hook: the unfinished version is recorded, and the next start resumes it."""
        async with self._db.unit_of_work() as repos:
            pending = await repos.roadmaps.latest_version(roadmap_id, ready_only=False)
            if pending is not None and pending.status == "generating":
                await repos.roadmaps.fail_version(pending.id, INTERRUPTED)

    async def resume_interrupted(self, *, now: datetime | None = None) -> int:
        """At start: versions a shutdown interrupted, or a crash left 'generating' for too long, run again."""
        cutoff = (now or datetime.now(UTC)) - STALE_GENERATION
        async with self._db.unit_of_work() as repos:
            claimed = await repos.roadmaps.claim_unfinished(stale_before=cutoff, interrupted=INTERRUPTED)
        roadmap_ids = sorted({roadmap_id for _, roadmap_id in claimed})
        for roadmap_id in roadmap_ids:
            self.start(roadmap_id)
        return len(roadmap_ids)

    # --- listings ----------------------------------------------------------------------

    async def listings(self, team_id: str, user_id: str) -> list[RoadmapListing]:
        async with self._db.unit_of_work(readonly=True) as repos:
            workspace = await repos.workspaces.get(team_id)
            if workspace is None:
                return []
            summaries = await repos.roadmaps.list_for_user(workspace.id, user_id, limit=LIST_LIMIT)
            targets = await repos.nudges.targets([s.roadmap.id for s in summaries])
        schedules = await self._nudges.views([s.roadmap.id for s in summaries]) if self._nudges else {}
        links = await asyncio.gather(
            *(
                self._publisher.permalink(s.roadmap.channel_id, s.roadmap.thread_ts)
                if s.roadmap.channel_id and s.roadmap.thread_ts
                else _none()
                for s in summaries
            )
        )
        charts = await self._exports.chart_files([s.roadmap.id for s in summaries]) if self._exports else {}
        listings = []
        for s, link in zip(summaries, links, strict=True):
            target = targets.get(s.roadmap.id)
            schedule = schedules.get(s.roadmap.id)
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
                    nudges=schedule,
                    chart_file_id=charts.get(s.roadmap.id),
                )
            )
        return listings

    async def publish_home(self, team_id: str, user_id: str, lang: Language = "en") -> None:
        """The App Home in the viewer's language (their roadmaps keep their own)."""
        await self._publisher.publish_home(user_id, await self.listings(team_id, user_id), lang)

    # --- helpers -----------------------------------------------------------------------

    async def _load(self, repos: Repositories, roadmap_id: int):  # type: ignore[no-untyped-def]
        roadmap = await repos.roadmaps.get(roadmap_id)
        if roadmap is None:
            raise LookupError(f"roadmap {roadmap_id} does not exist")
        review = await repos.reviews.get(roadmap.review_id)
        assert review is not None
        return roadmap, review.profile_model

    async def _update_parent(self, channel_id: str, ts: str, parent: ParentInfo) -> None:
        try:
            await self._publisher.update_parent(channel_id, ts, parent)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("could not update the parent message %s in %s: %s", ts, channel_id, exc)

    async def _notify(self, user_id: str | None, notice: Notice) -> None:
        if not user_id:
            log.warning("no one to tell: %s for roadmap %s", notice.kind, notice.roadmap_id)
            return
        try:
            await self._publisher.notify(user_id, notice)
        except Exception:
            log.exception("could not tell %s about %s (roadmap %s)", user_id, notice.kind, notice.roadmap_id)


class _LiveProgress:
    """Progress lines for a message that opens alongside the engine. Lines written before it is open are kept
    and sent with the next one; a failing progress message never fails the generation (it is a courtesy)."""

    def __init__(self, opening: asyncio.Future[ProgressSink | None]) -> None:
        self._opening = opening
        self._backlog = ""
        self._broken = False

    async def feed(self, text: str) -> None:
        opening = self._opening
        if self._broken:
            return
        if not opening.done():
            self._backlog += text
            return
        if opening.cancelled() or opening.exception() is not None or (sink := opening.result()) is None:
            return
        text, self._backlog = self._backlog + text, ""
        try:
            await sink.append(text)
        except Exception as exc:
            self._broken = True
            log.warning("live progress stopped: %s", exc)

    async def close(self, text: str) -> None:
        sink = await self._opening
        if sink is None:
            return
        try:
            if self._backlog and not self._broken:
                await sink.append(self._backlog)
                self._backlog = ""
            await sink.finish(text)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("could not close the progress message: %s", exc)


def first_things(roadmap: Roadmap, count: int = 3) -> tuple[tuple[str, str], ...]:
    """The first items to start this week: stage 1 in the plan's order, leaving out what is held back."""
    ready = [i for i in roadmap.stages[0].items if not i.deferred]
    return tuple((i.id, i.title) for i in ready[:count])


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


async def _none() -> None:
    return None


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _usage_note(
    model: str | None, prompt_tokens: int | None, completion_tokens: int | None, cost_usd: Decimal | None
) -> str | None:
    """The AI engine's accounting, as the summary shows it."""
    if prompt_tokens is None or completion_tokens is None:
        return None
    cost = f"estimated ${cost_usd:.4f}" if cost_usd is not None else "cost unknown (no price for this model)"
    return f"{model or 'AI engine'}: {prompt_tokens:,} prompt + {completion_tokens:,} completion tokens, {cost}."
