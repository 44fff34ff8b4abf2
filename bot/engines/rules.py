"""The rules engine behind the engine protocol: a thin adapter over the pure domain's
bot.roadmap.rules.generate.generate_rules_roadmap, run where the compute pool says."""

from __future__ import annotations

from bot.engines.compute import Compute, inline
from bot.engines.protocol import EngineResult, Progress
from bot.roadmap.rules.generate import ENGINE_NAME, generate_rules_roadmap
from bot.roadmap.schema import SystemProfile


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
