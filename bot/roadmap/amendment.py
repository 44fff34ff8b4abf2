"""A thread message that corrects a fact of the profile ("the budget is now $2k/month", "목표 50만 명", "we already
run Redis", "DB CPU is 40% at peak now"), read with the questionnaire's own readers (facts, traffic, numbers) and
applied to a copy of the profile, so the team can confirm the change before a new version is made.

Two steps: `read_claims` reads the message alone (no profile; cheap enough for the request path to tell a
correction from a question), `amend` applies the claims to a profile and keeps only the changes that the same
readers read back from the amended profile. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from bot.i18n import t
from bot.roadmap import dates, traffic
from bot.roadmap.dates import StatedDate
from bot.roadmap.money import supported
from bot.roadmap.numbers import money
from bot.roadmap.reading.facts import ArchitectureFacts, Fact, StatedPrice
from bot.roadmap.reading.messages import WrittenNumber, amounts_in, numbers_in
from bot.roadmap.reading.reader import extract_facts, read_answers
from bot.roadmap.schema import MAX_USERS, SystemProfile

MIN_TARGET = 100  # a count beside a date below this is a day, a version or a team, not a goal in users
MAX_MESSAGE_CHARS = 1_000  # a correction is a sentence or two; a longer message is discussion and is not read here

# A question or a hypothesis ("what if the budget were $2k?") asks about a change; it does not make one.
_NOT_A_STATEMENT = re.compile(
    r"[?？]|\b(?:if|suppose|should|could|would|might)\b|만약|라면|다면|할까|을까|나요|ㄹ까|일까", re.IGNORECASE
)
_BUDGET = re.compile(r"\bbudget|예산", re.IGNORECASE)
_TARGET = re.compile(r"\b(?:target|goal|aim|aiming|reach)\b|목표", re.IGNORECASE)
_NOW = re.compile(r"\b(?:now|today|currently|these days)\b|현재|지금|이제|요즘", re.IGNORECASE)
_IN_PLACE = re.compile(
    r"\b(?:already|in place|now (?:run|use|have)|we(?:'ve| have)? (?:added|deployed|set up|moved to|switched to|"
    r"introduced|rolled out)|we (?:run|use|have))\b|이미|도입|쓰고|써요|씁니다|사용 ?중|사용하고|운영 ?중|붙였|"
    r"적용했|추가했|구축했|달았",
    re.IGNORECASE,
)
_RESOLVED = re.compile(
    r"\b(?:fixed|resolved|solved|gone|no longer|went away|sorted out)\b"
    r"|해결|고쳤|고쳐|사라졌|없어졌|잡았|안 ?나요|안 ?나와요",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w-]+")
_SENTENCE = re.compile(r"[^.;!?\n。]+[.;!?。]*")
_NOT_A_SUBJECT = frozenset(  # words of a "fixed" message that name no bottleneck
    re.findall(
        r"\S+",
        """the and was were is are has have had now our its that this with been got fixed resolved solved gone longer
        went away sorted out issue issues problem problems finally already today yesterday all any more slow slowness
        문제 문제는 문제가 이제 지금 해결 해결됐어요 해결했어요 해결됨 고쳤어요 완전히 드디어 더 이상""",
    )
)
_COUNT_AFTER = frozenset({"", "users", "user", "concurrent", "ccu", "people", "by", "in", "within", "until"})


@dataclass(frozen=True)
class Claims:
    """What one message states, read without the profile."""

    budget: StatedPrice | None = None
    target: int | None = None
    current: int | None = None
    team: tuple[int, str] | None = None
    deadline: tuple[float, str] | None = None
    dated: StatedDate | None = None  # a calendar deadline ("by June", "3월 3일 출시"), when no relative one is stated
    written_on: date | None = None  # the message's day, which `dated` is counted from
    components: tuple[tuple[Fact, str], ...] = ()  # (component, the phrase)
    utilisation: tuple[tuple[str, float, str], ...] = ()  # (tier, share, the phrase)
    resolved: tuple[str, ...] = ()  # the words of a message saying a problem is fixed

    @property
    def any(self) -> bool:
        return any(
            (
                self.budget,
                self.target,
                self.current,
                self.team,
                self.deadline,
                self.dated,
                self.components,
                self.utilisation,
            )
        ) or bool(self.resolved)


@dataclass(frozen=True)
class Change:
    """One fact changed: `before`/`after` are numbers or language-neutral text (money, a phrase)."""

    kind: str  # budget | target | current | team | deadline | component | utilisation | resolved | refused
    before: float | str | None
    after: float | str | None
    detail: str = ""  # the tier, the component, or why a change was refused


@dataclass(frozen=True)
class Amendment:
    changes: tuple[Change, ...]  # applied to `profile`
    refused: tuple[Change, ...]  # read but not applied, with the reason (said to the person)
    profile: SystemProfile


def read_claims(text: str, today: date | None = None) -> Claims:
    """The facts a message states. A question or a hypothesis states none; only the first
    MAX_MESSAGE_CHARS characters are read (each reader is linear in its input). With `today` (the message's day),
    a calendar deadline ("by June") is read too, counted from that day."""
    text = text[:MAX_MESSAGE_CHARS]
    if not text.strip() or _NOT_A_STATEMENT.search(text):
        return Claims()
    numbers = numbers_in(text) if any(c.isdigit() for c in text) else []
    budget = None
    if _BUDGET.search(text):
        amounts = [a for a in amounts_in(text) if supported(a.currency)]
        budget = amounts[-1] if amounts else None  # "from $8k to $2k": the last amount is the new one
    target = _target(text, numbers)
    current = None
    if target is None and _NOW.search(text) and numbers:
        current = read_answers(features=text).user_counts.get("concurrent")
    components: tuple[tuple[Fact, str], ...] = ()
    if _IN_PLACE.search(text):
        read = read_answers(servers=text)
        sources = {r.name: r.source for r in read.readings}
        components = tuple((f, sources.get(f"component:{f.value}", text)) for f in read.in_place)
    utilisation: tuple[tuple[str, float, str], ...] = ()
    if "%" in text or "퍼센트" in text or "percent" in text.lower():
        read = read_answers(bottlenecks=text)
        sources = {r.name: r.source for r in read.readings}
        shares = _shares(read)
        utilisation = tuple((tier, share, sources[f"utilisation:{tier}"]) for tier, share in shares.items())
    resolved: tuple[str, ...] = ()
    if _RESOLVED.search(text) and not utilisation:
        resolved = tuple(w for w in dict.fromkeys(_WORD.findall(text.lower())) if w not in _NOT_A_SUBJECT)
    deadline = traffic.deadline_in(text)
    dated = dates.deadline_on(text, today) if today is not None and deadline is None else None
    if target is None and dated is not None:  # "6월까지 50만", "500k by June": the count beside the date
        target = _target_beside(text, numbers, dated)
    return Claims(
        budget=budget,
        target=target,
        current=current,
        team=traffic.team_in(text),
        deadline=deadline,
        dated=dated,
        written_on=today if dated is not None else None,
        components=components,
        utilisation=utilisation,
        resolved=resolved,
    )


def _shares(read: ArchitectureFacts) -> dict[str, float]:
    """Utilisation per tier, the model's tiers and the others ("cache") alike."""
    shares = dict(read.other_utilisation)
    shares.update((str(tier), share) for tier, share in read.quoted_utilisation.items())
    return shares


def _target(text: str, numbers: list[WrittenNumber]) -> int | None:
    """The count named with "target"/"목표": the first one after the word, else the one just before it."""
    cue = _TARGET.search(text)
    if cue is None:
        return None
    counts = [n for n in numbers if _a_count(text, n)]
    after = [n for n in counts if cue.end() <= n.start <= cue.end() + 40]
    before = [n for n in counts if n.end <= cue.start() and cue.start() - n.end <= 12]
    chosen = after[0] if after else before[-1] if before else None
    if chosen is None or not 1 <= chosen.value <= MAX_USERS:
        return None
    return round(chosen.value)


def _target_beside(text: str, numbers: list[WrittenNumber], dated: StatedDate) -> int | None:
    """A count of people written right before or after a calendar deadline, as a goal is said with its date."""
    beside = [
        n for n in numbers if (0 <= n.start - dated.end <= 3 or 0 <= dated.start - n.end <= 3) and _a_count(text, n)
    ]
    if not beside or not MIN_TARGET <= beside[0].value <= MAX_USERS:
        return None
    return round(beside[0].value)


def _a_count(text: str, number: WrittenNumber) -> bool:
    """A number of people, not money, a share, a duration or a year."""
    if number.start > 0 and text[number.start - 1] in "$€£₩¥":
        return False
    if number.counter and not number.counter.startswith("명"):
        return False
    if not number.counter and number.next_word not in _COUNT_AFTER and not number.next_word.startswith("명"):
        return False
    written = text[number.start : number.end]
    return not (written.isdigit() and len(written) == 4 and 1900 <= number.value <= 2100)


def amend(profile: SystemProfile, claims: Claims) -> Amendment:
    """The profile with the claims applied; each change is kept only when the readers read it back."""
    data: dict[str, Any] = profile.model_dump(mode="json")
    changes: list[Change] = []
    refused: list[Change] = []
    if claims.budget is not None:
        _budget(profile, claims.budget, data, changes)
    if claims.target is not None and claims.target != profile.target_users:
        if claims.target <= profile.current_users:
            refused.append(Change("target", profile.current_users, claims.target, "not_above_current"))
        else:
            data["target_users"] = claims.target
            changes.append(Change("target", profile.target_users, claims.target))
    if claims.current is not None and claims.current != profile.current_users:
        if claims.current >= data["target_users"]:
            refused.append(Change("current", data["target_users"], claims.current, "not_below_target"))
        else:
            data["current_users"] = claims.current
            changes.append(Change("current", profile.current_users, claims.current))
    if claims.resolved:
        _resolved(profile, claims.resolved, data, changes)
    before = traffic.read_traffic(profile)
    if claims.team is not None and claims.team[0] != before.team_size:
        _constraint(data, before.team_phrase, claims.team[1])
        changes.append(Change("team", before.team_size, claims.team[0]))
    if claims.deadline is not None and claims.deadline[0] != before.deadline_weeks:
        _constraint(data, before.deadline_phrase, claims.deadline[1])
        changes.append(Change("deadline", before.deadline_weeks, round(claims.deadline[0], 1)))
    elif claims.dated is not None and claims.written_on is not None:
        _dated(profile, claims.dated, claims.written_on, before, data, changes, refused)
    read = extract_facts(profile)
    for fact, phrase in claims.components:
        if fact not in read.facts:
            data["architecture"]["servers"] = _joined(data["architecture"]["servers"], phrase)
            changes.append(Change("component", None, phrase, fact.value))
    sources = {r.name: r.source for r in read.readings}
    quoted = _shares(read)
    for tier, share, phrase in claims.utilisation:
        old = quoted.get(tier)
        if old == share:
            continue
        _replace_or_add(data, sources.get(f"utilisation:{tier}"), phrase)
        changes.append(Change("utilisation", old, share, tier))
    return _checked(profile, data, changes, refused)


def _budget(profile: SystemProfile, price: StatedPrice, data: dict[str, Any], changes: list[Change]) -> None:
    amount = Decimal(str(round(price.monthly, 2))).normalize()
    old = profile.budget
    if old.monthly_amount is not None and old.monthly_amount == amount and old.currency == price.currency:
        return
    data["budget"]["monthly_amount"] = str(amount)
    data["budget"]["currency"] = price.currency
    before = money(float(old.monthly_amount), old.currency) if old.monthly_amount is not None else None
    changes.append(Change("budget", before, money(float(amount), price.currency)))


def _dated(
    profile: SystemProfile,
    stated: StatedDate,
    today: date,
    before: traffic.Traffic,
    data: dict[str, Any],
    changes: list[Change],
    refused: list[Change],
) -> None:
    """A calendar deadline becomes weeks from the message's day, written as the answers' reader reads it; the day
    itself travels in `detail` so the question can name it. A day gone by, or too far to say in weeks, is refused."""
    day = stated.day.isoformat()
    if not stated.in_reach(today):
        refused.append(Change("deadline", before.deadline_weeks, day, "past" if stated.day <= today else "far"))
        return
    weeks = stated.weeks_from(today)
    if weeks == before.deadline_weeks:
        return
    _constraint(data, before.deadline_phrase, dates.profile_phrase(weeks, profile.language or "en"))
    changes.append(Change("deadline", before.deadline_weeks, float(weeks), day))


def _resolved(profile: SystemProfile, words: tuple[str, ...], data: dict[str, Any], changes: list[Change]) -> None:
    """Drop the bottleneck sentences the message names as fixed (a word in common; Korean by its stem)."""
    stems = [w[:2] if not w.isascii() else w for w in words if len(w) >= (2 if not w.isascii() else 4)]
    kept: list[str] = []
    for sentence in _SENTENCE.findall(profile.bottlenecks):
        lowered = sentence.lower()
        if stems and any(stem in lowered for stem in stems):
            changes.append(Change("resolved", sentence.strip(), None))
        else:
            kept.append(sentence.strip())
    if len(kept) < len(_SENTENCE.findall(profile.bottlenecks)):
        data["bottlenecks"] = " ".join(kept) or t(profile.language or "en", "No bottleneck left that we know of.")


def _constraint(data: dict[str, Any], old_phrase: str | None, new_phrase: str) -> None:
    """The constraints answer says the new phrase in place of the old one (read first, so it wins)."""
    budget = data["budget"]
    text = budget.get("constraints") or ""
    if old_phrase and old_phrase in text:
        budget["constraints"] = text.replace(old_phrase, new_phrase, 1)
    else:
        budget["constraints"] = f"{new_phrase}. {text}".strip()


def _replace_or_add(data: dict[str, Any], old_phrase: str | None, new_phrase: str) -> None:
    arch = data["architecture"]
    for holder, key in ((data, "bottlenecks"), (arch, "servers"), (arch, "database"), (arch, "network")):
        if old_phrase and old_phrase in (holder.get(key) or ""):
            holder[key] = holder[key].replace(old_phrase, new_phrase, 1)
            return
    data["bottlenecks"] = _joined(data["bottlenecks"], new_phrase)


def _joined(text: str, phrase: str) -> str:
    return f"{text.rstrip().rstrip('.')}. {phrase}."


def _checked(profile: SystemProfile, data: dict[str, Any], changes: list[Change], refused: list[Change]) -> Amendment:
    """The amended profile, when it is valid and the readers read each change back from it."""
    if not changes:
        return Amendment((), tuple(refused), profile)
    try:
        amended = SystemProfile.model_validate(data)
    except ValidationError:
        return Amendment((), (*refused, Change("refused", None, None, "too_long")), profile)
    after = traffic.read_traffic(amended)
    read = extract_facts(amended)
    quoted = _shares(read)
    kept: list[Change] = []
    for change in changes:
        if change.kind == "team":
            ok = after.team_size == change.after
        elif change.kind == "deadline":
            ok = after.deadline_weeks is not None and round(after.deadline_weeks, 1) == change.after
        elif change.kind == "component":
            ok = Fact(change.detail) in read.facts
        elif change.kind == "utilisation":
            ok = quoted.get(change.detail) == change.after
        else:  # budget, users and resolved sentences are set directly
            ok = True
        (kept if ok else refused).append(change if ok else Change(change.kind, change.before, change.after, "unread"))
    if len(kept) != len(changes):  # a change the readers do not read back is not made, and none half-made
        return Amendment((), tuple(refused), profile)
    return Amendment(tuple(kept), tuple(refused), amended)


def read_change(text: str, profile: SystemProfile) -> Amendment | None:
    """The amendment a message asks for, or None when it states no fact (or none that differs)."""
    claims = read_claims(text)
    if not claims.any:
        return None
    amendment = amend(profile, claims)
    return amendment if amendment.changes or amendment.refused else None
