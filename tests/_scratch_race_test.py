import asyncio, json, os, signal, logging
from pathlib import Path
import pytest
import bot.server
from bot.config import Settings
from bot.roadmap.profile_io import load_profile
from bot.slack import modal
from bot.slack.ids import QUESTIONNAIRE_CALLBACK
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import socket_payload
from tests.test_serve import fake, TOKEN, APP_TOKEN, EXAMPLE, sqlite_url  # noqa

async def test_race(fake, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    fake.delay("chat.postMessage", 1.0)
    settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake.base_url, database_url=sqlite_url(tmp_path))
    server = asyncio.ensure_future(bot.server.serve(settings))
    await fake.socket_wait_connected(timeout=10)
    metadata = json.dumps({"channel": sr.CHANNEL_ID})
    view = modal.questionnaire_view(private_metadata=metadata, prefill=load_profile(EXAMPLE)).to_dict()
    kind, payload = socket_payload(sr.view_submission(callback_id=QUESTIONNAIRE_CALLBACK, values=sr.state_from_view(view, channel=sr.CHANNEL_ID), private_metadata=metadata))
    eid = await fake.socket_send(kind, payload)
    await fake.wait_for_calls_async("chat.postMessage", 1, timeout=5)  # the listener is inside open_thread
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(server, 30)
    print("ACKS", fake.socket_acks())
    print("POSTS", [(c.ok, c.args.get("text", "")[:60]) for c in fake.calls("chat.postMessage")])
    for r in caplog.records:
        if "alembic" not in r.name and "apscheduler" not in r.name:
            print("LOG", r.levelname, r.name, r.getMessage()[:300])
    import sqlite3
    db = sqlite3.connect(tmp_path / "serve.db")
    for t in ("roadmaps", "roadmap_versions"):
        try:
            print(t, db.execute(f"select * from {t}").fetchall())
        except Exception as e:
            print(t, e)
