"""A review's jobs behind one entry for the listeners: submissions, generation, publication and listings.

`ReviewService` composes them (they share the thread's reads and messages, bot/services/roadmap_threads.py) and keeps
what belongs to no single job: the hand-over from a submission's modal to its run, and the buttons that start one.
"""

from __future__ import annotations

import asyncio

from bot.engines.protocol import RoadmapEngine
from bot.services.engine_runs import EngineRuns
from bot.services.errors import ChannelUnavailable
from bot.services.exports import ExportService
from bot.services.generation import GenerationService, Handover, Job
from bot.services.listings import ListingService
from bot.services.nudges import NudgeService
from bot.services.ports import Directory, Notice, Publisher
from bot.services.publication import PublicationService
from bot.services.roadmap_threads import Messenger, ThreadOpened, load_roadmap, roadmap_for_thread
from bot.services.shared_threads import PARENT_WAIT, SharedThreads
from bot.services.submissions import Submission, Submissions
from bot.services.tasks import BackgroundTasks
from storage import Database
from storage.repositories.jobs import GenerationJob


class ReviewService:
    def __init__(
        self,
        database: Database,
        engine: RoadmapEngine,
        publisher: Publisher,
        people: Directory,
        tasks: BackgroundTasks,
        *,
        fallback: RoadmapEngine | None = None,
        nudges: NudgeService | None = None,
        exports: ExportService | None = None,
    ) -> None:
        self._db = database
        self._publisher = publisher
        self._tasks = tasks
        self._say = Messenger(publisher, people)
        self.submissions = Submissions(database, publisher, engine.name)
        self.publication = PublicationService(database, self._say, engine.name, nudges=nudges, exports=exports)
        runs = EngineRuns(engine, fallback, publisher)
        self.generation = GenerationService(
            database, runs, self.submissions, self.publication, self._say, people, tasks
        )
        self.listing = ListingService(database, people, nudges=nudges, exports=exports)
        # PostgreSQL with the job queue (bot/jobs.py): a submission's modal hands its parent message to a local run
        self._handovers: dict[int, Handover] = {}
        # the listeners' entry points, each one job's
        self.previous_answers = self.submissions.previous_answers
        self.submit = self.submissions.submit
        self.post_parent = self.submissions.post_parent
        self.open_thread = self.submissions.open_thread
        self.start = self.generation.start
        self.run = self.generation.run
        self.mark_interrupted = self.generation.mark_interrupted
        self.resume_interrupted = self.generation.resume_interrupted
        self.publish = self.publication.publish
        self.refresh_parent = self.publication.refresh_parent
        self.listings = self.listing.listings
        self.publish_home = self.listing.publish_home

    def queue_generation(self) -> None:
        """From now on generations are queued jobs (PostgreSQL, bot/jobs.py runs them) instead of local tasks."""
        self.submissions.shared = SharedThreads(self._db, self._publisher)

    @property
    def queued(self) -> bool:
        return self.submissions.shared is not None

    async def roadmap_for_thread(self, channel_id: str, thread_ts: str) -> int | None:
        return await roadmap_for_thread(self._db, channel_id, thread_ts)

    def start_submitted(
        self, submission: Submission, thread: asyncio.Future[ThreadOpened], told_in_modal: asyncio.Future[bool]
    ) -> None:
        """A fresh submission's run, started before the modal is answered: what the modal stored and the parent
        message it is posting are handed over, so the engine starts without reading anything back.

        `told_in_modal` resolves True when the modal itself showed the person that the thread could not open
        (the run then stays silent about it), False once the modal is closed.
        """
        if self.queued:  # the job is queued already; a local pick-up takes these over
            self._handovers[submission.version_id] = (thread, told_in_modal)
            self._tasks.spawn(
                self._unclaimed_refusal(submission, thread, told_in_modal), name=f"parent:{submission.roadmap_id}"
            )
            return
        job = Job(
            submission.roadmap_id,
            submission.profile,
            submission.user_id,
            submission.channel_id,
            submission.team_id,
            version_id=submission.version_id,
        )
        self.generation.start_job(job, submission.user_id, thread, told_in_modal)

    async def run_queued(self, queued: GenerationJob) -> str:
        """A queued generation (bot/jobs.py), with the modal's hand-over when this instance received the submission."""
        return await self.generation.run_queued(queued, lambda: self._handovers.pop(queued.version_id, (None, None)))

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
        profile = submission.profile
        lang = profile.language or "en"
        notice = Notice(refused.reason, profile.system_name, refused.channel_id, submission.roadmap_id, language=lang)
        await self._say.notify(submission.user_id, notice)

    async def repost(self, roadmap_id: int, *, user_id: str) -> None:
        """The "Post again" button: open the thread if it never opened, then (re)publish the latest version."""
        async with self._db.unit_of_work(readonly=True) as repos:
            latest = await repos.roadmaps.latest_version(roadmap_id)
            pending = await repos.roadmaps.latest_version(roadmap_id, ready_only=False)
        if latest is None:
            if pending is not None and pending.status == "generating":
                return  # still being generated; it will publish itself
            if self.queued:  # queued like any generation, so a crash cannot strand it
                await self.generation.enqueue_next(roadmap_id, user_id)
                return
            await self.run(roadmap_id, user_id=user_id)
            return
        try:
            await self.open_thread(roadmap_id)
        except ChannelUnavailable as exc:
            async with self._db.unit_of_work() as repos:
                _, profile = await load_roadmap(repos, roadmap_id)
            lang = profile.language or "en"
            await self._say.notify(
                user_id, Notice(exc.reason, profile.system_name, exc.channel_id, roadmap_id, language=lang)
            )
            return
        await self.publish(latest.id, user_id=user_id)

    def retry(self, roadmap_id: int, *, user_id: str) -> None:
        """The "Retry" button after a failed generation."""
        self.start(roadmap_id, user_id=user_id)
