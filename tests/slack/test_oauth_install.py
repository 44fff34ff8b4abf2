"""OAuth distribution end to end: the bot over HTTP installs itself in workspaces of the fake Slack through Bolt's
flow (/slack/install -> the consent screen -> /slack/oauth_redirect -> oauth.v2.access), keeps each installation in
the database (SQLite and PostgreSQL), and calls the Web API with the token of the workspace each piece of work is
for, background work included; a used or forged state is refused; uninstalling forgets the workspace."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import PIPE
from typing import Any

import aiohttp
import jsonschema
import pytest
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import MetaData, func, select, update

import bot.server
from bot import workspace
from bot.config import ConfigError, Settings
from bot.slack.installs import AUTH_CACHE_SIZE
from bot.slack.scopes import INSTALL_SCOPES
from storage import Database, NudgeSchedule, Roadmap, RoadmapVersion
from storage.repositories.jobs import GenerationJob
from storage.slack_tables import slack_bots, slack_installations, slack_oauth_states
from tests.conftest import REPO_ROOT, require_shared
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack, socket_payload
from tests.slack.test_manifest import SCHEMA_FILE, http_mode_variant, schema_errors
from tests.slack.test_slack_app import profile
from tests.slack_harness import SECRET, Harness, running_bot

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "test-client-secret"
STATE_SECRET = secrets.token_hex(32)
ALPHA, BETA = "T0000ALPHA", "T00000BETA"
OAUTH = {
    "slack_bot_token": None,
    "slack_client_id": CLIENT_ID,
    "slack_client_secret": CLIENT_SECRET,
    "slack_state_secret": STATE_SECRET,
}


def _workspaces(fake: FakeSlack) -> None:
    fake.add_team(ALPHA, "alpha")
    fake.add_team(BETA, "beta")


async def _started(h: Harness) -> Harness:
    h.fake.oauth.redirect_url = f"{h.base}/slack/oauth_redirect"  # the Redirect URL configured for the app
    return h


async def begin_install(h: Harness, team: str) -> tuple[str, str]:
    """/slack/install, then Slack's consent screen approved for `team`: (the redirect back to us, the state cookie)."""
    return await begin_install_at(h.base, h.fake, team)


async def begin_install_at(base: str, fake: FakeSlack, team: str) -> tuple[str, str]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        async with session.get(f"{base}/slack/install", params={"team": team}, allow_redirects=False) as r:
            assert r.status == 302, await r.text()
            consent, cookie = r.headers["Location"], r.headers["Set-Cookie"].split(";", 1)[0]
        assert consent.startswith(f"{fake.url}/oauth/v2/authorize?"), consent
        async with session.get(consent, allow_redirects=False) as r:
            assert r.status == 302, await r.text()
            return r.headers["Location"], cookie


async def finish_install(callback: str, cookie: str | None, *, lang: str = "en") -> tuple[int, str]:
    headers = {"Accept-Language": lang} | ({"Cookie": cookie} if cookie else {})
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session,
        session.get(callback, headers=headers, allow_redirects=False) as r,
    ):
        return r.status, await r.text()


async def install(h: Harness, team: str) -> str:
    """Install the app in `team`; returns the bot token Slack issued for it."""
    callback, cookie = await begin_install(h, team)
    status, page = await finish_install(callback, cookie)
    assert status == 200, page
    assert "scale-review is installed in" in page
    return h.fake.tokens_of(team)[-1]


@pytest.fixture
async def oauth_bot(database: Database) -> AsyncIterator[Harness]:
    async with running_bot(database, setup=_setup_oauth, settings=OAUTH) as h:
        yield await _started(h)


def _setup_oauth(fake: FakeSlack) -> None:
    fake.enable_oauth(CLIENT_ID, CLIENT_SECRET)
    _workspaces(fake)


async def _rows(database: Database, table: Any, team: str) -> list[Any]:
    async with database.engine.connect() as connection:
        return list((await connection.execute(select(table).where(table.c.team_id == team))).mappings())


def _tokens(h: Harness, method: str | None = None) -> set[str | None]:
    """The tokens Web API calls carried (replies to a response_url and file bytes to an upload URL carry none)."""
    return {c.token for c in h.fake.calls(method) if c.method not in ("response_url", "upload_url")}


# --- the fake's OAuth, as Slack answers it ------------------------------------------------------------------


async def _code(fake: FakeSlack, team: str, redirect_uri: str) -> str:
    query = {"client_id": CLIENT_ID, "scope": "chat:write", "state": "s1", "redirect_uri": redirect_uri, "team": team}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{fake.url}/oauth/v2/authorize", params=query, allow_redirects=False) as r,
    ):
        assert r.status == 302
        location = r.headers["Location"]
    assert location.startswith(redirect_uri + "?") and "state=s1" in location
    return location.split("code=", 1)[1].split("&", 1)[0]


async def test_the_fake_answers_oauth_v2_access_as_slack_does() -> None:
    with FakeSlack() as fake:
        _setup_oauth(fake)
        fake.add_channel(sr.CHANNEL_ID, sr.CHANNEL_NAME)
        client = AsyncWebClient(base_url=fake.base_url)
        back = "https://example.test/slack/oauth_redirect"
        code = await _code(fake, ALPHA, back)
        for wrong, error in (
            ({"client_secret": "nope"}, "bad_client_secret"),
            ({"redirect_uri": "https://x/"}, "bad_redirect_uri"),
        ):
            arguments = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code, "redirect_uri": back}
            with pytest.raises(SlackApiError) as refused:
                await client.oauth_v2_access(**(arguments | wrong))
            assert refused.value.response["error"] == error
            code = await _code(fake, ALPHA, back)  # a fresh code for the next attempt
        granted = await client.oauth_v2_access(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code, redirect_uri=back
        )
        assert granted["team"] == {"id": ALPHA, "name": "alpha"} and granted["token_type"] == "bot"
        with pytest.raises(SlackApiError) as reused:
            await client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code, redirect_uri=back)
        assert reused.value.response["error"] == "invalid_code"
        token = granted["access_token"]
        assert (await client.auth_test(token=token))["team_id"] == ALPHA
        await client.chat_postMessage(token=token, channel=sr.CHANNEL_ID, text="hello")
        fake.uninstall(ALPHA)
        with pytest.raises(SlackApiError) as revoked:
            await client.chat_postMessage(token=token, channel=sr.CHANNEL_ID, text="hello again")
        assert revoked.value.response["error"] == "token_revoked"
        assert [c.token for c in fake.calls("chat.postMessage")] == [token, token]
        fake.assert_clean()


# --- installing --------------------------------------------------------------------------------------------


async def test_two_workspaces_install_and_each_is_served_with_its_own_token(
    oauth_bot: Harness, database: Database
) -> None:
    h = oauth_bot
    alpha, beta = await install(h, ALPHA), await install(h, BETA)
    assert alpha != beta
    access = h.fake.calls("oauth.v2.access")
    assert [c.ok for c in access] == [True, True] and all("code" in c.args for c in access)
    for team, token in ((ALPHA, alpha), (BETA, beta)):
        (row,) = await _rows(database, slack_installations, team)
        assert row["bot_token"] == token and row["client_id"] == CLIENT_ID
        assert set(row["bot_scopes"].split(",")) == INSTALL_SCOPES
        assert [b["bot_token"] for b in await _rows(database, slack_bots, team)] == [token]

    for team, token in ((ALPHA, alpha), (BETA, beta), (ALPHA, alpha)):  # a slash command from each
        h.fake.reset_calls()
        status, _ = await h.command("", team_id=team)
        assert status == 200
        await h.idle()
        opened = h.fake.calls("views.open")
        assert [c.ok for c in opened] == [True] and opened[0].token == token

    for team, token in ((ALPHA, alpha), (BETA, beta)):  # a review: posted in the background, with that token
        h.fake.reset_calls()
        status, _ = await h.submit(profile(), team_id=team)
        assert status == 200
        await h.idle()
        posted = h.fake.calls("chat.postMessage")
        assert posted and all(c.ok for c in posted)
        assert _tokens(h) == {token}, "every Web API call of the review used its workspace's token"
    h.fake.assert_clean()


async def test_the_weekly_sweep_posts_each_workspace_nudge_with_its_token(oauth_bot: Harness) -> None:
    """Nudges are background work with no request behind them: the sweep picks each roadmap's workspace."""
    h = oauth_bot
    tokens = {ALPHA: await install(h, ALPHA), BETA: await install(h, BETA)}
    for team in tokens:
        await h.submit(profile(), team_id=team)
        await h.idle()
    h.fake.reset_calls()
    report = await h.bot.services.nudges.sweep(datetime.now(UTC) + timedelta(days=8))
    assert len(report.sent) == 2 and not report.failed
    calls = h.fake.calls("chat.postMessage")
    assert sorted(c.token or "" for c in calls) == sorted(tokens.values())
    h.fake.assert_clean()


async def test_work_with_no_request_behind_it_uses_the_roadmaps_workspace_token(
    oauth_bot: Harness, database: Database
) -> None:
    """A resumed review and a queued generation run outside any Slack request (here: from the test itself, where
    no workspace is bound): each finds its roadmap's workspace and posts with that token."""
    h = oauth_bot
    await install(h, BETA)
    alpha = await install(h, ALPHA)
    await h.submit(profile(), team_id=ALPHA)
    await h.idle()
    async with database.engine.connect() as connection:
        roadmap_id = await connection.scalar(select(Roadmap.id))
    assert roadmap_id is not None

    h.fake.reset_calls()
    with workspace.acting_for(None):  # as resume_interrupted does after a restart
        await h.bot.services.reviews.run(roadmap_id)
    await h.idle()
    assert h.fake.calls("chat.postMessage") and _tokens(h) == {alpha}

    async with database.engine.begin() as connection:  # a crash after generating, before everything was posted
        version_id = await connection.scalar(select(func.max(RoadmapVersion.id)))
        await connection.execute(
            update(RoadmapVersion).where(RoadmapVersion.id == version_id).values(published_at=None)
        )
    h.fake.reset_calls()
    with workspace.acting_for(None):  # as a queue worker does
        assert await h.bot.services.reviews.run_queued(GenerationJob(version_id, sr.USER_ID)) == "posting completed"
    await h.idle()
    assert h.fake.calls("chat.update") and _tokens(h) == {alpha}
    h.fake.assert_clean()


async def test_the_nudge_command_line_sends_with_each_workspace_token(oauth_bot: Harness, database: Database) -> None:
    """`scale-review nudge` (a sweep from cron) reads the installations as `serve` does."""
    h = oauth_bot
    tokens = {ALPHA: await install(h, ALPHA), BETA: await install(h, BETA)}
    for team in tokens:
        await h.submit(profile(), team_id=team)
        await h.idle()
    h.fake.reset_calls()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_STATE_SECRET": STATE_SECRET,
        "SLACK_API_URL": h.fake.base_url,
        "DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
    }
    at = (datetime.now(UTC) + timedelta(days=8)).isoformat()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "nudge", "--at", at, env=env, stdout=PIPE, stderr=PIPE, cwd=REPO_ROOT
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert "2 sent, 0 failed" in out.decode()
    assert sorted(c.token or "" for c in h.fake.calls("chat.postMessage")) == sorted(tokens.values())
    assert CLIENT_SECRET not in (out + err).decode() and all(t not in (out + err).decode() for t in tokens.values())


# --- the state ---------------------------------------------------------------------------------------------


async def test_a_used_state_is_refused_with_a_page_that_says_so(oauth_bot: Harness, database: Database) -> None:
    h = oauth_bot
    callback, cookie = await begin_install(h, ALPHA)
    assert (await finish_install(callback, cookie))[0] == 200
    status, page = await finish_install(callback, cookie)  # the same redirect again: a replay
    assert status == 401
    assert "already used or has expired" in page and 'href="/slack/install"' in page
    assert len(h.fake.calls("oauth.v2.access")) == 1, "a replayed state never reaches Slack"
    async with database.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(slack_oauth_states)) == 0


async def test_a_forged_state_or_another_browser_is_refused(oauth_bot: Harness) -> None:
    h = oauth_bot
    callback, cookie = await begin_install(h, ALPHA)
    state = cookie.split("=", 1)[1]
    raw, _, signature = state.rpartition(".")
    forged_state = f"{raw}.{'0' * len(signature)}"  # the database knows `raw`; the signature is wrong
    forged = callback.replace(state, forged_state)
    status, page = await finish_install(forged, f"slack-app-oauth-state={forged_state}")
    assert status == 401 and "already used or has expired" in page

    status, page = await finish_install(callback, None)  # no cookie: not the browser that started
    assert status == 400 and "different browser" in page

    status, page = await finish_install(callback, cookie, lang="ko-KR,ko;q=0.9,en;q=0.8")
    assert status == 200 and "설치" in page  # the state was still good: only the forged one was refused
    assert len(h.fake.calls("oauth.v2.access")) == 1, "only the genuine callback exchanged a code"


async def test_a_cancelled_consent_says_nothing_was_installed(oauth_bot: Harness) -> None:
    h = oauth_bot
    _, cookie = await begin_install(h, ALPHA)
    state = cookie.split("=", 1)[1]
    status, page = await finish_install(f"{h.base}/slack/oauth_redirect?error=access_denied&state={state}", cookie)
    assert status == 200 and "cancelled" in page
    status, page = await finish_install(
        f"{h.base}/slack/oauth_redirect?error=access_denied&state={state}", cookie, lang="ko"
    )
    assert '<html lang="ko">' in page and "취소" in page
    assert not h.fake.calls("oauth.v2.access")


# --- leaving -----------------------------------------------------------------------------------------------


async def test_uninstall_forgets_the_tokens_stops_nudges_and_later_requests_get_no_stale_token(
    oauth_bot: Harness, database: Database
) -> None:
    h = oauth_bot
    alpha, beta = await install(h, ALPHA), await install(h, BETA)
    for team in (ALPHA, BETA):
        await h.submit(profile(), team_id=team)
        await h.idle()
    revoked = h.fake.uninstall(ALPHA)
    assert revoked == [alpha]

    status, _ = await h.send(sr.event_callback({"type": "app_uninstalled"}, team_id=ALPHA))
    assert status == 200
    await h.idle()
    assert await _rows(database, slack_installations, ALPHA) == []
    assert await _rows(database, slack_bots, ALPHA) == []
    assert len(await _rows(database, slack_installations, BETA)) == 1
    async with database.engine.connect() as connection:
        paused = (await connection.execute(select(NudgeSchedule.paused).order_by(NudgeSchedule.id))).scalars().all()
    assert paused == [True, False], "alpha's check-ins stop, beta's go on"

    h.fake.reset_calls()
    status, _ = await h.command("", team_id=ALPHA)  # someone in alpha still types the command
    assert status == 200
    await h.idle()
    replies = h.fake.calls("response_url")
    assert len(replies) == 1 and "no longer installed" in replies[0].args["text"]
    assert "더 이상 설치되어 있지 않습니다" in replies[0].args["text"]
    await h.send(sr.event_callback(sr.app_mention_event("status"), team_id=ALPHA))
    report = await h.bot.services.nudges.sweep(datetime.now(UTC) + timedelta(days=8))
    await h.idle()
    assert [s.roadmap_id for s in report.sent] == [2]
    assert alpha not in _tokens(h), "nothing was sent with the revoked token"
    assert _tokens(h) == {beta}
    h.fake.assert_clean()


async def test_a_revoked_bot_token_forgets_the_workspace(oauth_bot: Harness, database: Database) -> None:
    h = oauth_bot
    await install(h, ALPHA)
    user_only = sr.event_callback({"type": "tokens_revoked", "tokens": {"oauth": ["U0INSTALL"]}}, team_id=ALPHA)
    assert (await h.send(user_only))[0] == 200
    await h.idle()
    assert len(await _rows(database, slack_installations, ALPHA)) == 1, "a user token is not the bot's"

    body = sr.event_callback(
        {"type": "tokens_revoked", "tokens": {"bot": [h.fake.oauth.bot_users[ALPHA]]}}, team_id=ALPHA
    )
    assert (await h.send(body))[0] == 200
    await h.idle()
    assert await _rows(database, slack_installations, ALPHA) == []
    malformed = sr.event_callback({"type": "tokens_revoked", "tokens": {"bot": "everyone"}}, team_id=ALPHA)
    status, reason = await h.send(malformed)
    assert status == 400 and "tokens.bot" in reason


# --- token rotation ----------------------------------------------------------------------------------------


async def test_an_expiring_token_is_refreshed_and_the_new_one_used(database: Database) -> None:
    def setup(fake: FakeSlack) -> None:
        fake.enable_oauth(CLIENT_ID, CLIENT_SECRET, rotation=True, expires_in=43_200, first_expires_in=600)
        _workspaces(fake)

    async with running_bot(database, setup=setup, settings=OAUTH) as h:
        await _started(h)
        first = await install(h, ALPHA)
        assert first.startswith("xoxe.xoxb-")
        (row,) = await _rows(database, slack_installations, ALPHA)
        assert row["bot_refresh_token"].startswith("xoxe-1-")

        h.fake.reset_calls()
        await h.command("", team_id=ALPHA)  # 10 minutes left, under Bolt's 2 hours: refreshed before use
        await h.idle()
        (refresh,) = h.fake.calls("oauth.v2.access")
        assert refresh.args["grant_type"] == "refresh_token" and refresh.ok
        fresh = h.fake.tokens_of(ALPHA)[-1]
        assert fresh != first
        assert [c.token for c in h.fake.calls("views.open")] == [fresh]

        await h.submit(profile(), team_id=ALPHA)  # later work: the stored fresh token, no second refresh
        await h.idle()
        assert len(h.fake.calls("oauth.v2.access")) == 1
        assert _tokens(h, "chat.postMessage") == {fresh}
        latest = max(await _rows(database, slack_bots, ALPHA), key=lambda r: r["installed_at"])
        assert latest["bot_token"] == fresh
        h.fake.assert_clean()


# --- Socket Mode -------------------------------------------------------------------------------------------


async def test_socket_mode_with_oauth_serves_the_install_pages_and_each_workspace_token(tmp_path: Path) -> None:
    """`serve` with an app-level token and OAuth's settings: envelopes over the socket, install pages on PORT."""
    with FakeSlack() as fake:
        _setup_oauth(fake)
        fake.add_channel(sr.CHANNEL_ID, sr.CHANNEL_NAME)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        fake.oauth.redirect_url = f"{base}/slack/oauth_redirect"
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            **OAUTH,
            slack_app_token="xapp-1-A0000APP-1-socket",
            slack_api_url=fake.base_url,
            database_url=f"sqlite:///{tmp_path / 'socket.db'}",
            port=port,
            log_level="WARNING",
            roadmap_workers=0,
        )
        server = asyncio.ensure_future(bot.server.serve(settings))
        try:
            await asyncio.wait_for(fake.socket_wait_connected(timeout=10), 15)
            tokens = {}
            for team in (ALPHA, BETA):
                callback, cookie = await begin_install_at(base, fake, team)
                status, page = await finish_install(callback, cookie)
                assert status == 200, page
                tokens[team] = fake.tokens_of(team)[-1]
            for n, team in enumerate((BETA, ALPHA), start=1):
                command = sr.slash_command(
                    team_id=team, trigger_id=fake.issue_trigger_id(), response_url=fake.response_url()
                )
                envelope_id = await fake.socket_send(*socket_payload(command))
                await fake.socket_ack(envelope_id, timeout=5)
                opened = await fake.wait_for_calls_async("views.open", n, timeout=10)
                assert opened[-1].ok and opened[-1].token == tokens[team]
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.wait_for(server, 15)
        finally:
            if not server.done():
                server.cancel()
                await asyncio.gather(server, return_exceptions=True)
        fake.assert_clean()


def test_the_per_token_auth_cache_keeps_only_the_newest(oauth_bot: Harness) -> None:
    """Rotation mints a token per workspace twice a day; Bolt's auth.test cache keeps the newest AUTH_CACHE_SIZE."""
    installations = oauth_bot.bot.installations
    assert installations is not None
    cache = installations.authorize.authorize_result_cache
    for n in range(AUTH_CACHE_SIZE + 5):
        cache[f"xoxb-{n}"] = None
    assert len(cache) == AUTH_CACHE_SIZE
    assert "xoxb-4" not in cache and "xoxb-5" in cache and f"xoxb-{AUTH_CACHE_SIZE + 4}" in cache


# --- configuration and schema --------------------------------------------------------------------------------


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **{"slack_signing_secret": SECRET} | values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "names"),
    [
        ({"slack_client_id": CLIENT_ID}, ["SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"]),
        ({"slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET}, ["SLACK_STATE_SECRET"]),
        ({"slack_state_secret": STATE_SECRET}, ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"]),
        ({**OAUTH, "slack_bot_token": "xoxb-1"}, ["SLACK_BOT_TOKEN"]),
        ({**OAUTH, "slack_signing_secret": None}, ["SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"]),
    ],
)
def test_an_incomplete_or_mixed_oauth_configuration_names_what_to_change(
    values: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(ConfigError) as error:
        _settings(**values).require_slack()
    message = str(error.value)
    assert all(name in message for name in names), message
    assert CLIENT_SECRET not in message and STATE_SECRET not in message


def test_oauth_settings_serve_and_the_token_alone_stays_the_default() -> None:
    _settings(**OAUTH).require_slack()
    _settings(**OAUTH, slack_signing_secret=None, slack_app_token="xapp-1").require_slack()  # Socket Mode
    assert _settings(**OAUTH).oauth
    one = _settings(slack_bot_token="xoxb-1")
    one.require_slack()
    assert not one.oauth
    with pytest.raises(ValueError, match="at least 32"):
        _settings(**OAUTH | {"slack_state_secret": "short"})


def test_the_tables_are_the_ones_slack_sdk_reads_and_writes() -> None:
    """storage/slack_tables.py (and so migration 0007, which the schema test compares with it) matches the
    installed slack_sdk's own table definitions."""
    theirs = [
        SQLAlchemyInstallationStore.build_installations_table(MetaData(), slack_installations.name),
        SQLAlchemyInstallationStore.build_bots_table(MetaData(), slack_bots.name),
        SQLAlchemyOAuthStateStore.build_oauth_states_table(MetaData(), slack_oauth_states.name),
    ]
    for ours, their in zip((slack_installations, slack_bots, slack_oauth_states), theirs, strict=True):

        def shape(table: Any) -> list[tuple[str, str, bool, bool]]:
            return [(c.name, repr(c.type), c.nullable, c.primary_key) for c in table.columns]

        assert shape(ours) == shape(their)
        assert {(i.name, tuple(c.name for c in i.columns)) for i in ours.indexes} == {
            (i.name, tuple(c.name for c in i.columns)) for i in their.indexes
        }


def test_install_asks_for_the_manifest_scopes_and_subscribes_to_leaving() -> None:
    manifest = yaml.safe_load((REPO_ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == INSTALL_SCOPES
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)

    # the distributed variant manifest.yml's comments describe: HTTP mode, the redirect URL, token rotation
    distributed = http_mode_variant(manifest)
    distributed["oauth_config"]["redirect_urls"] = ["https://YOUR-HOST/slack/oauth_redirect"]
    distributed["settings"]["token_rotation_enabled"] = True
    schema = json.loads(require_shared(SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema_errors(jsonschema.Draft7Validator(schema), distributed) == []
