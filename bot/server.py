"""`scale-review serve`: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT.

HTTP serves `POST /slack/events` (commands, interactivity and events share it), `GET /healthz`, `/readyz`,
`/metrics`, and for an app installed in many workspaces (OAuth) `GET /slack/install` and `/slack/oauth_redirect`.
On shutdown, background work gets a grace period to finish; what is still running is recorded as interrupted
and resumed at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import uvicorn
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler, to_starlette_response
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import metrics
from bot.app import Bot, build_bot
from bot.config import ConfigError, Settings
from bot.database import open_database
from bot.engines.compute import ProcessCompute, inline
from bot.jobs import GenerationWorker, queue_available
from bot.roadmap.catalogue import load_catalogue
from bot.scheduler import Scheduler
from bot.slack import boundary
from bot.slack.boundary import Rejected
from bot.slack.installs import INSTALL_PATH, REDIRECT_PATH

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]  # what runs once at startup or shutdown (opening the database, draining)
SHUTDOWN_GRACE_S = 20.0
ACK_WINDOW_S = 3.0  # Slack's acknowledgement deadline: what is being handled at shutdown gets this long
# apps.connections.open errors that retrying cannot fix (slack_sdk would retry them every 10 s, forever)
_REJECTED_APP_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "account_inactive", "missing_scope"}
)


class _Server(uvicorn.Server):
    """uvicorn re-raises a captured SIGINT/SIGTERM after its graceful shutdown, so the process would die by
    the signal (status 143) although it stopped cleanly; handle the signals on the loop and return instead."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows; not the main thread
                loop.add_signal_handler(sig, self.handle_exit, sig, None)
                installed.append(sig)
        try:
            yield
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)


class _PagesServer(uvicorn.Server):
    """The install pages beside Socket Mode: stopped by Socket Mode's own signal handling, so it installs none."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _SocketModeHandler(AsyncSocketModeHandler):
    """Knows which envelopes are being handled, so shutdown lets them acknowledge before the socket closes."""

    def __init__(self, *args: Any, background: boundary.Background | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_flight: set[asyncio.Task[Any]] = set()
        self.background = background

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.in_flight.add(task)
        try:
            started = time.time()
            try:
                inbound = boundary.read_envelope(req.payload)
            except Rejected as rejected:  # acknowledged all the same, so Slack does not redeliver it
                log.warning("rejected a Socket Mode envelope (%s): %s", req.type, rejected)
                await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            response = await boundary.dispatch(self.app, inbound, build_headers(req), background=self.background)
            await send_async_response(client, req, response, started)
        finally:
            if task is not None:
                self.in_flight.discard(task)

    async def settle(self, limit: float) -> None:
        deadline = asyncio.get_running_loop().time() + limit
        while self.in_flight and (remaining := deadline - asyncio.get_running_loop().time()) > 0:
            await asyncio.wait(set(self.in_flight), timeout=remaining)


def http_app(bot: Bot, *, on_startup: list[Hook] | None = None, on_shutdown: list[Hook] | None = None) -> Starlette:
    secret = bot.signing_secret

    async def events(request: Request) -> Response:
        started = time.perf_counter()
        response = await _events(request)
        metrics.ACK_SECONDS.labels(str(response.status_code)).observe(time.perf_counter() - started)
        return response

    async def _events(request: Request) -> Response:
        try:
            raw = await _read_limited(request)
            if secret is None:
                raise Rejected(401, "SLACK_SIGNING_SECRET is not set, so no request can be verified")
            boundary.verify_signature(secret, request.headers, raw)
            inbound = boundary.read_inbound(boundary.parse_body(raw, request.headers.get("content-type")))
        except Rejected as rejected:
            log.warning("rejected a request to /slack/events: %s", rejected)
            return PlainTextResponse(rejected.reason, status_code=rejected.status)
        response = await boundary.dispatch(bot.app, inbound, request.headers, background=bot.services.tasks.spawn)
        return to_starlette_response(response)

    async def healthz(request: Request) -> Response:
        """The process is up and serving (a liveness probe: it never touches the database)."""
        return JSONResponse({"ok": True, "background": bot.services.tasks.pending})

    async def readyz(request: Request) -> Response:
        """Ready for traffic: the database answers (a readiness probe takes an instance out while it does not)."""
        try:
            revision = await bot.database.current_revision()
        except Exception as exc:  # the point of a readiness check: report, don't raise
            return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
        return JSONResponse(
            {"ok": True, "database": "ok", "revision": revision, "background": bot.services.tasks.pending}
        )

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        for hook in on_startup or []:
            await hook()
        yield
        for hook in on_shutdown or []:
            await hook()

    routes = [
        Route("/slack/events", events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    if bot.installations is not None:  # OAuth distribution: Bolt's install flow serves both pages
        oauth = AsyncSlackRequestHandler(bot.app)
        routes += [
            Route(INSTALL_PATH, oauth.handle, methods=["GET"]),
            Route(REDIRECT_PATH, oauth.handle, methods=["GET"]),
        ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _read_limited(request: Request) -> bytes:
    """The body, refused past MAX_BODY_BYTES without reading it all (a declared or an actual oversize)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > boundary.MAX_BODY_BYTES:
        raise Rejected(413, f"body over {boundary.MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > boundary.MAX_BODY_BYTES:
            raise Rejected(413, f"body over {boundary.MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _shutdown(
    bot: Bot, scheduler: Scheduler, compute: ProcessCompute | None, queue: GenerationWorker | None = None
) -> None:
    scheduler.stop()
    if queue is not None:  # running generations finish within the grace period; the rest go back to the queue
        handed_back = await queue.drain()
        if handed_back:
            log.warning("handed %d job(s) back to the queue: %s", len(handed_back), ", ".join(handed_back))
    unfinished = await bot.close(SHUTDOWN_GRACE_S)
    if unfinished:
        log.warning("recorded %d unfinished task(s) for the next start: %s", len(unfinished), ", ".join(unfinished))
    if compute is not None:
        await asyncio.to_thread(compute.close)
    await bot.database.dispose()


async def serve(settings: Settings, *, sock: socket.socket | None = None, leader: bool = True) -> None:
    """`sock`: an already listening socket shared by several HTTP worker processes (bot/http_workers.py); only
    the `leader` among them resumes interrupted reviews and runs the nudge sweeps."""
    settings.require_slack()
    database = await open_database(settings)
    workers = ProcessCompute(settings.roadmap_workers) if settings.roadmap_workers else None
    bot = build_bot(settings, database, compute=workers or inline)
    scheduler = Scheduler(settings, bot.services)
    # PostgreSQL: generations are jobs any instance runs (and picks again when one dies); SQLite: in process
    queue = GenerationWorker(database, bot.services.reviews) if queue_available(database) else None

    async def startup() -> None:
        if workers is not None:
            await workers.start()  # the first roadmap should not wait for a process to start
        # the catalogue is read once per process (~1 s of YAML): here, not inside the first burst of thread questions
        await asyncio.to_thread(load_catalogue)
        if queue is not None:
            await queue.start()
        if not leader:
            return
        # SQLite: what a shutdown interrupted or a crash left. PostgreSQL: the queue takes over a dead instance's
        # jobs; this still catches a version with no job behind it (left by a release before the queue).
        resumed = await bot.services.reviews.resume_interrupted()
        if resumed:
            log.info("resuming %d interrupted review(s)", resumed)
        scheduler.start()

    if settings.slack_app_token is not None:
        await _socket_mode(bot, settings, startup, lambda: _shutdown(bot, scheduler, workers, queue))
        return
    config = uvicorn.Config(
        http_app(bot, on_startup=[startup], on_shutdown=[lambda: _shutdown(bot, scheduler, workers, queue)]),
        host="0.0.0.0",  # a server in a container listens on all interfaces
        port=settings.port,
        log_level=settings.log_level.lower(),
        lifespan="on",
    )
    log.info("serving Slack requests over HTTP on port %d (POST /slack/events, GET /healthz)", settings.port)
    await _Server(config).serve(sockets=[sock] if sock is not None else None)


async def _socket_mode(bot: Bot, settings: Settings, startup: Hook, shutdown: Hook) -> None:
    assert settings.slack_app_token is not None
    handler = _SocketModeHandler(
        bot.app, settings.slack_app_token.get_secret_value(), background=bot.services.tasks.spawn
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows; not the main thread
            loop.add_signal_handler(sig, stop.set)
            signals.append(sig)
    stopping = asyncio.ensure_future(stop.wait())
    connecting: asyncio.Future[None] | None = None
    pages: _PagesServer | None = None
    serving_pages: asyncio.Future[None] | None = None
    try:
        try:  # once, up front: slack_sdk retries a rejected token every 10 s, forever
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in _REJECTED_APP_TOKEN:
                raise ConfigError(
                    f"SLACK_APP_TOKEN: Slack rejected the app-level token ({error}); "
                    "it needs the connections:write scope"
                ) from None
            raise
        await startup()
        if bot.installations is not None:  # OAuth: the install pages need HTTP beside the socket
            pages = _PagesServer(
                uvicorn.Config(http_app(bot), host="0.0.0.0", port=settings.port, log_level="warning", lifespan="off")
            )
            serving_pages = asyncio.ensure_future(pages.serve())
            log.info("serving the install pages over HTTP on port %d (GET /slack/install)", settings.port)
        connecting = asyncio.ensure_future(handler.connect_async())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)  # SIGTERM while connecting
        if connecting.done():
            connecting.result()
            log.info("connected to Slack in Socket Mode")
            await stopping
    finally:
        log.info("shutting down")
        for sig in signals:
            loop.remove_signal_handler(sig)
        for task in (stopping, connecting):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await handler.settle(ACK_WINDOW_S)  # envelopes being handled still acknowledge over the open socket
        await handler.close_async()
        if pages is not None and serving_pages is not None:
            pages.should_exit = True
            await asyncio.gather(serving_pages, return_exceptions=True)
        await shutdown()
