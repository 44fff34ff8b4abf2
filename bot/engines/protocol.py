"""The engine interface: anything that turns a profile into a Roadmap.

Services depend on this protocol only, so the rules engine and the OpenAI engine are
interchangeable, and a failing engine can fall back to the rules one (fallback.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

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
