"""The sources behind an item's figures as a reader sees them: in the roadmap's language, and in one numbered list.

The rules engine writes each source as "impact: <the catalogue's English text>"; a Korean roadmap shows the text the
catalogue keeps beside it (``sources`` in patterns_ko.yaml), written by a person, with the titles of cited works as
they are published. The compact list names the documents behind what an item does, a work cited twice by its
number; `details` shows every source whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from bot.i18n import N_, Language, t
from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.korean.catalogue import load_korean
from bot.roadmap.schema import RoadmapItem
from bot.roadmap.wording import shorten

# What each of an item's sources backs (rules/items.py writes "impact: ...", "cost: ..."), as the Sources list names it.
SOURCE_KINDS = {
    "impact": N_("impact"),
    "effort": N_("effort"),
    "cost": N_("cost"),
    "effects": N_("capacity effect"),
    "scaling": N_("scaling"),
    "capacity": N_("capacity model"),
}
KINDS = ("impact", "effort", "cost", "effects", "scaling")  # the catalogue's `sources` fields
# The capacity model's own source (rules.CAPACITY_SOURCE after "capacity: "), behind every capacity figure.
CAPACITY_MODEL = N_(
    "the operational laws (Denning and Buzen, 'The Operational Analysis of Queueing Network Models', 1978) and the "
    "Universal Scalability Law (Gunther, 'Guerrilla Capacity Planning', 2007)"
)
# Sources that cite documents for what an item does; the others are the basis of an estimate (with `details`).
CITED_KINDS = ("impact",)
COMPACT_SOURCE = 100  # characters of a source in the compact list: whole citations up to this, the rest with details
_SOURCE = re.compile(r"^(\w+): (.+)$", re.DOTALL)
_ESTIMATE = re.compile(r"(?:^|(?<=[.;]) )(?:Estimate|추정):")
# Between two citations: "; ", or a sentence's end before the next work ("... 70%. PostgreSQL docs, ...").
_CITATION = re.compile(r"; |(?<=[a-z0-9)'%다])\. (?=[A-Z\uac00-\ud7a3])")
_RESIZED = re.compile(r"^re-sized from (?:item (\d+\.\d+)|what you already run)$")
_WORK = 40  # a citation's work ("Case study '...' by ...") this long, cited again, is named by its number


@cache
def korean_texts() -> dict[str, str]:
    """Each English source text of the catalogue with the Korean written beside it (patterns_ko.yaml)."""
    korean = load_korean().patterns
    found: dict[str, str] = {}
    for pattern in load_catalogue().patterns:
        ko = korean.get(pattern.id)
        if ko is None or ko.sources is None:
            continue
        for kind in KINDS:
            english, text = getattr(pattern.sources, kind), getattr(ko.sources, kind)
            if english and text:
                found.setdefault(english, text)
    return found


def in_language(text: str, lang: Language) -> str:
    """A source's text in the reader's language: the catalogue's Korean, the model's from the catalogue of
    messages, else as written (an LLM engine's own sources)."""
    if lang != "ko":
        return text
    if text == CAPACITY_MODEL:
        return t(lang, CAPACITY_MODEL)
    return korean_texts().get(text, text)


def source_text(source: str, lang: Language) -> str:
    """One of an item's sources with what it backs in the reader's words ("효과: RFC 9111 ...")."""
    resized = _RESIZED.match(source)
    if resized:
        if resized.group(1):
            return t(lang, "re-sized from item {id}", id=resized.group(1))
        return t(lang, "re-sized from what you already run")
    found = _SOURCE.match(source)
    if found and found.group(1) in SOURCE_KINDS:
        return f"{t(lang, SOURCE_KINDS[found.group(1)])}: {in_language(found.group(2), lang)}"
    return source


def citations(text: str) -> list[str]:
    """The works a source cites, one each ("Gregg, 'The USE Method'"), with what each says of it."""
    return [part.strip().rstrip(".") for part in _CITATION.split(text) if part.strip()]


@dataclass
class SourceList:
    """The roadmap's one numbered Sources list, filled as items cite; a text cited twice keeps its number."""

    details: bool
    lang: Language
    numbers: dict[str, int] = field(default_factory=dict)
    works: dict[str, int] = field(default_factory=dict)  # a long work's name -> the number it is listed under
    model: str | None = None  # the capacity model's own source, when an item's figures come from it

    def cite(self, item: RoadmapItem) -> list[int]:
        cited: list[int] = []
        for entry in item.sources:
            text = self._entry(entry)
            if text is None:
                continue
            number = self.numbers.get(text) or self._add(text)
            if number not in cited:
                cited.append(number)
        return cited

    def _add(self, text: str) -> int:
        number = len(self.numbers) + 1
        self.numbers[text] = number
        if not self.details:
            work = _work(text)
            if work:
                self.works.setdefault(work, number)
        return number

    def _entry(self, source: str) -> str | None:
        """How the list shows one source: its kind and text (with `details`), else only the documents it cites."""
        if _RESIZED.match(source):
            return None  # the item says what it grows ("After: 1.2")
        found = _SOURCE.match(source)
        kind, text = (found.group(1), found.group(2)) if found and found.group(1) in SOURCE_KINDS else ("", source)
        if self.details:
            return source_text(source, self.lang)
        text = in_language(text, self.lang)
        if kind == "capacity":  # behind every capacity figure: cited once, under the list
            self.model = text
            return None
        if kind and kind not in CITED_KINDS:
            return None
        cited = _ESTIMATE.split(text, maxsplit=1)[0].strip()
        return _compact(cited) if cited else None  # the documents first; the rest with `details`

    def _line(self, text: str, number: int) -> str:
        """A compact entry whose work an earlier entry named: by that entry's number ("As in 1: ...")."""
        work = _work(text)
        first = self.works.get(work) if work else None
        if first is None or first == number:
            return f"{number}. {text}"
        claim = text[len(work) :].removeprefix(":").strip() if work else text
        return f"{number}. " + t(self.lang, "As in {n}: {claim}", n=first, claim=claim)

    def lines(self) -> list[str]:
        if not self.numbers and self.model is None:
            return []
        lines = [f"## {t(self.lang, 'Sources')}", ""]
        lines += [self._line(text, n) for text, n in self.numbers.items()]
        if self.model is not None:
            lines += ["", t(self.lang, "Capacity figures: {source}.", source=self.model.rstrip("."))]
        return [*lines, ""]


def _compact(text: str) -> str:
    """Whole citations up to COMPACT_SOURCE characters (the first one always, cut at a word's end if it is long)."""
    parts = citations(text)
    kept = [parts[0]]
    for part in parts[1:]:
        if len("; ".join([*kept, part])) > COMPACT_SOURCE:
            break
        kept.append(part)
    return shorten("; ".join(kept), COMPACT_SOURCE + 40)


def _work(text: str) -> str | None:
    """The cited work a compact entry opens with, when it says something of it ("Case study '...' by X: ...")."""
    head, sep, _claim = text.partition(": ")
    return head if sep and len(head) >= _WORK and "; " not in head else None
