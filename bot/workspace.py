"""Which Slack workspace the work at hand is for.

Set where a request arrives (and inherited by the background work it starts, as asyncio copies context variables
into new tasks) and where background work picks up a workspace's row (a resumed review, a nudge). The Slack side
reads it to call the Web API with that workspace's own token; the logs read it to name the workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

TEAM: ContextVar[str | None] = ContextVar("team", default=None)


def current() -> str | None:
    return TEAM.get()


def bind(team_id: str | None) -> None:
    """For the rest of this task and the tasks it starts."""
    TEAM.set(team_id)


@contextmanager
def acting_for(team_id: str | None) -> Iterator[None]:
    """For the block only."""
    token = TEAM.set(team_id)
    try:
        yield
    finally:
        TEAM.reset(token)
