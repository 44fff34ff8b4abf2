"""OAuth distribution: installations in our database, the install flow's settings, and each workspace's token.

slack_sdk's async SQLAlchemy stores keep installations and one-time OAuth states on the bot's own engine
(tables from migration 0007). Bolt's installation-store authorize reads a workspace's installation and rotates
its tokens when they near expiry (with the refresh token the installation holds); the same authorize answers
Bolt's requests and the publisher's token lookups, so both see a rotated or deleted token alike.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from logging import Logger
from typing import Any
from urllib.parse import urljoin

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.slack.install_pages import failure as failure_page
from bot.slack.install_pages import success as success_page
from bot.slack.scopes import INSTALL_SCOPES

log = logging.getLogger(__name__)

AUTH_CACHE_SIZE = 10_000  # auth.test answers kept per token; rotation mints a token per workspace every 12 h
STATE_TTL_S = 600  # an install link is good for ten minutes
TOKEN_REFRESH_MINUTES = 120  # a rotating token is refreshed when it has less than this left (Bolt's default)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


class _Recent(dict[str, Any]):
    """A dict that forgets its oldest entries past `limit`: Bolt's per-token auth.test cache would otherwise grow
    with every rotated token for as long as the process runs."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        while len(self) > self._limit:
            del self[next(iter(self))]


class SignedStates(AsyncOAuthStateStore):
    """One-time states in the database, each signed with SLACK_STATE_SECRET.

    The database makes a state single-use across every instance (a replayed callback is refused); the signature
    refuses a forged or altered state before the database is asked, and ties states to this deployment's secret.
    """

    def __init__(self, inner: AsyncOAuthStateStore, secret: str) -> None:
        self._inner = inner
        self._key = secret.encode()

    @property
    def logger(self) -> Logger:
        return log

    def _sign(self, state: str) -> str:
        return hmac.new(self._key, state.encode(), hashlib.sha256).hexdigest()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = await self._inner.async_issue(*args, **kwargs)
        return f"{state}.{self._sign(state)}"

    async def async_consume(self, state: str) -> bool:
        raw, _, signature = state.rpartition(".")
        if not raw or not hmac.compare_digest(signature, self._sign(raw)):
            log.warning("refused an OAuth callback whose state is not signed by this app")
            return False
        if not await self._inner.async_consume(raw):
            log.warning("refused an OAuth callback whose state was already used or has expired")
            return False
        return True


class Installations:
    """Each workspace's installation: its bot token (rotated when due) and forgetting it on uninstall."""

    def __init__(self, settings: Settings, engine: AsyncEngine, client: AsyncWebClient) -> None:
        assert settings.slack_client_id and settings.slack_client_secret and settings.slack_state_secret
        client_id, client_secret = settings.slack_client_id, settings.slack_client_secret.get_secret_value()
        self._client = client
        self.store = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)
        # Bolt's settings would build their own authorize, whose token refreshes call slack.com whatever the
        # client's base URL; this one refreshes through our client, and caches auth.test per token.
        self.authorize = AsyncInstallationStoreAuthorize(
            logger=log,
            installation_store=self.store,
            client_id=client_id,
            client_secret=client_secret,
            token_rotation_expiration_minutes=TOKEN_REFRESH_MINUTES,
            cache_enabled=True,
            client=client,
            # a bot-only app: the bots table alone answers (one query), and rotation saves there too
            bot_only=True,
        )
        self.authorize.authorize_result_cache = _Recent(AUTH_CACHE_SIZE)
        self.oauth_settings = AsyncOAuthSettings(
            client_id=client_id,
            client_secret=client_secret,
            scopes=sorted(INSTALL_SCOPES),
            user_scopes=[],
            redirect_uri=settings.slack_redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            # straight on to Slack's consent screen: no page of ours in between to translate
            install_page_rendering_enabled=False,
            authorization_url=authorization_url(settings.slack_api_url),
            callback_options=AsyncCallbackOptions(success=success_page, failure=failure_page),
            installation_store=self.store,
            installation_store_bot_only=True,
            token_rotation_expiration_minutes=TOKEN_REFRESH_MINUTES,
            state_store=SignedStates(
                AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_TTL_S, engine=engine, logger=log),
                settings.slack_state_secret.get_secret_value(),
            ),
            state_expiration_seconds=STATE_TTL_S,
            logger=log,
        )

    async def bot_token(self, team_id: str) -> str | None:
        """The workspace's bot token, refreshed first when it is about to expire; None when it is not installed."""
        context = AsyncBoltContext({"client": self._client})
        result = await self.authorize(context=context, enterprise_id=None, team_id=team_id, user_id=None)
        return result.bot_token if result is not None else None

    async def forget(self, team_id: str) -> None:
        """The app was uninstalled, or its bot token revoked: every token of the workspace goes."""
        await self.store.async_delete_all(enterprise_id=None, team_id=team_id)
        log.info("forgot the installation of workspace %s", team_id)


def authorization_url(api_url: str) -> str:
    """Slack's consent screen lives beside the Web API: https://slack.com/api/ -> https://slack.com/oauth/v2/authorize
    (and, in tests, on the fake Slack's host)."""
    return urljoin(api_url, "../oauth/v2/authorize")
