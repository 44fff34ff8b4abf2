"""Settings from the environment (and an optional .env file), validated at start.

A missing or invalid value stops the process with one line naming the variable; secret
values are never echoed back.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.engines.compute import default_workers
from storage.db import normalise_url

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./scale-review.db"
MIN_STATE_SECRET = 32
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """One clear line for the operator, naming the variable at fault."""


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("must be an http(s) URL")
    return value if value.endswith("/") else value + "/"


HttpUrlStr = Annotated[str, AfterValidator(_http_url)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = Field(default=None, description="xoxb- bot token")
    slack_signing_secret: SecretStr | None = Field(default=None, description="HTTP mode request signing secret")
    slack_app_token: SecretStr | None = Field(default=None, description="xapp- token; enables Socket Mode")
    slack_api_url: HttpUrlStr = "https://slack.com/api/"
    # OAuth distribution (many workspaces): all three together, instead of SLACK_BOT_TOKEN
    slack_client_id: str | None = Field(default=None, max_length=64, description="Basic Information -> Client ID")
    slack_client_secret: SecretStr | None = Field(default=None, description="Basic Information -> Client Secret")
    slack_state_secret: SecretStr | None = Field(
        default=None, description="signs the OAuth state; the same long random value on every instance"
    )
    slack_redirect_uri: str | None = Field(
        default=None, max_length=500, description="https://YOUR-HOST/slack/oauth_redirect (the app's Redirect URL)"
    )
    openai_api_key: SecretStr | None = None
    openai_base_url: HttpUrlStr | None = None
    scale_review_model: str = Field(default="gpt-5.4-mini", min_length=1, max_length=100)
    openai_timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    openai_price_input_per_mtok: float | None = Field(default=None, ge=0, description="USD per 1M prompt tokens")
    openai_price_output_per_mtok: float | None = Field(default=None, ge=0, description="USD per 1M output tokens")
    database_url: str = DEFAULT_SQLITE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    nudge_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    nudge_time: time = time(10, 0)
    nudge_timezone: str = "UTC"
    nudge_sweep_seconds: int = Field(default=60, ge=5, le=86_400)
    nudge_page_size: int = Field(default=500, ge=1, le=10_000, description="schedules claimed per transaction")
    default_language: Literal["en", "ko"] = Field(
        default="en", description="the workspace's language when neither Slack's locale nor the answers tell"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    web_concurrency: int = Field(
        default=1, ge=1, le=64, description="HTTP server processes sharing PORT (HTTP mode only)"
    )
    roadmap_workers: int = Field(
        default_factory=default_workers,
        ge=0,
        le=64,
        description="worker processes `serve` plans roadmaps in (0: on the event loop)",
    )
    # the generation job queue on PostgreSQL (bot/jobs.py)
    job_heartbeat_seconds: float = Field(
        default=30.0, ge=1, le=600, description="a running job silent this long is picked again by another instance"
    )
    job_concurrency: int = Field(default=100, ge=20, le=10_000, description="generations one instance runs at once")
    job_shutdown_grace_seconds: float = Field(
        default=20.0, ge=0, le=3600, description="on SIGTERM, how long running generations may finish before hand-back"
    )

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_state_secret")
    @classmethod
    def _state_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_STATE_SECRET:
            raise ValueError(f"must be at least {MIN_STATE_SECRET} characters (e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect_uri(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+/\S*$", value):
            raise ValueError(
                "must be the full URL of /slack/oauth_redirect, e.g. https://YOUR-HOST/slack/oauth_redirect"
            )
        return value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "openai_api_key",
        "slack_client_id",
        "slack_client_secret",
        "slack_state_secret",
        "slack_redirect_uri",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("openai_base_url", mode="before")
    @classmethod
    def _blank_url_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("nudge_weekday", "log_level", mode="before")
    @classmethod
    def _normalise_case(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.strip()[:3].lower() if value.strip().lower()[:3] in WEEKDAYS else value.strip().upper()

    @field_validator("nudge_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"'{value}' is not an IANA time zone such as Asia/Seoul") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        url = normalise_url(value.strip())
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://", "postgresql+psycopg://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return url

    @property
    def use_openai(self) -> bool:
        return self.openai_api_key is not None

    @property
    def oauth(self) -> bool:
        """Distributed app: installed through /slack/install in any number of workspaces, a token per workspace."""
        return (
            self.slack_client_id is not None
            or self.slack_client_secret is not None
            or self.slack_state_secret is not None
        )

    def require_oauth(self) -> None:
        """OAuth needs its three settings together, and excludes the one-workspace token."""
        missing = [
            name
            for name, value in (
                ("SLACK_CLIENT_ID", self.slack_client_id),
                ("SLACK_CLIENT_SECRET", self.slack_client_secret),
                ("SLACK_STATE_SECRET", self.slack_state_secret),
            )
            if value is None
        ]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} not set: installing in many workspaces (OAuth) needs SLACK_CLIENT_ID, "
                "SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together; for one workspace set only SLACK_BOT_TOKEN"
            )
        if self.slack_bot_token is not None:
            raise ConfigError(
                "SLACK_BOT_TOKEN is set together with OAuth's SLACK_CLIENT_ID: unset SLACK_BOT_TOKEN (each "
                "workspace's token then comes from its installation) or unset the OAuth settings (one workspace)"
            )

    def require_bot_token(self) -> None:
        if self.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) from your app's OAuth page")

    def require_slack(self) -> None:
        """Serving needs a bot token (or OAuth's settings) plus either Socket Mode's app token or HTTP's signing
        secret."""
        if self.oauth:
            self.require_oauth()
            if self.slack_app_token is None and self.slack_signing_secret is None:
                raise ConfigError(
                    "Set SLACK_SIGNING_SECRET (HTTP mode: Slack's requests and the install pages on PORT) or "
                    "SLACK_APP_TOKEN (Socket Mode, the install pages still served on PORT); neither is set"
                )
            return
        self.require_bot_token()
        if self.slack_app_token is None and self.slack_signing_secret is None:
            raise ConfigError(
                "Set SLACK_APP_TOKEN (xapp-..., Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode); neither is set"
            )


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, or ConfigError with one line naming the first bad variable.

    Overrides are Any on purpose: pydantic validates each one as it would the environment's text."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
