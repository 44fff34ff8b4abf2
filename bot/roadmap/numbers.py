"""Numbers for people: formatting counts and money for the renderers, and reading them from free text."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from bot.roadmap.schema import Range

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "KRW": "₩", "JPY": "¥", "CNY": "CN¥", "INR": "₹"}


def compact(value: float) -> str:
    """1200 -> 1.2k, 1000000 -> 1M: scale figures are estimates, so three digits suffice."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= threshold:
            scaled = value / threshold
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return sign + text.removesuffix(".0") + suffix
    return sign + (f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}")


def money(amount: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency)
    text = f"{amount:,.0f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def money_range(value: Range, currency: str) -> str:
    if value.high == 0:
        return "none"
    if value.low == value.high:
        return money(value.low, currency)
    return f"{money(value.low, currency)}–{money(value.high, currency)}"


def pct_range(value: Range) -> str:
    def one(x: float) -> str:
        return f"{x:+.0f}%".replace("-", "−")

    return one(value.low) if value.low == value.high else f"{one(value.low)} to {one(value.high)}"


def days_range(value: Range, unit: str) -> str:
    def one(x: float) -> str:
        return f"{x:g}"

    return f"{one(value.low)} {unit}" if value.low == value.high else f"{one(value.low)}–{one(value.high)} {unit}"


def percent(share: float) -> str:
    """0.0017 -> 0.17%: small shares keep two significant digits instead of rounding to 0%."""
    value = share * 100
    if value >= 10 or value == 0:
        return f"{value:.0f}%"
    return f"{value:.2g}%"


# --- reading numbers as people write them ----------------------------------------------------
# The free-text answers say "1.2k", "3만", "1억 2천만", "two", "두 대": the reader in reading/
# needs one place that turns each of those into a number.

ENGLISH_NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "single": 1,
    "two": 2,
    "couple": 2,
    "pair": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
}
# Tens, for counts written out ("twenty-five engineers", "sixty people"): read by english_count.
ENGLISH_TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# One alternation for a count written in words, longest first: "twenty-five", "twenty five", "sixty", "two".
ENGLISH_COUNT_PATTERN = (
    r"(?:(?:"
    + "|".join(ENGLISH_TENS)
    + r")(?:[- ](?:"
    + "|".join(w for w, n in ENGLISH_NUMBER_WORDS.items() if n < 10)
    + r"))?|"
    + "|".join(sorted(ENGLISH_NUMBER_WORDS, key=len, reverse=True))
    + r")"
)
# Native Korean numerals are used with counters ("두 대", "세 개"): never alone.
KOREAN_NATIVE_NUMBERS: dict[str, int] = {
    "한": 1,
    "두": 2,
    "세": 3,
    "석": 3,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
    "열": 10,
    "스무": 20,
}
# Suffixes written right after a number: "1.2k", "10M", "2bn"; the word forms may stand apart.
GLUED_SCALES: dict[str, float] = {"k": 1e3, "m": 1e6, "mn": 1e6, "mil": 1e6, "b": 1e9, "bn": 1e9}
WORD_SCALES: dict[str, float] = {
    "thousand": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "billion": 1e9,
    "billions": 1e9,
}
# Korean place values multiply in sequence: 천만 = 천 x 만 = 10^7, 백만 = 10^6.
KOREAN_SCALES: dict[str, float] = {"십": 10, "백": 100, "천": 1e3, "만": 1e4, "억": 1e8}

MAX_DIGITS = 15  # a count, a price or a share with more integer digits than this is a typo or noise
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_PART = re.compile(r"(\d+(?:[.,]\d+)*)\s*([a-z]+|[십백천만억]+)?", re.IGNORECASE)


@lru_cache(maxsize=4096)
def plain_number(digits: str) -> float | None:
    """'1,200' -> 1200, '1.5' -> 1.5; a comma list ('3,4') reads as its first number.

    More than MAX_DIGITS digits is not a figure anyone means (and would overflow): it is not read.
    """
    if len(digits) > MAX_DIGITS + 6:
        return None
    if _THOUSANDS.fullmatch(digits):
        value = float(digits.replace(",", ""))
    else:
        head = digits.split(",", 1)[0]
        if not _PLAIN.fullmatch(head):
            return None
        value = float(head)
    return value if value < 10**MAX_DIGITS else None


def korean_scale(word: str) -> tuple[float, str]:
    """'만명' -> (10000, '명'), '천만' -> (1e7, ''), '대' -> (1, '대'): the place value and what follows it."""
    scale = 1.0
    used = 0
    for char in word:
        if char not in KOREAN_SCALES:
            break
        scale *= KOREAN_SCALES[char]
        used += 1
    return scale, word[used:]


def parse_number(text: str) -> float | None:
    """A whole answer that is one number: '1.2k', '10M', '3만', '1억 2천만', '1,200', 'two', '두'."""
    cleaned = text.strip().lower()
    if cleaned in ENGLISH_NUMBER_WORDS:
        return float(ENGLISH_NUMBER_WORDS[cleaned])
    if cleaned in KOREAN_NATIVE_NUMBERS:
        return float(KOREAN_NATIVE_NUMBERS[cleaned])
    total = 0.0
    pos = 0
    last_scale = math.inf
    while pos < len(cleaned):
        if cleaned[pos].isspace():
            pos += 1
            continue
        match = _PART.match(cleaned, pos)
        if match is None:
            return None
        value = plain_number(match.group(1))
        suffix = match.group(2) or ""
        if value is None:
            return None
        if suffix in GLUED_SCALES or suffix in WORD_SCALES:
            scale = GLUED_SCALES.get(suffix) or WORD_SCALES[suffix]
        else:
            scale, rest = korean_scale(suffix)
            if rest:
                return None
        # Only Korean composites ("3만 5천") may add parts, each smaller than the one before.
        if total and not (scale < last_scale and last_scale >= 1e4):
            return None
        total += value * scale
        last_scale = scale
        pos = match.end()
    return total if pos else None


def english_count(words: str) -> int | None:
    """A count written in words: "two", "twelve", "sixty", "twenty-five", "twenty five"; None otherwise."""
    parts = words.lower().replace("-", " ").split()
    if len(parts) == 1:
        single = parts[0]
        return ENGLISH_NUMBER_WORDS.get(single, ENGLISH_TENS.get(single))
    if len(parts) == 2 and parts[0] in ENGLISH_TENS and ENGLISH_NUMBER_WORDS.get(parts[1], 10) < 10:
        return ENGLISH_TENS[parts[0]] + ENGLISH_NUMBER_WORDS[parts[1]]
    return None
