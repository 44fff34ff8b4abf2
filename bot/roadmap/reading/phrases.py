"""Finding phrases in text: English on word boundaries, Korean as substrings, each hit negated or wanted or neither.

Negation and intent are read in bounded windows around a hit, so the cost per hit is constant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

MAX_PHRASE_TEXT = 40_000  # find_phrases: the longest text a Slack message can carry
# Negation may not cross a clause: "no replicas, Redis cache" keeps Redis. Every window is bounded
# (30 characters before, 24 after), and no two quantifiers side by side or nested can match the same
# character, so each test costs a constant.
_NEGATION_BEFORE = re.compile(
    r"(?:\bno|\bnot|\bnever|\bwithout|\black(?:ing|s)?|\bmissing|n't|\bdont|\bdoesnt|\bzero)"
    r"[^\S\n]+(?:[\w'/+-]+[^\S\n]+){0,3}$",
    re.I,
)
_NEGATION_AFTER = re.compile(
    r"^[^\w\n]{0,3}(?:\w{1,6}[^\S\n]){0,2}"
    r"(?:없|미사용|안 ?씀|안 ?쓰|안 ?함|미도입|미적용|미구축|사용 ?안|사용하지 ?않|쓰지 ?않|도입 ?안)"
    r"|^[^\S\n]{0,2}[:=-][^\S\n]{0,2}(?:none|no\b|n/a|0\b|not (?:used|yet|in place|set up))",
    re.I,
)
# A component the team wants or plans is not in place (nor said to be missing).
_WANTED_BEFORE = re.compile(
    r"(?:\bplan(?:s|ning|ned)? to|\bwill|\bwant(?:s)? to|\bwould like to|\bconsidering|\bevaluating|"
    r"\bthinking about|\blooking (?:at|into)|\bneed(?:s)? (?:to add )?an?|\bneed(?:s)?|\bshould (?:add|use))"
    r"[^\S\n]+(?:[\w'/+-]+[^\S\n]+){0,2}$",
    re.I,
)
_WANTED_AFTER = re.compile(
    r"^\W{0,3}(?:planned|soon|coming|later|next (?:quarter|month))|^\S{0,6}\s?(?:도입 ?예정|예정|검토|고려|계획|필요)",
    re.I,
)


@lru_cache(maxsize=4096)
def _phrase_regex(english: tuple[str, ...], korean: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation per phrase list, longest first: English on word boundaries, Korean as substrings."""
    parts = []
    words = sorted({p.lower() for p in english}, key=len, reverse=True)
    subwords = sorted({p.lower() for p in korean}, key=len, reverse=True)
    if words:
        # a Korean particle may follow an English name with no space ("CloudFront는", "Redis를")
        parts.append(r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![^\W\uac00-\ud7a3])")
    if subwords:
        parts.append("(?:" + "|".join(map(re.escape, subwords)) + ")")
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=4096)
def _lowered(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.lower() for p in phrases)


@dataclass(slots=True)
class _Hit:
    phrase: str
    start: int
    end: int
    negated: bool
    text: str = field(repr=False, compare=False)  # the lower-cased text searched

    @property
    def wanted(self) -> bool:
        """Planned or needed ("we plan to add Redis", "CDN 도입 예정"), so not in place."""
        return not self.negated and is_wanted(self.text, self.start, self.end)


def phrase_hits(lowered: str, english: Iterable[str], korean: Iterable[str]) -> Iterator[_Hit]:
    # A plain substring test first: most phrases are absent, and it is far cheaper than the regex.
    english = _lowered(english) if isinstance(english, tuple) else tuple(p.lower() for p in english)
    korean = _lowered(korean) if isinstance(korean, tuple) else tuple(p.lower() for p in korean)
    regex = _phrase_regex(tuple(p for p in english if p in lowered), tuple(p for p in korean if p in lowered))
    if regex is None:
        return
    for m in regex.finditer(lowered):
        yield _Hit(m.group(0), m.start(), m.end(), is_negated(lowered, m.start(), m.end()), lowered)


def find_phrases(text: str, english: Iterable[str], korean: Iterable[str]) -> list[str]:
    """Phrases present in the text (lower-cased) and not negated ("no CDN", "CDN 없음")."""
    lowered = text[:MAX_PHRASE_TEXT].lower()
    return [h.phrase for h in phrase_hits(lowered, english, korean) if not h.negated]


_NEGATION_CUES_BEFORE = re.compile(r"no|n't|never|without|lack|missing|dont|doesnt|zero")
_NEGATION_CUES_AFTER = re.compile(r"[없미안않:=-]")


def is_negated(text: str, start: int, end: int) -> bool:
    # Substring cues first: most phrases have no negation near them, and the cues cost far less than the regexes.
    before = text[max(0, start - 30) : start]
    if _NEGATION_CUES_BEFORE.search(before) and _NEGATION_BEFORE.search(before):
        return True
    after = text[end : end + 24]
    return bool(_NEGATION_CUES_AFTER.search(after) and _NEGATION_AFTER.search(after))


def is_wanted(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    after = text[end : end + 16]
    return bool(_WANTED_BEFORE.search(before) or _WANTED_AFTER.search(after))


FlatTable = tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[Any, ...]]]


def flatten(table: Mapping[Any, tuple[tuple[str, ...], tuple[str, ...]]]) -> FlatTable:
    """All phrases of a table at once, with the keys each belongs to: one search instead of one per key."""
    keys_of: dict[str, tuple[Any, ...]] = {}
    for key, (english, korean) in table.items():
        for phrase in dict.fromkeys(p.lower() for p in (*english, *korean)):
            keys_of[phrase] = (*keys_of.get(phrase, ()), key)
    english = tuple(dict.fromkeys(p.lower() for _, (words, _) in table.items() for p in words))
    korean = tuple(dict.fromkeys(p.lower() for _, (_, words) in table.items() for p in words))
    return english, korean, keys_of


def keyed_hits(lowered: str, flat: FlatTable, negated: bool = False) -> list[tuple[Any, _Hit]]:
    """(key, hit) for each phrase of the table in the text, in text order; negated hits only when asked."""
    english, korean, keys_of = flat
    return [
        (key, h) for h in phrase_hits(lowered, english, korean) if negated or not h.negated for key in keys_of[h.phrase]
    ]
