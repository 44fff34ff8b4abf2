"""A known event or deadline in the answers (a launch, a drop day, "in six weeks") and the spike it brings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.workload.problems import SENTENCE_SPLIT

# A known event: a date, a launch, or a recurring peak the team can prepare for.
_EVENT_EN = (
    "drop day",
    "next big drop",
    "launch",
    "launches",
    "black friday",
    "campaign",
    "daily reset",
    "opens at",
    "opening at",
    "at 10:00",
    "in six weeks",
    "in three months",
    "next month",
)
_EVENT_KO = (
    "오픈 시각",
    "오픈 때",
    "블랙프라이데이",
    "매일 점심",
    "매주",
    "신작 공개",
    "한 달 뒤",
    "개월 안에",
    "출시",
    "타임세일",
)
_DEADLINE = re.compile(
    r"(?:in|within)\s+(?:(\d+|one|two|three|four|five|six|eight)\s+(weeks?|months?))|(\d+|한|두|세)\s*(주|달|개월)\s*(?:뒤|후|안에|안)",
    re.I,
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "한": 1, "두": 2, "세": 3}
SPIKE = re.compile(r"(?<![\d.])(\d{1,4})\s*(?:x|×|배)(?![a-z])", re.I)
_SPIKE_WINDOW = re.compile(
    r"within\s+(?:a|one|two|three|five|ten|\d+)\s+(?:minutes?|seconds?)|in\s+(?:a|one)\s+minute|"
    r"(\d+)\s*분\s*(?:안에|동안|만에|내)",
    re.I,
)


@dataclass(frozen=True)
class Event:
    """A known event or deadline; `spike` is the stated multiplier and `window` how fast it comes."""

    evidence: tuple[str, ...]
    weeks_away: float | None = None
    spike: float | None = None
    window: str | None = None


def read_event(text: str) -> Event | None:
    evidence = list(dict.fromkeys(find_phrases(text, _EVENT_EN, _EVENT_KO)))
    weeks: float | None = None
    for match in _DEADLINE.finditer(text):
        number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        count = int(number) if number.isdigit() else _WORD_NUMBERS.get(number.lower(), 1)
        per = 1.0 if unit.lower().startswith(("week", "주")) else 4.3
        weeks = min(weeks or 1e9, count * per)
        evidence.append(match.group(0).strip())
    spike, window = _spike(text)
    if not evidence and spike is None:
        return None
    return Event(tuple(dict.fromkeys(evidence)), weeks, spike, window)


def _spike(text: str) -> tuple[float | None, str | None]:
    """The stated spike ("60x within a minute", "1분 안에 50배"): the multiplier said with its window wins."""
    best: tuple[float | None, str | None] = (None, None)
    for sentence in SENTENCE_SPLIT.split(text):
        spikes = [int(m.group(1)) for m in SPIKE.finditer(sentence) if 2 <= int(m.group(1)) <= 1000]
        if not spikes:
            continue
        window = _SPIKE_WINDOW.search(sentence)
        if window is not None:
            return float(max(spikes)), window.group(0)
        if best[0] is None or max(spikes) > best[0]:
            best = (float(max(spikes)), None)
    return best
