"""The Slack Web API client the bot uses: base URL from settings, 429s and dropped connections retried, and
the token of the workspace at hand when the app is installed in many (OAuth)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics, workspace
from bot.config import Settings

RATE_LIMIT_RETRIES = 3  # each waits for Slack's Retry-After


class _CountedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (it waits for Retry-After), counting each 429 for /metrics."""

    async def _can_retry_async(self, **kwargs: Any) -> bool:
        limited = await super()._can_retry_async(**kwargs)
        if limited:
            metrics.SLACK_RATE_LIMITED.inc()
        return limited


def make_client(settings: Settings, *, timeout: int = 15) -> AsyncWebClient:
    """Call from a running event loop: the client keeps one aiohttp session, so connections are reused
    (slack_sdk otherwise opens a session, and a TCP connection, per call). Close it with `close_client`."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        session=aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)),
        retry_handlers=[
            _CountedRateLimitRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


async def close_client(client: AsyncWebClient) -> None:
    if client.session is not None and not client.session.closed:
        await client.session.close()


TokenLookup = Callable[[str], Awaitable[str | None]]


class NotInstalled(Exception):
    """No token for the workspace at hand: it uninstalled the app, or the work names no workspace."""

    def __init__(self, team_id: str | None) -> None:
        super().__init__(f"the app is not installed in workspace {team_id}" if team_id else "no workspace given")
        self.team_id = team_id


class WorkspaceClients:
    """The Web API client for the workspace the work is for (bot.workspace).

    One workspace (SLACK_BOT_TOKEN): always the one client. Many (OAuth): a client with that workspace's own bot
    token, sharing the one HTTP session and retry handlers; the token is looked up per call, so a token rotated or
    deleted by any instance is seen at the next call.
    """

    def __init__(self, base: AsyncWebClient, tokens: TokenLookup | None = None) -> None:
        self.base = base
        self._tokens = tokens

    async def current(self) -> AsyncWebClient:
        if self._tokens is None:
            return self.base
        team_id = workspace.current()
        token = await self._tokens(team_id) if team_id else None
        if token is None:
            raise NotInstalled(team_id)
        return AsyncWebClient(
            token=token,
            base_url=self.base.base_url,
            timeout=self.base.timeout,
            session=self.base.session,
            retry_handlers=self.base.retry_handlers,
            logger=self.base.logger,
        )
