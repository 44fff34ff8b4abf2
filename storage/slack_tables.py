"""The tables slack_sdk's SQLAlchemy installation and OAuth state stores read and write (migration 0007).

slack_sdk builds its own Table objects with these names and columns; they are declared here as well so that
Alembic creates them and the schema check sees them. Storage knows no Slack library, so the columns are spelled
out, and tests/slack/test_oauth_install.py fails if they drift from what the installed slack_sdk declares. Each row is a
workspace's installation: a bot token (and, with token rotation, its refresh token and expiry).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, func

from storage.models import Base

INSTALLATIONS = "slack_installations"
BOTS = "slack_bots"
OAUTH_STATES = "slack_oauth_states"


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _bot_columns() -> list[Column[object]]:
    return [
        Column("bot_token", String(200)),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", String(200)),
        Column("bot_token_expires_at", DateTime),
    ]


def _owner_columns() -> list[Column[object]]:
    return [
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]


slack_installations = Table(
    INSTALLATIONS,
    Base.metadata,
    _id(),
    *_owner_columns(),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    *_bot_columns(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(f"{INSTALLATIONS}_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

slack_bots = Table(
    BOTS,
    Base.metadata,
    _id(),
    *_owner_columns(),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    *_bot_columns(),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(f"{BOTS}_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    OAUTH_STATES,
    Base.metadata,
    _id(),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
