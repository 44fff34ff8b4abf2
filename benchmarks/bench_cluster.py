"""Two `scale-review serve` instances on one PostgreSQL sharing 1,000 questionnaire submissions.

Both instances (HTTP mode) use one scratch database on SCALE_REVIEW_TEST_POSTGRES_URL's server, migrated once
(`scale-review db upgrade`, the release step), the fake Slack Web API and a fake OpenAI server answering after
--delay s (both from tests/fakes, in a process of their own). Submissions go to the two instances in turn, each
for its own channel and user, --concurrency at a time. Generation runs as queued jobs (bot/jobs.py): whichever
instance picks a job generates and posts it. With --kill-after N, the first instance is SIGKILLed once N
submissions were sent (the rest go to the second), to count what a crash loses.

Prints: submission throughput, roadmaps posted per second, p50/p99 from sending a submission to its roadmap's
last message being recorded as posted, and duplicate / lost counts
(goal: 0 and 0). Duplicate: a channel with more than one parent message, or more roadmap messages in its thread
than the version recorded. Lost: a submission whose roadmap was not posted by the end.

Run from the repository root: python benchmarks/bench_cluster.py [--reviews 1000] [--delay 1] [--concurrency 40]
[--kill-after N]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bot_process import free_port, scratch_postgres, wait_healthy  # noqa: E402
from bot.roadmap.profile_io import load_profile  # noqa: E402
from bot.roadmap.rules.generate import generate_rules_roadmap  # noqa: E402
from bot.slack.ids import QUESTIONNAIRE_CALLBACK  # noqa: E402
from bot.slack.modal.questionnaire import questionnaire_view  # noqa: E402
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.openai_api import Answer, FakeOpenAI  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.llm_drafts import draft_from_roadmap  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
API_KEY = "sk-bench"
PROFILE = load_profile(REPO / "examples" / "saas-api.yaml")
FINISH_LIMIT_S = 1500.0


def channel(n: int) -> str:
    return f"C{n:08d}"


def user(n: int) -> str:
    return f"U{n:08d}"


class Fakes:
    """The fake Slack and OpenAI servers in a process of their own, so the load generator does not slow them."""

    def __init__(self, reviews: int, delay: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_fakes, args=(reviews, delay, child), daemon=True)
        self._process.start()
        self.slack_url, self.openai_url = self._conn.recv()

    def ask(self, command: str) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def stop(self) -> Any:
        summary = self.ask("stop")
        self._process.join(timeout=30)
        return summary


def _serve_fakes(reviews: int, delay: float, conn: Connection) -> None:
    slack = FakeSlack(token=TOKEN).start()
    for n in range(reviews):
        slack.add_channel(channel(n), f"team-{n}")
        slack.add_user(user(n), tz="Asia/Seoul")
    # every submission has the same answers: one draft, made once (drafting per request made the fake the bottleneck)
    draft = draft_from_roadmap(generate_rules_roadmap(PROFILE))
    ai = FakeOpenAI(api_key=API_KEY).start()
    ai.set_default(Answer.content(draft, delay=delay, usage=(14_000, 4_000)))
    conn.send((slack.base_url, ai.base_url))
    while True:
        command = conn.recv()
        if command == "threads":  # per channel: parent messages, and roadmap messages in the threads
            counts = {}
            for n in range(reviews):
                messages = slack.messages(channel(n))
                parents = [m for m in messages if m.get("thread_ts") in (None, m["ts"])]
                replies = [
                    m
                    for m in messages
                    if m.get("thread_ts") not in (None, m["ts"])
                    and "files" not in m
                    and not str(m.get("text", "")).startswith(":hourglass")
                ]
                counts[channel(n)] = (len(parents), len(replies))
            conn.send(counts)
        elif command == "stop":
            requests = ai.requests()
            retried = sum(1 for r in requests if r.headers.get("x-stainless-retry-count", "0") != "0")  # the SDK's
            summary = (len(requests), retried, len(slack.violations), len(ai.violations))
            slack.stop()
            ai.stop()
            conn.send(summary)
            return


def submission(n: int) -> sr.Body:
    view = questionnaire_view(private_metadata="{}", prefill=PROFILE).to_dict()
    values = sr.state_from_view(view, channel=channel(n))
    return sr.view_submission(callback_id=QUESTIONNAIRE_CALLBACK, values=values, private_metadata="{}", user_id=user(n))


async def submit_all(
    ports: list[int], reviews: int, concurrency: int, kill_after: int | None, victim: subprocess.Popen[bytes]
) -> dict[int, float]:
    """Send every submission; returns when each was sent (wall clock, the database's clock too)."""
    sent: dict[int, float] = {}
    refused.clear()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(reviews):
        queue.put_nowait(n)
    bodies = {n: submission(n) for n in range(reviews)}

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            if kill_after is not None and n == kill_after and victim.poll() is None:
                victim.send_signal(signal.SIGKILL)
                print(f"SIGKILLed the first instance after {n} submissions", flush=True)
            alive = [p for i, p in enumerate(ports) if i > 0 or victim.poll() is None]
            port = alive[n % len(alive)]
            content, content_type = bodies[n]
            sent[n] = time.time()
            headers = {"Content-Type": content_type, **sr.sign(content, SECRET)}
            try:
                async with session.post(f"http://127.0.0.1:{port}/slack/events", data=content, headers=headers) as r:
                    await r.read()
                    if r.status != 200:
                        refused[n] = r.status
            except aiohttp.ClientError:  # the instance was killed while handling it: Slack shows the person an error
                refused[n] = 0

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency, force_close=True)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return sent


refused: dict[int, int] = {}  # submissions an instance did not answer with 200, by HTTP status

POSTED = """
SELECT r.user_id, v.published_at, v.id,
       (SELECT count(*) FROM message_refs m WHERE m.version_id = v.id AND m.kind <> 'chart') AS messages
FROM reviews r JOIN roadmaps rm ON rm.review_id = r.id JOIN roadmap_versions v ON v.roadmap_id = rm.id
WHERE v.published_at IS NOT NULL
"""


async def wait_posted(dsn: str, expected: set[str], limit: float) -> list[asyncpg.Record]:
    """Until every acknowledged submission is posted and no job is left (a killed instance's included)."""
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + limit
        while True:
            found = await connection.fetch(POSTED)
            left = await connection.fetchval("SELECT count(*) FROM pgqueuer")
            done = expected <= {r["user_id"] for r in found} and left == 0
            if done or time.monotonic() > deadline:
                return list(found)
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=1.0, help="seconds before the fake model answers")
    parser.add_argument("--concurrency", type=int, default=40, help="submissions in flight at once")
    parser.add_argument("--kill-after", type=int, default=None, help="SIGKILL the first instance after N submissions")
    parser.add_argument(
        "--heartbeat", type=float, default=30.0, help="JOB_HEARTBEAT_SECONDS: silence before a job is picked again"
    )
    args = parser.parse_args()
    fakes = Fakes(args.reviews, args.delay)
    ports = [free_port(), free_port()]
    folder = tempfile.mkdtemp(prefix="bench_cluster_")  # the instances' logs stay here
    with scratch_postgres() as database_url:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fakes.slack_url,
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": fakes.openai_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            "ROADMAP_WORKERS": "1",
            "JOB_HEARTBEAT_SECONDS": str(args.heartbeat),
        }
        env.pop("SLACK_APP_TOKEN", None)
        subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=REPO, check=True)
        processes = []
        for index, port in enumerate(ports):
            log = Path(folder) / f"instance-{index}.log"
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot", "serve"],
                    env={**env, "PORT": str(port)},
                    cwd=folder,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        try:
            for port, process in zip(ports, processes, strict=True):
                asyncio.run(wait_healthy(f"http://127.0.0.1:{port}/healthz", process, limit=60))
            started = time.time()
            sent = asyncio.run(submit_all(ports, args.reviews, args.concurrency, args.kill_after, processes[0]))
            submitted = time.time() - started
            acknowledged = {user(n) for n in range(args.reviews) if n not in refused}
            posted = asyncio.run(wait_posted(database_url, acknowledged, FINISH_LIMIT_S))
            finished = time.time() - started
            threads = fakes.ask("threads")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                process.wait(timeout=90)
            errors = sum(
                (Path(folder) / f"instance-{i}.log").read_text(errors="replace").count("Traceback") for i in (0, 1)
            )
    requests, retried, slack_violations, openai_violations = fakes.stop()

    by_user = Counter(r["user_id"] for r in posted)
    latencies = [r["published_at"].timestamp() - sent[int(r["user_id"][1:])] for r in posted]
    recorded = {channel(int(r["user_id"][1:])): r["messages"] for r in posted}
    twice_parent = sum(1 for parents, _ in threads.values() if parents > 1)
    twice_message = sum(1 for name, (_, replies) in threads.items() if name in recorded and replies > recorded[name])
    twice_version = sum(1 for count in by_user.values() if count > 1)
    duplicates = twice_parent + twice_message + twice_version
    # a submission the killed instance never answered is not lost: Slack tells the person it failed, nothing was
    # promised; lost is one that was acknowledged (200) and never posted
    lost = sum(1 for n in range(args.reviews) if n not in refused and by_user[user(n)] == 0)
    print(
        f"{args.reviews} submissions over 2 instances, {args.concurrency} in flight, fake model answering after "
        f"{args.delay:g} s{'' if args.kill_after is None else f', first instance killed after {args.kill_after}'}"
    )
    print(f"submissions sent and acknowledged: {submitted:.1f} s ({args.reviews / submitted:.0f}/s)")
    print(f"all roadmaps posted: {finished:.1f} s ({len(posted) / finished:.1f} roadmaps/s)")
    if latencies:
        print(
            f"submission -> roadmap posted: p50 {percentile(latencies, 0.5):.2f} s, "
            f"p99 {percentile(latencies, 0.99):.2f} s, max {max(latencies):.2f} s"
        )
    print(f"duplicates: {duplicates}, lost: {lost} (goal 0 / 0)")
    if duplicates:
        print(
            f"  channels with two parent messages: {twice_parent}, with a roadmap message posted twice: "
            f"{twice_message}, submissions posted as two versions: {twice_version}"
        )
    print(f"model requests: {requests}, of which the OpenAI SDK's retries: {retried}")
    if refused:
        statuses = dict(Counter(refused.values()))
        print(f"submissions not answered 200: {len(refused)} by status (0: connection dropped) {statuses}")
        print(f"of which posted all the same: {sum(1 for n in refused if by_user[user(n)])}")
    print(f"violations: fake Slack {slack_violations}, fake OpenAI {openai_violations}")
    print(f"tracebacks in the instances' logs ({folder}): {errors}")


if __name__ == "__main__":
    main()
