"""Counts of machines by role: "4 Python servers", "servers: 4", "m5.large x4", "웹 서버 3대", "3대의 서버"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap.numbers import (
    ENGLISH_NUMBER_WORDS,
)
from bot.roadmap.reading.prices import CURRENCY_SYMBOLS, MONTH_WORDS
from bot.roadmap.reading.quantities import Number, number_at, quantity_at
from bot.roadmap.reading.quotes import quote_tokens
from bot.roadmap.reading.stack import names_a_version
from bot.roadmap.reading.tokens import Token, breaks_clause, words_before
from bot.roadmap.reading.vocabulary import (
    FIELD_ROLE,
    is_unit,
    kind_of_noun,
    read_mark,
    role_of,
    split_words,
    standby_mark,
)

_GAP_STOPS = frozenset(
    split_words(
        "on|in|at|of|for|with|behind|and|or|per|each|across|than|to|from|by|via|plus|but|is|are|was|were|"
        "has|have|no|not|without"
    )
)
_GAP_SYMBOLS = frozenset({"(", ")", "[", "]", "+", "/", "&", "-"})


@dataclass(slots=True)
class Count:
    role: str  # app | database | replica | standby | cache | worker | proxy | ...
    number: Number
    source: str
    bare: bool = False  # a Korean "3대" with no noun: used only when nothing better was written


def resolve_role(noun_kind: str, qualifiers: list[Token], default: str | None) -> str | None:
    """The role of a counted noun: its own kind for replicas and standbys, else the nearest role word."""
    if noun_kind == "replica":
        if any(standby_mark(q) for q in qualifiers) and not any(read_mark(q) for q in qualifiers[:-1]):
            return "standby"
        return "replica"
    if noun_kind == "standby":
        return "replica" if any(read_mark(q) for q in qualifiers) else "standby"
    for tok in reversed(qualifiers):  # closest to the noun first
        role = role_of(tok)
        if role is not None and role != "network":  # "bandwidth" qualifies a figure, never a server
            return role
    return default


MAX_UNITS = 100_000  # more servers, replicas or pods than this is not a count anyone means
_MAX_GAP_TOKENS = 16  # a count and its noun are never further apart than this, parentheses included
_MACHINE_WORDS = frozenset({"ec2", "vm", "vms", "droplet", "droplets", "instance", "instances", "hosts", "linode"})


def _on_machines(toks: list[Token], k: int) -> bool:
    """ "6 Spring Boot services on EC2 m6i.xlarge" counts machines; "140 Go services on EKS" counts programs."""
    for t in toks[k + 1 : k + 7]:
        if t.clause != toks[k].clause:
            break
        if t.low in _MACHINE_WORDS or kind_of_noun(t) == "instance":
            return True
    return False


def _gap_ok(tok: Token, depth_open: int) -> bool:
    if tok.kind == "sym":
        return tok.text in _GAP_SYMBOLS or (tok.text == "," and depth_open > 0)
    if tok.kind in ("id", "kw"):
        return tok.low not in _GAP_STOPS and not is_unit(tok)
    return False


def read_counts(text: str, toks: list[Token], field_name: str) -> list[Count]:
    """Every "N <noun>", "<noun>: N", "<noun> xN" and Korean "<noun> N대" / "N대의 <noun>" in one answer."""
    default = FIELD_ROLE.get(field_name)
    found: list[Count] = []
    used: set[int] = set()
    n = len(toks)
    for i in range(n):
        if i in used:
            continue
        tok = toks[i]
        if tok.kind == "sym":
            continue
        article = tok.kind == "id" and tok.low in ("a", "an")
        if article and i + 1 < n and toks[i + 1].low in ENGLISH_NUMBER_WORDS:
            continue  # "a dozen pods", "a couple of servers": the number word counts
        number = Number(1.0, None, i, i + 1, "", True) if article else quantity_at(toks, i)
        if number is None or number.value > MAX_UNITS or (i > 0 and toks[i - 1].text in CURRENCY_SYMBOLS):
            continue
        j = number.end
        if number.counter:
            if number.counter.startswith(("대", "개")) and j < n and toks[j].clause == toks[i].clause:
                # Korean order "3대의 서버", "두 대의 웹서버": the noun follows the counter and its "의".
                reach = 2 if number.counter.endswith("의") else 1
                for k in range(j, min(n, j + reach)):
                    kind = kind_of_noun(toks[k])
                    if (kind and toks[k].kind == "kw") or (kind and reach == 2):
                        role = resolve_role(kind, toks[j : k + 1], default)
                        if role:
                            found.append(Count(role, number, quote_tokens(text, toks, i, k)))
                            used.update(range(i, k + 1))
                        break
            continue
        if j < n and toks[j].low in ("x", "*"):
            j += 1  # "6 x c6i.xlarge", "4x m5.large"
        elif i > 0 and not number.word and names_a_version(toks[i - 1]):
            continue  # "Node 18 containers", "PostgreSQL 15 nodes": a version, not a count
        if j >= n or is_unit(toks[j]) or toks[j].text == "%":
            continue  # "8 vCPU", "400 GB", "95%": a size, not a count
        # English order: the number, up to six words, then the noun. Anything in parentheses ("4 Python
        # (Django, 4 workers each) servers"), sizes ("2 x 8 vCPU servers"), versions ("5 Express (Node.js 20)
        # servers") and prices ("One $24/month droplet") may sit in between; a noun inside parentheses is not it.
        depth_open = 0
        instance_at = -1
        hit = -1
        k = j
        words = 0
        limit = 3 if article else 7
        while k < n and words < limit and k - j < _MAX_GAP_TOKENS:
            t = toks[k]
            if t.kind == "sym" and t.text in ("(", "["):
                depth_open += 1
            elif t.kind == "sym" and t.text in (")", "]"):
                depth_open -= 1
                if depth_open < 0:
                    break
            elif depth_open > 0:
                pass
            elif (kind := kind_of_noun(t)) == "instance":
                instance_at = k  # "6 x c6i.xlarge app servers": a noun after the type may follow
            elif kind or (t.low in ("service", "services") and _on_machines(toks, k)):
                hit = k
                break
            elif t.kind == "num" and k + 1 < n and is_unit(toks[k + 1]):
                k += 2  # a size
                words += 1
                continue
            elif t.kind == "num" and names_a_version(toks[k - 1]):
                pass  # a version
            elif t.kind == "sym" and t.text in CURRENCY_SYMBOLS and k + 1 < n and toks[k + 1].kind == "num":
                k += 2  # a price, and its period
                while k < n and (toks[k].text == "/" or toks[k].low in MONTH_WORDS):
                    k += 1
                continue
            elif _gap_ok(t, depth_open):
                words += 1
            else:
                break
            k += 1
        if hit < 0 and instance_at >= 0:
            hit = instance_at
        if hit < 0:
            continue
        kind = kind_of_noun(toks[hit]) or "host"  # "services" on machines are hosts
        if kind == "instance":
            kind = "host"
        gap = list(toks[j : hit + 1])
        qualifiers = gap if kind in ("replica", "standby") else words_before(toks, i) + gap
        role = resolve_role(kind, qualifiers, default)
        if role:
            last = hit + 1 if hit + 1 < n and kind_of_noun(toks[hit + 1]) == "host" else hit  # "2 reader instances"
            found.append(Count(role, number, quote_tokens(text, toks, i, last)))
            used.update(range(i, last + 1))
    # Postfix order: "servers: 4", "m5.large x4", "웹 서버 3대", "서버 두 대", "레플리카 2대".
    for i in range(n):
        kind = kind_of_noun(toks[i])
        if not kind or i in used:
            continue
        number = None
        nxt = toks[i + 1] if i + 1 < n else None
        if nxt is not None and nxt.kind == "id" and len(nxt.low) <= 5 and nxt.low[0] == "x" and nxt.low[1:].isdigit():
            number = Number(float(nxt.low[1:]), None, i + 1, i + 2, "", False)
        elif nxt is not None and nxt.text in (":", "=", "x", "*", "(") and i + 2 < n and toks[i + 2].kind == "num":
            candidate = quantity_at(toks, i + 2)
            after = toks[candidate.end] if candidate is not None and candidate.end < n else None
            if (
                candidate is not None
                and not candidate.counter
                and not (after and (is_unit(after) or after.text == "%"))
            ):
                number = candidate
        else:
            for k in range(i + 1, min(n, i + 5)):
                if breaks_clause(toks[k]):
                    break
                candidate = quantity_at(toks, k)
                if candidate is not None:
                    if candidate.counter.startswith(("대", "개", "기")):
                        number = candidate
                    break
        if number is None or number.start in used or number.value > MAX_UNITS:
            continue
        prefix = words_before(toks, i, 2 if kind in ("replica", "standby") else 3)
        role = resolve_role("host" if kind == "instance" else kind, [*prefix, toks[i]], default)
        if role:
            reach = 0
            for tok in reversed(prefix):
                if role_of(tok) is None and not standby_mark(tok) and not read_mark(tok):
                    break
                reach += 1
            found.append(Count(role, number, quote_tokens(text, toks, i - reach, number.end - 1)))
            used.update(range(number.start, number.end))
            used.add(i)
    # A bare Korean "3대" in the servers answer ("3대로 운영"): servers, if nothing better was said.
    if field_name == "servers":
        for i in range(n):
            if i in used or toks[i].kind != "num":
                continue
            number = number_at(toks, i)
            if number is not None and number.counter.startswith("대") and number.value <= MAX_UNITS:
                found.append(Count("app", number, quote_tokens(text, toks, i, number.end - 1), bare=True))
    return found
