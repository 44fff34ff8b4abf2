"""Acknowledgement latency under attack: signed `/scale-review` commands while a stream of malformed requests and
pathological thread messages arrives at the same time (goal: the ack p99 unchanged within 10%).

One bot process (HTTP mode, SQLite) against the fake Slack Web API. The commands run three times: alone, with the
hostile stream, and alone again (to see the machine's drift). The hostile stream comes from its own process and
mixes unsigned requests (bad timestamps, wrong signatures), signed bodies Slack never sends (not UTF-8, not JSON,
deep nesting, fields of the wrong type) and signed thread messages built to make a backtracking parser stall.
Prints p50/p99 for each run and what the hostile requests were answered with.

Run from the repository root: python benchmarks/bench_fuzz.py [--requests 500] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_ack import SECRET, TOKEN, p99_of, run_load  # noqa: E402
from benchmarks.bot_process import serving, wait_healthy  # noqa: E402
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

HOSTILE_CONNECTIONS = 10


def hostile_requests(reply_to: str) -> list[tuple[bytes, dict[str, str]]]:
    """One round of the attack: (body, headers) pairs; the unsigned ones name `reply_to` as their response_url."""
    thread = sr.new_ts()
    form = sr.FORM
    command, _ = sr.slash_command(text="list", response_url=reply_to)
    texts = ["done" + " ," * 3000 + " 1.2x", "nudge" + " " * 5000 + "x", "1." * 3000, "<@U1>" * 2000, "가" * 39_000]
    signed_bodies: list[tuple[bytes, str]] = [
        (b"\xff\xfe\x00garbage", form),
        (b"payload=%7Bbroken", form),
        (b"[1,2,3]", "application/json"),
        (b'{"a":' + b"[" * 50_000 + b"]" * 50_000 + b"}", "application/json"),
        (b"command=%2Fscale-review&text=hi", "application/json"),
        (
            json.dumps({"type": "event_callback", "event": None, "team_id": "T1", "event_id": "Ev1"}).encode(),
            "application/json",
        ),
        (b"payload=" + json.dumps({"type": "block_actions", "user": 123, "actions": {}}).encode(), form),
    ]
    for text in texts:
        signed_bodies.append(sr.event_callback(sr.message_event(text, thread_ts=thread)))
        signed_bodies.append(sr.event_callback(sr.app_mention_event(text, thread_ts=thread)))
    now = str(int(time.time()))
    pairs = [
        (command, {"Content-Type": form, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "0" * 64})
        for ts in ("abc", "", "1700000000.5", now)
    ]
    pairs += [(body, {"Content-Type": content_type, **sr.sign(body, SECRET)}) for body, content_type in signed_bodies]
    return pairs


async def attack(url: str, reply_to: str, seconds: float, rate: float) -> dict[int, int]:
    """Send hostile requests at `rate` a second over HOSTILE_CONNECTIONS connections for `seconds`; returns counts by
    HTTP status."""
    statuses: collections.Counter[int] = collections.Counter()
    deadline = time.monotonic() + seconds

    async def worker(session: aiohttp.ClientSession, offset: int) -> None:
        n = offset
        round_ = hostile_requests(reply_to)  # built once: the timestamps stay fresh for the run's minute
        interval = HOSTILE_CONNECTIONS / rate
        due = time.monotonic()
        while time.monotonic() < deadline:
            due += interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            body, headers = round_[n % len(round_)]
            n += 1
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                statuses[response.status] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=HOSTILE_CONNECTIONS)) as session:
        await asyncio.gather(*(worker(session, k) for k in range(HOSTILE_CONNECTIONS)))
    return dict(statuses)


def attacker(url: str, reply_to: str, seconds: float, rate: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    out.put(asyncio.run(attack(url, reply_to, seconds, rate)))


async def measure(  # type: ignore[no-untyped-def]
    url: str, fake: FakeSlack, process: subprocess.Popen[bytes], requests: int, concurrency: int, rate: float
):
    await wait_healthy(url.replace("/slack/events", "/healthz"), process)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, run_load, url, fake.response_url(), 20, 5, "warm")
    results = {}
    for label in ("alone", "under attack", "alone again"):
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        hostile = None
        if label == "under attack":
            hostile = context.Process(target=attacker, args=(url, fake.response_url("attacker"), 25.0, rate, out))
            hostile.start()
            # the attacker's process starts (a second of imports on two cores) and its stream is steady before the
            # commands start, so what is measured is the bot under the stream, not a process being born
            await asyncio.sleep(6.0)
        latencies, _, _ = await loop.run_in_executor(
            None, run_load, url, fake.response_url(), requests, concurrency, label.replace(" ", "-")
        )
        statuses = None
        if hostile is not None:
            statuses = out.get(timeout=120)
            hostile.join(timeout=30)
        results[label] = (sorted(latencies), statuses)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--hostile-rate", type=float, default=100.0, help="hostile requests a second (Slack sends at most ~8 events/s)"
    )
    args = parser.parse_args()
    fake = FakeSlack(token=TOKEN).start()
    fake.add_channel(sr.CHANNEL_ID, sr.CHANNEL_NAME)  # the channel the hostile thread messages are posted in
    fake.add_user(sr.USER_ID, name=sr.USER_NAME)
    with serving(fake.base_url, token=TOKEN, secret=SECRET, log_level="ERROR") as (url, process):
        results = asyncio.run(measure(url, fake, process, args.requests, args.concurrency, args.hostile_rate))
    attacker_calls = [c for c in fake.calls("response_url") if c.target == "attacker"]
    fake.stop()
    for label, (latencies, statuses) in results.items():
        line = (
            f"{label:>12}: {len(latencies)} commands at concurrency {args.concurrency}; ack p50 "
            f"{statistics.median(latencies):.1f} ms, p99 {p99_of(latencies):.1f} ms, max {latencies[-1]:.1f} ms"
        )
        if statuses is not None:
            line += f"; hostile requests by status: {dict(sorted(statuses.items()))}"
        print(line)
    alone = (p99_of(results["alone"][0]) + p99_of(results["alone again"][0])) / 2
    attacked = p99_of(results["under attack"][0])
    print(f"ack p99 under attack vs alone: {attacked / alone - 1:+.0%} (goal: within +10%)")
    print(f"requests made to the attacker's response_url: {len(attacker_calls)} (goal: 0)")


if __name__ == "__main__":
    main()
