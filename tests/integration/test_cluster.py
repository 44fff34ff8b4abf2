"""Two `scale-review serve` processes on one PostgreSQL, as an operator runs them behind a load balancer.

Each is a real `python -m bot serve` (HTTP mode) talking to the fake Slack and the fake OpenAI server of this test.
Generation runs as pgqueuer jobs (bot/jobs.py): when one instance is SIGKILLed in the middle of a model call, the
other picks the job up once its heartbeat goes stale and posts the roadmap, once. Slack's retry of an event,
delivered to the other instance, is handled once. Skipped without PostgreSQL (a failure under SCALE_REVIEW_CI=1).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import make_url

from bot.roadmap.profile_io import load_profile
from bot.services import shared_threads
from bot.slack.ids import QUESTIONNAIRE_CALLBACK
from bot.slack.modal.questionnaire import questionnaire_view
from storage import Database
from storage.repositories.jobs import GenerationJob
from storage.repositories.roadmaps import RoadmapRepository
from tests.builders import sample_profile
from tests.conftest import _pg_create_database, _pg_drop_database
from tests.fakes import slack_requests as sr
from tests.fakes.openai_api import DEFAULT_API_KEY, Answer, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.integration.test_serve import EXAMPLE, SECRET, TOKEN, Process, free_port, scale_review_serve, wait_healthy
from tests.llm_drafts import answer_for
from tests.slack_harness import running_bot

HEARTBEAT_S = 2  # JOB_HEARTBEAT_SECONDS: how long a killed instance's job waits before another picks it up
POSTED_WITHIN_S = 45.0  # an upper bound for a loaded machine; it takes a few seconds


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        server.add_channel(sr.CHANNEL_ID, sr.CHANNEL_NAME)
        server.add_user(sr.USER_ID, name=sr.USER_NAME, tz="Asia/Seoul")
        yield server


@pytest.fixture
def ai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    server.set_default(answer_for)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def cluster_db(pg_url: str) -> AsyncIterator[str]:
    """A migrated database of its own (the processes share it; the session's database stays the in-process tests')."""
    del pg_url  # only for its skip: no PostgreSQL, no cluster
    url = await _pg_create_database()
    database = Database(url)
    try:
        await database.upgrade()
    finally:
        await database.dispose()
    try:
        yield url
    finally:
        await _pg_drop_database(url)


@contextlib.asynccontextmanager
async def instance(
    tmp_path: Path, name: str, fake: FakeSlack, ai: FakeOpenAI, database_url: str, **extra: str
) -> AsyncIterator[tuple[Process, str]]:
    folder = tmp_path / name
    folder.mkdir()
    port = free_port()
    async with scale_review_serve(
        folder,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        OPENAI_API_KEY=DEFAULT_API_KEY,
        OPENAI_BASE_URL=ai.base_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        **{"ROADMAP_WORKERS": "0", "JOB_HEARTBEAT_SECONDS": str(HEARTBEAT_S), "LOG_LEVEL": "INFO", **extra},
    ) as process:
        base = f"http://127.0.0.1:{port}"
        await wait_healthy(base, process)
        yield process, base


async def submit(base: str, channel: str = sr.CHANNEL_ID) -> None:
    view = questionnaire_view(private_metadata="{}", prefill=load_profile(EXAMPLE)).to_dict()
    body = sr.view_submission(
        callback_id=QUESTIONNAIRE_CALLBACK, values=sr.state_from_view(view, channel=channel), private_metadata="{}"
    )
    status, _ = await sr.post_signed(f"{base}/slack/events", *body, SECRET)
    assert status == 200


async def rows(database_url: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(False))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


async def until(what: str, check: Any, limit: float = POSTED_WITHIN_S, logs: tuple[Process, ...] = ()) -> Any:
    """Poll `check()` (sync or async) until it returns something truthy; fail with the processes' logs."""
    deadline = asyncio.get_running_loop().time() + limit
    while asyncio.get_running_loop().time() < deadline:
        found = check()
        found = await found if asyncio.iscoroutine(found) else found
        if found:
            return found
        await asyncio.sleep(0.1)
    shown = "\n".join(f"--- {p.log_path.parent.name} ---\n{p.log[-6000:]}" for p in logs)
    raise AssertionError(f"timed out after {limit} s waiting for {what}\n{shown}")


def roadmap_replies(fake: FakeSlack, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """The thread's replies that are roadmap messages (not the live progress line nor the chart upload)."""
    replies = [m for m in fake.messages(channel, thread_ts) if m["ts"] != thread_ts]
    return [m for m in replies if "files" not in m and not str(m.get("text", "")).startswith(":hourglass")]


async def test_a_generation_killed_midway_is_posted_once_by_the_other_instance(
    fake: FakeSlack, ai: FakeOpenAI, cluster_db: str, tmp_path: Path
) -> None:
    # the first model call hangs: the instance making it is killed while it waits
    ai.enqueue(lambda body: Answer.content(answer_for(body), delay=120))
    async with instance(tmp_path, "a", fake, ai, cluster_db) as (a, base_a):
        await submit(base_a)
        await until("the first instance to call the model", lambda: len(ai.requests()) >= 1, logs=(a,))
        async with instance(tmp_path, "b", fake, ai, cluster_db) as (b, _):
            a.proc.send_signal(signal.SIGKILL)
            await a.proc.wait()
            killed_at = asyncio.get_running_loop().time()
            published = await until(
                "the roadmap posted by the surviving instance",
                lambda: rows(cluster_db, "SELECT id FROM roadmap_versions WHERE published_at IS NOT NULL"),
                logs=(a, b),
            )
            took = asyncio.get_running_loop().time() - killed_at
            await asyncio.sleep(HEARTBEAT_S * 2)  # room for a second posting, were there one
            assert "Traceback" not in b.log, b.log

    assert len(published) == 1
    assert len(ai.requests()) == 2  # the killed call, and the survivor's
    (roadmap,) = await rows(cluster_db, "SELECT id, channel_id, thread_ts FROM roadmaps")
    versions = await rows(cluster_db, "SELECT id, status FROM roadmap_versions")
    assert [(v["id"], v["status"]) for v in versions] == [(published[0]["id"], "ready")]  # resumed, not renumbered
    parents = [m for m in fake.messages(sr.CHANNEL_ID) if m.get("thread_ts") in (None, m["ts"])]
    assert [p["ts"] for p in parents] == [roadmap["thread_ts"]]  # one parent message, posted by the first instance
    version_id = published[0]["id"]
    recorded = await rows(
        cluster_db, f"SELECT ts FROM message_refs WHERE version_id = {version_id} AND kind <> 'chart'"
    )
    posted = roadmap_replies(fake, sr.CHANNEL_ID, roadmap["thread_ts"])
    assert recorded and sorted(m["ts"] for m in posted) == sorted(r["ts"] for r in recorded)  # each message once
    charts = await rows(cluster_db, f"SELECT ts FROM message_refs WHERE version_id = {version_id} AND kind = 'chart'")
    assert len(charts) == 1  # and its capacity chart, uploaded once
    jobs = await rows(cluster_db, "SELECT count(*) AS n FROM pgqueuer")
    assert jobs[0]["n"] == 0  # the job is done, not waiting for a third try
    print(f"posted by the survivor {took:.1f} s after the SIGKILL (heartbeat timeout {HEARTBEAT_S} s)")
    assert took < HEARTBEAT_S + 15, f"the survivor took {took:.1f} s after the kill"
    fake.assert_clean()
    ai.assert_clean()


async def test_sigterm_lets_a_running_generation_finish_before_the_process_exits(
    fake: FakeSlack, ai: FakeOpenAI, cluster_db: str, tmp_path: Path
) -> None:
    ai.enqueue(lambda body: Answer.content(answer_for(body), delay=3))
    async with instance(tmp_path, "a", fake, ai, cluster_db) as (a, base_a):
        await submit(base_a)
        await until("the model call", lambda: len(ai.requests()) >= 1, logs=(a,))
        status = await a.sigterm()
        assert status == 0, a.log
        assert "handed" not in a.log and "Traceback" not in a.log, a.log
    published = await rows(cluster_db, "SELECT id FROM roadmap_versions WHERE published_at IS NOT NULL")
    assert len(published) == 1  # posted by the stopping instance itself, before it exited
    assert (await rows(cluster_db, "SELECT count(*) AS n FROM pgqueuer"))[0]["n"] == 0
    fake.assert_clean()
    ai.assert_clean()


async def test_sigterm_hands_a_generation_it_cannot_finish_back_to_the_other_instance(
    fake: FakeSlack, ai: FakeOpenAI, cluster_db: str, tmp_path: Path
) -> None:
    ai.enqueue(lambda body: Answer.content(answer_for(body), delay=120))
    # heartbeats so slow that only the hand-back, not a stale heartbeat, can explain the other instance's pick-up
    slow = {"JOB_HEARTBEAT_SECONDS": "60", "JOB_SHUTDOWN_GRACE_SECONDS": "1"}
    async with instance(tmp_path, "a", fake, ai, cluster_db, **slow) as (a, base_a):
        await submit(base_a)
        await until("the model call", lambda: len(ai.requests()) >= 1, logs=(a,))
        async with instance(tmp_path, "b", fake, ai, cluster_db, **slow) as (b, _):
            status = await a.sigterm()
            assert status == 0, a.log
            assert "handed 1 job(s) back to the queue" in a.log, a.log
            published = await until(
                "the roadmap posted by the other instance",
                lambda: rows(cluster_db, "SELECT id FROM roadmap_versions WHERE published_at IS NOT NULL"),
                limit=10,
                logs=(a, b),
            )
            assert "Traceback" not in b.log, b.log
    assert len(published) == 1 and len(ai.requests()) == 2
    (roadmap,) = await rows(cluster_db, "SELECT thread_ts FROM roadmaps")
    recorded = await rows(cluster_db, "SELECT ts FROM message_refs WHERE kind <> 'chart'")
    posted = roadmap_replies(fake, sr.CHANNEL_ID, roadmap["thread_ts"])
    assert sorted(m["ts"] for m in posted) == sorted(r["ts"] for r in recorded)
    fake.assert_clean()
    ai.assert_clean()


async def test_a_retried_event_delivered_to_both_instances_is_handled_once(
    fake: FakeSlack, ai: FakeOpenAI, cluster_db: str, tmp_path: Path
) -> None:
    async with (
        instance(tmp_path, "a", fake, ai, cluster_db) as (a, base_a),
        instance(tmp_path, "b", fake, ai, cluster_db) as (b, base_b),
    ):
        await submit(base_a)
        await until(
            "the roadmap posted",
            lambda: rows(cluster_db, "SELECT id FROM roadmap_versions WHERE published_at IS NOT NULL"),
            logs=(a, b),
        )
        await until(  # the last thing posted after a roadmap: its chart
            "the chart", lambda: rows(cluster_db, "SELECT ts FROM message_refs WHERE kind = 'chart'"), logs=(a, b)
        )
        (roadmap,) = await rows(cluster_db, "SELECT thread_ts FROM roadmaps")
        thread_ts = roadmap["thread_ts"]
        before = len(fake.messages(sr.CHANNEL_ID, thread_ts))
        event = sr.message_event("status", thread_ts=thread_ts)
        body, content_type = sr.event_callback(event, event_id="Ev0CLUSTER01")
        first, retried = await asyncio.gather(
            sr.post_signed(f"{base_a}/slack/events", body, content_type, SECRET),
            sr.post_signed(f"{base_b}/slack/events", body, content_type, SECRET, headers=sr.retry_headers(1)),
        )
        assert first[0] == retried[0] == 200
        await until("the status answer", lambda: len(fake.messages(sr.CHANNEL_ID, thread_ts)) > before, logs=(a, b))
        await asyncio.sleep(1.0)  # room for a second answer, were there one
        answers = fake.messages(sr.CHANNEL_ID, thread_ts)[before:]
        check_ins = [m for m in answers if str(m.get("text", "")).startswith("Weekly check-in")]
        assert len(check_ins) == 1, answers
        handled = [p for p in (a, b) if "event Ev0CLUSTER01 already handled" in p.log]
        assert len(handled) == 1  # one instance saw it first; the other recognised the retry
        remembered = await rows(cluster_db, "SELECT count(*) AS n FROM discussion_messages")
        assert remembered[0]["n"] == 1
    fake.assert_clean()
    ai.assert_clean()


class Killed(BaseException):
    """The process going away: nothing after this point of the run happens."""


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_a_parent_posted_by_an_instance_killed_before_recording_it_is_found_not_posted_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The submitting instance dies after Slack answered its parent message and before the thread was stored: the
    instance that resumes the job finds that message (by its metadata) and uses it, instead of posting a second."""
    async with running_bot(database) as h:
        reviews = h.bot.services.reviews
        reviews.queue_generation()  # as the pgqueuer worker switches it; no worker here, the test runs the job
        submission = await reviews.submit(sr.TEAM_ID, sr.USER_ID, sr.CHANNEL_ID, sample_profile())

        async def killed(*args: object) -> None:
            raise Killed

        with monkeypatch.context() as m:
            m.setattr(RoadmapRepository, "set_thread_once", killed)
            with pytest.raises(Killed):
                await reviews.post_parent(submission)
        (posted,) = h.fake.messages(sr.CHANNEL_ID)  # Slack has the parent message; the database does not
        monkeypatch.setattr(shared_threads, "PARENT_WAIT", timedelta(0))  # the submitter's wait is over

        done = await reviews.run_queued(GenerationJob(submission.version_id, sr.USER_ID, submitted=True))
        await h.idle()

        assert done == "generated"
        parents = [m for m in h.fake.messages(sr.CHANNEL_ID) if m.get("thread_ts") in (None, m["ts"])]
        assert [p["ts"] for p in parents] == [posted["ts"]]  # one parent message: the dead instance's
        async with database.unit_of_work(readonly=True) as repos:
            roadmap = await repos.roadmaps.get(submission.roadmap_id)
            version = await repos.roadmaps.get_version(submission.version_id)
        assert roadmap is not None and roadmap.thread_ts == posted["ts"]
        assert version is not None and version.published_at is not None
        assert len(roadmap_replies(h.fake, sr.CHANNEL_ID, posted["ts"])) >= 2  # the roadmap went into that thread
        h.fake.assert_clean()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_one_instance_restarted_after_a_kill_between_posting_and_recording_the_parent_uses_that_parent(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded single instance: the process died after posting the parent message, and the restart's resume of
    the review finds that message instead of posting a second."""
    async with running_bot(database) as h:
        reviews = h.bot.services.reviews
        submission = await reviews.submit(sr.TEAM_ID, sr.USER_ID, sr.CHANNEL_ID, sample_profile())

        async def killed(*args: object) -> None:
            raise Killed

        with monkeypatch.context() as m:
            m.setattr(RoadmapRepository, "set_thread", killed)
            with pytest.raises(Killed):
                await reviews.post_parent(submission)
        (posted,) = h.fake.messages(sr.CHANNEL_ID)

        assert await reviews.resume_interrupted(now=datetime.now(UTC) + timedelta(hours=1)) == 1  # the restart
        await h.idle()

        parents = [m for m in h.fake.messages(sr.CHANNEL_ID) if m.get("thread_ts") in (None, m["ts"])]
        assert [p["ts"] for p in parents] == [posted["ts"]]
        assert len(roadmap_replies(h.fake, sr.CHANNEL_ID, posted["ts"])) >= 2
        h.fake.assert_clean()
