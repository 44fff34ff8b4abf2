"""100 AI roadmaps at once through the whole Slack path, against a fake OpenAI server that answers after 3 s.

`scale-review serve` runs as its own process (HTTP mode, SQLite) with OPENAI_BASE_URL pointing at the
fake OpenAI server and SLACK_API_URL at the fake Slack Web API (both from tests/fakes, together in a third
process, so the load generator here does not slow them down).
100 questionnaire submissions arrive at once, each from its own user for its own channel. Prints:
- the time until every roadmap version is generated and stored (the goal, issue #4: under 5 s, i.e. the
  100 model calls of 3 s each really overlap),
- the time until every roadmap is fully posted (this includes Slack's pace of about one message per
  second per channel, which the bot keeps on purpose),
- the bot process's peak memory and the growth per in-flight review.

Run from the repository root: python benchmarks/bench_generate.py [--reviews 100] [--delay 3] [--chunk 256]
[--database sqlite|postgresql] (postgresql: a scratch database on the server SCALE_REVIEW_TEST_POSTGRES_URL names).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
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
WARM_UP = 10_000
TOKEN = "xoxb-bench-token"
PROFILE = load_profile(REPO / "examples" / "saas-api.yaml")


def memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live children (HTTP and roadmap workers)."""
    total = 0.0
    for each in [pid, *_children(pid)]:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_children(int(child))]
    return found


class Fakes:
    """The fake Slack and OpenAI servers in a process of their own, so neither they nor the load generator take
    the other's interpreter lock: the arrival times they record are when a request really came in."""

    def __init__(self, reviews: int, delay: float, chunk: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_fakes, args=(reviews, delay, chunk, child), daemon=True)
        self._process.start()
        self.slack_url, self.openai_url = self._conn.recv()

    def ask(self, command: str, argument: float = 0.0) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    def stop(self) -> Any:
        summary = self.ask("stop")
        self._process.join(timeout=30)
        return summary


def _serve_fakes(reviews: int, delay: float, chunk: int, conn: Connection) -> None:
    slack = FakeSlack(token=TOKEN).start()
    for n in [*range(reviews), WARM_UP]:
        slack.add_channel(f"C{n:08d}", f"team-{n}")
        slack.add_user(f"U{n:08d}", tz="Asia/Seoul")
    draft = draft_from_roadmap(generate_rules_roadmap(PROFILE))
    ai = FakeOpenAI(api_key="sk-bench", chunk_size=chunk).start()
    ai.set_default(Answer.content(draft, delay=delay, usage=(14_000, 4_000)))
    conn.send((slack.base_url, ai.base_url))
    while True:
        command, argument = conn.recv()
        if command == "arrivals":  # time.monotonic() is the same clock in every process
            conn.send(sorted(r.at for r in ai.requests() if r.at >= argument))
        elif command == "posted":
            conn.send(sum("is in the thread" in json.dumps(c.args) for c in slack.calls("chat.update")))
        elif command == "charts":  # capacity charts shared under the roadmaps (files_upload_v2's last step)
            conn.send(sum(c.ok for c in slack.calls("files.completeUploadExternal")))
        elif command == "cpu":
            conn.send(time.process_time())
        elif command == "stop":
            summary = (len(ai.requests()), len(slack.violations), len(ai.violations))
            slack.stop()
            ai.stop()
            conn.send(summary)
            return


READY = "SELECT count(*) FROM roadmap_versions WHERE status = 'ready'"
TIMELINE = "SELECT created_at, completed_at FROM roadmap_versions WHERE status = 'ready' ORDER BY id"


class ReadyCounter:
    """Counts the bot's stored roadmap versions from outside its process, without forking a client per look."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._pg: asyncpg.Connection | None = None

    async def __call__(self) -> int:
        if self._url.startswith("sqlite"):
            path = self._url.split("///", 1)[1]
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
                return int(connection.execute(READY).fetchone()[0])
        if self._pg is None:
            self._pg = await asyncpg.connect(self._url)
        return int(await self._pg.fetchval(READY))

    async def timeline(self) -> list[tuple[datetime, datetime]]:
        """When each ready version was created (the submission stored) and completed (the roadmap stored), UTC."""
        if self._url.startswith("sqlite"):
            path = self._url.split("///", 1)[1]
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
                rows = connection.execute(TIMELINE).fetchall()
            return [(_utc(datetime.fromisoformat(a)), _utc(datetime.fromisoformat(b))) for a, b in rows]
        assert self._pg is not None
        return [(_utc(r[0]), _utc(r[1])) for r in await self._pg.fetch(TIMELINE)]

    async def close(self) -> None:
        if self._pg is not None:
            await self._pg.close()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def spread(label: str, seconds: list[float]) -> str:
    seconds = sorted(seconds)
    return f"{label} +{seconds[0]:.2f} s first, +{seconds[len(seconds) // 2]:.2f} s median, +{seconds[-1]:.2f} s last"


async def poll(condition: Callable[[], Awaitable[bool] | bool], interval: float = 0.05) -> None:
    """Wait for another process's progress (its database, the fakes' records) by looking again and again."""
    while True:
        done = condition()
        if done if isinstance(done, bool) else await done:
            return
        await asyncio.sleep(interval)


async def at_least(ready: ReadyCounter, count: int) -> bool:
    return await ready() >= count


def submission(n: int) -> sr.Body:
    view = questionnaire_view(private_metadata="{}", prefill=PROFILE).to_dict()
    values = sr.state_from_view(view, channel=f"C{n:08d}")
    return sr.view_submission(
        callback_id=QUESTIONNAIRE_CALLBACK, values=values, private_metadata="{}", user_id=f"U{n:08d}"
    )


async def submit_all(url: str, bodies: list[sr.Body]) -> list[float]:
    async def one(session: aiohttp.ClientSession, body: sr.Body) -> float:
        content, content_type = body
        started = time.perf_counter()
        async with session.post(
            url, data=content, headers={"Content-Type": content_type, **sr.sign(content, SECRET)}
        ) as r:
            await r.read()
            assert r.status == 200, r.status
        return (time.perf_counter() - started) * 1000

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=len(bodies))) as session:
        return list(await asyncio.gather(*(one(session, b) for b in bodies)))


async def measure(
    args: argparse.Namespace, fakes: Fakes, ready: ReadyCounter, port: int, process: subprocess.Popen[bytes]
):  # type: ignore[no-untyped-def]
    await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
    url = f"http://127.0.0.1:{port}/slack/events"
    await submit_all(url, [submission(WARM_UP)])  # warm-up review: imports, first auth.test, pools
    await poll(lambda: at_least(ready, 1))
    await asyncio.sleep(3)
    before = memory_kib(process.pid)
    bodies = [submission(n) for n in range(args.reviews)]
    cpu_before = cpu_seconds(process.pid)
    fakes_before, client_before = fakes.ask("cpu"), time.process_time()
    print("the burst starts now", flush=True)
    started = time.perf_counter()
    started_monotonic = time.monotonic()
    started_wall = datetime.now(UTC)
    acks = await submit_all(url, bodies)
    await poll(lambda: at_least(ready, args.reviews + 1), 0.02)
    generated = time.perf_counter() - started
    arrivals = [at - started_monotonic for at in fakes.ask("arrivals", started_monotonic)]
    print(
        f"model requests of the {len(arrivals)} reviews arrived between +{arrivals[0]:.2f} s and +{arrivals[-1]:.2f} s"
    )
    cpu_generated = cpu_seconds(process.pid) - cpu_before
    stamps = [(a - started_wall, b - started_wall) for a, b in await ready.timeline() if a >= started_wall]
    print(spread("submissions stored:", [a.total_seconds() for a, _ in stamps]))
    print(spread("roadmaps stored:   ", [b.total_seconds() for _, b in stamps]))
    print(spread("model answers due: ", [at + args.delay for at in arrivals]))
    print(
        f"(meanwhile the fakes used {fakes.ask('cpu') - fakes_before:.2f} s CPU, "
        f"the load generator {time.process_time() - client_before:.2f} s)"
    )
    await poll(lambda: fakes.ask("posted") > args.reviews)
    posted = time.perf_counter() - started
    await poll(lambda: fakes.ask("charts") > args.reviews)  # drawn in ROADMAP_WORKERS, uploaded after the roadmap
    print(f"all capacity charts uploaded under their roadmaps: {time.perf_counter() - started:.2f} s")
    after = memory_kib(process.pid)
    cpu_posted = cpu_seconds(process.pid) - cpu_before
    await ready.close()
    return acks, generated, posted, before, after, cpu_generated, cpu_posted


@contextlib.contextmanager
def bench_database(kind: str, folder: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder}/bench.db"
        return
    with scratch_postgres() as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=100)
    parser.add_argument("--delay", type=float, default=3.0, help="seconds before the fake model answers")
    parser.add_argument(
        "--chunk",
        type=int,
        default=256,
        help="characters per streamed delta; a real model sends a token (~4 characters) at a time, spread over "
        "its answer, where the fake sends the whole answer at once",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="postgresql: a scratch database on SCALE_REVIEW_TEST_POSTGRES_URL's server, dropped afterwards",
    )
    args = parser.parse_args()
    fakes = Fakes(args.reviews, args.delay, args.chunk)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder, bench_database(args.database, folder) as database_url:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fakes.slack_url,
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": fakes.openai_url,
            "DATABASE_URL": database_url,
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("SLACK_APP_TOKEN", None)
        if not database_url.startswith("sqlite"):  # only SQLite is migrated on start
            subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=REPO, check=True)
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=REPO)
        ready = ReadyCounter(database_url)
        try:
            acks, generated, posted, before, after, cpu_generated, cpu_posted = asyncio.run(
                measure(args, fakes, ready, port, process)
            )
        finally:
            process.terminate()
            process.wait(timeout=60)
    requests, slack_violations, openai_violations = fakes.stop()
    acks.sort()
    print(
        f"reviews: {args.reviews} at once; fake model answers after {args.delay:g} s in deltas of {args.chunk} "
        f"characters; model requests: {requests}"
    )
    print(f"submission ack p50: {acks[len(acks) // 2]:.0f} ms, max: {acks[-1]:.0f} ms")
    print(f"all roadmaps generated and stored: {generated:.2f} s (goal: under 5 s); bot CPU {cpu_generated:.2f} s")
    print(f"all roadmaps fully posted (Slack pace ~1 message/s/channel): {posted:.2f} s; bot CPU {cpu_posted:.2f} s")
    growth = (after["VmHWM"] - before["VmRSS"]) / args.reviews
    print(
        f"bot memory: {before['VmRSS'] / 1024:.0f} MiB before, peak {after['VmHWM'] / 1024:.0f} MiB; "
        f"about {growth:.0f} KiB per in-flight review"
    )
    print(f"violations: fake Slack {slack_violations}, fake OpenAI {openai_violations}")


if __name__ == "__main__":
    main()
