"""Item status: buttons and thread replies ("done 1.2") change it; the stage message follows.

A click on a message that no longer shows the truth (someone else changed the item since, or
the roadmap has a newer version) never silently overwrites: the message is refreshed and the
person is told what happened.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from bot.i18n import Language
from bot.roadmap.schema import ItemStatus, RoadmapItem
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.nudges import NudgeService
from bot.services.ports import Publisher, RoadmapPost
from bot.services.roadmap_threads import latest_in_thread
from bot.services.schedule import MAX_COMMAND_CHARS, ScheduleError, parse_weekday
from storage import Database

log = logging.getLogger(__name__)

OutcomeKind = Literal["changed", "unchanged", "stale", "outdated_version"]


@dataclass(frozen=True)
class StatusOutcome:
    kind: OutcomeKind
    item_key: str
    title: str
    status: ItemStatus  # the status now
    previous: ItemStatus
    changed_by: str | None = None  # who set the current status (for "stale")
    changed_at: datetime | None = None
    latest_version: int | None = None  # for "outdated_version"


@dataclass(frozen=True)
class ItemDetails:
    item: RoadmapItem
    status: ItemStatus
    system_name: str
    language: Language = "en"  # the roadmap's


@dataclass(frozen=True)
class CommandResult:
    outcomes: list[StatusOutcome]
    unknown: list[str]  # ids that are not items of this roadmap
    language: Language = "en"  # the roadmap's, for the reply
    reason: str | None = None  # "skip 3.4 because ...": kept with each change


# Thread replies: a verb, then one or more item ids ("done 1.2", "start 1.3 1.4", "완료 2.1").
_VERBS: dict[str, ItemStatus] = {
    "done": ItemStatus.DONE,
    "finished": ItemStatus.DONE,
    "완료": ItemStatus.DONE,
    "start": ItemStatus.IN_PROGRESS,
    "started": ItemStatus.IN_PROGRESS,
    "doing": ItemStatus.IN_PROGRESS,
    "시작": ItemStatus.IN_PROGRESS,
    "진행": ItemStatus.IN_PROGRESS,
    "todo": ItemStatus.TODO,
    "reopen": ItemStatus.TODO,
    "ack": ItemStatus.ACKNOWLEDGED,
    "accept": ItemStatus.ACKNOWLEDGED,
    "wontdo": ItemStatus.ACKNOWLEDGED,
    "won't do": ItemStatus.ACKNOWLEDGED,
    "n/a": ItemStatus.NOT_APPLICABLE,
    "na": ItemStatus.NOT_APPLICABLE,
    "skip": ItemStatus.NOT_APPLICABLE,
    "해당없음": ItemStatus.NOT_APPLICABLE,
    "안함": ItemStatus.ACKNOWLEDGED,
}
_VERB_PATTERN = "|".join(sorted(map(re.escape, _VERBS), key=len, reverse=True))  # longest first: "started"
_ITEM_ID = r"[1-3]\.\d{1,3}"
# The grammar: [mention] verb [":"] id { [","] id } ["." | "!"], with whitespace anywhere between the parts, and
# matched in time linear in the text: whitespace runs are possessive (`\s*+`, never given back: what follows
# one never starts with whitespace), and no two quantifiers can take the same characters one after the other.
# (The previous pattern repeated `\s*,?\s*` in a group, so a run of spaces could be split between the two `\s*`
# in exponentially many ways: "done" followed by twelve "   1.2" and an "x" took 13 s to be rejected.) Between
# ids, the only overlap left is a digit that may end one id or start the next ("1.21.3"), and the "." that must
# follow an id's first digit settles it within four characters.
_COMMAND = re.compile(
    rf"\s*+(?:<@[A-Z0-9]+>\s*+)?({_VERB_PATTERN})\s*+(?::\s*+)?(?:,\s*+)?"
    rf"({_ITEM_ID}(?:\s*+(?:,\s*+)?{_ITEM_ID})*)\s*+(?:[.!]\s*+)?",
    re.IGNORECASE,
)
# Korean puts the verb last ("1.2 완료", "2.1, 2.2 시작"): the same parts in that order, linear for the same reasons.
_COMMAND_ID_FIRST = re.compile(
    rf"\s*+(?:<@[A-Z0-9]+>\s*+)?({_ITEM_ID}(?:\s*+(?:,\s*+)?{_ITEM_ID})*)\s*+({_VERB_PATTERN})"
    r"(?:[가-힣]{1,6})?\s*+(?:[.!]\s*+)?",  # a Korean ending ("완료했어요") is bounded: six syllables at most
    re.IGNORECASE,
)
# "skip 3.4 because we have no uploads": the same command, then a reason kept with the change (at most 500
# characters; the reason runs to the end, so nothing after it is parsed).
_REASONED = re.compile(
    rf"\s*+(?:<@[A-Z0-9]+>\s*+)?({_VERB_PATTERN})\s*+(?::\s*+)?"
    rf"({_ITEM_ID}(?:\s*+(?:,\s*+)?{_ITEM_ID})*)\s*+(?:because|since|as|왜냐하면|이유는?)[:\s]\s*+(\S.{{0,499}})",
    re.IGNORECASE | re.DOTALL,
)
_ITEM_IDS = re.compile(_ITEM_ID)


def _verb_status(word: str) -> ItemStatus:
    """The status a matched verb sets. The pattern matches case-insensitively as Unicode does ("ſkip" is
    "skip"), which `str.lower` does not always undo, so a miss in the table is looked up the pattern's way."""
    status = _VERBS.get(word.lower())
    if status is None:
        status = next(s for verb, s in _VERBS.items() if re.fullmatch(re.escape(verb), word, re.IGNORECASE))
    return status


def status_reason(text: str) -> str | None:
    """The reason given with a status command ("skip 3.4 because we have no uploads"), or None."""
    if len(text) > MAX_COMMAND_CHARS:
        return None
    match = _REASONED.fullmatch(text)
    return match.group(3).strip() if match else None


def parse_status_command(text: str) -> tuple[ItemStatus, list[str]] | None:
    """("done", ["1.2"]) from "done 1.2" or "1.2 완료"; None for ordinary discussion, and for any text longer
    than a command."""
    if len(text) > MAX_COMMAND_CHARS:
        return None
    match = _COMMAND.fullmatch(text) or _REASONED.fullmatch(text)
    if match:
        verb, listed = match.group(1), match.group(2)
    elif match := _COMMAND_ID_FIRST.fullmatch(text):
        listed, verb = match.group(1), match.group(2)
    else:
        return None
    ids = list(dict.fromkeys(_ITEM_IDS.findall(listed)))
    return _verb_status(verb), ids


# "assign 1.3 @kim", "assign 1.3, 1.4 to @kim", "1.3 담당 @kim": Slack writes the mention as <@U123> (or
# <@U123|name>). Linear for the same reasons as the status commands.
_MENTIONED = r"<@([UW][A-Z0-9]{1,31})(?:\|[^>]{0,80})?>"
_IDS = rf"({_ITEM_ID}(?:\s*+(?:,\s*+)?{_ITEM_ID})*)"
_ASSIGN = re.compile(
    rf"\s*+(?:<@[A-Z0-9]+>\s*+)?(?:assign|담당)\s++{_IDS}\s*+(?:to\s++)?{_MENTIONED}\s*+[.!]?\s*+", re.I
)
_ASSIGN_KO = re.compile(rf"\s*+(?:<@[A-Z0-9]+>\s*+)?{_IDS}\s*+담당(?:자)?\s*+:?\s*+{_MENTIONED}\s*+[.!]?\s*+")


def parse_assign(text: str) -> tuple[list[str], str] | None:
    """(["1.3"], "U123") from "assign 1.3 @kim" or "1.3 담당 @kim"; None for anything else."""
    if len(text) > MAX_COMMAND_CHARS:
        return None
    match = _ASSIGN.fullmatch(text) or _ASSIGN_KO.fullmatch(text)
    if not match:
        return None
    return list(dict.fromkeys(_ITEM_IDS.findall(match.group(1)))), match.group(2)


# "due 2.1 friday", "due 2.1 2026-12-20", "2.1 마감 금요일", "due 2.1 none" (clears it).
_DUE = re.compile(rf"\s*+(?:<@[A-Z0-9]+>\s*+)?due\s++{_IDS}\s++(\S{{1,12}})\s*+[.!]?\s*+", re.IGNORECASE)
_DUE_KO = re.compile(rf"\s*+(?:<@[A-Z0-9]+>\s*+)?{_IDS}\s*+마감\s*+:?\s*+(\S{{1,12}})\s*+[.!]?\s*+")
_NO_DATE = frozenset({"none", "clear", "없음", "취소"})


def parse_due(text: str, today: date) -> tuple[list[str], date | None] | None:
    """(["2.1"], the date) from "due 2.1 friday" (the next Friday, today included) or an ISO date; None when the
    text is not a due command. ScheduleError for a day that is neither."""
    if len(text) > MAX_COMMAND_CHARS:
        return None
    match = _DUE.fullmatch(text) or _DUE_KO.fullmatch(text)
    if not match:
        return None
    ids = list(dict.fromkeys(_ITEM_IDS.findall(match.group(1))))
    word = match.group(2).strip().lower()
    if word in _NO_DATE:
        return ids, None
    try:
        return ids, date.fromisoformat(word)
    except ValueError:
        weekday = parse_weekday(word)  # ScheduleError when it is not one
    return ids, today + timedelta(days=(weekday - today.weekday()) % 7)


@dataclass(frozen=True)
class DueDates:
    set: list[str]  # item ids whose due date changed
    unknown: list[str]
    due_on: date | None  # None: cleared
    language: Language = "en"
    problem: ScheduleError | None = None  # a day that is neither a weekday nor a date


@dataclass(frozen=True)
class Assignment:
    assigned: list[str]  # item ids now owned by the user
    unknown: list[str]  # ids that are not items of this roadmap
    owner: str
    language: Language = "en"


class ItemService:
    def __init__(self, database: Database, publisher: Publisher, nudges: NudgeService | None = None) -> None:
        self._db = database
        self._publisher = publisher
        self._nudges = nudges

    async def change_status(
        self,
        version_id: int,
        item_key: str,
        status: ItemStatus,
        *,
        actor: str,
        shown: ItemStatus | None = None,
        note: str | None = None,
    ) -> StatusOutcome:
        """Apply a status change; `shown` is what the clicked message displayed, to detect stale clicks."""
        async with self._db.unit_of_work() as repos:
            version = await repos.roadmaps.get_version(version_id)
            if version is None:
                raise LookupError(f"version {version_id} does not exist")
            item = await repos.items.get(version_id, item_key)
            if item is None:
                raise LookupError(f"item {item_key} is not in version {version_id}")
            latest = await repos.roadmaps.latest_version(version.roadmap_id)
            if latest is not None and latest.id != version_id:
                return StatusOutcome(
                    "outdated_version", item_key, item.title, item.status, item.status, latest_version=latest.version
                )
            current = item.status
            if shown is not None and current != shown:
                kind: OutcomeKind = "unchanged" if current == status else "stale"
                outcome = StatusOutcome(
                    kind, item_key, item.title, current, current, item.status_changed_by, item.status_changed_at
                )
            else:
                change = await repos.items.set_status(version_id, item_key, status, actor=actor, note=note)
                if status == ItemStatus.IN_PROGRESS and change.item.owner_user_id is None:
                    await repos.items.set_owner(version_id, item_key, actor)  # who starts it owns it
                kind = "changed" if change.changed else "unchanged"
                outcome = StatusOutcome(kind, item_key, item.title, status, change.previous, actor)
            stage, roadmap_id = item.stage, version.roadmap_id
        await self.refresh_stage(version_id, stage)
        if outcome.kind == "changed" and self._nudges is not None:
            await self._nudges.after_status_change(roadmap_id, now=datetime.now(UTC))
        return outcome

    async def details(self, version_id: int, item_key: str) -> ItemDetails:
        async with self._db.unit_of_work(readonly=True) as repos:
            version = await repos.roadmaps.get_version(version_id)
            content = version.roadmap_model if version else None
            item = content.item(item_key) if content else None
            row = await repos.items.get(version_id, item_key)
            if version is None or content is None or item is None or row is None:
                raise LookupError(f"item {item_key} is not in version {version_id}")
            return ItemDetails(item, row.status, content.system_name, content.language)

    async def refresh_stage(self, version_id: int, stage: int) -> None:
        """Re-render one stage's messages from the database (status is the truth there)."""
        async with self._db.unit_of_work(readonly=True) as repos:
            version = await repos.roadmaps.get_version(version_id)
            roadmap = await repos.roadmaps.get(version.roadmap_id) if version else None
            if version is None or roadmap is None or version.roadmap_model is None:
                return
            content = version.roadmap_model
            statuses = await repos.items.statuses(version_id)
            refs = {r.part: r.ts for r in await repos.messages.list(version_id, "stage") if r.stage == stage}
            channel_id, thread_ts = roadmap.channel_id, roadmap.thread_ts
        if not channel_id or not thread_ts or not refs:
            return

        async def record(kind: str, stage_no: int, part: int, ts: str) -> None:
            async with self._db.unit_of_work() as repos:
                await repos.messages.record(version_id, kind, channel_id, ts, stage=stage_no, part=part)

        try:
            existing = {("stage", stage, part): ts for part, ts in refs.items()}
            post = RoadmapPost(channel_id, thread_ts, content, version_id, statuses, existing, record, stage=stage)
            await self._publisher.publish_roadmap(post)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("could not refresh stage %s of version %s: %s", stage, version_id, exc)

    async def thread_due(self, channel_id: str, thread_ts: str, text: str, *, today: date) -> DueDates | None:
        """A "due 2.1 friday" reply in a roadmap thread: the day the weekly check-in shows for those items."""
        error: ScheduleError | None = None
        try:
            parsed = parse_due(text, today)
        except ScheduleError as problem:
            parsed, error = None, problem
        if parsed is None and error is None:
            return None
        async with self._db.unit_of_work() as repos:
            version = await latest_in_thread(repos, channel_id, thread_ts)
            if version is None:
                return None
            content = version.roadmap_model
            language = content.language if content is not None else "en"
            if error is not None or parsed is None:
                return DueDates([], [], None, language, error)
            ids, due_on = parsed
            known = {i.item_key for i in await repos.items.list(version.id)}
            for item_key in ids:
                if item_key in known:
                    await repos.items.set_due(version.id, item_key, due_on)
        return DueDates([i for i in ids if i in known], [i for i in ids if i not in known], due_on, language)

    async def thread_assign(self, channel_id: str, thread_ts: str, text: str) -> Assignment | None:
        """An "assign 1.3 @kim" reply in a roadmap thread: the owner the weekly nudge mentions for those items."""
        parsed = parse_assign(text)
        if parsed is None:
            return None
        ids, owner = parsed
        async with self._db.unit_of_work() as repos:
            version = await latest_in_thread(repos, channel_id, thread_ts)
            if version is None:
                return None
            known = {i.item_key for i in await repos.items.list(version.id)}
            for item_key in ids:
                if item_key in known:
                    await repos.items.set_owner(version.id, item_key, owner)
            content = version.roadmap_model
        language = content.language if content is not None else "en"
        return Assignment([i for i in ids if i in known], [i for i in ids if i not in known], owner, language)

    async def thread_command(self, channel_id: str, thread_ts: str, text: str, *, actor: str) -> CommandResult | None:
        """A "done 1.2" reply in a roadmap thread; None when the text is not a command or not our thread."""
        parsed = parse_status_command(text)
        if parsed is None:
            return None
        status, ids = parsed
        reason = status_reason(text)
        async with self._db.unit_of_work(readonly=True) as repos:
            version = await latest_in_thread(repos, channel_id, thread_ts)
            if version is None:
                return None
            version_id = version.id
            known = {i.item_key for i in await repos.items.list(version_id)}
            content = version.roadmap_model
        outcomes = [
            await self.change_status(version_id, item_key, status, actor=actor, note=reason)
            for item_key in ids
            if item_key in known
        ]
        language = content.language if content is not None else "en"
        return CommandResult(outcomes, [i for i in ids if i not in known], language, reason)
