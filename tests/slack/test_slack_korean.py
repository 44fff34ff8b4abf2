"""Korean teams get Korean: the questionnaire in the person's Slack language, the roadmap's thread, buttons, replies
and nudges in the language chosen for the review; English stays English. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import i18n
from bot.roadmap.profile_io import load_profile
from bot.slack import ids
from storage import Database
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import Harness, running_bot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KIM = "U0000KIM0"


def _korean_user(fake: FakeSlack) -> None:
    fake.add_user(KIM, name="kim", tz="Asia/Seoul", locale="ko-KR")


def _hangul_share(text: str) -> float:
    cleaned = re.sub(r"`[^`]*`|<[^>]*>|:[a-z_]+:|\*", "", text)
    letters = re.findall(r"[^\W\d_]", cleaned)
    return sum(1 for c in letters if "\uac00" <= c <= "\ud7a3") / max(1, len(letters))


def _chrome(message: dict) -> str:  # type: ignore[type-arg]
    """Button labels and context lines: the words the bot writes around the roadmap's own content."""
    texts: list[str] = []
    for block in message.get("blocks") or []:
        if block["type"] == "actions":
            texts += [e["text"]["text"] for e in block["elements"] if e.get("type") == "button"]
    return " ".join(texts)


async def _thread(h: Harness, profile_file: str) -> list[dict]:  # type: ignore[type-arg]
    status, body = await h.submit(load_profile(EXAMPLES / profile_file))
    assert status == 200, body
    await h.idle()
    return h.thread()


async def test_the_questionnaire_opens_in_the_persons_slack_language(database: Database) -> None:
    async with running_bot(database, setup=_korean_user) as h:
        await h.command("", user_id=KIM)
        (opened,) = await h.fake.wait_for_calls_async("views.open", 1)
        view = opened.args["view"]
        assert view["title"]["text"] == "스케일 리뷰" and view["submit"]["text"] == "로드맵 만들기"
        labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
        assert "시스템 이름" in labels and "병목과 증상" in labels
        assert json.loads(view["private_metadata"])["lang"] == "ko"
        h.fake.assert_clean()
        await h.command("")  # the default user's Slack is in English
        second = (await h.fake.wait_for_calls_async("views.open", 2))[1]
        assert second.args["view"]["title"]["text"] == "Scale review"


async def test_field_errors_come_back_in_the_forms_language(database: Database) -> None:
    async with running_bot(database) as h:
        body = sr.view_submission(
            callback_id=ids.QUESTIONNAIRE_CALLBACK,
            values={ids.Q_SYSTEM_NAME: {ids.QUESTION_ACTION: sr.state_value("plain_text_input", "결제")}},
            private_metadata=json.dumps({"channel": sr.CHANNEL_ID, "lang": "ko", "ui": "ko"}),
        )
        status, text = await h.send(body)
        assert status == 200
        errors = json.loads(text)["errors"]
        assert errors[ids.Q_CURRENT_USERS] == "필수 항목입니다"


async def test_a_korean_review_gets_a_korean_thread(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await _thread(h, "shop-ko.yaml")
        parent = thread[0]
        assert parent["blocks"][0]["text"]["text"].startswith("스케일 리뷰: ")
        words = json.dumps(parent["blocks"], ensure_ascii=False)
        assert "로드맵 v1이(가) 스레드에 있습니다" in words and "주간 알림: 매주 월요일 10:00 (Asia/Seoul)" in words
        stages = [
            m for m in thread[1:] if any(b.get("block_id", "").startswith("item:") for b in m.get("blocks") or [])
        ]
        assert stages
        buttons = " ".join(_chrome(m) for m in stages)
        assert "시작" in buttons and "자세히" in buttons and "Start" not in buttons and "Details" not in buttons
        summary = json.dumps([m.get("blocks") for m in thread[1:3]], ensure_ascii=False)
        assert "*판정:*" in summary and "Verdict" not in summary
        assert re.search(r"약 [\d,.]+만~[\d,.]+만 원", summary)  # won as Korean readers say it (만 / 억)
        # a status command answers in the roadmap's language
        reply_ts = h.fake.add_message(sr.CHANNEL_ID, "done 9.9", user=sr.USER_ID, thread_ts=parent["ts"])
        await h.send(sr.event_callback(sr.message_event("done 1.1, 3.999", ts=reply_ts, thread_ts=parent["ts"])))
        await h.idle()
        replies = [m["text"] for m in h.fake.messages(sr.CHANNEL_ID, parent["ts"]) if "3.999" in m.get("text", "")]
        assert replies and "이 로드맵의 항목이 아닙니다" in replies[-1]
        h.fake.assert_clean()


async def test_an_english_review_stays_english(database: Database) -> None:
    async with running_bot(database) as h:
        thread = await _thread(h, "saas-api.yaml")
        everything = json.dumps([m.get("blocks") for m in thread], ensure_ascii=False)
        assert _hangul_share(everything) < 0.01
        assert "Scale review: " in everything and "Details" in everything


async def test_a_korean_nudge_and_home(database: Database) -> None:
    async with running_bot(database, setup=_korean_user) as h:
        thread = await _thread(h, "shop-ko.yaml")
        report = await h.bot.services.nudges.sweep(datetime.now(UTC) + timedelta(days=8))
        assert report.sent
        nudge = h.fake.messages(sr.CHANNEL_ID, thread[0]["ts"])[-1]
        words = json.dumps(nudge["blocks"], ensure_ascii=False)
        assert "주간 점검 · " in words and "한 주 미루기" in words and "Snooze" not in words
        await h.send(sr.event_callback(sr.app_home_opened_event(KIM)))
        await h.idle()
        home = h.fake.home_view(KIM)
        assert home is not None and home["blocks"][0]["text"]["text"] == "내 스케일 리뷰"
        h.fake.assert_clean()


def test_the_language_of_answers_decides_when_slack_does_not_say() -> None:
    ko = load_profile(EXAMPLES / "shop-ko.yaml")
    en = load_profile(EXAMPLES / "saas-api.yaml")
    assert i18n.written_in(ko.bottlenecks, *ko.core_features) == "ko"
    assert i18n.written_in(en.bottlenecks, *en.core_features) == "en"


def test_the_cli_chooses_the_language_and_lang_overrides_it() -> None:
    from tests.integration.test_cli import run

    korean = run("review", str(EXAMPLES / "shop-ko.yaml"), "--format", "json")
    assert korean.returncode == 0, korean.stderr
    assert json.loads(korean.stdout)["language"] == "ko"
    forced = run("review", str(EXAMPLES / "shop-ko.yaml"), "--format", "json", "--lang", "en")
    assert json.loads(forced.stdout)["language"] == "en"
    english = run("review", str(EXAMPLES / "saas-api.yaml"), "--format", "json")
    assert json.loads(english.stdout)["language"] == "en"


def test_absurd_answers_are_refused_in_the_cli_in_the_profiles_language(tmp_path: Path) -> None:
    from tests.integration.test_cli import run

    data = load_profile(EXAMPLES / "shop-ko.yaml").model_dump(mode="json")
    data["target_users"] = data["current_users"] * 20_000
    path = tmp_path / "far.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    refused = run("review", str(path))
    assert refused.returncode == 2 and refused.stdout == ""
    assert "오류: 지금 답변으로는 계획을 세울 수 없습니다" in refused.stderr and "10~100배" in refused.stderr
    english = run("review", str(path), "--lang", "en")
    assert english.returncode == 2 and "Give a nearer target (10-100x)" in english.stderr


async def test_absurd_answers_come_back_to_the_modal_as_field_errors(database: Database) -> None:
    async with running_bot(database) as h:
        profile = load_profile(EXAMPLES / "saas-api.yaml")
        status, text = await h.submit(profile, edits={ids.Q_TARGET_USERS: str(profile.current_users * 20_000)})
        assert status == 200
        errors = json.loads(text)["errors"]
        assert "Give a nearer target (10-100x)" in errors[ids.Q_TARGET_USERS]
        assert h.fake.calls("chat.postMessage") == []  # nothing stored or posted: the person corrects the form


def test_warnings_travel_with_the_roadmap_in_its_language() -> None:
    import asyncio

    from bot.engines.fallback import generate_with_fallback
    from bot.engines.rules import RulesEngine

    profile = load_profile(EXAMPLES / "shop-ko.yaml")
    far = profile.model_copy(update={"target_users": profile.current_users * 2_000, "language": "ko"})
    result = asyncio.run(generate_with_fallback(RulesEngine(), None, far))
    assert any("외삽" in note for note in result.roadmap.notes)


def test_an_archived_channel_is_told_with_a_way_forward_in_both_languages() -> None:
    from bot.slack.render import notice_message
    from tests.slack.test_slack_blocks import check_message

    for lang, says in (("en", "is archived, so I couldn't post"), ("ko", "보관된 채널이라")):
        message = notice_message("is_archived", channel_id="C0123", roadmap_id=7, system_name="Checkout API", lang=lang)
        args = check_message(message)
        text = json.dumps(args["blocks"], ensure_ascii=False)
        assert says in text and "/scale-review Checkout API" in text
        assert not [b for b in args["blocks"] if b["type"] == "actions"]  # posting again cannot help
