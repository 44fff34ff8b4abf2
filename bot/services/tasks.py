"""Background work after Slack's 3-second acknowledgement, tracked so shutdown can wait for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

OnUnfinished = Callable[[], Awaitable[None]]


@dataclass
class _Job:
    name: str
    on_unfinished: OnUnfinished | None


class BackgroundTasks:
    """Runs coroutines as tasks, logs their failures with context, and drains them on shutdown.

    Work still running when the drain times out is cancelled and its `on_unfinished` hook runs,
    so it is recorded (e.g. a roadmap version marked interrupted) rather than silently lost.
    """

    def __init__(self) -> None:
        self._jobs: dict[asyncio.Task[Any], _Job] = {}
        self._closed = False

    def spawn(
        self, coro: Coroutine[Any, Any, Any], *, name: str, on_unfinished: OnUnfinished | None = None
    ) -> asyncio.Task[Any]:
        if self._closed and asyncio.current_task() not in self._jobs:  # running work may still start its parts
            coro.close()
            raise RuntimeError(f"shutting down: not starting {name}")
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._jobs[task] = _Job(name, on_unfinished)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        job = self._jobs.pop(task, None)
        if task.cancelled() or job is None:
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %s failed", job.name, exc_info=exc)

    @property
    def pending(self) -> int:
        return len(self._jobs)

    async def wait_idle(self, limit: float | None = None) -> bool:
        """Wait until no task is running (tests and benchmarks use it); False after `limit` seconds."""
        deadline = None if limit is None else asyncio.get_running_loop().time() + limit
        while self._jobs:
            remaining = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if remaining is not None and remaining <= 0:
                return False
            await asyncio.wait(list(self._jobs), timeout=remaining)
        return True

    async def drain(self, grace: float) -> list[str]:
        """Stop accepting work, let running work finish for `grace` s, then cancel and record the rest."""
        self._closed = True
        if await self.wait_idle(grace):
            return []
        leftovers = list(self._jobs.items())
        for task, _ in leftovers:
            task.cancel()
        await asyncio.gather(*(task for task, _ in leftovers), return_exceptions=True)
        names = []
        for _, job in leftovers:
            names.append(job.name)
            if job.on_unfinished is not None:
                try:
                    await job.on_unfinished()
                except Exception:
                    log.exception("could not record unfinished task %s", job.name)
        return names
