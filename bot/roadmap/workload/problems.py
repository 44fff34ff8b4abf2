"""The problems the team named, one per sentence of the bottlenecks answer, each with its severity; and the
phrase finder that also hears a problem said as a lack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

# Problem severity, worst first: what an expert fixes before capacity.
Severity = Literal["correctness", "data-loss", "availability", "capacity", "latency", "cost"]
SEVERITY_ORDER: tuple[Severity, ...] = ("correctness", "data-loss", "availability", "capacity", "latency", "cost")
_SEVERITY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "correctness": (
        (
            "oversold",
            "oversell",
            "overselling",
            "charged twice",
            "double spend",
            "duplicate",
            "deducted twice",
            "stale balance",
            "overdraft",
            "not found right after",
            "booking not found",
            "sold more",
        ),
        ("초과 판매", "중복 예매", "중복 예약", "중복 결제", "두 명에게", "두 번"),
    ),
    "data-loss": (
        ("no backups", "backup", "backups", "restore", "lose everything", "disk dies", "wal archive"),
        ("백업", "복구", "데이터를 잃", "날아가"),
    ),
    "availability": (
        (
            "down",
            "502",
            "503",
            "504",
            "502s",
            "503s",
            "outage",
            "falls over",
            "time out",
            "times out",
            "timeout",
            "crawls",
            "reconnect",
        ),
        ("다운", "장애", "타임아웃", "멈춥", "고갈", "에러"),
    ),
    "cost": (("bill", "egress", "cost", "$"), ("비용",)),
    "latency": (("slow", "p95", "takes about", "seconds", " s "), ("느립", "느려", "초 이상", "걸립")),
}


SENTENCE_SPLIT = re.compile(r"(?<=[.!?。])\s+|\n+")


@lru_cache(maxsize=2048)
def _mention_regex(english: tuple[str, ...], korean: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    if english:
        words = sorted({w.lower() for w in english}, key=len, reverse=True)
        parts.append(r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])")
    if korean:
        parts.append("(?:" + "|".join(map(re.escape, sorted(set(korean), key=len, reverse=True))) + ")")
    return re.compile("|".join(parts)) if parts else None


def mentions(text: str, english: Iterable[str], korean: Iterable[str]) -> list[str]:
    """Phrases present in the text, negated or not: a problem is often said as a lack ("no backups", "백업이 없")."""
    lowered = text.lower()
    regex = _mention_regex(
        tuple(p for p in english if p.lower() in lowered), tuple(p for p in korean if p.lower() in lowered)
    )
    return [m.group(0) for m in regex.finditer(lowered)] if regex else []


@dataclass(frozen=True)
class Problem:
    """One named problem (a sentence of the bottlenecks answer) and how bad it is."""

    text: str
    severity: Severity
    order: int


def read_problems(bottlenecks: str) -> tuple[Problem, ...]:
    sentences = [s.strip(" -*•\t") for s in SENTENCE_SPLIT.split(bottlenecks)]
    found = []
    for order, sentence in enumerate(s for s in sentences if len(s) >= 8):
        severity: Severity = "capacity"
        levels: tuple[Severity, ...] = ("correctness", "data-loss", "availability", "cost", "latency")
        for level in levels:
            if mentions(sentence, *_SEVERITY_WORDS[level]):
                severity = level
                break
        found.append(Problem(sentence, severity, order))
    return tuple(found)
