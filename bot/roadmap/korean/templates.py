"""A text swapped for its Korean only when it is exactly an English template filled in, each fill-in known.

The fill-ins are read back from the text itself, so a swap is never a wrong translation; an unknown text
stays English.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from functools import cache

from bot.roadmap.korean.values import ValueKo, engine_value
from bot.roadmap.korean.words import UNIT_COUNTERS

RELATIVE = re.compile(r"(\d+)x today's")


@cache
def template_regex(template: str) -> re.Pattern[str]:
    """A regex matching `template` filled in with any values; a name used twice must get the same value."""
    parts: list[str] = []
    seen: set[str] = set()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is None:
            continue
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
    return re.compile("".join(parts), re.DOTALL)


def _translate(text: str, english: str, korean: str, value_ko: ValueKo) -> str | None:
    """`korean` filled in as `english` was filled in to give `text`; None when `text` is not that template."""
    found = fill_in(text, english, korean, value_ko, prefix=False)
    return found[0] if found else None


def fill_in(text: str, english: str, korean: str, value_ko: ValueKo, prefix: bool) -> tuple[str, int] | None:
    """The Korean filled in, and where the English template ended in `text` (with `prefix`, `text` may go on
    after a space); None when `text` does not start with (or is not) the template or a fill-in is unknown."""
    matcher = template_regex(english)
    found = _prefix_match(matcher, text) if prefix else matcher.fullmatch(text)
    if found is None:
        return None
    values = found.groupdict()
    fields: dict[str, str] = {}
    for name, value in values.items():
        ko = value_ko(name, value)
        if ko is None:
            return None
        fields[name] = ko
    if "label" in fields:  # engine sentences about units: the counter goes with the unit
        fields["c"] = UNIT_COUNTERS[fields["label"]]
    template = korean
    relative = RELATIVE.fullmatch(values.get("units") or "") is not None
    for name in ("units", "units_from"):
        if name not in fields:
            continue
        if values[name] == "":  # no size given: "여러 대", "여러 개"
            template = re.sub(r"\{" + name + r"\}(대|개|노드)", r"여러 \1", template)
        elif relative:  # "현재의 3배로", not "현재의 3배대로"
            if name == "units_from" and fields[name].isdigit():
                fields[name] = f"현재의 {fields[name]}배"
            template = re.sub(r"\{" + name + r"\}(대|개|노드)", "{" + name + "}", template)
    try:
        filled = template.format(**fields)
    except (KeyError, IndexError):
        return None  # the Korean names a field the English does not: keep the English
    return filled, found.end()


def _prefix_match(matcher: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The template at the start of `text`, ending where the text ends or a space follows (the shortest such)."""
    return re.compile(matcher.pattern + r"(?=\s|\Z)", re.DOTALL).match(text)


def translate_sentences(text: str, table: Sequence[tuple[str, str]], value_ko: ValueKo | None = None) -> str:
    """The engine's sentences (`table`) at the start of `text` in Korean, as far as they run; from the first
    sentence it does not know on, `text` is kept as it is. A quote may hold quotes of its own, so every place a
    sentence could end is tried, and the reading that translates the most is kept."""
    ends = [i for i, c in enumerate(text) if c == " "] + [len(text)]
    memo: dict[int, tuple[list[str], int]] = {}

    def from_(start: int) -> tuple[list[str], int]:  # the Korean sentences, and where the unknown rest starts
        if start not in memo:
            best: tuple[list[str], int] = ([], start)
            for english, korean in table:
                if not text.startswith(english.split("{", 1)[0], start):
                    continue
                for end in (e for e in ends if e > start):
                    sentence = _translate(text[start:end], english, korean, value_ko or engine_value)
                    if sentence is None:
                        continue
                    rest, stop = from_(min(end + 1, len(text)))
                    if stop > best[1]:
                        best = ([sentence, *rest], stop)
            memo[start] = best
        return memo[start]

    sentences, stop = from_(0)
    return " ".join([*sentences, text[stop:]] if text[stop:] else sentences)


def translate_one(text: str, pairs: Sequence[tuple[str, str]], value_ko: ValueKo) -> str | None:
    return next((t for en, ko in pairs if (t := _translate(text, en, ko, value_ko)) is not None), None)


def translate_lines(
    items: list[str], options: Sequence[Sequence[tuple[str, str]]], value_ko: ValueKo
) -> list[str] | None:
    """A list of steps or checks in Korean when it is, line for line, one variant's English; else None."""
    for pairs in options:
        if len(pairs) != len(items):
            continue
        translated = [_translate(text, en, ko, value_ko) for text, (en, ko) in zip(items, pairs, strict=True)]
        if all(t is not None for t in translated):
            return [t for t in translated if t is not None]
    return None
