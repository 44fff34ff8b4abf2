"""The benchmarks' view of a `scale-review serve` process: starting one against a fake Slack (a port, a scratch
SQLite, the environment), waiting until it answers, and a scratch PostgreSQL database for it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy import make_url

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def serving(
    slack_api_url: str,
    *,
    token: str,
    secret: str,
    log_level: str = "WARNING",
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`scale-review serve` in its own process, in HTTP mode on a free port, with a scratch SQLite (or
    `database_url`) and the rules engine (no Socket Mode, no OpenAI key) unless `env` says otherwise; yields
    (events URL, process), then stops it."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        full = {
            **os.environ,
            "SLACK_BOT_TOKEN": token,
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": slack_api_url,
            "DATABASE_URL": database_url or f"sqlite:///{folder}/bench.db",
            "PORT": str(port),
            "LOG_LEVEL": log_level,
        }
        full.pop("SLACK_APP_TOKEN", None)
        full.pop("OPENAI_API_KEY", None)
        full.update(env or {})
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=full, cwd=REPO)
        try:
            yield f"http://127.0.0.1:{port}/slack/events", process
        finally:
            process.terminate()
            process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_healthy(url: str, process: subprocess.Popen[bytes], limit: float = 30) -> None:
    """Until /healthz answers 200; a bot that exits or stays silent ends the benchmark with the reason."""
    deadline = time.monotonic() + limit
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"the bot exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the bot did not become healthy")


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new database on SCALE_REVIEW_TEST_POSTGRES_URL's server (default: the local one), dropped afterwards."""
    admin = os.environ.get("SCALE_REVIEW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"scale_review_bench_{secrets.token_hex(4)}"

    async def admin_sql(sql: str) -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
