"""Plain-word questions about a roadmap in its thread: `status` / `상태`, `versions` / `버전`, `help` / `도움말`.

Parsed before anything else reads the text (exact words, after an optional mention), so they never reach a
model, and answered from the database only. No Slack shapes here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot import i18n
from bot.i18n import Language
from bot.services.nudges import NudgeService
from bot.services.ports import NudgeDigest
from bot.services.roadmap_threads import roadmap_in_thread
from storage import Database

Query = Literal["status", "versions", "help"]
_WORDS: dict[str, Query] = {
    "status": "status",
    "progress": "status",
    "상태": "status",
    "진행상황": "status",
    "versions": "versions",
    "version": "versions",
    "버전": "versions",
    "help": "help",
    "도움말": "help",
}
MAX_QUERY_CHARS = 80  # a query is a word or two; anything longer is discussion


def parse_query(text: str) -> Query | None:
    """The query a short reply asks, e.g. "status", "<@U123> 상태", "Versions?"; None for anything else."""
    if len(text) > MAX_QUERY_CHARS:
        return None
    words = text.split()
    if words and words[0].startswith("<@") and words[0].endswith(">"):
        words = words[1:]
    if len(words) != 1:
        return None
    return _WORDS.get(words[0].strip("?!.").lower())


@dataclass(frozen=True)
class VersionLine:
    version: int
    status: str  # generating | ready | failed
    engine: str
    created_at: datetime
    change: str | None


@dataclass(frozen=True)
class ThreadAnswer:
    query: Query
    language: Language
    system_name: str
    digest: NudgeDigest | None = None  # status
    versions: tuple[VersionLine, ...] = ()  # versions


class ThreadQueries:
    def __init__(self, database: Database, nudges: NudgeService) -> None:
        self._db = database
        self._nudges = nudges

    async def answer(self, channel_id: str, thread_ts: str, query: Query, *, now: datetime) -> ThreadAnswer | None:
        """None outside a roadmap's thread (the words are ordinary discussion there)."""
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap = await roadmap_in_thread(repos, channel_id, thread_ts)
            if roadmap is None:
                return None
            review = await repos.reviews.get(roadmap.review_id)
            lang = i18n.choose(i18n.language(review.language) if review else None)
            name = review.system_name if review else ""
            rows = await repos.roadmaps.versions(roadmap.id) if query == "versions" else ()
            versions = tuple(VersionLine(v.version, v.status, v.engine, v.created_at, v.change_summary) for v in rows)
        if query == "status":
            return ThreadAnswer(query, lang, name, digest=await self._nudges.status(roadmap.id, now=now))
        return ThreadAnswer(query, lang, name, versions=versions)
