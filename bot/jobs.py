"""Roadmap generation as a PostgreSQL job queue (pgqueuer), shared by every `scale-review serve` instance.

A submission commits its generation job with its answers (storage/repositories/jobs.py). Each instance runs a
pgqueuer worker: a job goes to one of them (FOR UPDATE SKIP LOCKED), which heartbeats it while it runs. When an
instance dies (SIGKILL, a lost machine), its jobs stop heartbeating and another instance's worker picks them
again after JOB_HEARTBEAT_SECONDS; the version's state in the database makes that rerun post the roadmap once.
On SIGTERM the worker takes no new jobs, lets running ones finish within the grace period, and hands back the
rest (queued again) for another instance. SQLite stays single-instance and generates in process.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import make_url

from bot.config import Settings
from bot.services import leases
from bot.services.reviews import ReviewService
from storage import Database
from storage.repositories.jobs import GENERATE, GenerationJob

if TYPE_CHECKING:
    import asyncpg
    from pgqueuer import Job, QueueManager

log = logging.getLogger(__name__)

HANDBACK_WAIT_S = 10.0
ATTEMPTS = 5  # a job whose run fails unexpectedly (the database away, say) is tried again this often
RETRY_AFTER = timedelta(seconds=10)


def queue_available(database: Database) -> bool:
    """The queue needs PostgreSQL through asyncpg (the driver its jobs are enqueued with)."""
    return database.dialect == "postgresql" and database.engine.dialect.driver == "asyncpg"


class GenerationWorker:
    """One instance's pgqueuer worker for generation jobs; `start` also switches the reviews to queued runs."""

    def __init__(self, database: Database, reviews: ReviewService, settings: Settings | None = None) -> None:
        """`settings`: the JOB_* knobs (bot/config.py); read from the environment when not given."""
        self._database = database
        self._reviews = reviews
        self._settings = settings or Settings()
        self._pool: asyncpg.Pool | None = None
        self._manager: QueueManager | None = None
        self._runner: asyncio.Task[None] | None = None
        self._running: dict[asyncio.Task[Any], Job] = {}
        self._handing_back = False

    @property
    def running(self) -> int:
        return len(self._running)

    async def start(self) -> None:
        import asyncpg
        from pgqueuer import Queries, QueueManager

        url = make_url(self._database.engine.url).set(drivername="postgresql")
        self._pool = await asyncpg.create_pool(url.render_as_string(hide_password=False), min_size=2, max_size=4)
        manager = QueueManager(Queries.from_asyncpg_pool(self._pool))
        manager.entrypoint(GENERATE)(self._generate)
        self._manager = manager
        self._reviews.queue_generation()
        heartbeat = timedelta(seconds=self._settings.job_heartbeat_seconds)
        self._runner = asyncio.create_task(
            manager.run(
                dequeue_timeout=heartbeat,  # also how often an idle worker looks for jobs whose worker went silent
                batch_size=10,
                max_concurrent_tasks=self._settings.job_concurrency,
                heartbeat_timeout=heartbeat,
            ),
            name="generation-queue",
        )
        self._runner.add_done_callback(_report_stop)
        log.info(
            "generation queue worker %s started (heartbeat %gs)", manager.queue_manager_id, heartbeat.total_seconds()
        )

    async def _generate(self, job: Job) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._running[task] = job
        held = leases.hold(lambda: self._still_holds(job))
        try:
            queued = GenerationJob.decode(job.payload)
            what = await self._reviews.run_queued(queued)
            log.info("generation job %s (version %s): %s", job.id, queued.version_id, what)
        except Exception as exc:  # the run tells the person about its own failures; this is everything else
            if job.attempts + 1 >= ATTEMPTS:
                log.exception("generation job %s failed %d times; giving up", job.id, ATTEMPTS)
                raise
            log.warning("generation job %s failed (%s: %s); trying again", job.id, type(exc).__name__, exc)
            from pgqueuer import RetryRequested

            raise RetryRequested(delay=RETRY_AFTER, reason=f"{type(exc).__name__}: {exc}"[:200]) from exc
        except asyncio.CancelledError:
            if self._handing_back:
                await asyncio.shield(self._hand_back(job))
            raise
        finally:
            leases.release(held)
            self._running.pop(task, None)

    async def _still_holds(self, job: Job) -> bool:
        """Whether this worker still holds the job: another one re-picks it when its heartbeat goes stale."""
        assert self._pool is not None and self._manager is not None
        holder = await self._pool.fetchval("SELECT queue_manager_id FROM pgqueuer WHERE id = $1", job.id)
        return holder == self._manager.queue_manager_id

    async def _hand_back(self, job: Job) -> None:
        """Queue the job again for another instance: this one is stopping before it finished."""
        from pgqueuer import Queries

        assert self._pool is not None
        try:
            await Queries.from_asyncpg_pool(self._pool).enqueue(GENERATE, job.payload)
        except Exception:  # the stale heartbeat still gets it picked again
            log.exception("could not hand back generation job %s; it is retried once its heartbeat goes stale", job.id)

    async def drain(self) -> list[str]:
        """Take no new jobs; let running ones finish for JOB_SHUTDOWN_GRACE_SECONDS; hand back the rest (returned)."""
        if self._manager is None or self._runner is None:
            return []
        self._manager.shutdown.set()
        handed: list[str] = []
        done, _ = await asyncio.wait({self._runner}, timeout=self._settings.job_shutdown_grace_seconds)
        if not done:
            self._handing_back = True
            for task, job in list(self._running.items()):
                handed.append(f"generation job {job.id}")
                task.cancel()
            await asyncio.wait({self._runner}, timeout=HANDBACK_WAIT_S)
        if not self._runner.done():
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        if self._pool is not None:
            await self._pool.close()
        return handed


def _report_stop(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the generation queue worker stopped", exc_info=task.exception())
