"""Token counts for the configured model: tiktoken when its encoding file is in the local cache, else the stated
estimate; the file is never fetched. Both paths run offline: a fetch attempt fails the test."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import tiktoken
import tiktoken.load
import tiktoken.model
import tiktoken.registry

from bot.engines import token_count
from bot.engines.prompting import fit_history
from bot.engines.token_count import counter_for, estimate_tokens

TEST_URL = "https://openaipublic.blob.core.windows.net/encodings/scale_review_test.tiktoken"
TEST_MODEL = "scale-review-test-model"
MERGES = [b"th", b"the", b" t", b" the", b"ca", b"cat", "서버".encode()]


def _bpe_file() -> bytes:
    """A byte-level BPE table in tiktoken's format (base64 token, rank): every byte, then a few merges."""
    tokens = [bytes([b]) for b in range(256)] + MERGES
    return b"".join(base64.b64encode(tok) + b" " + str(rank).encode() + b"\n" for rank, tok in enumerate(tokens))


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """An empty tiktoken cache of our own, no network (a download attempt raises), no encoding loaded before."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"tiktoken tried the network: {args}")

    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    tiktoken.list_encoding_names()  # the registry finds its constructors before one is added below
    assert tiktoken.registry.ENCODING_CONSTRUCTORS is not None
    digest = hashlib.sha256(_bpe_file()).hexdigest()
    monkeypatch.setitem(
        tiktoken.registry.ENCODING_CONSTRUCTORS,
        "scale_review_test",
        lambda: {
            "name": "scale_review_test",
            "pat_str": r"\s?\S+|\s+",
            "mergeable_ranks": tiktoken.load.load_tiktoken_bpe(TEST_URL, expected_hash=digest),
            "special_tokens": {},
        },
    )
    monkeypatch.setitem(tiktoken.model.MODEL_TO_ENCODING, TEST_MODEL, "scale_review_test")
    counter_for.cache_clear()
    yield tmp_path
    counter_for.cache_clear()


def _cache(directory: Path, content: bytes) -> None:
    (directory / hashlib.sha1(TEST_URL.encode()).hexdigest()).write_bytes(content)


def test_an_encoding_in_the_local_cache_counts_real_tokens(offline: Path, caplog: pytest.LogCaptureFixture) -> None:
    _cache(offline, _bpe_file())
    with caplog.at_level(logging.INFO, logger=token_count.__name__):
        count = counter_for(TEST_MODEL)
        assert counter_for(TEST_MODEL) is count
    assert count is not estimate_tokens
    assert count("the cat") == 3  # "the", " ", "cat": the table has no " c" merge
    assert count("서버") == 1 and estimate_tokens("서버") == 3  # a merge the estimate cannot know
    assert [r.getMessage() for r in caplog.records] == [
        f"token counts for {TEST_MODEL}: tiktoken scale_review_test (from the local cache)"
    ]  # logged once


def test_without_the_file_the_estimate_is_used_and_nothing_is_fetched(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=token_count.__name__):
        assert counter_for(TEST_MODEL) is estimate_tokens
        assert counter_for("gpt-4o-mini") is estimate_tokens or (
            tiktoken.registry.ENCODINGS.get("o200k_base") is not None
        )
        assert counter_for("a-local-llama") is estimate_tokens  # tiktoken knows no encoding for it
        counter_for(TEST_MODEL)
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 3 and all("the stated estimate" in line for line in said), said


def test_a_corrupt_cached_file_falls_back_without_a_download(offline: Path) -> None:
    _cache(offline, _bpe_file() + b"Zm9v 999\n")  # the hash no longer matches: tiktoken would download it again
    assert counter_for(TEST_MODEL) is estimate_tokens


def test_the_history_fits_the_budget_in_the_models_tokens(offline: Path) -> None:
    _cache(offline, _bpe_file())
    count = counter_for(TEST_MODEL)
    history = [("U1", f"the cat {n} " + "the " * 30) for n in range(200)]
    lines = fit_history(history, budget=400, count=count)
    assert "earlier messages left out" in lines[0] and lines[-1].startswith("U1: the cat 199 ")
    assert sum(count(line) for line in lines[1:]) <= 400
    assert lines != fit_history(history, budget=400)  # counted in the model's tokens, not the estimate's
