"""Both languages, always: every message the code wraps in t()/tn() has Korean in the catalogue, and the catalogue
keeps nothing the code no longer says. Plus the language choice and Korean number formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import i18n

BOT = Path(i18n.__file__).resolve().parent
KEYWORDS = {"t": (2,), "tn": (2, 3), "N_": (1,)}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _code_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(BOT), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        found.add(message if isinstance(message, str) else tuple(message))  # type: ignore[arg-type]
    return found


def _catalogue() -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with i18n.CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="ko")
    return {
        (m.id if isinstance(m.id, str) else tuple(m.id)): m.string  # type: ignore[misc]
        for m in catalogue
        if m.id
    }


def test_every_message_of_the_code_has_korean() -> None:
    korean = _catalogue()
    missing = [m for m in _code_messages() if not korean.get(m) or korean.get(m) == ("",)]
    assert not missing, f"{len(missing)} message(s) without Korean in {i18n.CATALOGUE.name}: {missing[:10]}"


def test_the_catalogue_keeps_nothing_the_code_no_longer_says() -> None:
    stale = set(_catalogue()) - _code_messages()
    assert not stale, f"entries no message of the code uses: {sorted(map(str, stale))[:10]}"


def test_translations_keep_the_placeholders() -> None:
    for message, korean in _catalogue().items():
        english = message if isinstance(message, str) else message[0]
        forms = [korean] if isinstance(korean, str) else list(korean)
        for form in forms:
            assert sorted(_PLACEHOLDER.findall(form)) == sorted(_PLACEHOLDER.findall(english)), (message, form)


def test_korean_text_is_mostly_hangul() -> None:
    for message, korean in _catalogue().items():
        text = korean if isinstance(korean, str) else korean[0]
        letters = re.sub(r"\{\w*\}|<[^>]*>|`[^`]*`|:[a-z_]+:|\b[A-Za-z][\w./-]*\b", "", text)
        if len(re.findall(r"[^\W\d_]", letters)) >= 4:
            assert i18n.written_in(letters) == "ko", (message, text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ko", "ko"), ("ko-KR", "ko"), ("ko_KR", "ko"), ("EN-us", "en"), ("ja-JP", None), ("", None)],
)
def test_language_codes(value: str, expected: str | None) -> None:
    assert i18n.language(value) == expected


def test_the_language_answers_are_written_in() -> None:
    assert i18n.written_in("피크 때 DB CPU가 95%까지 올라가고 PostgreSQL 쿼리가 느립니다") == "ko"
    assert i18n.written_in("DB CPU hits 95% at peak; the feed query scans the table") == "en"
    assert i18n.written_in("12", None, "") is None
    assert i18n.choose(None, "ko", "en") == "ko"
    assert i18n.choose(None, None) == i18n.DEFAULT


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("en", 1_200, "1.2k"),
        ("en", 1_000_000, "1M"),
        ("en", 950, "950"),
        ("ko", 1_200, "1,200"),
        ("ko", 30_000, "3만"),
        ("ko", 1_000_000, "100만"),
        ("ko", 123_456_789, "1.2억"),
    ],
)
def test_counts_read_as_people_say_them(lang: i18n.Language, n: int, expected: str) -> None:
    assert i18n.count(lang, n) == expected


def test_korean_money() -> None:
    assert i18n.won(7_170_000) == "약 717만 원"
    assert i18n.won(9_000) == "9,000원"


def test_korean_money_ranges() -> None:
    assert i18n.won_range(4_600_000, 12_000_000) == "약 460만~1,200만 원"
    assert i18n.won_range(0, 240_000) == "약 0~24만 원"
    assert i18n.won_range(0, 0) == "없음"
    assert i18n.won_range(9_000, 9_000) == "9,000원"
