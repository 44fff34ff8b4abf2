"""Logging set-up; tokens and keys are scrubbed from every line, whoever logged them."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from bot import workspace

_SECRET = re.compile(
    r"(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}|(?i:bearer)\s+[A-Za-z0-9._~+/=-]+)"
)


def redact(text: str) -> str:
    return _SECRET.sub("[redacted]", text)


# Which Slack request a line belongs to (and, in bot.workspace, for which workspace): set at the request boundary,
# inherited by the background work that request starts (asyncio copies context variables into the tasks it creates).
REQUEST: ContextVar[str] = ContextVar("request", default="-")
FORMAT = "%(asctime)s %(levelname)s %(name)s req=%(request)s team=%(team)s: %(message)s"


def bind_request(team_id: str | None) -> str:
    """A new request id for the lines that follow in this context (and the tasks it starts); returns it."""
    request_id = uuid.uuid4().hex[:12]
    REQUEST.set(request_id)
    workspace.bind(team_id)
    return request_id


class RequestContext(logging.Filter):
    """Adds the request and workspace ids to every record, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request = REQUEST.get()
        record.team = workspace.current() or "-"
        return True


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestContext())
    handler.setFormatter(RedactingFormatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
