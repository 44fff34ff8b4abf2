"""Counting a prompt's tokens for the configured model: tiktoken's encoding when its file is already in the local
cache (TIKTOKEN_CACHE_DIR, else tiktoken's default cache), else the stated estimate. The encoding file is never
fetched: a bot that starts offline, or a test, must not wait on (or depend on) a download. Which one is used is
logged once per model."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import cache

import tiktoken
import tiktoken.load

log = logging.getLogger(__name__)

Counter = Callable[[str], int]
_LOADING = threading.Lock()  # the fetch guard below swaps one module attribute: one load at a time


def estimate_tokens(text: str) -> int:
    """A stated estimate (no tokenizer): ASCII at ~4 characters a token, any other character (Hangul, symbols)
    at one token each; it errs high, so a budget it fills is never exceeded by the real count."""
    ascii_chars = sum(1 for c in text if c.isascii())
    return ascii_chars // 4 + (len(text) - ascii_chars) + 1


def _no_fetch(blobpath: str) -> bytes:
    raise FileNotFoundError(f"{blobpath} is not in the local tiktoken cache (not fetched)")


def _cached_encoding(name: str) -> tiktoken.Encoding:
    """tiktoken's encoding, read from its cache only: tiktoken downloads what its cache lacks through
    tiktoken.load.read_file, which answers 'not found' while this runs."""
    with _LOADING:
        fetch = tiktoken.load.read_file
        tiktoken.load.read_file = _no_fetch
        try:
            return tiktoken.get_encoding(name)
        finally:
            tiktoken.load.read_file = fetch


@cache
def counter_for(model: str) -> Counter:
    """The token counter for `model`, chosen once (and logged once) per model."""
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        log.info("token counts for %s: the stated estimate (tiktoken has no encoding for this model)", model)
        return estimate_tokens
    try:
        encoding = _cached_encoding(name)
    except (OSError, ValueError) as exc:  # not cached, unreadable, or a file whose hash does not match
        log.info("token counts for %s: the stated estimate (tiktoken's %s is not cached: %s)", model, name, exc)
        return estimate_tokens
    log.info("token counts for %s: tiktoken %s (from the local cache)", model, name)

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    return count
