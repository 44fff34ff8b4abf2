"""User counts as written (registered, daily, monthly, concurrent); only a concurrent count is taken as concurrent."""

from __future__ import annotations

import re

from bot.roadmap.reading.answers import ARCH_FIELDS
from bot.roadmap.reading.facts import ArchitectureFacts
from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.prices import CURRENCY_SYMBOLS
from bot.roadmap.reading.quantities import quantity_at
from bot.roadmap.reading.quotes import quote_tokens
from bot.roadmap.reading.tokens import Token
from bot.roadmap.reading.vocabulary import is_unit, per_word
from bot.roadmap.schema import MAX_USERS

_USER_KINDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "registered": (
        frozenset({"registered", "signups", "sign-ups", "signed", "accounts", "members", "total", "subscribers"}),
        ("가입자", "회원", "가입", "누적"),
    ),
    "daily": (frozenset({"dau", "daily", "day", "a-day"}), ("일간", "일일", "하루", "일평균", "일 평균")),
    "monthly": (frozenset({"mau", "monthly", "month"}), ("월간", "한 달", "한달")),
    "concurrent": (
        frozenset({"concurrent", "simultaneous", "simultaneously", "ccu", "online", "concurrently"}),
        ("동시", "동접"),
    ),
}
_SELF_SUFFICIENT = frozenset({"dau", "mau", "ccu", "signups", "sign-ups", "members", "accounts", "subscribers"})
_SELF_SUFFICIENT_KO = ("가입자", "회원", "동접", "동시접속", "동시 접속")
_USER_NOUNS = frozenset({"users", "user", "visitors", "people", "players", "customers", "actives", "active", "uniques"})
_USER_NOUNS_KO = ("사용자", "이용자", "방문자", "유저", "명", "회원", "가입자", "플레이어", "접속자", "고객")


@per_word
def _user_kind(tok: Token) -> str | None:
    for kind, (english, korean) in _USER_KINDS.items():
        if tok.low in english or (tok.kind == "kw" and any(w in tok.text for w in korean)):
            return kind
    return None


@per_word
def _user_word(tok: Token) -> bool:
    return (
        tok.low in _USER_NOUNS
        or tok.low in _SELF_SUFFICIENT
        or (tok.kind == "kw" and any(w in tok.text for w in _USER_NOUNS_KO + _SELF_SUFFICIENT_KO))
    )


def _users(text: str, toks: list[Token]) -> list[tuple[str, int, str]]:
    """(kind, count, quote): "50k registered users", "DAU 2만", "가입자 100만 명", "1.2k concurrent"."""
    out: list[tuple[str, int, str]] = []
    n = len(toks)
    i = 0
    while i < n:
        number = quantity_at(toks, i) if toks[i].kind == "num" else None
        if number is None or (i > 0 and toks[i - 1].text in CURRENCY_SYMBOLS):
            i += 1
            continue
        end = number.end
        if end < n and (toks[end].text == "%" or (is_unit(toks[end]) and toks[end].low not in ("users", "user"))):
            i = end
            continue
        clause = toks[i].clause
        after = [k for k in range(end, min(n, end + 4)) if toks[k].clause == clause]
        before = [k for k in range(i - 1, max(-1, i - 4), -1) if toks[k].clause == clause and toks[k].kind != "num"]
        window = after + before
        kind_at = next((k for k in window if _user_kind(toks[k]) is not None or _per_period(toks, k)), None)
        if kind_at is None or any(_not_people(toks[k]) for k in after[:3]) or number.value < 1:
            i = end
            continue
        kind = _user_kind(toks[kind_at]) or _per_period(toks, kind_at)
        if kind is None or number.value > MAX_USERS:  # kind_at was chosen for naming a kind: never None here
            i = end
            continue
        # "동접", "DAU", "concurrent" name the people themselves; "daily" needs "users" or "명" nearby.
        people = [k for k in window if _user_word(toks[k])]
        if kind == "concurrent" or number.counter.startswith("명") or people:
            span = [i, end - 1, kind_at, *people[:1]]
            out.append((kind, round(number.value), quote_tokens(text, toks, min(span), max(span))))
        i = end
    return out


def _per_period(toks: list[Token], k: int) -> str | None:
    """Korean "일 방문자", "월 사용자": a bare 일 or 월 before a word for people."""
    if toks[k].text in ("일", "월") and k + 1 < len(toks) and _user_word(toks[k + 1]):
        return "daily" if toks[k].text == "일" else "monthly"
    return None


_NOT_PEOPLE = frozenset(
    [
        "connections",
        "connection",
        "requests",
        "queries",
        "jobs",
        "writes",
        "sockets",
        "websockets",
        "messages",
        "events",
        "orders",
        "rows",
        "records",
        "engineers",
        "developers",
        "devs",
        "team",
        "founders",
        "staff",
        "servers",
        "nodes",
    ]
)


@per_word
def _not_people(tok: Token) -> bool:
    return tok.low in _NOT_PEOPLE or (
        tok.kind == "kw" and any(w in tok.text for w in ("연결", "요청", "쿼리", "팀", "개발자", "주문"))
    )


# Words without which an answer holds no user count: its tokens are then never made.
_USER_CUES = re.compile(
    r"user|dau|mau|wau|ccu|regist|sign|account|member|subscri|daily|month|concurren|simultan|online|visitor|people|"
    r"player|customer|active|unique|가입|회원|동시|동접|사용자|이용자|방문자|유저|명|플레이어|접속|고객|일간|일일|하루|월간"
)


def note_users(book: Notebook) -> None:
    """Registered, daily, monthly and concurrent users, each as written (the first of each kind)."""
    user_counts: dict[str, int] = {}
    for name in ("features", "bottlenecks", "constraints", *ARCH_FIELDS):
        f = book.fields[name]
        if not f.has_digit or not _USER_CUES.search(f.lowered):
            continue
        for kind, count, quote in _users(f.text, f.toks):
            if kind not in user_counts:
                user_counts[kind] = count
                book.read(f"users:{kind}", count, quote, "" if kind == "concurrent" else "not concurrent users")
    book.values["user_counts"] = user_counts


def user_ratios(current_users: int, facts: ArchitectureFacts) -> dict[str, float]:
    """Concurrent users as a share of each other count written ("1,200 of 50k registered = 2.4%")."""
    return {
        kind: current_users / count for kind, count in facts.user_counts.items() if kind != "concurrent" and count > 0
    }
