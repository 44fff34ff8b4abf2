"""Roadmap work in worker processes: the same answers as inline, failures carried back, a dead worker survived."""

from __future__ import annotations

import asyncio
import functools
import json
import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engines.compute import ProcessCompute, inline
from bot.engines.openai_engine import assemble_answer, grounded_messages
from bot.engines.protocol import EngineFailed
from bot.engines.rules import RulesEngine
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import ItemStatus
from bot.slack import render as rendering
from tests.llm_drafts import draft_from_roadmap

PROFILE = load_profile(Path(__file__).resolve().parents[2] / "examples" / "saas-api.yaml")


def _doubled_or_die_in_a_worker(value: int) -> int:
    if multiprocessing.parent_process() is not None:  # only ever kill a worker, never the test process
        os._exit(3)
    return value * 2


def _worker_pid() -> int:
    return os.getpid()


def _labelled_after(label: str, seconds: float) -> str:
    time.sleep(seconds)
    return label


@pytest.fixture(scope="module")
def workers() -> Iterator[ProcessCompute]:
    compute = ProcessCompute(1)
    yield compute
    compute.close()


async def test_a_worker_gives_what_inline_gives(workers: ProcessCompute) -> None:
    assert await workers(generate_rules_roadmap, PROFILE) == await inline(generate_rules_roadmap, PROFILE)
    assert await workers(grounded_messages, PROFILE, "USD") == grounded_messages(PROFILE, "USD")
    assert await workers(_worker_pid) != os.getpid()  # really another process


async def test_a_whole_roadmap_is_rendered_in_a_worker(workers: ProcessCompute) -> None:
    roadmap = generate_rules_roadmap(PROFILE)
    statuses = {item.id: ItemStatus.DONE for item in roadmap.stages[0].items}
    render = functools.partial(
        rendering.roadmap_messages, version=2, version_id=7, statuses=statuses, usage_note="gpt: 10 tokens"
    )
    rendered = await workers(render, roadmap)
    assert rendered == render(roadmap)
    assert [key for key, _ in rendered][:2] == [("summary", 0, 0), ("stage", 1, 0)]
    assert all(args["text"] and args["blocks"] for _, args in rendered)


async def test_the_rules_engine_plans_in_a_worker(workers: ProcessCompute) -> None:
    result = await RulesEngine(workers).generate(PROFILE)
    assert result.roadmap == generate_rules_roadmap(PROFILE) and result.engine == "rules"


async def test_an_unusable_answer_fails_in_the_worker_with_its_reason(workers: ProcessCompute) -> None:
    with pytest.raises(EngineFailed, match="not valid JSON for the roadmap schema"):
        await workers(assemble_answer, PROFILE, '{"stages": [', "gpt-5.4-mini")
    answer = json.dumps(draft_from_roadmap(generate_rules_roadmap(PROFILE)))
    roadmap = await workers(assemble_answer, PROFILE, answer, "gpt-5.4-mini")
    assert roadmap == assemble_answer(PROFILE, answer, "gpt-5.4-mini")


async def test_urgent_work_goes_before_queued_bulk_work() -> None:
    """One worker: two calls are with the pool at once, the rest wait here, urgent ones first."""
    compute = ProcessCompute(1)
    try:
        await compute.start()
        finished: list[str] = []

        async def call(label: str, *, bulk: bool) -> None:
            finished.append(await compute(_labelled_after, label, 0.2 if label == "busy" else 0.02, bulk=bulk))

        calls = [asyncio.create_task(call("busy", bulk=False))]
        for label in ("render-1", "render-2", "render-3"):
            calls.append(asyncio.create_task(call(label, bulk=True)))
        await asyncio.sleep(0.05)  # the worker is busy, render-1 is with the pool, render-2 and -3 wait here
        calls.append(asyncio.create_task(call("check-answer", bulk=False)))
        await asyncio.gather(*calls)
        assert finished == ["busy", "render-1", "check-answer", "render-2", "render-3"]
        # a cancelled wait gives up its place without losing a slot
        waiting = [asyncio.create_task(call(f"late-{n}", bulk=False)) for n in range(4)]
        await asyncio.sleep(0.01)
        waiting[2].cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        assert finished[-3:] == ["late-0", "late-1", "late-3"]
        assert await asyncio.wait_for(compute(_labelled_after, "after", 0.0), 5) == "after"
    finally:
        compute.close()


async def test_a_dead_worker_costs_an_inline_run_not_the_answer() -> None:
    compute = ProcessCompute(1)
    try:
        await compute.start()
        first_pid = await compute(_worker_pid)
        assert await compute(_doubled_or_die_in_a_worker, 21) == 42  # the worker died; it ran here instead
        second_pid = await compute(_worker_pid)  # and a new pool serves the next call
        assert second_pid not in (first_pid, os.getpid())
    finally:
        compute.close()


async def test_workers_that_keep_dying_leave_the_work_inline(caplog: pytest.LogCaptureFixture) -> None:
    compute = ProcessCompute(1)
    try:
        for _ in range(ProcessCompute.MAX_RESTARTS):
            assert await compute(_doubled_or_die_in_a_worker, 5) == 10
        assert "keep dying" in caplog.text
        assert await compute(_worker_pid) == os.getpid()  # no more pools: it runs here
    finally:
        compute.close()


def test_no_workers_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        ProcessCompute(0)
