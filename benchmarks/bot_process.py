"""The benchmarks' view of a `scale-review serve` process: a port for it, waiting until it answers, and a
scratch PostgreSQL database for it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator

import aiohttp
import asyncpg
from sqlalchemy import make_url


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
