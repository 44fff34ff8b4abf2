"""The engine interface: anything that turns a profile into a Roadmap.

Services depend on this protocol only, so the rules engine and the OpenAI engine are
interchangeable, and a failing engine can fall back to the rules one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.roadmap.rules import ENGINE_NAME, generate_rules_roadmap
from bot.roadmap.schema import Roadmap, SystemProfile

Progress = Callable[[str], Awaitable[None]]


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


class RoadmapEngine(Protocol):
    name: str

    async def generate(self, profile: SystemProfile, progress: Progress | None = None) -> EngineResult: ...


class RulesEngine:
    """Offline and deterministic; a few milliseconds, so it runs inline on the event loop."""

    name = ENGINE_NAME

    async def generate(self, profile: SystemProfile, progress: Progress | None = None) -> EngineResult:
        return EngineResult(roadmap=generate_rules_roadmap(profile), engine=self.name)
