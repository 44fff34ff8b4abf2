"""GET /metrics in Prometheus's text format counts what an operator watches; /readyz says when the database is gone.
Over real HTTP against the fake Slack."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.roadmap.profile_io import load_profile
from storage import Database
from tests.slack_harness import get_json, running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


async def _samples(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/metrics") as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_reviews_posts_generations_and_acks(database: Database) -> None:
    async with running_bot(database) as h:
        before = await _samples(h.base)
        status, _ = await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        assert status == 200
        await h.idle()
        after = await _samples(h.base)
        assert (
            _value(after, "scale_review_reviews_submitted_total")
            - _value(before, "scale_review_reviews_submitted_total")
            == 1
        )
        assert (
            _value(after, "scale_review_roadmaps_posted_total") - _value(before, "scale_review_roadmaps_posted_total")
            == 1
        )
        generated = "scale_review_generation_seconds_count"
        assert _value(after, generated, engine="rules") - _value(before, generated, engine="rules") == 1
        acked = "scale_review_ack_seconds_count"
        assert _value(after, acked, outcome="200") - _value(before, acked, outcome="200") >= 1
        # an unsigned request is counted as a 401
        async with aiohttp.ClientSession() as session, session.post(f"{h.base}/slack/events", data=b"x") as r:
            assert r.status == 401
        rejected = await _samples(h.base)
        assert _value(rejected, acked, outcome="401") - _value(after, acked, outcome="401") == 1


async def test_readiness_follows_the_database(database: Database) -> None:
    async with running_bot(database) as h:
        status, ready = await get_json(f"{h.base}/readyz")
        assert status == 200 and ready["database"] == "ok"
        await h.bot.database.dispose()

        async def broken() -> str:
            raise ConnectionRefusedError("database down")

        h.bot.database.current_revision = broken  # type: ignore[method-assign]
        status, ready = await get_json(f"{h.base}/readyz")
        assert status == 503 and ready == {"ok": False, "database": "ConnectionRefusedError"}
        status, alive = await get_json(f"{h.base}/healthz")
        assert status == 200 and alive["ok"] is True  # the process is up; only readiness follows the database
        assert re.fullmatch(r"\d+", str(alive["background"]))
