"""Choosing the roadmap engine from settings: OpenAI when a key is set, the rules engine otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings
from bot.engines.compute import Compute, inline
from bot.engines.protocol import RoadmapEngine
from bot.engines.rules import RulesEngine

if TYPE_CHECKING:
    from openai import AsyncOpenAI


def openai_client(api_key: str, *, base_url: str | None, timeout: float, max_retries: int) -> AsyncOpenAI:
    """The SDK's client over aiohttp, its documented alternative transport: a streamed answer is thousands of
    small events, and aiohttp's C parser hands them over in large pieces where h11 yields each on its own
    (a quarter less bot CPU in bench_generate with token-sized deltas)."""
    from openai import AsyncOpenAI, DefaultAioHttpClient

    return AsyncOpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        http_client=DefaultAioHttpClient(),
    )


def openai_engine(settings: Settings, compute: Compute = inline) -> RoadmapEngine:
    if settings.openai_api_key is None:
        raise ConfigError("OPENAI_API_KEY is not set: the OpenAI engine needs it (or use the rules engine)")
    from bot.engines.openai_engine import OpenAIEngine
    from bot.roadmap.pricing import price_for

    client = openai_client(
        settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
    )
    price = price_for(
        settings.scale_review_model,
        input_override=settings.openai_price_input_per_mtok,
        output_override=settings.openai_price_output_per_mtok,
    )
    # prompt_cache_key is OpenAI's own field; other OpenAI-compatible servers may reject unknown fields.
    return OpenAIEngine(
        client,
        settings.scale_review_model,
        # the SDK's timeout is per attempt; the whole call, retries included, gets a bounded deadline too
        deadline_s=settings.openai_timeout_seconds * (settings.openai_max_retries + 1) + 5,
        price=price,
        send_cache_key=settings.openai_base_url is None,
        compute=compute,
    )


def default_engine(settings: Settings, compute: Compute = inline) -> RoadmapEngine:
    return openai_engine(settings, compute) if settings.use_openai else RulesEngine(compute)
