"""The roadmap's figures in words, in the reader's language: tiers, levels, users, money, ranges and origins.

One place for what every renderer (Markdown, exports) says about a number, so "2~6인일" and "월 약 41만 원" read
the same everywhere; the Korean of each word is in the gettext catalogue (bot/i18n.py).
"""

from __future__ import annotations

from bot import i18n
from bot.i18n import N_, Language, t
from bot.roadmap.numbers import money_range
from bot.roadmap.schema import Range

TIER_NAMES: dict[str, str] = {
    "app": N_("app servers"),
    "database": N_("database"),
    "network": N_("network / static delivery"),
    "contention": N_("lock contention (hot rows)"),
}
LEVELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
# Where an assumption comes from (capacity.py's origins), so a reader knows which ones to correct.
ORIGINS = {
    "measured": N_("measured"),
    "you said": N_("you said"),
    "default": N_("default"),
    "derived": N_("derived"),
}


def tier_name(tier: str, lang: Language) -> str:
    return t(lang, TIER_NAMES[tier]) if tier in TIER_NAMES else tier


def level(value: str, lang: Language) -> str:
    return t(lang, LEVELS[value]) if value in LEVELS else value


def engine_name(engine: str, lang: Language) -> str:
    """The engine as a reader names it: the offline rules engine in words, a model by its own name."""
    return t(lang, "rules (offline)") if engine == "rules" else engine


def origin(value: str, lang: Language) -> str:
    return t(lang, ORIGINS[value]) if value in ORIGINS else value


def count(n: float, lang: Language) -> str:
    """A count as people say it: "15k", "1.5만"."""
    return i18n.count(lang, n)


def users(n: float, lang: Language) -> str:
    """A number of users: "15k users", "1.5만명"."""
    return t(lang, "{count} users", count=i18n.count(lang, n))


def money(value: Range, currency: str, lang: Language) -> str:
    """Money as the reader says it: won in 만 / 억 for a Korean reader, the catalogue's format otherwise."""
    if value.high == 0:
        return t(lang, "none")
    if lang == "ko" and currency == "KRW":
        return i18n.won_range(value.low, value.high)
    return money_range(value, currency)


def percent_range(value: Range, lang: Language) -> str:
    """A change in percent: "−80% to −50%" in English, "−80%~−50%" in Korean."""

    def one(x: float) -> str:
        return f"{x:+.0f}%".replace("-", "−")

    if value.low == value.high:
        return one(value.low)
    return f"{one(value.low)}~{one(value.high)}" if lang == "ko" else f"{one(value.low)} to {one(value.high)}"


def span(value: Range, lang: Language) -> str:
    """A range of days or weeks without its unit: "2–6" ("2~6" in Korean), "0.5"."""
    if value.low == value.high:
        return f"{value.low:g}"
    return f"{value.low:g}{'~' if lang == 'ko' else '–'}{value.high:g}"


def person_days(value: Range, lang: Language) -> str:
    return t(lang, "{days} person-days", days=span(value, lang))


def weeks(value: Range, lang: Language) -> str:
    return t(lang, "{weeks} weeks", weeks=span(value, lang))


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word's end with "…" (a quote is never cut mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"
