"""Files in the roadmap's thread, end to end over HTTP against the fake Slack (SQLite and PostgreSQL): the capacity
chart once per version, and `export` / `내보내기` uploading the Markdown, CSV and JSON with the statuses as they are."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from matplotlib.image import imread

from bot.roadmap.chart import PNG_MAGIC
from bot.roadmap.export import CSV_COLUMNS
from bot.roadmap.profile_io import load_profile
from bot.roadmap.schema import Roadmap
from bot.services.exports import is_export_command
from bot.slack import ids
from storage import Database
from tests.fakes import slack_requests as sr
from tests.slack_harness import GatedEngine, Harness, running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


async def _roadmap_thread(h: Harness) -> str:
    status, body = await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
    assert status == 200 and body in ("", "{}"), body
    await h.idle()
    return h.thread()[0]["ts"]


async def _reply(h: Harness, parent_ts: str, text: str, user: str = sr.USER_ID, *, wait: bool = True) -> None:
    ts = h.fake.add_message(sr.CHANNEL_ID, text, user=user, thread_ts=parent_ts)
    assert (await h.send(sr.event_callback(sr.message_event(text, user=user, ts=ts, thread_ts=parent_ts))))[0] == 200
    if wait:
        await h.idle()


def _pngs(h: Harness) -> list[dict[str, Any]]:
    return [f for f in h.fake.files(sr.CHANNEL_ID) if f["filename"].endswith(".png")]


async def test_the_chart_is_uploaded_once_under_each_version(database: Database) -> None:
    async with running_bot(database) as h:
        parent_ts = await _roadmap_thread(h)
        (chart,) = _pngs(h)
        assert chart["content"].startswith(PNG_MAGIC) and chart["thread_ts"] == parent_ts
        assert imread(io.BytesIO(chart["content"]), format="png").shape[:2] == (560, 800)
        assert chart["alt_txt"].startswith("Capacity chart for Ledgerly API.")
        async with database.unit_of_work() as repos:
            version = await repos.roadmaps.latest_version(1)
            assert version is not None
        # publishing the same version again (Post again, a resumed run) does not upload it twice
        assert await h.bot.services.reviews.publish(version.id)
        await h.idle()
        assert len(_pngs(h)) == 1
        # nor does a status change: statuses never move the forecast
        await _reply(h, parent_ts, "done 1.1")
        assert len(_pngs(h)) == 1
        h.fake.assert_clean()


async def test_the_app_home_shows_the_chart_of_the_newest_roadmaps(database: Database) -> None:
    async with running_bot(database) as h:
        await _roadmap_thread(h)
        (chart,) = _pngs(h)
        assert (await h.send(sr.event_callback(sr.app_home_opened_event(user=sr.USER_ID))))[0] == 200
        await h.fake.wait_for_calls_async("views.publish", 1)
        await h.idle()
        home = h.fake.home_view(sr.USER_ID)
        assert home is not None
        images = [b for b in home["blocks"] if b["type"] == "image"]
        assert [b["slack_file"] for b in images] == [{"id": chart["id"]}]
        assert images[0]["alt_text"].startswith("Capacity chart of Ledgerly API")
        h.fake.assert_clean()


async def test_export_uploads_markdown_csv_and_json_with_statuses_and_owners(database: Database) -> None:
    async with running_bot(database) as h:
        parent_ts = await _roadmap_thread(h)
        await _reply(h, parent_ts, "done 1.1")
        await _reply(h, parent_ts, "start 1.2", user="U0000BOB")
        await _reply(h, parent_ts, "export")
        uploads = {
            f["filename"].rsplit(".", 1)[1]: f
            for f in h.fake.files(sr.CHANNEL_ID)
            if not f["filename"].endswith(".png")
        }
        assert set(uploads) == {"md", "csv", "json"}
        assert all(f["thread_ts"] == parent_ts for f in uploads.values())
        shared = [m for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if len(m.get("files", [])) == 3]
        assert len(shared) == 1 and "Roadmap v1 as files" in shared[0]["text"]

        rows = list(csv.DictReader(io.StringIO(uploads["csv"]["content"].decode("utf-8"), newline="")))
        by_id = {r["Summary"].split(" ", 1)[0]: r for r in rows}
        assert tuple(rows[0]) == CSV_COLUMNS
        assert by_id["1.1"]["Status"] == "Done" and by_id["1.2"]["Status"] == "In Progress"
        assert by_id["1.2"]["Assignee"] == "U0000BOB"  # whoever started it owns it
        roadmap = Roadmap.model_validate_json(uploads["json"]["content"])
        assert [r["Summary"] for r in rows] == [f"{i.id} {i.title}" for i in roadmap.items()]
        markdown = uploads["md"]["content"].decode("utf-8")
        assert f"- [x] **1.1 {roadmap.item('1.1').title}** (done)" in markdown  # type: ignore[union-attr]
        assert "- [ ] **1.2 " in markdown and "owner U0000BOB" in markdown
        h.fake.assert_clean()


async def test_the_export_button_on_the_parent_message(database: Database) -> None:
    async with running_bot(database) as h:
        parent_ts = await _roadmap_thread(h)
        parent = h.fake.message(sr.CHANNEL_ID, parent_ts)
        assert parent is not None
        status, _ = await h.click(parent, ids.ACTION_EXPORT)
        assert status == 200
        await h.idle()
        names = sorted(f["filename"].rsplit(".", 1)[1] for f in h.fake.files(sr.CHANNEL_ID))
        assert names == ["csv", "json", "md", "png"]
        assert all(f["thread_ts"] == parent_ts for f in h.fake.files(sr.CHANNEL_ID))
        h.fake.assert_clean()


async def test_korean_command_and_a_refused_upload_is_said_in_the_thread(database: Database) -> None:
    async with running_bot(database) as h:
        parent_ts = await _roadmap_thread(h)
        h.fake.fail_next("files.completeUploadExternal", "invalid_channel")
        await _reply(h, parent_ts, "내보내기")
        said = [m["text"] for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if "could not upload" in m.get("text", "")]
        assert said == ["I could not upload the files (invalid_channel)."]
        await _reply(h, parent_ts, "내보내기")  # tried again, it works
        assert len([f for f in h.fake.files(sr.CHANNEL_ID) if f["filename"].endswith(".csv")]) == 1
        # a thread that is not a roadmap's: nothing happens
        other = h.fake.add_message(sr.CHANNEL_ID, "lunch?", user=sr.USER_ID)
        calls = len(h.fake.calls("files.getUploadURLExternal"))
        await _reply(h, other, "export")
        assert len(h.fake.calls("files.getUploadURLExternal")) == calls
        assert json.dumps(h.fake.violations) == "[]"


async def test_a_korean_review_gets_korean_files(database: Database) -> None:
    async with running_bot(database) as h:
        status, _ = await h.submit(load_profile(EXAMPLES / "shop-ko.yaml"))  # answers in Korean: a Korean review
        assert status == 200
        await h.idle()
        parent_ts = h.thread()[0]["ts"]
        (chart,) = _pngs(h)
        assert chart["alt_txt"].startswith("하루마켓의 처리 용량 차트입니다.") and "목표 10만명" in chart["alt_txt"]
        await _reply(h, parent_ts, "내보내기")
        files = {f["filename"].rsplit(".", 1)[1]: f for f in h.fake.files(sr.CHANNEL_ID)}
        assert files["md"]["content"].decode("utf-8").startswith("# 확장 로드맵: 하루마켓")
        assert files["md"]["filename"].startswith("하루마켓-roadmap-v1")
        shared = [m for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if len(m.get("files", [])) == 3]
        assert shared and shared[0]["text"].startswith("로드맵 v1을 파일로 올립니다")
        h.fake.assert_clean()


async def test_export_before_the_roadmap_is_ready_says_so(database: Database) -> None:
    engine = GatedEngine()
    async with running_bot(database, engine=engine) as h:
        status, _ = await h.submit(load_profile(EXAMPLES / "saas-api.yaml"))
        assert status == 200
        await engine.entered.wait()
        parent_ts = await h.fake.wait_until(
            lambda: h.fake.messages(sr.CHANNEL_ID) and h.fake.messages(sr.CHANNEL_ID)[0]["ts"]
        )
        await _reply(h, parent_ts, "export", wait=False)
        said = await h.fake.wait_until(
            lambda: [m for m in h.fake.messages(sr.CHANNEL_ID, parent_ts) if "no roadmap to export yet" in m["text"]]
        )
        assert len(said) == 1 and h.fake.files() == []
        engine.gate.set()
        await h.idle()
        h.fake.assert_clean()


def test_export_command_is_the_whole_message() -> None:
    for text in ("export", "Export.", "  내보내기 ", "<@U0000BOT> export", "내보내 줘"):
        assert is_export_command(text), text
    for text in ("export the plan to jira later", "exports", "why export?", "export" * 20):
        assert not is_export_command(text), text
