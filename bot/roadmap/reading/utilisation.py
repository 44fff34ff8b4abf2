"""Utilisation figures per tier ("DB CPU 80%", "(DB 85%)") and which tier a CPU or memory complaint names."""

from __future__ import annotations

from collections.abc import Iterable

from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.phrases import is_negated
from bot.roadmap.reading.quantities import quantity_at
from bot.roadmap.reading.quotes import quote_tokens
from bot.roadmap.reading.tokens import Token, words_before
from bot.roadmap.reading.vocabulary import FIELD_ROLE, GENERIC_NOUNS, HOST_NOUNS_KO, per_word, role_of, split_words
from bot.roadmap.schema import TIERS, Tier

_UTIL_WORDS = frozenset(
    split_words("cpu|cpus|util|utilisation|utilization|utilised|utilized|load|busy|usage|saturated|saturation|pegged")
)
# "80% of the uplink" is a utilisation; "70% of database CPU" is a share of the work, not one.
_CAPACITY_WORDS = frozenset({"capacity", "uplink", "link", "limit", "max", "maximum", "quota", "bandwidth"})
_UTIL_WORDS_KO = ("사용률", "점유율", "부하", "사용량", "점유")
_NOT_UTIL = frozenset(
    split_words(
        "error|errors|hit|miss|misses|faster|slower|less|more|fewer|reduce|reduced|reduction|increase|"
        "increased|drop|dropped|growth|grew|conversion|bounce|share|uptime|availability|sla|success|fail|"
        "failed|failure|failures|timeout|timeouts|disk|storage|full|memory|ram|heap|mem|swap|5xx|4xx|"
        "discount|off|budget|margin|reads|writes|traffic|iowait"
    )
)
_NOT_UTIL_KO = split_words("에러|오류|실패|적중|히트|디스크|메모리|감소|증가|가용|성공|할인|빨라|개선|트래픽")
_LINK_WORDS = frozenset(
    split_words(
        "tier|layer|side|at|is|are|runs|running|sits|sitting|peaks|~|:|=|around|about|approx|approximately|over|near|hits|reaches|->"
    )
)


@per_word
def _util_word(tok: Token) -> bool:
    return tok.low in _UTIL_WORDS or (tok.kind == "kw" and any(w in tok.text for w in _UTIL_WORDS_KO))


@per_word
def _not_util_word(tok: Token) -> bool:
    return tok.low in _NOT_UTIL or (tok.kind == "kw" and any(w in tok.text for w in _NOT_UTIL_KO))


def _tier_word(toks: list[Token], k: int) -> str | None:
    """The tier a word names; "server" or "서버" takes the qualifier before it ("DB server" is the database)."""
    tok = toks[k]
    if _generic_noun(tok):
        for q in reversed(words_before(toks, k, 2)):
            qualified = role_of(q)
            if qualified is not None:
                return qualified
        return "app"
    return role_of(tok)


@per_word
def _generic_noun(tok: Token) -> bool:
    """A word for a machine or process, whose tier is the word before it ("DB server", "Celery workers")."""
    return tok.low in GENERIC_NOUNS or (tok.kind == "kw" and any(w in tok.text for w in HOST_NOUNS_KO))


def _percent_figures(toks: list[Token]) -> list[tuple[int, int, float]]:
    """(first token, index of the % sign, value): "80%", "80-90 %" (its top), "85 percent"."""
    figures: list[tuple[int, int, float]] = []
    i = 0
    n = len(toks)
    while i < n:
        if toks[i].kind == "num":
            q = quantity_at(toks, i)
            if q is not None and q.end < n and (toks[q.end].text == "%" or toks[q.end].low in ("percent", "퍼센트")):
                figures.append((i, q.end, q.value))
                i = q.end + 1
                continue
        i += 1
    return figures


def _group_bounds(toks: list[Token], i: int) -> tuple[int, int] | None:
    """The parentheses around token i: (index of "(", index of ")"), or None."""
    depth = toks[i].depth
    if depth == 0:
        return None
    open_at = next(
        (k for k in range(i - 1, max(-1, i - 40), -1) if toks[k].text == "(" and toks[k].depth == depth - 1), -1
    )
    close_at = next(
        (k for k in range(i + 1, min(len(toks), i + 40)) if toks[k].text == ")" and toks[k].depth == depth - 1),
        len(toks),
    )
    return (open_at, close_at) if open_at >= 0 else None


def _search(toks: list[Token], indices: Iterable[int]) -> tuple[str, int] | None:
    for k in indices:
        tier = _tier_word(toks, k)
        if tier is not None:
            return tier, k
    return None


def _utilisation(text: str, toks: list[Token], field_name: str) -> list[tuple[str, float, str]]:
    """(tier, share, quote) for each utilisation figure: "DB CPU 80%", "app servers at 60% CPU", "(DB 85%)"."""
    figures = _percent_figures(toks)
    out: list[tuple[str, float, str]] = []
    n = len(toks)
    for index, (first, sign, value) in enumerate(figures):
        if not 1 <= value <= 100:
            continue
        prev_bound = figures[index - 1][1] + 1 if index else 0
        next_bound = figures[index + 1][0] if index + 1 < len(figures) else n
        clause = toks[first].clause
        before = [k for k in range(first - 1, max(prev_bound, first - 6) - 1, -1) if toks[k].clause == clause]
        after = [k for k in range(sign + 1, min(next_bound, sign + 4)) if toks[k].clause == clause]
        if after and toks[after[0]].low in ("faster", "slower", "more", "less", "off"):
            continue  # "70% faster"
        if after and toks[after[0]].low == "of" and not any(toks[k].low in _CAPACITY_WORDS for k in after[1:]):
            continue  # "70% of traffic is images", but "80% of the uplink" is a utilisation
        verdict = None
        for k in before + after:  # the nearest descriptive word decides: "memory 90%" is not CPU
            if _util_word(toks[k]):
                verdict = True
                break
            if _not_util_word(toks[k]):
                verdict = False
                break
        if verdict is False:
            continue
        # The tier: inside parentheses, the group's own words first; then the words before it, then after.
        group = _group_bounds(toks, first)
        found: tuple[str, int] | None = None
        quote_from, quote_to = first, sign
        if group is not None:
            open_at, close_at = group
            found = _search(toks, range(first - 1, open_at, -1)) or _search(toks, range(sign + 1, min(close_at, n)))
            if found is not None:
                quote_from, quote_to = open_at, min(close_at, n - 1)
            else:
                outside = [
                    k for k in range(open_at - 1, max(prev_bound, open_at - 7) - 1, -1) if toks[k].clause == clause
                ]
                found = _search(toks, outside)
                if found is not None:
                    quote_from, quote_to = found[1], min(close_at, n - 1)
        else:
            found = _search(toks, before) or _search(
                toks, [k for k in range(sign + 1, min(next_bound, sign + 6)) if toks[k].clause == clause]
            )
        if verdict is None:
            # No word says CPU or load: accept only a tier written right next to the figure ("DB 85%", "(DB 85%)"),
            # or a figure alone in parentheses after its tier ("DB는 여유 있음 (30%)").
            adjacent = [k for k in before if toks[k].low not in _LINK_WORDS][:1]
            alone = group is not None and group[0] == first - 1 and group[1] == sign + 1
            if found is None or not (alone or (adjacent and adjacent[0] == found[1])):
                continue
        tier = found[0] if found is not None else FIELD_ROLE.get(field_name)
        if tier is None:
            continue
        if found is None:
            # The answer's own tier ("CPU around 20%" in the database answer): quote from the word saying CPU.
            quote_from = next((k for k in before if _util_word(toks[k])), first)
        elif group is None:
            quote_from, quote_to = min(found[1], first), max(found[1], sign)
            while (
                quote_from > 0 and toks[quote_from - 1].clause == clause and role_of(toks[quote_from - 1]) is not None
            ):
                quote_from -= 1  # "app servers": keep the qualifier in the quote
        if quote_to + 1 < n and _util_word(toks[quote_to + 1]) and toks[quote_to + 1].clause == clause:
            quote_to += 1  # "60% CPU"
        out.append((tier, value / 100, quote_tokens(text, toks, quote_from, quote_to)))
    return out


def resource_mentions(text: str, toks: list[Token]) -> list[tuple[Tier, str]]:
    """'DB CPU' is database evidence; a bare 'CPU' or 'server memory' is app evidence."""
    lowered = text.lower()
    found: list[tuple[Tier, str]] = []
    for i, tok in enumerate(toks):
        word = (
            tok.low
            if tok.low in ("cpu", "memory", "ram")
            else ("메모리" if tok.kind == "kw" and "메모리" in tok.text else None)
        )
        if word is None or is_negated(lowered, tok.start, tok.end):
            continue
        hit = _search(toks, [k for k in range(i - 1, max(-1, i - 5), -1) if toks[k].clause == tok.clause])
        named = hit[0] if hit is not None else "app"
        tier = next((t for t in TIERS if t == named), None)  # cache, proxy, ... are not tiers of the model
        if tier is not None:
            found.append((tier, word))
    return found


def note_utilisation(book: Notebook) -> None:
    """Utilisation per tier; several figures for one tier: the highest is the peak."""
    busiest: dict[str, tuple[float, str]] = {}
    for name in ("bottlenecks", "servers", "database", "network"):
        f = book.fields[name]
        if "%" not in f.text and "퍼센트" not in f.text and "percent" not in f.lowered:
            continue
        for tier, share, quote in _utilisation(f.text, f.toks, name):
            if share > busiest.get(tier, (0.0, ""))[0]:
                busiest[tier] = (share, quote)
    quoted: dict[str, float] = {}
    other: dict[str, float] = {}
    for tier, (share, quote) in busiest.items():
        (quoted if tier in TIERS else other)[tier] = share
        book.read(f"utilisation:{tier}", share, quote)
    book.values.update(quoted_utilisation=quoted, other_utilisation=other)
