"""Questions asked in a roadmap's thread, answered from that roadmap (its latest ready version and the team's
item statuses). No Slack payload shapes here: the listener hands over the channel, thread and text.

The rules' reading (which items, what order and why) always comes with the reply, so the figures shown are
the roadmap's own; with an AI engine configured, its answer to the question leads, grounded in that reading.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from bot.engines import prompting
from bot.engines.protocol import EngineFailed
from bot.engines.token_count import Counter, estimate_tokens
from bot.i18n import t
from bot.roadmap import discussion
from bot.roadmap.schema import ItemStatus, Roadmap
from bot.services.ports import DiscussionReply
from bot.services.roadmap_threads import roadmap_in_thread
from storage import Database, Repositories, RoadmapVersion
from storage.repositories.discussion import Said

log = logging.getLogger(__name__)

VERSIONS_CACHED = 64  # ready versions kept read (the roadmap, its figures): a ready version's content never changes

Ask = Callable[[list[dict[str, str]]], Awaitable[str]]  # chat messages in, the model's answer out


@runtime_checkable
class Discusser(Protocol):
    """An engine that can also answer a question about a roadmap (the OpenAI engine)."""

    async def discuss(self, messages: list[dict[str, str]]) -> str: ...

    def count_tokens(self, text: str) -> int: ...


class DiscussionService:
    def __init__(self, database: Database, ask: Ask | None = None, count: Counter = estimate_tokens) -> None:
        self._db = database
        self._ask = ask
        self._count = count  # the model's tokens, for the conversation's budget
        # version id -> its roadmap and every figure it holds: reading the figures takes tens of ms, the roadmap
        # a millisecond or two, and a busy thread asks many times about the same version
        self._read: dict[int, tuple[Roadmap, list[float] | None]] = {}

    async def remember(self, channel_id: str, thread_ts: str, ts: str, user_id: str | None, text: str) -> bool:
        """Keep what someone wrote in a roadmap's thread (once); False when the thread is not a roadmap's."""

        async def keep(repos: Repositories) -> bool:
            roadmap = await roadmap_in_thread(repos, channel_id, thread_ts)
            if roadmap is None:
                return False
            await repos.discussion.remember(roadmap.id, ts, user_id, text)
            return True

        return await self._db.transact(keep)  # a short write: inline on SQLite, as a busy thread writes often

    async def answer(
        self, channel_id: str, thread_ts: str, question: str, *, asked_ts: str | None = None
    ) -> DiscussionReply | None:
        """None when the thread is not a roadmap's (or its roadmap is not ready yet): nothing to answer from."""

        async def look_up(repos: Repositories) -> tuple[RoadmapVersion, dict[str, ItemStatus], Sequence[Said]] | None:
            roadmap = await roadmap_in_thread(repos, channel_id, thread_ts)
            version = await repos.roadmaps.latest_version(roadmap.id) if roadmap else None
            if roadmap is None or version is None:
                return None
            statuses = await repos.items.statuses(version.id)
            return version, statuses, await repos.discussion.recent(roadmap.id) if self._ask is not None else ()

        found = await self._db.read(look_up)  # one short read, inline on SQLite: a busy thread asks often
        content = self._roadmap(found[0]) if found is not None else None
        if found is None or content is None:
            return None
        version_id, statuses = found[0].id, found[1]
        history = [(m.user_id, m.text) for m in found[2] if m.ts != asked_ts]
        reading = discussion.answer(content, statuses, question)
        if self._ask is None:
            return DiscussionReply(reading, language=content.language)
        try:
            text = await self._ask(
                prompting.discussion_messages(content, statuses, question, reading, history, self._count)
            )
        except EngineFailed as exc:
            log.warning("AI answer in %s/%s failed: %s", channel_id, thread_ts, exc.reason)
            return DiscussionReply(reading, ai_failed=exc.reason, language=content.language)
        unknown = discussion.unknown_figures(text, self._known_figures(version_id, content))
        if unknown:  # the model's figures are checked against the roadmap's: an invented one is not shown
            log.warning("AI answer in %s/%s quoted figures not in the roadmap: %s", channel_id, thread_ts, unknown)
            why = t(
                content.language,
                "it quoted figures the roadmap does not hold: {figures}",
                figures=", ".join(unknown[:5]),
            )
            return DiscussionReply(reading, ai_failed=why, language=content.language)
        return DiscussionReply(reading, ai_answer=text, language=content.language)

    def _roadmap(self, version: RoadmapVersion) -> Roadmap | None:
        kept = self._read.get(version.id)
        if kept is not None:
            return kept[0]
        content = version.roadmap_model
        if content is not None:
            if len(self._read) >= VERSIONS_CACHED:
                self._read.pop(next(iter(self._read)))  # the oldest entry
            self._read[version.id] = (content, None)
        return content

    def _known_figures(self, version_id: int, content: Roadmap) -> list[float]:
        kept = self._read.get(version_id)
        if kept is not None and kept[1] is not None:
            return kept[1]
        known = discussion.roadmap_figures(content)
        if kept is not None:
            self._read[version_id] = (kept[0], known)
        return known
