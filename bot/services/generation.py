"""Generating a version: in process (SQLite, one instance) or as a queued job any instance runs (PostgreSQL).

Both run the same way (`_run`): the thread opens while the engine starts, the roadmap is stored before any more Slack
calls depend on it, then it is published. The version's state in the database decides what a rerun has left to do,
so a queued job picked again after a crash never posts a roadmap twice; a version left 'generating' or 'failed'
can be generated again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot import workspace
from bot.engines.protocol import EngineResult
from bot.i18n import t
from bot.roadmap.schema import SystemProfile
from bot.services import leases
from bot.services.engine_runs import EngineRuns, LiveProgress, reason
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.ports import Directory, Notice, ParentInfo
from bot.services.publication import Publication, PublicationService, store_result, usage_note
from bot.services.roadmap_threads import Messenger, ThreadOpened, load_roadmap, team_of
from bot.services.shared_threads import Closed
from bot.services.submissions import Submissions
from bot.services.tasks import BackgroundTasks
from storage import Database, Repositories, StoredVersion
from storage.repositories.jobs import GenerationJob, JobRepository
from storage.repositories.roadmaps import AlreadyComplete

log = logging.getLogger(__name__)

Handover = tuple[asyncio.Future[ThreadOpened], asyncio.Future[bool]]

INTERRUPTED = "interrupted by a shutdown before it finished"
STALE_GENERATION = timedelta(minutes=15)  # longer than any engine may take, so it was a crash


@dataclass(frozen=True)
class Job:
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


class GenerationService:
    def __init__(
        self,
        database: Database,
        runs: EngineRuns,
        submissions: Submissions,
        publication: PublicationService,
        messenger: Messenger,
        people: Directory,
        tasks: BackgroundTasks,
    ) -> None:
        self._db = database
        self._runs = runs
        self._submissions = submissions
        self._publication = publication
        self._say = messenger
        self._people = people
        self._tasks = tasks

    def start(self, roadmap_id: int, *, user_id: str | None = None) -> None:
        """Generate and publish in the background (after Slack's acknowledgement)."""
        if self._submissions.shared is not None:
            self._tasks.spawn(self.enqueue_next(roadmap_id, user_id), name=f"enqueue:{roadmap_id}")
            return
        self._tasks.spawn(
            self.run(roadmap_id, user_id=user_id),
            name=f"review:{roadmap_id}",
            on_unfinished=lambda: self.mark_interrupted(roadmap_id),
        )

    def start_job(
        self,
        job: Job,
        user_id: str | None,
        thread: asyncio.Future[ThreadOpened] | None = None,
        told_in_modal: asyncio.Future[bool] | None = None,
    ) -> None:
        """An in-process run of a job known already (a fresh submission's: nothing is read back)."""
        self._tasks.spawn(
            self.run_job(job, user_id, thread, told_in_modal),
            name=f"review:{job.roadmap_id}",
            on_unfinished=lambda: self.mark_interrupted(job.roadmap_id),
        )

    async def enqueue_next(self, roadmap_id: int, user_id: str | None) -> None:
        async def store(repos: Repositories) -> None:
            version = await repos.roadmaps.start_version(roadmap_id, engine=self._runs.engine.name)
            await JobRepository(repos.session).enqueue(GenerationJob(version.id, user_id))

        await self._db.transact(store)

    async def run_queued(
        self,
        queued: GenerationJob,
        take_handover: Callable[[], Handover | tuple[None, None]] = lambda: (None, None),
    ) -> str:
        """A queued generation, on whichever instance picked it (again, after a crash): the version's state in the
        database decides what is left, so a rerun never posts a roadmap twice. Returns what it did, for the log.

        `take_handover`: the submission's parent message and modal, when this instance took the submission; taken
        only by a run that generates (one that finds the version closed leaves them to say why)."""
        async with self._db.unit_of_work(readonly=True) as repos:
            version = await repos.roadmaps.get_version(queued.version_id)
            if version is None:
                return "version gone"
            status, published, roadmap_id = version.status, version.published_at is not None, version.roadmap_id
            roadmap = await repos.roadmaps.get(roadmap_id)
            team_id = await team_of(repos, roadmap) if roadmap is not None else None
        workspace.bind(team_id)  # a queued job has no request behind it: its Slack calls use this team's token
        if status == "ready":
            if published:
                return "already posted"
            await self._publication.publish(queued.version_id, user_id=queued.user_id)  # completes a crash's leftover
            return "posting completed"
        if status != "generating":
            return f"closed ({status})"
        job = replace(await self._job(roadmap_id), version_id=queued.version_id, submitted=queued.submitted)
        thread, told = take_handover()
        await self.run_job(job, queued.user_id or job.owner, thread, told)
        return "generated"

    async def run(self, roadmap_id: int, *, user_id: str | None = None) -> None:
        """Open the thread if needed, generate a version, publish it; tell the user about any failure."""
        job = await self._job(roadmap_id)
        workspace.bind(job.team_id)  # a resumed review has no request behind it: its Slack calls use this team's token
        await self.run_job(job, user_id or job.owner)

    async def run_job(
        self,
        job: Job,
        notify_user: str | None,
        thread: asyncio.Future[ThreadOpened] | None = None,
        told_in_modal: asyncio.Future[bool] | None = None,
    ) -> None:
        try:
            await self._run(job, notify_user, thread, told_in_modal)
        except Exception as exc:  # anything unforeseen: logged with context, and the person is told
            log.exception("review of roadmap %s failed", job.roadmap_id)
            detail = f"an internal error ({type(exc).__name__}); it is logged"
            lang = job.profile.language or "en"
            notice = Notice("generation_failed", job.profile.system_name, job.channel_id, job.roadmap_id, detail, lang)
            await self._say.notify(notify_user, notice)

    async def _run(
        self,
        job: Job,
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
        attempt = asyncio.ensure_future(self._runs.attempt(job.profile, opened, job.owner or notify_user, job.team_id))
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
            await self._publication.post(publication, user_id=notify_user)

    async def _start_version(self, roadmap_id: int) -> int:
        async with self._db.unit_of_work() as repos:
            return (await repos.roadmaps.start_version(roadmap_id, engine=self._runs.engine.name)).id

    async def _not_started(
        self,
        job: Job,
        version_id: int,
        exc: ChannelUnavailable | PublishFailed,
        notify_user: str | None,
        told_in_modal: asyncio.Future[bool] | None,
    ) -> None:
        """No thread, so no roadmap: the attempt is closed (never resumed) and the person hears why, once."""
        name, lang = job.profile.system_name, job.profile.language or "en"
        if isinstance(exc, ChannelUnavailable):
            notice = Notice(exc.reason, name, exc.channel_id, job.roadmap_id, language=lang)
        else:
            notice = Notice("posting_failed", name, None, job.roadmap_id, exc.reason, language=lang)
        await self._db.transact(lambda repos: repos.roadmaps.fail_version(version_id, f"not started: {notice.kind}"))
        if told_in_modal is None or not await told_in_modal:
            await self._say.notify(notify_user, notice)

    async def _thread(self, job: Job, thread: asyncio.Future[ThreadOpened] | None) -> ThreadOpened:
        """The run's thread: known already, being opened by the modal, or opened now."""
        if job.thread_ts and job.channel_id:
            return ThreadOpened(job.channel_id, job.thread_ts)
        if thread is not None:
            try:
                return await thread
            except PublishFailed as exc:  # the modal's attempt failed on its way; try once more
                log.info("parent message for roadmap %s failed (%s); posting it again", job.roadmap_id, exc)
        shared = self._submissions.shared
        if shared is not None and job.version_id is not None:
            channel_id, ts = await shared.open(
                job.roadmap_id,
                job.version_id,
                ParentInfo(job.profile, job.owner or "", "generating"),
                wait_for_submitter=job.submitted and thread is None,
            )
            return ThreadOpened(channel_id, ts)
        return await self._submissions.open_thread(job.roadmap_id)

    async def _owner_timezone(self, user_id: str, *, after: asyncio.Future[ThreadOpened]) -> str | None:
        """The owner's Slack time zone for the weekly nudges; a lookup failure only means the default zone.

        Looked up once the parent message is out: the submission's modal waits for that message, not for this.
        """
        await asyncio.wait([after])
        if after.cancelled() or after.exception() is not None:
            return None  # no thread, so no roadmap to schedule nudges for
        try:
            return (await self._people.user_info(user_id)).timezone
        except Exception:
            log.exception("could not look up the time zone of %s", user_id)
            return None

    async def _job(self, roadmap_id: int) -> Job:
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap, profile = await load_roadmap(repos, roadmap_id)
            team_id = await team_of(repos, roadmap)
            return Job(
                roadmap_id,
                profile,
                roadmap.owner_user_id,
                roadmap.channel_id,
                team_id,
                thread_ts=roadmap.thread_ts,
                owner_tz=roadmap.owner_tz,
            )

    async def _conclude(
        self,
        job: Job,
        version_id: int,
        where: ThreadOpened,
        attempt: asyncio.Future[tuple[EngineResult, LiveProgress | None]],
        zone: asyncio.Future[str | None] | None,
        user_id: str | None,
    ) -> Publication | None:
        """Store the attempt's roadmap (before any more Slack calls), or its failure (said in the thread and to
        the person)."""
        owner, profile = job.owner, job.profile
        lang = profile.language or "en"
        try:
            result, live = await attempt
        except Exception as exc:
            log.exception("roadmap generation failed for roadmap %s version %s", job.roadmap_id, version_id)
            why = reason(exc)
            await self._db.transact(lambda repos: repos.roadmaps.fail_version(version_id, why))
            failed = ParentInfo(profile, owner or "", "failed", note=why)
            await self._say.update_parent(where.channel_id, where.ts, failed)
            notice = Notice("generation_failed", profile.system_name, where.channel_id, job.roadmap_id, why, lang)
            await self._say.notify(user_id or owner, notice)
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
            await self._publication.publish(version_id, user_id=user_id)  # what that run posted is updated
            return None
        if live is not None:
            count = sum(1 for _ in result.roadmap.items())
            await live.close(
                result.fallback_reason or t(lang, "Done: {count} items; the roadmap follows.", count=count)
            )
        version = stored.version
        return Publication(
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
            usage_note=usage_note(version.model, version.prompt_tokens, version.completion_tokens, version.cost_usd),
        )

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
