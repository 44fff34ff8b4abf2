"""Shared test policy.

Tests that need PostgreSQL or the reference data in ``../shared`` skip with a reason on a
machine that lacks them. CI sets ``SCALE_REVIEW_CI=1``, which turns every skip into a
failure, so a green CI run proves those tests ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

STRICT = os.environ.get("SCALE_REVIEW_CI", "") not in ("", "0", "false", "no")
REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SCALE_REVIEW_SHARED_DIR", REPO_ROOT.parent / "shared"))


def require_shared(relative: str) -> Path:
    """Path to a reference file in ../shared, or skip with the reason (a failure in CI)."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (set SCALE_REVIEW_SHARED_DIR to its folder)")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under SCALE_REVIEW_CI=1, which forbids skips: {reason}"
