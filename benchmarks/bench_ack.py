"""Acknowledgement latency: signed `/scale-review` requests at concurrency against `scale-review serve`.

The bot runs as its own process (HTTP mode, SQLite), talking to the fake Slack Web API from
tests/fakes in this process. Prints p50/p99 acknowledgement latency and checks that every
request opened a modal (one views.open per trigger id). Goal (issue #3): p99 under 100 ms.
Half the users have answered before, so their questionnaire should open prefilled; prints how many did, and
how long after the command each modal opened (Slack's trigger id dies after 3 s).

Run from the repository root: python benchmarks/bench_ack.py [--requests 500] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from multiprocessing import Queue
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bot_process import serving, wait_healthy  # noqa: E402
from bot.roadmap.profile_io import load_profile  # noqa: E402
from storage import Database  # noqa: E402
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
PROFILE = load_profile(REPO / "examples" / "saas-api.yaml")


Fired = tuple[list[float], list[str], dict[str, float]]


async def fire(url: str, response_url: str, count: int, concurrency: int, tag: str) -> Fired:
    """Signed slash commands from `concurrency` connections; returns latencies (ms), trigger ids and when each
    command was sent (time.monotonic(), the same clock in every process)."""
    latencies: list[float] = []
    sent: dict[str, float] = {}
    triggers = [f"{tag}.{n}.{uuid.uuid4().hex}" for n in range(count)]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            body, content_type = sr.slash_command(
                user_id=f"U{n:08d}", trigger_id=triggers[n], response_url=response_url
            )
            headers = {"Content-Type": content_type, **sr.sign(body, SECRET)}
            started = time.perf_counter()
            sent[triggers[n]] = time.monotonic()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            latencies.append((time.perf_counter() - started) * 1000)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return latencies, triggers, sent


def load_generator(url: str, response_url: str, count: int, concurrency: int, tag: str, out: Queue) -> None:  # type: ignore[type-arg]
    """Runs in its own process, so the fake Slack server's thread never delays the client's clock."""
    out.put(asyncio.run(fire(url, response_url, count, concurrency, tag)))


def run_load(url: str, response_url: str, count: int, concurrency: int, tag: str) -> Fired:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=load_generator, args=(url, response_url, count, concurrency, tag, out))
    process.start()
    result = out.get(timeout=300)
    process.join(timeout=30)
    return result  # type: ignore[no-any-return]


async def measure(url: str, fake: FakeSlack, process: subprocess.Popen[bytes], requests: int, concurrency: int):  # type: ignore[no-untyped-def]
    await wait_healthy(url.replace("/slack/events", "/healthz"), process)
    loop = asyncio.get_running_loop()
    # warm-up: imports, the first auth.test, connection pools
    await loop.run_in_executor(None, run_load, url, fake.response_url(), 20, 5, "warm")
    await fake.wait_for_calls_async("views.open", 20, timeout=30)
    fake.reset_calls()
    started = time.perf_counter()
    latencies, triggers, sent = await loop.run_in_executor(
        None, run_load, url, fake.response_url(), requests, concurrency, "bench"
    )
    wall = time.perf_counter() - started
    opened = await fake.wait_for_calls_async("views.open", requests, timeout=60)
    return latencies, triggers, sent, wall, opened


async def seed_returning_users(database_url: str, users: range) -> None:
    """Earlier answers for these users, so their `/scale-review` should open prefilled."""
    database = Database(database_url)
    try:
        await database.upgrade()
        async with database.unit_of_work() as repos:
            workspace = await repos.workspaces.get_or_create(sr.TEAM_ID)
            for n in users:
                await repos.reviews.add(
                    PROFILE, workspace_id=workspace.id, user_id=f"U{n:08d}", channel_id="C0000BENCH", source="slack"
                )
    finally:
        await database.dispose()


def p99_of(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    fake = FakeSlack(token=TOKEN).start()
    returning = range(0, args.requests, 2)
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/bench.db"
        asyncio.run(seed_returning_users(database_url, returning))
        with serving(fake.base_url, token=TOKEN, secret=SECRET, database_url=database_url) as (url, process):
            latencies, triggers, sent, wall, opened = asyncio.run(
                measure(url, fake, process, args.requests, args.concurrency)
            )
    opened_triggers = [c.args["trigger_id"] for c in opened if c.ok]
    after = sorted(c.at - sent[c.args["trigger_id"]] for c in opened if c.ok and c.args["trigger_id"] in sent)
    returning_triggers = {f"bench.{n}." for n in returning}
    prefilled = [
        c for c in opened if c.ok and "Prefilled from your review" in json.dumps(c.args["view"], ensure_ascii=False)
    ]
    wrongly = [c for c in prefilled if not c.args["trigger_id"].startswith(tuple(returning_triggers))]
    fake.stop()
    latencies.sort()
    p99 = p99_of(latencies)
    print(f"requests: {len(latencies)} at concurrency {args.concurrency}; wall {wall:.2f} s with client start-up")
    print(f"ack latency p50: {statistics.median(latencies):.1f} ms, p99: {p99:.1f} ms, max: {latencies[-1]:.1f} ms")
    print(
        f"modals opened: {len(opened_triggers)} of {len(triggers)}; "
        f"each trigger once: {sorted(opened_triggers) == sorted(triggers)}; contract violations: {len(fake.violations)}"
    )
    print(
        f"modal opened after the command: p50 {statistics.median(after):.2f} s, "
        f"p99 {p99_of(after):.2f} s, max {after[-1]:.2f} s (trigger ids live 3 s)"
    )
    print(
        f"prefilled: {len(prefilled) - len(wrongly)} of {len(returning)} returning users; "
        f"new users prefilled by mistake: {len(wrongly)}"
    )


if __name__ == "__main__":
    main()
