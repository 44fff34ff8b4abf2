"""Answering a question about a roadmap from the roadmap's own figures: which items it is about, and why the
plan orders them as it does. Offline and deterministic, like the rules engine, so every sentence can be traced
to an item's stage, dependencies or benefit/cost score."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.reading.messages import numbers_in
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.schema import STAGE_NAMES, ItemStatus, Roadmap, RoadmapItem

MAX_ITEMS = 3  # a thread answer, not a second roadmap
# A question is read from its first 4,000 characters: a Slack message can be ten times longer, and what a question
# is about is said well before that. Every pattern below runs in time linear in the text (no two quantifiers that
# can take the same characters side by side), so the cap bounds the work per question, not a blow-up.
MAX_QUESTION_CHARS = 4_000
_ITEM_ID = re.compile(r"(?<![\d.])([1-3]\.[1-9]\d{0,2})(?![\d.]?\d)")
_WORD = re.compile(r"[^\W\d_][\w-]{3,}")  # words of four letters or more: "cache", "replicas", "세션을"
_ORDER = re.compile(r"\b(before|after|first|earlier|later|order|priority|instead)\b|먼저|전에|다음에|나중에|순서|우선")
_COMMON = frozenset(  # words that name no item
    re.findall(
        r"\w+",
        """what when where which with without this that these those there their about does should would could have
        from into your ours than then them they item items stage stages roadmap plan""",
    )
)


@dataclass(frozen=True)
class Ordering:
    """Why `first` comes before `then` in the plan."""

    first: RoadmapItem
    then: RoadmapItem
    reason: str


@dataclass(frozen=True)
class Answer:
    items: list[RoadmapItem]  # what the question is about, in the order it names them
    statuses: Mapping[str, ItemStatus]
    ordering: Ordering | None
    open_now: list[RoadmapItem]  # when nothing matched: the open items of the earliest unfinished stage


def answer(roadmap: Roadmap, statuses: Mapping[str, ItemStatus], question: str) -> Answer:
    question = question[:MAX_QUESTION_CHARS]
    items = referenced_items(roadmap, question)
    ordering = order_of(items[0], items[1]) if len(items) >= 2 and _ORDER.search(question.lower()) else None
    open_now: list[RoadmapItem] = []
    if not items:
        for stage in roadmap.stages:
            open_now = [i for i in stage.items if ItemStatus(statuses.get(i.id, ItemStatus.TODO)).is_open]
            if open_now:
                break
    return Answer(items, statuses, ordering, open_now)


def referenced_items(roadmap: Roadmap, question: str) -> list[RoadmapItem]:
    """Items named by id ("1.2"); failing that, by their subject ("read replicas", "indexes", "캐시").

    A word that fits many items ("read") says less than one that fits a single item ("replicas"): each word
    counts 1/(items it fits), and an item needs half a point, so a question names the few items it is about.
    Only the first MAX_QUESTION_CHARS characters are read.
    """
    question = question[:MAX_QUESTION_CHARS]
    by_id = {item.id: item for item in roadmap.items()}
    named = [by_id[i] for i in dict.fromkeys(_ITEM_ID.findall(question)) if i in by_id]
    if named:
        return named[:MAX_ITEMS]
    lowered = question.lower()
    words = [w for w in dict.fromkeys(_WORD.findall(lowered)) if w not in _COMMON]
    patterns = {p.id: p for p in load_catalogue().patterns}
    terms: dict[str, dict[str, int]] = {}  # item id -> the question's terms it fits, with their positions
    for item in by_id.values():
        subject = f"{item.title} {item.pattern_id or ''}".lower()
        fits = {w: lowered.find(w) for w in words if w in subject}
        pattern = patterns.get(item.pattern_id or "")
        if pattern is not None:
            keywords = pattern.triggers.keywords
            fits |= {p: lowered.find(p) for p in find_phrases(question, keywords.en, keywords.ko)}
        if fits:
            terms[item.id] = fits
    spread = Counter(term for fits in terms.values() for term in fits)
    scored = [(sum(1 / spread[t] for t in fits), min(fits.values()), item_id) for item_id, fits in terms.items()]
    chosen = sorted((s for s in scored if s[0] >= 0.5), key=lambda s: -s[0])[:MAX_ITEMS]
    return [by_id[item_id] for _, _, item_id in sorted(chosen, key=lambda s: s[1])]  # as the question names them


def order_of(a: RoadmapItem, b: RoadmapItem) -> Ordering:
    """The plan's reason for the order of two items: dependency, then stage, then benefit/cost score."""
    first, then = (a, b) if _position(a) <= _position(b) else (b, a)
    if first.id in then.depends_on:
        reason = f"{then.id} builds on {first.id}: it is planned only once {first.id} is in place"
    elif first.stage != then.stage:
        reason = (
            f"{first.id} is in stage {first.stage} ({STAGE_NAMES[first.stage].lower()}) and {then.id} in stage "
            f"{then.stage} ({STAGE_NAMES[then.stage].lower()}): each stage is planned for the bottleneck that "
            "binds once the stages before it are done"
        )
    else:
        reason = (
            f"both are in stage {first.stage}, where items go by benefit/cost: {first.id} scores "
            f"{first.score:g}, {then.id} scores {then.score:g}"
        )
    if then.deferred:
        reason += f"; {then.id} is also held back ({then.deferred})"
    return Ordering(first, then, reason)


def _position(item: RoadmapItem) -> tuple[int, int]:
    stage, number = item.id.split(".")
    return int(stage), int(number)


# --- an AI answer's figures against the roadmap's ---------------------------------------------------------------

SMALL = 10  # "two items", "stage 3", "1.2": counts and ids, not figures


def roadmap_figures(roadmap: Roadmap) -> list[float]:
    """Every number the roadmap holds (a share 0.4 also as 40), in its fields and in its text."""
    found: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            found.append(float(value))
            if abs(value) <= 1:
                found.append(float(value) * 100)
        elif isinstance(value, str):
            found.extend(n.value for n in numbers_in(value) if any(c.isdigit() for c in value))
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner)

    walk(roadmap.model_dump(mode="json"))
    return sorted(set(found))


def unknown_figures(answer: str, known: list[float]) -> list[str]:
    """The figures an answer quotes that the roadmap does not hold, as written. A figure matches a number of the
    roadmap that rounds to it at the precision written ("16k" for 16,234; "73%" for 73.4); years and small
    counts are not figures."""
    unknown = []
    for number in numbers_in(answer[:MAX_QUESTION_CHARS]):
        written = answer[number.start : number.end]
        if abs(number.value) <= SMALL or (written.isdigit() and len(written) == 4 and 1900 <= number.value <= 2100):
            continue
        half = _half_unit(written, number.value)
        near = bisect_left(known, number.value - half)
        if near >= len(known) or known[near] > number.value + half:
            shown = _SHOWN.match(written)
            unknown.append(shown.group(0) if shown else written)
    return list(dict.fromkeys(unknown))


_SHOWN = re.compile(r"[^가-힣]*[천만억]*")  # "9,999이고" is shown as "9,999", "3만명" as "3만"
_LITERAL = re.compile(r"\d[\d,]*(?:\.(\d+))?")


def _half_unit(written: str, value: float) -> float:
    """Half the last written digit's worth: "1.2k" -> 50, "9,999" -> 0.5, "73" -> 0.5."""
    literal = _LITERAL.search(written)
    if literal is None:
        return 0.5
    plain = float(literal.group(0).replace(",", ""))
    scale = value / plain if plain else 1.0
    decimals = len(literal.group(1) or "")
    return 0.5 * 10.0**-decimals * scale
