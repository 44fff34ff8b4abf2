"""Costs: the catalogue prices in USD; a roadmap shows them in the budget's currency.

Rates are approximate, fixed and dated on purpose: the engine must be deterministic and
offline. Plans are order-of-magnitude budgets, so a few percent of drift does not matter.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from bot.roadmap.rounding import money2
from bot.roadmap.schema import Range

RATES_DATE = "2025-06"
# Units of each currency per US dollar, rounded (published central-bank reference rates, mid-2025).
UNITS_PER_USD: dict[str, float] = {
    "USD": 1.0,
    "EUR": 0.87,
    "GBP": 0.74,
    "JPY": 145.0,
    "KRW": 1370.0,
    "CNY": 7.2,
    "INR": 86.0,
    "CAD": 1.37,
    "AUD": 1.54,
    "SGD": 1.28,
    "CHF": 0.81,
    "SEK": 9.6,
    "BRL": 5.5,
    "TWD": 29.5,
    "HKD": 7.85,
}

# Engineering time priced for the benefit/cost score only (never shown as a cost).
PERSON_DAY_USD = 600.0


def supported(currency: str) -> bool:
    return currency in UNITS_PER_USD


def from_usd(amount: float, currency: str) -> float:
    return amount * UNITS_PER_USD[currency]


def to_usd(amount: Decimal | float, currency: str) -> float:
    return float(amount) / UNITS_PER_USD[currency]


@lru_cache(maxsize=4096)
def range_from_usd(value: Range, currency: str) -> Range:
    """A USD range in `currency`, in round amounts (two significant figures): estimates, not invoices."""
    rate = UNITS_PER_USD[currency]
    return Range.model_construct(low=money2(value.low * rate), high=money2(value.high * rate))
