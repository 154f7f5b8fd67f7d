"""The JSON encodings signatures are built from (framework/signers.go and Go's encoding/json).

``canonical_json``: map keys sorted, no spaces, UTF-8 text as is, and NaN/infinity refused (Go's
json.Marshal fails on them). ``go_json``: struct fields in declaration order, UTF-8 text as is,
Go's HTML-safe escapes, NaN refused.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.plugins.helpers.signers import canonical_json, go_json

keys = st.text(min_size=1, max_size=5)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


@given(st.dictionaries(keys, scalars, max_size=6))
def test_canonical_json_depends_on_the_mapping_not_its_insertion_order(mapping: dict[str, object]) -> None:
    reordered = dict(reversed(list(mapping.items())))
    assert canonical_json(mapping) == canonical_json(reordered)
    assert list(json.loads(canonical_json(mapping))) == sorted(mapping)


def test_go_json_keeps_struct_field_order() -> None:
    assert go_json({"Weight": 1, "Preference": {}}) == '{"Weight":1,"Preference":{}}'
    assert go_json({"b": 1, "a": 2}) != go_json({"a": 2, "b": 1})


@pytest.mark.parametrize("encode", [canonical_json, go_json])
def test_non_ascii_text_is_written_as_utf8_not_escaped(encode: object) -> None:
    assert encode(["zoné", "日本"]) == '["zoné","日本"]'  # type: ignore[operator]


@pytest.mark.parametrize("encode", [canonical_json, go_json])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_cannot_be_signed(encode: object, value: float) -> None:
    with pytest.raises(ValueError, match="JSON"):
        encode({"x": value})  # type: ignore[operator]
