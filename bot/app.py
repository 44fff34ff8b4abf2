"""Building the Bolt app and its services from settings, with every dependency injectable (tests,
benchmarks and the server all use this one factory)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import listeners
from bot.config import WEEKDAYS, Settings
from bot.engines.compute import Compute, inline
from bot.engines.factory import default_engine
from bot.engines.protocol import RoadmapEngine
from bot.engines.rules import RulesEngine
from bot.i18n import t
from bot.listeners import errors, installs
from bot.services import Services
from bot.services.discussion import Discusser, DiscussionService
from bot.services.events import EventLog
from bot.services.exports import ExportService
from bot.services.items import ItemService
from bot.services.nudges import NudgeDefaults, NudgeService
from bot.services.people import People
from bot.services.reviews import ReviewService
from bot.services.revisions import RevisionService
from bot.services.tasks import BackgroundTasks
from bot.services.thread_queries import ThreadQueries
from bot.slack.client import WorkspaceClients, close_client, make_client
from bot.slack.installs import Installations
from bot.slack.publisher import SlackPublisher
from storage import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bot:
    app: AsyncApp
    services: Services
    client: AsyncWebClient
    database: Database
    engine: RoadmapEngine
    signing_secret: str | None = None  # HTTP mode: what the boundary verifies requests with
    installations: Installations | None = None  # OAuth distribution: each workspace's installation

    async def close(self, grace: float) -> list[str]:
        """Let background work finish (or record it), then release the HTTP sessions; returns unfinished work."""
        unfinished = await self.services.tasks.drain(grace)
        await close_client(self.client)
        await self.engine.aclose()
        return unfinished


def nudge_defaults(settings: Settings) -> NudgeDefaults:
    return NudgeDefaults(WEEKDAYS.index(settings.nudge_weekday), settings.nudge_time, settings.nudge_timezone)


def build_services(
    database: Database,
    client: AsyncWebClient | WorkspaceClients,
    settings: Settings,
    *,
    engine: RoadmapEngine | None = None,
    tasks: BackgroundTasks | None = None,
    compute: Compute = inline,
) -> Services:
    tasks = tasks or BackgroundTasks()
    publisher = SlackPublisher(client, compute=compute)
    rules = RulesEngine(compute)
    chosen = engine or rules
    fallback = rules if chosen.name != rules.name else None  # the rules engine stands in for any other one
    nudges = NudgeService(database, publisher, nudge_defaults(settings), page_size=settings.nudge_page_size)
    exports = ExportService(database, publisher, compute)
    reviews = ReviewService(
        database, chosen, publisher, publisher, tasks, fallback=fallback, nudges=nudges, exports=exports
    )
    items = ItemService(database, publisher, nudges)
    return Services(
        reviews=reviews,
        items=items,
        nudges=nudges,
        events=EventLog(database),
        tasks=tasks,
        discussion=DiscussionService(database, ask=chosen.discuss, count=chosen.count_tokens)
        if isinstance(chosen, Discusser)
        else DiscussionService(database),
        exports=exports,
        people=People(publisher, settings.default_language),
        revisions=RevisionService(database, reviews),
        queries=ThreadQueries(database, nudges),
    )


def create_app(
    settings: Settings, services: Services, client: AsyncWebClient, installations: Installations | None = None
) -> AsyncApp:
    """`installations`: the app is installed in many workspaces (OAuth); Bolt serves the install flow and
    authorizes each request with its workspace's token."""
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    oauth: dict[str, Any] = {}
    if installations is not None:
        oauth = {
            "oauth_settings": installations.oauth_settings,
            "authorize": installations.authorize,
            "installation_store": installations.store,
            "user_facing_authorize_error_message": not_installed_message(),
        }
    app = AsyncApp(
        client=client,
        signing_secret=secret,
        **oauth,
        # bot.slack.boundary verifies every HTTP request on its raw bytes before Bolt sees it, and Socket Mode
        # requests arrive over an authenticated WebSocket; Bolt gets the validated body as a dict.
        request_verification_enabled=False,
        # Listeners acknowledge, hand slow work to BackgroundTasks and return, so the response goes
        # out at once (Bolt's other mode polls for ack() every 10 ms) and shutdown can wait for the work.
        process_before_response=True,
    )
    listeners.register(app, services)
    installs.register(app, services.nudges, installations)

    errors.register(app, services.people)
    return app


def build_bot(
    settings: Settings,
    database: Database,
    *,
    client: AsyncWebClient | None = None,
    engine: RoadmapEngine | None = None,
    compute: Compute = inline,
) -> Bot:
    """`compute` runs the CPU-bound roadmap work (`serve` passes worker processes; tests run it inline)."""
    client = client or make_client(settings)
    engine = engine or default_engine(settings, compute)
    installations = Installations(settings, database.engine, client) if settings.oauth else None
    clients = WorkspaceClients(client, installations.bot_token if installations else None)
    services = build_services(database, clients, settings, engine=engine, compute=compute)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    app = create_app(settings, services, client, installations)
    return Bot(app, services, client, database, engine, secret, installations)


def not_installed_message() -> str:
    """What a person in a workspace without the app's installation reads (both languages: nothing tells which)."""
    return "\n".join(
        t(lang, ":warning: scale-review is no longer installed in this workspace. Ask an admin to install it again.")
        for lang in ("en", "ko")
    )
