"""One thread message at a time (a correction): its numbers and amounts, read as the answers are."""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap.reading.answers import prepare
from bot.roadmap.reading.facts import StatedPrice
from bot.roadmap.reading.prices import read_prices
from bot.roadmap.reading.quantities import quantity_at


@dataclass(frozen=True)
class WrittenNumber:
    """A number as written in a message ("500k", "50만 명", "3-5"), where it is and what follows it."""

    value: float
    start: int  # character offsets in the text given
    end: int
    clause: int
    counter: str  # a Korean counter written after it: 명, 대 ...
    next_word: str  # the token right after it, lower-case ("users", "%", "")


def numbers_in(text: str) -> list[WrittenNumber]:
    """Every number in a message, read the way the answers are read (scales, Korean place values, ranges)."""
    field = prepare("message", text)
    toks = field.toks
    out: list[WrittenNumber] = []
    i = 0
    while i < len(toks):
        number = quantity_at(toks, i) if toks[i].kind in ("num", "id", "kw") else None
        if number is None:
            i += 1
            continue
        after = toks[number.end].low if number.end < len(toks) else ""
        last = toks[number.end - 1]
        out.append(WrittenNumber(number.value, toks[i].start, last.end, toks[i].clause, number.counter, after))
        i = number.end
    return out


def amounts_in(text: str) -> list[StatedPrice]:
    """Each amount of money written in a message ("$2k/month", "월 200만 원"), in the order written."""
    field = prepare("constraints", text)
    if not field.has_digit:
        return []
    return [price for price, _ in read_prices(field.text, field.toks, "constraints")]
