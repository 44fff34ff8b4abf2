"""Live progress in the thread while an engine writes.

Slack's streaming messages (chat.startStream / appendStream / stopStream, through slack_sdk's
`chat_stream` helper) when the workspace allows them; otherwise one ordinary message updated
in place at most every UPDATE_EVERY_S seconds. Either way the text is plain progress lines; the
rendered roadmap follows as its own messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_chat_stream import AsyncChatStream
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

STREAM_BUFFER = 12_000  # slack_sdk's own size-based flushing stays out of the way: we flush by time
UPDATE_EVERY_S = 1.5  # at most one appendStream (or, in the fallback, chat.update) per this many seconds
MAX_SHOWN = 2800  # a progress message shows the latest lines within this many characters

Call = Callable[..., Awaitable[dict[str, Any]]]  # the publisher's `_paced_call(channel, method, **args)`


class SlackProgress:
    """A ProgressSink for one thread. `call(channel, method, **args)` is the publisher's guarded Web API call."""

    def __init__(
        self,
        client: AsyncWebClient,
        call: Call,
        channel_id: str,
        thread_ts: str,
        *,
        header: str,
        recipient_user_id: str | None,
        recipient_team_id: str | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._call = call
        self._channel = channel_id
        self._thread = thread_ts
        self._header = header
        self._text = ""
        self._clock = clock
        self._ts: str | None = None
        self._last_update = 0.0
        self._pending = ""  # streamed text not yet sent
        self._stream: AsyncChatStream | None = None
        self._recipients: tuple[str, str] | None
        if recipient_user_id and recipient_team_id:  # streaming in a channel needs both
            self._client = client
            self._recipients = (recipient_team_id, recipient_user_id)
        else:
            self._recipients = None

    async def start(self) -> None:
        """Show the header at once (as a stream, or as the message the fallback will update)."""
        if self._recipients is not None:
            team_id, user_id = self._recipients
            self._stream = await self._client.chat_stream(
                channel=self._channel,
                thread_ts=self._thread,
                recipient_team_id=team_id,
                recipient_user_id=user_id,
                buffer_size=STREAM_BUFFER,
            )
            try:
                await self._stream.append(markdown_text=self._header + "\n", chunks=[])  # chunks=[] flushes now
                self._last_update = self._clock()
                return
            except (SlackApiError, SlackRequestError) as exc:
                log.info("streaming unavailable in %s (%s); updating a message instead", self._channel, exc)
                self._stream = None
        data = await self._call(
            self._channel, "chat_postMessage", channel=self._channel, thread_ts=self._thread, text=self._header
        )
        self._ts = str(data["ts"])
        self._last_update = self._clock()

    async def append(self, text: str) -> None:
        self._text += text
        if self._stream is not None:
            self._pending += text
            if self._clock() - self._last_update < UPDATE_EVERY_S:
                return  # at most one appendStream per UPDATE_EVERY_S: each is a Web API call
            try:
                await self._stream.append(markdown_text=self._pending, chunks=[])  # chunks=[] flushes now
                self._pending = ""
                self._last_update = self._clock()
                return
            except (SlackApiError, SlackRequestError) as exc:
                log.info("stream stopped (%s); continuing with updates", exc)
                self._stream = None
                data = await self._call(
                    self._channel, "chat_postMessage", channel=self._channel, thread_ts=self._thread, text=self._shown()
                )
                self._ts = str(data["ts"])
                self._last_update = self._clock()
                return
        if self._ts is not None and self._clock() - self._last_update >= UPDATE_EVERY_S:
            await self._update(self._shown())

    async def finish(self, text: str) -> None:
        if self._stream is not None:
            try:
                await self._stream.stop(markdown_text=self._pending + "\n" + text)
                return
            except (SlackApiError, SlackRequestError) as exc:
                log.info("could not stop the stream (%s)", exc)
                self._stream = None
        if self._ts is not None:
            await self._update(self._shown(footer=text))

    def _shown(self, footer: str = "") -> str:
        body = self._text.strip("\n")
        if len(body) > MAX_SHOWN:
            body = "…" + body[-MAX_SHOWN:].split("\n", 1)[-1]
        return "\n".join(part for part in (self._header, body, footer) if part)

    async def _update(self, text: str) -> None:
        assert self._ts is not None
        await self._call(self._channel, "chat_update", channel=self._channel, ts=self._ts, text=text)
        self._last_update = self._clock()
