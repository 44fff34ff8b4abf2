"""Human formatting of counts and money, shared by the Markdown and Slack renderers."""

from __future__ import annotations

from bot.roadmap.schema import Range

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "KRW": "₩", "JPY": "¥", "CNY": "CN¥", "INR": "₹"}


def compact(value: float) -> str:
    """1200 -> 1.2k, 1000000 -> 1M: scale figures are estimates, so three digits suffice."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= threshold:
            scaled = value / threshold
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return sign + text.removesuffix(".0") + suffix
    return sign + (f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}")


def money(amount: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency)
    text = f"{amount:,.0f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def money_range(value: Range, currency: str) -> str:
    if value.high == 0:
        return "none"
    if value.low == value.high:
        return money(value.low, currency)
    return f"{money(value.low, currency)}–{money(value.high, currency)}"


def pct_range(value: Range) -> str:
    def one(x: float) -> str:
        return f"{x:+.0f}%".replace("-", "−")

    return one(value.low) if value.low == value.high else f"{one(value.low)} to {one(value.high)}"


def days_range(value: Range, unit: str) -> str:
    def one(x: float) -> str:
        return f"{x:g}"

    return f"{one(value.low)} {unit}" if value.low == value.high else f"{one(value.low)}–{one(value.high)} {unit}"


def percent(share: float) -> str:
    """0.0017 -> 0.17%: small shares keep two significant digits instead of rounding to 0%."""
    value = share * 100
    if value >= 10 or value == 0:
        return f"{value:.0f}%"
    return f"{value:.2g}%"
