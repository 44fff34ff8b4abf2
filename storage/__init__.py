"""Persistence for scale-review: SQLAlchemy 2 async models, repositories and Alembic migrations.

Storage knows plain ids and timestamps (Slack channel ids, message ts strings), never Slack payloads.
"""

from storage import slack_tables  # noqa: F401  (registers slack_sdk's tables on Base.metadata)
from storage.batching import GroupCommit
from storage.db import Database, normalise_url
from storage.models import (
    Base,
    ItemStatusEvent,
    MessageRef,
    NudgeLog,
    NudgeSchedule,
    ProcessedEvent,
    Review,
    Roadmap,
    RoadmapItem,
    RoadmapVersion,
    Workspace,
)
from storage.repositories import PostedMessage, Repositories, RoadmapSummary, StatusChange, StoredVersion
from storage.types import UTCDateTime

__all__ = [
    "Base",
    "Database",
    "GroupCommit",
    "ItemStatusEvent",
    "MessageRef",
    "NudgeLog",
    "NudgeSchedule",
    "PostedMessage",
    "ProcessedEvent",
    "Repositories",
    "Review",
    "Roadmap",
    "RoadmapItem",
    "RoadmapSummary",
    "RoadmapVersion",
    "StatusChange",
    "StoredVersion",
    "UTCDateTime",
    "Workspace",
    "normalise_url",
]
