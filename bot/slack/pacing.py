"""Posting pace per channel: Slack allows about one message a second per channel, with short bursts.

Waiting here is cheaper than a 429 and its Retry-After; channels do not wait for each other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class ChannelPacer:
    """A token bucket per channel: `burst` messages at once, then `per_second`."""

    def __init__(self, per_second: float = 1.0, burst: int = 4, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_second
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, last refill)
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel_id: str) -> float:
        """Take one posting slot for the channel, sleeping if needed; returns the seconds waited."""
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:  # posts to one channel queue up in order
            waited = 0.0
            while True:
                now = self._clock()
                tokens, last = self._buckets.get(channel_id, (self._burst, now))
                tokens = min(self._burst, tokens + (now - last) * self._rate)
                if tokens >= 1:
                    self._buckets[channel_id] = (tokens - 1, now)
                    return waited
                delay = (1 - tokens) / self._rate
                self._buckets[channel_id] = (tokens, now)
                await asyncio.sleep(delay)
                waited += delay
