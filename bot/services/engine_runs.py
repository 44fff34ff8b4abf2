"""One engine run for a version: the roadmap (the rules engine standing in when another fails), counted for /metrics,
with live progress in the thread once it is open. A failing progress message never fails the run (a courtesy)."""

from __future__ import annotations

import asyncio
import logging
import time

from bot import metrics
from bot.engines.fallback import generate_with_fallback
from bot.engines.protocol import EngineResult, Progress, RoadmapEngine
from bot.i18n import Language, t
from bot.roadmap.schema import SystemProfile
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.ports import ProgressSink, Publisher
from bot.services.roadmap_threads import ThreadOpened

log = logging.getLogger(__name__)


class EngineRuns:
    def __init__(self, engine: RoadmapEngine, fallback: RoadmapEngine | None, publisher: Publisher) -> None:
        self.engine = engine
        self._fallback = fallback
        self._publisher = publisher

    async def attempt(
        self, profile: SystemProfile, opened: asyncio.Future[ThreadOpened], user_id: str | None, team_id: str | None
    ) -> tuple[EngineResult, LiveProgress | None]:
        """The engine's roadmap, with live progress once the thread is open (`user_id` sees it). The progress
        message is left open for the caller to close once the roadmap is stored."""
        if not self.engine.streams_progress:
            return await self.generate(profile), None
        lang: Language = profile.language or "en"
        opening = asyncio.ensure_future(self._open_progress(opened, user_id, team_id, lang))
        live = LiveProgress(opening)
        try:
            result = await self.generate(profile, live.feed)
        except asyncio.CancelledError:
            opening.cancel()
            raise
        except Exception as exc:
            await live.close(t(lang, "Generation failed: {why}", why=reason(exc)))
            raise
        return result, live

    async def generate(self, profile: SystemProfile, feed: Progress | None = None) -> EngineResult:
        """The engine's run, counted for /metrics: how long it took, whether the rules stood in, tokens used."""
        started = time.monotonic()
        result = await generate_with_fallback(self.engine, self._fallback, profile, feed)
        metrics.GENERATION_SECONDS.labels(result.engine).observe(time.monotonic() - started)
        if result.fallback_reason:
            metrics.ENGINE_FALLBACKS.inc()
        if result.usage is not None:
            metrics.LLM_TOKENS.labels("prompt").inc(result.usage.prompt_tokens)
            metrics.LLM_TOKENS.labels("completion").inc(result.usage.completion_tokens)
        return result

    async def _open_progress(
        self, opened: asyncio.Future[ThreadOpened], user_id: str | None, team_id: str | None, lang: Language = "en"
    ) -> ProgressSink | None:
        """Live progress in the thread once it is open; a failure here never stops the generation itself."""
        try:
            where = await asyncio.shield(opened)
        except (ChannelUnavailable, PublishFailed):
            return None  # the run says why
        try:
            return await self._publisher.open_progress(
                where.channel_id, where.ts, recipient_user_id=user_id, recipient_team_id=team_id, lang=lang
            )
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("no live progress in %s: %s", where.channel_id, exc)
            return None


class LiveProgress:
    """Progress lines for a message that opens alongside the engine. Lines written before it is open are kept
    and sent with the next one."""

    def __init__(self, opening: asyncio.Future[ProgressSink | None]) -> None:
        self._opening = opening
        self._backlog = ""
        self._broken = False

    async def feed(self, text: str) -> None:
        opening = self._opening
        if self._broken:
            return
        if not opening.done():
            self._backlog += text
            return
        if opening.cancelled() or opening.exception() is not None or (sink := opening.result()) is None:
            return
        text, self._backlog = self._backlog + text, ""
        try:
            await sink.append(text)
        except Exception as exc:
            self._broken = True
            log.warning("live progress stopped: %s", exc)

    async def close(self, text: str) -> None:
        sink = await self._opening
        if sink is None:
            return
        try:
            if self._backlog and not self._broken:
                await sink.append(self._backlog)
                self._backlog = ""
            await sink.finish(text)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("could not close the progress message: %s", exc)


def reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
