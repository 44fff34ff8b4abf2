"""Rounding to what an estimate supports: two significant figures, money in round amounts."""

from __future__ import annotations

import math


def sig(value: float, digits: int = 2) -> float:
    """`value` to `digits` significant figures (3.291 -> 3.3, 47,860,950 -> 48,000,000)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def sig2(value: float) -> float:
    return sig(value, 2)


def users2(value: int) -> int:
    """A user count to two significant figures, never rounded up past what the model says it carries."""
    if value < 100:
        return value
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return int(value // scale * scale)


def money2(value: float) -> float:
    """Money to two significant figures, whole units: $2,115 -> $2,100; below 10 stays as it is."""
    if abs(value) < 10:
        return float(round(value))
    return float(sig(value, 2))
