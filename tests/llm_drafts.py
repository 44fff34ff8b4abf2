"""What a well-behaved model would answer: a RoadmapDraft built from the rules engine's roadmap for the
profile found in the request's <questionnaire_data> block. The fake OpenAI server uses it as its answer."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import Roadmap, SystemProfile
from tests.fakes.openai_api import FakeOpenAI

_BLOCK = re.compile(r"<questionnaire_data>\s*(.*?)\s*</questionnaire_data>", re.S)


def profile_from_request(body: dict[str, Any]) -> SystemProfile:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return SystemProfile.model_validate(json.loads(_BLOCK.search(user).group(1)))  # type: ignore[union-attr]


def draft_from_roadmap(roadmap: Roadmap) -> dict[str, Any]:
    return {
        "analysis": f"The {roadmap.summary.binding_bottleneck.split(':')[0]} binds first.",
        "stages": [
            {
                "number": stage.number,
                "items": [
                    {
                        "id": item.id,
                        "pattern_id": item.pattern_id,
                        "title": item.title,
                        "why": item.why,
                        "steps": item.steps,
                        "impact": {
                            "metric": item.impact.metric,
                            "change_low_pct": item.impact.change_pct.low,
                            "change_high_pct": item.impact.change_pct.high,
                            "confidence": item.impact.confidence.value,
                        },
                        "difficulty": item.difficulty.value,
                        "person_days_low": item.effort.person_days.low,
                        "person_days_high": item.effort.person_days.high,
                        "weeks_low": item.effort.weeks.low,
                        "weeks_high": item.effort.weeks.high,
                        "one_off_cost_low": item.cost.one_off.low,
                        "one_off_cost_high": item.cost.one_off.high,
                        "monthly_cost_low": item.cost.monthly.low,
                        "monthly_cost_high": item.cost.monthly.high,
                        "depends_on": item.depends_on,
                        "verify": item.verify,
                    }
                    for item in stage.items
                ],
            }
            for stage in roadmap.stages
        ],
        "notes": ["Start with the database."],
    }


def answer_for(body: dict[str, Any]) -> dict[str, Any]:
    """A valid structured answer for a roadmap request."""
    return draft_from_roadmap(generate_rules_roadmap(profile_from_request(body)))


@contextlib.contextmanager
def answering_server(chunk_size: int) -> Iterator[FakeOpenAI]:
    """A fake OpenAI server answering every request as a well-behaved model would; checked clean at the end."""
    server = FakeOpenAI(chunk_size=chunk_size).start()
    server.set_default(answer_for)
    try:
        yield server
        server.assert_clean()
    finally:
        server.stop()
