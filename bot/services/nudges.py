"""Weekly nudges: a schedule per roadmap, and a sweep that sends each due nudge exactly once.

The sweep works in pages. One transaction claims due schedules (FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite has a single writer), moves them to a short lease and opens a (roadmap, week)
slot in the nudge log, whose unique key is what keeps two instances from sending the same nudge.
The messages go out after that transaction, paced per channel and concurrent across channels; a
second transaction records what was sent and when each schedule comes due next. A failed send
keeps its slot and is retried on a later sweep; a crash leaves the lease, which simply expires.
After downtime a schedule that missed several weeks sends one catch-up nudge, not a backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

from bot import i18n, metrics, workspace
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.nudge_digest import completion_for, digest_for
from bot.services.ports import NudgeDigest, Publisher
from bot.services.roadmap_threads import roadmap_in_thread
from bot.services.schedule import (
    NudgeCommand,
    ScheduleError,
    ScheduleView,
    WeeklyTime,
    parse_nudge_command,
    parse_time,
    week_key,
    zone,
)
from storage import Database
from storage.repositories.nudges import NudgeOutcome, NudgeTarget

log = logging.getLogger(__name__)

DONE_KEY = "done"  # the period key of the one-time congratulation
PAGE_SIZE = 500
LEASE = timedelta(minutes=10)  # a claimed schedule comes due again after this if its sweep died
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5  # per (roadmap, week); then that week's nudge is given up
SEND_CONCURRENCY = 32
FIRST_NUDGE_AFTER = timedelta(days=1)  # a new roadmap is not nudged the same morning it was posted


@dataclass(frozen=True)
class NudgeDefaults:
    weekday: int
    at: time
    timezone: str  # used when the owner's Slack time zone is unknown


@dataclass(frozen=True)
class SentNudge:
    roadmap_id: int
    system_name: str
    channel_id: str
    thread_ts: str
    period_key: str
    ts: str

    @property
    def kind(self) -> str:
        return "completion" if self.period_key == DONE_KEY else "nudge"


@dataclass
class SweepReport:
    sent: list[SentNudge] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (roadmap id, error)
    skipped: int = 0
    pages: int = 0


@dataclass(frozen=True)
class _Plan:
    schedule_id: int
    target: NudgeTarget
    when: WeeklyTime | None  # None for the completion message
    period: str
    next_due: datetime
    catch_up: bool


def _weekly(schedule_weekday: int, local_time: str, timezone: str, fallback: str) -> WeeklyTime:
    try:
        return WeeklyTime(schedule_weekday, parse_time(local_time), timezone)
    except ScheduleError:
        return WeeklyTime(schedule_weekday, parse_time(local_time), fallback)


class NudgeService:
    def __init__(
        self, database: Database, publisher: Publisher, defaults: NudgeDefaults, *, page_size: int = PAGE_SIZE
    ) -> None:
        self._db = database
        self._publisher = publisher
        self._defaults = defaults
        self._page_size = page_size

    # --- schedules ---------------------------------------------------------------------

    async def ensure_schedule(self, roadmap_id: int, *, timezone: str | None, now: datetime) -> ScheduleView:
        """Every published roadmap gets the default weekly nudge in its owner's time zone (kept if it exists)."""
        tz = timezone if timezone and _valid_zone(timezone) else self._defaults.timezone
        when = WeeklyTime(self._defaults.weekday, self._defaults.at, tz)
        schedule = await self._db.transact(
            lambda repos: repos.nudges.ensure_schedule(
                roadmap_id,
                weekday=when.weekday,
                local_time=when.local_time,
                timezone=when.timezone,
                next_due_at=when.next_after(now + FIRST_NUDGE_AFTER),
            )
        )
        return self._view(
            schedule.weekday, schedule.local_time, schedule.timezone, schedule.paused, schedule.next_due_at
        )

    def _view(
        self, weekday: int, local_time: str, timezone: str, paused: bool, next_due: datetime | None
    ) -> ScheduleView:
        when = _weekly(weekday, local_time, timezone, self._defaults.timezone)
        return ScheduleView(when, paused, None if paused else next_due)

    async def views(self, roadmap_ids: Sequence[int]) -> dict[int, ScheduleView]:
        async with self._db.unit_of_work(readonly=True) as repos:
            schedules = await repos.nudges.schedules_for(roadmap_ids)
        return {
            rid: self._view(s.weekday, s.local_time, s.timezone, s.paused, s.next_due_at)
            for rid, s in schedules.items()
        }

    async def settings(self, roadmap_id: int) -> tuple[int, str, str, bool]:
        """(weekday, "HH:MM", time zone, paused) for the settings form."""
        async with self._db.unit_of_work(readonly=True) as repos:
            s = await repos.nudges.get_schedule(roadmap_id)
        if s is None:
            raise LookupError(f"roadmap {roadmap_id} has no nudge schedule")
        return s.weekday, s.local_time, s.timezone, s.paused

    async def pause(self, roadmap_id: int) -> ScheduleView:
        async with self._db.unit_of_work() as repos:
            s = await repos.nudges.update_schedule(roadmap_id, paused=True)
            return self._view(s.weekday, s.local_time, s.timezone, s.paused, s.next_due_at)

    async def resume(self, roadmap_id: int, *, now: datetime) -> ScheduleView:
        return await self._reschedule(roadmap_id, now=now, skip_one=False)

    async def snooze(self, roadmap_id: int, *, now: datetime) -> ScheduleView:
        """Skip the next nudge: the one after it comes instead."""
        return await self._reschedule(roadmap_id, now=now, skip_one=True)

    async def _reschedule(self, roadmap_id: int, *, now: datetime, skip_one: bool) -> ScheduleView:
        """Unpause and set the next due time from the schedule's own weekly time (one later when skipping)."""
        async with self._db.unit_of_work() as repos:
            current = await repos.nudges.get_schedule(roadmap_id)
            if current is None:
                raise LookupError(f"roadmap {roadmap_id} has no nudge schedule")
            when = _weekly(current.weekday, current.local_time, current.timezone, self._defaults.timezone)
            due = when.next_after(now)
            if skip_one:
                upcoming = current.next_due_at if current.next_due_at and current.next_due_at > now else due
                due = when.next_after(upcoming)
            s = await repos.nudges.update_schedule(roadmap_id, paused=False, next_due_at=due)
            return self._view(s.weekday, s.local_time, s.timezone, s.paused, s.next_due_at)

    async def change(
        self,
        roadmap_id: int,
        *,
        now: datetime,
        weekday: int | None = None,
        at: time | None = None,
        timezone: str | None = None,
        paused: bool | None = None,
    ) -> ScheduleView:
        """New weekday / time / time zone (each optional); raises ScheduleError for an unusable value."""
        async with self._db.unit_of_work() as repos:
            current = await repos.nudges.get_schedule(roadmap_id)
            if current is None:
                raise LookupError(f"roadmap {roadmap_id} has no nudge schedule")
            when = WeeklyTime(
                current.weekday if weekday is None else weekday,
                parse_time(current.local_time) if at is None else at,
                current.timezone if timezone is None else timezone,
            )
            is_paused = current.paused if paused is None else paused
            s = await repos.nudges.update_schedule(
                roadmap_id,
                weekday=when.weekday,
                local_time=when.local_time,
                timezone=when.timezone,
                paused=is_paused,
                next_due_at=when.next_after(now) if current.next_due_at is not None or not is_paused else None,
            )
            return self._view(s.weekday, s.local_time, s.timezone, s.paused, s.next_due_at)

    async def command(self, channel_id: str, thread_ts: str, text: str, *, now: datetime) -> str | None:
        """A "nudge ..." reply in a roadmap thread; the bot's answer, or None when it is not one."""
        problem: ScheduleError | None = None
        try:
            parsed = parse_nudge_command(text)
        except ScheduleError as exc:
            parsed, problem = None, exc
        if parsed is None and problem is None:
            return None
        async with self._db.unit_of_work(readonly=True) as repos:
            roadmap = await roadmap_in_thread(repos, channel_id, thread_ts)
            schedule = await repos.nudges.get_schedule(roadmap.id) if roadmap else None
            review = await repos.reviews.get(roadmap.review_id) if roadmap else None
        lang = i18n.choose(i18n.language(review.language) if review else None)
        if problem is not None:
            return i18n.t(lang, "I could not change the nudges: {why}.", why=problem.say(lang))
        if roadmap is None or parsed is None:
            return None
        if schedule is None:
            return i18n.t(lang, "This roadmap has no weekly nudges yet; they start once it is posted.")
        return (await self._apply(roadmap.id, parsed, now)).text(lang) + "."

    async def _apply(self, roadmap_id: int, command: NudgeCommand, now: datetime) -> ScheduleView:
        if command.action == "pause":
            return await self.pause(roadmap_id)
        if command.action == "resume":
            return await self.resume(roadmap_id, now=now)
        return await self.change(roadmap_id, now=now, weekday=command.weekday, at=command.at, timezone=command.timezone)

    async def status(self, roadmap_id: int, *, now: datetime) -> NudgeDigest | None:
        """Where the team stands now, as a check-in on demand (`status` in the thread); None before a version."""
        async with self._db.unit_of_work(readonly=True) as repos:
            target = (await repos.nudges.targets([roadmap_id])).get(roadmap_id)
            schedule = await repos.nudges.get_schedule(roadmap_id)
        if target is None or target.version_id is None:
            return None
        if schedule is not None:
            when = _weekly(schedule.weekday, schedule.local_time, schedule.timezone, self._defaults.timezone)
            next_due = schedule.next_due_at if not schedule.paused else None
        else:
            when, next_due = WeeklyTime(self._defaults.weekday, self._defaults.at, self._defaults.timezone), None
        digest = digest_for(target, when, next_due or now, catch_up=False)
        return replace(digest, next_due=next_due, on_demand=True)

    # --- completion --------------------------------------------------------------------

    async def after_status_change(self, roadmap_id: int, *, now: datetime) -> None:
        """Every item closed: congratulate once and stop. Work reopened after that: nudge again."""
        async with self._db.unit_of_work(readonly=True) as repos:
            targets = await repos.nudges.targets([roadmap_id])
            schedule = await repos.nudges.get_schedule(roadmap_id)
            done_log = (await repos.nudges.logs_for([(roadmap_id, DONE_KEY)])).get((roadmap_id, DONE_KEY))
        target = targets.get(roadmap_id)
        if target is None or schedule is None or not target.items:
            return
        if all(not i.status.is_open for i in target.items):
            if done_log is None or done_log.status != "sent":
                await self._complete(schedule.id, target, now)
        elif schedule.next_due_at is None and not schedule.paused:
            await self.resume(roadmap_id, now=now)

    async def _complete(self, schedule_id: int, target: NudgeTarget, now: datetime) -> None:
        if not target.channel_id or not target.thread_ts:
            return
        async with self._db.unit_of_work() as repos:
            await repos.nudges.open_logs([(target.roadmap_id, DONE_KEY, target.channel_id)])
        outcome = await self._send(_Plan(schedule_id, target, None, DONE_KEY, now, False), now)
        async with self._db.unit_of_work() as repos:
            await repos.nudges.finish([outcome], now)

    # --- the sweep ---------------------------------------------------------------------

    async def sweep(self, now: datetime | None = None, *, page_size: int | None = None) -> SweepReport:
        """Send every nudge due at `now`; returns what was sent. Safe to run in several processes at once."""
        now = now or datetime.now(UTC)
        page_size = page_size or self._page_size
        report = SweepReport()
        semaphore = asyncio.Semaphore(SEND_CONCURRENCY)

        async def bounded(plan: _Plan) -> NudgeOutcome:
            async with semaphore:
                return await self._send(plan, now)

        while True:
            plans, outcomes = await self._claim(now, page_size, report)
            if plans is None:
                return report
            report.pages += 1

            results = await asyncio.gather(*(bounded(plan) for plan in plans))
            async with self._db.unit_of_work() as repos:
                await repos.nudges.finish([*outcomes, *results], now)
            for plan, result in zip(plans, results, strict=True):
                if result.status == "sent" and result.ts:
                    target = plan.target
                    assert target.channel_id and target.thread_ts
                    report.sent.append(
                        SentNudge(
                            target.roadmap_id,
                            target.system_name,
                            target.channel_id,
                            target.thread_ts,
                            plan.period,
                            result.ts,
                        )
                    )
                else:
                    report.failed.append((plan.target.roadmap_id, result.error or "failed"))

    async def _claim(
        self, now: datetime, page_size: int, report: SweepReport
    ) -> tuple[list[_Plan] | None, list[NudgeOutcome]]:
        """One page: claim, read what to say, open the log slots. None when nothing is due."""
        async with self._db.unit_of_work() as repos:
            claimed = await repos.nudges.claim_page(now, page_size, now + LEASE)
            if not claimed:
                return None, []
            targets = await repos.nudges.targets([s.roadmap_id for s in claimed])
            plans: list[_Plan] = []
            outcomes: list[NudgeOutcome] = []
            for schedule in claimed:
                when = _weekly(schedule.weekday, schedule.local_time, schedule.timezone, self._defaults.timezone)
                next_due = when.next_after(now)
                target = targets.get(schedule.roadmap_id)
                if target is None or target.version_id is None or not target.thread_ts or not target.items:
                    outcomes.append(NudgeOutcome(schedule.id, schedule.roadmap_id, None, "skipped", next_due))
                    continue
                finished = all(not i.status.is_open for i in target.items)
                period = DONE_KEY if finished else week_key(now, when.timezone)
                catch_up = now - (schedule.next_due_at or now) >= timedelta(days=7)  # missed a whole week or more
                plans.append(_Plan(schedule.id, target, None if finished else when, period, next_due, catch_up))
            existing = await repos.nudges.logs_for([(p.target.roadmap_id, p.period) for p in plans])
            sending: list[_Plan] = []
            for plan in plans:
                slot = existing.get((plan.target.roadmap_id, plan.period))
                done = plan.period == DONE_KEY
                if slot is not None and (slot.status == "sent" or slot.attempts >= MAX_ATTEMPTS):
                    # already sent this week (another instance, or before a restart), or given up: move on
                    due = None if done else plan.next_due
                    outcomes.append(NudgeOutcome(plan.schedule_id, plan.target.roadmap_id, None, "skipped", due))
                    continue
                sending.append(plan)
            await repos.nudges.open_logs(
                [
                    (p.target.roadmap_id, p.period, p.target.channel_id)
                    for p in sending
                    if (p.target.roadmap_id, p.period) not in existing
                ]
            )
        report.skipped += len(outcomes)
        return sending, outcomes

    async def _send(self, plan: _Plan, now: datetime) -> NudgeOutcome:
        target = plan.target
        assert target.channel_id and target.thread_ts
        done = plan.period == DONE_KEY
        try:
            with workspace.acting_for(target.team_id):  # a sweep serves every workspace: post with this one's token
                ts = await self._post(plan, done)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("nudge for roadmap %s not sent: %s", target.roadmap_id, exc)
            metrics.NUDGES_FAILED.inc()
            return NudgeOutcome(
                plan.schedule_id, target.roadmap_id, plan.period, "failed", now + RETRY_AFTER, error=str(exc)[:500]
            )
        except Exception as exc:
            log.exception("nudge for roadmap %s failed", target.roadmap_id)
            metrics.NUDGES_FAILED.inc()
            return NudgeOutcome(
                plan.schedule_id, target.roadmap_id, plan.period, "failed", now + RETRY_AFTER, error=repr(exc)[:500]
            )
        metrics.NUDGES_SENT.inc()
        return NudgeOutcome(
            plan.schedule_id, target.roadmap_id, plan.period, "sent", None if done else plan.next_due, ts=ts
        )

    async def _post(self, plan: _Plan, done: bool) -> str:
        target = plan.target
        assert target.channel_id and target.thread_ts
        if done:
            return await self._publisher.post_reply(target.channel_id, target.thread_ts, completion_for(target))
        assert plan.when is not None
        digest = digest_for(target, plan.when, plan.next_due, catch_up=plan.catch_up)
        return await self._publisher.post_reply(target.channel_id, target.thread_ts, digest)

    async def pause_workspace(self, team_id: str) -> int:
        """The workspace uninstalled the app: its roadmaps' check-ins stop (people resume them after reinstalling)."""
        async with self._db.unit_of_work() as repos:
            return await repos.nudges.pause_workspace(team_id)


def _valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ScheduleError:
        return False
    return True
