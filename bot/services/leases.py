"""Which queued job a running generation belongs to (bot/jobs.py sets it), so a run whose job another instance
took over (its heartbeat went stale while it still ran) stops before storing or posting what that one will."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token

StillOurs = Callable[[], Awaitable[bool]]

_current: ContextVar[StillOurs | None] = ContextVar("queued_job", default=None)


class Superseded(Exception):
    """Another instance holds this run's job now; it finishes the work."""


def hold(check: StillOurs) -> Token[StillOurs | None]:
    return _current.set(check)


def release(token: Token[StillOurs | None]) -> None:
    _current.reset(token)


async def still_ours() -> bool:
    """True unless this run belongs to a queued job that another instance has picked again."""
    check = _current.get()
    return True if check is None else await check()
