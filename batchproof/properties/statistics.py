"""Honest statistics: count how often a property reached its interesting path.

Every property records its paths here *and* with Hypothesis ``event()`` (shown by
``--hypothesis-show-statistics``); :meth:`PathCounter.require` fails a test whose interesting
path was never exercised, so no property can pass vacuously.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import event


class VacuousPropertyError(AssertionError):
    """A property never reached the path it exists to check."""


class PathCounter:
    """Counts of named paths reached by one property run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.counts: Counter[str] = Counter()

    def hit(self, path: str) -> None:
        """Record one example reaching ``path`` (also as a Hypothesis event)."""
        self.counts[path] += 1
        event(path)

    def require(self, *paths: str) -> None:
        """Fail unless every path was reached at least once.

        Raises:
            VacuousPropertyError: a path was never reached.

        """
        missing = [p for p in paths if self.counts[p] == 0]
        if missing:
            raise VacuousPropertyError(
                f"{self.name}: never exercised {', '.join(missing)} (reached: {dict(self.counts) or 'nothing'})"
            )

    def __repr__(self) -> str:
        return f"PathCounter({self.name!r}, {dict(self.counts)!r})"
