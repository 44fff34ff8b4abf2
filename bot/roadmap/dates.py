"""Calendar deadlines in a thread message ("target is 500k by June", "the launch is on March 3", "6월까지 50만",
"3월 3일 출시"), read as a day counted from the day the message was written.

The profile keeps a deadline as weeks from now (traffic.deadline_in reads "in 6 weeks", "3개월 안에"), so a date is
turned into weeks here, against the message's own day: a date without a year that has already passed this year is
next year's ("by January" written in December). A month alone means its first day (the earlier reading, so the plan
is not late), or its last day when the message says "end of" / "말", or when it is the month the message was written
in. Pure and linear in the text: a handful of bounded regular expressions, no I/O.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from bot.i18n import Language, t

MAX_WEEKS = 99  # the profile's readers take one or two digits of weeks ("25주 안에"); later is not a plan's deadline

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = (
    r"(?<!\w)(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![\w-])\.?"
)
_EN = re.compile(
    r"(?:\b(by|before|until|till|through|on|in|for|due|deadline(?: is)?)\s+)?"
    r"(?:(?:the\s+)?(end|middle|start|beginning)\s+of\s+|(mid|early|late)[\s-]?)?"
    r"(?:" + _DAY + r"\s+(?:of\s+)?)?" + _MONTH + r"(?:\s+" + _DAY + r"(?![\d:]))?(?:,?\s+(20\d\d)\b)?",
    re.IGNORECASE,
)
# "by June" needs no other word; "on March 3" or "in June" is a deadline only when the message speaks of one
_EN_CUES = frozenset({"by", "before", "until", "till", "through", "due", "deadline", "deadline is"})
_EN_DEADLINE_WORDS = re.compile(
    r"\b(?:launch(?:es|ing)?|release|releasing|ship(?:s|ping)?|go(?:es|ing)? live|go-live|deadline|due|event|"
    r"opening|opens|sale|campaign|target|goal|aim(?:ing)?|ready)\b",
    re.IGNORECASE,
)
_KO = re.compile(
    r"(?:(20\d\d)\s*년\s*|(내년)\s*)?(?<!\d)(\d{1,2})\s*월(?:\s*(\d{1,2})\s*일|\s*(말|초|중순|하순|초순))?"
    r"(?:\s*(까지|전에|전|이전|안에|내에|내))?"
)
_KO_DEADLINE_WORDS = re.compile(r"출시|오픈|런칭|론칭|마감|데드라인|목표|이벤트|행사|배포|릴리스|세일|까지")
# "3월에 출시했어요": a verb in the past tense right after the date says what happened, not a deadline
_KO_PAST = re.compile(r"[^.!?\n]{0,12}?(?:했|었|였|됐|났)(?:어요|습니다|다|어|고|는데|지만|던)")


@dataclass(frozen=True)
class StatedDate:
    """A calendar deadline read from a message: the day it resolves to, and the words it was read from."""

    day: date
    phrase: str
    start: int = 0  # where the phrase is in the message
    end: int = 0

    def weeks_from(self, today: date) -> int:
        """Whole weeks from `today` (at least one: a deadline days away still plans a week)."""
        return max(1, round((self.day - today).days / 7))

    def in_reach(self, today: date) -> bool:
        """After `today`, and near enough for the profile's readers to say in weeks."""
        return self.day > today and self.weeks_from(today) <= MAX_WEEKS


def deadline_on(text: str, today: date) -> StatedDate | None:
    """The first calendar deadline the text states, resolved against `today` (the message's day); None when
    it states none. A date in the past is returned as such (with its year), for the caller to refuse."""
    return _english(text, today) or _korean(text, today)


def _english(text: str, today: date) -> StatedDate | None:
    for found in _EN.finditer(text):
        cue, part, early_late, day_before, month_word, day_after, year = found.groups()
        if month_word == "may":  # the verb ("we may need"): May the month is written with a capital
            continue
        if (cue or "").lower() not in _EN_CUES and not _EN_DEADLINE_WORDS.search(text):
            continue
        month = _MONTHS[month_word[:3].lower()]
        day_text = day_before or day_after
        where = (part or early_late or "").lower()
        if day_text is not None:
            where = ""
        resolved = _resolve(today, month, int(day_text) if day_text else None, int(year) if year else None, where)
        if resolved is not None:
            return StatedDate(resolved, found.group(0).strip(), found.start(), found.end())
    return None


def _korean(text: str, today: date) -> StatedDate | None:
    for found in _KO.finditer(text):
        year_text, next_year, month_text, day_text, part, cue = found.groups()
        if cue is None and (not _KO_DEADLINE_WORDS.search(text) or _KO_PAST.match(text, found.end())):
            continue
        where = {"말": "end", "하순": "end", "중순": "middle", "초": "start", "초순": "start"}.get(part or "", "")
        year = int(year_text) if year_text else today.year + 1 if next_year else None
        resolved = _resolve(today, int(month_text), int(day_text) if day_text else None, year, where)
        if resolved is not None:
            return StatedDate(resolved, found.group(0).strip(), found.start(), found.end())
    return None


def _resolve(today: date, month: int, day: int | None, year: int | None, where: str) -> date | None:
    """The day meant: this year's unless it has passed (then next year's), or the year written."""
    if not 1 <= month <= 12:
        return None

    def on(in_year: int) -> date | None:
        last = calendar.monthrange(in_year, month)[1]
        if day is not None:
            return date(in_year, month, day) if 1 <= day <= last else None
        if where in ("end", "late"):
            return date(in_year, month, last)
        if where in ("middle", "mid"):
            return date(in_year, month, 15)
        if where in ("start", "beginning", "early") or (in_year, month) != (today.year, today.month):
            return date(in_year, month, 1)
        return date(in_year, month, last)  # "by December" written in December: this month's end

    if year is not None:
        return on(year)
    resolved = on(today.year)
    if resolved is not None and resolved <= today:
        resolved = on(today.year + 1)
    return resolved


def label(day: date, lang: Language) -> str:
    """The day as a reader writes it: "June 1, 2027" / "2027년 6월 1일"."""
    month = MONTH_NAMES[day.month - 1] if lang == "en" else str(day.month)
    return t(lang, "{month} {day}, {year}", month=month, day=day.day, year=day.year)


def profile_phrase(weeks: int, lang: Language) -> str:
    """How the answers say the deadline, in the words the profile's reader (traffic.deadline_in) reads back."""
    return t(lang, "deadline in {weeks} weeks", weeks=weeks)
