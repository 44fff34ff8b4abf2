"""Fill-ins of the engine's sentences in Korean: figures as Korean counts, won as Korean readers say it, tiers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot import i18n
from bot.i18n import count
from bot.roadmap.korean.words import (
    HINTS_KO,
    IN_PLACE_KO,
    KINDS_KO,
    LIMITS_KO,
    UNIT_COUNTERS,
    UNITS_KO,
    WALLS_KO,
    tier_ko,
)

ValueKo = Callable[[str, str], str | None]  # (field name, English value) -> its Korean, or None when unknown
_MONEY = re.compile(r"₩([\d,]+)")
_COMPACT = re.compile(r"(\d+(?:\.\d+)?)([kMB]?)")
_SCALE = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}


def engine_value(name: str, value: str) -> str | None:
    """A fill-in of an engine sentence in Korean: figures as Korean counts, tiers and units by name."""
    if name in ("quote", "said"):
        return value  # the team's own words
    if name == "kind":
        return KINDS_KO.get(value)
    if name == "limit":
        return LIMITS_KO.get(value)
    if name in ("money", "left"):  # won as Korean readers say it; other currencies as written
        won = _MONEY.fullmatch(value)
        if won:
            return i18n.won(float(won.group(1).replace(",", "")))
        return value if re.fullmatch(r"[$€£¥]?[\d,.]+(?: [A-Z]{3})?", value) else None
    if name == "tier":
        return tier_ko(value)
    if name == "what":  # what to measure (capacity.MEASURE_TO_REPLACE), worded in the catalogue
        korean = i18n.t("ko", value)
        return korean if korean != value else None
    if name == "label":
        return UNITS_KO.get(value)
    if name in ("units", "units_from", "n"):
        return value if value.isdigit() else None
    if name == "name":
        return value  # the team's system name
    if name == "wall":
        return WALLS_KO.get(value)
    if name in ("range", "budget", "total", "spend"):
        return _money_ko(value)
    if name == "cost":
        if value == "no monthly cost":
            return "월 추가 비용 없음"
        about = re.fullmatch(r"about (.+) a month", value)
        figure = _money_ko(about.group(1)) if about else None
        return f"월 약 {figure}" if figure else None
    if name == "steps":  # "₩12,000,000 -> 20k users; ..."
        found = [re.fullmatch(r"(.+) -> (\S+) users", step) for step in value.split("; ")]
        pairs = [(_money_ko(m.group(1)), engine_value("users", m.group(2))) if m else (None, None) for m in found]
        if any(a is None or b is None for a, b in pairs):
            return None
        return "; ".join(f"{a} → 사용자 {b}명" for a, b in pairs)
    if name == "parts":
        changes = [_effect_part(part) for part in value.split(", ")]
        return ", ".join(c for c in changes if c is not None) if all(changes) else None
    if name in ("share", "percent"):
        return value if re.fullmatch(r"\d+(?:\.\d+)?%", value) else None
    if name == "currency":
        return value if re.fullmatch(r"[A-Z]{3}", value) else None
    if name == "ids":
        return value if re.fullmatch(r"\d+\.\d+(?:, \d+\.\d+)*", value) else None
    compact = _COMPACT.fullmatch(value)
    return count("ko", float(compact.group(1)) * _SCALE[compact.group(2)]) if compact else None


def _effect_part(part: str) -> str | None:
    """One change the model makes ("database capacity x2.2", "app servers 3 -> 7") in Korean."""
    gain = re.fullmatch(r"(.+) capacity x([\d.]+)", part)
    if gain:
        tier = tier_ko(gain.group(1))
        return f"{tier} 용량 x{gain.group(2)}" if tier else None
    grown = re.fullmatch(r"(.+) (\d+)(x?) -> (\d+)x?( today's \(count not stated\))?", part)
    label = UNITS_KO.get(grown.group(1)) if grown else None
    if grown is None or label is None:
        return None
    if grown.group(3):
        return f"{label} 현재의 {grown.group(2)}배 → {grown.group(4)}배(대수 미기재)"
    counter = UNIT_COUNTERS[label]
    return f"{label} {grown.group(2)}{counter} → {grown.group(4)}{counter}"


def _money_ko(value: str) -> str | None:
    """A won amount or range as Korean readers say it ("89만~580만 원"); other currencies as written."""
    amounts = value.split("–")
    if all(_MONEY.fullmatch(a) for a in amounts):
        figures = [count("ko", float(a.removeprefix("₩").replace(",", ""))) for a in amounts]
        return "~".join(figures) + (" 원" if figures[-1][-1] in "만억" else "원")
    return value if re.fullmatch(r"[$€£¥]?[\d,.]+(?: [A-Z]{3})?(?:–[$€£¥]?[\d,.]+(?: [A-Z]{3})?)?", value) else None


def assumption_value(name: str, value: str) -> str | None:
    """A fill-in of rules/generate.py's assumptions: an exchange rate, a currency code, a year and month."""
    if name == "rate":
        return value if re.fullmatch(r"[\d.,]+", value) else None
    if name == "date":
        return value if re.fullmatch(r"\d{4}-\d{2}", value) else None
    return engine_value(name, value)


def advice_value(titles: Mapping[str, str], reasons: Mapping[str, str]) -> ValueKo:
    """Fill-ins of the advice's sentences: catalogue titles and reasons in Korean, tools the team runs, hints."""

    def value(name: str, text: str) -> str | None:
        if name == "title":
            return titles.get(text)
        if name == "reason":
            return reasons.get(text)
        if name == "hint":
            return HINTS_KO.get(text)
        if name == "have":
            if text in IN_PLACE_KO:
                return IN_PLACE_KO[text]
            servers = re.fullmatch(r"(\d+) app servers behind a load balancer", text)
            if servers:
                return f"로드밸런서 뒤의 앱 서버 {servers.group(1)}대"
            said = re.fullmatch(r'stateless app containers \(you wrote "(.+)"\)', text, re.DOTALL)
            return f'무상태 앱 컨테이너, 적으신 말 "{said.group(1)}"' if said else None
        return None

    return value
