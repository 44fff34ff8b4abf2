"""Slack retries an event it has not seen acknowledged within 3 s, so the acknowledgement waits on nothing: no
database (de-duplication included), no model, and during a burst the handling of earlier events waits for the
later ones' acknowledgements instead of interleaving with them (issue 17, speed under a busy thread)."""

from __future__ import annotations

import asyncio
import time

from bot.slack import boundary
from storage import Database
from tests.fakes import slack_requests as sr
from tests.slack_harness import running_bot


async def test_events_are_acknowledged_while_their_handling_cannot_reach_the_database(database: Database) -> None:
    async with running_bot(database) as h:
        events = h.bot.services.events
        real = events.first_time
        release = asyncio.Event()
        seen: list[str] = []

        async def stuck(event_id: str) -> bool:  # the database hangs: only the handling may wait on it
            seen.append(event_id)
            await release.wait()
            return await real(event_id)

        events.first_time = stuck  # type: ignore[method-assign]
        bodies = [sr.event_callback(sr.app_mention_event(f"what do you do? {n}")) for n in range(30)]
        started = time.monotonic()
        statuses = await asyncio.wait_for(asyncio.gather(*(h.send(body) for body in bodies)), 10)
        assert [status for status, _ in statuses] == [200] * 30 and time.monotonic() - started < 5
        for _ in range(200):  # the handling starts once the burst is acknowledged, and waits on the database
            if len(seen) == boundary.DISPATCHING_AT_ONCE:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        # a few dispatches at a time: the others wait their turn instead of all stepping between acknowledgements
        assert len(seen) == boundary.DISPATCHING_AT_ONCE and not h.fake.calls("chat.postMessage")

        release.set()
        assert (await h.send(bodies[0], headers=sr.retry_headers(1)))[0] == 200  # Slack's retry: handled once
        await h.idle()
        assert len(h.fake.calls("chat.postMessage")) == 30
        h.fake.assert_clean()


async def test_handling_waits_for_a_burst_to_be_acknowledged_but_not_forever() -> None:
    intake = boundary._Intake()
    loop = asyncio.get_running_loop()

    async def arrivals(every: float, until: float) -> None:
        while loop.time() < until:
            intake.arrived()
            await asyncio.sleep(every)

    start = loop.time()
    await intake.quiet()  # nothing arrived: no wait
    assert loop.time() - start < boundary.QUIET_GAP_S

    burst = asyncio.create_task(arrivals(0.01, start + 0.2))
    await asyncio.sleep(0)
    await intake.quiet()
    assert 0.2 <= loop.time() - start < 0.2 + boundary.QUIET_GAP_S + 0.2  # after the burst, plus the quiet gap
    await burst

    start = loop.time()
    endless = asyncio.create_task(arrivals(0.01, start + boundary.MAX_HOLD_S + 1))
    await asyncio.sleep(0)
    waiters = [asyncio.create_task(intake.quiet()) for _ in range(50)]  # one timer for all of them
    await asyncio.gather(*waiters)
    assert boundary.MAX_HOLD_S <= loop.time() - start < boundary.MAX_HOLD_S + 0.3  # held at most this long
    endless.cancel()
