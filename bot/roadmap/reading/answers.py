"""One free-text answer prepared for reading: capped, normalised, lower-cased, tokenised on first use."""

from __future__ import annotations

import re

from bot.roadmap.reading.tokens import Tokens, tokenize

MAX_READ_CHARS = 3000  # per answer: the modal's own limit, so only a pasted file or a long feature list is cut
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-", "～": "~", "％": "%", "×": "x", "\u00a0": " "})


def _cap(text: str) -> str:
    """The first MAX_READ_CHARS characters, cut between words (never mid-word)."""
    if len(text) <= MAX_READ_CHARS:
        return text
    cut = text.rfind(" ", MAX_READ_CHARS - 200, MAX_READ_CHARS)
    return text[: cut if cut > 0 else MAX_READ_CHARS]


_DIGIT = re.compile(r"\d")
ARCH_FIELDS = ("database", "servers", "network")
ALL_FIELDS = ("database", "servers", "network", "bottlenecks", "features", "constraints")


def _lower(text: str) -> str:
    """Lower-case without changing the length, so positions in the text and its lower-case agree."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class Answer:
    """One answer: its text, lower-case, and tokens (made on first use: most answers need no token pass)."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = _cap(text).translate(_TRANSLATE)
        self.lowered = _lower(self.text)
        self.has_digit = _DIGIT.search(self.text) is not None
        self._toks: Tokens | None = None

    @property
    def toks(self) -> Tokens:
        if self._toks is None:
            self._toks = tokenize(self.text)
        return self._toks


def prepare(name: str, text: str) -> Answer:
    return Answer(name, text)
