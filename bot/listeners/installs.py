"""A workspace leaving: `app_uninstalled` and `tokens_revoked` (its bot's) forget its tokens and stop its nudges.

Bolt lets these two events through without a token (the token is void by then), so they reach us even for a
workspace whose installation is already gone; forgetting twice is harmless.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.services.nudges import NudgeService
from bot.slack.inbound import AppUninstalled, EventCallback, TokensRevoked
from bot.slack.installs import Installations

log = logging.getLogger(__name__)


def register(app: AsyncApp, nudges: NudgeService, installations: Installations | None) -> None:
    """`installations` is None for one workspace (SLACK_BOT_TOKEN): there is no stored token, the nudges still stop."""

    async def leave(team_id: str) -> None:
        paused = await nudges.pause_workspace(team_id)
        if installations is not None:
            await installations.forget(team_id)
        log.info("workspace %s removed the app: tokens forgotten, %d nudge schedule(s) paused", team_id, paused)

    @app.event("app_uninstalled")
    async def app_uninstalled(inbound: EventCallback) -> None:
        if isinstance(inbound.event, AppUninstalled):
            await leave(inbound.team_id)

    @app.event("tokens_revoked")
    async def tokens_revoked(inbound: EventCallback) -> None:
        # The app asks for no user tokens, so only a revoked bot token matters: without it nothing can be posted.
        if isinstance(inbound.event, TokensRevoked) and inbound.event.tokens.bot:
            await leave(inbound.team_id)
