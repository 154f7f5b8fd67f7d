"""The encoder's arithmetic is Go's, its normalisation is upstream's, and every model's catalogs
are closed under the functions pinned to them."""

from __future__ import annotations

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.plugins.helpers.gomath import go_div as real_go_div
from batchproof.model.plugins.helpers.normalize import default_normalize_score
from batchproof.properties.symbolic.encoder import Domain, Encoder, OutOfModel, go_div
from batchproof.properties.symbolic.encodings import MODELS
from batchproof.properties.symbolic.model import SymbolicModel, default_normalize

INTS = st.integers(-(10**6), 10**6)


@given(INTS, INTS)
def test_go_div_truncates_toward_zero_and_guards_zero(numerator: int, denominator: int) -> None:
    expected = 0 if denominator == 0 else real_go_div(numerator, denominator)
    assert Encoder.evaluate(go_div(z3.IntVal(numerator), z3.IntVal(denominator))) == expected


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=5), st.booleans())
def test_default_normalize_matches_the_helper(raws: list[int], reverse: bool) -> None:
    expected = {f"n{i}": v for i, v in enumerate(raws)}
    default_normalize_score(expected, reverse=reverse)
    ours = default_normalize([z3.IntVal(v) for v in raws], reverse=reverse)
    assert [Encoder.evaluate(t) for t in ours] == list(expected.values())


def test_concrete_opaque_values_intern_past_the_catalog() -> None:
    colours = Domain("colour", ("red", "green"))
    concrete = Encoder(concrete=True)
    assert Encoder.evaluate(concrete.const(colours, "green")) == 1
    assert Encoder.evaluate(concrete.const(colours, "blue")) == 2
    assert concrete.value_of(colours, 2) == "blue"
    with pytest.raises(OutOfModel):
        Encoder(concrete=False).const(colours, "blue")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.title)
def test_catalogs_are_closed_under_every_pinned_function(model: SymbolicModel) -> None:
    enc = Encoder(concrete=False)
    a, b = model.fresh_pod(enc, "first"), model.fresh_pod(enc, "second")
    cluster = model.fresh_cluster(enc)
    for mode in ("upstream", "strict"):
        model.fragment(enc, a, b, mode)  # type: ignore[arg-type]
    for prop in model.properties:
        model.result(enc, a, cluster, prop, 0)
    solver = z3.Solver()
    solver.add(*enc.side, *enc.tables())
    assert solver.check() == z3.sat
