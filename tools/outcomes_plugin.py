"""A pytest plugin for tools/selection_check.py: write each test's outcome to $BATCHPROOF_OUTCOMES.

Outcomes: passed, failed (the call failed), error (setup or teardown failed), skipped, xfailed,
xpassed. Works under pytest-xdist (reports reach the controller).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_OUTCOMES: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Fold the setup/call/teardown reports of each test into one outcome."""
    previous = _OUTCOMES.get(report.nodeid)
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    elif report.failed:
        outcome = "failed" if report.when == "call" else "error"
    elif report.skipped:
        outcome = "skipped"
    elif report.when == "call":
        outcome = "passed"
    else:
        return
    if previous in ("failed", "error"):
        return
    _OUTCOMES[report.nodeid] = outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the outcomes (controller only under xdist)."""
    target = os.environ.get("BATCHPROOF_OUTCOMES")
    if target and not hasattr(session.config, "workerinput"):
        Path(target).write_text(json.dumps(_OUTCOMES, sort_keys=True))
