"""Failures the services understand, whatever the chat platform reported underneath."""

from __future__ import annotations

from typing import Literal

ChannelProblem = Literal["not_in_channel", "channel_not_found", "is_archived"]


class ChannelUnavailable(Exception):
    """The bot cannot post in the channel; the user can invite it (or pick another) and retry."""

    def __init__(self, channel_id: str, reason: ChannelProblem) -> None:
        super().__init__(f"cannot post in {channel_id}: {reason}")
        self.channel_id = channel_id
        self.reason: ChannelProblem = reason


class PublishFailed(Exception):
    """Posting failed for another reason (rate limits exhausted, Slack error); retrying may help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
