"""Profile.build's per-point plugin lists and weights equal the framework upstream builds from the same config.

The cases of tests/model/test_profile_build.py (explicit re-enabling, per-point disabling, ``*``,
explicit Score weights) go to the oracle as a KubeSchedulerConfiguration; upstream's extension
points must equal the model's exactly for the Filter and Score points.
"""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.upstream import Oracle
from batchproof.upstream.encode import config_document
from tests.model.test_profile_build import CASES, points, profile

pytestmark = pytest.mark.upstream

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}


def _upstream(oracle: Oracle, document: dict[str, Any]) -> dict[str, list[Any]]:
    found = oracle.request("evaluate", {"config": document, "pod": POD})["extensionPoints"]
    return {
        "filter": [p["name"] for p in found["filter"]],
        "score": [(p["name"], p["weight"]) for p in found["score"]],
    }


@pytest.mark.parametrize(("case", "enabled", "disabled", "point", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_model_expands_points_as_upstream_does(
    oracle: Oracle, case: str, enabled: dict[str, Any], disabled: dict[str, Any], point: str, expected: list[Any]
) -> None:
    built = profile(enabled, disabled)
    model, upstream = points(built), _upstream(oracle, config_document(built))
    assert model["filter"] == upstream["filter"]
    assert model["score"] == upstream["score"]
