"""The upstream tier: a session-wide oracle, built on first use (once across xdist workers).

Without Go the tier skips with one line saying how to enable it, except under CI, where a
missing Go fails the run: CI must check the model against the real scheduler.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator

import pytest

from batchproof.upstream import Oracle, OracleError, build_oracle, existing_binary
from batchproof.upstream.build import GO_HINT, cache_dir


def _binary() -> object:
    found = existing_binary()
    if found is not None:
        return found
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds, the others wait and reuse it
        return build_oracle()


@pytest.fixture(scope="session")
def oracle() -> Iterator[Oracle]:
    try:
        binary = _binary()
    except OracleError as error:
        if os.environ.get("CI"):
            pytest.fail(f"upstream tier required in CI: {error}", pytrace=False)
        pytest.skip(f"upstream tests need the oracle ({error}); {GO_HINT}")
    with Oracle(binary) as running:  # type: ignore[arg-type]
        yield running


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/upstream/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.upstream)
