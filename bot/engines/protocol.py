"""The engine interface: anything that turns a profile into a Roadmap.

Services depend on this protocol only, so the rules engine and the OpenAI engine are
interchangeable, and a failing engine can fall back to the rules one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.i18n import t
from bot.roadmap.compute import Compute, inline
from bot.roadmap.localize import localize
from bot.roadmap.rules import ENGINE_NAME, generate_rules_roadmap
from bot.roadmap.sanity import check_profile
from bot.roadmap.schema import Roadmap, SystemProfile

Progress = Callable[[str], Awaitable[None]]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None = None


@dataclass(frozen=True)
class EngineResult:
    roadmap: Roadmap
    engine: str
    model: str | None = None
    usage: Usage | None = None
    fallback_reason: str | None = None  # set when the requested engine failed and another stood in


class EngineFailed(Exception):
    """The engine could not produce a usable roadmap; `reason` is short enough to show to a user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RoadmapEngine(Protocol):
    name: str
    streams_progress: bool  # worth showing live progress while it works

    async def generate(self, profile: SystemProfile, progress: Progress | None = None) -> EngineResult: ...

    async def aclose(self) -> None:
        """Release what the engine holds (the OpenAI engine's HTTP connections)."""


class RulesEngine:
    """Offline and deterministic; a few milliseconds of CPU, run where `compute` says (inline by default)."""

    name = ENGINE_NAME
    streams_progress = False

    def __init__(self, compute: Compute = inline) -> None:
        self._compute = compute

    async def generate(self, profile: SystemProfile, progress: Progress | None = None) -> EngineResult:
        return EngineResult(roadmap=await self._compute(generate_rules_roadmap, profile), engine=self.name)

    async def aclose(self) -> None:
        pass


async def generate_with_fallback(
    engine: RoadmapEngine, fallback: RoadmapEngine | None, profile: SystemProfile, progress: Progress | None = None
) -> EngineResult:
    """The engine's roadmap, or the fallback's with a note saying which engine failed and why."""
    try:
        return _in_language(await engine.generate(profile, progress), profile)
    except Exception as exc:
        if fallback is None:
            raise
        why = exc.reason if isinstance(exc, EngineFailed) else type(exc).__name__
        log.warning("engine %s failed (%s); using %s", engine.name, why, fallback.name)
        result = await fallback.generate(profile)
        reason = t(
            profile.language or "en",
            "The {failed} engine failed ({why}), so this is the {used} roadmap.",
            failed=engine.name,
            why=why,
            used=result.engine,
        )
        return _in_language(
            EngineResult(
                roadmap=result.roadmap.model_copy(update={"notes": [*result.roadmap.notes, reason]}),
                engine=result.engine,
                fallback_reason=reason,
            ),
            profile,
        )


def _in_language(result: EngineResult, profile: SystemProfile) -> EngineResult:
    """The roadmap labelled with the profile's language, which every surface that shows it renders in, carrying
    the sanity gates' warnings about the answers (refusals never reach an engine) in that language, and the
    catalogue's texts in it (bot/roadmap/localize.py)."""
    language = profile.language or "en"
    warnings = [f.say(language) for f in check_profile(profile) if not f.refuse]
    notes = [*result.roadmap.notes, *(w for w in warnings if w not in result.roadmap.notes)]
    roadmap = result.roadmap
    if roadmap.language != language or notes != roadmap.notes:
        roadmap = roadmap.model_copy(update={"language": language, "notes": notes})
    roadmap = localize(roadmap, profile)  # the catalogue's titles, steps and checks in that language
    return result if roadmap is result.roadmap else replace(result, roadmap=roadmap)
