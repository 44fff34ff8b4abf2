"""An answer as tokens, in one linear pass: identifiers, numbers, Korean words and symbols, with clause and depth."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the numbers read at each index are memoised on the tokens
    from bot.roadmap.reading.quantities import Number

# One pass, no backtracking across tokens: an identifier may join letter/digit runs with . - _ '
# ("db.r6g.4xlarge", "us-east-1", "Node.js"), a number joins digit runs with . or , ("1,200",
# "1.5"), Hangul and other letters form words, anything else is one symbol. Each repeated group
# starts with a separator its body cannot contain, so a token is matched in one left-to-right scan.
_TOKEN = re.compile(
    r"(?P<id>[A-Za-z][A-Za-z0-9]*(?:[._'\-][A-Za-z0-9]+)*)"
    r"|(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<kw>[^\W\d_A-Za-z]+)"
    r"|(?P<sym>\S)"
)
_CLAUSE_SYMBOLS = frozenset(";!?。")
_SOFT_CLAUSE_SYMBOLS = frozenset(",.")  # a clause break only when followed by a space ("1,200", "m5.large")


@dataclass(slots=True)  # not frozen: a frozen dataclass is four times slower to make
class Token:
    text: str
    low: str
    kind: str  # id | num | kw | sym
    start: int
    end: int
    glued: bool  # no space between this token and the one before
    clause: int  # index of the clause (comma, semicolon, full stop or line break delimited)
    depth: int  # parentheses depth


class Tokens(list[Token]):
    """The tokens of one answer, with the numbers read at each index (several readers ask for the same)."""

    numbers: dict[int, Number | None]
    quantities: dict[int, Number | None]


def tokenize(text: str) -> Tokens:
    toks = Tokens()
    toks.numbers = {}
    toks.quantities = {}
    clause = 0
    depth = 0
    prev_end = -1
    size = len(text)
    append = toks.append
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if start - prev_end > 1 and prev_end >= 0 and text.find("\n", prev_end, start) >= 0:
            clause += 1
        kind = match.lastgroup or "sym"
        word = match.group()
        if kind != "sym":
            append(Token(word, word.lower(), kind, start, end, prev_end == start, clause, depth))
        else:
            if word == ")" or word == "]":
                depth = max(0, depth - 1)
            append(Token(word, word, kind, start, end, prev_end == start, clause, depth))
            if word == "(" or word == "[":
                depth += 1
            elif word in _CLAUSE_SYMBOLS or (word in _SOFT_CLAUSE_SYMBOLS and (end >= size or text[end].isspace())):
                clause += 1
        prev_end = end
    return toks


def breaks_clause(tok: Token) -> bool:
    """A clause-ending symbol: counts and qualifiers do not reach across it."""
    return tok.kind == "sym" and (tok.text in _CLAUSE_SYMBOLS or tok.text in _SOFT_CLAUSE_SYMBOLS)


def words_before(toks: list[Token], i: int, reach: int = 3) -> list[Token]:
    """Up to `reach` words before token i in the same clause (its qualifiers: "MySQL on", "DB")."""
    out: list[Token] = []
    for k in range(i - 1, max(-1, i - 1 - reach), -1):
        if toks[k].clause != toks[i].clause or toks[k].depth < toks[i].depth:
            break
        out.append(toks[k])
    out.reverse()
    return out


def clause_tokens(toks: list[Token], i: int, reach: int = 30) -> list[Token]:
    """The tokens of token i's clause, at most `reach` on each side (a clause of money is short)."""
    clause = toks[i].clause
    lo = i
    while lo > 0 and i - lo < reach and toks[lo - 1].clause == clause:
        lo -= 1
    hi = i
    while hi + 1 < len(toks) and hi - i < reach and toks[hi + 1].clause == clause:
        hi += 1
    return toks[lo : hi + 1]
