"""The README states how many patterns the catalogue holds; it must stay true as patterns are added."""

from __future__ import annotations

import re
from pathlib import Path

from bot.roadmap.catalogue import load_catalogue

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_counts_the_catalogue_right() -> None:
    stated = re.search(r"catalogue of (\d+) scaling", README.read_text(encoding="utf-8").replace("\n", " "))
    assert stated, "the README no longer says how many patterns the catalogue holds"
    assert int(stated.group(1)) == len(load_catalogue().patterns)
