"""A busy roadmap thread: N people mention the bot at once with a question (issue 17's speed).

One bot process (HTTP mode, SQLite, the rules engine: answers come from the roadmap's own figures, no model)
against the fake Slack Web API in this process. A roadmap is submitted and posted first; then N signed
`app_mention` events arrive at once in its thread (each a new event id, as Slack sends them). Prints the
acknowledgement p50/p99 per N and the time until every answer is posted (goal: ack p99 under 100 ms at every N).

Run from the repository root: python benchmarks/bench_thread.py [--sizes 50 100 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_ack import SECRET, TOKEN, p99_of  # noqa: E402
from benchmarks.bot_process import free_port, wait_healthy  # noqa: E402
from bot.roadmap.profile_io import load_profile  # noqa: E402
from bot.slack import ids, modal  # noqa: E402
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

QUESTIONS = ("why 1.2 before 2.1?", "what does 1.3 cost?", "why read replicas after the indexes?", "what next?")


async def post(session: aiohttp.ClientSession, url: str, body: sr.Body) -> tuple[int, float]:
    content, content_type = body
    headers = {"Content-Type": content_type, **sr.sign(content, SECRET)}
    started = time.perf_counter()
    async with session.post(url, data=content, headers=headers) as response:
        await response.read()
        return response.status, (time.perf_counter() - started) * 1000


async def until(condition, limit: float) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > limit:
            raise SystemExit("timed out")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def run(url: str, fake: FakeSlack, process: subprocess.Popen[bytes], sizes: list[int]) -> list[str]:
    await wait_healthy(url.replace("/slack/events", "/healthz"), process)
    profile = load_profile(REPO / "examples" / "saas-api.yaml")
    metadata = json.dumps({"channel": sr.CHANNEL_ID})
    view = modal.questionnaire_view(private_metadata=metadata, prefill=profile).to_dict()
    submission = sr.view_submission(
        callback_id=ids.QUESTIONNAIRE_CALLBACK,
        values=sr.state_from_view(view, channel=sr.CHANNEL_ID),
        private_metadata=metadata,
    )
    lines = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        status, _ = await post(session, url, submission)
        assert status == 200, status
        await until(lambda: any("item:" in json.dumps(m) for m in fake.messages(sr.CHANNEL_ID)), 60)
        parent = next(m for m in fake.messages(sr.CHANNEL_ID) if m.get("thread_ts") in (None, m["ts"]))
        await asyncio.sleep(1.0)  # the rest of the roadmap is posted
        for size in sizes:
            # the mentions are not posted to the fake, so every new message in the thread is one of the answers
            before = len(fake.messages(sr.CHANNEL_ID, parent["ts"]))
            bodies = [
                sr.event_callback(sr.app_mention_event(QUESTIONS[n % len(QUESTIONS)], thread_ts=parent["ts"]))
                for n in range(size)
            ]
            started = time.monotonic()
            results = await asyncio.gather(*(post(session, url, body) for body in bodies))
            assert all(status == 200 for status, _ in results), [s for s, _ in results if s != 200][:3]
            latencies = sorted(ms for _, ms in results)

            await until(lambda n=size, b=before, t=parent["ts"]: len(fake.messages(sr.CHANNEL_ID, t)) - b >= n, 120)
            lines.append(
                f"N={size}: ack p50 {statistics.median(latencies):.1f} ms, p99 {p99_of(latencies):.1f} ms, "
                f"max {latencies[-1]:.1f} ms; all {size} answers posted {time.monotonic() - started:.2f} s after "
                "the first mention"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    args = parser.parse_args()
    fake = FakeSlack(token=TOKEN).start()
    fake.add_channel(sr.CHANNEL_ID, sr.CHANNEL_NAME)
    fake.add_user(sr.USER_ID, name=sr.USER_NAME)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.base_url,
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("OPENAI_API_KEY", None)
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=REPO)
        try:
            lines = asyncio.run(run(f"http://127.0.0.1:{port}/slack/events", fake, process, args.sizes))
        finally:
            process.terminate()
            process.wait(timeout=30)
    violations = len(fake.violations)
    fake.stop()
    for line in lines:
        print(line)
    print(f"contract violations: {violations}")


if __name__ == "__main__":
    main()
