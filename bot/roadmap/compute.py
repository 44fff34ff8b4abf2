"""Where the CPU-bound roadmap work runs: the rules engine, grounding a prompt, assembling a model's answer.

Each is a pure function of picklable values, a few milliseconds long. Inline is right for the CLI and
tests; the server hands them to worker processes instead, so that when a burst of submissions arrives
the event loop keeps answering Slack (and its database round trips stay short) while the plans are
computed on another core.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")


class Compute(Protocol):
    def __call__(self, fn: Callable[..., R], /, *args: Any) -> Awaitable[R]: ...


async def inline(fn: Callable[..., R], /, *args: Any) -> R:
    return fn(*args)


def default_workers() -> int:
    """One worker beside the event loop when there is a second core to run it; none otherwise."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


def _warm() -> None:
    """Load the catalogue and the planner once per worker, not on its first roadmap."""
    from bot.roadmap.catalogue import load_catalogue

    load_catalogue()


class ProcessCompute:
    """Worker processes (spawned: the server has threads by then, and forking those is unsafe).

    A worker that dies (killed, out of memory) breaks the pool: the call then runs inline, and the
    next one gets a fresh pool, so a crash costs latency, never a roadmap. Workers that keep dying
    (MAX_RESTARTS pools in a row, say they cannot start at all) leave everything inline from then on.
    """

    MAX_RESTARTS = 3

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("ProcessCompute needs at least one worker; use `inline` for none")
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = self._new_pool()
        self._restarts = 0

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm)

    async def __call__(self, fn: Callable[..., R], /, *args: Any) -> R:
        pool = self._pool
        if pool is None:
            return fn(*args)
        try:
            result = await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            name = getattr(getattr(fn, "func", fn), "__name__", "the work")
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self._restarts += 1
                if self._restarts >= self.MAX_RESTARTS:
                    log.error("roadmap worker processes keep dying; planning on the event loop from now on")
                    self._pool = None
                else:
                    log.warning("a roadmap worker process died; running %s inline and starting new workers", name)
                    self._pool = self._new_pool()
            return fn(*args)
        self._restarts = 0
        return result

    async def start(self) -> None:
        """Start the workers now (each loads the catalogue) rather than on the first roadmap."""
        await asyncio.gather(*(self(_warm) for _ in range(self._workers)))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
