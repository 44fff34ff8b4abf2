"""Durable work on PostgreSQL: pgqueuer jobs written in the caller's own transaction.

A job enqueued here is committed (or rolled back) with the rows it refers to, so a submission is never
stored without its generation job, nor a job left pointing at rows that were rolled back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.repositories._base import Repository

GENERATE = "generate_roadmap"  # the pgqueuer entrypoint a roadmap version's generation runs under
QUEUE_TABLES = frozenset({"pgqueuer", "pgqueuer_log", "pgqueuer_schedules", "pgqueuer_statistics"})


@dataclass(frozen=True)
class GenerationJob:
    """What a queued generation carries: the version to finish and who asked (for notices).

    `submitted` marks a fresh submission, whose parent message the submitting instance posts itself.
    """

    version_id: int
    user_id: str | None = None
    submitted: bool = False

    def encode(self) -> bytes:
        return json.dumps({"v": self.version_id, "u": self.user_id, "s": self.submitted}).encode()

    @classmethod
    def decode(cls, payload: bytes | None) -> GenerationJob:
        data: dict[str, Any] = json.loads(payload or b"{}")
        version = data.get("v")
        if not isinstance(version, int):
            raise ValueError(f"a generation job without a version id: {data!r}")
        user = data.get("u")
        return cls(version, user if isinstance(user, str) else None, bool(data.get("s")))


class JobRepository(Repository):
    async def enqueue(self, job: GenerationJob) -> int:
        """Queue a generation in this unit of work's transaction (PostgreSQL with asyncpg only)."""
        from pgqueuer import Queries  # only PostgreSQL deployments load the queue

        connection = await self._session.connection()
        if connection.dialect.name != "postgresql" or connection.dialect.driver != "asyncpg":
            raise RuntimeError(f"the job queue needs PostgreSQL through asyncpg, not {connection.dialect.name}")
        raw = (await connection.get_raw_connection()).driver_connection
        (job_id,) = await Queries.from_asyncpg_connection(raw).enqueue(GENERATE, job.encode())
        return int(job_id)
