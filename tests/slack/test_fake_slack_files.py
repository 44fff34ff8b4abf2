"""The fake Slack's file uploads, driven by slack_sdk's real files_upload_v2 (three HTTP steps), and checked against
Slack's method descriptions like every other call: what Slack would refuse, the fake refuses too."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.conftest import require_shared
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_spec import JAVA_FILE, OPENAPI_FILE, SlackApiSpec

TOKEN = "xoxb-test-token"
CHANNEL = sr.CHANNEL_ID


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """The contract check on (Slack's reference files required), one channel the bot is in, one it is not in."""
    require_shared(f"slack-api/{OPENAPI_FILE}")
    spec_dir = require_shared(f"slack-api/{JAVA_FILE}").parent
    with FakeSlack(spec_dir=spec_dir, require_spec=True) as server:
        server.add_channel(CHANNEL, "general")
        server.add_channel("C0OUTSIDE", "outside", member=False)
        yield server


def _client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=fake.base_url)


async def test_files_upload_v2_shares_the_files_in_the_thread(fake: FakeSlack) -> None:
    client = _client(fake)
    parent = (await client.chat_postMessage(channel=CHANNEL, text="roadmap")).data
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = await client.files_upload_v2(
        file_uploads=[
            {"file": png, "filename": "chart.png", "title": "Capacity", "alt_txt": "880 users now"},
            {"content": "Summary,Status\r\n1.1 Index,To Do\r\n", "filename": "plan.csv", "title": "Issues"},
        ],
        channel=CHANNEL,
        thread_ts=parent["ts"],
        initial_comment="the files",
    )
    assert [f["title"] for f in response["files"]] == ["Capacity", "Issues"]
    assert [c.method for c in fake.calls()][1:] == [
        "files.getUploadURLExternal",
        "files.getUploadURLExternal",
        "upload_url",
        "upload_url",
        "files.completeUploadExternal",
    ]
    stored = {f["filename"]: f for f in fake.files(CHANNEL)}
    assert stored["chart.png"]["content"] == png and stored["chart.png"]["alt_txt"] == "880 users now"
    assert stored["plan.csv"]["content"].decode() == "Summary,Status\r\n1.1 Index,To Do\r\n"
    thread = fake.messages(CHANNEL, parent["ts"])
    shared = thread[-1]
    assert shared["thread_ts"] == parent["ts"] and shared["text"] == "the files"
    assert [(f["name"], f["mimetype"]) for f in shared["files"]] == [
        ("chart.png", "image/png"),
        ("plan.csv", "text/csv"),
    ]
    fake.assert_clean()


async def test_uploading_where_the_bot_is_not_a_member_is_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        await _client(fake).files_upload_v2(content="x", filename="a.md", channel="C0OUTSIDE")
    assert refused.value.response["error"] == "not_in_channel"
    assert fake.files("C0OUTSIDE") == []


async def test_what_slack_would_refuse_is_refused_and_recorded(fake: FakeSlack) -> None:
    client = _client(fake)
    # filename and length are required by files.getUploadURLExternal
    with pytest.raises(SlackApiError):
        await client.api_call("files.getUploadURLExternal", params={"filename": "a.md"})
    assert any("missing required argument(s) length" in v for v in fake.violations)
    # completing a file whose bytes never came, or one Slack never issued
    issued = (await client.files_getUploadURLExternal(filename="a.md", length=3)).data
    with pytest.raises(SlackApiError) as early:
        await client.files_completeUploadExternal(files=[{"id": issued["file_id"], "title": "A"}], channel_id=CHANNEL)
    assert early.value.response["error"] == "file_not_found"
    assert any("completed before its bytes" in v for v in fake.violations)
    with pytest.raises(SlackApiError) as unknown:
        await client.files_completeUploadExternal(files=[{"id": "F404", "title": "A"}], channel_id=CHANNEL)
    assert unknown.value.response["error"] == "file_not_found"
    # an empty file, an alt text over Slack's 1,000 characters
    for bad, error in (({"length": 0}, "missing_argument"), ({"alt_txt": "x" * 1001}, "alt_txt_too_large")):
        with pytest.raises(SlackApiError) as refused:
            await client.files_getUploadURLExternal(**{"filename": "a.png", "length": 3, **bad})  # type: ignore[arg-type]
        assert refused.value.response["error"] == error
    # bytes of another length than announced
    async with aiohttp.ClientSession() as session, session.post(issued["upload_url"], data=b"four") as answer:
        assert answer.status == 400
    assert any("4 bytes sent, 3 announced" in v for v in fake.violations)


def test_the_upload_methods_are_described() -> None:
    spec = SlackApiSpec.load(require_shared(f"slack-api/{JAVA_FILE}").parent)
    assert spec.methods["files.getUploadURLExternal"].required == {"filename", "length"}
    assert spec.methods["files.completeUploadExternal"].required == {"files"}
    assert spec.problems("files.completeUploadExternal", {"files": [{"id": "F1"}], "channel_id": "C1", "x": 1}) == [
        "files.completeUploadExternal: unknown argument(s) x (known: blocks, channel_id, channels, files, "
        "initial_comment, thread_ts)"
    ]
