"""What kind of system this is, read from the answers: workload kinds, stack, known events, named problems.

An experienced engineer picks levers by workload before looking at numbers: a ledger is never
cached, an ingest pipeline gets batching rather than replicas, a flash sale gets a waiting room.
This is that first reading, pure and deterministic, and it keeps the phrases each
conclusion came from so the roadmap can say "why I think so".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.roadmap import money
from bot.roadmap.reading.facts import ArchitectureFacts
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.schema import SystemProfile
from bot.roadmap.traffic import team_in
from bot.roadmap.workload.events import SPIKE, Event, read_event
from bot.roadmap.workload.kinds import KINDS, MIN_HITS, STRONG, Kind
from bot.roadmap.workload.problems import Problem, mentions, read_problems
from bot.roadmap.workload.stack import Stack, read_stack

# Team size and money: what a small team can run.
_TINY_TEAM_EN = (
    "two founders",
    "two-person",
    "one developer",
    "solo developer",
    "both part-time",
    "no ops experience",
    "single developer",
)
_TINY_TEAM_KO = ("창업자 2명", "1인 개발", "개발은 한 명", "개발자 1명", "혼자 개발")


_CONTENTION = (
    (
        "deadlock",
        "deadlocks",
        "lock wait",
        "lock waits",
        "hot row",
        "row lock",
        "serialization failure",
        "lock contention",
    ),
    ("데드락", "락 대기", "잠금 대기", "락 경합"),
)
_LARGEST = (
    ("largest instance", "largest we can buy", "largest size", "biggest instance", "cannot be a bigger box"),
    ("최대 사양", "가장 큰 인스턴스"),
)


# A stated write share of the database's load ("writes are about 70% of its load", "쓰기가 부하의 70%").
_WRITE_SHARE = re.compile(
    r"\bwrites?\s+(?:are|is|make up|account for)\s+(?:about\s+|roughly\s+|~)?(\d{2,3})\s?%\s+of\s+"
    r"(?:its|the|our|all|database|db)?\s*(?:load|work|time|cpu|traffic)"
    r"|쓰기(?:가|는)?\s*(?:부하|전체 부하|DB 부하)의\s*(?:약\s*)?(\d{2,3})\s?%",
    re.I,
)
# A stated share of anonymous readers ("95% of readers are anonymous", "독자의 95%가 비로그인", "익명 사용자 90%").
_ANONYMOUS_SHARE = re.compile(
    r"(\d{2,3})\s?%\s+of\s+(?:our\s+|the\s+)?(?:readers|visitors|users|traffic|page ?views|requests)\s+"
    r"(?:are|is|come)\s+(?:\w+\s+)?(?:anonymous|logged[- ]out|not logged in)"
    r"|(?:익명|비로그인)\s*(?:사용자|독자|방문자|트래픽)?(?:가|이|는)?\s*(?:약\s*)?(\d{2,3})\s?%"
    r"|(\d{2,3})\s?%\s*(?:가|는|이)?\s*(?:익명|비로그인)",
    re.I,
)


@dataclass(frozen=True)
class WorkloadReading:
    kinds: tuple[Kind, ...]
    stack: Stack
    event: Event | None
    problems: tuple[Problem, ...]
    tiny_team: bool
    budget_usd: float | None
    contention: bool = False  # lock waits, deadlocks, hot rows named: contention, not CPU
    at_largest_size: bool = False  # "the largest instance we can buy": no bigger box to move to
    team_size: int | None = None  # engineers, as the constraints say ("Four backend engineers", "개발자 5명")
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    anonymous_share: float | None = None  # "95% of readers are anonymous": the share an edge cache can serve
    write_share: float | None = None  # "writes are about 70% of its load": what no read-side cut touches

    def has(self, kind: str) -> bool:
        return any(k.id == kind for k in self.kinds)

    @property
    def kind_ids(self) -> frozenset[str]:
        return frozenset(k.id for k in self.kinds)


def _team_size(constraints: str) -> int | None:
    """The engineer count in the constraints (the team, not one of its sub-teams): traffic.py reads it."""
    found = team_in(constraints)
    return found[0] if found else None


def _budget_usd(profile: SystemProfile) -> float | None:
    amount = profile.budget.monthly_amount
    if amount is None or not money.supported(profile.budget.currency):
        return None
    return money.to_usd(amount, profile.budget.currency)


def read_workload(profile: SystemProfile, facts: ArchitectureFacts | None = None) -> WorkloadReading:
    """The kinds this system is (several at once is normal), with the phrases each came from."""
    arch = profile.architecture
    features = "\n".join(profile.core_features)
    text = "\n".join([features, arch.database, arch.servers, arch.network or "", profile.bottlenecks])
    constraints = profile.budget.constraints or ""
    kinds: list[Kind] = []
    evidence: dict[str, tuple[str, ...]] = {}
    for kind_id, (label, english, korean) in KINDS.items():
        if kind_id == "api-only":  # "no CDN (API only)": the negation belongs to the CDN, not to "API only"
            hits = tuple(p for p in (*english, *korean) if p.lower() in text.lower())
        else:
            hits = tuple(dict.fromkeys(find_phrases(text, english, korean)))
        if len(hits) < MIN_HITS.get(kind_id, 1) and not set(hits) & STRONG.get(kind_id, set()):
            hits = ()  # one passing word ("images", "inventory") does not make the kind
        if kind_id == "write-heavy" and not hits:
            share = _WRITE_SHARE.search(text)
            if share and int(share.group(1) or share.group(2)) >= 50:
                hits = (share.group(0),)  # "writes are about 70% of its load": the database is write-bound
        if kind_id == "spiky-reads" and hits and not SPIKE.search(text) and "spike" not in text.lower():
            hits = ()  # anonymous readers alone are not a spike
        if hits:
            kinds.append(Kind(kind_id, label, hits[:4]))
            evidence[kind_id] = hits
    budget = _budget_usd(profile)
    team = tuple(find_phrases(constraints, _TINY_TEAM_EN, _TINY_TEAM_KO))
    team_size = _team_size(constraints)
    # Read from who the team is, never from the budget alone: more budget must not change which levers fit.
    tiny = bool(team) or team_size == 1
    if tiny:
        why = team or (f"{team_size} engineer",)
        kinds.append(Kind("tiny-team", "tiny team (one or two people: keep it simple)", tuple(why)))
    event = read_event(f"{text}\n{constraints}")
    if event is not None and event.evidence:
        kinds.append(Kind("known-event", "known event or deadline (a peak you can prepare for)", event.evidence[:3]))
    return WorkloadReading(
        kinds=tuple(kinds),
        stack=read_stack(profile, facts),
        event=event,
        problems=read_problems(profile.bottlenecks),
        tiny_team=tiny,
        budget_usd=budget,
        contention=bool(mentions(profile.bottlenecks, *_CONTENTION)),
        team_size=team_size,
        at_largest_size=bool(mentions(f"{profile.bottlenecks}\n{arch.database}", *_LARGEST)),
        evidence=evidence,
        anonymous_share=_anonymous_share(profile.bottlenecks + "\n" + features),
        write_share=_write_share(text),
    )


def _write_share(text: str) -> float | None:
    """The share of the database's load the team says is writes (0.1-0.95), or None."""
    found = _WRITE_SHARE.search(text)
    if found is None:
        return None
    share = int(found.group(1) or found.group(2)) / 100
    return share if 0.1 <= share <= 0.95 else None


def _anonymous_share(text: str) -> float | None:
    """The share of readers the team says are anonymous (0.5-1.0), or None when not stated."""
    found = _ANONYMOUS_SHARE.search(text)
    if found is None:
        return None
    share = int(next(g for g in found.groups() if g)) / 100
    return share if 0.5 <= share <= 1.0 else None
