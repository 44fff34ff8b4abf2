"""In-process periodic jobs (APScheduler's asyncio scheduler): housekeeping now, nudges later."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.services import Services

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, settings: Settings, services: Services) -> None:
        self._settings = settings
        self._services = services
        self._scheduler = AsyncIOScheduler(timezone="UTC")

    def start(self) -> None:
        self._scheduler.add_job(
            self._sweep,
            "interval",
            seconds=self._settings.nudge_sweep_seconds,
            id="nudge-sweep",
            coalesce=True,  # after a pause, one run, not one per missed interval
            max_instances=1,  # a long sweep is never overlapped by the next one in this process
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.add_job(
            self._purge_events, "interval", hours=1, id="purge-events", coalesce=True, max_instances=1
        )
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def _sweep(self) -> None:
        try:
            report = await self._services.nudges.sweep()
        except Exception:
            log.exception("nudge sweep failed; the next one retries")
            return
        if report.sent or report.failed:
            log.info("nudge sweep: %d sent, %d failed", len(report.sent), len(report.failed))

    async def _purge_events(self) -> None:
        removed = await self._services.events.purge()
        log.debug("forgot %d handled event id(s)", removed)
