"""Questions asked in a roadmap's thread, answered from that roadmap (its latest ready version and the team's
item statuses). No Slack payload shapes here: the listener hands over the channel, thread and text.

The rules' reading (which items, what order and why) always comes with the reply, so the figures shown are
the roadmap's own; with an AI engine configured, its answer to the question leads, grounded in that reading.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from bot.engines import prompting
from bot.engines.protocol import EngineFailed
from bot.engines.token_count import Counter, estimate_tokens
from bot.i18n import t
from bot.roadmap import discussion
from bot.roadmap.schema import Roadmap
from bot.services.ports import DiscussionReply
from storage import Database, Repositories

log = logging.getLogger(__name__)

FIGURES_CACHED = 64  # ready versions whose figures are kept: a version's content never changes once ready

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
        # version id -> every figure it holds: reading them all takes tens of ms, and a busy thread asks often
        self._figures: dict[int, list[float]] = {}

    async def remember(self, channel_id: str, thread_ts: str, ts: str, user_id: str | None, text: str) -> bool:
        """Keep what someone wrote in a roadmap's thread (once); False when the thread is not a roadmap's."""

        async def keep(repos: Repositories) -> bool:
            roadmap = await repos.roadmaps.by_thread(channel_id, thread_ts)
            if roadmap is None:
                return False
            await repos.discussion.remember(roadmap.id, ts, user_id, text)
            return True

        return await self._db.transact(keep)  # a short write: inline on SQLite, as a busy thread writes often

    async def answer(
        self, channel_id: str, thread_ts: str, question: str, *, asked_ts: str | None = None
    ) -> DiscussionReply | None:
        """None when the thread is not a roadmap's (or its roadmap is not ready yet): nothing to answer from."""
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap = await repos.roadmaps.by_thread(channel_id, thread_ts)
            version = await repos.roadmaps.latest_version(roadmap.id) if roadmap else None
            content = version.roadmap_model if version else None
            if roadmap is None or version is None or content is None:
                return None
            version_id = version.id
            statuses = await repos.items.statuses(version.id)
            earlier = await repos.discussion.recent(roadmap.id) if self._ask is not None else ()
            history = [(m.user_id, m.text) for m in earlier if m.ts != asked_ts]
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

    def _known_figures(self, version_id: int, content: Roadmap) -> list[float]:
        known = self._figures.get(version_id)
        if known is None:
            known = discussion.roadmap_figures(content)
            if len(self._figures) >= FIGURES_CACHED:
                self._figures.pop(next(iter(self._figures)))  # the oldest entry
            self._figures[version_id] = known
        return known
