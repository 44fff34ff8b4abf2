"""What the fake servers share: an aiohttp app on its own thread and loop, and waiting for what it records.

A test talks to a fake from its own event loop (or from plain threads), so the fake runs elsewhere and wakes
waiters across threads: a Condition for blocking waits, per-loop Events for async ones (no polling).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from aiohttp import web

_T = TypeVar("_T")


class FakeServer:
    """Subclasses build the app (`_app`) and say what to record; this runs it and wakes waiters."""

    shutdown_timeout = 0.5  # in-flight responses get this long when the server stops

    def __init__(self, host: str) -> None:
        self.host = host
        self.violations: list[str] = []
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._port: int | None = None
        self._start_error: BaseException | None = None

    # ------------------------------------------------------------------ to override

    def _app(self) -> web.Application:
        raise NotImplementedError

    def _runner(self, app: web.Application) -> web.AppRunner:
        return web.AppRunner(app, access_log=None, shutdown_timeout=self.shutdown_timeout)

    def _started(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called on the server's loop before it listens."""

    def _stopping(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called from the stopping thread, before the loop stops (use loop.call_soon_threadsafe)."""

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            name = type(self).__name__
            raise RuntimeError(f"{name} is not running: use `with {name}() as fake:` or call start()")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Start the server thread and wait until it listens."""
        if self._thread is not None:
            return self
        name = type(self).__name__
        ready = threading.Event()
        self._start_error = None
        self._thread = threading.Thread(target=self._serve, args=(ready,), name=name, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{name} did not start within 10 s")
        if self._start_error is not None:
            self._thread.join(1)
            self._thread = None
            raise RuntimeError(f"{name} failed to start") from self._start_error
        return self

    def stop(self) -> None:
        """Stop the server and its thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self._stopping(loop)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None
        self._port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        runner: web.AppRunner | None = None
        try:
            self._started(loop)
            runner = self._runner(self._app())
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.host, 0, backlog=1024)
            loop.run_until_complete(site.start())
            self._port = int(runner.addresses[0][1])
        except BaseException as exc:
            self._start_error = exc
            ready.set()
            if runner is not None:
                loop.run_until_complete(runner.cleanup())
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    # ------------------------------------------------------------------ waiting

    def _notify(self) -> None:
        """Wake every waiter (sync and async) to re-check its condition."""
        with self._changed:
            self._changed.notify_all()
            waiters = list(self._async_waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # the waiter's loop is closed
                loop.call_soon_threadsafe(event.set)

    def _wait(self, check: Callable[[], _T | None], limit: float, explain: Callable[[], str], *, name: str) -> _T:
        """Block until ``check()`` (called under the lock) returns something other than None; ``explain()`` says
        what was awaited and what came instead. For threads only:
        blocking a running event loop would also block the code that is to make ``check`` true."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError(f"{name}() would block the running event loop; use {name}_async()")
        deadline = time.monotonic() + limit
        with self._changed:
            while (found := check()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"waited {limit}s for {explain()}")
                self._changed.wait(remaining)
            return found

    async def _wait_async(self, check: Callable[[], _T | None], limit: float, explain: Callable[[], str]) -> _T:
        """Await until ``check()`` (called under the lock) returns something other than None; woken by _notify."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        deadline = loop.time() + limit
        with self._lock:
            self._async_waiters.append(waiter)
        try:
            while True:
                event.clear()
                with self._lock:
                    found = check()
                    if found is not None:
                        return found
                remaining = deadline - loop.time()
                if remaining <= 0:
                    with self._lock:
                        raise AssertionError(f"waited {limit}s for {explain()}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            with self._lock:
                self._async_waiters.remove(waiter)
