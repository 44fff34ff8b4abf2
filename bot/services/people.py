"""Who the bot is talking to: each person's language from Slack's profile (users.info with include_locale),
remembered for a day so replies that must be immediate (an acknowledgement) can use it without a call."""

from __future__ import annotations

import time
from collections import OrderedDict

from bot.i18n import Language
from bot.services.ports import Directory

REMEMBER_S = 24 * 3600
REMEMBER_MAX = 10_000  # people per process; the oldest are forgotten first


class People:
    def __init__(self, publisher: Directory, default: Language = "en") -> None:
        self._publisher = publisher
        self.default: Language = default
        self._known: OrderedDict[str, tuple[float, Language | None]] = OrderedDict()

    def known_language(self, user_id: str) -> Language | None:
        """The language remembered for this person, without asking Slack."""
        entry = self._known.get(user_id)
        if entry is None or time.monotonic() - entry[0] > REMEMBER_S:
            return None
        return entry[1]

    async def language(self, user_id: str) -> Language | None:
        """The person's Slack language (one users.info call unless remembered); None when Slack does not say or
        the language is not one the bot speaks."""
        entry = self._known.get(user_id)
        if entry is not None and time.monotonic() - entry[0] <= REMEMBER_S:
            return entry[1]
        info = await self._publisher.user_info(user_id)
        self._known[user_id] = (time.monotonic(), info.language)
        self._known.move_to_end(user_id)
        while len(self._known) > REMEMBER_MAX:
            self._known.popitem(last=False)
        return info.language
