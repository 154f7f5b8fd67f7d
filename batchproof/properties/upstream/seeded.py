"""Seeded, generation-only Hypothesis runs: how the oracle diffs and checks draw their cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, seed, settings

Test = TypeVar("Test", bound=Callable[..., Any])


def seeded(examples: int, seed_value: int) -> Callable[[Test], Test]:
    """Decorate a ``@given`` test to draw ``examples`` cases from ``seed_value``, never shrinking.

    The same seed draws the same cases; there is no example database, so nothing a previous run
    saved changes what is drawn.
    """

    def apply(test: Test) -> Test:
        configured = settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(test)
        return seed(seed_value)(configured)

    return apply
