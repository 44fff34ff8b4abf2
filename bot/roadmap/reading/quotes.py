"""The user's own words behind a reading, cut between words to at most QUOTE_CHARS."""

from __future__ import annotations

from bot.roadmap.reading.tokens import Token

QUOTE_CHARS = 60  # a source phrase is at most this long, cut between words


def _clean(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """Cut to `limit` characters between words; only a single word longer than the limit is cut inside."""
    text = _clean(text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return (text[:cut] if cut > 0 else text[:limit]).rstrip(" ,;:(") + "…"


def quote_tokens(text: str, toks: list[Token], first: int, last: int) -> str:
    """The user's words from token `first` to token `last`: token edges are word edges."""
    first = max(0, first)
    last = min(len(toks) - 1, last)
    quote = text[toks[first].start : toks[last].end]
    opened = quote.count("(") - quote.count(")")
    if opened > 0 and last + 1 < len(toks) and toks[last + 1].text == ")":
        quote += ")"
    elif opened < 0 and first > 0 and toks[first - 1].text == "(":
        quote = "(" + quote
    return _shorten(quote)


def excerpt(text: str, start: int, end: int) -> str:
    """The clause around text[start:end], at most QUOTE_CHARS long, cut between words."""
    lo, hi = start, end
    floor, ceil = max(0, start - QUOTE_CHARS), min(len(text), end + QUOTE_CHARS)
    while lo > floor and not _stops(text, lo - 1):
        lo -= 1
    while hi < ceil and not _stops(text, hi):
        hi += 1
    # A window edge that is not a clause edge may fall inside a word: move it to the next space.
    if lo == floor and lo > 0 and not _stops(text, lo - 1):
        lo = _word_start(text, lo, start)
    if hi == ceil and hi < len(text) and not _stops(text, hi):
        hi = _word_end(text, hi, end)
    # A Korean phrase is matched inside a word ("레디스캐시는"): quote the whole word.
    while start > lo and not text[start - 1].isspace():
        start -= 1
    while end < hi and not text[end].isspace():
        end += 1
    snippet = _clean(text[lo:hi]).strip(" ,;:.")
    if len(snippet) <= QUOTE_CHARS:
        return snippet
    # Too long: keep the match and as many of the words before it as fit.
    head = _clean(text[lo:start])
    room = QUOTE_CHARS - len(_clean(text[start:end])) - 1
    if head and room > 0 and len(head) > room:
        cut = head.find(" ", len(head) - room)
        head = head[cut + 1 :] if cut >= 0 else ""
    elif room <= 0:
        head = ""
    return _shorten((head + " " + _clean(text[start:hi])).strip(" ,;:."))


def _stops(text: str, i: int) -> bool:
    char = text[i]
    if char in ";!?\n()":
        return True
    return char in ".," and (i + 1 >= len(text) or text[i + 1].isspace())


def _word_start(text: str, i: int, limit: int) -> int:
    while i < limit and not text[i - 1].isspace():
        i += 1
    return i


def _word_end(text: str, i: int, limit: int) -> int:
    while i > limit and not text[i].isspace():
        i -= 1
    return i
