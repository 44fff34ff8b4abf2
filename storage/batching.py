"""Group commit: many small writes from concurrent tasks share one transaction.

A write waits for its own commit, as with a transaction of its own, so callers keep their
ordering guarantees (e.g. "stored before the next Slack call"). While one batch commits, new
writes queue up, and the next transaction takes them all: no timer, no added latency when idle,
and under a burst the transaction count falls from one per write to one per round.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar

from storage.db import Database
from storage.repositories import Repositories

T = TypeVar("T")
WriteMany = Callable[[Repositories, Sequence[T]], Coroutine[Any, Any, None]]


class GroupCommit(Generic[T]):
    def __init__(self, database: Database, write_many: WriteMany[T], *, max_batch: int = 500) -> None:
        self._db = database
        self._write_many = write_many
        self._max_batch = max_batch
        self._queue: list[tuple[T, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    def _write_many_of(self, rows: list[T], repos: Repositories) -> Coroutine[Any, Any, None]:
        """One batch's write, bound to its rows now (the queue moves on while the transaction waits)."""
        return self._write_many(repos, rows)

    async def write(self, row: T) -> None:
        """Returns once the row is committed; raises what the batch's transaction raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((row, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        await done

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            waiting = [(row, done) for row, done in batch if not done.cancelled()]
            if not waiting:
                continue
            rows = [row for row, _ in waiting]
            try:
                await self._db.transact(functools.partial(self._write_many_of, rows))
            except asyncio.CancelledError:  # the loop is shutting down: no writer is left waiting forever
                for _, done in [*waiting, *self._queue]:
                    done.cancel()
                self._queue = []
                raise
            except Exception as exc:  # every writer of the batch hears of it
                for _, done in waiting:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in waiting:
                    if not done.done():
                        done.set_result(None)
