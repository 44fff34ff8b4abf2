"""The product's two languages: every text a person reads exists in English and in Korean.

Messages are written in English in the code, wrapped in ``t(lang, "...")`` (or ``tn`` for counts), and their
Korean lives in a gettext catalogue (``bot/locale/ko/LC_MESSAGES/messages.po``) read with Babel at start-up. The
Korean is written by people, never machine translated at run time; a test fails when a message has no Korean
or the catalogue keeps one the code no longer uses.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from bot.roadmap.schema import SystemProfile

Language = Literal["en", "ko"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT: Language = "en"
CATALOGUE = Path(__file__).resolve().parent / "locale" / "ko" / "LC_MESSAGES" / "messages.po"

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LETTER = re.compile(r"[^\W\d_]")


def language(value: str | None) -> Language | None:
    """A language code ("ko", "ko-KR", "en_US", "KO") read as one of ours; None for anything else."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in LANGUAGES else None  # mypy narrows `code` to Language by the membership test


def written_in(*texts: str | None) -> Language | None:
    """The language answers are written in: Korean when Hangul makes up a fifth of the letters (technical
    answers mix in English names like "PostgreSQL"), English when there are letters and none of that."""
    joined = " ".join(t for t in texts if t)[:20_000]
    letters = len(_LETTER.findall(joined))
    if letters == 0:
        return None
    return "ko" if len(_HANGUL.findall(joined)) / letters >= 0.2 else "en"


def of_answers(profile: SystemProfile) -> Language | None:
    """The language a questionnaire's free-text answers are written in."""
    arch = profile.architecture
    return written_in(profile.system_name, profile.bottlenecks, arch.database, arch.servers, *profile.core_features)


def choose(*candidates: Language | None) -> Language:
    """The first language known, in the order the caller trusts them (explicit choice, Slack locale, the
    answers' language, the workspace default)."""
    return next((c for c in candidates if c is not None), DEFAULT)


@cache
def _korean() -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="ko")
    table: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for message in catalogue:
        if not message.id or not message.string:
            continue
        if isinstance(message.id, str):
            table[message.id] = str(message.string)
        else:  # a (singular, plural) pair: Korean has one form
            singular, plural = message.id[0], message.id[1]
            table[(singular, plural)] = tuple(message.string)
    return table


def N_(message: str) -> str:
    """Marks a message kept in a table (labels, hints) for the catalogue; `t(lang, ...)` translates it when shown."""
    return message


def t(lang: Language, message: str, **values: object) -> str:
    """`message` in `lang`, with ``{name}`` placeholders filled from `values`."""
    text = message
    if lang == "ko":
        translated = _korean().get(message)
        if isinstance(translated, str):
            text = translated
    return text.format(**values) if values else text


def tn(lang: Language, singular: str, plural: str, count: int, **values: object) -> str:
    """A message about `count` things: English picks singular or plural; Korean has one form."""
    text = singular if count == 1 else plural
    if lang == "ko":
        translated = _korean().get((singular, plural))
        if isinstance(translated, tuple) and translated and translated[0]:
            text = translated[0]
    return text.format(count=count, **values)


def count(lang: Language, n: float) -> str:
    """A count as people say it: "1.2k", "3M" in English; "1,200", "3만", "1.2억" in Korean (two significant
    figures past ten thousand: these are estimates)."""
    if lang == "ko":
        for unit, size in (("억", 100_000_000), ("만", 10_000)):
            if abs(n) >= size:
                return f"{_two_figures(n / size)}{unit}"
        return f"{round(n):,}"
    for unit, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{_two_figures(n / scale)}{unit}"
    return f"{round(n):,}"


def won(amount: float) -> str:
    """Korean won as Korean readers say amounts: "약 717만 원", "약 1.2억 원", "9,000원"."""
    if abs(amount) >= 10_000:
        return f"약 {count('ko', amount)} 원"
    return f"{round(amount):,}원"


def won_range(low: float, high: float) -> str:
    """A range of won as Korean readers say it: "약 460만~1,200만 원", "0~24만 원"."""

    def part(amount: float) -> str:
        return count("ko", amount) if abs(amount) >= 10_000 else f"{round(amount):,}"

    if high == 0:
        return "없음"
    if low == high:
        return won(low)
    return f"약 {part(low)}~{part(high)} 원"


def _two_figures(value: float) -> str:
    if value >= 100:
        return f"{round(value):,}"
    if value >= 10:
        return f"{round(value)}"
    return f"{round(value, 1):g}"
