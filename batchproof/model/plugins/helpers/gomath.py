"""Go integer and rounding semantics the upstream plugins rely on."""

from __future__ import annotations

import math


def go_div(numerator: int, denominator: int) -> int:
    """Go's int64 division: truncates toward zero (Python's // floors)."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator >= 0) else -quotient


def go_round(value: float) -> int:
    """Go's math.Round: half away from zero (Python's round() is half to even).

    Exact for values like 0.49999999999999994, where adding 0.5 would round up in floating point.
    """
    truncated = math.trunc(value)
    if abs(value - truncated) >= 0.5:
        truncated += 1 if value > 0 else -1
    return int(truncated)
