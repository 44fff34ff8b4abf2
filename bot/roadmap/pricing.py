"""Estimated cost of an LLM call from its token usage.

Prices are USD per million tokens from OpenAI's API pricing page as reported in mid-2026;
other models or OpenAI-compatible servers can be priced with OPENAI_PRICE_INPUT_PER_MTOK and
OPENAI_PRICE_OUTPUT_PER_MTOK. An unknown price gives no estimate rather than a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_DATE = "2026-06"


@dataclass(frozen=True)
class Price:
    input: float  # USD per 1M prompt tokens
    output: float  # USD per 1M completion tokens
    cached_input: float | None = None  # USD per 1M cached prompt tokens, when discounted


KNOWN_PRICES: dict[str, Price] = {
    "gpt-5.5": Price(5.00, 30.00, 0.50),
    "gpt-5.4": Price(2.50, 15.00, 0.25),
    "gpt-5.4-mini": Price(0.75, 4.50, 0.075),
    "gpt-5.4-nano": Price(0.20, 1.25, 0.02),
}


def price_for(model: str, *, input_override: float | None = None, output_override: float | None = None) -> Price | None:
    if input_override is not None and output_override is not None:
        return Price(input_override, output_override)
    return KNOWN_PRICES.get(model)


def estimate(price: Price | None, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float | None:
    if price is None:
        return None
    cached = min(cached_tokens, prompt_tokens) if price.cached_input is not None else 0
    fresh = prompt_tokens - cached
    total = fresh * price.input + cached * (price.cached_input or 0) + completion_tokens * price.output
    return round(total / 1_000_000, 6)
