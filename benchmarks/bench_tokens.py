"""What a workspace's token costs per Web API call when the app is installed in many workspaces (OAuth).

With OAuth the publisher looks the token up for every call (bot/slack/client.py WorkspaceClients), through the
same authorize Bolt uses for requests: one query on slack_bots (bot-only installations) and auth.test once per
token per process (cached). This installs N workspaces straight into the installation store, warms each token
once, then times lookups of random workspaces: one at a time (the latency a call adds) and 50 at once (what a
burst of posts sees), on SQLite and on PostgreSQL.

Run from the repository root: python benchmarks/bench_tokens.py [--workspaces 1000] [--lookups 5000]
PostgreSQL: SCALE_REVIEW_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres); skipped if absent.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from slack_sdk.oauth.installation_store.models.installation import Installation  # noqa: E402

from benchmarks.bot_process import scratch_postgres  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.slack.client import close_client, make_client  # noqa: E402
from bot.slack.installs import Installations  # noqa: E402
from storage import Database  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

CONCURRENCY = 50


def _team(n: int) -> str:
    return f"T{n:09d}"


async def run(url: str, fake: FakeSlack, workspaces: int, lookups: int) -> dict[str, float]:
    database = Database(url)
    await database.upgrade()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_client_id="1.2",
        slack_client_secret="bench-secret",
        slack_state_secret="b" * 40,
        slack_api_url=fake.base_url,
        database_url=url,
    )
    client = make_client(settings)
    try:
        installs = Installations(settings, database.engine, client)
        for n in range(workspaces):
            await installs.store.async_save(
                Installation(
                    app_id="A1",
                    team_id=_team(n),
                    user_id="U1",
                    bot_token=f"xoxb-{n}-bench",
                    bot_id="B1",
                    bot_user_id="U2",
                    bot_scopes="chat:write",
                )
            )
        for n in range(workspaces):  # auth.test once per token, as a running bot does over time
            assert await installs.bot_token(_team(n)) == f"xoxb-{n}-bench"
        teams = [_team(random.randrange(workspaces)) for _ in range(lookups)]
        took = []
        for team in teams:
            started = time.perf_counter()
            await installs.bot_token(team)
            took.append(time.perf_counter() - started)
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def one(team: str) -> None:
            async with semaphore:
                await installs.bot_token(team)

        started = time.perf_counter()
        await asyncio.gather(*(one(team) for team in teams))
        burst = time.perf_counter() - started
        took.sort()
        return {
            "p50_ms": statistics.median(took) * 1000,
            "p99_ms": took[int(len(took) * 0.99)] * 1000,
            "serial_per_s": len(took) / sum(took),
            "burst_per_s": len(teams) / burst,
        }
    finally:
        await close_client(client)
        await database.dispose()


def report(name: str, figures: dict[str, float], workspaces: int, lookups: int) -> None:
    print(
        f"{name:10s} {workspaces} workspaces, {lookups} lookups: one at a time p50 {figures['p50_ms']:.2f} ms, "
        f"p99 {figures['p99_ms']:.2f} ms ({figures['serial_per_s']:.0f}/s); "
        f"{CONCURRENCY} at once {figures['burst_per_s']:.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=5000)
    args = parser.parse_args()
    random.seed(18)
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite:///{Path(folder) / 'tokens.db'}"
        report("SQLite", asyncio.run(run(sqlite, fake, args.workspaces, args.lookups)), args.workspaces, args.lookups)
        try:
            with scratch_postgres() as pg:
                figures = asyncio.run(run(pg, fake, args.workspaces, args.lookups))
                report("PostgreSQL", figures, args.workspaces, args.lookups)
        except OSError as exc:
            print(f"PostgreSQL skipped: {exc}")


if __name__ == "__main__":
    main()
