"""Numbers on tokens as people write them: scales ("1.2k", "3만"), Korean counters ("두 대") and ranges ("3-5")."""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap.numbers import (
    ENGLISH_NUMBER_WORDS,
    GLUED_SCALES,
    KOREAN_NATIVE_NUMBERS,
    WORD_SCALES,
    korean_scale,
    plain_number,
)
from bot.roadmap.reading.tokens import Token


@dataclass(slots=True)
class Number:
    value: float
    low: float | None  # a range "3-5": low 3, value 5
    start: int
    end: int  # index of the first token after the number
    counter: str  # Korean counter written after it: 대, 개, 명 ...
    word: bool  # written as a word ("two", "두")


_COUNTERS = ("대", "개", "명", "기", "곳", "ea")
_RANGE_JOINERS = frozenset({"-", "~", "to", "or"})


def number_at(toks: list[Token], i: int) -> Number | None:
    """The number starting at token i with its scale ("1.2k", "3만", "1억 2천만") and Korean counter."""
    memo = getattr(toks, "numbers", None)
    if memo is None:
        return _read_number(toks, i)
    if i not in memo:
        memo[i] = _read_number(toks, i)
    return memo[i]


def _read_number(toks: list[Token], i: int) -> Number | None:
    tok = toks[i]
    n = len(toks)
    if tok.kind == "num":
        value = plain_number(tok.text)
        if value is None:
            return None
        j = i + 1
        counter = ""
        if j < n and toks[j].kind == "id" and toks[j].glued and toks[j].low in GLUED_SCALES:
            value *= GLUED_SCALES[toks[j].low]
            j += 1
        elif j < n and toks[j].kind == "id" and toks[j].low in WORD_SCALES:
            value *= WORD_SCALES[toks[j].low]
            j += 1
        elif j < n and toks[j].kind == "kw" and toks[j].glued:
            scale, rest = korean_scale(toks[j].text)
            value *= scale
            counter = rest
            j += 1
            # "3만 5천", "1억 2천만": a smaller place value may follow a 만 or 억.
            if scale >= 1e4 and not rest and j + 1 < n and toks[j].kind == "num" and toks[j + 1].kind == "kw":
                more = plain_number(toks[j].text)
                small, rest2 = korean_scale(toks[j + 1].text)
                if more is not None and 1 < small < scale and toks[j + 1].glued:
                    value += more * small
                    counter = rest2
                    j += 2
        if (
            not counter
            and j < n
            and toks[j].kind == "kw"
            and toks[j].text.startswith(_COUNTERS)
            and len(toks[j].text) <= 3
        ):
            counter = toks[j].text
            j += 1
        return Number(value, None, i, j, counter, False)
    if tok.kind == "id" and tok.low in ENGLISH_NUMBER_WORDS:
        j = i + 1
        if tok.low in ("couple", "pair") and j < n and toks[j].low == "of":
            j += 1
        return Number(float(ENGLISH_NUMBER_WORDS[tok.low]), None, i, j, "", True)
    if tok.kind == "kw":
        if tok.text in KOREAN_NATIVE_NUMBERS and i + 1 < n and toks[i + 1].text.startswith(_COUNTERS[:3]):
            return Number(float(KOREAN_NATIVE_NUMBERS[tok.text]), None, i, i + 2, toks[i + 1].text, True)
        # Glued "두대", "네개" (not "세대", which is also the word for a generation).
        for numeral, value in KOREAN_NATIVE_NUMBERS.items():
            if (
                numeral != "세"
                and tok.text.startswith(numeral)
                and tok.text[len(numeral) : len(numeral) + 1] in ("대", "개")
            ):
                return Number(float(value), None, i, i + 1, tok.text[len(numeral) :], True)
    return None


def quantity_at(toks: list[Token], i: int) -> Number | None:
    """A number or a range of numbers ("3-5", "3 to 5", "1-2k", "3~5대"): the range reads as its top."""
    memo = getattr(toks, "quantities", None)
    if memo is None:
        return _read_quantity(toks, i)
    if i not in memo:
        memo[i] = _read_quantity(toks, i)
    return memo[i]


def _read_quantity(toks: list[Token], i: int) -> Number | None:
    first = number_at(toks, i)
    if first is None or first.end + 1 >= len(toks) or toks[first.end].low not in _RANGE_JOINERS:
        return first
    second = number_at(toks, first.end + 1)
    if second is None or first.word != second.word:
        return first
    low = first.value
    raw_second = plain_number(toks[second.start].text) if toks[second.start].kind == "num" else None
    if raw_second and second.value > raw_second and first.value < raw_second:
        low = first.value * (second.value / raw_second)  # "1-2k": the scale applies to both
    if low > second.value:
        return first
    return Number(second.value, low, i, second.end, second.counter or first.counter, first.word)
