"""Where the CPU-bound roadmap work runs: the rules engine, grounding a prompt, assembling a model's answer.

Each is a pure function of picklable values, a few milliseconds long. Inline is right for the CLI and
tests; the server hands them to worker processes instead, so that when a burst of submissions arrives
the event loop keeps answering Slack (and its database round trips stay short) while the plans are
computed on another core.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
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
    """`bulk=True` marks work nobody is waiting on yet (rendering a finished roadmap's messages, which Slack's
    pace spreads out anyway): under load it yields to the work on the way to a model call or a stored
    roadmap."""

    def __call__(self, fn: Callable[..., R], /, *args: Any, bulk: bool = False) -> Awaitable[R]: ...


async def inline(fn: Callable[..., R], /, *args: Any, bulk: bool = False) -> R:
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

    The pool itself is first come, first served, so calls are handed to it here, in two lanes: at most
    one waiting per worker (enough to keep each busy while a result travels back), and the rest queued
    urgent-first. In a burst, an answer waiting to be checked then goes before the rendering of roadmaps
    that are already stored.
    """

    MAX_RESTARTS = 3

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("ProcessCompute needs at least one worker; use `inline` for none")
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = self._new_pool()
        self._restarts = 0
        self._slots = 2 * workers
        self._handed = 0  # calls now with the pool
        self._queued: list[tuple[bool, int, asyncio.Future[None]]] = []  # a heap: urgent (False) first, then by arrival
        self._arrivals = itertools.count()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm)

    async def __call__(self, fn: Callable[..., R], /, *args: Any, bulk: bool = False) -> R:
        if self._pool is None:
            return fn(*args)
        await self._turn(bulk)
        try:
            return await self._run(fn, *args)
        finally:
            self._hand_on()

    async def _turn(self, bulk: bool) -> None:
        if self._handed < self._slots and not self._queued:
            self._handed += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queued, (bulk, next(self._arrivals), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # the slot was ours already: pass it on
                self._hand_on()
            raise

    def _hand_on(self) -> None:
        """A call left the pool: its slot goes to the first queued call still waiting."""
        while self._queued:
            _, _, turn = heapq.heappop(self._queued)
            if not turn.done():
                turn.set_result(None)
                return
        self._handed -= 1

    async def _run(self, fn: Callable[..., R], /, *args: Any) -> R:
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
