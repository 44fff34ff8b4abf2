"""Amounts of money written in the answers: per unit or a total, per month or per hour, and today's spend."""

from __future__ import annotations

import re

from bot.roadmap.reading.answers import ALL_FIELDS, ARCH_FIELDS
from bot.roadmap.reading.facts import StatedPrice
from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.quantities import number_at
from bot.roadmap.reading.quotes import quote_tokens
from bot.roadmap.reading.tokens import Token, clause_tokens, words_before
from bot.roadmap.reading.vocabulary import FIELD_ROLE, HOST_NOUNS, role_of, split_words

MAX_PRICES = 8  # amounts of money read per answer: a price list is not an architecture
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₩": "KRW", "¥": "JPY"}
_CURRENCY_WORDS = {
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "krw": "KRW",
    "won": "KRW",
    "jpy": "JPY",
    "yen": "JPY",
}
MONTH_WORDS = frozenset({"mo", "month", "months", "mth", "monthly", "pm"})
_HOUR_WORDS = frozenset({"hr", "hour", "h", "hourly"})
_PER_UNIT_WORDS = frozenset({"each", "apiece"})
_SPEND_WORDS = frozenset(
    split_words("spend|spending|spent|bill|billing|bills|pay|paying|costs|cost|currently|today|invoice")
)
_SPEND_WORDS_KO = ("현재", "지금", "비용", "지출", "청구", "요금", "나가", "나옵", "나오")
_BUDGET_WORDS = frozenset({"budget", "can", "could", "up", "max", "maximum", "limit", "cap", "afford"})


def _money_at(toks: list[Token], i: int) -> tuple[float, str, int, int] | None:
    """(amount, currency, first token, last token) for "$24", "$1.2k", "24 USD", "30만원", "₩300,000"."""
    tok = toks[i]
    n = len(toks)
    if tok.kind == "sym" and tok.text in CURRENCY_SYMBOLS and i + 1 < n and toks[i + 1].kind == "num":
        number = number_at(toks, i + 1)
        if number is not None:
            return number.value, CURRENCY_SYMBOLS[tok.text], i, number.end - 1
    if tok.kind == "num" and (i == 0 or toks[i - 1].text not in CURRENCY_SYMBOLS):
        number = number_at(toks, i)
        if number is None:
            return None
        if number.counter.startswith("원"):
            return number.value, "KRW", i, number.end - 1
        if number.end < n:
            nxt = toks[number.end]
            if nxt.low in _CURRENCY_WORDS:
                return number.value, _CURRENCY_WORDS[nxt.low], i, number.end
            if nxt.kind == "kw" and nxt.text.startswith(("원", "달러")):
                return number.value, "KRW" if nxt.text.startswith("원") else "USD", i, number.end
    return None


def read_prices(text: str, toks: list[Token], field_name: str) -> list[tuple[StatedPrice, bool]]:
    """Each amount of money written, with its period, and whether it reads as today's spend."""
    default = FIELD_ROLE.get(field_name) or "total"
    out: list[tuple[StatedPrice, bool]] = []
    n = len(toks)
    for i in range(n):
        if toks[i].kind not in ("num", "sym"):
            continue
        written = _money_at(toks, i)
        if written is None:
            continue
        if len(out) >= MAX_PRICES:
            break
        amount, currency, first, last = written
        near_after = [t for t in toks[last + 1 : last + 4] if t.clause == toks[last].clause]
        near_before = words_before(toks, first, 3)
        period = "month"
        if any(t.low in _HOUR_WORDS for t in near_after[:2]):
            period = "hour"
        per_unit = any(t.low in _PER_UNIT_WORDS or (t.kind == "kw" and "당" in t.text) for t in near_after)
        per_unit = per_unit or (
            any(t.low == "per" for t in near_after)
            and not any(t.low in MONTH_WORDS | _HOUR_WORDS for t in near_after[1:2])
        )
        host_nouns = [t for t in near_before[-2:] + near_after[:2] if t.low in HOST_NOUNS and not t.low.endswith("s")]
        per_unit = per_unit or bool(host_nouns)
        tier = next((r for q in reversed(near_before) if (r := role_of(q)) in ("database", "cache", "app")), default)
        clause_words = clause_tokens(toks, first) if field_name not in ARCH_FIELDS else []
        spend = any(
            t.low in _SPEND_WORDS or (t.kind == "kw" and any(w in t.text for w in _SPEND_WORDS_KO))
            for t in clause_words
        )
        budget = any(t.low in _BUDGET_WORDS or (t.kind == "kw" and "예산" in t.text) for t in clause_words)
        quote_from = first
        for k in range(first - 1, max(-1, first - 3), -1):
            if toks[k].clause != toks[first].clause or toks[k].depth != toks[first].depth:
                break
            if toks[k].low in HOST_NOUNS or role_of(toks[k]) is not None:
                quote_from = k
        quote_to = last
        if near_after and near_after[0].text == "/" and len(near_after) > 1:
            quote_to = last + 2  # "$24/mo"
        elif near_after and (near_after[0].low in MONTH_WORDS | _HOUR_WORDS | _PER_UNIT_WORDS):
            quote_to = last + 1
        price = StatedPrice(tier, amount, currency, per_unit, period, quote_tokens(text, toks, quote_from, quote_to))
        out.append((price, spend and not budget))
    return out


# Words without which an answer holds no amount of money: its tokens are then never made.
_MONEY_CUES = re.compile(r"[$€£₩¥원]|달러|usd|dollar|eur|gbp|krw|won\b|jpy|yen")


def note_money(book: Notebook) -> None:
    """Prices written in the architecture answers, and what the team says it spends today."""
    prices: list[StatedPrice] = []
    spend: StatedPrice | None = None
    for name in ALL_FIELDS:
        f = book.fields[name]
        if not f.has_digit or not _MONEY_CUES.search(f.lowered):
            continue
        for price, is_spend in read_prices(f.text, f.toks, name):
            if name in ARCH_FIELDS:
                if all(p.tier != price.tier for p in prices):
                    book.read(f"price:{price.tier}", price, price.source)
                prices.append(price)
            elif is_spend and spend is None:
                spend = StatedPrice("total", price.amount, price.currency, False, price.period, price.source)
                book.read("current_monthly_spend", spend, spend.source)
    book.values.update(stated_prices=tuple(prices), current_monthly_spend=spend)
