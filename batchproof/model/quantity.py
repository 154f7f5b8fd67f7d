"""Exact Kubernetes resource quantities: parsing and the integer views plugins use.

Follows k8s.io/apimachinery/pkg/api/resource/quantity.go: a signed decimal number with a
binary (Ki..Ei), decimal SI (n..E) or exponent (e/E) suffix. ``Value()`` and ``MilliValue()``
round up (toward +infinity), which is how CPU requests such as "0.1m" become 1 milli-CPU.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from batchproof.model.errors import QuantityError

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_PATTERN = re.compile(
    r"^(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?"
    r"(?:(?P<bin>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<dec>[numkMGTPE]?))$"
)

# Resources measured in milli-units by the scheduler (framework.Resource.MilliCPU).
MILLI_RESOURCES = frozenset({"cpu"})


def parse_quantity(text: str | int | float) -> Fraction:
    """Parse a Kubernetes quantity into its exact value.

    Raises:
        QuantityError: the text is not a valid quantity.

    """
    if isinstance(text, bool):
        raise QuantityError(f"quantity must be a string or number, not {text!r}")
    if isinstance(text, int):
        return Fraction(text)
    if isinstance(text, float):
        if not math.isfinite(text):
            raise QuantityError(f"quantity must be finite, not {text!r}")
        return Fraction(str(text))
    match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
    if match is None or (not match["int"] and not match["frac"]):
        raise QuantityError(f"quantities must match the regular expression of Kubernetes: {text!r}")
    digits = (match["int"] or "0") + (match["frac"] or "")
    value = Fraction(int(digits), 10 ** len(match["frac"] or ""))
    if match["bin"]:
        value *= _BINARY[match["bin"]]
    elif match["exp"]:
        exponent = int(match["exp"][1:])
        if abs(exponent) > 64:
            raise QuantityError(f"quantity exponent out of range: {text!r}")
        value *= Fraction(10) ** exponent
    else:
        value *= _DECIMAL[match["dec"] or ""]
    return -value if match["sign"] == "-" else value


def value(quantity: Fraction) -> int:
    """Kubernetes ``Quantity.Value()``: the value rounded up to an integer."""
    return math.ceil(quantity)


def milli_value(quantity: Fraction) -> int:
    """Kubernetes ``Quantity.MilliValue()``: the value in thousandths, rounded up."""
    return math.ceil(quantity * 1000)


def scheduler_units(resource: str, quantity: Fraction) -> int:
    """The integer the scheduler keeps for a resource: milli-CPU for cpu, base units otherwise."""
    return milli_value(quantity) if resource in MILLI_RESOURCES else value(quantity)


def format_quantity(resource: str, amount: int) -> str:
    """Render scheduler units back as a quantity string that parses to the same amount."""
    if resource in MILLI_RESOURCES:
        return str(amount // 1000) if amount % 1000 == 0 else f"{amount}m"
    return str(amount)
