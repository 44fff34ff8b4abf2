"""`scale-review serve`: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT.

HTTP serves `POST /slack/events` (commands, interactivity and events share it) and
`GET /healthz`. On shutdown, background work gets a grace period to finish; what is still
running is recorded as interrupted and resumed at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

import uvicorn
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import Bot, build_bot
from bot.config import Settings
from bot.database import open_database
from bot.scheduler import Scheduler

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 20.0


def http_app(bot: Bot, *, on_startup: list | None = None, on_shutdown: list | None = None) -> Starlette:  # type: ignore[type-arg]
    handler = AsyncSlackRequestHandler(bot.app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        try:
            revision = await bot.database.current_revision()
        except Exception as exc:  # the point of a health check: report, don't raise
            return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
        return JSONResponse(
            {"ok": True, "database": "ok", "revision": revision, "background": bot.services.tasks.pending}
        )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        for hook in on_startup or []:
            await hook()
        yield
        for hook in on_shutdown or []:
            await hook()

    return Starlette(
        routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )


async def _shutdown(bot: Bot, scheduler: Scheduler) -> None:
    scheduler.stop()
    unfinished = await bot.close(SHUTDOWN_GRACE_S)
    if unfinished:
        log.warning("recorded %d unfinished task(s) for the next start: %s", len(unfinished), ", ".join(unfinished))
    await bot.database.dispose()


async def serve(settings: Settings) -> None:
    settings.require_slack()
    database = await open_database(settings)
    bot = build_bot(settings, database)
    scheduler = Scheduler(settings, bot.services)

    async def startup() -> None:
        resumed = await bot.services.reviews.resume_interrupted()
        if resumed:
            log.info("resuming %d interrupted review(s)", resumed)
        scheduler.start()

    if settings.slack_app_token is not None:
        await _socket_mode(bot, settings, startup, lambda: _shutdown(bot, scheduler))
        return
    config = uvicorn.Config(
        http_app(bot, on_startup=[startup], on_shutdown=[lambda: _shutdown(bot, scheduler)]),
        host="0.0.0.0",  # a server in a container listens on all interfaces
        port=settings.port,
        log_level=settings.log_level.lower(),
        lifespan="on",
    )
    log.info("serving Slack requests over HTTP on port %d (POST /slack/events, GET /healthz)", settings.port)
    await uvicorn.Server(config).serve()


async def _socket_mode(bot: Bot, settings: Settings, startup, shutdown) -> None:  # type: ignore[no-untyped-def]
    assert settings.slack_app_token is not None
    handler = AsyncSocketModeHandler(bot.app, settings.slack_app_token.get_secret_value())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await startup()
    await handler.connect_async()
    log.info("connected to Slack in Socket Mode")
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await handler.close_async()
        await shutdown()
