"""Go integer and rounding semantics the upstream plugins rely on."""

from __future__ import annotations

import math


def go_div(numerator: int, denominator: int) -> int:
    """Go's int64 division: truncates toward zero (Python's // floors)."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator >= 0) else -quotient


def go_round(value: float) -> int:
    """Go's math.Round: half away from zero (Python's round() is half to even)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))
