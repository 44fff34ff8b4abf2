"""The fake Slack's OAuth side: a consent screen that approves at once, ``oauth.v2.access``, per-workspace tokens.

Slack's flow (docs.slack.dev/authentication/installing-with-oauth): the app sends the browser to
``/oauth/v2/authorize?client_id&scope&state[&redirect_uri][&team]``; once a person approves, Slack redirects to the
redirect URL with ``code`` and the same ``state``. The app exchanges the code (single use) with ``oauth.v2.access``,
authenticating with its client id and secret (HTTP Basic, as slack_sdk sends them, or form fields), and gets the
workspace's bot token. With token rotation on, the token expires (``expires_in`` seconds) and comes with a
``refresh_token``, which ``oauth.v2.access`` with ``grant_type=refresh_token`` trades for a new token.

Here the consent screen approves for the workspace named by ``team`` (a test's choice, as a person picks one on
Slack's page); every token it issues belongs to that workspace, and ``uninstall(team)`` revokes them all, so a
later call with one answers ``token_revoked`` as Slack does.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web


class OAuthError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class _Grant:
    team_id: str
    scopes: str
    redirect_uri: str | None
    installer: str


@dataclass
class OAuthWorld:
    """What the fake knows of installations: the app's credentials, issued codes and tokens, teams."""

    client_id: str | None = None
    client_secret: str | None = None
    app_id: str = "A0000APP"
    redirect_url: str | None = None  # the app's configured Redirect URL, used when the request names none
    rotation: bool = False
    expires_in: int = 43_200
    first_expires_in: int | None = None  # a code's token may expire sooner (to see the first refresh)
    teams: dict[str, str] = field(default_factory=dict)  # team id -> name
    codes: dict[str, _Grant] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> team id
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> team id
    revoked: set[str] = field(default_factory=set)
    bot_users: dict[str, str] = field(default_factory=dict)  # team id -> bot user id

    def authorize(self, query: dict[str, str]) -> str:
        """The URL the consent screen redirects to (approved), or OAuthError."""
        if self.client_id is None:
            raise OAuthError("oauth_not_enabled")
        if query.get("client_id") != self.client_id:
            raise OAuthError("invalid_client_id")
        team_id = query.get("team") or next(iter(self.teams), None)
        if team_id not in self.teams:
            raise OAuthError("unknown_team")
        redirect_uri = query.get("redirect_uri") or self.redirect_url
        if not redirect_uri:
            raise OAuthError("no_redirect_uri")
        code = f"{secrets.token_hex(4)}.{secrets.token_hex(16)}"
        self.codes[code] = _Grant(team_id, query.get("scope", ""), query.get("redirect_uri"), "U0INSTALL")
        return f"{redirect_uri}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def access(self, args: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        """``oauth.v2.access``: a code (or, with rotation, a refresh token) for the workspace's bot token."""
        client_id, client_secret = _client_credentials(args, authorization)
        if client_id != self.client_id:
            raise OAuthError("invalid_client_id")
        if client_secret != self.client_secret:
            raise OAuthError("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            team_id = self.refresh_tokens.get(str(args.get("refresh_token")))
            if team_id is None:
                raise OAuthError("invalid_refresh_token")
            return self._token_answer(team_id, scopes=None, installer=None, expires_in=self.expires_in)
        grant = self.codes.pop(str(args.get("code", "")), None)  # a code works once
        if grant is None:
            raise OAuthError("invalid_code")
        if grant.redirect_uri is not None and args.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("bad_redirect_uri")
        expires_in = self.first_expires_in or self.expires_in
        return self._token_answer(grant.team_id, scopes=grant.scopes, installer=grant.installer, expires_in=expires_in)

    def _token_answer(
        self, team_id: str, *, scopes: str | None, installer: str | None, expires_in: int
    ) -> dict[str, Any]:
        bot_user = self.bot_users.setdefault(team_id, f"U{team_id[1:9]}BOT"[:11])
        prefix = "xoxe.xoxb-1-" if self.rotation else "xoxb-"
        token = f"{prefix}{team_id}-{secrets.token_hex(12)}"
        self.tokens[token] = team_id
        answer: dict[str, Any] = {
            "app_id": self.app_id,
            "scope": scopes if scopes is not None else "",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": bot_user,
            "team": {"id": team_id, "name": self.teams[team_id]},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if installer is not None:
            answer["authed_user"] = {"id": installer}
        if self.rotation:
            refresh = f"xoxe-1-{team_id}-{secrets.token_hex(12)}"
            self.refresh_tokens[refresh] = team_id
            answer |= {"refresh_token": refresh, "expires_in": expires_in}
        return answer

    def token_error(self, token: str) -> str | None:
        """Slack's answer to a call made with a token this world issued: revoked, or none (valid)."""
        return "token_revoked" if token in self.revoked else None

    def uninstall(self, team_id: str) -> list[str]:
        """Revoke every token of the workspace (Slack does so when the app is removed); returns them."""
        gone = [token for token, team in self.tokens.items() if team == team_id]
        self.revoked.update(gone)
        for refresh, team in list(self.refresh_tokens.items()):
            if team == team_id:
                del self.refresh_tokens[refresh]
        return gone


def _client_credentials(args: dict[str, Any], authorization: str | None) -> tuple[str | None, str | None]:
    """HTTP Basic (slack_sdk's way) or client_id/client_secret fields, as Slack accepts both."""
    if authorization and authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization[len("Basic ") :]).decode()
        except ValueError:
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return args.get("client_id"), args.get("client_secret")


def authorize_handler(world: OAuthWorld, lock: Any) -> Any:
    """GET /oauth/v2/authorize: the consent screen, approved at once (302 to the redirect URL)."""

    async def handle(request: web.Request) -> web.Response:
        with lock:
            try:
                location = world.authorize(dict(request.query))
            except OAuthError as exc:
                return web.Response(status=400, text=f"Slack would not start this installation: {exc.error}")
        raise web.HTTPFound(location)

    return handle
