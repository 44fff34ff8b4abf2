"""The Slack Web API client the bot uses: base URL from settings, 429s and dropped connections retried."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
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
