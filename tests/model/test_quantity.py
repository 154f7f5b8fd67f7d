from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.errors import QuantityError
from batchproof.model.quantity import format_quantity, milli_value, parse_quantity, scheduler_units, value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Fraction(1)),
        ("100m", Fraction(1, 10)),
        ("1.5", Fraction(3, 2)),
        ("1Ki", Fraction(1024)),
        ("200Mi", Fraction(200 * 1024 * 1024)),
        ("1G", Fraction(10**9)),
        ("1e3", Fraction(1000)),
        ("1E-3", Fraction(1, 1000)),
        ("0.1m", Fraction(1, 10000)),
        ("-2k", Fraction(-2000)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        (3, Fraction(3)),
    ],
)
def test_parse_quantity_is_exact(text: str, expected: Fraction) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1Kii", "1 Mi", "m", "--1", "1e", True])
def test_malformed_quantity_is_rejected(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)  # type: ignore[arg-type]


def test_cpu_rounds_up_to_whole_millicores() -> None:
    assert milli_value(parse_quantity("0.1m")) == 1
    assert scheduler_units("cpu", parse_quantity("1.0001")) == 1001
    assert scheduler_units("memory", parse_quantity("0.5")) == 1
    assert value(parse_quantity("1.5Ki")) == 1536


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["cpu", "memory", "pods"]))
def test_format_quantity_round_trips(amount: int, resource: str) -> None:
    assert scheduler_units(resource, parse_quantity(format_quantity(resource, amount))) == amount
