"""`scale-review serve` in HTTP mode with WEB_CONCURRENCY > 1: several server processes on one port.

One Python process plans, renders and posts on one core; a burst of submissions wants them all.
The parent migrates the database, opens the listening socket and starts the workers (spawned, each
a complete bot on that socket; the kernel hands each connection to one of them). Only worker 0
resumes interrupted reviews and runs the nudge sweeps. SIGTERM or SIGINT to the parent is passed
on, and each worker shuts down gracefully as a single server would; if a worker dies, the parent
stops the others and exits non-zero, so the platform restarts the whole service.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import socket
import threading
from types import FrameType

from bot.config import Settings, load_settings
from bot.database import open_database
from bot.server import SHUTDOWN_GRACE_S

log = logging.getLogger(__name__)

BACKLOG = 2048


def run_http_workers(settings: Settings) -> int:
    """Serve with `settings.web_concurrency` processes; returns the exit status."""
    settings.require_slack()
    asyncio.run(_migrate(settings))  # once, before any worker opens the database
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", settings.port))  # a server in a container listens on all interfaces
    listener.listen(BACKLOG)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(listener, index), name=f"scale-review-http-{index}")
        for index in range(settings.web_concurrency)
    ]
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping %d HTTP workers", signal.Signals(signum).name, len(workers))
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for worker in workers:
            worker.start()
        log.info("%d HTTP workers serving port %d", len(workers), settings.port)
        while not stop.wait(0.5):
            dead = [w for w in workers if not w.is_alive()]
            if dead:
                log.error("HTTP worker %s exited with %s; stopping the others", dead[0].name, dead[0].exitcode)
                break
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: the worker's graceful shutdown
        for worker in workers:
            worker.join(SHUTDOWN_GRACE_S + 10)
            if worker.is_alive():
                log.error("HTTP worker %s did not stop in time; killing it", worker.name)
                worker.kill()
                worker.join()
        listener.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    clean = stop.is_set() and all(w.exitcode == 0 for w in workers)
    return 0 if clean else 1


async def _migrate(settings: Settings) -> None:
    database = await open_database(settings)
    await database.dispose()


def _worker(listener: socket.socket, index: int) -> None:
    from bot.cli import run_fast
    from bot.logs import setup_logging
    from bot.server import serve

    settings = load_settings()  # the parent's environment, validated there already
    setup_logging(settings.log_level)
    run_fast(serve(settings, sock=listener, leader=index == 0))
