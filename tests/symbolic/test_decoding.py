"""Decoding is faithful: a Z3 model of a symbolic pod and cluster, decoded into objects and
evaluated concretely, gives the results the Z3 model itself gives (so a counterexample replays
the pods and nodes Z3 reasoned about)."""

from __future__ import annotations

import random

import pytest
import z3

from batchproof.properties.symbolic.completeness import realise
from batchproof.properties.symbolic.encoder import Encoder
from batchproof.properties.symbolic.encodings import MODELS
from batchproof.properties.symbolic.model import SymbolicModel
from batchproof.properties.symbolic.reality import model_result

ROUNDS = 10


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.title)
def test_decoded_objects_evaluate_like_the_z3_model(model: SymbolicModel) -> None:
    rng = random.Random(model.title)
    for _ in range(ROUNDS):
        enc = Encoder(concrete=False)
        pod = model.fresh_pod(enc, "first")
        cluster = model.fresh_cluster(enc)
        terms = {prop: model.result(enc, pod, cluster, prop, 0) for prop in model.properties}
        wishes = [
            z3.simplify(var == rng.choice([True, False]) if z3.is_bool(var) else var == rng.randint(0, 3))
            for var in enc.fields.values()
        ]
        rng.shuffle(wishes)
        setting = [*enc.side, model.signable(enc, pod), model.assumptions(enc, pod), *enc.tables()]
        found = realise(enc, setting, wishes)
        assert found.answer == "sat"
        decoded_pod = model.decode_pod(enc, found.model, pod, "p")
        decoded_cluster = model.decode_cluster(enc, found.model, cluster)
        for prop, expected in terms.items():
            symbolic = tuple(Encoder.evaluate(found.model.eval(t, model_completion=True)) for t in expected)
            assert model_result(model, decoded_pod, decoded_cluster, prop, 0) == symbolic, (
                prop,
                decoded_pod,
                decoded_cluster,
            )
