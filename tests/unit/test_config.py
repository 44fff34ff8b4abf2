"""Settings: every variable PRODUCT.md lists, and one clear line naming a bad one."""

from __future__ import annotations

from datetime import time

import pytest

from bot.config import DEFAULT_SQLITE_URL, ConfigError, load_settings

ENV_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SCALE_REVIEW_MODEL",
    "DATABASE_URL",
    "PORT",
    "NUDGE_WEEKDAY",
    "NUDGE_TIME",
    "NUDGE_TIMEZONE",
    "NUDGE_SWEEP_SECONDS",
    "LOG_LEVEL",
    "ROADMAP_WORKERS",
    "WEB_CONCURRENCY",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def test_defaults() -> None:
    settings = load_settings()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == DEFAULT_SQLITE_URL
    assert settings.port == 3000 and settings.nudge_weekday == "mon" and settings.nudge_time == time(10, 0)
    assert not settings.use_openai


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A-2-def")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/scale")
    monkeypatch.setenv("NUDGE_WEEKDAY", "Friday")
    monkeypatch.setenv("NUDGE_TIME", "09:30")
    monkeypatch.setenv("NUDGE_TIMEZONE", "Asia/Seoul")
    monkeypatch.setenv("ROADMAP_WORKERS", "0")
    settings = load_settings()
    assert settings.roadmap_workers == 0
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"  # a trailing slash, as slack_sdk joins paths
    assert settings.openai_base_url == "http://localhost:8000/v1/"
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1/scale"
    assert settings.nudge_weekday == "fri" and settings.nudge_time == time(9, 30)
    assert settings.use_openai
    settings.require_slack()  # a bot token and an app token: enough for Socket Mode


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "eighty", "PORT:"),
        ("PORT", "70000", "PORT:"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN: must be a bot token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong", "SLACK_APP_TOKEN: must be an app-level token"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: must be an http(s) URL"),
        ("DATABASE_URL", "mysql://root@localhost/db", "DATABASE_URL: must be a sqlite:/// or postgresql:// URL"),
        ("NUDGE_TIMEZONE", "Mars/Olympus", "NUDGE_TIMEZONE: 'Mars/Olympus' is not an IANA time zone"),
        ("NUDGE_WEEKDAY", "someday", "NUDGE_WEEKDAY:"),
        ("NUDGE_TIME", "25:00", "NUDGE_TIME:"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL:"),
        ("ROADMAP_WORKERS", "-1", "ROADMAP_WORKERS:"),
        ("ROADMAP_WORKERS", "many", "ROADMAP_WORKERS:"),
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY:"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(expected), message
    assert "\n" not in message
    if "TOKEN" in name:
        assert value not in message  # never echo a secret back


def test_serving_needs_slack_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN is not set"):
        load_settings().require_slack()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(ConfigError, match=r"SLACK_APP_TOKEN .* or SLACK_SIGNING_SECRET"):
        load_settings().require_slack()
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "abc123")
    load_settings().require_slack()


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "  ")
    monkeypatch.setenv("OPENAI_BASE_URL", "")
    settings = load_settings()
    assert settings.openai_api_key is None and settings.openai_base_url is None


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text("PORT=4123\nSCALE_REVIEW_MODEL=local-model\n", encoding="utf-8")
    settings = load_settings()
    assert settings.port == 4123 and settings.scale_review_model == "local-model"


def test_secrets_are_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    assert "very-secret" not in repr(load_settings())
