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

from babel.dates import format_datetime

from bot.i18n import N_, Language, t

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EVERY = (
    N_("Mondays at {time} ({zone})"),
    N_("Tuesdays at {time} ({zone})"),
    N_("Wednesdays at {time} ({zone})"),
    N_("Thursdays at {time} ({zone})"),
    N_("Fridays at {time} ({zone})"),
    N_("Saturdays at {time} ({zone})"),
    N_("Sundays at {time} ({zone})"),
)
_DAY_WORDS = {name: n for n, name in enumerate(WEEKDAYS)} | {name[:3]: n for n, name in enumerate(WEEKDAYS)}
_DAY_WORDS |= {"tues": 1, "thur": 3, "thurs": 3, "월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}


class ScheduleError(ValueError):
    """A weekday, time or time zone a person typed that cannot be used; the message says why, in either language."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values))
        self.message, self.values = message, values

    def say(self, lang: Language) -> str:
        return t(lang, self.message, **self.values)


def _shown(text: str) -> str:
    """A typed value as quoted back in an error: short enough for one line of a reply."""
    return text if len(text) <= 60 else text[:59] + "…"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(
            N_("'{value}' is not a time zone; use an IANA name such as Asia/Seoul"), value=_shown(name)
        ) from exc


# The patterns in this module read text a person typed, so each runs in time linear in its length: no two
# quantifiers that can take the same characters sit side by side or inside each other, and a whitespace run is
# taken possessively (`\s*+`: once taken, never given back) wherever what follows cannot start with whitespace.
_TIME = re.compile(r"\s*+(\d{1,2})(?::(\d{2}))?\s*+(?:(am|pm)\s*+)?", re.IGNORECASE)
MAX_TIME_CHARS = 32  # "12:30 pm" with room for spaces inside; anything longer, once stripped, is not a time of day


def parse_time(text: str) -> time:
    stripped = text.strip()  # padding is allowed at any length ("nudge 9", many spaces, "x" gives "9" and spaces)
    match = _TIME.fullmatch(stripped) if len(stripped) <= MAX_TIME_CHARS else None
    if not match:
        raise ScheduleError(N_("'{value}' is not a time; use HH:MM, e.g. 09:30"), value=_shown(stripped))
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ScheduleError(N_("'{value}' is not a time"), value=_shown(stripped))
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(N_("'{value}' is not a time of day"), value=_shown(stripped))
    return time(hour, minute)


def parse_weekday(text: str) -> int:
    key = text.strip().lower().rstrip(".")
    key = key.removesuffix("요일") if key.endswith("요일") else key.removesuffix("s")
    if key in _DAY_WORDS:
        return _DAY_WORDS[key]
    raise ScheduleError(N_("'{value}' is not a weekday"), value=_shown(text.strip()))


@dataclass(frozen=True)
class WeeklyTime:
    weekday: int  # 0 = Monday
    at: time
    timezone: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ScheduleError(N_("weekday {value} is not 0 (Monday) to 6 (Sunday)"), value=self.weekday)
        zone(self.timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_time(self) -> str:
        return f"{self.at:%H:%M}"

    def describe(self, lang: Language = "en") -> str:
        """ "Mondays at 10:00 (Asia/Seoul)" / "매주 월요일 10:00 (Asia/Seoul)"."""
        return t(lang, _EVERY[self.weekday], time=self.local_time, zone=self.timezone)

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


def local_label(moment: datetime, timezone: str, lang: Language = "en") -> str:
    """A moment in a time zone as its readers write it: "Mon 7 Dec 10:00 KST" / "12월 7일 (월) 10:00 KST"."""
    local = moment.astimezone(zone(timezone))
    pattern = "M월 d일 (EEE) HH:mm" if lang == "ko" else "EEE d MMM HH:mm"
    return f"{format_datetime(local, pattern, locale=lang)} {local.tzname()}"


@dataclass(frozen=True)
class ScheduleView:
    """How a roadmap's nudges stand, for the parent message, the Home tab and replies; worded when shown."""

    when: WeeklyTime
    paused: bool
    next_due: datetime | None  # None when stopped (every item closed) or paused

    def next_label(self, lang: Language = "en") -> str | None:
        return local_label(self.next_due, self.when.timezone, lang) if self.next_due is not None else None

    def text(self, lang: Language = "en") -> str:
        if self.paused:
            return t(lang, "Weekly nudges paused ({schedule} when resumed)", schedule=self.when.describe(lang))
        if self.next_due is None:
            return t(lang, "Weekly nudges stopped: every item is closed")
        return t(
            lang,
            "Weekly nudges: {schedule}; next {next}",
            schedule=self.when.describe(lang),
            next=self.next_label(lang),
        )


@dataclass(frozen=True)
class NudgeCommand:
    """A thread reply about nudges: pause, resume, or a new weekday / time / time zone."""

    action: str  # "pause" | "resume" | "change"
    weekday: int | None = None
    at: time | None = None
    timezone: str | None = None


# A thread command is a line or two; a Slack message can be 40,000 characters. Anything longer than this is
# ordinary discussion, never a command, so no parser spends time on it.
MAX_COMMAND_CHARS = 4_000

# Only the command word is matched by a pattern; what follows it is split with string methods. (The old single
# pattern ended in `(.*?)\s*[.!]?\s*$`: a lazy group followed by two whitespace runs, which took a minute on a
# few thousand spaces.)
_NUDGE_WORD = re.compile(r"\s*+(?:<@[A-Z0-9]+>\s*+)?(?:nudges?|reminders?|넛지|알림)\b[:\s]*+", re.IGNORECASE)
_TIME_ZONE = re.compile(r"(?:tz|timezone|time zone|zone)\s++(\S++)", re.IGNORECASE)
# Not possessive: in "9 friday" the space must be given back for the time to end at "9". The backtracking is
# bounded: only the first digit of a run can start a time, so each whitespace run is re-read at most once.
_TIME_IN_TEXT = re.compile(r"(?<![\w:])(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)(?![\w:])", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,]+")
_PAUSE_WORDS = frozenset({"pause", "stop", "off", "mute", "중지", "일시정지"})
_RESUME_WORDS = frozenset({"resume", "start", "on", "unmute", "재개", "시작"})
_FILLER_WORDS = frozenset({"at", "on", "every", "매주"})


_SPOKEN = {  # the verb first, as people also say it: "pause nudges", "resume the reminders", "알림 꺼 줘" is not one
    "pause": "pause",
    "stop": "pause",
    "mute": "pause",
    "resume": "resume",
    "restart": "resume",
    "unmute": "resume",
}


def _spoken_order(text: str) -> str | None:
    """ "pause nudges" / "resume the nudges" -> "pause" / "resume"; None for anything else (checked by words)."""
    if len(text) > 80:
        return None
    words = text.lower().rstrip(".!").split()
    if words and words[0].startswith("<@"):
        words = words[1:]
    if len(words) == 3 and words[1] == "the":
        words = [words[0], words[2]]
    if len(words) == 2 and words[1] in ("nudge", "nudges", "reminder", "reminders"):
        return _SPOKEN.get(words[0])
    return None


def _command_rest(text: str) -> str | None:
    """What follows "nudge" (and a mention before it), without one closing "." or "!"; None when not a command."""
    if len(text) > MAX_COMMAND_CHARS:
        return None
    match = _NUDGE_WORD.match(text)
    if not match:
        return None
    rest = text[match.end() :].rstrip()
    if rest.endswith((".", "!")):
        rest = rest[:-1].rstrip()
    return rest


def parse_nudge_command(text: str) -> NudgeCommand | None:
    """ "nudge pause", "nudge resume", "nudge friday 09:00", "nudge 9:30", "nudge tz Asia/Seoul"; None otherwise.

    Raises ScheduleError when it is a nudge command with a value that cannot be used. Linear in the length of
    the text, and a text longer than MAX_COMMAND_CHARS is not a command.
    """
    spoken = _spoken_order(text)
    if spoken is not None:
        return NudgeCommand(spoken)
    rest = _command_rest(text)
    if rest is None:
        return None
    word = rest.lower()
    if word in _PAUSE_WORDS:
        return NudgeCommand("pause")
    if word in _RESUME_WORDS:
        return NudgeCommand("resume")
    if not rest:
        raise ScheduleError(N_("say `nudge pause`, `nudge resume`, `nudge friday 09:00` or `nudge tz Asia/Seoul`"))
    tz_match = _TIME_ZONE.fullmatch(rest)
    if tz_match:
        zone(tz_match.group(1))
        return NudgeCommand("change", timezone=tz_match.group(1))
    found = _TIME_IN_TEXT.search(rest)
    at = parse_time(found.group(1)) if found else None
    remainder = rest[: found.start()] + " " + rest[found.end() :] if found else rest
    words = [w for w in _SEPARATORS.split(remainder) if w and w.lower() not in _FILLER_WORDS]
    if len(words) > 1:
        raise ScheduleError(N_("'{value}' is not a weekday and a time; try `nudge friday 09:00`"), value=_shown(rest))
    weekday = parse_weekday(words[0]) if words else None
    if weekday is None and at is None:
        raise ScheduleError(N_("'{value}' is neither a weekday nor a time"), value=_shown(rest))
    return NudgeCommand("change", weekday=weekday, at=at)
