"""Weekly times in a person's time zone: the next occurrence, the week it belongs to, the words for it.

All arithmetic is done on local calendar dates and converted with zoneinfo, so "Monday 10:00" stays
10:00 local across daylight-saving changes. A local time that does not exist on a spring-forward day
(02:30 in a skipped hour) comes out an hour later, as zoneinfo maps it; one that happens twice on a
fall-back day is the first of the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS = {name: n for n, name in enumerate(WEEKDAYS)} | {name[:3]: n for n, name in enumerate(WEEKDAYS)}
_DAY_WORDS |= {"tues": 1, "thur": 3, "thurs": 3, "월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}


class ScheduleError(ValueError):
    """A weekday, time or time zone a person typed that cannot be used; the message says why."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"'{name}' is not a time zone; use an IANA name such as Asia/Seoul") from exc


def parse_time(text: str) -> time:
    match = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*", text, re.IGNORECASE)
    if not match:
        raise ScheduleError(f"'{text.strip()}' is not a time; use HH:MM, e.g. 09:30")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ScheduleError(f"'{text.strip()}' is not a time")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(f"'{text.strip()}' is not a time of day")
    return time(hour, minute)


def parse_weekday(text: str) -> int:
    key = text.strip().lower().rstrip(".")
    key = key.removesuffix("요일") if key.endswith("요일") else key.removesuffix("s")
    if key in _DAY_WORDS:
        return _DAY_WORDS[key]
    raise ScheduleError(f"'{text.strip()}' is not a weekday")


@dataclass(frozen=True)
class WeeklyTime:
    weekday: int  # 0 = Monday
    at: time
    timezone: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ScheduleError(f"weekday {self.weekday} is not 0 (Monday) to 6 (Sunday)")
        zone(self.timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_time(self) -> str:
        return f"{self.at:%H:%M}"

    def describe(self) -> str:
        return f"{WEEKDAYS[self.weekday].title()}s at {self.local_time} ({self.timezone})"

    def _on(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=self.zone).astimezone(UTC)

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (an aware datetime), in UTC."""
        local = moment.astimezone(self.zone)
        day = local.date() + timedelta(days=(self.weekday - local.weekday()) % 7)
        candidate = self._on(day)
        return candidate if candidate > moment else self._on(day + timedelta(days=7))


def week_key(moment: datetime, timezone: str) -> str:
    """The ISO week a moment falls in, in that time zone: one nudge per roadmap per week."""
    year, week, _ = moment.astimezone(zone(timezone)).isocalendar()
    return f"{year}-W{week:02d}"


def local_label(moment: datetime, timezone: str) -> str:
    """e.g. "Mon 7 Dec 10:00 KST"."""
    local = moment.astimezone(zone(timezone))
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname()}"


@dataclass(frozen=True)
class NudgeCommand:
    """A thread reply about nudges: pause, resume, or a new weekday / time / time zone."""

    action: str  # "pause" | "resume" | "change"
    weekday: int | None = None
    at: time | None = None
    timezone: str | None = None


_COMMAND = re.compile(r"^\s*(?:<@[A-Z0-9]+>\s*)?(?:nudges?|reminders?|넛지|알림)\b[:\s]*(.*?)\s*[.!]?\s*$", re.I | re.S)


def parse_nudge_command(text: str) -> NudgeCommand | None:
    """ "nudge pause", "nudge resume", "nudge friday 09:00", "nudge 9:30", "nudge tz Asia/Seoul"; None otherwise.

    Raises ScheduleError when it is a nudge command with a value that cannot be used.
    """
    match = _COMMAND.match(text)
    if not match:
        return None
    rest = match.group(1).strip()
    word = rest.lower()
    if word in ("pause", "stop", "off", "mute", "중지", "일시정지"):
        return NudgeCommand("pause")
    if word in ("resume", "start", "on", "unmute", "재개", "시작"):
        return NudgeCommand("resume")
    if not rest:
        raise ScheduleError("say `nudge pause`, `nudge resume`, `nudge friday 09:00` or `nudge tz Asia/Seoul`")
    tz_match = re.fullmatch(r"(?:tz|timezone|time zone|zone)\s+(\S+)", rest, re.I)
    if tz_match:
        zone(tz_match.group(1))
        return NudgeCommand("change", timezone=tz_match.group(1))
    found = re.search(r"(?<![\w:])(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)(?![\w:])", rest, re.I)
    at = parse_time(found.group(1)) if found else None
    remainder = rest[: found.start()] + " " + rest[found.end() :] if found else rest
    words = [w for w in re.split(r"[\s,]+", remainder) if w and w.lower() not in ("at", "on", "every", "매주")]
    if len(words) > 1:
        raise ScheduleError(f"'{rest}' is not a weekday and a time; try `nudge friday 09:00`")
    weekday = parse_weekday(words[0]) if words else None
    if weekday is None and at is None:
        raise ScheduleError(f"'{rest}' is neither a weekday nor a time")
    return NudgeCommand("change", weekday=weekday, at=at)
