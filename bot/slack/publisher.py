"""The Slack side of publishing: Block Kit messages in, Web API calls out, Slack errors mapped.

Implements bot.services.ports.Publisher (a roadmap's thread) and Directory (people, App Home). Each posted
message is reported back (`on_posted`) as soon as Slack returns its ts, so the service can store it before the
next call.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeGuard, get_args

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.engines.compute import Compute, inline
from bot.i18n import Language, language, t
from bot.services.errors import ChannelProblem, ChannelUnavailable, PublishFailed
from bot.services.exports import Upload
from bot.services.ports import Completion, Notice, ParentInfo, Reply, RoadmapListing, RoadmapPost, UserInfo
from bot.slack import render as blocks  # the renderers (bot/slack/render/), by their old name here
from bot.slack.client import NotInstalled, WorkspaceClients
from bot.slack.pacing import ChannelPacer
from bot.slack.progress import SlackProgress

log = logging.getLogger(__name__)

# Message metadata on a roadmap's parent message: an instance resuming a review whose thread was never stored finds
# the message an instance that died had posted (conversations.history) instead of posting a second one.
PARENT_EVENT = "scale_review_roadmap"
FIND_PAGE = 100
FIND_PAGES = 3
FIND_MARGIN = timedelta(minutes=2)  # the database's clock and Slack's may differ a little
_CHANNEL_ERRORS = frozenset(get_args(ChannelProblem))  # not_in_channel, channel_not_found, is_archived
# Ephemeral delivery fails in these cases; the user then gets a DM in the app's Messages tab.
_EPHEMERAL_FALLBACK = _CHANNEL_ERRORS | {"user_not_in_channel", "restricted_action"}


def _channel_problem(code: str) -> TypeGuard[ChannelProblem]:
    """Whether Slack's error is one the user fixes by inviting the bot or picking another channel."""
    return code in _CHANNEL_ERRORS


def _error_code(exc: SlackApiError) -> str:
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    return str(data.get("error") or exc.response.status_code)


class SlackPublisher:
    """`compute` renders whole roadmaps (the server passes its worker processes; inline by default). `client`: one
    client, or the per-workspace clients of an app installed in many workspaces."""

    def __init__(
        self,
        client: AsyncWebClient | WorkspaceClients,
        pacer: ChannelPacer | None = None,
        *,
        compute: Compute = inline,
    ) -> None:
        self._clients = client if isinstance(client, WorkspaceClients) else WorkspaceClients(client)
        self._pacer = pacer or ChannelPacer()
        self._compute = compute

    async def _client(self) -> AsyncWebClient:
        """The workspace's client; an uninstalled workspace is a publishing failure the services already handle."""
        try:
            return await self._clients.current()
        except NotInstalled as exc:
            raise PublishFailed("not_installed") from exc

    async def _call(self, channel_id: str, method: str, **args: object) -> dict[str, Any]:
        """One Web API call with Slack's failures turned into the services' errors."""
        client = await self._client()
        try:
            response = await getattr(client, method)(**args)
        except SlackApiError as exc:
            code = _error_code(exc)
            if _channel_problem(code):
                raise ChannelUnavailable(channel_id, code) from exc
            raise PublishFailed(code) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PublishFailed(f"connection: {type(exc).__name__}") from exc
        return response.data if isinstance(response.data, dict) else {}

    async def _post(
        self, channel_id: str, message: blocks.SlackMessage | Mapping[str, Any], thread_ts: str | None = None
    ) -> str:
        await self._pacer.wait(channel_id)
        body = message.to_args() if isinstance(message, blocks.SlackMessage) else message
        args: dict[str, object] = {"channel": channel_id, **body, "unfurl_links": False}
        if thread_ts:
            args["thread_ts"] = thread_ts
        data = await self._call(channel_id, "chat_postMessage", **args)
        return str(data["ts"])

    async def _update(self, channel_id: str, ts: str, message: blocks.SlackMessage | Mapping[str, Any]) -> None:
        body = message.to_args() if isinstance(message, blocks.SlackMessage) else message
        await self._call(channel_id, "chat_update", channel=channel_id, ts=ts, **body)

    # --- the thread ----------------------------------------------------------------------

    async def post_parent(self, channel_id: str, parent: ParentInfo) -> str:
        body = self._parent(parent).to_args()
        if parent.roadmap_id is not None:
            body["metadata"] = {"event_type": PARENT_EVENT, "event_payload": {"roadmap_id": parent.roadmap_id}}
        return await self._post(channel_id, body)

    async def find_parent(self, channel_id: str, roadmap_id: int, since: datetime) -> str | None:
        """The channel's messages since `since` (a few pages at most: this runs only after a crash), newest first."""
        cursor = None
        for _ in range(FIND_PAGES):
            args: dict[str, object] = {
                "channel": channel_id,
                "oldest": f"{(since - FIND_MARGIN).timestamp():.6f}",
                "include_all_metadata": True,
                "limit": FIND_PAGE,
            }
            if cursor:
                args["cursor"] = cursor
            data = await self._call(channel_id, "conversations_history", **args)
            for message in data.get("messages") or []:
                metadata = message.get("metadata") or {}
                marked = (metadata.get("event_payload") or {}).get("roadmap_id")
                if metadata.get("event_type") == PARENT_EVENT and str(marked) == str(roadmap_id):
                    return str(message["ts"])
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        log.warning(
            "no parent message of roadmap %s in %s's last %d messages", roadmap_id, channel_id, FIND_PAGES * FIND_PAGE
        )
        return None

    async def update_parent(self, channel_id: str, ts: str, parent: ParentInfo) -> None:
        await self._update(channel_id, ts, self._parent(parent))

    @staticmethod
    def _parent(parent: ParentInfo) -> blocks.SlackMessage:
        return blocks.parent_message(
            parent.profile,
            owner_user_id=parent.owner_user_id,
            state=parent.state,
            summary=parent.summary,
            engine=parent.engine,
            note=parent.note,
            version=parent.version,
            item_count=parent.item_count,
            roadmap_id=parent.roadmap_id,
            nudges=parent.nudges,
            this_week=parent.this_week,
        )

    async def publish_roadmap(self, post: RoadmapPost) -> None:
        """Summary, then each stage's parts (or one stage's, `post.stage`); a part already posted is updated in place,
        never posted twice."""
        if post.stage is not None:
            await self._refresh_stage(post, post.stage)
            return
        planned = await self._compute(
            functools.partial(
                blocks.roadmap_messages,
                version=post.version,
                version_id=post.version_id,
                statuses=dict(post.statuses),
                change_note=post.change_note,
                usage_note=post.usage_note,
                regenerate_roadmap_id=post.regenerate_roadmap_id,
            ),
            post.roadmap,
            bulk=True,
        )
        for key, message in planned:
            ts = post.existing.get(key)
            if ts is not None:
                await self._update(post.channel_id, ts, message)
            else:
                ts = await self._post(post.channel_id, message, post.thread_ts)
                await post.on_posted(*key, ts)

    async def _refresh_stage(self, post: RoadmapPost, stage: int) -> None:
        messages = blocks.stage_messages(post.roadmap, stage, post.statuses, version_id=post.version_id)
        existing = {part: ts for (kind, n, part), ts in post.existing.items() if (kind, n) == ("stage", stage)}
        for part, message in enumerate(messages):
            ts = existing.get(part)
            if ts is not None:
                await self._update(post.channel_id, ts, message)
            else:  # the re-render needs one more part than before
                await post.on_posted("stage", stage, part, await self._post(post.channel_id, message, post.thread_ts))
        for part in sorted(p for p in existing if p >= len(messages)):
            await self._update(post.channel_id, existing[part], blocks.continued_above(stage, post.roadmap.language))

    async def open_progress(
        self,
        channel_id: str,
        thread_ts: str,
        *,
        recipient_user_id: str | None,
        recipient_team_id: str | None,
        lang: Language = "en",
    ) -> SlackProgress:
        progress = SlackProgress(
            await self._client(),
            self._paced_call,
            channel_id,
            thread_ts,
            header=":hourglass_flowing_sand: " + t(lang, "Writing the roadmap with AI…"),
            recipient_user_id=recipient_user_id,
            recipient_team_id=recipient_team_id,
        )
        await progress.start()
        return progress

    async def _paced_call(self, channel_id: str, method: str, **args: object) -> dict[str, Any]:
        if method == "chat_postMessage":
            await self._pacer.wait(channel_id)
        return await self._call(channel_id, method, **args)

    async def post_in_thread(self, channel_id: str, thread_ts: str, text: str) -> None:
        await self._pacer.wait(channel_id)
        await self._call(channel_id, "chat_postMessage", channel=channel_id, thread_ts=thread_ts, text=text)

    async def upload_files(
        self, channel_id: str, thread_ts: str, files: Sequence[Upload], *, comment: str | None = None
    ) -> list[str]:
        """Files into the thread as one message (slack_sdk's files_upload_v2: an upload URL per file, the bytes,
        then one completeUploadExternal sharing them all); returns the file ids."""
        await self._pacer.wait(channel_id)  # the shared files arrive as a message in the channel
        uploads = [
            {"file": f.content, "filename": f.filename, "title": f.title}
            | ({"alt_txt": f.alt_text} if f.alt_text else {})
            for f in files
        ]
        extra = {"initial_comment": comment} if comment else {}
        try:
            data = await self._call(
                channel_id, "files_upload_v2", file_uploads=uploads, channel=channel_id, thread_ts=thread_ts, **extra
            )
        except SlackRequestError as exc:  # the bytes were refused by the upload URL
            raise PublishFailed(f"upload: {exc}"[:200]) from exc
        return [str(f["id"]) for f in data.get("files") or [] if isinstance(f, dict) and f.get("id")]

    # --- people --------------------------------------------------------------------------

    async def notify(self, user_id: str, notice: Notice) -> None:
        """Ephemeral in the channel when possible, else a DM (the app's Messages tab)."""
        message = blocks.notice_message(
            notice.kind,
            channel_id=notice.channel_id,
            roadmap_id=notice.roadmap_id,
            system_name=notice.system_name,
            detail=notice.detail,
            lang=notice.language,
        )
        if notice.channel_id:
            try:
                await self._call(
                    notice.channel_id,
                    "chat_postEphemeral",
                    channel=notice.channel_id,
                    user=user_id,
                    **message.to_args(),
                )
                return
            except ChannelUnavailable:
                pass
            except PublishFailed as exc:
                if exc.reason not in _EPHEMERAL_FALLBACK:
                    raise
        await self._call(user_id, "chat_postMessage", channel=user_id, **message.to_args())

    async def permalink(self, channel_id: str, ts: str) -> str | None:
        try:
            data = await self._call(channel_id, "chat_getPermalink", channel=channel_id, message_ts=ts)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.info("no permalink for %s in %s: %s", ts, channel_id, exc)
            return None
        link = data.get("permalink")
        return str(link) if link else None

    async def user_info(self, user_id: str) -> UserInfo:
        try:
            data = await self._call(user_id, "users_info", user=user_id, include_locale=True)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.info("no profile for %s: %s", user_id, exc)
            return UserInfo()
        user = data.get("user") or {}
        tz, locale = user.get("tz"), user.get("locale")
        return UserInfo(str(tz) if tz else None, language(str(locale)) if locale else None)

    async def post_reply(self, channel_id: str, thread_ts: str, reply: Reply) -> str:
        if isinstance(reply, Completion):
            message = blocks.completion_message(reply.system_name, reply.stages, reply.language)
        else:
            message = blocks.nudge_message(reply)
        return await self._post(channel_id, message, thread_ts)

    async def publish_home(self, user_id: str, listings: Sequence[RoadmapListing], lang: Language = "en") -> None:
        view = blocks.home_view(listings, user_id=user_id, lang=lang)
        await self._call(user_id, "views_publish", user_id=user_id, view=view.to_dict())
