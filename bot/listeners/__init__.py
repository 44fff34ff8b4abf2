"""Bolt listeners, grouped by kind as in Bolt's own samples. Each one parses, acknowledges and
hands over to a service; none holds business logic."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, amendments, commands, events, revisions, views
from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    events.register_middleware(app, services)
    commands.register(app, services)
    views.register(app, services)
    views.register_nudge_settings(app, services)
    actions.register(app, services)
    revisions.register(app, services)
    amendments.register(app, services)
    events.register(app, services)
