"""What the answers say about the traffic's shape and the team: open or closed arrivals, spikes,
lock contention, team size and deadline (English and Korean).

The capacity model needs these and the fact reader does not give them (yet), so they are read
here, defensively: a phrase we do not recognise leaves the stated default in place, and every
reading keeps the phrase it came from so the roadmap can show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.roadmap.numbers import ENGLISH_COUNT_PATTERN, KOREAN_NATIVE_NUMBERS, english_count
from bot.roadmap.schema import SystemProfile

# Arrivals that come from outside the system: a faster answer does not make more of them.
_OPEN_EN = (
    "payment",
    "payments",
    "card",
    "cards",
    "transaction",
    "transactions",
    "device",
    "devices",
    "sensor",
    "sensors",
    "iot",
    "telemetry",
    "ingest",
    "ingestion",
    "webhook",
    "webhooks",
    "events per second",
    "messages per second",
    "sale opens",
    "sale opening",
    "flash sale",
    "ticket",
    "tickets",
    "opens at",
    "drop at",
)
_OPEN_KO = ("결제", "기기", "센서", "디바이스", "웹훅", "타임세일", "선착순", "오픈 시각", "티켓")

_CONTENTION_EN = (
    "lock wait",
    "lock waits",
    "lock timeout",
    "lock timeouts",
    "lock contention",
    "row lock",
    "row locks",
    "hot row",
    "hot rows",
    "hot account",
    "hot accounts",
    "deadlock",
    "deadlocks",
    "serialization failure",
    "serialization failures",
    "serialisation failure",
    "serialisation failures",
    "could not serialize",
    "select for update",
    "for update",
    "oversell",
    "overselling",
    "oversold",
)
_CONTENTION_KO = ("락 대기", "락 경합", "데드락", "잠금 대기", "잠금 경합", "행 잠금", "핫 로우", "초과 판매", "경합")

_NUM = r"(\d{1,4}(?:\.\d+)?|a single|" + ENGLISH_COUNT_PATTERN + r"|a|an)"

_MULTIPLIER = re.compile(
    r"(?:(?<![\w.])x\s?(\d{1,5}(?:\.\d+)?)(?![\w.]))|(?:(?<![\w.])(\d{1,5}(?:\.\d+)?)\s?(?:x|×|times|-fold|fold|배)(?![a-z]))",
    re.I,
)
_DURATION = re.compile(
    r"(\d{1,4}(?:\.\d+)?|a|an|one|two|three|five|ten|the first|첫)\s*"
    r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|초|분|시간)(?![a-z])",
    re.I,
)
_SPIKE_WORDS = re.compile(
    r"spike|surge|burst|rush|flash|sale|opening|opens|launch|drop|stampede|급증|몰리|몰림|폭주|오픈|세일|이벤트",
    re.I,
)
_CLOCK_RANGE = re.compile(r"\b(\d{1,2}):(\d{2})\s*(?:~|–|-|to|부터)\s*(\d{1,2}):(\d{2})")
_SECONDS = {"s": 1, "se": 1, "mi": 60, "ho": 3600, "hr": 3600, "초": 1, "분": 60, "시": 3600}

_TEAM = re.compile(
    r"\b" + _NUM + r"\s+(?:full[- ]time\s+|senior\s+|junior\s+|backend\s+|back-end\s+|full[- ]stack\s+|software\s+|"
    r"platform\s+|devops\s+|sre\s+)*(?:engineers?|developers?|devs|founders|people|sres?)\b"
    r"|\b(?:backend |engineering |dev |development )?team of " + _NUM + r"\b",
    re.I,
)
_TEAM_KO = re.compile(
    r"(?:개발자|엔지니어|인력|팀원|창업자)\s*(\d{1,3}|한|두|세|네|다섯)\s*명|(\d{1,3})\s*명(?:이|의|이서|뿐)?\s*(?:개발|팀)"
    r"|개발은\s*(한|두|세|네)\s*명"
)
_BUILDERS = re.compile(r"engineer|developer|\bdevs?\b|sre|개발|엔지니어", re.I)
_OTHERS = re.compile(r"founder|people|창업자|인력|팀원", re.I)
_DEADLINE = re.compile(
    r"(?:in|within|before|by|next|deadline[^.\n]{0,20}?)\s+"
    + _NUM
    + r"\s+(weeks?|months?)\b|"
    + _NUM
    + r"\s+(weeks?|months?)\s+(?:away|from now|left|out)\b",
    re.I,
)
_DEADLINE_KO = re.compile(r"(\d{1,2}|한|두|세|네)\s*(주|개월|달)\s*(?:안에|내에|내|이내|뒤|후|남)")


@dataclass(frozen=True)
class Spike:
    """A burst the team described: `factor` times the normal arrival rate for `seconds`."""

    factor: float
    seconds: float | None  # None: the duration was not stated
    phrase: str


@dataclass(frozen=True)
class Traffic:
    open_phrases: tuple[str, ...] = ()
    contention_phrases: tuple[str, ...] = ()
    spike: Spike | None = None
    team_size: int | None = None
    team_phrase: str | None = None
    deadline_weeks: float | None = None
    deadline_phrase: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return bool(self.open_phrases)

    @property
    def contention(self) -> bool:
        return bool(self.contention_phrases)


def _number(token: str) -> float:
    token = token.lower().strip()
    try:
        return float(token)
    except ValueError:
        # "a", "an", "a single", "the first", "첫": one
        return float(english_count(token) or KOREAN_NATIVE_NUMBERS.get(token) or 1)


@lru_cache(maxsize=64)
def _phrases_regex(english: tuple[str, ...], korean: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted(english, key=len, reverse=True)
    ko = sorted(korean, key=len, reverse=True)
    return re.compile(
        r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])|(?:" + "|".join(map(re.escape, ko)) + ")",
        re.I,
    )


_NEGATED = re.compile(r"(?:\bno|\bnot|\bnever|\bwithout)\W+(?:\w+\W+){0,2}$", re.I)


def _find(text: str, english: tuple[str, ...], korean: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for match in _phrases_regex(english, korean).finditer(text):
        if not _NEGATED.search(text[max(0, match.start() - 30) : match.start()]):
            found.append(match.group(0).lower())
    return tuple(dict.fromkeys(found))


def _spike(text: str) -> Spike | None:
    best: Spike | None = None
    for match in _MULTIPLIER.finditer(text):
        factor = float(match.group(1) or match.group(2))
        if not 2 <= factor <= 100_000:
            continue
        window = text[max(0, match.start() - 60) : match.end() + 60]
        duration = _DURATION.search(window)
        if duration is None and not _SPIKE_WORDS.search(window):
            continue
        seconds = None
        if duration is not None:
            unit = duration.group(2).lower()
            seconds = _number(duration.group(1)) * _SECONDS.get(unit[:2], _SECONDS.get(unit[:1], 60))
        else:
            clock = _CLOCK_RANGE.search(window)  # "11:30~12:30": the rush lasts as long as the window it names
            if clock is not None:
                start = int(clock.group(1)) * 60 + int(clock.group(2))
                end = int(clock.group(3)) * 60 + int(clock.group(4))
                if end > start:
                    seconds = float((end - start) * 60)
        phrase = text[max(0, match.start() - 40) : match.end() + 40].strip().replace("\n", " ")
        if best is None or factor > best.factor:
            best = Spike(factor=factor, seconds=seconds, phrase=phrase)
    return best


def team_in(text: str) -> tuple[int, str] | None:
    """(engineers, the phrase) for "4 backend engineers", "twenty-five engineers", "team of four", "개발자 3명".

    The largest count written is the team ("Sixty engineers in eight teams, a platform team of six": 60), and
    a count of the people who build it wins over founders or people ("창업자 2명, 개발은 한 명이 전담": 1).
    """
    found: list[tuple[bool, int, str]] = []
    for match in (*_TEAM.finditer(text), *_TEAM_KO.finditer(text)):
        word = next(g for g in match.groups() if g)
        phrase = match.group(0)
        builders = bool(_BUILDERS.search(phrase)) and not _OTHERS.search(phrase)
        found.append((builders, int(_number(word)), phrase))
    best = max(found, key=lambda f: (f[0], f[1]), default=None)
    return (best[1], best[2]) if best is not None and best[1] > 0 else None


_VOLUME = r"(\d{1,4}(?:[.,]\d{1,3})?)\s*(pb|tb|gb)\b"
_EGRESS_EN = re.compile(
    _VOLUME + r"[^.\n]{0,40}?(?:a|per|each|/)\s?(?:month|mo)\b"
    r"|(?:monthly|a month|per month)[^.\n\d]{0,30}?" + _VOLUME,
    re.I,
)
_EGRESS_KO = re.compile(r"(?:월|한 ?달에?)\s*(?:약\s*)?(\d{1,4}(?:\.\d{1,3})?)\s*(pb|tb|gb)", re.I)
_EGRESS_WORDS = re.compile(r"egress|bandwidth|transfer|traffic|serve|deliver|트래픽|전송|대역폭|나가", re.I)
_GB = {"gb": 1.0, "tb": 1_000.0, "pb": 1_000_000.0}


def monthly_egress_gb(text: str) -> float | None:
    """Bytes served a month as the team wrote them ("about 380 TB a month", "월 250TB"), in GB.

    Only in a sentence about traffic (egress, bandwidth, 트래픽): "storage grows 600 GB a month" is not served.
    """
    for sentence in re.split(r"(?<=[.!?\n])\s+", text):
        if not _EGRESS_WORDS.search(sentence):
            continue
        found = _EGRESS_EN.search(sentence) or _EGRESS_KO.search(sentence)
        if found:
            amount = next(g for g in found.groups()[0::2] if g)
            unit = next(g for g in found.groups()[1::2] if g)
            return float(amount.replace(",", "")) * _GB[unit.lower()]
    return None


# A link's speed as the team writes it: "1 Gbit/s uplink", "10Gbps NIC", "500 Mbit/s", "1 Gb/s 회선".
# (bits: "Gb/s" with a small b; "GB/s" is bytes and not a link)
_LINK = re.compile(r"(\d+(?:\.\d+)?)\s?([GgMm](?:bit/s|bps|b/s))(?![A-Za-z])")


def link_bps(text: str) -> float | None:
    """The first network link speed the answers state, in bits per second, or None."""
    found = _LINK.search(text)
    if found is None:
        return None
    scale = 1e9 if found.group(2).lower().startswith("g") else 1e6
    return float(found.group(1)) * scale


def deadline_in(text: str) -> tuple[float, str] | None:
    """(weeks, the phrase) for "within 2 months", "deadline in 6 weeks", "3개월 안에"."""
    match = _DEADLINE.search(text)
    if match:
        amount = match.group(1) or match.group(3)
        unit = (match.group(2) or match.group(4)).lower()
        return _number(amount) * (4.3 if unit.startswith("month") else 1.0), match.group(0)
    match_ko = _DEADLINE_KO.search(text)
    if match_ko:
        return _number(match_ko.group(1)) * (1.0 if match_ko.group(2) == "주" else 4.3), match_ko.group(0)
    return None


def read_traffic(profile: SystemProfile) -> Traffic:
    """The traffic's shape and the team's means, as far as the free text says them."""
    features = "\n".join(profile.core_features)
    constraints = profile.budget.constraints or ""
    symptoms = profile.bottlenecks
    everything = "\n".join([features, symptoms, constraints, profile.architecture.servers])
    open_phrases = _find(everything, _OPEN_EN, _OPEN_KO)
    contention = _find(symptoms, _CONTENTION_EN, _CONTENTION_KO)
    spike = _spike("\n".join([symptoms, features, constraints]))
    team = team_in(constraints) or team_in(everything)
    deadline = deadline_in(constraints) or deadline_in(symptoms)
    return Traffic(
        open_phrases=open_phrases,
        contention_phrases=contention,
        spike=spike,
        team_size=team[0] if team else None,
        team_phrase=team[1] if team else None,
        deadline_weeks=deadline[0] if deadline else None,
        deadline_phrase=deadline[1] if deadline else None,
    )
