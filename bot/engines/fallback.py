"""One engine standing in for another: the services ask for a roadmap here, so a failing OpenAI call still
ends in the rules engine's roadmap, labelled with the profile's language and the sanity gates' warnings."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.engines.protocol import EngineFailed, EngineResult, Progress, RoadmapEngine
from bot.i18n import t
from bot.roadmap.korean.localize import localize
from bot.roadmap.sanity import check_profile
from bot.roadmap.schema import SystemProfile

log = logging.getLogger(__name__)


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
    catalogue's texts in it (bot/roadmap/korean/localize.py)."""
    language = profile.language or "en"
    warnings = [f.say(language) for f in check_profile(profile) if not f.refuse]
    notes = [*result.roadmap.notes, *(w for w in warnings if w not in result.roadmap.notes)]
    roadmap = result.roadmap
    if roadmap.language != language or notes != roadmap.notes:
        roadmap = roadmap.model_copy(update={"language": language, "notes": notes})
    roadmap = localize(roadmap, profile)  # the catalogue's titles, steps and checks in that language
    return result if roadmap is result.roadmap else replace(result, roadmap=roadmap)
