"""The OpenAI engine: the case study's review as a prompt, structured output into our schema, streamed progress.

Any OpenAI-compatible server works (OPENAI_BASE_URL). The whole call has a deadline and the SDK
retries rate limits and server errors a bounded number of times; any failure (timeout, refusal,
invalid or truncated JSON, a draft that breaks the roadmap rules) raises EngineFailed, and the
review flow falls back to the rules engine and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import openai
import pydantic_core
from openai import AsyncOpenAI, omit
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from bot.engines import prompting
from bot.engines.compute import Compute, inline
from bot.engines.drafts import ENGINE_NAME, DraftRejected, RoadmapDraft, assemble
from bot.engines.protocol import EngineFailed, EngineResult, Progress, Usage
from bot.engines.token_count import counter_for
from bot.roadmap import money
from bot.roadmap.pricing import Price, estimate
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import Roadmap, SystemProfile

log = logging.getLogger(__name__)

MAX_COMPLETION_TOKENS = 16_000
DISCUSS_MAX_TOKENS = 1_000  # a thread reply of about 150 words, with room for a reasoning model's thinking
DISCUSS_MAX_CHARS = 2_400  # fits one section block with the items that follow it
PROMPT_CACHE_KEY = "scale-review-roadmap-v1"
# Strict structured output: pydantic's schema of the draft already meets the strict-mode rules
# (every object closed, every property required, no defaults); tests check it against them.
RESPONSE_FORMAT: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {"name": "roadmap_draft", "schema": RoadmapDraft.model_json_schema(), "strict": True},
}

# Item headers as they appear in the streamed JSON, in the schema's property order.
_ITEM = re.compile(
    r'"id"\s*:\s*"(?P<id>[1-3]\.\d{1,3})"\s*,\s*"pattern_id"\s*:\s*(?:null|"[^"]*")\s*,\s*'
    r'"title"\s*:\s*"(?P<title>(?:[^"\\]|\\.)*)"'
)


def _event(line: bytes) -> dict[str, Any] | None:
    """One server-sent event's JSON; None for comments, blank lines and the final [DONE].

    Bytes straight into pydantic's JSON parser: a stream of token-sized deltas is thousands of events
    per answer, and this is about a third of the cost of decoding and `json.loads`."""
    if not line.startswith(b"data:"):
        return None
    data = line[5:].strip()
    if not data or data == b"[DONE]":
        return None
    try:
        event = pydantic_core.from_json(data)
    except ValueError as exc:  # invalid JSON or UTF-8
        raise EngineFailed("the AI provider sent an unreadable stream") from exc
    if isinstance(event, dict) and event.get("error"):
        error = event["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise EngineFailed(f"the AI provider reported an error mid-answer: {str(message)[:200]}")
    return event if isinstance(event, dict) else None


def _refused(exc: BaseException) -> bool:
    """Whether a "timeout" was really a connection that failed at once (refused, unresolvable host, TLS): the
    aiohttp transport reports every failed connect as a timeout, and an operator needs to know which it was."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, OSError) and not isinstance(cause, TimeoutError):
            return True
        cause = cause.__cause__
    return False


class _Answer:
    """What the stream said. Network chunks go in as they arrive; their complete lines are read at once, and
    the text they carried reaches the progress watcher in one piece per chunk."""

    def __init__(self, watcher: _ProgressWatcher) -> None:
        self._watcher = watcher
        self._rest = b""  # a line still waiting for its end
        self.parts: list[str] = []
        self.refusal: list[str] = []
        self.finish: str | None = None
        self.usage: CompletionUsage | None = None

    async def chunk(self, data: bytes) -> None:
        *lines, self._rest = (self._rest + data).split(b"\n")
        await self._read(lines)

    async def end(self) -> None:
        """The stream is over: a last line without its newline still counts."""
        rest, self._rest = self._rest, b""
        await self._read([rest])

    async def _read(self, lines: list[bytes]) -> None:
        content: list[str] = []
        for line in lines:
            event = _event(line.rstrip(b"\r"))
            if event is None:
                continue
            if event.get("usage"):  # the last event carries it
                self.usage = CompletionUsage.model_validate(event["usage"])
            for choice in event.get("choices") or []:
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    content.append(delta["content"])
                if delta.get("refusal"):
                    self.refusal.append(delta["refusal"])
                if choice.get("finish_reason"):
                    self.finish = choice["finish_reason"]
        if content:
            self.parts += content
            await self._watcher.feed("".join(content))


class _ProgressWatcher:
    """Turns the streamed JSON into readable progress: one line per item as soon as its title is complete.

    Only the unscanned tail is kept (at most HEADER_SPAN characters before the new text), so each delta costs
    its own length, not the length of the answer so far.
    """

    HEADER_SPAN = 4096  # an item's id, pattern and title fit in this; a longer title only loses its progress line

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._text = ""
        self._seen: set[str] = set()
        self._stage = 0
        self._scanned = 0  # items end before this offset of _text; later deltas only extend the text

    async def feed(self, delta: str) -> None:
        if self._progress is None or not delta:
            return
        self._text += delta
        lines = []
        for match in _ITEM.finditer(self._text, self._scanned):
            item_id = match.group("id")
            self._scanned = match.end()
            if item_id in self._seen:
                continue
            self._seen.add(item_id)
            stage = int(item_id[0])
            if stage != self._stage:
                self._stage = stage
                lines.append(f"\n*Stage {stage}*")
            try:
                title = json.loads(f'"{match.group("title")}"')
            except json.JSONDecodeError:
                title = match.group("title")
            lines.append(f"• {item_id} {title}")
        cut = max(self._scanned, len(self._text) - self.HEADER_SPAN)
        if cut > 0:
            self._text, self._scanned = self._text[cut:], max(0, self._scanned - cut)
        if lines:
            await self._progress("\n".join(lines) + "\n")


def _chat(messages: list[dict[str, str]]) -> list[ChatCompletionMessageParam]:
    """Our role/content pairs as the SDK's message types; the prompts only ever use these three roles."""
    typed: list[ChatCompletionMessageParam] = []
    for message in messages:
        role, content = message["role"], message["content"]
        if role == "system":
            typed.append({"role": "system", "content": content})
        elif role == "user":
            typed.append({"role": "user", "content": content})
        elif role == "assistant":
            typed.append({"role": "assistant", "content": content})
        else:
            raise ValueError(f"unknown chat role {role!r}")
    return typed


def grounded_messages(profile: SystemProfile, currency: str) -> list[dict[str, str]]:
    """The prompt, grounded in the rules engine's plan: the model's figures and candidates."""
    return prompting.messages(profile, generate_rules_roadmap(profile), currency)


def assemble_answer(profile: SystemProfile, answer: str, model: str) -> Roadmap:
    """The model's JSON answer checked and built into a Roadmap; raises EngineFailed (which pickles) if unusable."""
    try:
        draft = RoadmapDraft.model_validate_json(answer)
    except ValueError as exc:  # pydantic's ValidationError, including invalid JSON
        raise EngineFailed("the answer was not valid JSON for the roadmap schema") from exc
    try:
        return assemble(profile, draft, model=model)
    except DraftRejected as exc:
        raise EngineFailed(str(exc)) from exc


class OpenAIEngine:
    name = ENGINE_NAME
    streams_progress = True

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        *,
        deadline_s: float,
        price: Price | None = None,
        send_cache_key: bool = True,
        compute: Compute = inline,
    ) -> None:
        self._compute = compute
        self._client = client
        self._model = model
        self._deadline = deadline_s
        self._price = price
        self._send_cache_key = send_cache_key
        self.count_tokens = counter_for(model)  # the thread's conversation is fitted to a budget in these tokens

    async def generate(self, profile: SystemProfile, progress: Progress | None = None) -> EngineResult:
        currency = profile.budget.currency if money.supported(profile.budget.currency) else "USD"
        messages = await self._compute(grounded_messages, profile, currency)
        cache_key = PROMPT_CACHE_KEY if self._send_cache_key else omit  # `omit` leaves the field out
        answer = _Answer(_ProgressWatcher(progress))
        with self._provider_errors():
            async with asyncio.timeout(self._deadline):
                # Raw server-sent events, parsed once at the end: the SDK's stream helper re-parses the
                # partial JSON on every delta, and even its chunk models cost more CPU than the answer.
                async with self._client.chat.completions.with_streaming_response.create(
                    model=self._model,
                    messages=_chat(messages),
                    response_format=RESPONSE_FORMAT,
                    stream=True,
                    stream_options={"include_usage": True},
                    max_completion_tokens=MAX_COMPLETION_TOKENS,
                    prompt_cache_key=cache_key,
                ) as response:
                    # Whole network chunks, split into lines by `_Answer`: the SDK's line iterator's decoder
                    # layers cost more than the few events each chunk holds.
                    async for chunk in response.iter_bytes():
                        await answer.chunk(chunk)
                    await answer.end()
        accounting = self._usage(answer.usage)
        if answer.refusal:
            raise EngineFailed(f"the model declined: {''.join(answer.refusal)[:200]}")
        if answer.finish == "length":
            raise EngineFailed("the answer was cut off before it was complete")
        if answer.finish == "content_filter":
            raise EngineFailed("the answer was stopped by the provider's content filter")
        roadmap = await self._compute(assemble_answer, profile, "".join(answer.parts), self._model)
        return EngineResult(roadmap=roadmap, engine=self.name, model=self._model, usage=accounting)

    async def discuss(self, messages: list[dict[str, str]]) -> str:
        """A short answer in plain text (no schema, no stream): a reply in the roadmap's thread."""
        with self._provider_errors():
            async with asyncio.timeout(self._deadline):
                completion = await self._client.chat.completions.create(
                    model=self._model,
                    messages=_chat(messages),
                    max_completion_tokens=DISCUSS_MAX_TOKENS,
                )
        message = completion.choices[0].message if completion.choices else None
        if message is not None and message.refusal:
            raise EngineFailed(f"the model declined: {message.refusal[:200]}")
        text = (message.content or "").strip() if message is not None else ""
        if not text:
            raise EngineFailed("the model gave an empty answer")
        return text[:DISCUSS_MAX_CHARS]

    @contextlib.contextmanager
    def _provider_errors(self) -> Iterator[None]:
        """What went wrong with the provider, in words a person in Slack can act on."""
        try:
            yield
        except TimeoutError as exc:
            raise EngineFailed(f"no complete answer within {self._deadline:g} s") from exc
        except openai.RateLimitError as exc:
            raise EngineFailed("rate limited by the AI provider (retries used up)") from exc
        except openai.APITimeoutError as exc:
            if _refused(exc):
                raise EngineFailed("could not reach the AI provider") from exc
            raise EngineFailed("the AI provider timed out") from exc
        except openai.APIStatusError as exc:
            raise EngineFailed(f"the AI provider answered HTTP {exc.status_code}") from exc
        except openai.APIConnectionError as exc:
            raise EngineFailed("could not reach the AI provider") from exc

    async def aclose(self) -> None:
        await self._client.close()

    def _usage(self, usage: CompletionUsage | None) -> Usage | None:
        if usage is None:
            return None
        details = usage.prompt_tokens_details
        cached = (details.cached_tokens or 0) if details else 0
        return Usage(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=estimate(self._price, usage.prompt_tokens, usage.completion_tokens, cached),
        )
